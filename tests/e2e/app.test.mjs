// The app shell as a user meets it, in Debian's Chromium: a first visit seeds the demo workspace
// into IndexedDB, changes survive a reload, the service worker lets the app open with the network
// off, workspaces come and go and travel as backup files, two tabs never overwrite each other, and
// the page asks nothing of any other origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { launch, openApp as openAppAt, ready } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

const appDir = new URL('../../web/app/', import.meta.url);
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
  server?.closeAllConnections?.();
  server?.close();
});

const openApp = (page, hash) => openAppAt(page, base, hash);
const rowIds = (page) => page.$$eval('.vrow[data-id]', (rows) => rows.map((r) => r.dataset.id));
const resultCount = async (page) => Number((await page.textContent('.result-count')).replace(/\D/g, ''));
const query = (page, q) => page.evaluate((q) => window.leadkit.ctx.worker.read('query', q), q);
/** Clicks a button in the open modal dialog by its label. */
const answer = (page, label) => page.locator('dialog.modal[open]').getByRole('button', { name: label, exact: true }).click();

test('the service worker precaches every screen, and every file it lists exists', () => {
  const source = readFileSync(new URL('sw.js', appDir), 'utf8');
  const shell = JSON.parse(source.match(/const SHELL = (\[[^\]]*\])/)[1].replaceAll("'", '"').replace(/,\s*\]/, ']'));
  for (const file of readdirSync(new URL('views/', appDir))) {
    if (file.endsWith('.js')) assert.ok(shell.includes(`views/${file}`), `sw.js SHELL lacks views/${file}`);
  }
  for (const file of readdirSync(appDir)) {
    if (/\.(js|css|html)$/.test(file) && file !== 'sw.js') assert.ok(shell.includes(file), `sw.js SHELL lacks ${file}`);
  }
  const routes = [...readFileSync(new URL('main.js', appDir), 'utf8').matchAll(/import\('\.\/(views\/\w+\.js)'\)/g)].map((m) => m[1]);
  assert.ok(routes.length >= 9);
  for (const route of routes) assert.ok(shell.includes(route), `sw.js SHELL lacks ${route}`);
  // The vendored and built files come from scripts/build; the views from the people writing them.
  const missing = shell.filter((path) => path !== './' && !existsSync(new URL(path, appDir)));
  assert.deepEqual(missing, [], 'files listed in sw.js SHELL that do not exist');
});

test('a first visit seeds the demo workspace and shows it in the table', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page);
  assert.equal(await page.getAttribute('body', 'data-seeded'), 'true');
  assert.match(await page.textContent('#storage-note'), /520 demo leads/);
  assert.equal(await resultCount(page), 520);
  assert.ok((await rowIds(page)).length >= 10, 'rows are rendered');
  const stageTotal = await page.$$eval('.stage-count', (els) => els.reduce((n, e) => n + Number(e.textContent.replace(/,/g, '')), 0));
  assert.equal(stageTotal, 520);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the app is installable: a manifest with an icon and a service worker in control', async () => {
  const page = await context.newPage();
  await openApp(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller != null, null, { timeout: 15_000 });
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, []);
  await page.close();
});

test('a reload keeps a change: bulk-tagged leads are still tagged, and nothing is seeded again', async () => {
  const page = await context.newPage();
  await openApp(page);
  const ids = (await rowIds(page)).slice(0, 3);
  for (const id of ids) await page.click(`.vrow[data-id="${id}"] .row-check`);
  await page.waitForSelector('.bulk-bar:not([hidden])');
  assert.match(await page.textContent('.bulk-count'), /^3 selected$/);
  await page.fill('[aria-label="Tag to add or remove"]', 'kept-after-reload');
  await page.getByRole('button', { name: 'Add tag', exact: true }).click();
  await page.waitForSelector('.toast:has-text("Tagged 3 leads")');

  await page.reload();
  await ready(page);
  assert.equal(await page.getAttribute('body', 'data-seeded'), 'false');
  // The worker began that load itself, named after the saved workspace (boot.js), in a memory
  // sized by the visit before; the page's open() took it over rather than loading it again.
  const opened = await page.evaluate(() => window.leadkit.ctx.worker.openTimings());
  assert.equal(opened.loads, 1);
  assert.equal(opened.memoryGiven, true);
  const tagged = await query(page, { filter: { tags: ['kept-after-reload'] }, limit: 10 });
  assert.deepEqual(tagged.rows.map((l) => l.id).sort(), [...ids].sort());
  assert.equal(await resultCount(page), 520);
  await page.close();
});

test('bulk delete asks first, and Undo puts the leads back', async () => {
  const page = await context.newPage();
  await openApp(page);
  const before = await resultCount(page);
  const ids = (await rowIds(page)).slice(0, 2);
  for (const id of ids) await page.click(`.vrow[data-id="${id}"] .row-check`);
  await page.locator('.bulk-bar').getByRole('button', { name: 'Delete', exact: true }).click();
  await answer(page, 'Delete');
  await page.waitForFunction((n) => document.querySelector('.result-count').textContent === `${n} leads`, before - 2);
  assert.equal((await query(page, { search: undefined, limit: 1 })).total, before - 2);
  await page.locator('.toast:has-text("Deleted 2 leads")').getByRole('button', { name: 'Undo' }).click();
  await page.waitForFunction((n) => document.querySelector('.result-count').textContent === `${n} leads`, before);
  for (const id of ids) assert.ok(await page.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), id), `${id} restored`);
  await page.close();
});

test('many changes are folded into a new snapshot, and a reload still has each of them', async () => {
  const page = await context.newPage();
  await openApp(page);
  const before = await resultCount(page);
  // Tag every lead (more changes than the log keeps), then delete two: the log is compacted into
  // a snapshot a moment after the tagging, and the deletes land in the new log.
  await page.click('[aria-label="Select all matching leads"]');
  await page.waitForFunction((n) => document.querySelector('.bulk-count')?.textContent === `${n} selected`, before);
  await page.fill('[aria-label="Tag to add or remove"]', 'everyone');
  await page.getByRole('button', { name: 'Add tag', exact: true }).click();
  await page.waitForSelector(`.toast:has-text("Tagged ${before} leads")`);
  let state;
  for (const t0 = Date.now(); Date.now() - t0 < 20_000; await new Promise((r) => setTimeout(r, 250))) {
    state = await page.evaluate(storedState);
    if (state.snapshot && state.log === 0) break;
  }
  assert.deepEqual(state, { snapshot: 'binary', log: 0 }, 'the log was folded into a binary snapshot');
  if (await page.isVisible('.bulk-bar')) await page.click('text=Clear selection');
  const gone = (await rowIds(page)).slice(0, 2);
  const originals = await page.evaluate((ids) => Promise.all(ids.map((id) => window.leadkit.ctx.worker.read('getLead', id))), gone);
  for (const id of gone) await page.click(`.vrow[data-id="${id}"] .row-check`);
  await page.locator('.bulk-bar').getByRole('button', { name: 'Delete', exact: true }).click();
  await answer(page, 'Delete');
  await page.waitForFunction((n) => document.querySelector('.result-count').textContent === `${n} leads`, before - 2);
  assert.equal((await page.evaluate(storedState)).log, 2, 'the deletes are in the log over the snapshot');

  await page.reload();
  await ready(page);
  assert.equal(await resultCount(page), before - 2);
  for (const id of gone) assert.equal(await page.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), id), null, `${id} stays deleted`);
  const tagged = await query(page, { filter: { tags: ['everyone'] }, limit: 1 });
  assert.equal(tagged.total, before - 2, 'every remaining lead kept its tag');
  // Leave the demo as the later tests expect it: the two leads back, the tag off again.
  await page.evaluate((leads) => Promise.all(leads.map((l) => window.leadkit.ctx.worker.saveLead(l))), originals);
  await page.reload();
  await ready(page);
  assert.equal(await resultCount(page), before);
  await page.click('[aria-label="Select all matching leads"]');
  await page.waitForFunction((n) => document.querySelector('.bulk-count')?.textContent === `${n} selected`, before);
  await page.fill('[aria-label="Tag to add or remove"]', 'everyone');
  await page.getByRole('button', { name: 'Remove tag', exact: true }).click();
  await page.waitForFunction(() => window.leadkit.ctx.worker.read('query', { filter: { tags: ['everyone'] }, limit: 1 })
    .then((r) => r.total === 0), null, { polling: 250 });
  await page.close();
});

test('a workspace stored by an older leadkit, as a JSON snapshot, opens with every lead and is rewritten in binary', async () => {
  const page = await context.newPage();
  await openApp(page);
  const text = await page.evaluate(() => window.leadkit.ctx.worker.exportBackup());
  const leads = JSON.parse(text).leads.slice(0, 25);
  // Written as leadkit stored snapshots before the binary form: exportJson text as a Blob.
  await page.evaluate((backup) => new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onsuccess = () => {
      const tx = open.result.transaction(['workspaces', 'snapshots'], 'readwrite');
      tx.objectStore('workspaces').put({ id: 'older', name: 'Older leadkit', createdAt: new Date().toISOString(), rev: 0 });
      tx.objectStore('snapshots').put({ workspaceId: 'older', blob: new Blob([backup], { type: 'application/json' }) });
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), JSON.stringify({ format: 'leadkit-workspace', version: 1, channels: {}, leads }));
  await page.evaluate(() => localStorage.setItem('leadkit.workspace', 'older'));
  await page.reload();
  await ready(page);
  assert.equal(await resultCount(page), 25);
  assert.equal(await page.evaluate(() => window.leadkit.ctx.workspace.id), 'older');
  const lead = await page.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), leads[3].id);
  assert.equal(lead.email, leads[3].email);
  // An edit straight away (before the rewrite) must not cancel it.
  await page.evaluate((l) => window.leadkit.ctx.worker.saveLead({ ...l, notes: 'edited before the rewrite' }), lead);
  // A moment after opening it, the worker rewrites it in the binary form, which reads faster.
  let state;
  for (const t0 = Date.now(); Date.now() - t0 < 20_000; await new Promise((r) => setTimeout(r, 250))) {
    state = await page.evaluate(storedState);
    if (state.snapshot === 'binary') break;
  }
  assert.deepEqual(state, { snapshot: 'binary', log: 0 });
  await page.reload();
  await ready(page);
  assert.equal(await resultCount(page), 25, 'the rewritten snapshot holds every lead');
  assert.equal((await page.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), leads[3].id)).notes,
    'edited before the rewrite');
  await page.evaluate(() => window.leadkit.ctx.worker.deleteWorkspace('older'));
  await page.evaluate(() => localStorage.setItem('leadkit.workspace', 'demo'));
  await page.close();
});

/**
 * In the page: the open workspace's snapshot in IndexedDB ('binary', 'json' or null), and how many
 * leads its change log holds over it (records kept for the previous snapshot are not counted).
 */
function storedState() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const id = window.leadkit.ctx.workspace.id;
      const tx = open.result.transaction(['snapshots', 'leads'], 'readonly');
      const snap = tx.objectStore('snapshots').get(id);
      const log = tx.objectStore('leads').index('byWorkspace').getAll(id);
      tx.oncomplete = async () => {
        open.result.close();
        const blob = snap.result?.blob;
        const head = blob ? new TextDecoder().decode(await blob.slice(0, 8).arrayBuffer()) : '';
        const since = snap.result?.gen ?? 0;
        resolve({ snapshot: !blob?.size ? null : head.startsWith('LKSNAP') ? 'binary' : 'json', log: log.result.filter((r) => (r.gen ?? 0) >= since).length });
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

test('keyboard: / focuses search, j/k move between rows, Enter opens the lead', async () => {
  const page = await context.newPage();
  await openApp(page);
  await page.locator('#view h1').click();  // focus somewhere neutral
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-search')), true);
  await page.keyboard.press('ArrowDown');
  const focused = () => page.evaluate(() => document.activeElement.closest('.vrow')?.dataset.index ?? null);
  assert.equal(await focused(), '0');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await focused(), '2');
  await page.keyboard.press('k');
  assert.equal(await focused(), '1');
  const id = await page.evaluate(() => document.activeElement.closest('.vrow').dataset.id);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => location.hash === `#/lead/${encodeURIComponent(id)}`, id);
  await page.close();
});

test('scrolled deep and back, every row shown is the lead at its place, with its own score, grade and stage', async () => {
  const page = await context.newPage();
  await openApp(page);
  // Row elements are reused as the table scrolls: each must show its new lead, never a part of the last.
  const shown = () => page.$$eval('.vbody .vrow', (rows) => rows.map((r) => ({
    index: Number(r.dataset.index), id: r.dataset.id ?? null,
    name: r.querySelector('.col-lead .primary')?.textContent ?? null,
    company: r.querySelector('.col-company .primary')?.textContent ?? null,
    score: r.querySelector('.col-score')?.textContent ?? null,
    stage: r.querySelector('.col-stage')?.textContent ?? null,
  })));
  const stageLabel = await page.evaluate(async () => (await import('/app/ui.js')).STAGE_LABEL);
  for (const row of [300, 400, 0]) {
    await page.locator('.vscroll').evaluate((box, top) => { box.scrollTop = top; }, row * 44);
    await page.waitForFunction((row) => {
      const rows = [...document.querySelectorAll('.vbody .vrow')];
      return rows.some((r) => Number(r.dataset.index) === row) && rows.every((r) => r.dataset.id);
    }, row);
    const rows = await shown();
    const first = Math.min(...rows.map((r) => r.index));
    const { rows: leads } = await query(page, { sort: { field: 'createdAt', order: 'desc' }, offset: first, limit: rows.length, view: 'row' });
    for (const r of rows) {
      const l = leads[r.index - first];
      const expected = {
        index: r.index, id: l.id, name: [l.firstName, l.lastName].filter(Boolean).join(' ') || l.email || l.company || l.id,
        company: l.company ?? '—',
        score: l.score ? `${Math.round(l.score.total)}${l.score.grade ? `fit ${l.score.grade}` : '—'}` : '—',
        stage: stageLabel[l.stage],
      };
      assert.deepEqual(r, expected, `row ${r.index} after scrolling to ${row}`);
    }
  }
  await page.close();
});

test('workspaces: create, rename (kept after a reload), switch, back up, restore and delete', async () => {
  const page = await context.newPage();
  await openApp(page, '#/workspaces');
  await page.getByRole('button', { name: 'New workspace' }).first().click();
  await page.fill('dialog.modal[open] input', 'Acme GmbH');
  await answer(page, 'Create');
  await page.waitForFunction(() => location.hash === '#/leads');
  await ready(page);
  assert.equal(await page.$eval('#workspace-select', (s) => s.selectedOptions[0].textContent), 'Acme GmbH');
  assert.match(await page.textContent('.vempty'), /no leads yet/);

  await page.goto(`${base}/app/#/workspaces`);
  await ready(page);
  await page.getByRole('button', { name: 'Rename Acme GmbH' }).click();
  await page.fill('dialog.modal[open] input', 'Acme AG');
  await answer(page, 'Save');
  await page.waitForSelector('.workspace-card h2:has-text("Acme AG")');
  await page.reload();
  await ready(page);
  assert.equal(await page.$eval('#workspace-select', (s) => s.selectedOptions[0].textContent), 'Acme AG');

  // Switch back to the demo through the top bar, and back it up.
  const demoId = await page.$eval('#workspace-select', (s) => [...s.options].find((o) => o.textContent === 'Demo workspace').value);
  await page.selectOption('#workspace-select', demoId);
  await page.waitForFunction(() => window.leadkit.ctx.workspace?.name === 'Demo workspace');
  await ready(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Back up Demo workspace' }).click(),
  ]);
  const path = await download.path();
  const backup = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(backup.name, 'Demo workspace');
  assert.equal(backup.leads.length, 520);

  // Restore it: its name is taken, so it asks; Enter keeps both, under a distinct name.
  await page.setInputFiles('input[type=file][aria-label="Backup file to restore"]', {
    name: 'Demo-copy.leadkit.json', mimeType: 'application/json', buffer: readFileSync(path),
  });
  await page.waitForSelector('dialog.modal[open]:has-text("A workspace named “Demo workspace” exists")');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.toast:has-text("with 520 leads")');
  await page.waitForFunction(() => window.leadkit.ctx.workspace.id !== 'demo');  // the toast comes before the switch
  const restored = await page.evaluate(() => window.leadkit.ctx.workspace);
  assert.equal(restored.name, 'Demo workspace (2)');
  assert.notEqual(restored.id, 'demo');
  assert.equal((await query(page, { limit: 1 })).total, 520);

  // A bad backup is refused and creates nothing.
  const count = (await page.evaluate(() => window.leadkit.ctx.worker.workspaces())).length;
  await page.setInputFiles('input[type=file][aria-label="Backup file to restore"]', {
    name: 'broken.leadkit.json', mimeType: 'application/json', buffer: Buffer.from('{"leads": [{"email": 3}'),
  });
  await page.waitForSelector('.toast.tone-error:has-text("Nothing was changed")');
  assert.equal((await page.evaluate(() => window.leadkit.ctx.worker.workspaces())).length, count);

  // Delete both new workspaces; Cancel first keeps it.
  const cards = () => page.$$eval('.workspace-card h2', (hs) => hs.map((h) => h.firstChild.textContent));
  await page.getByRole('button', { name: 'Delete Acme AG' }).click();
  await answer(page, 'Cancel');
  assert.ok((await cards()).includes('Acme AG'));
  await page.getByRole('button', { name: 'Delete Acme AG' }).click();
  await answer(page, 'Delete workspace');
  await page.waitForFunction(() => ![...document.querySelectorAll('.workspace-card h2')].some((h) => h.firstChild.textContent === 'Acme AG'));
  await page.locator(`.workspace-card[aria-label="Demo workspace (2)"].is-open`).getByRole('button', { name: 'Delete Demo workspace (2)' }).click();
  await answer(page, 'Delete workspace');
  await page.waitForFunction(() => document.querySelectorAll('.workspace-card').length === 1);
  assert.deepEqual(await cards(), ['Demo workspace']);
  assert.equal(await page.evaluate(() => window.leadkit.ctx.workspace.id), 'demo');
  await page.close();
});

test('two tabs on one workspace: a change in one shows in the other, and a stale write is refused', async () => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openApp(a);
  await openApp(b);
  const [id] = await rowIds(a);

  // Tab A tags a lead; tab B hears of it (BroadcastChannel → worker.sync) and shows the latest.
  await a.evaluate((id) => window.leadkit.ctx.worker.bulk([id], { addTag: 'from-tab-a' }), id);
  await b.waitForSelector('.toast:has-text("changed in another tab")');
  const seenByB = await b.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), id);
  assert.ok(seenByB.tags.includes('from-tab-a'));

  // Another writer moves the stored revision on without tab B hearing of it (as when B acts
  // before the broadcast arrives): B's next write is refused and storage keeps the other write.
  const stored = await a.evaluate(bumpRevision);
  const write = await b.evaluate(async (id) => {
    try {
      await window.leadkit.ctx.worker.bulk([id], { addTag: 'stale-from-tab-b' });
      return { ok: true };
    } catch (error) {
      return { ok: false, kind: error.kind, message: error.message };
    }
  }, id);
  assert.equal(write.ok, false);
  assert.equal(write.kind, 'conflict');
  assert.match(write.message, /changed in another tab/);
  assert.equal(await a.evaluate(bumpRevision, { read: true }), stored, 'the refused write left the revision alone');
  const inB = await b.evaluate((id) => window.leadkit.ctx.worker.read('getLead', id), id);
  assert.ok(!inB.tags.includes('stale-from-tab-b'), 'tab B reloaded what is stored');

  // The same refusal through the screen: a toast says so.
  await a.evaluate(bumpRevision);
  await b.click(`.vrow[data-id="${id}"] .row-check`);
  await b.fill('[aria-label="Tag to add or remove"]', 'stale-again');
  await b.getByRole('button', { name: 'Add tag', exact: true }).click();
  await b.waitForSelector('.toast.tone-error:has-text("changed in another tab")');
  await a.close();
  await b.close();
});

/** Moves the demo workspace's stored revision on by one, straight in IndexedDB; returns it. */
function bumpRevision({ read = false } = {}) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('workspaces', 'readwrite');
      const spaces = tx.objectStore('workspaces');
      const get = spaces.get(window.leadkit.ctx.workspace.id);
      get.onsuccess = () => {
        const record = get.result;
        if (!read) { record.rev += 1; spaces.put(record); }
        tx.oncomplete = () => { open.result.close(); resolve(record.rev); };
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

test('after load the page requested nothing from any other origin', () => {
  assert.ok(requests.length > 20, 'requests were recorded');
  const foreign = requests.filter((url) => !url.startsWith(base + '/') && !url.startsWith('blob:' + base + '/'));
  assert.deepEqual(foreign, []);
});

// Last: it takes the server away.
test('with the network off and the server gone, a reload still opens the app with its leads', async () => {
  const page = await context.newPage();
  await openApp(page);
  await page.waitForFunction(() => navigator.serviceWorker.controller != null, null, { timeout: 15_000 });
  await context.setOffline(true);
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  await page.reload();
  await ready(page);
  assert.equal(await resultCount(page), 520);
  assert.ok((await rowIds(page)).length >= 10);
  await page.goto(`${base}/app/#/workspaces`);
  await ready(page);
  await context.setOffline(false);
  await page.close();
});
