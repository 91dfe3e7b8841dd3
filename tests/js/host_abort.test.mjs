// When the engine's wasm module aborts (memory exhausted), the app's host says so and opens the
// workspace again from storage on a new module: the next action works and nothing stored is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshProfile, openTab } from './host_harness.mjs';
import { trapNextMalloc } from './trap.mjs';


test('an engine abort is reported as such, the workspace reopens on a new module, and every stored lead is there', async () => {
  freshProfile();
  const { host, opened } = await openTab();
  const [id] = host.read('query', { limit: 1 }).rows.map((r) => r.id);
  await host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'before the abort' });
  trapNextMalloc();
  await assert.rejects(host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'hit the abort' }),
    (e) => e.kind === 'aborted' && e.code === 'aborted' && /restarted from what is stored/.test(e.message));
  // The host reopens the workspace by itself; the next action works.
  let lead = null;
  for (let i = 0; i < 100 && !lead; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try { lead = host.read('getLead', id); } catch { /* still restarting */ }
  }
  assert.ok(lead, 'the workspace reopened');
  assert.equal(host.read('query', { limit: 1 }).total, opened.count);
  assert.ok(lead.touches.some((t) => t.note === 'before the abort'));
  await host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'after the restart' });
  const { host: again } = await openTab('demo');
  assert.ok(again.read('getLead', id).touches.some((t) => t.note === 'after the restart'));
});

test('an abort while a workspace opens fails that open and sets nothing aside: the next open has every lead', async () => {
  freshProfile();
  const { host, opened } = await openTab();
  const [id] = host.read('query', { limit: 1 }).rows.map((r) => r.id);
  await host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'stored' });
  trapNextMalloc();
  await assert.rejects(openTab('demo'));
  const { host: again } = await openTab('demo');
  assert.equal(again.read('query', { limit: 1 }).total, opened.count);
  assert.deepEqual(await again.setAside(), []);
  assert.ok(again.read('getLead', id).touches.some((t) => t.note === 'stored'));
});
