// One run, three engines, the same 100k leads: the C++ store natively, the same C++ compiled to
// wasm under node, and the wasm module through the JS API (what the app's worker does). Prints
// each figure with its ratio to native, and the load of the same leads from a binary snapshot
// (what the web app stores) with its ratio to the JSON load. Usage: node tests/bench/run.mjs [count]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createEngine, sampleLeads } from '../../web/lib/leadkit.js';

const count = Number(process.argv[2] ?? 100_000);
const root = fileURLToPath(new URL('../../', import.meta.url));
const NOW = 1_790_000_000_000;

function cpp(binary, shape, wasm) {
  const cmd = wasm ? 'node' : binary;
  const args = wasm ? ['--no-experimental-fetch', binary, String(count), shape] : [String(count), shape];
  return JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

async function viaJsApi(shape) {
  const leads = await sampleLeads(count, { seed: 42, now: NOW });
  if (shape === 'contacts') for (const l of leads) { delete l.events; delete l.touches; delete l.history; }
  const text = JSON.stringify(leads);
  let engine;
  let loadMs = Infinity;
  let t;
  for (let i = 0; i < 3; i++) {  // best of 3 fresh loads, as the C++ runs do
    engine?.dispose();
    engine = await createEngine();
    t = performance.now();
    const report = engine.loadLeads(text, { now: NOW });
    loadMs = Math.min(loadMs, performance.now() - t);
    if (report.loaded !== count) throw new Error(report.errors[0]?.message);
  }
  let top50Ms = Infinity;
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    engine.query({ sort: { field: 'employees', order: 'desc' }, limit: 50 });
    top50Ms = Math.min(top50Ms, performance.now() - t);
  }
  engine.dispose();
  return { jsonBytes: Buffer.byteLength(text), loadMs, top50Ms };
}

const pad = (s, n) => String(s).padEnd(n);
const num = (x, d = 1) => x.toFixed(d).padStart(9);
console.log(`leadkit store benchmark: ${count.toLocaleString('en-US')} leads, load from JSON text (best of 3) + top 50 by employees (best of 5)\n`);
for (const shape of ['contacts', 'full']) {
  const native = cpp(`${root}build/native-release/tests/bench/leadkit_bench_store`, shape, false);
  const wasm = cpp(`${root}build/wasm-release/tests/bench/leadkit_bench_store.js`, shape, true);
  const js = await viaJsApi(shape);
  console.log(`${shape === 'full' ? 'full leads (events, touches, history)' : 'contact records (CRM export shape)'}: ${(native.jsonBytes / 1e6).toFixed(1)} MB of JSON`);
  console.log(`  ${pad('engine', 26)}${'load ms'.padStart(9)}${'× native'.padStart(10)}${'top50 ms'.padStart(10)}${'× native'.padStart(10)}`);
  for (const [name, r] of [['native (g++ -O2)', native], ['wasm (em++ -O2, node)', wasm], ['wasm via JS API (node)', js]]) {
    console.log(`  ${pad(name, 26)}${num(r.loadMs)}${num(r.loadMs / native.loadMs, 2).padStart(10)}${num(r.top50Ms, 2).padStart(10)}${num(r.top50Ms / native.top50Ms, 2).padStart(10)}`);
  }
  // The binary snapshot the web app stores, against the JSON text of the same leads.
  const ratio = (r) => `${r.snapshotLoadMs.toFixed(1)} ms (${(r.snapshotLoadMs / r.loadMs).toFixed(2)}× the JSON load)`;
  console.log(`  binary snapshot: ${(native.snapshotBytes / 1e6).toFixed(1)} MB (${(native.snapshotBytes / native.jsonBytes).toFixed(2)}× the JSON); ` +
    `load native ${ratio(native)}, wasm ${ratio(wasm)}`);
  console.log('');
}
console.log('Targets (issue 2): wasm within 2× of native; 100k load under 1000 ms in wasm.');
