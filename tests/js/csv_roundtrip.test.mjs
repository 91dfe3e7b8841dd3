// leadkit's own CSV export imports back into an empty engine as the same leads, field by field,
// with the formula guard on (the default), over the demo leads and over hostile strings.
//
// Columns: the export's default columns plus notes, stageReason, updatedAt, the BANT statuses and
// every custom field. Intentionally not round-tripped: `direction` (derived from the source
// channel), the score columns (fit, engagement, score, grade, matrix, qualifiesAs, topReasons:
// computed on read), and what CSV has no column for (events, touches, history, cadence,
// qualification of frameworks other than BANT, BANT evidence); the import ignores those columns.
// Phone numbers come back as the import normalises any phone ("+44 20 7946 0958" as
// "+442079460958"): the same number, compared as such. CSV has no types: a custom field's text
// that reads as a number ("42") comes back as the number. And the import may trim blanks around a
// cell, as for any CSV, so a note stored as "\t=1+1" may come back as "=1+1": compared trimmed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, sampleLeads } from '../../web/lib/leadkit.js';

const NOW = 1_795_000_000_000;
const FIELDS = ['id', 'firstName', 'lastName', 'email', 'phone', 'company', 'title', 'industry', 'employees',
  'annualRevenue', 'country', 'region', 'domain', 'source', 'stage', 'stageReason', 'dealValue', 'currency',
  'notes', 'tags', 'createdAt', 'updatedAt'];

function columnsFor(leads) {
  const custom = new Set(leads.flatMap((l) => Object.keys(l.custom ?? {})));
  const bant = ['budget', 'authority', 'need', 'timeline'].map((k) => `bant.${k}`);
  return [...FIELDS, 'direction', ...bant, ...[...custom].map((k) => `custom.${k}`)];
}

const trimmed = (v) => (typeof v === 'string' ? v.trim()
  : v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimmed(x)])) : v);

const bantStatus = (lead, key) => {
  const c = lead.bant?.[key];
  return (typeof c === 'string' ? c : c?.status) ?? 'unknown';
};

async function roundTrip(leads) {
  const source = await createEngine();
  const loaded = source.loadLeads(leads, { now: NOW });
  assert.deepEqual(loaded.errors, []);
  const stored = source.query({ limit: leads.length, now: NOW }).rows.map((r) => source.getLead(r.id));
  const csv = source.exportCsv({ columns: columnsFor(stored), now: NOW });
  const target = await createEngine();
  const report = await target.importCsv(csv, { now: NOW + 86_400_000 });
  assert.equal(report.mapping.preset, 'leadkit');
  assert.deepEqual(report.rejected, []);
  assert.equal(report.imported, stored.length);
  for (const want of stored) {
    const got = target.getLead(want.id);
    assert.ok(got, `lead ${want.id} came back`);
    for (const field of FIELDS) {
      const norm = field === 'phone' ? (v) => v?.replace(/[^+\d]/g, '') : trimmed;
      assert.deepEqual(norm(got[field]), norm(want[field]), `${want.id}.${field}`);
    }
    assert.deepEqual(trimmed(got.custom ?? {}), trimmed(want.custom ?? {}), `${want.id}.custom`);
    for (const key of ['budget', 'authority', 'need', 'timeline']) {
      assert.equal(bantStatus(got, key), bantStatus(want, key), `${want.id}.bant.${key}`);
    }
  }
  source.dispose();
  target.dispose();
  return csv;
}

test('exportCsv then importCsv gives back the 200 demo leads field by field', async () => {
  await roundTrip(await sampleLeads(200, { seed: 11, now: NOW }));
});

test('hostile strings survive exportCsv then importCsv exactly, and formulas stay guarded in the file', async () => {
  const hostile = [
    '=HYPERLINK("http://evil.example","x")', '\t=1+1', '\r=1+1', '  =cmd|\' /C calc\'!A0', ' +1 555', '-2+3',
    '@SUM(A1:A9)', '\'already quoted', 'a "quoted" word', 'comma, inside', 'line\nbreak', 'crlf\r\nbreak',
    'Zoë Ñúñez 日本語 😀', '<script>alert(1)</script>', '"', ',', '\'', '\'=', 'ends with \'',
  ];
  const leads = hostile.map((text, i) => ({
    id: `h${i}`,
    firstName: text,
    lastName: `L${i} ${text}`,
    email: `h${i}@example.com`,
    phone: i % 2 ? '+1 555 0100' : '+44 20 7946 0958',
    company: text,
    title: text,
    notes: `${text} — note ${i}`,
    tags: [`t${i}`, text.replace(/[;,|\s]/g, '') || 'x'],  // the import splits tags at ; , and |
    custom: { payload: text, minus: `-x${i}`, count: i },
    dealValue: i * 1000.25,
    employees: i + 1,
  }));
  const csv = await roundTrip(leads);
  // In the file, each payload sits behind the guard's apostrophe.
  for (const payload of ['\t=1+1', '\r=1+1', '  =cmd', ' +1 555', '-2+3', '@SUM(A1:A9)', '=HYPERLINK(']) {
    assert.ok(csv.includes(`,"'${payload}`), `guarded: ${JSON.stringify(payload)}`);
  }
});
