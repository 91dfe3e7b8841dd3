// One run, the web app in headless Chromium with 100k leads stored in IndexedDB:
//  - time to interactive: navigation start → body[data-ready="true"] on #/leads (target < 1.5 s);
//  - scrolling the whole leads table top to bottom, one viewport per animation frame, with every
//    frame's duration from requestAnimationFrame timestamps (target: every frame < 50 ms).
// The peer is what a page would do without virtualisation: the same 100k leads as a plain <table>
// in the same browser — its time from data in memory to first paint, and its scroll frames.
// Usage: node tests/bench/app_bench.mjs [leads]
import { launch } from '../e2e/browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

const LEADS = Number(process.argv[2] ?? 100_000);
const RUNS = 3;
const started = performance.now();
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
const pad = (s, n) => String(s).padEnd(n);
const line = (name, s) => console.log(`  ${pad(name, 58)} ${String(s.frames).padStart(5)} frames, median ${s.median.toFixed(1)} ms, ` +
  `p99 ${s.p99.toFixed(1)} ms, worst ${s.worst.toFixed(1)} ms, ${s.over50} at 50 ms or more, ${s.longTasks} long tasks, ${(s.total / 1000).toFixed(1)} s`);
const progress = (what) => process.stderr.write(`  [${((performance.now() - started) / 1000).toFixed(1)} s] ${what}\n`);

const server = await startServer({ port: 0 });
const base = `http://127.0.0.1:${server.address().port}`;
const context = await launch({ viewport: { width: 1440, height: 900 } });
// Notes when the screen becomes ready, from the first script that runs (CSP does not govern this).
await context.addInitScript(() => {
  new MutationObserver(() => {
    if (document.body?.dataset.ready === 'true' && window.__readyAt == null) window.__readyAt = performance.now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
});

try {
  const page = await context.newPage();
  page.setDefaultTimeout(300_000);
  await page.goto(`${base}/app/#/leads`);
  await page.waitForSelector('body[data-ready="true"]');

  progress('app open');
  // Seed: the engine in the page makes the leads; the worker stores them as one workspace.
  const seeded = await page.evaluate(async (count) => {
    const { createEngine, sampleLeads } = await import('/lib/leadkit.js');
    const engine = await createEngine();
    engine.loadLeads(await sampleLeads(count, { seed: 7, now: Date.now() }));
    const text = engine.exportJson();
    engine.dispose();
    const t = performance.now();
    const { workspace } = await window.leadkit.ctx.worker.importBackup(text, `Bench ${count}`);
    localStorage.setItem('leadkit.workspace', workspace.id);
    return { id: workspace.id, storeMs: performance.now() - t, mb: text.length / 1e6 };
  }, LEADS);

  progress(`seeded ${LEADS} leads`);
  // Time to interactive, best and worst of RUNS reloads (the first warms the compiled-wasm cache).
  const tti = [];
  let breakdown = null;
  for (let i = 0; i < RUNS; i++) {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    tti.push(await page.evaluate(() => window.__readyAt));
    progress(`ready in ${tti.at(-1).toFixed(0)} ms`);
    const count = await page.evaluate(() => Number(document.querySelector('.result-count').textContent.replace(/\D/g, '')));
    if (count !== LEADS) throw new Error(`the table shows ${count} leads, not ${LEADS}`);
  }
  breakdown = await page.evaluate(() => window.leadkit.ctx.worker.openTimings().catch(() => null));
  const best = Math.min(...tti);
  const worst = Math.max(...tti);
  // Our figures print as soon as they exist, so a slow peer cannot hide them.
  console.log(`Web app in headless Chromium, ${LEADS.toLocaleString('en-US')} leads stored in IndexedDB ` +
    `(backup ${seeded.mb.toFixed(0)} MB, stored in ${(seeded.storeMs / 1000).toFixed(1)} s)`);
  console.log(`  ${pad('leadkit: navigation → leads table ready (best)', 58)} ${fmt(best)}  (runs: ${tti.map((t) => t.toFixed(0)).join(', ')} ms)`);
  if (breakdown) {
    const { loads, memoryGiven, ...steps } = breakdown;
    console.log(`    worker open: ${Object.entries(steps).map(([k, v]) => `${k} ${v} ms`).join(', ')}; ` +
      `memory written before the load: ${memoryGiven ? 'yes' : 'no'}`);
  }

  const ourScroll = await page.evaluate(scrollWhole, ['.vscroll', Infinity]);
  progress('scrolled');
  console.log('Scrolling the whole table, top to bottom, one viewport per frame');
  line('leadkit virtualised table', ourScroll);
  if (ourScroll.over50 && ourScroll.loafSupported) {
    console.log(`    of its ${ourScroll.over50} frame(s) at 50 ms or more, ${ourScroll.busyFrames} held a long animation frame of the page's own ` +
      `(script ${ourScroll.busyScriptMs.toFixed(0)} ms, style, layout and paint ${ourScroll.busyLayoutMs.toFixed(0)} ms); the rest had no main-thread work ` +
      'of 50 ms behind them: the frame came late from the compositor, the GPU process or the machine');
  }

  // The peer: a plain table of the same leads, built in a page of its own. Its cells come from the
  // table's slim rows (worker.rows): full leads of 100k would haul every event and touch across.
  const rows = await page.evaluate(async (count) => {
    const { rows } = await window.leadkit.ctx.worker.rows({ limit: count, sort: { field: 'createdAt', order: 'desc' } });
    return rows.map((l) => [[l.firstName, l.lastName].filter(Boolean).join(' '), l.email ?? '', l.company ?? '',
      l.score ? Math.round(l.score.total) : '', l.stage, l.source ?? '', l.dealValue ?? '', l.touchCount, l.createdAt ?? '']);
  }, LEADS);
  const peer = await context.newPage();
  peer.setDefaultTimeout(600_000);
  // An empty page on the same origin, without the app.
  await peer.route(`${base}/peer.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="en"><title>peer</title><body></body></html>' }));
  await peer.goto(`${base}/peer.html`);
  const peerPaint = await peer.evaluate(async (rows) => {
    const t = performance.now();
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const h of ['Lead', 'E-mail', 'Company', 'Score', 'Stage', 'Source', 'Value', 'Touches', 'Created']) head.append(Object.assign(document.createElement('th'), { textContent: h }));
    const body = table.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      for (const v of r) tr.insertCell().textContent = String(v);
    }
    document.body.append(table);
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return performance.now() - t;
  }, rows);
  progress('peer painted');
  // The plain table can take many minutes to scroll end to end: it gets two, and says how far it got.
  const peerScroll = await peer.evaluate(scrollWhole, [null, 120_000]);
  line(`plain <table> (${(peerScroll.covered * 100).toFixed(0)}% of it in 2 min)`, peerScroll);
  console.log(`  every frame under 50 ms: ${ourScroll.worst < 50 ? 'MET' : `NOT MET (${ourScroll.over50} of ${ourScroll.frames} frames)`}; worst frame ${ourScroll.worst.toFixed(1)} ms vs ` +
    `${peerScroll.worst.toFixed(1)} ms (plain table is ${(peerScroll.worst / ourScroll.worst).toFixed(1)}x slower at its worst)`);
  console.log(`  ${pad('plain <table>: rows in memory → first paint', 58)} ${fmt(peerPaint)}`);
  console.log(`  time to interactive ${best < 1500 ? 'MET' : 'NOT MET'} (target: under 1.5 s, slowest run ${worst.toFixed(0)} ms); ` +
    `leadkit is ready in ${(best / peerPaint).toFixed(2)}x the time a plain table takes just to paint, storage read included`);
} finally {
  await context.close();
  server.close();
}

/** In the page: scrolls `selector` (or the document) to the bottom one viewport per frame. */
async function scrollWhole([selector, budgetMs]) {
  const box = selector ? document.querySelector(selector) : document.scrollingElement;
  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  // Long animation frames (over 50 ms of main-thread work, with its script and rendering parts)
  // tell a frame the page's own work made long from one the compositor or the machine delayed.
  const loafs = [];
  const loafObserver = PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')
    ? new PerformanceObserver((list) => loafs.push(...list.getEntries())) : null;
  loafObserver?.observe({ type: 'long-animation-frame' });
  box.scrollTop = 0;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const frames = [];
  const long = [];  // [from, to] of each frame of 50 ms or more
  const start = performance.now();
  await new Promise((done) => {
    let last = null;
    function step(ts) {
      if (last != null) frames.push(ts - last);
      if (last != null && ts - last >= 50) long.push([last, ts]);
      last = ts;
      const bottom = box.scrollHeight - box.clientHeight;
      if (box.scrollTop >= bottom - 1 || ts - start > budgetMs) { done(); return; }
      box.scrollTop = Math.min(bottom, box.scrollTop + box.clientHeight);
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  });
  const total = performance.now() - start;
  const covered = box.scrollTop / Math.max(1, box.scrollHeight - box.clientHeight);
  observer.disconnect();
  loafObserver?.disconnect();
  // The page's own work in each long frame: the long animation frames that overlap it.
  const attributed = long.map(([from, to]) => loafs.filter((l) => l.startTime < to && l.startTime + l.duration > from))
    .filter((list) => list.length > 0);
  const sum = (list, f) => list.reduce((a, l) => a + f(l), 0);
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length, total, worst: sorted.at(-1) ?? 0, over50: frames.filter((f) => f >= 50).length,
    median: sorted[Math.floor(sorted.length / 2)] ?? 0, p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
    longTasks: longTasks.length, covered, loafSupported: !!loafObserver,
    busyFrames: attributed.length,
    busyScriptMs: sum(attributed.flat(), (l) => sum(l.scripts ?? [], (x) => x.duration)),
    busyLayoutMs: sum(attributed.flat(), (l) => (l.styleAndLayoutStart ? l.startTime + l.duration - l.styleAndLayoutStart : 0)),
  };
}
