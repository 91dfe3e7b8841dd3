// A consultant's day through the JS API and the app's host: touches with a note and a time (never
// later than now), follow-up tasks, leads from the website widget merged into a workspace (and
// undone), and restoring a backup whose name is taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, LeadkitError } from '../../web/lib/leadkit.js';
import { freshProfile, openTab } from './host_harness.mjs';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = { id: 'z1', firstName: 'Zofia', lastName: 'López', email: 'zofia@acme.io', company: 'Acme', title: 'VP Sales', industry: 'SaaS', employees: 400, source: 'cold_call' };

function throwsAt(fn, code, path) {
  let error;
  try { fn(); } catch (e) { error = e; }
  assert.ok(error instanceof LeadkitError, `expected a LeadkitError, got ${error}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.where?.path, path, error.message);
  return error;
}

test('a touch takes its time as a Date, milliseconds or ISO text, and a future one is refused at "at"', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  engine.logTouch('z1', { channel: 'call', outcome: 'connected', note: 'Spoke', at: new Date(NOW - HOUR) }, { now: NOW });
  engine.logTouch('z1', { channel: 'email', outcome: 'replied', at: NOW - 2 * HOUR }, { now: NOW });
  engine.logTouch('z1', { channel: 'email', outcome: 'sent', at: '2026-12-06T09:00:00Z' }, { now: NOW });
  const before = engine.getLead('z1');
  assert.deepEqual(before.touches.map((t) => t.at), ['2026-12-07T09:00:00Z', '2026-12-07T08:00:00Z', '2026-12-06T09:00:00Z']);
  throwsAt(() => engine.logTouch('z1', { channel: 'call', outcome: 'connected', at: '2030-01-01T00:00:00Z' }, { now: NOW }), 'invalid_input', 'at');
  throwsAt(() => engine.logTouch('z1', { channel: 'call', outcome: 'connected', at: 'next week' }, { now: NOW }), 'invalid_input', 'at');
  throwsAt(() => engine.logTouch('nobody', { channel: 'call', outcome: 'connected' }, { now: NOW }), 'not_found', 'id');
  assert.deepEqual(engine.getLead('z1'), before);
  // Touches count toward engagement: the reply is in the explanation.
  const lines = engine.explain('z1', { now: NOW });
  assert.ok(lines.some((l) => l.kind === 'engagement' && l.label === 'touch.replied' && l.points > 0), JSON.stringify(lines));
  engine.dispose();
});

test('tasks: add, list overdue first, snooze, done; bad input is refused where it is', async () => {
  const engine = await createEngine();
  engine.upsertLead(LEAD, { now: NOW });
  engine.upsertLead({ id: 'a1', firstName: 'Ana', company: 'Beta' }, { now: NOW });
  const a = engine.setTask('z1', { title: 'Call back Tuesday', due: new Date(NOW + DAY) }, { now: NOW });
  assert.equal(a.task.id, 'task-1');
  engine.setTask('a1', { title: 'Send the proposal', due: NOW - HOUR }, { now: NOW });
  let list = engine.tasks({ now: NOW });
  assert.equal(list.total, 2);
  assert.equal(list.overdue, 1);
  assert.deepEqual(list.tasks.map((t) => [t.leadId, t.title, t.overdue]), [['a1', 'Send the proposal', true], ['z1', 'Call back Tuesday', false]]);
  engine.setTask('a1', { id: 'task-1', due: NOW + 2 * DAY }, { now: NOW });
  engine.setTask('z1', { id: 'task-1', done: true }, { now: NOW });
  list = engine.tasks({ now: NOW });
  assert.deepEqual(list.tasks.map((t) => t.leadId), ['a1']);
  assert.equal(list.overdue, 0);
  assert.equal(engine.tasks({ now: NOW, done: true }).total, 1);
  throwsAt(() => engine.setTask('z1', { title: 'x', due: 'Tuesday' }, { now: NOW }), 'invalid_input', 'due');
  throwsAt(() => engine.setTask('z1', { title: '', due: NOW }, { now: NOW }), 'invalid_input', 'title');
  throwsAt(() => engine.tasks({ now: NOW, limit: 0 }), 'invalid_input', 'limit');
  // The table's row carries the next step: the open task due first.
  const row = engine.query({ view: 'row', limit: 10 }).rows.find((r) => r.id === 'a1');
  assert.equal(row.nextTask.title, 'Send the proposal');
  assert.equal(engine.query({ view: 'row', limit: 10 }).rows.find((r) => r.id === 'z1').nextTask, undefined, 'a done task is no next step');
  // In the backup and back.
  const copy = await createEngine();
  copy.loadLeads(engine.exportJson());
  assert.deepEqual(copy.tasks({ now: NOW }), engine.tasks({ now: NOW }));
  engine.dispose();
  copy.dispose();
});

test('widget leads merge into a workspace by e-mail, are saved, and undo takes the added ones away', async () => {
  freshProfile();
  const { host } = await openTab();
  const [known] = host.read('query', { limit: 1, filter: { stage: 'new' } }).rows;
  const widget = JSON.stringify({ format: 'leadkit-workspace', version: 1, leads: [
    { id: 'visitor-1', email: known.email.toUpperCase(), events: [{ type: 'pricing_view', at: new Date(Date.now() - HOUR).toISOString() }] },
    { id: 'visitor-2', email: 'fresh@visitor.io', firstName: 'Fresh', events: [{ type: 'form_submit', at: new Date(Date.now() - HOUR).toISOString() }] },
  ] });
  const size = host.size;
  const knownBefore = host.read('getLead', known.id);
  const preview = await host.mergeLeads(widget, { dryRun: true });
  assert.deepEqual([preview.added, preview.merged, host.size], [1, 1, size]);
  const result = await host.mergeLeads(widget);
  assert.equal(host.size, size + 1);
  const reloaded = (await openTab('demo')).host;
  const merged = reloaded.read('getLead', known.id);
  assert.ok(merged.events.some((e) => e.type === 'pricing_view'), 'the visitor\'s events joined the known lead');
  assert.equal(merged.stage, known.stage);
  assert.ok(reloaded.read('getLead', 'visitor-2'), 'the new visitor is a lead, after a reload');
  await host.undo(result.undo);
  assert.equal(host.size, size);
  assert.equal(host.read('getLead', 'visitor-2'), null);
  assert.deepEqual(host.read('getLead', known.id).events, knownBefore.events, 'the joined events are taken back');
  // A broken file changes nothing and says where.
  await assert.rejects(host.mergeLeads('[{"email": "x@y.io", "employees": "lots"}]'), (e) => e.where?.path === 'leads[0].employees');
  assert.equal(host.size, size);
});

test('restoring a backup whose name is taken asks first, then keeps both or replaces', async () => {
  freshProfile();
  const { host } = await openTab();
  const backup = await host.exportBackup();
  const demo = (await host.workspaces()).find((w) => w.id === 'demo');
  const ask = await host.importBackup(backup, 'x');
  assert.equal(ask.clash.id, 'demo');
  assert.equal(ask.suggestedName, `${demo.name} (2)`);
  assert.equal((await host.workspaces()).length, 1, 'nothing is written before the user chooses');
  const kept = await host.importBackup(backup, 'x', { mode: 'keep', name: ask.suggestedName });
  assert.equal(kept.workspace.name, `${demo.name} (2)`);
  assert.equal((await host.workspaces()).length, 2);
  // Replace: the other workspace's leads become the backup's.
  const other = await host.createWorkspace('Client B');
  const small = JSON.stringify({ format: 'leadkit-workspace', version: 1, name: 'Client B', leads: [{ id: 'b1', email: 'b@b.io' }] });
  const replaced = await host.importBackup(small, 'x', { mode: 'replace' });
  assert.equal(replaced.replaced, true);
  assert.equal(replaced.workspace.id, other.id);
  const tab = (await openTab(other.id)).host;
  assert.equal(tab.size, 1);
  assert.ok(tab.read('getLead', 'b1'));
  assert.equal((await host.workspaces()).length, 3);
});

test('a backup holds the adopted predictive model and the merge journal: a merge is undone after a restore', async () => {
  const engine = await createEngine();
  for (let i = 0; i < 60; i++) {
    const won = i % 3 === 0;
    engine.upsertLead({ id: `L-${i}`, company: `Co ${i}`, industry: won ? 'SaaS' : 'Retail', employees: 20 + i * 7,
      stage: won ? 'customer' : 'lost', stageReason: won ? undefined : 'price' }, { now: NOW });
  }
  engine.upsertLead({ id: 'd-1', firstName: 'Ana', lastName: 'Silva', email: 'ana@dup.io', company: 'Dup' }, { now: NOW });
  engine.upsertLead({ id: 'd-2', firstName: 'Ana', lastName: 'Silva', email: 'ana.silva@dup.io', company: 'Dup', phone: '+1 555 0101' }, { now: NOW });
  const { model } = engine.train({ now: NOW });
  const hash = engine.setPredictiveModel(model);
  const { mergeId } = engine.merge(['d-1', 'd-2'], {}, { now: NOW });
  const backup = engine.exportJson();
  const copy = await createEngine();
  copy.importJson(backup);
  assert.equal(copy.getPredictiveModel().hash, hash, 'the adopted model came with the backup');
  assert.deepEqual(copy.predict('L-3', { now: NOW }), engine.predict('L-3', { now: NOW }));
  assert.equal(copy.getLead('d-2'), null);
  copy.undoMerge(mergeId);
  assert.equal(copy.getLead('d-2').phone, '+1 555 0101', 'the merge is undone after the restore');
  assert.equal(copy.exportJson().length > 0, true);
  engine.dispose();
  copy.dispose();
});
