// One run, three engines, the same 100k leads with 1M events: leadkit's C++ natively, the same C++
// as wasm under node, and json-rules-engine (the npm library a widget author would reach for)
// running the same 20 rules. Prints leads/s and the ratios, and checks that json-rules-engine and
// leadkit give every sampled lead the same rule points. Usage: node tests/bench/run_scoring.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine as RulesEngine } from 'json-rules-engine';
import { createEngine, sampleLeads } from '../../web/lib/leadkit.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelFile = `${root}tests/bench/scoring/model.json`;
const { model } = JSON.parse(readFileSync(modelFile, 'utf8'));
const COUNT = 100_000;
const PEER_SAMPLE = 2_000;  // json-rules-engine is slow enough that a sample gives its rate
const NOW = 1_790_000_000_000;
const DAY = 86_400_000;

function cpp(wasm) {
  const bin = `${root}build/${wasm ? 'wasm' : 'native'}-release/tests/bench/leadkit_bench_scoring${wasm ? '.js' : ''}`;
  const [cmd, args] = wasm ? ['node', ['--no-experimental-fetch', bin, modelFile]] : [bin, [modelFile]];
  return JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 }));
}

// The same padding as scoring_bench.cpp: exactly 10 events per lead.
function pad(leads) {
  for (const lead of leads) {
    const created = Date.parse(lead.createdAt);
    for (let k = lead.events.length; k < 10; k++) {
      lead.events.push({ type: k % 2 ? 'email_open' : 'page_view', at: new Date(created + (k + 1) * 3_600_000).toISOString() });
    }
    lead.events.length = 10;
  }
  return leads;
}

// The 20 rules of model.json, as a json-rules-engine user would state them.
const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'hotmail.com', 'outlook.com',
  'live.com', 'msn.com', 'aol.com', 'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'gmx.de',
  'gmx.net', 'web.de', 'mail.com', 'yandex.ru', 'zoho.com', 'hotmail.co.uk', 'orange.fr', 'free.fr', 'qq.com']);
const OUTBOUND = new Set(['cold_call', 'cold_email', 'linkedin', 'in_person', 'purchased_list']);
const rule = (name, points, all) => ({ name, conditions: { all }, event: { type: name, params: { points } } });
const is = (fact, operator, value, path) => (path ? { fact, operator, value, path } : { fact, operator, value });
const RULES = [
  rule('Target industry', 20, [is('industry', 'in', ['Software', 'SaaS', 'Fintech'])]),
  rule('Decision maker', 25, [is('title', 'hasAnyWord', ['vp', 'head', 'chief', 'director', 'founder'])]),
  rule('Student address', -30, [is('email', 'endsWith', '.edu')]),
  rule('Webmail', -10, [is('emailKind', 'equal', 'free')]),
  rule('Mid-market', 15, [is('employees', 'greaterThanInclusive', 50), is('employees', 'lessThanInclusive', 5000)]),
  rule('Revenue', 10, [is('annualRevenue', 'greaterThan', 10_000_000)]),
  rule('Core markets', 8, [is('country', 'in', ['United States', 'Canada', 'United Kingdom', 'Germany'])]),
  rule('Warm source', 12, [is('source', 'in', ['webinar', 'referral', 'event'])]),
  rule('Outbound', -5, [is('direction', 'equal', 'outbound')]),
  rule('Marketing qualified', 5, [is('stage', 'equal', 'mql')]),
  rule('Budget', 15, [is('bant', 'equal', 'met', '$.budget.status')]),
  rule('Authority', 10, [is('bant', 'equal', 'met', '$.authority.status')]),
  rule('Priority tag', 6, [is('tags', 'intersects', ['priority', 'champion'])]),
  rule('Big deal', 10, [is('dealValue', 'greaterThan', 20_000)]),
  rule('Browsing', 10, [is('pageViews30d', 'greaterThanInclusive', 5)]),
  rule('Recently active', 8, [is('daysSinceLastActivity', 'lessThanInclusive', 7)]),
  rule('Recent touch', 5, [is('daysSinceLastTouch', 'lessThanInclusive', 14)]),
  rule('Many touches, no events', -8, [is('touchCount', 'greaterThanInclusive', 9), is('eventCount', 'equal', 0)]),
  rule('Tiny EMEA', -5, [is('region', 'equal', 'EMEA'), is('employees', 'lessThan', 20)]),
  rule('Stale', -10, [is('daysSinceCreated', 'greaterThan', 180), is('eventCount', 'equal', 0)]),
];

function peerEngine() {
  const engine = new RulesEngine(RULES, { allowUndefinedFacts: true });
  engine.addOperator('hasAnyWord', (title, words) =>
    typeof title === 'string' && title.toLowerCase().split(/[^a-z0-9]+/).some((w) => words.includes(w)));
  engine.addOperator('endsWith', (text, end) => typeof text === 'string' && text.toLowerCase().endsWith(end));
  engine.addOperator('intersects', (list, wanted) => Array.isArray(list) && list.some((t) => wanted.includes(t)));
  return engine;
}

// What a widget author computes per lead before asking the engine: derived facts.
function facts(lead) {
  const ats = (list) => list.map((x) => Date.parse(x.at)).filter((t) => t <= NOW);
  const events = ats(lead.events ?? []);
  const touches = ats(lead.touches ?? []);
  const latest = (list) => (list.length ? Math.max(...list) : NaN);
  const domain = (lead.email ?? '').split('@')[1] ?? '';
  return {
    ...lead,
    emailKind: domain ? (FREE_MAIL.has(domain) ? 'free' : 'company') : '',
    direction: OUTBOUND.has(lead.source) ? 'outbound' : 'inbound',
    pageViews30d: (lead.events ?? []).filter((e) => e.type === 'page_view' && Date.parse(e.at) >= NOW - 30 * DAY && Date.parse(e.at) <= NOW).length,
    daysSinceLastActivity: (NOW - latest([...events, ...touches])) / DAY,
    daysSinceLastTouch: (NOW - latest(touches)) / DAY,
    touchCount: (lead.touches ?? []).length,
    eventCount: (lead.events ?? []).length,
    daysSinceCreated: (NOW - Date.parse(lead.createdAt)) / DAY,
  };
}

const native = cpp(false);
const wasm = cpp(true);
const leads = pad(await sampleLeads(COUNT, { seed: 42, now: NOW }));

// json-rules-engine on a sample, and the same sample's rule points from leadkit for comparison.
const peer = peerEngine();
const sample = leads.slice(0, PEER_SAMPLE);
const peerPoints = [];
let t = performance.now();
for (const lead of sample) {
  const { events } = await peer.run(facts(lead));
  peerPoints.push(events.reduce((sum, e) => sum + e.params.points, 0));
}
const peerMs = performance.now() - t;
const lk = await createEngine();
lk.loadLeads(sample, { now: NOW });
lk.setScoringModel({ rules: model.rules, weights: { fit: 0, engagement: 0 } });
const scored = lk.scoreAll({ now: NOW });
const byId = new Map(scored.ids.map((id, i) => [id, scored.total[i]]));
const agree = sample.filter((lead, i) => byId.get(lead.id) === Math.min(100, Math.max(0, peerPoints[i]))).length;
lk.dispose();

const rate = (n, ms) => n / (ms / 1000);
const nativeRules = rate(native.leads, native.rulesMs);
const wasmRules = rate(wasm.leads, wasm.rulesMs);
const peerRate = rate(sample.length, peerMs);
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0)).padStart(10);
console.log(`leadkit scoring benchmark: ${native.leads.toLocaleString('en-US')} leads, ${native.events.toLocaleString('en-US')} events, ` +
  `${native.rules} rules, ${native.criteria}-criterion profile\n`);
console.log(`  ${'engine'.padEnd(34)}${'leads/s'.padStart(12)}${'ms / 100k'.padStart(12)}`);
console.log(`  ${'20 rules, native (g++ -O2)'.padEnd(34)}${fmt(nativeRules)}/s${native.rulesMs.toFixed(2).padStart(12)}`);
console.log(`  ${'20 rules, wasm (em++ -O2, SIMD)'.padEnd(34)}${fmt(wasmRules)}/s${wasm.rulesMs.toFixed(2).padStart(12)}`);
console.log(`  ${'20 rules, json-rules-engine 7'.padEnd(34)}${fmt(peerRate)}/s${(100_000 / peerRate * 1000).toFixed(0).padStart(12)}`);
console.log(`  ${'whole model, native'.padEnd(34)}${fmt(rate(native.leads, native.fullMs))}/s${native.fullMs.toFixed(2).padStart(12)}`);
console.log(`  ${'whole model, wasm'.padEnd(34)}${fmt(rate(wasm.leads, wasm.fullMs))}/s${wasm.fullMs.toFixed(2).padStart(12)}`);
console.log('');
console.log(`  wasm / native on the rules: ${(wasm.rulesMs / native.rulesMs).toFixed(2)}× the time; whole model: ${(wasm.fullMs / native.fullMs).toFixed(2)}×`);
console.log(`  wasm vs json-rules-engine: ${(wasmRules / peerRate).toFixed(0)}× the leads per second`);
console.log(`  json-rules-engine and leadkit agree on the rule points of ${agree} of ${sample.length} sampled leads`);
console.log('\nTargets (issue 3): wasm ≥ 20 M leads/s on the 20 rules and ≥ 1000× json-rules-engine; wasm within 1.5× of native.');
if (agree !== sample.length) process.exitCode = 1;
