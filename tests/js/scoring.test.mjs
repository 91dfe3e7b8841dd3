// The scoring API against the built wasm module, over the same golden fixtures as gtest: native
// and wasm must give identical scores and explanations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine, LeadkitError, sampleLeads } from '../../web/lib/leadkit.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;  // the same fixed "now" as tests/core/fixtures.hpp
const scoring = fixture('scoring.json');
const caseNamed = (name) => scoring.cases.find((c) => c.name === name);

async function fixtureEngine() {
  const engine = await createEngine();
  assert.equal(engine.loadLeads(fixture('leads.json'), { now: NOW }).loaded, 5);
  return engine;
}

for (const c of scoring.cases) {
  test(`scoring golden case: ${c.name}`, async () => {
    const engine = await fixtureEngine();
    engine.setScoringModel(c.model);
    for (const [id, expect] of Object.entries(c.expect)) {
      const got = engine.score(id, { now: NOW });
      for (const [key, value] of Object.entries(expect)) assert.equal(got[key], value, `${id}.${key}`);
      const cents = engine.explain(id, { now: NOW }).reduce((sum, l) => sum + Math.round(l.points * 100), 0);
      assert.equal(cents, Math.round(got.total * 100), `${id}: the explanation adds up to the total`);
    }
    for (const [id, lines] of Object.entries(c.explain)) {
      assert.deepEqual(engine.explain(id, { now: NOW }).map((l) => [l.kind, l.label, l.points]), lines, id);
    }
    engine.dispose();
  });
}

for (const c of fixture('bad_rules.json').cases) {
  test(`a broken rule is refused with its line and column: ${c.name}`, async () => {
    const engine = await fixtureEngine();
    const hash = engine.setScoringModel({ rules: '' });
    assert.throws(() => engine.setScoringModel({ rules: c.rules }), (e) => {
      assert.ok(e instanceof LeadkitError);
      assert.equal(e.where.line, c.line, e.message);
      assert.equal(e.where.column, c.column, e.message);
      assert.ok(e.message.includes(c.message), e.message);
      return true;
    });
    assert.equal(engine.score('L-001', { now: NOW }).modelHash, hash, 'the previous model stays');
    engine.dispose();
  });
}

test('whatIf counts and lists the leads a draft would move, and saves nothing', async () => {
  const w = scoring.whatIf;
  const engine = await fixtureEngine();
  const hash = engine.setScoringModel(caseNamed(w.current).model);
  const r = engine.whatIf(caseNamed(w.draft).model, { now: NOW });
  assert.equal(r.changed, w.changed);
  assert.equal(r.gradeChanged, w.gradeChanged);
  assert.equal(r.stageChanged, w.stageChanged);
  assert.deepEqual(r.leads.map((l) => l.id), w.ids);
  assert.equal(engine.score('L-001', { now: NOW }).modelHash, hash);
  engine.dispose();
});

test('scoreAll returns one entry per lead, agreeing with score', async () => {
  const engine = await fixtureEngine();
  engine.setScoringModel(caseNamed('rules only').model);
  const all = engine.scoreAll({ now: NOW });
  assert.equal(all.ids.length, 5);
  assert.ok(all.total instanceof Float64Array);
  all.ids.forEach((id, i) => {
    const one = engine.score(id, { now: NOW });
    assert.equal(all.total[i], one.total);
    assert.equal(all.grade[i], one.grade);
    assert.equal(all.stage[i], one.stage);
  });
  // An id with a line break in it comes back whole too.
  engine.upsertLead({ id: 'two\nlines', email: 'x@y.io' }, { now: NOW });
  const again = engine.scoreAll({ now: NOW });
  assert.equal(again.ids.length, 6);
  assert.ok(again.ids.includes('two\nlines'));
  assert.equal(again.total[again.ids.indexOf('two\nlines')], engine.score('two\nlines', { now: NOW }).total);
  assert.deepEqual(again.matrix.slice(0, 5), all.matrix);
  engine.dispose();
});

test('a model naming an unknown field is rejected, naming the field', async () => {
  const engine = await fixtureEngine();
  assert.throws(
    () => engine.setScoringModel({ profile: { criteria: [{ label: 'x', field: 'revenu', min: 5, points: 5 }] } }),
    (e) => e instanceof LeadkitError && e.message.includes('"revenu"') && e.where.path === 'model.profile.criteria[0]',
  );
  assert.throws(() => engine.setScoringModel({ rules: 'rule "x" when revenu > 5 then 1' }),
    (e) => e.message.includes('"revenu"') && e.where.line === 1 && e.where.column === 15);
  engine.dispose();
});

test('query rows carry the same score as engine.score, and filter and sort by it', async () => {
  const engine = await createEngine();
  const now = NOW - (NOW % 60_000);  // queries score at the start of now's minute
  engine.loadLeads(await sampleLeads(600, { seed: 5, now }), { now });
  const { total, rows } = engine.query({ sort: { field: 'score', order: 'desc' }, limit: 600, now });
  assert.equal(total, 600);
  rows.forEach((row, i) => {
    const one = engine.score(row.id, { now });
    assert.deepEqual(row.score, { total: one.total, fit: one.fit, engagement: one.engagement, grade: one.grade });
    if (i > 0) assert.ok(rows[i - 1].score.total >= row.score.total, `row ${i} is sorted`);
  });
  const top = engine.query({ filter: { grade: ['A+', 'A'] }, limit: 600, now });
  const expected = rows.filter((r) => r.score.grade === 'A+' || r.score.grade === 'A').map((r) => r.id).sort();
  assert.deepEqual(top.rows.map((r) => r.id).sort(), expected);
  assert.equal(engine.summary({ filter: { grade: ['A+', 'A'] }, now }).total, expected.length);
  assert.ok(engine.query({ limit: 1 }).rows[0].score, 'now defaults to Date.now()');
  assert.throws(() => engine.query({ filter: { colour: 'red' } }),
    (e) => e instanceof LeadkitError && e.message.includes('score, fit, engagement, grade, probability'));
  engine.dispose();
});
