// The import wizard and the rule editor as a user meets them in Debian's Chromium: a CSV with a bad
// row is checked, reported by row and reason, imported, and its leads show in the table; a rule
// with a syntax error says where, live; a valid rule shows a what-if preview and, once saved,
// changes the scores.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
});
after(async () => {
  await context?.close();
  server?.close();
});

async function open(page, hash) {
  await page.goto(`${base}/app/${hash}`);
  await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 30000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#view'));
}

const CSV = [
  'First Name,Last Name,Email,Company,Employees,Job Title',
  'Quilla,Vantorre,quilla@zephyrtest.io,Zephyr Test,120,VP Sales',
  'Bad,Row,not-an-email,Broken Co,40,Analyst',
  'Ravi,Osterhout,ravi@zephyrtest.io,Zephyr Test,120,Engineer',
].join('\n') + '\n';

test('a CSV goes through the wizard: the bad row is reported by number and reason, the good rows land in the table', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await open(page, '#/import');
  await page.setInputFiles('#import-file', { name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.waitForSelector('#import-mapping');
  assert.equal(await page.locator('#import-mapping select[data-header="Email"]').inputValue(), 'email');
  assert.match(await page.textContent('#import-mapping'), /quilla@zephyrtest\.io/);

  await page.click('#import-check');
  await page.waitForSelector('#import-report');
  const report = await page.textContent('#import-report');
  assert.match(report, /Rows read\s*3/);
  assert.match(report, /New leads\s*2/);
  assert.match(report, /Rejected rows\s*1/);
  const problem = await page.textContent('#import-rejected-table tbody tr');
  assert.match(problem, /^3\s*Email/);
  assert.match(problem, /expected an e-mail address/);
  assert.equal(await page.locator('#import-rejected').count(), 1);

  await page.click('#import-run');
  await page.waitForSelector('#import-result', { timeout: 30000 });
  assert.match(await page.textContent('#import-result'), /Imported\s*2/);
  await page.click('#import-view-leads');
  await page.waitForSelector('body[data-route="leads"][data-ready="true"]');
  await page.fill('[data-search]', 'zephyrtest');
  await page.waitForFunction(() => /^2 leads?$/.test(document.querySelector('.result-count')?.textContent ?? ''), null, { timeout: 10000 });
  assert.match(await page.textContent('.table-card'), /Quilla Vantorre/);
  assert.doesNotMatch(await page.textContent('.table-card'), /Broken Co/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a wrong file type is refused before anything is read, and says why', async () => {
  const page = await context.newPage();
  await open(page, '#/import');
  await page.setInputFiles('#import-file', { name: 'leads.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('PK\x03\x04') });
  await page.waitForSelector('#import-error');
  assert.match(await page.textContent('#import-error'), /not a CSV file.*save it as .CSV UTF-8/s);
  await page.setInputFiles('#import-file', { name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('Email,Name\n"a@b.io,Ann\n') });
  await page.waitForSelector('#import-error');
  assert.match(await page.textContent('#import-error'), /line 2|line 1/);
  await page.close();
});

test('editing a rule: a syntax error shows its line and column live; a valid rule previews and, saved, changes scores', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await open(page, '#/settings/rules');
  const rules = page.locator('#rules-text');

  await rules.fill('rule "Big" when employees >= 100 then +10\nrule "Oops" when industy == "SaaS" then +5');
  await page.waitForSelector('.rules-error.is-shown', { timeout: 10000 });
  assert.match(await page.textContent('#rules-error'), /Line 2, column 18/);
  assert.match(await page.textContent('#rules-error'), /unknown field "industy"/);
  assert.equal(await page.textContent('.rules-gutter .is-error'), '2');
  assert.equal(await rules.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#model-save').isDisabled(), true);

  // Fixing the text clears the error and brings the preview.
  await rules.fill('rule "Decision maker" when title has_any ["vp", "head", "chief", "director", "founder"] then +40');
  await page.waitForSelector('.whatif-stats', { timeout: 10000 });
  assert.equal(await page.locator('.rules-error.is-shown').count(), 0);
  const changed = Number((await page.textContent('.whatif-stats div:nth-child(2) dd')).replace(/,/g, ''));
  assert.ok(changed > 0, 'the preview counts changed leads');
  assert.match(await page.textContent('#whatif'), /This change moves \d+ leads? from/);

  const before = await page.evaluate(async () => {
    const { worker } = window.leadkit.ctx;
    const { rows } = await worker.read('query', { filter: { title: ['VP Sales', 'Head of Growth'] }, limit: 5 });
    const pick = rows[0] ?? (await worker.read('query', { search: '', limit: 200 })).rows.find((l) => /vp|head|chief|director|founder/i.test(l.title ?? ''));
    return { id: pick.id, total: (await worker.read('score', pick.id)).total };
  });
  await page.click('#model-save');
  await page.waitForSelector('#model-status:text("No unsaved changes")', { timeout: 10000 });
  const after = await page.evaluate((id) => window.leadkit.ctx.worker.read('score', id).then((s) => s.total), before.id);
  assert.ok(after > before.total, `score of ${before.id} went from ${before.total} to ${after}`);
  // Query rows carry the score once the core change lands; then the table shows the new one too.
  const row = await page.evaluate((id) => window.leadkit.ctx.worker.read('query', { filter: { id } }).then((r) => r.rows[0]), before.id);
  if (row.score) assert.equal(row.score.total, after);

  // The saved model survives a reload.
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.locator('#rules-text').inputValue(), /Decision maker/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad stage guard is refused with where it is, and the stored settings stay', async () => {
  const page = await context.newPage();
  await open(page, '#/settings/pipeline');
  await page.fill('[data-path="reasons.lost[0].key"]', 'No Budget');
  await page.waitForSelector('#pipeline-error p');
  assert.match(await page.textContent('#pipeline-error'), /reasons\.lost\[0\]\.key/);
  await page.click('#pipeline-save');
  const stored = await page.evaluate(() => window.leadkit.ctx.worker.read('getPipeline').then((p) => p.reasons.lost[0].key));
  assert.equal(stored, 'no_budget');
  await page.close();
});
