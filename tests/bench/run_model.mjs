// Trains the predictive model on 100k leads x 50 features with the same C++ twice in one run:
// natively and as wasm under node, and prints the times side by side with their ratio and the
// issue's target (the whole Train, 5-fold cross-validation included, under 2 s in wasm).
// Usage: node tests/bench/run_model.mjs [nativeBuildDir] [wasmBuildDir]
//        (default build/native-release and build/wasm-release)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const nativeDir = process.argv[2] ?? `${root}build/native-release`;
const wasmDir = process.argv[3] ?? `${root}build/wasm-release`;
const TARGET_MS = 2000;

function run(wasm) {
  const bin = `${wasm ? wasmDir : nativeDir}/tests/bench/leadkit_bench_model${wasm ? '.js' : ''}`;
  const [cmd, args] = wasm ? ['node', ['--no-experimental-fetch', bin]] : [bin, []];
  return JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

const native = run(false);
const wasm = run(true);
const row = (label, n, w) =>
  `  ${label.padEnd(54)}${n.toFixed(1).padStart(10)}${w.toFixed(1).padStart(10)}${(w / n).toFixed(2).padStart(8)}×`;
console.log(`leadkit predictive-model benchmark: ${native.leads.toLocaleString('en-US')} leads × ${native.features} features ` +
  `(10 numeric, 5 categorical of 8 levels), logistic regression, L2 (C = 1)\n`);
console.log(`  ${''.padEnd(54)}${'native ms'.padStart(10)}${'wasm ms'.padStart(10)}${'ratio'.padStart(9)}`);
console.log(row(`one fit on every lead (encode + Newton, ${native.iterations} iterations)`, native.fitMs, wasm.fitMs));
console.log(row('reading the inputs from the store', native.inputsMs, wasm.inputsMs));
console.log(row('whole Train: inputs, 5 folds, metrics, final fit', native.trainMs, wasm.trainMs));
console.log(`\n  cross-validated AUC: native ${native.auc.toFixed(4)}, wasm ${wasm.auc.toFixed(4)} (the same data, so they must agree)`);
const met = wasm.trainMs < TARGET_MS;
console.log(`\nTarget (issue 7): training on 100k leads × 50 features under 2 s in wasm: ${met ? 'MET' : 'NOT MET'} ` +
  `(${(wasm.trainMs / 1000).toFixed(2)} s for the whole Train, ${(wasm.fitMs / 1000).toFixed(2)} s for one fit)`);
if (native.auc !== wasm.auc) process.exitCode = 1;
