// The page keeps no literal copy of a list the core owns (stage names, grades, decay kinds,
// channels, touch channels and outcomes, BANT statuses, default events, rule fields, ...): the
// engine hands them out in one call, engine.catalog() (core/src/catalog.cpp), which the app reads
// once at start (web/app/main.js → fillCatalog). This test scans web/app and web/lib, as the purity
// test scans core/, and fails on every copy it finds that is not allowed below with a reason.
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

// The lists engine.catalog() hands out: a copy of one of these in web/app or web/lib fails.
const CATALOG_LISTS = new Set(['stage', 'direction', 'bantStatus', 'touchChannel', 'touchOutcome', 'grade', 'decayKind',
  'channel', 'eventType', 'field']);

// Scanned: the app and the engine's JS library. Not scanned: web/widget, the website widget, is a
// separate slim wasm build without embind (wasm/widget.cpp): it has no catalog call to read, so it
// keeps the few names it needs.
const SCANNED = ['web/app/', 'web/lib/'];

// Names of a list that are not a copy of it, each with why. `at` is a declaration's name, or a
// pattern a line (or declaration) matches.
const ALLOWED = [
  { path: 'web/app/moves.js', at: 'QUICK_TOUCHES', lists: ['touchChannel', 'touchOutcome'],
    why: 'which one-click buttons there are is a UI choice; their labels come from the catalog' },
  { path: 'web/app/views/lead.js', at: 'FIELDS', lists: ['field'],
    why: 'the lead form’s layout: which fields, in what order, their labels and input attributes' },
  { path: 'web/app/views/lead.js', at: 'suggest', lists: ['stage'], why: 'a decision on the stage a verdict suggests' },
  { path: 'web/app/views/leads.js', at: 'COLUMNS', lists: ['field'], why: 'the columns the leads table shows' },
  { path: 'web/app/views/leads.js', at: /\[stageSelect, 'stage'\]/, lists: ['field'], why: 'each filter menu and the key it sets' },
  { path: 'web/app/views/settings.js', at: 'decayDetail', lists: ['decayKind'], why: 'the editor of each kind, not a list of kinds' },
  { path: 'web/app/views/dashboard.js', at: /figure\('inbound'/, lists: ['direction'],
    why: 'the direction KPI’s three figures, the unknown one counted as what is left' },
  // The import wizard was being changed by another engineer when the catalog came in: its
  // direction groups and field groups (the mapping menu's labels) move to the catalog next.
  { path: 'web/app/views/import.js', at: /./, lists: ['direction', 'field'], why: 'to move to the catalog next' },
];
const allowed = (c) => ALLOWED.find((a) => a.path === c.path && a.lists.includes(c.list)
  && (typeof a.at === 'string' ? a.at === c.name : a.at.test(c.text)));

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
function copies(files = SCANNED.flatMap((dir) => webFiles(dir)), read = (path) => readFileSync(new URL(path, root), 'utf8')) {
  const found = [];
  for (const path of files) {
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
        found.push({ path, line: span.from, name: span.name, list, hits, of: names.length, text: span.text });
      }
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
}

const describe = (c) => `${c.path}:${c.line}${c.name ? ` ${c.name}` : ''}: ${c.list} (${c.hits.length} of ${c.of}: ${c.hits.join(', ')})`;

test('the core’s lists were read', () => {
  for (const [list, names] of Object.entries(lists)) assert.ok(names.length >= 3, `the core's ${list} list was read`);
});

test('web/app and web/lib keep no literal copy of a list the catalog hands out', (t) => {
  const found = copies();
  const failing = found.filter((c) => CATALOG_LISTS.has(c.list) && !allowed(c));
  // Lists the catalog does not hand out (CSV presets, error codes, model kinds, plan rates) and
  // the allowed spans are reported, not failed.
  for (const c of found.filter((c) => !failing.includes(c))) t.diagnostic(`${describe(c)}${allowed(c) ? ` — allowed: ${allowed(c).why}` : ''}`);
  assert.deepEqual(failing.map(describe), [], 'literal copies of core lists: read them from engine.catalog() (ui.js / moves.js fillCatalog)');
});

test('the scan finds the copies the app kept before the catalog', () => {
  // The old ui.js, moves.js and settings.js as they were: each of their lists is found.
  const old = {
    'web/app/ui.js': `export const STAGES = [
  ['new', 'New'], ['nurturing', 'Nurturing'], ['mql', 'MQL'], ['sql', 'SQL'],
  ['opportunity', 'Opportunity'], ['customer', 'Customer'], ['lost', 'Lost'], ['disqualified', 'Disqualified'],
];
export const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'];
const SOURCE_LABEL = { cold_email: 'Cold e-mail', linkedin: 'LinkedIn', ebook: 'E-book', paid_ads: 'Paid ads', in_person: 'In person', seo: 'SEO' };
`,
    'web/app/moves.js': `export const CHANNEL_LABEL = { call: 'Call', email: 'E-mail', linkedin: 'LinkedIn', in_person: 'In person', sms: 'SMS', video: 'Video', other: 'Other' };
export const OUTCOME_LABEL = { sent: 'sent', no_answer: 'no answer', voicemail: 'voicemail', connected: 'connected' };
`,
    'web/app/views/settings.js': `const DECAYS = [['halfLife', 'Half-life'], ['linear', 'Linear to zero'], ['steps', 'Steps'], ['none', 'No decay']];
const DEFAULT_EVENTS = new Set(['page_view', 'pricing_view', 'content_download', 'webinar_registered']);
const NUMERIC = new Set(['employees', 'annualRevenue', 'dealValue', 'touchCount']);
`,
    'web/app/views/lead.js': `const STATUSES = [['unknown', 'Unknown'], ['partly', 'Partly'], ['met', 'Met'], ['not_met', 'Not met']];
`,
  };
  const found = copies(Object.keys(old), (path) => old[path]).filter((c) => CATALOG_LISTS.has(c.list) && !allowed(c));
  assert.deepEqual(found.map((c) => `${c.path} ${c.name} ${c.list}`).sort(), [
    'web/app/moves.js CHANNEL_LABEL touchChannel', 'web/app/moves.js OUTCOME_LABEL touchOutcome',
    'web/app/ui.js GRADES grade', 'web/app/ui.js SOURCE_LABEL channel', 'web/app/ui.js STAGES stage',
    'web/app/views/lead.js STATUSES bantStatus',
    'web/app/views/settings.js DECAYS decayKind', 'web/app/views/settings.js DEFAULT_EVENTS eventType',
    'web/app/views/settings.js NUMERIC field',
  ]);
});
