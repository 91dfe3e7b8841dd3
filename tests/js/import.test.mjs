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
    if (e.warnedRows !== undefined) assert.equal(r.warnedRows, e.warnedRows);
    const warnings = e.warnings ?? [];
    assert.deepEqual(r.warnings.map(({ row, column, field }) => ({ row, column, field })),
      warnings.map(({ row, column, field }) => ({ row, column, field })));
    warnings.forEach((want, i) => assert.ok(r.warnings[i].message.includes(want.messageIncludes), r.warnings[i].message));
    assert.equal(r.warningCount, warnings.length);
    const rows = engine.query({ limit: 1000 }).rows;
    for (const want of e.leads ?? []) {
      const got = findLead(rows, want);
      assert.ok(got, `no lead like ${JSON.stringify(want)}`);
      // null: the lead has no such field
      for (const [key, value] of Object.entries(want)) assert.deepEqual(got[key] ?? null, value, key);
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
  const first = await engine.importCsv('Email,Employees\nfix@me.com,many\nok@me.com,5\n', { strict: true, now: NOW });
  assert.equal(first.rejectedRows, 1);
  const second = await engine.importCsv(first.rejectedCsv.replace('many', '12'), { now: NOW });
  assert.equal(second.imported, 1);
  assert.equal(engine.size, 2);
  engine.dispose();
});

// A HubSpot export as a consultant receives it (tests/fixtures/hubspot_messy.csv): 200 contacts,
// day-first dates, and cells that cannot be read: employees "approx 200", revenue "lots", a
// created date after the day of the import, an e-mail written "(at)", a phone "n/a", a website
// "tbd", a misspelt lifecycle stage. 74 contacts (37%) come from sources the presets do not know.
const HUBSPOT = readFileSync(new URL('../fixtures/hubspot_messy.csv', import.meta.url), 'utf8');
const DAY = 86_400_000;
const IMPORT_DAY = Date.parse('2026-12-07T09:00:00Z');

test('a messy HubSpot export lands every contact; unreadable optional cells are warnings with row and column', async () => {
  const engine = await createEngine();
  const r = await engine.importCsv(HUBSPOT, { now: IMPORT_DAY });
  assert.equal(r.mapping.preset, 'hubspot');
  assert.equal(r.rows, 200);
  assert.equal(r.imported, 200);
  assert.equal(r.rejectedRows, 0);
  assert.deepEqual(r.rejected, []);
  assert.equal(engine.size, 200);
  assert.deepEqual(r.warnings.map(({ row, column, field }) => `${row} ${column} ${field}`), [
    '19 Number of Employees employees', '44 Annual Revenue annualRevenue', '65 Create Date createdAt',
    '90 Email email', '123 Phone Number phone', '152 Website URL domain', '178 Lifecycle Stage stage']);
  assert.equal(r.warningCount, 7);
  assert.equal(r.warnedRows, 7);
  assert.match(r.warnings[0].message, /"approx 200"/);
  assert.match(r.warnings[1].message, /"lots"/);
  assert.match(r.warnings[2].message, /in the future: "31\/12\/2026" is after the day of the import \(2026-12-07\)/);

  // Each lead is there with the field left empty.
  const byName = (first, last) => engine.query({ search: `${first} ${last}`, limit: 5 }).rows.find((l) => l.firstName === first && l.lastName === last);
  const rows = engine.query({ limit: 500 }).rows;
  const leadOfRow = (row) => rows.find((l) => l.id === HUBSPOT.split('\r\n')[row - 1].split(',')[0]);
  assert.equal(leadOfRow(19).employees, undefined);
  assert.equal(leadOfRow(44).annualRevenue, undefined);
  assert.equal(leadOfRow(65).createdAt, '2026-12-07T09:00:00Z');
  assert.equal(leadOfRow(90).email, undefined);
  assert.ok(byName('María', 'Gómez'), 'the contact with the unreadable e-mail is imported by its name');
  assert.equal(leadOfRow(178).stage, 'new');

  // No lead is missing from a report: the dashboard's all time (from 2000 to tomorrow) and the
  // funnel without bounds both count all 200, the one dated 31/12/2026 in the file too.
  const tomorrow = new Date(IMPORT_DAY + DAY).toISOString();
  assert.equal(engine.funnel({ from: '2000-01-01', to: tomorrow }).leads, engine.size);
  assert.equal(engine.funnel({ allTime: true }).leads, engine.size);
  assert.equal(engine.funnel({ allTime: true, by: 'source' }).groups.reduce((n, g) => n + g.leads, 0), engine.size);

  // The sources the presets do not know are listed with their rows, for the user to map.
  const unknown = r.sources.filter((s) => s.channel === null);
  assert.deepEqual(unknown.map((s) => [s.value, s.rows]), [
    ['Direct Traffic', 30], ['Email Marketing', 20], ['Offline Sources', 14], ['Other Campaigns', 10]]);
  assert.equal(unknown.reduce((n, s) => n + s.rows, 0), 74);
  assert.deepEqual(unknown[0].suggestion, { channel: 'direct_traffic', direction: 'inbound' });
  assert.equal(unknown[2].newChannel, 'offline_sources');
  assert.equal(engine.summary().bySource.unknown, 74);
  assert.equal(engine.summary().bySource.website_form, undefined, '"Direct Traffic" is not a website form');
  engine.dispose();
});

test('strict: true rejects a row for any cell that cannot be read, as imports did before', async () => {
  const engine = await createEngine();
  const r = await engine.importCsv(HUBSPOT, { strict: true, now: IMPORT_DAY });
  assert.equal(r.imported, 193);
  assert.equal(r.rejectedRows, 7);
  assert.deepEqual(r.rejected.map(({ row, column }) => `${row} ${column}`), [
    '19 Number of Employees', '44 Annual Revenue', '65 Create Date', '90 Email', '123 Phone Number',
    '152 Website URL', '178 Lifecycle Stage']);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.warnedRows, 0);
  await assert.rejects(engine.importCsv(HUBSPOT, { strict: 'yes', now: IMPORT_DAY }), (e) => e.where?.path === 'options.strict');
  engine.dispose();
});

test('source values mapped to channels are kept by the workspace and read so by the next import', async () => {
  const engine = await createEngine();
  const channels = engine.getChannels();
  assert.deepEqual(channels.find((c) => c.name === 'website_form'), { name: 'website_form', label: 'Website form', direction: 'inbound', values: [] });
  assert.deepEqual([...new Set(channels.map((c) => c.direction))], ['inbound', 'outbound', 'unknown']);
  engine.setChannels({
    direct_traffic: { direction: 'inbound', values: ['Direct Traffic'] },
    email_marketing: { direction: 'inbound', values: ['Email Marketing'] },
    event: { values: ['Offline Sources'] },
    unknown: { values: ['Other Campaigns'] },
  });
  assert.deepEqual(engine.getChannels().find((c) => c.name === 'direct_traffic'),
    { name: 'direct_traffic', label: 'Direct traffic', direction: 'inbound', values: ['Direct Traffic'] });
  const r = await engine.importCsv(HUBSPOT, { now: IMPORT_DAY });
  assert.deepEqual(r.sources.filter((s) => s.channel === null), []);
  const by = engine.summary().bySource;
  assert.equal(by.direct_traffic, 30);
  assert.equal(by.email_marketing, 20);
  assert.equal(by.event, 14);
  assert.equal(by.unknown, 10);
  assert.equal(engine.summary().byDirection.inbound, 200 - 10);

  // In the backup, and so in a restored workspace.
  const backup = engine.exportJson();
  assert.deepEqual(JSON.parse(backup).channels.event, { direction: 'inbound', values: ['Offline Sources'] });
  const restored = await createEngine();
  restored.importJson(backup);
  assert.deepEqual(restored.getChannels(), engine.getChannels());
  assert.throws(() => engine.setChannels({ nope: { values: ['X'] } }), (e) => e instanceof LeadkitError && /nope/.test(e.where?.path ?? e.message));
  engine.dispose();
  restored.dispose();
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
