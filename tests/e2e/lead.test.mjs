// The lead page, the pipeline board and Today in Debian's Chromium: qualifying a lead through BANT
// to SQL, logging touches, moving cards (and being refused), field validation, hostile text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, ready as readyPage } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context, page;
const pageErrors = [];
const dialogs = [];

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/app/`;
  context = await launch();
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${base}#/today`);  // a first visit seeds the demo workspace
  await ready();
});
after(async () => {
  await context?.close();
  server?.close();
});

const ready = () => readyPage(page);
async function go(hash) {
  await page.evaluate((h) => { document.body.dataset.ready = 'false'; location.hash = h; }, hash);
  await ready();
}
async function reload() {
  await page.reload();
  await ready();
}
const read = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);
async function leadIn(stage) {
  const { rows } = await read('query', { filter: { stage }, limit: 1, sort: { field: 'createdAt', order: 'desc' } });
  assert.ok(rows[0], `a lead in ${stage}`);
  return rows[0];
}

test('a lead is qualified through BANT and moved to SQL, and the move survives a reload', async () => {
  const lead = await leadIn('new');
  await go(`#/lead/${lead.id}`);
  assert.equal((await page.textContent('#lead-stage')).trim(), 'New');

  // Before BANT, the SQL guard refuses and says why.
  await page.selectOption('#lead-move', 'sql');
  await page.waitForSelector('#lead-move-error:not(:empty)');
  assert.match(await page.textContent('#lead-move-error'), /SQL needs at least 3 of 4 BANT criteria met/);

  for (const criterion of ['budget', 'authority', 'need', 'timeline']) {
    await page.click(`.lead-criterion[data-criterion="${criterion}"] .seg-met`);
    await page.waitForSelector(`.lead-criterion.status-met[data-criterion="${criterion}"]`);
  }
  assert.equal(await page.textContent('#lead-verdict'), 'Qualified');

  await page.selectOption('#lead-move', 'sql');
  await page.waitForFunction(() => document.querySelector('#lead-stage')?.textContent.trim() === 'SQL');
  assert.match(await page.textContent('.lead-history-list'), /New\s*→\s*SQL/);

  await reload();
  assert.equal((await page.textContent('#lead-stage')).trim(), 'SQL');
  assert.equal(await page.locator('.lead-criterion.status-met').count(), 4);
  const stored = await read('getLead', lead.id);
  assert.equal(stored.stage, 'sql');
  assert.equal(stored.history.at(-1).to, 'sql');
});

test('quick-log touches on the lead page and on Today raise the count, and it persists', async () => {
  const lead = await leadIn('nurturing');
  await go(`#/lead/${lead.id}`);
  const before = Number(await page.textContent('#lead-touch-count'));
  // A quick-log button asks for the note (focused) and the time; Enter logs it.
  await page.click('.lead-touches [data-touch="call-no-answer"]');
  await page.waitForSelector('dialog.modal[open] #touch-note:focus');
  await page.keyboard.type('Rang twice, left no message');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.querySelector('#lead-touch-count').textContent) === n, before + 1);
  await page.click('.lead-touches [data-touch="email-sent"]');
  await page.waitForSelector('dialog.modal[open] #touch-note:focus');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.querySelector('#lead-touch-count').textContent) === n, before + 2);
  // A time later than now is refused in the dialog, which stays open and says why.
  await page.click('.lead-touches [data-touch="call-connected"]');
  await page.waitForSelector('dialog.modal[open] #touch-note:focus');
  await page.fill('#touch-at', '2031-01-01T10:00');
  await page.keyboard.press('Enter');
  assert.match(await page.textContent('dialog.modal[open] .field-error'), /up to now/);
  await page.keyboard.press('Escape');
  await reload();
  assert.equal(Number(await page.textContent('#lead-touch-count')), before + 2);
  assert.match(await page.textContent('.lead-touches .lead-list'), /E-mail: sent[\s\S]*Call: no answer[\s\S]*Rang twice, left no message/);

  await go('#/today');
  const first = page.locator('.today-row').first();
  const id = await first.getAttribute('data-id');
  const touchesBefore = (await read('getLead', id)).touches.length;
  await first.locator('[data-touch="call-connected"]').click();
  await page.fill('dialog.modal[open] #touch-note', 'Wants a proposal');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.toast.tone-success');
  await page.waitForFunction(async ([leadId, n]) => (await window.leadkit.ctx.worker.read('getLead', leadId)).touches.length === n, [id, touchesBefore + 1]);
  await reload();
  const after = await read('getLead', id);
  assert.equal(after.touches.length, touchesBefore + 1);
  assert.deepEqual({ channel: after.touches.at(-1).channel, outcome: after.touches.at(-1).outcome, note: after.touches.at(-1).note }, { channel: 'call', outcome: 'connected', note: 'Wants a proposal' });
  await go(`#/lead/${id}`);
  assert.equal(Number(await page.textContent('#lead-touch-count')), touchesBefore + 1);
});

test('the board refuses new → customer with the reason, and a dragged card moves and stays moved', async () => {
  await go('#/board');
  const newCount = Number(await page.textContent('.board-col[data-stage="new"] .board-count'));
  assert.ok(newCount > 0);

  // Keyboard: focus a card, press m, pick Customer: refused, the reason is shown, the card stays.
  const card = page.locator('.board-col[data-stage="new"] .board-card').first();
  const id = await card.getAttribute('data-id');
  await card.focus();
  await page.keyboard.press('m');
  await page.waitForSelector('dialog.modal');
  await page.check('dialog.modal input[value="customer"]');
  await page.click('dialog.modal button[value="true"]');
  await page.waitForSelector('.toast.tone-error');
  assert.match(await page.textContent('.toast.tone-error'), /cannot move from new to customer/);
  await page.waitForSelector(`.board-col[data-stage="new"] .board-card[data-id="${id}"]:not(.is-pending)`);
  assert.equal((await read('getLead', id)).stage, 'new');

  // Drag to Nurturing: allowed.
  const nurturingBefore = Number(await page.textContent('.board-col[data-stage="nurturing"] .board-count'));
  await page.dragAndDrop(`.board-card[data-id="${id}"]`, '.board-col[data-stage="nurturing"] .board-list');
  await page.waitForSelector(`.board-col[data-stage="nurturing"] .board-card[data-id="${id}"]:not(.is-pending)`);
  await page.waitForFunction((n) => Number(document.querySelector('.board-col[data-stage="nurturing"] .board-count').textContent) === n, nurturingBefore + 1);
  assert.equal(Number(await page.textContent('.board-col[data-stage="new"] .board-count')), newCount - 1);

  // Disqualified (from the keyboard: that column is scrolled out of view) asks for a reason first.
  await page.focus(`.board-card[data-id="${id}"]`);
  await page.keyboard.press('m');
  await page.check('dialog.modal input[value="disqualified"]');
  await page.click('dialog.modal button[value="true"]');
  await page.waitForSelector('dialog.modal #move-reason');
  await page.selectOption('#move-reason', 'not_icp');
  await page.click('dialog.modal button[value="true"]');
  await page.waitForSelector(`.board-col[data-stage="disqualified"] .board-card[data-id="${id}"]:not(.is-pending)`);

  await reload();
  assert.equal(await page.locator(`.board-col[data-stage="disqualified"] .board-card[data-id="${id}"]`).count(), 1);
  const stored = await read('getLead', id);
  assert.equal(stored.stage, 'disqualified');
  assert.match(stored.stageReason, /ideal customer profile/i);
  assert.equal(stored.history.at(-1).to, 'disqualified');
});

test('a bad e-mail is refused with the message beside the field, and nothing is saved', async () => {
  const lead = await leadIn('mql');
  await go(`#/lead/${lead.id}`);
  await page.fill('#field-email', 'not-an-email');
  await page.click('#lead-save');
  await page.waitForSelector('#field-email-error:not(:empty)');
  assert.match(await page.textContent('#field-email-error'), /e-mail address/);
  assert.equal(await page.getAttribute('#field-email', 'aria-invalid'), 'true');
  assert.equal((await read('getLead', lead.id)).email, lead.email);

  await page.fill('#field-email', 'ana.fixed@example.com');
  await page.fill('#field-employees', 'lots');
  await page.click('#lead-save');
  await page.waitForSelector('#field-employees-error:not(:empty)');
  assert.equal(await page.textContent('#field-email-error'), '');
  await page.fill('#field-employees', '250');
  await page.click('#lead-save');
  await page.waitForSelector('.toast.tone-success');
  const saved = await read('getLead', lead.id);
  assert.equal(saved.email, 'ana.fixed@example.com');
  assert.equal(saved.employees, 250);
});

test('hostile text in a company name is shown as text on the lead page, the board and Today', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  await go('#/lead/new');
  await page.fill('#field-firstName', 'Mallory');
  await page.fill('#field-company', hostile);
  await page.fill('#field-email', 'mallory@example.org');
  await page.click('#lead-save');
  await page.waitForFunction(() => /^#\/lead\/(?!new)/.test(location.hash) && document.body.dataset.ready === 'true');
  assert.match(await page.textContent('.lead-title .subtitle'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('#view img').count(), 0);
  const id = decodeURIComponent(await page.evaluate(() => location.hash.split('/')[2]));
  await page.click('.lead-touches [data-touch="call-no-answer"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#lead-touch-count').textContent === '1');

  await go('#/board');
  await page.fill('.toolbar input[type="search"]', 'Mallory');
  await page.waitForSelector(`.board-card[data-id="${id}"]`);
  assert.equal(await page.textContent(`.board-card[data-id="${id}"] .board-company`), hostile);
  assert.equal(await page.locator('#view img').count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});
