// The page keeps literal copies of lists the core owns (stage names, decay kinds, channels, rule
// fields, ...). Until the engine hands them out in one call, this test lists every copy it finds in
// web/, so each can be replaced by that call; it does not fail on them yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

// A union of quoted names in web/lib/leadkit.d.ts: `export type Stage = 'new' | ...;`
function declared(type) {
  const m = new RegExp(`export type ${type} = ([^;]+);`).exec(read('web/lib/leadkit.d.ts'));
  return m ? [...m[1].matchAll(/'([^']+)'/g)].map((q) => q[1]) : [];
}
const quoted = (text, re) => [...text.matchAll(re)].map((m) => m[1]);

const lists = {
  stage: declared('Stage'),
  direction: declared('Direction'),
  bantStatus: declared('BantStatus'),
  touchChannel: declared('TouchChannel'),
  touchOutcome: declared('TouchOutcome'),
  grade: declared('Grade'),
  csvPreset: declared('CsvPreset'),
  errorCode: declared('ErrorCode'),
  modelKind: declared('ModelKind'),
  planRate: declared('PlanRateKey'),
  decayKind: quoted(read('core/src/engagement.cpp'), /\{"kind", "(\w+)"\}/g),
  channel: quoted(/kLabels\[\] = \{[\s\S]*?\};/.exec(read('core/src/channel.cpp'))?.[0] ?? '', /\{"(\w+)", "[^"]+"\}/g),
  eventType: quoted(/DefaultEvents\(\) \{[\s\S]*?\n\}/.exec(read('core/src/engagement.cpp'))?.[0] ?? '', /\{"(\w+)", -?\d/g),
  field: quoted(read('core/src/rules_fields.cpp'), /\{"([\w.]+)", \{Src::/g),
};

function webFiles(dir = 'web/') {
  return readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return ['vendor', 'dist'].includes(e.name) ? [] : webFiles(`${dir}${e.name}/`);
    return /\.(m?js|html)$/.test(e.name) ? [`${dir}${e.name}`] : [];
  });
}

// Comments out, keeping the line count: a list named in prose is not a copy.
const uncommented = (text) => text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
  .replace(/(^|\s)\/\/.*$/gm, '$1');
// Lists whose names also show up as object keys in a copy ({ no_answer: 'No answer', ... }); field
// names are left out, since every lead object has them as keys.
const keyed = new Set(['stage', 'direction', 'bantStatus', 'touchChannel', 'touchOutcome', 'decayKind', 'eventType', 'channel']);

// Every `const X = ...;` and every line, with the names in it; a copy is 3 or more names of one
// list together (so a single 'mql' in a condition is not one).
function copies() {
  const found = [];
  for (const path of webFiles()) {
    const text = uncommented(read(path));
    const lineOf = (at) => text.slice(0, at).split('\n').length;
    const declarations = [...text.matchAll(/(?:const|let|var)\s+(\w+)\s*=[\s\S]*?;\s*\n/g)]
      .map((m) => ({ name: m[1], from: lineOf(m.index), to: lineOf(m.index + m[0].length) - 1, text: m[0] }));
    const lines = text.split('\n').map((line, i) => ({ name: null, from: i + 1, to: i + 1, text: line }));
    const covered = [];  // [list, from, to] of the declarations reported
    for (const span of [...declarations, ...lines]) {
      const strings = new Set([...quoted(span.text, /'([^'\n]+)'/g), ...quoted(span.text, /"([^"\n]+)"/g)]);
      const keys = new Set(quoted(span.text, /(?:[{,]\s*)(\w+):/g));
      for (const [list, names] of Object.entries(lists)) {
        const hits = names.filter((n) => strings.has(n) || (keyed.has(list) && keys.has(n)));
        if (hits.length < 3) continue;
        if (covered.some(([l, from, to]) => l === list && span.from >= from && span.to <= to)) continue;
        covered.push([list, span.from, span.to]);
        found.push({ path, line: span.from, name: span.name, list, hits, of: names.length });
      }
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
}

test('literal copies of core lists in web/ (reported, not failed yet: a catalog call is to replace them)', (t) => {
  for (const [list, names] of Object.entries(lists)) assert.ok(names.length >= 3, `the core's ${list} list was read`);
  const found = copies();
  for (const c of found) {
    t.diagnostic(`${c.path}:${c.line}${c.name ? ` ${c.name}` : ''}: ${c.list} (${c.hits.length} of ${c.of}: ${c.hits.join(', ')})`);
  }
  assert.ok(found.length > 0);
});
