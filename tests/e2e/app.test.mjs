// The first page as a user meets it, in Debian's Chromium: a first visit seeds the demo workspace
// into IndexedDB, a reload reads it back, and the page asks nothing of any other origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context;
const requests = [];

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
  context.on('request', (r) => requests.push(r.url()));
});
after(async () => {
  await context?.close();
  server?.close();
});

async function openApp(page) {
  await page.goto(`${base}/app/`);
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#state'));
}

test('a first visit seeds the demo workspace and shows it in the table', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page);
  assert.equal(await page.getAttribute('body', 'data-seeded'), 'true');
  assert.match(await page.textContent('#result-count'), /^520 leads$/);
  assert.equal(await page.locator('#rows tr').count(), 50);
  const stageTotal = await page.$$eval('.stage-count', (els) => els.reduce((n, e) => n + Number(e.textContent.replace(/,/g, '')), 0));
  assert.equal(stageTotal, 520);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a reload reads the same leads back from IndexedDB instead of seeding again', async () => {
  const page = await context.newPage();
  await openApp(page);
  assert.equal(await page.getAttribute('body', 'data-seeded'), 'false');
  assert.match(await page.textContent('#storage-note'), /^520 leads loaded from this browser/);
  const first = await page.textContent('#rows tr:first-child .col-lead');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.textContent('#rows tr:first-child .col-lead'), first);
  await page.close();
});

test('sorting, filtering and search change the rows the table shows', async () => {
  const page = await context.newPage();
  await openApp(page);
  await page.click('th.col-employees button');
  await page.waitForSelector('th.col-employees[aria-sort="descending"]');
  const employees = await page.$$eval('#rows td.col-employees', (tds) => tds.map((td) => Number(td.textContent.replace(/,/g, ''))));
  assert.deepEqual(employees, [...employees].sort((a, b) => b - a));

  await page.click('#filter-direction button[data-value="outbound"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#rows .col-source .secondary')].every((s) => s.textContent === 'Outbound'));

  await page.click('.stage-card.stage-mql');
  await page.waitForFunction(() => [...document.querySelectorAll('#rows .badge')].every((b) => b.textContent === 'MQL'));

  await page.keyboard.press('/');
  await page.keyboard.type('zzzz-nobody');
  await page.waitForSelector('#state:not([hidden])');
  assert.match(await page.textContent('#state'), /No leads match these filters/);
  await page.click('#state button');
  await page.waitForFunction(() => document.querySelector('#result-count').textContent === '520 leads');
  await page.close();
});

test('after load the page requested nothing from any other origin', () => {
  assert.ok(requests.length > 5, 'requests were recorded');
  const foreign = requests.filter((url) => !url.startsWith(base + '/'));
  assert.deepEqual(foreign, []);
});
