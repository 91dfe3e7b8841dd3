// Funnel, planner and advisor through the JS API, over the same hand-computed fixtures as gtest
// (tests/fixtures/funnel.json and advisor.json), so both languages agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { advise, createEngine, LeadkitError } from '../../web/lib/leadkit.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/funnel.json', import.meta.url), 'utf8'));
const advisor = JSON.parse(readFileSync(new URL('../fixtures/advisor.json', import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;

function assertSubset(expected, actual, path = '') {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => assertSubset(e, actual[i], `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected)) {
      assert.ok(actual && k in actual, `${path}.${k} is missing`);
      assertSubset(v, actual[k], `${path}.${k}`);
    }
  } else if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: got ${actual}`);
    assert.ok(Math.abs(expected - actual) < 1e-9, `${path}: expected ${expected}, got ${actual}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

// Every number finite, and every null ratio explained by a flag: what a chart may safely draw.
function assertDrawable(value, path = '') {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), path);
  if (value && typeof value === 'object') {
    if ('conversion' in value && value.conversion === null && 'stage' in value) assert.equal(value.flag, 'noLeads', path);
    if ('medianDays' in value && value.medianDays === null) assert.equal(value.flag, 'noLeads', path);
    for (const [k, v] of Object.entries(value)) assertDrawable(v, `${path}.${k}`);
  }
}

async function funnelEngine() {
  const engine = await createEngine();
  assert.equal(engine.loadLeads(fixture.leads, { now: NOW }).loaded, fixture.leads.length);
  return engine;
}

for (const c of fixture.funnel) {
  test(`funnel golden case: ${c.name}`, async () => {
    const engine = await funnelEngine();
    const result = engine.funnel(c.request);
    assertSubset(c.expected, result);
    assertDrawable(result);
    engine.dispose();
  });
}

for (const c of fixture.plans) {
  test(`plan golden case: ${c.name}`, async () => {
    const engine = await funnelEngine();
    const result = engine.plan({ ...c.request, now: NOW });
    assertSubset(c.expected, result);
    assertDrawable(result);
    engine.dispose();
  });
}

for (const c of fixture.errors) {
  test(`${c.call} refuses ${c.name}, naming ${c.path}`, async () => {
    const engine = await funnelEngine();
    assert.throws(() => engine[c.call]({ ...c.request, ...(c.call === 'plan' ? { now: NOW } : {}) }), (e) => {
      assert.ok(e instanceof LeadkitError);
      assert.equal(e.where.path, c.path);
      assert.ok(e.message.includes(c.message), e.message);
      return true;
    });
    engine.dispose();
  });
}

test('funnel takes Dates and epoch milliseconds for the period', async () => {
  const engine = await funnelEngine();
  const iso = engine.funnel({ from: '2026-10-01', to: '2026-11-01', by: 'direction' });
  assert.deepEqual(engine.funnel({ from: new Date('2026-10-01T00:00:00Z'), to: Date.UTC(2026, 10, 1), by: 'direction' }), iso);
  engine.dispose();
});

test('a NaN deal value is refused by name, not read as null', async () => {
  const engine = await funnelEngine();
  assert.throws(() => engine.plan({ revenueGoal: 1000, dealValue: NaN, period: 'month' }), (e) => {
    assert.ok(e instanceof LeadkitError);
    assert.equal(e.where.path, 'dealValue');
    assert.match(e.message, /NaN/);
    return true;
  });
  engine.dispose();
});

for (const c of advisor.cases) {
  test(`advise table case: ${c.name}`, async () => {
    const a = await advise(c.inputs);
    const { mix } = a;
    assert.ok(Math.abs(mix.prospecting + mix.leadGeneration - 1) < 1e-12);
    assert.equal(a.lean, c.expect.lean);
    if ('prospectingAtLeast' in c.expect) assert.ok(mix.prospecting >= c.expect.prospectingAtLeast, JSON.stringify(mix));
    if ('leadGenerationAtLeast' in c.expect) assert.ok(mix.leadGeneration >= c.expect.leadGenerationAtLeast, JSON.stringify(mix));
    if ('prospecting' in c.expect) assert.equal(mix.prospecting, c.expect.prospecting);
    for (const [input, weight] of Object.entries(c.expect.weights ?? {})) {
      const reason = a.reasons.find((r) => r.input === input);
      assert.ok(reason, input);
      assert.ok(Math.abs(reason.weight - weight) < 1e-3, `${input}: ${reason.weight}`);
    }
    assertDrawable(a);
  });
}

for (const c of advisor.errors) {
  test(`advise refuses ${c.name}`, async () => {
    const inputs = { ...advisor.valid, ...c.inputs };
    for (const [k, v] of Object.entries(c.inputs)) if (v === null) delete inputs[k];
    await assert.rejects(advise(inputs), (e) => e instanceof LeadkitError && e.where.path === c.path);
  });
}

test('advise refuses NaN and Infinity, naming the input', async () => {
  for (const bad of [NaN, Infinity]) {
    await assert.rejects(advise({ ...advisor.valid, niche: bad }), (e) => {
      assert.ok(e instanceof LeadkitError);
      assert.equal(e.where.path, 'niche');
      assert.ok(e.message.includes(String(bad)), e.message);
      return true;
    });
  }
});

test("an engine's advise is the module's, synchronously", async () => {
  const engine = await createEngine();
  assert.deepEqual(engine.advise(advisor.valid), await advise(advisor.valid));
  engine.dispose();
});
