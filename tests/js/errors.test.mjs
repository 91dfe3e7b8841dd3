// The API's failure behaviour: every error is a LeadkitError with a `code` (and `where` when it has
// a place), exports are the backup or an error and nothing else, bad numbers and times are refused
// instead of stored, concurrent imports stay apart, and a module that aborted is replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import createLeadkitModule from '../../web/lib/dist/leadkit.mjs';
import { advise, createEngine, LeadkitError, sampleLeads } from '../../web/lib/leadkit.js';
import { trapNextMalloc } from './trap.mjs';

const NOW = 1_795_000_000_000;

const LEAD = { id: 'l1', firstName: 'Ada', email: 'ada@example.com', company: 'Acme', dealValue: 5000, employees: 40 };

// Asserts that fn throws a LeadkitError with `code` and, when given, exactly `where`.
function throwsCode(fn, code, where) {
  let error;
  try { fn(); } catch (e) { error = e; }
  assert.ok(error instanceof LeadkitError, `expected a LeadkitError, got ${error}`);
  assert.equal(error.code, code, error.message);
  if (where) assert.deepEqual(error.where, where);
  return error;
}

async function rejectsCode(promise, code, where) {
  let error;
  try { await promise; } catch (e) { error = e; }
  return throwsCode(() => { if (error) throw error; }, code, where);
}

// The raw module, for the shape of the bindings' replies, which the JS API hides.
async function rawModule() {
  const wasmBinary = await readFile(new URL('../../web/lib/dist/leadkit.wasm', import.meta.url));
  return createLeadkitModule({ wasmBinary });
}

test('errors from the core carry a code and their place apart from the message', async () => {
  const engine = await createEngine();
  const bad = throwsCode(() => engine.upsertLead({ email: 'nope' }, { now: NOW }), 'invalid_input');
  assert.match(bad.where.path, /email/);
  throwsCode(() => engine.score('missing', { now: NOW }), 'not_found', { path: 'id' });
  assert.equal(new LeadkitError('m', { path: 'x' }, 'busy').code, 'busy');
  assert.equal(new LeadkitError('m').code, 'invalid_input');
  engine.dispose();
  throwsCode(() => engine.getLead('l1'), 'not_found');
});

test('exports of a disposed engine throw LeadkitError with a code, never return text', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  engine.dispose();
  throwsCode(() => engine.exportJson(), 'not_found');
  throwsCode(() => engine.exportSnapshot(), 'not_found');
});

test('exportJson and exportSnapshot return the backup itself', async () => {
  const engine = await createEngine();
  engine.upsertLead({ ...LEAD, notes: '{"ok":false,"error":{}}' }, { now: NOW });
  const text = engine.exportJson();
  const backup = JSON.parse(text);
  assert.equal(backup.leads.length, 1);
  assert.equal(backup.leads[0].notes, '{"ok":false,"error":{}}');
  const snapshot = engine.exportSnapshot();
  assert.ok(snapshot instanceof Uint8Array && snapshot.length > 0);
  const copy = await createEngine();
  assert.equal(copy.loadLeads(snapshot).loaded, 1);
  assert.equal(copy.exportJson(), text);
  engine.dispose();
  copy.dispose();
});

test('the export bindings reply with an envelope: the size of the kept bytes, or an error with a code', async () => {
  const m = await rawModule();
  const h = m.createWorkspace();
  assert.equal(JSON.parse(m.upsertLead(h, JSON.stringify(LEAD), NOW)).ok, true);
  // Notes of 60 KB: the export needs a block far larger than any left below, whatever the layout.
  assert.equal(JSON.parse(m.upsertLead(h, JSON.stringify({ id: 'l2', email: 'big@example.com', notes: 'x'.repeat(60_000) }), NOW)).ok, true);
  for (const name of ['exportJson', 'exportSnapshot']) {
    const reply = JSON.parse(m[name](h));
    assert.equal(reply.ok, true);
    assert.equal(m.exportedView().length, reply.value.bytes);
    m.releaseExport();
    assert.equal(m.exportedView().length, 0);
  }
  // With wasm memory exhausted the export fails as a value (code internal), not as an abort
  // or as error text in place of the backup.
  const held = [];
  for (let size = 256 << 20; size >= 2048;) {  // down to blocks smaller than the export needs
    const at = m._malloc(size);
    if (at) held.push(at); else size >>= 1;
  }
  const failed = JSON.parse(m.exportJson(h));
  for (const at of held) m._free(at);
  assert.equal(failed.ok, false);
  assert.equal(failed.error.code, 'internal');
  assert.equal(m.exportedView().length, 0);
  const again = JSON.parse(m.exportJson(h));
  assert.equal(again.ok, true);
  m.releaseExport();
  m.dropWorkspace(h);
  const gone = JSON.parse(m.exportJson(h));
  assert.deepEqual([gone.ok, gone.error.code], [false, 'not_found']);
});

test('NaN and Infinity are refused with their path and the stored lead keeps its numbers', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  const before = engine.getLead('l1');
  throwsCode(() => engine.upsertLead({ ...LEAD, dealValue: NaN }, { now: NOW }), 'invalid_input', { path: 'dealValue' });
  throwsCode(() => engine.upsertLead({ ...LEAD, employees: Infinity }, { now: NOW }), 'invalid_input', { path: 'employees' });
  throwsCode(() => engine.upsertLead({ ...LEAD, custom: { score: -Infinity } }, { now: NOW }), 'invalid_input',
    { path: 'custom.score' });
  throwsCode(() => engine.loadLeads([LEAD, { company: 'B' }, { company: 'C' }, { ...LEAD, employees: Infinity }], { now: NOW }),
    'invalid_input', { path: '[3].employees' });
  throwsCode(() => engine.logTouch('l1', { channel: 'call', outcome: 'connected', durationMin: NaN }, { now: NOW }),
    'invalid_input', { path: 'durationMin' });
  assert.deepEqual(engine.getLead('l1'), before);
  assert.equal(engine.size, 1);
  // A null that is a null still goes through: it clears the value.
  engine.upsertLead({ ...LEAD, dealValue: null }, { now: NOW });
  assert.equal(engine.getLead('l1').dealValue, undefined);
  // The analytics calls keep sending "NaN" for the core to refuse with its own path.
  const plan = throwsCode(() => engine.plan({ revenueGoal: NaN, dealValue: 1000, period: 'month', now: NOW }), 'invalid_input');
  assert.equal(plan.where.path, 'revenueGoal');
  engine.dispose();
});

test('every now takes a Date, epoch milliseconds or ISO text, and stores that time', async () => {
  const iso = '2026-11-01T00:00:00Z';
  const ms = Date.parse(iso);
  const engine = await createEngine();
  for (const now of [iso, ms, new Date(ms)]) {
    const id = engine.upsertLead({ company: `Acme ${typeof now}` }, { now });
    assert.equal(Date.parse(engine.getLead(id).createdAt), ms);
  }
  engine.upsertLead(LEAD, { now: ms - 86_400_000 * 10 });
  const touched = engine.logTouch('l1', { channel: 'call', outcome: 'connected' }, { now: iso });
  assert.equal(Date.parse(touched.touch.at), ms);
  assert.deepEqual(engine.score('l1', { now: iso }), engine.score('l1', { now: ms }));
  const calls = engine.callList({ now: '2026-11-04T00:00:00Z' });
  const item = calls.items.find((i) => i.id === 'l1');
  assert.equal(item.daysSinceTouch, 3);
  assert.equal(engine.loadLeads([{ id: 'l9', company: 'Loaded' }], { now: iso }).loaded, 1);
  assert.equal(Date.parse(engine.getLead('l9').createdAt), ms);
  const report = await engine.importCsv('Email,Company\nimp@x.com,Imported\n', { now: iso });
  assert.equal(report.imported, 1);
  const imported = engine.query({ filter: { email: 'imp@x.com' }, now: iso }).rows[0];
  assert.equal(Date.parse(imported.createdAt), ms);
  engine.dispose();
});

test('a time that is not a Date, epoch milliseconds or ISO text is refused with the option name', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  const before = engine.exportJson();
  for (const now of ['yesterday', '', new Date('nope'), {}, NaN, Infinity, true, [NOW]]) {
    throwsCode(() => engine.upsertLead({ ...LEAD, company: 'Changed' }, { now }), 'invalid_input', { path: 'now' });
  }
  throwsCode(() => engine.score('l1', { now: 'soon' }), 'invalid_input', { path: 'now' });
  throwsCode(() => engine.callList({ now: 'soon' }), 'invalid_input', { path: 'now' });
  throwsCode(() => engine.logTouch('l1', { channel: 'call', outcome: 'connected' }, { now: 'soon' }), 'invalid_input', { path: 'now' });
  throwsCode(() => engine.loadLeads([{ company: 'X' }], { now: 'soon' }), 'invalid_input', { path: 'now' });
  throwsCode(() => engine.enroll('l1', 'default', { startAt: 'soon', now: NOW }), 'invalid_input', { path: 'startAt' });
  await rejectsCode(engine.importCsv('Email\na@x.com\n', { now: 'soon' }), 'invalid_input', { path: 'now' });
  await rejectsCode(sampleLeads(3, { now: 'soon' }), 'invalid_input', { path: 'now' });
  // Epoch milliseconds outside 1970..9999 are refused by the core, not cast.
  for (const now of [1e300, -1, 253402300800000]) {
    throwsCode(() => engine.upsertLead({ ...LEAD, company: 'Changed' }, { now }), 'invalid_input', { path: 'now' });
    throwsCode(() => engine.score('l1', { now }), 'invalid_input', { path: 'now' });
  }
  assert.equal(engine.exportJson(), before);
  engine.dispose();
});

// A CSV of `rows` leads whose e-mails are tagged, as a Blob that streams in several chunks.
function csvBlob(tag, rows) {
  const lines = ['Email,Company,Notes'];
  for (let i = 0; i < rows; i += 1) lines.push(`${tag}${i}@x.com,${tag} Co,${'n'.repeat(200)}`);
  return new Blob([lines.join('\n') + '\n']);
}

test('two imports at once on one engine never splice: the second completes alone or is refused busy', async () => {
  const engine = await createEngine();
  const [a, b] = await Promise.allSettled([
    engine.importCsv(csvBlob('a', 12_000), { now: NOW }),
    engine.importCsv(csvBlob('b', 9_000), { now: NOW }),
  ]);
  assert.equal(a.status, 'fulfilled', a.reason?.message);
  assert.equal(a.value.imported, 12_000);
  assert.equal(a.value.rejectedRows, 0);
  if (b.status === 'rejected') {
    assert.ok(b.reason instanceof LeadkitError);
    assert.equal(b.reason.code, 'busy');
    assert.equal(engine.size, 12_000);
  } else {
    assert.equal(b.value.imported, 9_000);
    assert.equal(engine.size, 21_000);
  }
  const emails = engine.query({ limit: 30_000, now: NOW }).rows.map((r) => r.email);
  assert.equal(emails.filter((e) => e.startsWith('a')).length, 12_000);
  // A suggestion (a dry run) may run beside an import, and once they end another import runs.
  const [mapping, c] = await Promise.all([
    engine.suggestMapping('Email,Company\nx@y.com,Y\n'),
    engine.importCsv(csvBlob('c', 10), { now: NOW }),
  ]);
  assert.equal(mapping.columns[0].field, 'email');
  assert.equal(c.imported, 10);
  engine.dispose();
});

test('a cell cut inside a UTF-8 character rejects its row only, in importCsv and suggestMapping', async () => {
  const parts = [
    'Name,Email\nAnn,ann@x.com\n"Bj', [0xc3], '",bj@x.com\n"Eu', [0xe2, 0x82], '",eu@x.com\nCy,cy@x.com\n',
  ];
  const bytes = new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
  const engine = await createEngine();
  const mapping = await engine.suggestMapping(bytes);
  assert.deepEqual(mapping.columns.map((c) => c.field), ['fullName', 'email']);
  const report = await engine.importCsv(bytes, { now: NOW });
  assert.equal(report.imported, 2);
  assert.equal(report.rejectedRows, 2);
  assert.deepEqual(report.rejected.map((r) => [r.row, r.column]), [[3, 'Name'], [4, 'Name']]);
  assert.match(report.rejectedCsv, /\nBj\uFFFD,bj@x.com,/);
  assert.deepEqual(engine.query({ now: NOW }).rows.map((r) => r.email).sort(), ['ann@x.com', 'cy@x.com']);
  engine.dispose();
});

test('sampleLeads refuses counts that are not whole numbers up to a million, and the module lives on', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  await rejectsCode(sampleLeads(1e10), 'too_large', { path: 'count' });
  await rejectsCode(sampleLeads(1_000_001), 'too_large', { path: 'count' });
  for (const count of [-1, 2.5, NaN, Infinity, '3']) {
    await rejectsCode(sampleLeads(count), count === Infinity ? 'invalid_input' : 'invalid_input', { path: 'count' });
  }
  assert.equal((await sampleLeads(3, { now: NOW })).length, 3);
  assert.equal(engine.getLead('l1').company, 'Acme');
  engine.dispose();
});

test('after the module aborts, its engines throw aborted and module-level calls get a new module', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  const other = await createEngine();
  trapNextMalloc();
  const error = throwsCode(() => engine.loadLeads([{ company: 'B' }], { now: NOW }), 'aborted');
  assert.match(error.message, /must be re-created/);
  throwsCode(() => engine.getLead('l1'), 'aborted');
  throwsCode(() => other.exportJson(), 'aborted');
  await rejectsCode(other.importCsv('Email\na@x.com\n', { now: NOW }), 'aborted');
  engine.dispose();  // disposing a dead engine is harmless
  const fresh = await createEngine();
  fresh.upsertLead(LEAD, { now: NOW });
  assert.equal(fresh.getLead('l1').company, 'Acme');
  assert.equal((await sampleLeads(2, { now: NOW })).length, 2);
  await rejectsCode(advise({}), 'invalid_input');  // answered by the new module, not refused as aborted
  fresh.dispose();
});
