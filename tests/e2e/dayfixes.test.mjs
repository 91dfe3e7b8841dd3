// Fixes seen in a day's use: the import button says how many leads are new and how many it
// updates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context, page;
const errors = [];

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/app/#/dashboard`);
  await ready('dashboard');
});
after(async () => {
  await context?.close();
  server?.close();
});

async function ready(route) {
  await page.waitForFunction((r) => document.body.dataset.route === r
    && (document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'), route, { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#view'));
}
async function go(route) {
  await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
  await ready(route);
}
const read = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);

test('the import button says how many leads are new and how many it updates', async () => {
  const existing = (await read('query', { filter: {}, limit: 50 })).rows.find((l) => l.email);
  assert.ok(existing?.email, 'the demo has a lead with an e-mail');
  const csv = ['First name,Last name,Email,Company',
    `${existing.firstName ?? 'Known'},${existing.lastName ?? 'Lead'},${existing.email},${existing.company ?? 'Known Co'}`,
    'Ada,Quill,ada.quill@dayfix.example,Quill Ltd', 'Bo,Reed,bo.reed@dayfix.example,Reed AB', 'Cy,Stone,cy.stone@dayfix.example,Stone SA'].join('\r\n');
  await go('import');
  await page.setInputFiles('#import-file', { name: 'dayfix.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.click('#import-check');
  await page.waitForSelector('#import-run', { timeout: 30_000 });
  const label = (await page.textContent('#import-run')).trim();
  await page.click('#import-run');
  await page.waitForSelector('#import-result', { timeout: 30_000 });
  assert.equal(label, 'Import 3 new leads and update 1');
  assert.match(await page.textContent('#import-result'), /4 leads stored/);
  assert.deepEqual(errors, []);
});
