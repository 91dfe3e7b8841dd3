// A working day from the keyboard, in Debian's Chromium: dialogs confirm with Enter and cancel
// with Esc, giving focus back to what opened them; a bulk move to Lost for "other" reasons keeps
// its note; edits on a lead page survive leaving it; opening a lead puts focus on its name.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, ready as readyPage } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context, page;
const pageErrors = [];
const shots = process.env.LEADKIT_SHOTS ?? join(tmpdir(), 'leadkit-shots');

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}/app/`;
  context = await launch();
  await fresh('#/today');  // a first visit seeds the demo workspace
});
beforeEach(() => fresh('#/today'));  // a dialog a failing test left open stays in its own page
after(async () => {
  await context?.close();
  server?.closeAllConnections?.();
  server?.close();
});

async function fresh(hash) {
  await page?.close();
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${hash}`);
  await ready();
}
const ready = () => readyPage(page);
async function go(hash) {
  await page.evaluate((h) => { document.body.dataset.ready = 'false'; location.hash = h; }, hash);
  await ready();
}
/** Clicks a sidebar link, as a user leaves a screen. */
async function sidebar(label) {
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.locator('.sidebar').getByRole('link', { name: label }).click();
  await ready();
}
const read = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);
async function leadsIn(stage, limit = 1) {
  const { rows } = await read('query', { filter: { stage }, limit, sort: { field: 'createdAt', order: 'desc' } });
  assert.equal(rows.length, limit, `${limit} leads in ${stage}`);
  return rows;
}
/** What has focus: its id, its data-id, its tag and its value, whichever it has. */
const focused = () => page.evaluate(() => {
  const a = document.activeElement;
  return { tag: a?.tagName.toLowerCase(), id: a?.id || null, dataId: a?.dataset?.id ?? null, label: a?.getAttribute('aria-label'), value: a?.value ?? null, inDialog: !!a?.closest('dialog') };
});
/** Polls the page until check() is true (waitForFunction takes a promise for true). */
async function until(check, what, timeout = 10_000) {
  for (const t0 = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() - t0 > timeout) assert.fail(`timed out waiting until ${what}`);
  }
}
const hasFocus = (selector) => page.locator(selector).evaluate((e) => e === document.activeElement);
const dialogOpen = () => page.locator('dialog.modal[open]').count();
const settle = () => page.evaluate(() => new Promise((r) => setTimeout(r, 300)));

test('opening a lead, from the table with the keyboard or by its link, puts focus on its name', async () => {
  await go('#/leads');
  await page.locator('#view h1').click();
  await page.keyboard.press('/');
  await page.keyboard.press('ArrowDown');
  const id = await page.evaluate(() => document.activeElement.closest('.vrow').dataset.id);
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.keyboard.press('Enter');
  await ready();
  const lead = await read('getLead', id);
  assert.deepEqual(await page.evaluate(() => ({ tag: document.activeElement.tagName, id: document.activeElement.id, tabindex: document.activeElement.getAttribute('tabindex'), text: document.activeElement.textContent })),
    { tag: 'H1', id: 'lead-name', tabindex: '-1', text: [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.company || lead.id });

  const [other] = await leadsIn('mql');
  await go(`#/lead/${other.id}`);
  assert.equal((await focused()).id, 'lead-name');
});

const otherTouch = () => page.locator('.lead-touches').getByRole('button', { name: 'Other…', exact: true });

test('log a touch: Enter logs it with its note, Esc logs nothing and gives focus back to "Other…"', async () => {
  const [lead] = await leadsIn('nurturing');
  await go(`#/lead/${lead.id}`);
  const count = Number(await page.textContent('#lead-touch-count'));

  await otherTouch().focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.modal[open]');
  assert.ok(await hasFocus('dialog.modal[open] #touch-note'), 'the note, the first field, has focus');
  await page.keyboard.type('Asked for the pricing sheet');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.querySelector('#lead-touch-count').textContent) === n, count + 1);
  assert.equal(await dialogOpen(), 0);
  const logged = (await read('getLead', lead.id)).touches.at(-1);
  assert.equal(logged.note, 'Asked for the pricing sheet');

  await otherTouch().focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.modal[open]');
  await page.keyboard.type('Never mind');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog.modal'));
  await settle();
  assert.equal(Number(await page.textContent('#lead-touch-count')), count + 1);
  assert.equal((await read('getLead', lead.id)).touches.length, count + 1);
  assert.ok(await otherTouch().evaluate((b) => b === document.activeElement), 'focus is back on the button that opened the dialog');
});

test('board move: Enter moves the card to the stage picked, Esc moves nothing and gives focus back to the card', async () => {
  await go('#/board');
  const cards = page.locator('.board-col[data-stage="new"] .board-card');
  const id = await cards.first().getAttribute('data-id');
  await cards.first().focus();
  await page.keyboard.press('m');
  await page.waitForSelector('dialog.modal[open]');
  const first = await focused();
  assert.equal(first.inDialog, true);
  assert.deepEqual([first.tag, first.value], ['input', 'nurturing'], 'the first stage one can move to has focus');
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.board-col[data-stage="nurturing"] .board-card[data-id="${id}"]:not(.is-pending)`);
  assert.equal((await read('getLead', id)).stage, 'nurturing');

  const other = await cards.first().getAttribute('data-id');
  await cards.first().focus();
  await page.keyboard.press('m');
  await page.waitForSelector('dialog.modal[open]');
  await page.keyboard.press('Space');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog.modal'));
  await settle();
  assert.equal((await read('getLead', other)).stage, 'new');
  assert.equal(await page.locator(`.board-col[data-stage="new"] .board-card[data-id="${other}"]`).count(), 1);
  assert.equal((await focused()).dataId, other, 'focus is back on the card');
});

test('bulk move to Lost: Esc moves nothing; "other" asks for a note, and with one each lead moves and keeps it', async () => {
  const leads = await leadsIn('nurturing', 3);
  const ids = leads.map((l) => l.id);
  await go('#/leads');
  // Select the three through the table: search each one's e-mail, tick it (the selection stays).
  for (const l of leads) {
    await page.fill('[data-search]', l.email);
    await page.waitForSelector(`.vrow[data-id="${l.id}"]`);
    await page.waitForFunction(() => document.querySelectorAll('.vrow[data-id]').length === 1);
    await page.click(`.vrow[data-id="${l.id}"] .row-check`);
  }
  await page.waitForFunction(() => document.querySelector('.bulk-count')?.textContent === '3 selected');
  const stageMenu = page.locator('[aria-label="Move selected leads to stage"]');

  // Esc: nothing moves, the selection stays and focus is back on the menu.
  await stageMenu.focus();
  await page.keyboard.press('l');  // type-ahead: Lost
  await page.waitForSelector('dialog.modal[open]');
  assert.ok(await hasFocus('dialog.modal[open] select'), 'the first field has focus');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog.modal'));
  await settle();
  for (const id of ids) assert.equal((await read('getLead', id)).stage, 'nurturing');
  assert.equal(await page.textContent('.bulk-count'), '3 selected');
  assert.equal((await focused()).label, 'Move selected leads to stage');

  await page.keyboard.press('l');
  await page.waitForSelector('dialog.modal[open]');
  await page.keyboard.press('End');  // "Other (say why in the note)" is the last reason
  assert.equal(await page.inputValue('dialog.modal[open] select'), 'other');
  await page.keyboard.press('Enter');  // no note yet: the dialog says so and stays
  await page.waitForSelector('dialog.modal[open] .field-error:has-text("needs one")');
  assert.ok(await hasFocus('dialog.modal[open] input[type=text]'), 'focus is on the note');
  for (const id of ids) assert.equal((await read('getLead', id)).stage, 'nurturing');
  await page.screenshot({ path: join(shots, 'bulk-reason-dialog.png') });
  await page.keyboard.type('Chose to build it in-house');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.toast:has-text("Moved 3 leads to Lost")');
  assert.equal(await page.locator('.toast.tone-error').count(), 0, await page.locator('.toast').allTextContents().then((t) => t.join(' | ')));
  for (const id of ids) {
    const stored = await read('getLead', id);
    assert.equal(stored.stage, 'lost');
    assert.equal(stored.stageReason, 'Chose to build it in-house');
    assert.deepEqual([stored.history.at(-1).to, stored.history.at(-1).reason, stored.history.at(-1).note], ['lost', 'other', 'Chose to build it in-house']);
  }
  await go(`#/lead/${ids[1]}`);
  assert.match(await page.textContent('.lead-history-list li:first-child'), /Nurturing\s*→\s*Lost[\s\S]*Chose to build it in-house/);
});

test('notes typed on a lead page are there after leaving by the sidebar and after a reload', async () => {
  const [lead] = await leadsIn('mql');
  await go(`#/lead/${lead.id}`);
  const note = `Wants a pilot in Q3; call back after ${Date.now()}`;
  await page.click('#field-notes');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(`\n${note}`);
  await sidebar('Today');  // at once: no pause for a save
  await until(async () => ((await read('getLead', lead.id)).notes ?? '').includes(note), 'the notes are stored');

  await go(`#/lead/${lead.id}`);
  assert.ok((await page.inputValue('#field-notes')).endsWith(note));
  await page.reload();
  await ready();
  assert.ok((await page.inputValue('#field-notes')).endsWith(note));

  // A pause in typing saves too, and says so.
  await page.click('#field-notes');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Budget confirmed.');
  await page.waitForSelector('#lead-save-state[data-state="saved"]');
  assert.equal(await page.textContent('#lead-save-state'), 'Saved');
  assert.ok((await read('getLead', lead.id)).notes.endsWith('Budget confirmed.'));
  assert.ok((await page.inputValue('#field-notes')).endsWith('Budget confirmed.'), 'the text being typed is kept');
  await page.screenshot({ path: join(shots, 'lead-saved.png') });
});

test('any field is saved on leaving the page; one the engine refuses is kept and the user told, not dropped', async () => {
  const [lead] = await leadsIn('sql');
  await go(`#/lead/${lead.id}`);
  await page.fill('#field-company', 'Kestrel Analytics');
  await sidebar('Pipeline');
  await until(async () => (await read('getLead', lead.id)).company === 'Kestrel Analytics', 'the company is stored');

  await go(`#/lead/${lead.id}`);
  await page.fill('#field-email', 'not-an-email');
  await sidebar('Today');
  const warning = page.locator('.toast.tone-error', { hasText: 'not saved' });
  await warning.waitFor();
  assert.equal((await read('getLead', lead.id)).email, lead.email);
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await warning.getByRole('button', { name: 'Go back' }).click();
  await ready();
  assert.equal(await page.inputValue('#field-email'), 'not-an-email', 'what was typed is back');
  await page.waitForSelector('#field-email-error:not(:empty)');
  await page.screenshot({ path: join(shots, 'lead-not-saved.png') });
  await page.fill('#field-email', 'kestrel@example.com');
  await page.keyboard.press('Tab');
  await page.waitForSelector('#lead-save-state[data-state="saved"]');
  assert.equal((await read('getLead', lead.id)).email, 'kestrel@example.com');
});

test('new workspace: Esc creates nothing and gives focus back to the button, Enter creates it', async () => {
  await go('#/workspaces');
  const count = (await page.evaluate(() => window.leadkit.ctx.worker.workspaces())).length;
  const opener = page.locator('.page-actions').getByRole('button', { name: 'New workspace' });
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.modal[open]');
  assert.equal((await focused()).label, 'Client or workspace name');
  await page.keyboard.type('Not this one');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('dialog.modal'));
  await settle();
  assert.equal((await page.evaluate(() => window.leadkit.ctx.worker.workspaces())).length, count);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'New workspace');

  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog.modal[open]');
  await page.keyboard.type('Keyboard & Co');
  await page.evaluate(() => { document.body.dataset.ready = 'false'; });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/leads');
  await ready();
  assert.equal(await page.evaluate(() => window.leadkit.ctx.workspace.name), 'Keyboard & Co');
  const made = await page.evaluate(() => window.leadkit.ctx.workspace.id);
  await page.evaluate(async (id) => {
    await window.leadkit.ctx.openWorkspace('demo');
    await window.leadkit.ctx.worker.deleteWorkspace(id);
  }, made);
  assert.deepEqual(pageErrors, []);
});
