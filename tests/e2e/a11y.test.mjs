// axe-core on every screen, in the light and the dark theme, at laptop (1400×900) and phone
// (390×844) size: no serious or critical violation.
// The page's CSP forbids injected <script>s, so axe's source goes in through page.evaluate (the
// DevTools protocol, which CSP does not govern); the app itself runs under its real CSP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ROUTES = ['today', 'leads', 'lead', 'board', 'dashboard', 'learn', 'import', 'settings', 'workspaces'];

let server, base;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

/** Serious and critical violations on the page as it is now, one line per failing node. */
async function audit(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      // The first few failing nodes say enough; a table of rows repeats the same one.
      nodes: [...v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join('').trim()}`),
        ...(v.nodes.length > 4 ? [`… and ${v.nodes.length - 4} more`] : [])],
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const SIZES = [{ width: 1400, height: 900 }, { width: 390, height: 844 }];
for (const viewport of SIZES) for (const scheme of ['light', 'dark']) {
  describe(`axe, ${scheme} theme, ${viewport.width}×${viewport.height}`, () => {
    let context, page, leadId;
    before(async () => {
      context = await launch({ colorScheme: scheme, viewport });
      page = await context.newPage();
      await page.goto(`${base}/app/#/leads`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      leadId = (await page.evaluate(() => window.leadkit.ctx.worker.read('query', { limit: 1 }))).rows[0].id;
      // A task due, so that Today and the lead page show their task lists too.
      await page.evaluate((id) => window.leadkit.ctx.worker.setTask(id, { title: 'Call back about the quote', due: new Date(Date.now() - 3_600_000) }), leadId);
    });
    after(() => context?.close());

    for (const route of ROUTES) {
      test(`#/${route} (${scheme}, ${viewport.width} px)`, async () => {
        const hash = route === 'lead' ? `#/lead/${encodeURIComponent(leadId)}` : `#/${route}`;
        await page.evaluate((h) => { location.hash = h; }, hash);
        await page.waitForFunction((r) => document.body.dataset.route === r
          && (document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'), route, { timeout: 30_000 });
        await page.waitForTimeout(300);  // let charts and late paints settle
        const state = await page.getAttribute('body', 'data-ready');
        const bad = await audit(page);
        const report = bad.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `      ${n}`).join('\n')}`).join('\n');
        if (state !== 'true') console.log(`#/${route} (${scheme}) shows its error state: ${(await page.textContent('#view')).slice(0, 200)}`);
        if (bad.length) console.log(`#/${route} (${scheme}):\n${report}`);
        assert.equal(bad.length, 0, `serious or critical axe violations on #/${route} (${scheme}):\n${report}`);
      });
    }

    test(`the log-a-touch dialog (${scheme}, ${viewport.width} px)`, async () => {
      await page.evaluate((id) => { location.hash = `#/lead/${encodeURIComponent(id)}`; }, leadId);
      await page.waitForFunction(() => document.body.dataset.route === 'lead' && document.body.dataset.ready === 'true');
      await page.click('.lead-touches [data-touch="call-connected"]');
      await page.waitForSelector('dialog.modal[open] #touch-note');
      const bad = await audit(page);
      await page.keyboard.press('Escape');
      assert.deepEqual(bad, []);
    });

    test(`an open dialog (${scheme}, ${viewport.width} px)`, async () => {
      await page.evaluate(() => { location.hash = '#/workspaces'; });
      await page.waitForFunction(() => document.body.dataset.route === 'workspaces' && document.body.dataset.ready === 'true');
      await page.getByRole('button', { name: 'New workspace' }).first().click();
      await page.waitForSelector('dialog.modal[open]');
      const bad = await audit(page);
      await page.keyboard.press('Escape');
      assert.deepEqual(bad, []);
    });
  });
}
