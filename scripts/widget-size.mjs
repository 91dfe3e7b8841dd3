// Prints what the website widget costs a host page (leadkit-widget.js + its slim wasm, gzip -9)
// and exits 1 over the 60 KB budget (60 × 1000 bytes) of issue 8.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET = 60_000;
export function widgetSize() {
  const gz = (path) => gzipSync(readFileSync(new URL(`../web/widget/${path}`, import.meta.url)), { level: 9 }).length;
  const js = gz('leadkit-widget.js');
  const wasm = gz('dist/leadkit-widget.wasm');
  return { js, wasm, total: js + wasm };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { js, wasm, total } = widgetSize();
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  console.log(`widget: ${kb(total)} gzipped (leadkit-widget.js ${kb(js)} + leadkit-widget.wasm ${kb(wasm)}; budget ${kb(BUDGET)})`);
  if (total > BUDGET) process.exit(1);
}
