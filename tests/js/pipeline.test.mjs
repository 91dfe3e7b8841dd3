// Qualification, lifecycle, cadences and the call list through the JS API, over the same golden
// transitions as gtest (tests/fixtures/pipeline.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine, LeadkitError } from '../../web/lib/leadkit.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/pipeline.json', import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;
const DAY = 86_400_000;

async function pipelineEngine() {
  const engine = await createEngine();
  engine.setScoringModel(fixture.model);
  assert.equal(engine.loadLeads(fixture.leads, { now: NOW }).loaded, fixture.leads.length);
  return engine;
}

for (const c of fixture.transitions) {
  test(`transition golden case: ${c.name}`, async () => {
    const engine = await pipelineEngine();
    const before = engine.exportJson();
    const { to, ...options } = c.request;
    if (c.ok) {
      const moved = engine.transition(c.id, to, { ...options, now: NOW });
      assert.equal(moved.to, to);
      const lead = engine.getLead(c.id);
      assert.equal(lead.stage, to);
      assert.equal(lead.history.at(-1).to, to);
      if (c.stageReason) assert.equal(lead.stageReason, c.stageReason);
    } else {
      assert.throws(() => engine.transition(c.id, to, { ...options, now: NOW }), (e) => {
        assert.ok(e instanceof LeadkitError);
        assert.equal(e.where.path, c.path);
        assert.ok(e.message.includes(c.message), e.message);
        return true;
      });
      assert.equal(engine.exportJson(), before, 'a refused move changes nothing');
    }
    engine.dispose();
  });
}

test('setQualification records evidence and returns the verdict with reasons', async () => {
  const engine = await pipelineEngine();
  engine.setQualification('bant-2', 'authority', 'met', 'the COO signs', { confidence: 0.9, now: NOW });
  const verdict = engine.qualification('bant-2');
  assert.equal(verdict.verdict, 'qualified');
  assert.equal(verdict.met, 3);
  assert.equal(verdict.criteria.find((c) => c.key === 'authority').evidence, 'the COO signs');
  // Now the SQL guard passes.
  assert.equal(engine.transition('bant-2', 'sql', { now: NOW }).to, 'sql');
  const no = engine.setQualification('bant-2', 'need', 'not_met', 'solved it in-house', { now: NOW });
  assert.equal(no.verdict, 'disqualify');
  assert.equal(no.suggestedReason, 'no_need');
  assert.throws(() => engine.setQualification('bant-2', 'money', 'met'), (e) => e.where.path === 'criterion');
  engine.dispose();
});

test('a cadence gives the next touch due and flags a lead that never replied', async () => {
  const engine = await pipelineEngine();
  const start = Date.UTC(2026, 10, 2, 9);
  let status = engine.enroll('fit-quiet', 'outbound_9', { startAt: start, now: start });
  assert.equal(status.next.channel, 'call');
  const steps = engine.getPipeline().cadences[0].steps;
  for (const [i, step] of steps.entries()) {
    const at = new Date(start + step.day * DAY + i).toISOString();
    status = engine.logTouch('fit-quiet', { channel: step.channel, outcome: 'no_answer', at }, { now: Date.parse(at) }).cadence;
  }
  assert.equal(status.state, 'finished');
  assert.equal(status.flag, 'recycleOrDisqualify');
  assert.equal(engine.cadenceStatus('fit-quiet', { now: NOW }).contactStatus, 'attempted');
  assert.equal(engine.transition('fit-quiet', 'disqualified', { reason: status.suggestedReason, now: NOW }).to, 'disqualified');
  engine.dispose();
});

test('callList ranks open leads with a reason for each position', async () => {
  const engine = await pipelineEngine();
  engine.enroll('fit-engaged', 'outbound_9', { startAt: NOW - 2 * DAY, now: NOW });
  const list = engine.callList({ now: NOW, limit: 3 });
  assert.equal(list.total, 5, 'the customer is not on the list');
  assert.equal(list.items.length, 3);
  assert.equal(list.items[0].id, 'fit-engaged');
  assert.equal(list.items[0].due.overdueDays, 2);
  assert.deepEqual(list.items.map((i) => i.rank), [1, 2, 3]);
  for (const item of list.items) {
    assert.ok(item.reasons.length === 4 && item.reasons.every((r) => typeof r.text === 'string' && r.text));
    assert.ok(item.priority >= 0 && item.priority <= 1);
  }
  assert.throws(() => engine.callList({ now: NOW, limit: 0 }), (e) => e.where.path === 'limit');
  engine.dispose();
});

test('pipeline settings are validated, kept, and restored from a backup', async () => {
  const engine = await pipelineEngine();
  assert.throws(() => engine.setPipeline({ guards: { mql: { fitGradeAtLeast: 'Z' } } }),
    (e) => e instanceof LeadkitError && e.where.path === 'guards.mql.fitGradeAtLeast');
  const settings = engine.setPipeline({ framework: 'meddic', guards: { sql: { qualified: true } } });
  assert.equal(settings.framework, 'meddic');
  assert.deepEqual(settings.guards.sql, { qualified: true });
  const copy = await createEngine();
  copy.importJson(engine.exportJson(), { now: NOW });
  assert.deepEqual(copy.getPipeline(), engine.getPipeline());
  assert.throws(() => copy.transition('bant-3', 'sql', { now: NOW }), (e) => e.where.path === 'guards.sql.qualified');
  copy.dispose();
  engine.dispose();
});
