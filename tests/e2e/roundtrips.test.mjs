// What one action costs at the seam between page and engine: messages between the page and its
// worker, and calls into the WebAssembly module. Logging a touch from the lead page takes one
// message each way and two engine calls; saving a field of the lead page, one each way and three.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base, context, page;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
  page = await context.newPage();
  // Counts every message the page posts to a worker and every message a worker posts back.
  await page.addInitScript(() => {
    window.__messages = { sent: 0, received: 0 };
    const Base = window.Worker;
    window.Worker = class extends Base {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', () => { window.__messages.received += 1; });
      }
      postMessage(...args) {
        window.__messages.sent += 1;
        return super.postMessage(...args);
      }
    };
  });
  await page.goto(`${base}/app/#/leads`);
  await page.waitForSelector('body[data-ready="true"]');
});
after(async () => {
  await context?.close();
  server?.close();
});

const engineCalls = () => page.evaluate(() => window.leadkit.ctx.worker.engineCalls());

/** Runs `act` (which ends when the action is done) and returns what it cost. */
async function cost(act) {
  const calls = await engineCalls();
  await page.waitForTimeout(300);  // nothing else in flight
  await page.evaluate(() => { window.__messages.sent = 0; window.__messages.received = 0; });
  await act();
  await page.waitForTimeout(300);  // and nothing trailing
  const messages = await page.evaluate(() => ({ ...window.__messages }));
  return { ...messages, engineCalls: await engineCalls() - calls - 1 };  // less engineCalls() itself
}

async function openLead() {
  const { rows } = await page.evaluate(() => window.leadkit.ctx.worker.read('query', { limit: 1, filter: { stage: 'nurturing' } }));
  await page.evaluate((id) => { location.hash = `#/lead/${encodeURIComponent(id)}`; }, rows[0].id);
  await page.waitForFunction(() => document.body.dataset.route === 'lead' && document.body.dataset.ready === 'true');
  return rows[0].id;
}

test('logging a touch from the lead page: one message each way, two engine calls', async () => {
  const id = await openLead();
  const before = Number(await page.textContent('#lead-touch-count'));
  await page.click('.lead-touches [data-touch="call-connected"]');
  await page.waitForSelector('dialog.modal[open] #touch-note:focus');
  await page.keyboard.type('Wants the proposal by Friday');
  const spent = await cost(async () => {
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => Number(document.querySelector('#lead-touch-count').textContent) === n, before + 1);
  });
  console.log(`log a touch: ${spent.sent} message(s) to the worker, ${spent.received} back, ${spent.engineCalls} engine call(s)`);
  assert.ok(spent.sent + spent.received <= 2, JSON.stringify(spent));
  assert.ok(spent.engineCalls <= 2, JSON.stringify(spent));
  // The page shows what was stored.
  const stored = await page.evaluate((leadId) => window.leadkit.ctx.worker.read('getLead', leadId), id);
  assert.equal(stored.touches.at(-1).note, 'Wants the proposal by Friday');
  assert.match(await page.textContent('.lead-touches .lead-list'), /Wants the proposal by Friday/);
});

test('saving a field of the lead page: one message each way, three engine calls', async () => {
  const id = await openLead();
  await page.fill('#field-title', 'Head of Revenue Operations');
  const spent = await cost(async () => {
    await page.keyboard.press('Tab');  // leaving the field saves it
    await page.waitForFunction(() => document.querySelector('[data-state]')?.dataset.state === 'saved');
  });
  console.log(`save a lead: ${spent.sent} message(s) to the worker, ${spent.received} back, ${spent.engineCalls} engine call(s)`);
  assert.ok(spent.sent + spent.received <= 2, JSON.stringify(spent));
  assert.ok(spent.engineCalls <= 3, JSON.stringify(spent));
  const stored = await page.evaluate((leadId) => window.leadkit.ctx.worker.read('getLead', leadId), id);
  assert.equal(stored.title, 'Head of Revenue Operations');
  assert.match(await page.textContent('.lead-title .subtitle'), /Head of Revenue Operations/);
});
