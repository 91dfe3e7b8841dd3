// CSV import and export, and JSON backups, through the JS API: the same golden cases as the
// gtest suite (tests/fixtures/csv_imports.json, bad_csv.json), plus what only JS has (Blobs,
// progress callbacks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine, LeadkitError, sampleLeads } from '../../web/lib/leadkit.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;
const bytesOf = (c) => (c.hex ? Uint8Array.from(c.hex.match(/../g), (h) => parseInt(h, 16)) : c.bytes);

function findLead(rows, want) {
  if (want.id) return rows.find((l) => l.id === want.id);
  if (want.email) return rows.find((l) => l.email === want.email);
  return rows.find((l) => l.firstName === want.firstName);
}

for (const c of fixture('csv_imports.json').cases) {
  test(`importCsv: ${c.name}`, async () => {
    const engine = await createEngine();
    if (c.existing) engine.loadLeads(c.existing, { now: NOW });
    const r = await engine.importCsv(c.csv, { ...(c.options ?? {}), now: NOW });
    const e = c.expect;
    if (e.preset) assert.equal(r.mapping.preset, e.preset);
    assert.equal(r.imported, e.imported ?? 0);
    assert.equal(r.updated, e.updated ?? 0);
    assert.equal(r.skipped, e.skipped ?? 0);
    assert.equal(r.rejectedRows, e.rejectedRows ?? 0);
    if (e.duplicates !== undefined) assert.equal(r.duplicates, e.duplicates);
    if (e.size !== undefined) assert.equal(engine.size, e.size);
    if (e.rejected) {
      assert.deepEqual(r.rejected.map(({ row, column }) => ({ row, column })),
        e.rejected.map(({ row, column }) => ({ row, column })));
      e.rejected.forEach((want, i) => assert.ok(r.rejected[i].reason.includes(want.reasonIncludes), r.rejected[i].reason));
    }
    for (const part of e.rejectedCsvIncludes ?? []) assert.ok(r.rejectedCsv.includes(part), r.rejectedCsv);
    const rows = engine.query({ limit: 1000 }).rows;
    for (const want of e.leads ?? []) {
      const got = findLead(rows, want);
      assert.ok(got, `no lead like ${JSON.stringify(want)}`);
      for (const [key, value] of Object.entries(want)) assert.deepEqual(got[key], value, key);
    }
    engine.dispose();
  });
}

for (const c of fixture('bad_csv.json').cases) {
  test(`importCsv refuses and changes nothing: ${c.name}`, async () => {
    const engine = await createEngine();
    engine.loadLeads(fixture('leads.json'), { now: NOW });
    const before = engine.exportJson();
    await assert.rejects(engine.importCsv(bytesOf(c), { ...(c.options ?? {}), now: NOW }), (err) => {
      assert.ok(err instanceof LeadkitError);
      assert.ok(err.message.includes(c.error), err.message);
      if (c.row) assert.equal(err.where.row, c.row);
      return true;
    });
    assert.equal(engine.exportJson(), before);
    engine.dispose();
  });
}

function wideCsv(rows) {
  const lines = ['Email,Company,Notes'];
  for (let i = 0; i < rows; i++) lines.push(`p${i}@x${i % 97}.com,"Co ${i}, Ltd","line one\nline two"`);
  return `${lines.join('\r\n')}\r\n`;
}

test('importCsv reports progress as rows done of an exact total, chunk by chunk', async () => {
  const engine = await createEngine();
  const csv = wideCsv(60_000);  // about 2.4 MB: three chunks
  const seen = [];
  const r = await engine.importCsv(new TextEncoder().encode(csv), { onProgress: (p) => seen.push(p), now: NOW });
  assert.equal(r.imported, 60_000);
  assert.ok(seen.length >= 3, `${seen.length} progress calls`);
  for (const p of seen) assert.equal(p.rowsTotal, 60_000);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].rowsDone >= seen[i - 1].rowsDone);
  assert.equal(seen.at(-1).rowsDone, 60_000);
  assert.equal(seen.at(-1).bytesDone, seen.at(-1).bytesTotal);
  engine.dispose();
});

test('importCsv reads a Blob as a stream and a dry run stores nothing', async () => {
  const engine = await createEngine();
  const blob = new Blob([wideCsv(1000)]);
  const dry = await engine.importCsv(blob, { dryRun: true, now: NOW });
  assert.equal(dry.imported, 1000);
  assert.equal(engine.size, 0);
  const wet = await engine.importCsv(blob, { now: NOW });
  assert.equal(wet.imported, 1000);
  assert.equal(engine.size, 1000);
  assert.equal(engine.getLead(engine.query({ limit: 1 }).rows[0].id).notes, 'line one\nline two');
  engine.dispose();
});

test('suggestMapping reads only the head of a file and proposes fields', async () => {
  const engine = await createEngine();
  const m = await engine.suggestMapping('First Name,Last Name,Email,Company Name,Lifecycle Stage,Original Source\n');
  assert.equal(m.preset, 'hubspot');
  assert.deepEqual(m.columns.map((c) => c.field), ['firstName', 'lastName', 'email', 'company', 'stage', 'source']);
  engine.dispose();
});

test('rejected rows come back as CSV that imports once fixed', async () => {
  const engine = await createEngine();
  const first = await engine.importCsv('Email,Employees\nfix@me.com,many\nok@me.com,5\n', { now: NOW });
  assert.equal(first.rejectedRows, 1);
  const second = await engine.importCsv(first.rejectedCsv.replace('many', '12'), { now: NOW });
  assert.equal(second.imported, 1);
  assert.equal(engine.size, 2);
  engine.dispose();
});

test('exportCsv writes scored leads with the chosen columns, and guards formulas', async () => {
  const engine = await createEngine();
  engine.setScoringModel({ rules: 'rule "Senior title" when title has_any ["VP"] then +20' });
  await engine.importCsv('Email,Company,Title\nvp@x.com,=1+2,VP Sales\n', { now: NOW });
  const csv = engine.exportCsv({ columns: ['email', 'company'], now: NOW });
  const [header, row] = csv.split('\r\n');
  assert.equal(header, 'email,company,fit,engagement,score,grade,matrix,qualifiesAs,topReasons');
  assert.ok(row.startsWith(`vp@x.com,"'=1+2",`), row);
  assert.ok(row.includes(',+20 Senior title; '), row);  // leadkit's own text gets no apostrophe
  assert.throws(() => engine.exportCsv({ columns: ['emial'] }), /unknown column "emial"/);
  engine.dispose();
});

test('exportJson then importJson restores the workspace exactly and replaces what was there', async () => {
  const source = await createEngine();
  source.loadLeads(await sampleLeads(2000, { seed: 11, now: NOW }), { now: NOW });
  source.setScoringModel({ rules: 'rule "Big" when employees >= 500 then +10' });
  const backup = source.exportJson();
  const target = await createEngine();
  target.upsertLead({ email: 'replaced@x.com' }, { now: NOW });
  assert.deepEqual(target.importJson(backup, { now: NOW + 1 }), { loaded: 2000 });
  assert.equal(target.exportJson(), backup);
  assert.deepEqual(target.scoreAll({ now: NOW }).total, source.scoreAll({ now: NOW }).total);
  assert.throws(() => target.importJson('{"format":"leadkit-workspace","version":99,"leads":[]}'), LeadkitError);
  assert.equal(target.exportJson(), backup);
  source.dispose();
  target.dispose();
});
