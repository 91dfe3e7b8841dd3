// Writes a screenshot of every screen, light and dark, on a desktop (1400×900) and a phone (390×844),
// into screens/ (git-ignored), so anyone can look at what the app shows: each route, plus an empty
// workspace, a search with no match, and the error state of a screen that failed. Run through
// ./scripts/screens (or node scripts/screens.mjs). SCREENS_SIZES=1280x720,390x844 picks other sizes;
// files are named <screen>-<scheme>.png on the desktop and <screen>-<scheme>-<width>.png on others.
import { mkdirSync } from 'node:fs';
import { launch } from '../tests/e2e/browser.mjs';
import { startServer } from './serve.mjs';

const ROUTES = ['today', 'leads', 'lead', 'board', 'dashboard', 'learn', 'import', 'settings', 'workspaces'];
const out = new URL('../screens/', import.meta.url);
mkdirSync(out, { recursive: true });
const server = await startServer({ port: 0 });
const base = `http://127.0.0.1:${server.address().port}`;
const SIZES = (process.env.SCREENS_SIZES ?? '1400x900,390x844').split(',').map((s) => {
  const [width, height] = s.split('x').map(Number);
  return { width, height };
});
let suffix = '';
const shot = (page, name) => page.screenshot({ path: new URL(`${name}${suffix}.png`, out).pathname });

async function show(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  const route = hash.replace(/^#\/?/, '').split('/')[0];
  await page.waitForFunction((r) => document.body.dataset.route === r
    && (document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'), route, { timeout: 60_000 });
  await page.waitForTimeout(400);  // charts animate in; toasts settle
}

try {
  for (const viewport of SIZES) for (const scheme of ['light', 'dark']) {
    suffix = viewport.width === 1400 ? '' : `-${viewport.width}`;
    const context = await launch({ colorScheme: scheme, viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base}/app/#/leads`);
    await page.waitForSelector('body[data-ready="true"]');
    const { rows } = await page.evaluate(() => window.leadkit.ctx.worker.read('query', { limit: 1 }));
    for (const route of ROUTES) {
      await show(page, route === 'lead' ? `#/lead/${encodeURIComponent(rows[0].id)}` : `#/${route}`);
      await shot(page, `${route}-${scheme}`);
    }

    // The navigation's "More" menu, where it is shown (a phone).
    if (await page.locator('.nav-more').isVisible()) {
      await page.click('.nav-more');
      await shot(page, `nav-more-${scheme}`);
      await page.keyboard.press('Escape');
    }

    // A search that matches nothing.
    await show(page, '#/leads');
    await page.fill('[data-search]', 'zzzz-no-such-lead');
    await page.waitForSelector('.vempty:not([hidden])');
    await shot(page, `leads-no-match-${scheme}`);

    // An empty workspace, on every screen that has an empty state.
    const record = await page.evaluate(() => window.leadkit.ctx.worker.createWorkspace('Empty client'));
    await page.evaluate((id) => window.leadkit.ctx.openWorkspace(id), record.id);
    for (const route of ['leads', 'today', 'board', 'dashboard', 'learn']) {
      await show(page, `#/${route}`);
      await shot(page, `empty-${route}-${scheme}`);
    }

    // The error state: a lead that does not exist, and a screen whose module failed to load.
    await show(page, '#/lead/no-such-lead');
    await shot(page, `error-lead-${scheme}`);
    // page.route does not see what the service worker fetches: take it away for this one.
    await page.evaluate(async () => { for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister(); });
    await page.route('**/sw.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.route('**/views/board.js', (route) => route.fulfill({ status: 500, body: 'broken' }));
    await page.evaluate(() => { location.hash = '#/leads'; });
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await show(page, '#/board');
    await shot(page, `error-screen-${scheme}`);
    await context.close();
  }
} finally {
  server.close();
}
console.log(`screenshots written to ${out.pathname}`);
