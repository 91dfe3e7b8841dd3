// Predictive scoring with every candidate on 100k leads × 50 features: the same C++
// (tests/bench/trees_bench.cpp) natively and as wasm under node, then predictAll through the JS
// API (what the app's worker calls) with the model the wasm run trained. Prints the median of
// several runs of each, the wasm/native ratio and the issue's targets: training with kind auto
// (5 folds of logistic regression, naive Bayes and trees, then the winner on every lead) within
// 10 s in wasm, predictAll within 200 ms. Exits 1 if native and wasm trained different models.
// Usage: node tests/bench/run_trees.mjs [nativeBuildDir] [wasmBuildDir]
//        (default build/native-release and build/wasm-release; BENCH_RUNS=train,predict, default 3,7)
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../web/lib/leadkit.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const nativeDir = process.argv[2] ?? `${root}build/native-release`;
const wasmDir = process.argv[3] ?? `${root}build/wasm-release`;
const [trainRuns, predictRuns] = (process.env.BENCH_RUNS ?? '3,7').split(',').map(Number);
const COUNT = 100_000;
const TRAIN_TARGET_MS = 10_000;
const PREDICT_TARGET_MS = 200;
const tmp = mkdtempSync(join(tmpdir(), 'leadkit-trees-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function run(wasm) {
  const bin = `${wasm ? wasmDir : nativeDir}/tests/bench/leadkit_bench_trees${wasm ? '.js' : ''}`;
  const args = [String(COUNT), String(trainRuns), String(predictRuns), join(tmp, wasm ? 'wasm.json' : 'native.json')];
  const [cmd, all] = wasm ? ['node', ['--no-experimental-fetch', bin, ...args]] : [bin, args];
  return JSON.parse(execFileSync(cmd, all, { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

// The bench's leads, made the same way as trees_bench.cpp (its 64-bit LCG, in BigInt).
function leads() {
  let s = 42n;
  const next = () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(s >> 11n) / 9007199254740992;
  };
  const out = new Array(COUNT);
  for (let i = 0; i < COUNT; i++) {
    const custom = {};
    let logit = -0.5;
    const n = [];
    for (let k = 0; k < 10; k++) {
      n[k] = next() * 2 - 1;
      custom[`n${k}`] = Math.sign(n[k]) * Math.round(Math.abs(n[k]) * 1000) / 1000;
      logit += ((k % 3) - 1) * 0.8 * n[k];
    }
    let c0 = 0;
    for (let k = 0; k < 5; k++) {
      const level = Math.floor(next() * 8);
      if (k === 0) c0 = level;
      custom[`c${k}`] = `level${level}`;
      logit += (level - 3.5) * 0.1 * (k + 1) / 5;
    }
    logit += 1.5 * ((n[0] > 0) === (n[1] > 0) ? 1 : -1) + 1.5 * n[2] * (c0 < 4 ? 1 : -1);
    custom.converted = next() < 1 / (1 + Math.exp(-logit));
    out[i] = { id: `L${i}`, company: 'Co', custom };
  }
  return out;
}

const native = run(false);
const wasm = run(true);

const engine = await createEngine();
engine.loadLeads(leads(), { now: 1_790_000_000_000 });
const model = JSON.parse(readFileSync(join(tmp, 'wasm.json'), 'utf8'));
engine.setPredictiveModel(model);
const apiMs = [];
let sample;
for (let i = 0; i < predictRuns; i++) {
  const start = performance.now();
  sample = engine.predictAll({ now: 1_790_000_000_000 });
  apiMs.push(performance.now() - start);
}
engine.dispose();

const row = (label, n, w) => `  ${label.padEnd(58)}${n == null ? '—'.padStart(10) : n.toFixed(0).padStart(10)}` +
  `${w.toFixed(0).padStart(10)}${n == null ? '' : `${(w / n).toFixed(2).padStart(8)}×`}`;
const train = [median(native.trainMs), median(wasm.trainMs)];
const predict = [median(native.predictAllMs), median(wasm.predictAllMs)];
const api = median(apiMs);
console.log(`leadkit predictive benchmark: ${COUNT.toLocaleString('en-US')} leads × 50 features (10 numeric, ` +
  `5 categorical of 8 levels), planted linear terms and two interactions\n`);
console.log(`  ${''.padEnd(58)}${'native ms'.padStart(10)}${'wasm ms'.padStart(10)}${'ratio'.padStart(9)}`);
console.log(row(`train, kind auto, 5 folds × 3 candidates + final (median of ${trainRuns})`, ...train));
console.log(row(`predictAll, every lead, core call (median of ${predictRuns})`, ...predict));
console.log(row('  of which: reading the inputs from the store', median(native.inputsMs), median(wasm.inputsMs)));
console.log(row('           binning them', median(native.binsMs), median(wasm.binsMs)));
console.log(row(`           the ${wasm.rounds} trees (leaf masks)`, median(native.treesMs), median(wasm.treesMs)));
console.log(row(`predictAll through the JS API (median of ${predictRuns})`, null, api));
console.log(`\n  runs: native train ${native.trainMs.join(', ')}; wasm train ${wasm.trainMs.join(', ')}`);
console.log(`        native predictAll ${native.predictAllMs.join(', ')}; wasm ${wasm.predictAllMs.join(', ')}; ` +
  `JS API ${apiMs.map((x) => x.toFixed(1)).join(', ')}`);
const aucs = Object.entries(wasm.aucs).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
console.log(`\n  cross-validated AUC: ${aucs}; chosen: ${wasm.chosen} (${wasm.rounds} trees)`);
const same = native.modelHash === wasm.modelHash && sample.modelHash === wasm.modelHash;
console.log(`  model hash: native ${native.modelHash}, wasm ${wasm.modelHash}, JS API ${sample.modelHash}: ${same ? 'the same' : 'DIFFERENT'}`);
const met = (v, t) => (v <= t ? 'MET' : 'NOT MET');
console.log(`\nTargets (predictive trees issue): train with auto within 10 s in wasm: ${met(train[1], TRAIN_TARGET_MS)} ` +
  `(${(train[1] / 1000).toFixed(2)} s); predictAll within 200 ms in wasm: ${met(predict[1], PREDICT_TARGET_MS)} ` +
  `(${predict[1].toFixed(0)} ms; ${api.toFixed(0)} ms through the JS API)`);
if (!same) process.exitCode = 1;
