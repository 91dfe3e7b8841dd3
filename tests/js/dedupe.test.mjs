// Duplicates and merges through the JS API, over the same fixture as gtest (duplicates.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine, LeadkitError } from '../../web/lib/leadkit.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/duplicates.json', import.meta.url), 'utf8'));
const NOW = 1_795_000_000_000;

async function engineWithDuplicates() {
  const engine = await createEngine();
  assert.equal(engine.loadLeads(fixture.leads, { now: NOW }).loaded, fixture.leads.length);
  return engine;
}

test('findDuplicates finds exactly the fixture groups, with their rule and similarity', async () => {
  const engine = await engineWithDuplicates();
  const { groups } = engine.findDuplicates();
  const key = (ids) => [...ids].sort().join(',');
  assert.deepEqual(groups.map((g) => key(g.ids)).sort(), fixture.cases.map((c) => key(c.ids)).sort());
  for (const c of fixture.cases) {
    const g = groups.find((x) => key(x.ids) === key(c.ids));
    assert.ok(Math.abs(g.similarity - c.similarity) < 0.001, `${c.name}: ${g.similarity}`);
    assert.ok(g.reasons.some((r) => r.rule === c.rule), `${c.name}: ${JSON.stringify(g.reasons)}`);
  }
  assert.throws(() => engine.findDuplicates({ minSimilarity: 2 }), (e) => e instanceof LeadkitError && /minSimilarity/.test(e.where.path));
  engine.dispose();
});

test('a merge previews field by field, keeps every touch and event, and undoes exactly', async () => {
  const engine = await engineWithDuplicates();
  engine.logTouch('phone-a', { channel: 'call', outcome: 'voicemail', at: '2026-02-01T10:00:00Z' }, { now: NOW });
  engine.logTouch('phone-b', { channel: 'email', outcome: 'replied', at: '2026-02-05T10:00:00Z' }, { now: NOW });
  const before = ['phone-a', 'phone-b'].map((id) => engine.getLead(id));
  const preview = engine.previewMerge(['phone-a', 'phone-b'], { fields: { email: 'phone-b' } });
  assert.equal(preview.survivor, 'phone-a', 'the oldest survives');
  assert.equal(preview.merged.email, 'kofi.m@hotmail.com');
  assert.equal(engine.size, fixture.leads.length, 'a preview changes nothing');

  const merged = engine.merge(['phone-a', 'phone-b'], { fields: { email: 'phone-b' } }, { now: NOW });
  assert.deepEqual(merged.removed, ['phone-b']);
  assert.equal(engine.getLead('phone-b'), null);
  const lead = engine.getLead('phone-a');
  assert.deepEqual(lead.touches.map((t) => t.outcome), ['voicemail', 'replied']);
  assert.equal(engine.cadenceStatus('phone-a', { now: NOW }).contactStatus, 'connected');

  // The journal persists: a new engine restored from the backup and the journal can undo it.
  const copy = await createEngine();
  copy.importJson(engine.exportJson(), { now: NOW });
  assert.equal(copy.loadMergeJournal(engine.mergeJournal()), 1);
  copy.undoMerge(merged.mergeId);
  assert.deepEqual(['phone-a', 'phone-b'].map((id) => copy.getLead(id)), before);
  assert.throws(() => copy.undoMerge(merged.mergeId), LeadkitError);
  assert.throws(() => copy.merge(['phone-a', 'nobody']), (e) => e instanceof LeadkitError);
  copy.dispose();
  engine.dispose();
});
