// Searching the lead table as people type names: a full name in either order, a company, an
// e-mail or a phone number, whatever the case and with or without accents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../web/lib/leadkit.js';

const NOW = 1_795_000_000_000;
const LEADS = [
  { id: 'S-1', firstName: 'Zofia', lastName: 'López', email: 'zofia@nordwind.example', phone: '+48 601 234 567', company: 'Nordwind Sp. z o.o.' },
  { id: 'S-2', firstName: 'Zofia', lastName: 'Nowak', email: 'z.nowak@kraken.example', company: 'Kraken Labs' },
  { id: 'S-3', firstName: 'Émile', lastName: 'Lopez', email: 'emile@bordeaux.example', phone: '(555) 010-2030', company: 'Château Müller' },
];

async function engine() {
  const e = await createEngine();
  assert.deepEqual(e.loadLeads(LEADS, { now: NOW }), { loaded: 3, errors: [] });
  return e;
}
const ids = (e, search) => e.query({ search, sort: { field: 'id', order: 'asc' } }).rows.map((r) => r.id);

test('a first and last name together find the lead, in either order', async () => {
  const e = await engine();
  assert.deepEqual(ids(e, 'Zofia López'), ['S-1']);
  assert.deepEqual(ids(e, 'López Zofia'), ['S-1']);
  assert.deepEqual(ids(e, '  zofia   LÓPEZ '), ['S-1']);
  assert.deepEqual(ids(e, 'Zofia'), ['S-1', 'S-2']);
  e.dispose();
});

test('search ignores accents on either side', async () => {
  const e = await engine();
  assert.deepEqual(ids(e, 'zofia lopez'), ['S-1']);
  assert.deepEqual(ids(e, 'lopez'), ['S-1', 'S-3']);
  assert.deepEqual(ids(e, 'López'), ['S-1', 'S-3']);
  assert.deepEqual(ids(e, 'emile lopez'), ['S-3']);
  assert.deepEqual(ids(e, 'ÉMILE'), ['S-3']);
  assert.deepEqual(ids(e, 'chateau muller'), ['S-3']);
  e.dispose();
});

test('company, e-mail and phone are found too; a word found nowhere finds nothing', async () => {
  const e = await engine();
  assert.deepEqual(ids(e, 'kraken'), ['S-2']);
  assert.deepEqual(ids(e, 'Kraken Labs'), ['S-2']);
  assert.deepEqual(ids(e, 'z.nowak@kraken.example'), ['S-2']);
  assert.deepEqual(ids(e, '601 234 567'), ['S-1']);
  assert.deepEqual(ids(e, '601234567'), ['S-1']);
  assert.deepEqual(ids(e, '555 010 2030'), ['S-3']);
  assert.deepEqual(ids(e, 'Zofia Kraken'), ['S-2']);
  assert.deepEqual(ids(e, 'Zofia Müller'), []);
  e.dispose();
});
