// Today's call list is worked from the keyboard and the phone: each row can be called or written
// to from its links, shows what was said last, and after a quick log focus moves to the next lead.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp as openAppAt } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context, page;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
  page = await context.newPage();
});
after(async () => {
  await context?.close();
  server?.close();
});
const read = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);

test('each row links its phone (tel:) and e-mail (mailto:) and shows the last note', async () => {
  await openAppAt(page, base, '#/today');
  // A lead last touched weeks ago gets a note dated 20 days back: still on today's list, with it.
  const { items } = await read('callList', { limit: 50 });
  const { id } = items.find((i) => i.daysSinceTouch >= 21 && i.phone);
  const at = new Date(Date.now() - 20 * 86_400_000).toISOString();
  await page.evaluate(([id, at]) => window.leadkit.ctx.worker.logTouch(id, { channel: 'call', outcome: 'connected', note: 'Asked for <b>pricing</b> by Friday', at }), [id, at]);
  await openAppAt(page, base, '#/leads');
  await openAppAt(page, base, '#/today');
  const lead = await read('getLead', id);
  const row = page.locator(`.today-row[data-id="${id}"]`);
  assert.equal(await row.locator('a[href^="tel:"]').getAttribute('href'), `tel:${lead.phone.replace(/[^\d+]/g, '')}`);
  assert.equal(await row.locator('a[href^="mailto:"]').getAttribute('href'), `mailto:${lead.email}`);
  assert.equal(await row.locator('.today-note').textContent(), '“Asked for <b>pricing</b> by Friday”');  // text, never HTML
});

test('after a quick log, focus moves to the same button on the next lead, not to the page', async () => {
  await openAppAt(page, base, '#/today');
  const ids = await page.$$eval('.today-row', (rows) => rows.slice(0, 2).map((r) => r.dataset.id));
  await page.focus(`.today-row[data-id="${ids[0]}"] [data-touch="call-no-answer"]`);
  await page.keyboard.press('Enter');  // opens the note and time
  await page.waitForSelector('dialog.modal[open] #touch-note:focus');
  await page.keyboard.press('Enter');  // logs it
  await page.waitForSelector('.toast.tone-success');
  await page.waitForFunction((id) => document.activeElement?.closest('.today-row')?.dataset.id === id, ids[1]);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.touch), 'call-no-answer');
});
