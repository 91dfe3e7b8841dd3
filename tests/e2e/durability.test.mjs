// Never lose an acknowledged write, in Chromium: the browser killed mid-commit reopens
// all-or-nothing with every acknowledged edit; a full disk refuses in words and keeps everything;
// undo keeps later edits; a damaged record is reported and set aside; a workspace deleted or a
// database upgraded in another tab is said in words, with the unsaved edit kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, newProfile, openApp as openAppAt, ready } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

let server, base;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server?.closeAllConnections?.();
  server?.close();
});

const openApp = (page, hash) => openAppAt(page, base, hash);
const worker = (page, method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker[m](...a), [method, args]);
const read = (page, method, ...args) => page.evaluate(([m, a]) => window.leadkit.ctx.worker.read(m, ...a), [method, args]);
const total = async (page) => (await read(page, 'query', { limit: 1 })).total;
const csvRows = (n, tag) => ['First Name,Last Name,Email,Company',
  ...Array.from({ length: n }, (_, i) => `Kim,Row${i},${tag}-${i}@bulk.example,Bulk ${i % 50}`)].join('\n');

/** Kills the Chromium of one profile at once (SIGKILL: no shutdown, no flush), as a crash would. */
function killChromium(profile) {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const pids = out.split('\n').filter((line) => line.includes(profile) && !line.includes(' ps ')).map((line) => Number(line.trim().split(/\s+/)[0]));
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  return pids.length;
}

test('killed mid-commit, the browser reopens all-or-nothing with every acknowledged edit', async () => {
  const profile = newProfile();
  let context = await launch({ profile });
  let page = await context.newPage();
  await openApp(page);
  const ids = (await read(page, 'query', { limit: 5 })).rows.map((r) => r.id);
  const acknowledged = [];
  const sizes = new Set([await total(page)]);
  for (let kill = 0; kill < 3; kill += 1) {
    const before = await total(page);
    // An import of 3,000 rows and a stream of touches, with the browser killed somewhere inside.
    const imported = page.evaluate((csv) => window.leadkit.ctx.worker.importCsv(csv, {}), csvRows(3000, `kill${kill}`)).catch(() => null);
    const touching = (async () => {
      for (let i = 0; ; i += 1) {
        const note = `kill ${kill} touch ${i}`;
        const id = ids[i % ids.length];
        try {
          await page.evaluate(([id, note]) => window.leadkit.ctx.worker.logTouch(id, { channel: 'call', outcome: 'connected', note }), [id, note]);
        } catch { return; }
        acknowledged.push({ id, note });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300 + kill * 400));
    assert.ok(killChromium(profile) > 0, 'found the browser to kill');
    await Promise.allSettled([imported, touching]);
    await context.close().catch(() => {});
    context = await launch({ profile });
    page = await context.newPage();
    await openApp(page);
    const after = await total(page);
    assert.ok(after === before || after === before + 3000, `all or nothing: ${before} → ${after}`);
    sizes.add(after);
    for (const { id, note } of acknowledged) {
      const lead = await read(page, 'getLead', id);
      assert.ok(lead.touches.some((t) => t.note === note), `acknowledged "${note}" was lost`);
    }
  }
  assert.ok(acknowledged.length > 0, 'some touches were acknowledged before the kills');
  await context.close();
});

test('a full disk refuses an import and a change in words and keeps every stored lead, also after a reload', async () => {
  const context = await launch();
  const page = await context.newPage();
  // Chromium keeps what it learnt of a database's room while the database is open, so the disk is
  // made small before the first visit: room for the app and its demo workspace, and little more.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: base, quotaSize: 6 << 20 });
  await openApp(page);
  const before = await total(page);
  const [id] = (await read(page, 'query', { limit: 1 })).rows.map((r) => r.id);
  const attempt = (method, ...args) => page.evaluate(async ([m, a]) => {
    try { await window.leadkit.ctx.worker[m](...a); return { ok: true }; } catch (e) { return { ok: false, kind: e.kind, message: e.message }; }
  }, [method, args]);
  const big = await attempt('importCsv', csvRows(150000, 'full'), {});
  assert.equal(big.ok, false, 'the import did not fit');
  assert.equal(big.kind, 'storage');
  assert.match(big.message, /run out of storage space/);
  assert.equal(await total(page), before, 'the refused import is not shown as if stored');
  // A small change still fits and is kept; the refused import left nothing behind.
  assert.deepEqual(await attempt('logTouch', id, { channel: 'call', outcome: 'connected', note: 'still room' }), { ok: true });
  await page.reload();
  await ready(page);
  assert.equal(await total(page), before);
  assert.ok((await read(page, 'getLead', id)).touches.some((t) => t.note === 'still room'));
  await context.close();
});

test('Undo on the tag message keeps a call logged after it, across a reload', async () => {
  const context = await launch();
  const page = await context.newPage();
  await openApp(page);
  const ids = await page.$$eval('.vrow[data-id]', (rows) => rows.slice(0, 3).map((r) => r.dataset.id));
  for (const id of ids) await page.click(`.vrow[data-id="${id}"] .row-check`);
  await page.fill('[aria-label="Tag to add or remove"]', 'webinar');
  await page.getByRole('button', { name: 'Add tag', exact: true }).click();
  const toast = page.locator('.toast', { hasText: 'Tagged 3 leads' });
  await toast.waitFor();
  await worker(page, 'logTouch', ids[0], { channel: 'call', outcome: 'connected', note: 'Call: connected' });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.waitForSelector('.toast:has-text("Undone")');
  await page.reload();
  await ready(page);
  const lead = await read(page, 'getLead', ids[0]);
  assert.ok(lead.touches.some((t) => t.note === 'Call: connected'), 'the call logged after the tag is kept');
  for (const id of ids) assert.ok(!(await read(page, 'getLead', id)).tags.includes('webinar'));
  await context.close();
});

test('a damaged lead record: the workspace opens, says 1 record could not be read, and offers its bytes', async () => {
  const context = await launch();
  const page = await context.newPage();
  await openApp(page);
  const before = await total(page);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onsuccess = () => {
      const tx = open.result.transaction('leads', 'readwrite');
      tx.objectStore('leads').put({ workspaceId: 'demo', lead: { id: 'broken', email: 42 } });
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await ready(page);
  assert.equal(await total(page), before);
  const banner = page.locator('#banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /1 record could not be read/);
  const [download] = await Promise.all([page.waitForEvent('download'), banner.getByRole('button', { name: 'Download it' }).click()]);
  assert.match(download.suggestedFilename(), /unreadable-lead/);
  // Back up still works.
  await page.goto(`${base}/app/#/workspaces`);
  await ready(page);
  const [backup] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Back up/ }).click()]);
  assert.match(backup.suggestedFilename(), /\.leadkit\.json$/);
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await page.reload();
  await ready(page);
  assert.equal(await page.locator('#banner').isHidden(), true);
  await context.close();
});

test('a workspace deleted in another tab: the next save says so and the edit can be kept as a new workspace', async () => {
  const context = await launch();
  const a = await context.newPage();
  const b = await context.newPage();
  await openApp(a);
  await openApp(b);
  const [id] = (await read(b, 'query', { limit: 1 })).rows.map((r) => r.id);
  // Tab A makes another workspace, opens it and deletes the demo.
  const other = await worker(a, 'createWorkspace', 'Other');
  await a.evaluate((id) => window.leadkit.ctx.openWorkspace(id), other.id);
  await worker(a, 'deleteWorkspace', 'demo');
  const banner = b.locator('#banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /was deleted in another tab/);
  const saved = await b.evaluate(async (id) => {
    try { await window.leadkit.ctx.run(window.leadkit.ctx.worker.logTouch(id, { channel: 'call', outcome: 'connected', note: 'kept edit' })); return null; } catch (e) { return e.kind; }
  }, id);
  assert.equal(saved, 'deleted');
  await banner.getByRole('button', { name: 'Keep as a new workspace' }).click();
  await b.waitForFunction(() => window.leadkit.ctx.workspace?.name?.includes('(kept)'));
  const lead = await read(b, 'getLead', id);
  assert.ok(lead.touches.some((t) => t.note === 'kept edit'));
  await context.close();
});

test('a newer leadkit opening the database in another tab is not kept waiting; this tab asks for a reload', async () => {
  const context = await launch();
  const page = await context.newPage();
  await openApp(page);
  const other = await context.newPage();
  await other.goto(`${base}/app/icon.svg`);
  const upgraded = await other.evaluate(() => new Promise((resolve) => {
    const request = indexedDB.open('leadkit', 1000);
    request.onsuccess = () => { request.result.close(); resolve('opened'); };
    request.onblocked = () => resolve('blocked');
    request.onerror = () => resolve(String(request.error));
  }));
  assert.equal(upgraded, 'opened');
  const banner = page.locator('#banner');
  await banner.waitFor();
  assert.match(await banner.textContent(), /Reload this page/);
  await context.close();
});

test('an import refused because another tab wrote first keeps the file, says why, and runs again', async () => {
  const context = await launch();
  const a = await context.newPage();
  const b = await context.newPage();
  await openApp(a, '#/import');
  await openApp(b);
  const before = await total(a);
  await a.setInputFiles('#import-file', { name: 'leads.csv', mimeType: 'text/csv', buffer: Buffer.from(csvRows(40, 'refused')) });
  await a.click('#import-check');
  await a.waitForSelector('#import-run');
  // Tab B writes: tab A hears of it while its wizard holds the checked file.
  const [id] = (await read(b, 'query', { limit: 1 })).rows.map((r) => r.id);
  await worker(b, 'logTouch', id, { channel: 'call', outcome: 'connected', note: 'from tab B' });
  await a.waitForTimeout(500);
  assert.ok(await a.locator('#import-run').isVisible(), 'the wizard kept its place');
  // A's worker has not reloaded yet, so its import is refused at the commit and said so.
  await a.click('#import-run');
  await a.waitForSelector('#import-retry');
  assert.match(await a.textContent('#import-error'), /Another tab changed this workspace while leads\.csv was being imported/);
  await a.click('#import-retry');
  await a.waitForSelector('#import-result');
  assert.equal(await total(a), before + 40);
  const lead = await read(a, 'getLead', id);
  assert.ok(lead.touches.some((t) => t.note === 'from tab B'), 'the other tab\'s write is kept');
  await context.close();
});
