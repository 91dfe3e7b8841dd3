// When the engine's wasm module aborts (memory exhausted), the app's host says so and opens the
// workspace again from storage on a new module: the next action works and nothing stored is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshProfile, openTab } from './host_harness.mjs';

// As in errors.test.mjs: a genuine wasm trap in the module's next malloc, on demand.
let trapNextMalloc = false;
const trap = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]))).exports.trap;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await instantiate.apply(WebAssembly, args);
  if (!result.instance?.exports.malloc) return result;
  const exports = { ...result.instance.exports };
  const { malloc } = exports;
  exports.malloc = (size) => {
    if (trapNextMalloc) {
      trapNextMalloc = false;
      trap();
    }
    return malloc(size);
  };
  return { module: result.module, instance: { exports } };
};

test('an engine abort is reported as such, the workspace reopens on a new module, and every stored lead is there', async () => {
  freshProfile();
  const { host, opened } = await openTab();
  const [id] = host.read('query', { limit: 1 }).rows.map((r) => r.id);
  await host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'before the abort' });
  trapNextMalloc = true;
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
