// The JS API against the built wasm module, over the same golden fixtures as the gtest suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine, LeadkitError, liveEngines, sampleLeads } from '../../web/lib/leadkit.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;  // the same fixed "now" as tests/core/fixtures.hpp

async function fixtureEngine() {
  const engine = await createEngine();
  const report = engine.loadLeads(fixture('leads.json'), { now: NOW });
  assert.deepEqual(report, { loaded: 5, errors: [] });
  return engine;
}

for (const c of fixture('queries.json').cases) {
  test(`query: ${c.name}`, async () => {
    const engine = await fixtureEngine();
    const result = engine.query(c.query);
    assert.equal(result.total, c.total);
    assert.deepEqual(result.rows.map((r) => r.id), c.ids);
    engine.dispose();
  });
}

for (const c of fixture('bad_leads.json').cases) {
  test(`bad input is refused and changes nothing: ${c.name}`, async () => {
    const engine = await fixtureEngine();
    const before = engine.exportJson();
    const report = engine.loadLeads(c.text ?? c.input, { now: NOW });
    assert.equal(report.loaded, 0);
    assert.ok(report.errors.length > 0);
    assert.equal(report.errors[0].where.path ?? '', c.path);
    assert.ok(report.errors[0].message.includes(c.message), report.errors[0].message);
    assert.equal(engine.exportJson(), before);
    engine.dispose();
  });
}

test('malformed JSON text reports its line and column', async () => {
  const engine = await createEngine();
  const { errors } = engine.loadLeads('[\n  {"id": "x", "email": "a@b.co",}\n]');
  assert.deepEqual(errors[0].where, { line: 2, column: 33 });
  engine.dispose();
});

test('a backup given as UTF-8 bytes loads as its text does; bad bytes say where', async () => {
  const source = await fixtureEngine();
  source.upsertLead({ id: 'u', company: 'Ünïcødé “Co” <b>', email: 'u@example.com' }, { now: NOW });
  const text = source.exportJson();
  source.dispose();
  const fromText = await createEngine();
  const fromBytes = await createEngine();
  assert.deepEqual(fromText.loadLeads(text, { now: NOW }), { loaded: 6, errors: [] });
  assert.deepEqual(fromBytes.loadLeads(new TextEncoder().encode(text), { now: NOW }), { loaded: 6, errors: [] });
  assert.equal(fromBytes.exportJson(), fromText.exportJson());
  assert.equal(fromBytes.getLead('u').company, 'Ünïcødé “Co” <b>');
  const { errors } = fromBytes.loadLeads(new TextEncoder().encode('[\n  {"id": "x",}\n]'));
  assert.deepEqual(errors[0].where, { line: 2, column: 14 });
  assert.equal(fromBytes.size, 6, 'nothing stored was lost');
  fromText.dispose();
  fromBytes.dispose();
});

test('a backup in a Blob streams in as its text loads; a bad one says where and loses nothing', async () => {
  const source = await fixtureEngine();
  source.upsertLead({ id: 'u', company: 'Ünïcødé “Co” <b>', email: 'u@example.com' }, { now: NOW });
  const text = source.exportJson();
  source.dispose();
  const engine = await createEngine();
  // Split across many stream chunks, with a multi-byte character cut between two of them.
  const bytes = new TextEncoder().encode(text);
  const parts = [];
  for (let at = 0; at < bytes.length; at += 7) parts.push(bytes.subarray(at, at + 7));
  assert.deepEqual(await engine.loadLeadsBlob(new Blob(parts), { now: NOW }), { loaded: 6, errors: [] });
  assert.equal(engine.exportJson(), text);
  assert.equal(engine.getLead('u').company, 'Ünïcødé “Co” <b>');
  const { errors } = await engine.loadLeadsBlob(new Blob(['[\n  {"id": "x",}\n]']));
  assert.deepEqual(errors[0].where, { line: 2, column: 14 });
  assert.equal(engine.size, 6, 'nothing stored was lost');
  const { errors: empty } = await engine.loadLeadsBlob(new Blob([]));
  assert.ok(empty.length > 0, 'an empty blob is an error, not an empty workspace');
  assert.equal(engine.size, 6);
  engine.dispose();
  await assert.rejects(engine.loadLeadsBlob(new Blob([text])), /disposed/);
});

test('exportSnapshot gives back the same workspace through loadLeads and loadLeadsBlob, in less than half the bytes', async () => {
  const engine = await createEngine();
  engine.loadLeads(await sampleLeads(300, { seed: 3, now: NOW }), { now: NOW });
  engine.upsertLead({ id: 'u', company: 'Ünïcødé “Co” <b>', email: 'u@example.com', custom: { seats: 3, pilot: true } }, { now: NOW });
  const text = engine.exportJson();
  const bytes = engine.exportSnapshot();
  assert.ok(bytes instanceof Uint8Array);
  assert.ok(bytes.length < new TextEncoder().encode(text).length / 2, `${bytes.length} bytes`);
  const back = await createEngine();
  assert.deepEqual(back.loadLeads(bytes), { loaded: 301, errors: [] });
  assert.equal(back.exportJson(), text);
  const streamed = await createEngine();
  const parts = [];
  for (let at = 0; at < bytes.length; at += 4093) parts.push(bytes.subarray(at, at + 4093));
  assert.deepEqual(await streamed.loadLeadsBlob(new Blob(parts)), { loaded: 301, errors: [] });
  assert.equal(streamed.exportJson(), text);
  assert.deepEqual(streamed.getLead('u').custom, { seats: 3, pilot: true });

  // Damage and truncation are refused, and what the engine held stays.
  const damaged = bytes.slice();
  damaged[damaged.length >> 1] ^= 0x40;
  for (const bad of [damaged, bytes.subarray(0, bytes.length - 1)]) {
    const { errors } = await streamed.loadLeadsBlob(new Blob([bad]));
    assert.match(errors[0].message, /this snapshot cannot be read/);
    assert.equal(streamed.size, 301);
    assert.equal(streamed.exportJson(), text);
  }
  for (const e of [engine, back, streamed]) e.dispose();
  assert.throws(() => engine.exportSnapshot(), /disposed/);
});

test('loadLeadsBlob streams a snapshot whose one lead is larger than its 4 MB buffer', async () => {
  const engine = await createEngine();
  // 320 events with ~15 KB of props each: one lead of ~4.8 MB, read through a buffer that grows.
  const events = Array.from({ length: 320 }, (_, i) => ({
    type: 'page_view', at: new Date(NOW - i * 60_000).toISOString(), props: { path: `/p/${i}`, body: `${i}`.padEnd(15_000, 'x') },
  }));
  engine.loadLeads([{ id: 'big', company: 'Acme', events }, { id: 'after', company: 'Beta' }], { now: NOW });
  const bytes = engine.exportSnapshot();
  assert.ok(bytes.length > 4.5e6, `${bytes.length} bytes`);
  const parts = [];
  for (let at = 0; at < bytes.length; at += 65_536) parts.push(bytes.subarray(at, at + 65_536));
  const back = await createEngine();
  assert.deepEqual(await back.loadLeadsBlob(new Blob(parts)), { loaded: 2, errors: [] });
  assert.equal(back.exportJson(), engine.exportJson());
  assert.equal(back.getLead('big').events.length, 320);
  engine.dispose();
  back.dispose();
});

test('upsertLead returns the id, getLead returns the normalised lead, removeLead deletes it', async () => {
  const engine = await createEngine();
  const id = engine.upsertLead({ firstName: 'Ana', email: 'ANA@Example.com', source: 'webinar', employees: 12 }, { now: NOW });
  assert.equal(typeof id, 'string');
  const lead = engine.getLead(id);
  assert.equal(lead.email, 'ana@example.com');
  assert.equal(lead.direction, 'inbound');
  assert.equal(lead.stage, 'new');
  assert.equal(lead.createdAt, new Date(NOW).toISOString().replace('.000Z', 'Z'));
  assert.equal(engine.removeLead(id), true);
  assert.equal(engine.getLead(id), null);
  assert.equal(engine.removeLead(id), false);
  engine.dispose();
});

test("query's row view gives the table's columns, touch count and last touch, not the activity", async () => {
  const engine = await fixtureEngine();
  const id = engine.upsertLead({ email: 'row@example.com', company: 'Rows Ltd', touches: [
    { channel: 'call', outcome: 'no_answer', at: '2026-03-02T10:00:00.000Z' },
    { channel: 'email', outcome: 'sent', at: '2026-03-05T09:00:00.000Z' }] }, { now: NOW });
  const spec = { filter: { id }, now: NOW };
  const [full] = engine.query(spec).rows;
  const [row] = engine.query({ ...spec, view: 'row' }).rows;
  assert.equal(row.touchCount, 2);
  assert.equal(Date.parse(row.lastTouchAt), Date.parse('2026-03-05T09:00:00.000Z'));
  assert.equal(row.lastTouchAt, full.touches.map((t) => t.at).sort().at(-1), 'as the lead writes its touches');
  assert.deepEqual(row.score, full.score);
  for (const key of ['events', 'touches', 'history', 'bant', 'custom']) assert.equal(row[key], undefined, key);
  for (const key of ['id', 'email', 'company', 'stage', 'source', 'direction', 'createdAt', 'tags']) assert.deepEqual(row[key], full[key], key);
  assert.throws(() => engine.query({ view: 'wide' }), (e) => e instanceof LeadkitError && e.where.path === 'view');
  engine.dispose();
});

test('a bad lead throws LeadkitError with the path of the problem', async () => {
  const engine = await createEngine();
  assert.throws(() => engine.upsertLead({ company: 'Acme', employees: 'ten' }), (e) =>
    e instanceof LeadkitError && e.where.path === 'lead.employees' &&
    e.message === 'expected a non-negative integer, got "ten"');
  assert.throws(() => engine.upsertLead(null), LeadkitError);
  assert.throws(() => engine.query({ sort: { field: 'shoeSize' } }), (e) => e instanceof LeadkitError && e.where.path === 'sort.field');
  assert.equal(engine.size, 0);
  engine.dispose();
});

test('a 10 MB string field is refused with its size and the store keeps what it had', async () => {
  const engine = await fixtureEngine();
  const report = engine.loadLeads([{ id: 'big', company: 'Acme', notes: 'x'.repeat(10 << 20) }]);
  assert.equal(report.errors[0].where.path, 'leads[0].notes');
  assert.match(report.errors[0].message, /10485760 bytes, longer than the 65536 allowed/);
  assert.equal(engine.size, 5);
  engine.dispose();
});

test('hostile strings are stored and returned as the exact text, never interpreted', async () => {
  const engine = await createEngine();
  const hostile = '<img src=x onerror=alert(1)>"\'\u0000\u202e😀';
  const id = engine.upsertLead({ company: hostile, notes: hostile, tags: [hostile.slice(0, 20)] });
  const lead = engine.getLead(id);
  assert.equal(lead.company, hostile.trim());
  assert.equal(lead.notes, hostile);
  assert.equal(engine.query({ search: '<img' }).total, 1);
  engine.dispose();
});

test('loadLeads keeps non-ASCII text exact, whether it is a little or mostly wide characters', async () => {
  const engine = await createEngine();
  const names = ['Zoë Müller', '山田 太郎 株式会社', '😀🚀 Ltd', 'Ωmega Σ'];
  const leads = names.map((company, i) => ({ id: `u${i}`, company }));
  assert.equal(engine.loadLeads(leads, { now: NOW }).loaded, 4);  // wide enough to need the exact encode
  assert.deepEqual(names.map((_, i) => engine.getLead(`u${i}`).company), names);
  assert.equal(engine.loadLeads([{ id: 'u9', company: 'Café Ltd' }], { now: NOW }).loaded, 1);
  assert.equal(engine.getLead('u9').company, 'Café Ltd');
  engine.dispose();
});

test('exportJson and loadLeads restore an identical workspace', async () => {
  const engine = await createEngine();
  engine.setChannels({ podcast: 'inbound' });
  const leads = await sampleLeads(400, { seed: 9, now: NOW });
  leads[3].source = 'podcast';
  assert.equal(engine.loadLeads(leads, { now: NOW }).loaded, 400);
  const backup = engine.exportJson();
  const restored = await createEngine();
  assert.deepEqual(restored.loadLeads(backup).errors, []);
  assert.equal(restored.exportJson(), backup);
  assert.equal(restored.getLead(leads[3].id).direction, 'inbound');
  engine.dispose();
  restored.dispose();
});

test('the demo generator is deterministic and yields a plausible pipeline', async () => {
  const a = await sampleLeads(520, { seed: 2026, now: NOW });
  assert.deepEqual(a, await sampleLeads(520, { seed: 2026, now: NOW }));
  const engine = await createEngine();
  assert.equal(engine.loadLeads(a).loaded, 520);
  const s = engine.summary();
  assert.equal(s.total, 520);
  assert.ok(s.byDirection.inbound > s.byDirection.outbound && s.byDirection.outbound > 100);
  assert.equal(Object.keys(s.byStage).length, 8);
  engine.dispose();
});

test('disposed engines release their workspace and refuse further calls', async () => {
  const before = await liveEngines();
  const engines = await Promise.all(Array.from({ length: 5 }, () => createEngine()));
  assert.equal(await liveEngines(), before + 5);
  for (const e of engines) e.dispose();
  assert.equal(await liveEngines(), before);
  assert.throws(() => engines[0].query(), /disposed/);
});
