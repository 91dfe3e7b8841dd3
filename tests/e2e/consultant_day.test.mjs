// A consultant's day, with the keyboard alone (Tab to reach a control, Enter to confirm), at laptop
// size (1400×900) and at phone size (390×844), with no screen scrolling sideways:
// create a workspace for a client; import their HubSpot export with messy rows (warnings, not
// rejections) and map the source values leadkit does not know; work one lead by hand (touches
// with notes, BANT) from new to MQL, SQL, opportunity (with its deal value) and customer; move
// three leads to lost at once with "other" and a note; plan a task for tomorrow and find it on
// Today; export the leads as CSV and import that file into a new workspace: the same leads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, readyOn } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

const HUBSPOT = readFileSync(new URL('../fixtures/hubspot_messy.csv', import.meta.url));
const ROUTE_KEY = { today: '1', leads: '2', board: '3', dashboard: '4', learn: '5', import: '6', settings: '7', workspaces: '8' };

let server, base;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

for (const viewport of [{ width: 1400, height: 900 }, { width: 390, height: 844 }]) {
  describe(`a consultant's day at ${viewport.width}×${viewport.height}`, () => {
    let context, page;
    const errors = [];
    const overflow = [];
    before(async () => {
      context = await launch({ viewport });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (e) => errors.push(e.message));
      // Listening from the start turns on the interception of file choosers before one is opened.
      page.on('filechooser', () => {});
      await page.goto(`${base}/app/#/today`);
      await readyOn(page, 'today');
    });
    after(() => context?.close());

    const read = (method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);

    /** Presses Tab until `selector` (or an element whose text is `text`) has focus. */
    async function tabTo(selector, { text, limit = 600 } = {}) {
      for (let i = 0; i < limit; i++) {
        const hit = await page.evaluate(([sel, t]) => {
          const a = document.activeElement;
          if (!a || a === document.body) return false;
          if (sel && !a.matches(sel)) return false;
          return t == null || a.textContent.trim() === t;
        }, [selector, text ?? null]);
        if (hit) return;
        await page.keyboard.press('Tab');
      }
      const at = await page.evaluate(() => {
        const a = document.activeElement;
        return `${a?.tagName}#${a?.id}.${a?.className} "${a?.textContent?.trim().slice(0, 40)}" dialog open: ${!!document.querySelector('dialog[open]')}`;
      });
      throw new Error(`Tab never reached ${selector ?? ''} ${text ?? ''}; focus is on ${at}`);
    }
    /** Alt+digit: the app's keyboard shortcut to each screen. */
    async function screen(route) {
      await page.keyboard.press(`Alt+${ROUTE_KEY[route]}`);
      await readyOn(page, route);
      await checkOverflow(route);
    }
    async function checkOverflow(where) {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (wide > 0) overflow.push(`${where}: ${wide} px`);
    }
    async function stageIs(id, stage) {
      await page.waitForFunction(async ([leadId, s]) => (await window.leadkit.ctx.worker.read('getLead', leadId)).stage === s, [id, stage]);
    }
    async function logTouch(key, note) {
      const count = Number(await page.textContent('#lead-touch-count'));
      await tabTo(`.lead-touches [data-touch="${key}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog.modal[open] #touch-note:focus');
      await page.keyboard.type(note);
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => Number(document.querySelector('#lead-touch-count')?.textContent) === n, count + 1);
    }
    /** Picks a stage in the focused select by its first letter, as a keyboard user does. */
    async function pick(label) {
      await page.keyboard.press(label[0].toLowerCase());
    }
    async function moveTo(label, id, stage) {
      await tabTo('#lead-move');
      await pick(label);
      await stageIs(id, stage);
      // And the page has repainted with it, so the next step acts on what it shows.
      await page.waitForFunction((l) => document.querySelector('#lead-stage')?.textContent.trim() === l, label);
    }
    async function importFile(name, buffer) {
      await screen('import');
      await tabTo('#import-choose');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
      await chooser.setFiles({ name, mimeType: 'text/csv', buffer });
      await page.waitForSelector('#import-mapping');
      await checkOverflow('import: mapping');
      await tabTo('#import-check');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#import-sources, #import-report');
    }
    async function newWorkspace(name) {
      await screen('workspaces');
      await tabTo('button', { text: 'New workspace' });
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog.modal[open] input:focus');
      await page.keyboard.type(name);
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => window.leadkit.ctx.workspace?.name === n, name);
      await readyOn(page, 'leads');
    }

    let worked;  // the lead worked by hand
    test('create a workspace and import the client\'s HubSpot export: warnings, not rejections; unknown sources mapped', async () => {
      await newWorkspace('Orbit Consulting');
      await importFile('hubspot-contacts.csv', HUBSPOT);
      await page.waitForSelector('#import-sources');
      await checkOverflow('import: sources');
      // HubSpot's "Offline Sources" are events here; the rest keep what the step suggests.
      await tabTo('select[data-value="Offline Sources"]');
      await page.keyboard.type('Event');  // typed quickly, a label picks its option
      assert.equal(await page.inputValue('select[data-value="Offline Sources"]'), 'event');
      await tabTo('#import-sources-save');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#import-report');
      await checkOverflow('import: report');
      const report = await page.textContent('#import-report');
      assert.match(report, /New leads\s*200/);
      assert.match(report, /Rejected rows\s*0/);
      assert.match(report, /Rows with warnings\s*7/);
      await tabTo('#import-run');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#import-result');
      assert.match(await page.textContent('#import-result'), /Imported\s*200/);
      const summary = await read('summary');
      assert.equal(summary.total, 200);
      assert.equal(summary.bySource.event, 14);
      assert.equal(summary.bySource.website_form, undefined, 'Direct Traffic is not a website form');
    });

    test('work a lead by hand: touches with notes and BANT take it to MQL, SQL, opportunity (with a deal value) and customer', async () => {
      // The best-fitting lead nobody has worked yet.
      const { rows } = await read('query', { limit: 1, sort: { field: 'fit', order: 'desc' }, filter: { stage: 'new' }, now: Date.now() });
      worked = rows[0];
      await screen('leads');
      await page.keyboard.press('/');
      await page.keyboard.type(worked.email);
      await page.waitForFunction((id) => document.querySelectorAll('.vbody .vrow[data-id]').length === 1
        && document.querySelector('.vbody .vrow[data-id]').dataset.id === id, worked.id);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await readyOn(page, 'lead');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'lead-name', 'the lead\'s heading has focus');
      await checkOverflow('lead');

      // MQL needs engagement: refused until the lead is worked.
      await tabTo('#lead-move');
      await pick('MQL');
      await page.waitForFunction(() => /Not moved/.test(document.querySelector('#lead-move-error')?.textContent ?? ''));
      await logTouch('call-connected', 'Spoke with them about their pipeline');
      await logTouch('replied', 'Replied: wants a demo');
      await logTouch('meeting', 'Demo booked for Thursday');
      await moveTo('MQL', worked.id, 'mql');

      // BANT: three of four met make a prospect (SQL).
      for (const criterion of ['budget', 'authority', 'need']) {
        await tabTo(`input[name="bant-${criterion}"]:checked`);
        await page.keyboard.press('ArrowRight');  // partly
        await page.waitForSelector(`.lead-criterion.status-partly[data-criterion="${criterion}"]`);
        await page.keyboard.press('ArrowRight');  // met
        await page.waitForSelector(`.lead-criterion.status-met[data-criterion="${criterion}"]`);
      }
      await moveTo('SQL', worked.id, 'sql');

      // An opportunity needs its deal value.
      await tabTo('#lead-move');
      await pick('Opportunity');
      await page.waitForFunction(() => /deal value/i.test(document.querySelector('#lead-move-error')?.textContent ?? ''));
      await tabTo('#field-dealValue');
      await page.keyboard.type('24000');
      await page.keyboard.press('Tab');  // leaving the field saves it
      await page.waitForFunction(async (id) => (await window.leadkit.ctx.worker.read('getLead', id)).dealValue === 24000, worked.id);
      await moveTo('Opportunity', worked.id, 'opportunity');
      await moveTo('Customer', worked.id, 'customer');
      const lead = await read('getLead', worked.id);
      assert.deepEqual(lead.history.map((h) => h.to), ['mql', 'sql', 'opportunity', 'customer']);
      assert.deepEqual(lead.touches.map((t) => t.note), ['Spoke with them about their pipeline', 'Replied: wants a demo', 'Demo booked for Thursday']);
    });

    test('plan a task for tomorrow and find it on Today', async () => {
      await tabTo('[data-action="add-task"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog.modal[open] #task-title:focus');
      await page.keyboard.type('Send the onboarding plan');
      await page.keyboard.press('Enter');  // due: tomorrow, 9:00
      await page.waitForSelector('.lead-task-list .lead-task-title:has-text("Send the onboarding plan")');
      await screen('today');
      await page.waitForSelector('.today-task-title:has-text("Send the onboarding plan")');
      assert.match(await page.textContent('#today-tasks-summary'), /later this week/);
      assert.match(await page.textContent('.today-task:has-text("Send the onboarding plan") time'), /tomorrow/);
    });

    test('move three leads to lost at once with "other" and a note', async () => {
      await screen('leads');
      await page.keyboard.press('/');
      await page.keyboard.press('ArrowDown');
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await page.evaluate(() => document.activeElement.closest('.vrow').dataset.id));
        await page.keyboard.press('x');
        await page.keyboard.press('ArrowDown');
      }
      await page.waitForSelector('.bulk-bar:not([hidden])');
      await tabTo('select[aria-label="Move selected leads to stage"]');
      await pick('Lost');
      await page.waitForSelector('dialog.modal[open] #bulk-reason:focus');
      await pick('Other');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Went with an in-house tool');
      await page.keyboard.press('Enter');
      for (const id of ids) await stageIs(id, 'lost');
      for (const id of ids) {
        const last = (await read('getLead', id)).history.at(-1);
        assert.deepEqual([last.to, last.reason, last.note], ['lost', 'other', 'Went with an in-house tool']);
      }
    });

    test('export the leads as CSV and import it into a new workspace: the same leads', async () => {
      await screen('leads');
      await tabTo('button', { text: 'Export CSV' });
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const csv = readFileSync(await download.path());
      const fields = (l) => ({ firstName: l.firstName, lastName: l.lastName, email: l.email, phone: l.phone, company: l.company,
        title: l.title, industry: l.industry, employees: l.employees, annualRevenue: l.annualRevenue, country: l.country,
        source: l.source, stage: l.stage, dealValue: l.dealValue, tags: l.tags ?? [] });
      const before = (await read('query', { limit: 1000, sort: { field: 'email', order: 'asc' } })).rows.map(fields);

      await newWorkspace('Orbit Consulting (copy)');
      await importFile('leads.csv', csv);
      if (await page.locator('#import-sources').count()) {  // the new workspace does not know this client's channels yet
        await tabTo('#import-sources-save');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#import-report');
      }
      assert.match(await page.textContent('#import-report'), /Rejected rows\s*0/);
      await tabTo('#import-run');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#import-result');
      const copied = (await read('query', { limit: 1000, sort: { field: 'email', order: 'asc' } })).rows.map(fields);
      assert.equal(copied.length, before.length);
      assert.deepEqual(copied, before);
    });

    test('no screen scrolled sideways, and nothing failed', () => {
      assert.deepEqual(overflow, []);
      assert.deepEqual(errors, []);
    });
  });
}
