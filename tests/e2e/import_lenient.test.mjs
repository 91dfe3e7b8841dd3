// The lenient import in the wizard, on a HubSpot export as a consultant receives it
// (tests/fixtures/hubspot_messy.csv): source values the workspace does not know are mapped to
// channels in their own step, by keyboard, and remembered per workspace (the next import does not
// ask again; another workspace does); cells that cannot be read are listed as warnings with row
// and column, as text, and the leads land with those fields empty.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { appSession, goTo, ready } from './browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** axe's serious and critical violations on the page as it is now (as tests/e2e/a11y.test.mjs runs it). */
async function axeProblems(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const HUBSPOT = readFileSync(new URL('../fixtures/hubspot_messy.csv', import.meta.url), 'utf8');
// One more contact whose employees cell is markup: the report must show it as text.
const MARKUP = '<img src=x onerror="window.__injected=1">';
const FILE = `${HUBSPOT}99999,Eve,Markup,eve@markup.example,,Markup Co,CTO,Media Production,"${MARKUP.replaceAll('"', '""')}",,Spain,Madrid,,Lead,New,Direct Traffic,,01/12/2026 10:00,01/12/2026 10:00,\r\n`;

let app, page, errors;
before(async () => {
  app = await appSession('import');
  ({ page, errors } = app);
});
after(() => app?.close());

const worker = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker[m](...a), [method, args]);
const read = (method, ...args) => worker('read', method, ...args);

async function newWorkspace(name) {
  await page.evaluate(async (n) => {
    const { ctx } = window.leadkit;
    const record = await ctx.worker.createWorkspace(n);
    await ctx.openWorkspace(record.id);
  }, name);
  await goTo(page, 'leads');
  await goTo(page, 'import');  // a fresh wizard in the new workspace
}

async function chooseFile() {
  await page.setInputFiles('#import-file', { name: 'hubspot-contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
  await page.waitForSelector('#import-mapping');
}

const stepLabels = () => page.$$eval('.import-steps li', (items) => items.map((li) => li.textContent.replace(/^[✓\d]+/, '')));

test('unknown source values are mapped in their own step, by keyboard, and the report lists warnings by row and column', async () => {
  await newWorkspace('HubSpot client');
  await chooseFile();
  // Enter on the step (its heading has the focus) checks the file.
  await page.keyboard.press('Enter');
  await page.waitForSelector('#import-sources', { timeout: 30_000 });
  assert.deepEqual(await stepLabels(), ['Choose file', 'Map columns', 'Map sources', 'Check', 'Import', 'Done']);
  const values = await page.$$eval('#import-sources tbody tr', (rows) => rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent]));
  assert.deepEqual(values, [['Direct Traffic', '31'], ['Email Marketing', '20'], ['Offline Sources', '14'], ['Other Campaigns', '10']]);
  // Direct Traffic is offered as a channel of its own, inbound: never a website form unasked.
  const direct = page.locator('select[data-value="Direct Traffic"]');
  assert.equal(await direct.inputValue(), 'new:inbound:direct_traffic');
  assert.equal(await page.locator('select[data-value="Other Campaigns"]').inputValue(), 'unknown');
  // The channels are the engine's, with its labels, grouped by direction.
  const groups = await direct.evaluate((s) => [...s.querySelectorAll('optgroup')].map((g) => g.label));
  assert.deepEqual(groups.slice(-3), ['Inbound: lead generation', 'Outbound: prospecting', 'Unknown direction']);
  const labels = await direct.evaluate((s) => [...s.options].map((o) => o.textContent));
  for (const label of ['Website form', 'Cold e-mail', 'LinkedIn', 'Event', 'Unknown']) assert.ok(labels.includes(label), label);
  assert.deepEqual(await axeProblems(page), []);

  // Keyboard only: Tab moves from select to select, typing a label picks it, Enter saves and checks.
  await direct.focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const offline = page.locator('select[data-value="Offline Sources"]');
  assert.ok(await offline.evaluate((s) => s === document.activeElement), 'Tab reached the third select');
  await page.keyboard.type('Event');
  assert.equal(await offline.inputValue(), 'event');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#import-report', { timeout: 30_000 });
  assert.match(await page.textContent('#import-report'), /New leads\s*201/);
  assert.match(await page.textContent('#import-report'), /Rejected rows\s*0/);
  assert.match(await page.textContent('#import-report'), /Rows with warnings\s*8/);

  const warnings = await page.$$eval('#import-warnings tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(warnings.map(([row, column]) => `${row} ${column}`), [
    '19 Number of Employees', '44 Annual Revenue', '65 Create Date', '90 Email', '123 Phone Number',
    '152 Website URL', '178 Lifecycle Stage', '202 Number of Employees']);
  assert.match(warnings[0][3], /"approx 200"/);
  assert.match(warnings[2][3], /in the future: "31\/12\/2026"/);
  // Markup in a cell is shown as the text it is.
  assert.ok(warnings[7][3].includes(MARKUP), warnings[7][3]);
  assert.equal(await page.locator('#import-warnings img').count(), 0);
  assert.equal(await page.locator('#import-rejected-table').count(), 0);
  assert.deepEqual(await axeProblems(page), []);

  await page.focus('.import-heading');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#import-result', { timeout: 30_000 });
  assert.match(await page.textContent('#import-result'), /Imported\s*201/);
  assert.match(await page.textContent('#import-result'), /With warnings\s*8/);
  assert.equal(await page.evaluate(() => window.__injected), undefined);

  const summary = await read('summary');
  assert.equal(summary.total, 201);
  assert.equal(summary.bySource.direct_traffic, 31);
  assert.equal(summary.bySource.email_marketing, 20);
  assert.equal(summary.bySource.event, 14);
  assert.equal(summary.bySource.unknown, 10);
  assert.equal(summary.bySource.website_form, undefined);
  // Every lead is in the dashboard's all-time funnel, the one dated 31/12/2026 in the file too.
  assert.equal((await read('funnel', { allTime: true })).leads, 201);
  assert.deepEqual(errors, []);
});

test('the choices are kept by the workspace: after a reload the next import does not ask again', async () => {
  await page.reload();
  await ready(page);
  await goTo(page, 'import');
  await chooseFile();
  await page.click('#import-check');
  await page.waitForSelector('#import-report', { timeout: 30_000 });
  assert.equal(await page.locator('#import-sources').count(), 0);
  assert.ok(!(await stepLabels()).includes('Map sources'));
  assert.match(await page.textContent('#import-report'), /Updates\s*201/);
  await page.click('#import-run');
  await page.waitForSelector('#import-result', { timeout: 30_000 });
  const summary = await read('summary');
  assert.equal(summary.total, 201);
  assert.equal(summary.bySource.direct_traffic, 31);
  assert.equal(summary.bySource.event, 14);
  const channels = await read('getChannels');
  assert.deepEqual(channels.find((c) => c.name === 'event').values, ['Offline Sources']);
  assert.deepEqual(errors, []);
});

test('another workspace has its own channel map and asks', async () => {
  await newWorkspace('Another client');
  await chooseFile();
  await page.click('#import-check');
  await page.waitForSelector('#import-sources', { timeout: 30_000 });
  assert.equal(await page.locator('#import-sources tbody tr').count(), 4);
  assert.deepEqual(errors, []);
});
