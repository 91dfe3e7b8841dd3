// What tsc (scripts/test, tsconfig.json) can only check when the declarations are there to check
// against: every binding is declared, and every public call of the JS API is tied to leadkit.d.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('wasm/leadkit.d.mts declares exactly the functions wasm/bindings.cpp exports', () => {
  const exported = [...read('wasm/bindings.cpp').matchAll(/emscripten::function\("(\w+)"/g)].map((m) => m[1]).sort();
  const declared = [...read('wasm/leadkit.d.mts').matchAll(/^ {2}([a-zA-Z]\w*)\(/gm)].map((m) => m[1]).sort();
  assert.ok(exported.length > 40, 'the bindings were found');
  assert.deepEqual(declared, exported, 'add the binding to wasm/leadkit.d.mts (or remove it there)');
});

test('every public call of web/lib/leadkit.js carries its declaration from leadkit.d.ts', () => {
  const lines = read('web/lib/leadkit.js').split('\n');
  const missing = [];
  let inEngine = false;
  lines.forEach((line, i) => {
    if (line.startsWith('class Engine {')) inEngine = true;
    else if (inEngine && line === '}') inEngine = false;
    const fn = /^export (?:async )?function (\w+)\(/.exec(line);
    if (fn && lines[i - 1] !== `/** @type {Api['${fn[1]}']} */`) missing.push(fn[1]);
    const method = inEngine && /^ {2}(?:async )?(?:get )?([a-zA-Z]\w*)\(/.exec(line);
    if (method && method[1] !== 'constructor' && !lines[i - 1].includes(`EngineApi['${method[1]}']`)) missing.push(`Engine.${method[1]}`);
  });
  assert.deepEqual(missing, [], "declare these in web/lib/leadkit.d.ts and put /** @type {EngineApi['name']} */ (or Api['name']) on the line above each");
});
