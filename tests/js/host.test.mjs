// The engine host as a tab runs it, over fake-indexeddb: acknowledged writes survive undo, two
// tabs and reloads; a damaged record costs that record, not the workspace; storage closed or a
// workspace deleted elsewhere is said in words, and nothing this tab holds is dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvOf, freshProfile, openTab, rawAll, rawEdit } from './host_harness.mjs';

const notesOf = (lead) => (lead.touches ?? []).map((t) => t.note);

async function demoTab() {
  freshProfile();
  const tab = await openTab();
  assert.equal(tab.opened.seeded, true);
  return tab;
}

async function firstIds(host, n) {
  const { rows } = host.read('query', { limit: n, sort: { field: 'createdAt', order: 'asc' } });
  return rows.map((r) => r.id);
}

test('undo of a bulk tag keeps a touch logged after it, also across a reload', async () => {
  const { host } = await demoTab();
  const ids = await firstIds(host, 3);
  const { undo } = await host.bulk(ids, { addTag: 'webinar-2026' });
  await host.logTouch(ids[0], { channel: 'call', outcome: 'connected', note: 'Call: connected' });
  const result = await host.undo(undo);
  assert.equal(result.restored, 3);
  const reloaded = (await openTab('demo')).host;
  for (const id of ids) assert.ok(!reloaded.read('getLead', id).tags.includes('webinar-2026'), `${id} is still tagged`);
  assert.deepEqual(notesOf(reloaded.read('getLead', ids[0])).filter((n) => n === 'Call: connected'), ['Call: connected']);
});

test('undo keeps a field changed since and says which lead and field', async () => {
  const { host } = await demoTab();
  const [id] = host.read('query', { filter: { stage: 'new' }, limit: 1 }).rows.map((r) => r.id);
  const { undo } = await host.bulk([id], { addTag: 'x' });
  const lead = host.read('getLead', id);
  await host.saveLead({ ...lead, tags: [...lead.tags, 'later'], notes: 'typed after the bulk change' });
  const moved = await host.bulk([id], { stage: 'nurturing' });
  assert.equal(moved.changed, 1);
  await host.saveLead({ ...host.read('getLead', id), dealValue: 1234 });
  // The tag undo takes back only its own tag; the later tag and notes stay.
  await host.undo(undo);
  let now = host.read('getLead', id);
  assert.deepEqual(now.tags, ['later']);
  assert.equal(now.notes, 'typed after the bulk change');
  // The stage undo puts the stage back and keeps the deal value set after it.
  const r = await host.undo(moved.undo);
  now = host.read('getLead', id);
  assert.equal(now.stage, 'new');
  assert.equal(now.dealValue, 1234);
  assert.deepEqual(r.kept, []);
  // A stage moved again after a bulk move is kept, and the reply names it.
  const again = await host.bulk([id], { stage: 'nurturing' });
  const reason = host.read('getPipeline').reasons.lost[0].key;
  await host.transition(id, 'lost', { reason });
  const kept = await host.undo(again.undo);
  assert.equal(kept.restored, 0);
  assert.equal(kept.kept[0].id, id);
  assert.ok(kept.kept[0].fields.includes('stage'));
  assert.equal(host.read('getLead', id).stage, 'lost');
});

test('undo of a delete puts the lead back unless it was created again since', async () => {
  const { host } = await demoTab();
  const ids = await firstIds(host, 2);
  const leads = ids.map((id) => host.read('getLead', id));
  const { undo } = await host.removeLeads(ids);
  await host.saveLead({ id: ids[1], email: 'new@example.com' });
  const r = await host.undo(undo);
  assert.equal(r.restored, 1);
  assert.deepEqual(r.kept.map((k) => k.id), [ids[1]]);
  const reloaded = (await openTab('demo')).host;
  assert.equal(reloaded.read('getLead', ids[0]).email, leads[0].email);
  assert.equal(reloaded.read('getLead', ids[1]).email, 'new@example.com');
});

// ---- damaged storage ---------------------------------------------------------------------------

/**
 * A workspace with a snapshot, a previous snapshot and a change log on both sides of the newer
 * one: edit A, import two leads (a new snapshot), edit B.
 */
async function layeredWorkspace() {
  const { host } = await demoTab();
  const [a, b] = await firstIds(host, 2);
  await host.logTouch(a, { channel: 'email', outcome: 'replied', note: 'edit A' });
  const report = await host.importCsv(csvOf([
    { firstName: 'Ida', lastName: 'Import', email: 'ida@import.example', company: 'Imp' },
    { firstName: 'Ian', lastName: 'Import', email: 'ian@import.example', company: 'Imp' },
  ]), {});
  assert.equal(report.imported, 2);
  await host.logTouch(b, { channel: 'email', outcome: 'replied', note: 'edit B' });
  const all = host.read('query', { limit: 1000 }).rows.map((r) => r.id).sort();
  return { host, a, b, all };
}

async function assertOpensWith(ids, { damaged, a, b, lost = [] }) {
  const { host, opened } = await openTab('demo');
  const have = new Set(host.read('query', { limit: 1000 }).rows.map((r) => r.id));
  for (const id of ids) if (!lost.includes(id)) assert.ok(have.has(id), `lead ${id} is missing`);
  if (a) assert.ok(notesOf(host.read('getLead', a)).includes('edit A'));
  if (b) assert.ok(notesOf(host.read('getLead', b)).includes('edit B'));
  const setAside = await host.setAside();
  assert.equal(setAside.length, damaged, JSON.stringify(setAside));
  if (damaged) {
    const file = await host.setAsideFile(setAside[0].id);
    assert.ok(file.data.length > 0);
  }
  const backup = JSON.parse(await host.exportBackup());
  assert.equal(backup.leads.length, have.size);
  return { host, opened, setAside };
}

test('an invalid lead in the change log is set aside; every other lead opens and backs up', async () => {
  const { a, b, all } = await layeredWorkspace();
  await rawEdit(['leads'], (tx) => {
    const store = tx.objectStore('leads');
    store.put({ workspaceId: 'demo', lead: { id: 'broken', email: 42, stage: 'nowhere' }, gen: 99 });
  });
  const { host, setAside } = await assertOpensWith(all, { damaged: 1, a, b });
  assert.equal(setAside[0].kind, 'lead');
  assert.match((await host.setAsideFile(setAside[0].id)).data, /"broken"/);
  // Set aside in storage: gone from the log, kept for download until dismissed.
  assert.ok(!(await rawAll('leads')).some((r) => r.lead.id === 'broken'));
  await host.dismissSetAside();
  assert.deepEqual(await host.setAside(), []);
  assert.deepEqual(await (await openTab('demo')).host.setAside(), []);
});

test('a log record that is no lead at all is set aside too', async () => {
  const { a, b, all } = await layeredWorkspace();
  await rawEdit(['leads'], (tx) => {
    tx.objectStore('leads').put({ workspaceId: 'demo', lead: { id: 'junk', tags: 'not-a-list', touches: {} }, gen: 99 });
  });
  await assertOpensWith(all, { damaged: 1, a, b });
});

for (const [name, damage] of [
  ['truncated', (bytes) => bytes.slice(0, Math.floor(bytes.length / 2))],
  ['bit-flipped', (bytes) => { const copy = bytes.slice(); copy[Math.floor(copy.length / 3)] ^= 0x10; return copy; }],
]) {
  test(`a ${name} snapshot falls back to the previous snapshot plus the log`, async () => {
    const { host: before, a, b, all } = await layeredWorkspace();
    const imported = before.read('query', { search: 'import.example', limit: 10 }).rows.map((r) => r.id);
    await rawEdit(['snapshots'], async (tx) => {
      const store = tx.objectStore('snapshots');
      const record = await new Promise((resolve) => { store.get('demo').onsuccess = (e) => resolve(e.target.result); });
      const bytes = new Uint8Array(await record.blob.arrayBuffer());
      store.put({ ...record, blob: new Blob([damage(bytes)], { type: record.blob.type }) });
    });
    // The two imported leads lived only in the damaged snapshot: every other lead and both edits open.
    const { setAside } = await assertOpensWith(all, { damaged: 1, a, b, lost: imported });
    assert.equal(setAside[0].kind, 'snapshot');
  });
}

test('an invalid scoring model document is set aside; the leads open under the default model', async () => {
  const { a, b, all } = await layeredWorkspace();
  await rawEdit(['configs'], (tx) => {
    tx.objectStore('configs').put({ workspaceId: 'demo', name: 'scoringModel', doc: { rules: [{ when: 'employees >>> 3', points: 'many' }] } });
  });
  const { host, setAside } = await assertOpensWith(all, { damaged: 1, a, b });
  assert.equal(setAside[0].kind, 'setting');
  assert.ok(host.read('getScoringModel'));
});

test('every kind of stored record damaged at once: the workspace still opens and backs up', async () => {
  const { a, all } = await layeredWorkspace();
  await rawEdit(['leads', 'configs', 'snapshots'], async (tx) => {
    tx.objectStore('leads').put({ workspaceId: 'demo', lead: { id: 'broken', email: 42 }, gen: 99 });
    tx.objectStore('configs').put({ workspaceId: 'demo', name: 'pipeline', doc: { guards: 'none' } });
    tx.objectStore('configs').put({ workspaceId: 'demo', name: 'predictiveModel', doc: { version: -1 } });
    const store = tx.objectStore('snapshots');
    const record = await new Promise((resolve) => { store.get('demo').onsuccess = (e) => resolve(e.target.result); });
    store.put({ ...record, blob: new Blob([new Uint8Array([1, 2, 3])]), previous: { blob: new Blob(['{"leads":[']), gen: 0 } });
  });
  const { host } = await openTab('demo');
  const setAside = await host.setAside();
  assert.equal(setAside.length, 5, JSON.stringify(setAside));
  assert.ok(notesOf(host.read('getLead', a)).includes('edit A'));  // from the log
  const backup = JSON.parse(await host.exportBackup());
  assert.ok(backup.leads.length >= 2 && backup.leads.length < all.length);
});

test('a workspace whose snapshot was replaced keeps working: edits after a fallback are kept', async () => {
  const { all } = await layeredWorkspace();
  await rawEdit(['snapshots'], async (tx) => {
    const store = tx.objectStore('snapshots');
    const record = await new Promise((resolve) => { store.get('demo').onsuccess = (e) => resolve(e.target.result); });
    store.put({ ...record, blob: new Blob([new Uint8Array(10)]) });
  });
  const { host } = await openTab('demo');
  const [id] = all;
  await host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'after the fallback' });
  const { host: again } = await openTab('demo');
  assert.ok(notesOf(again.read('getLead', id)).includes('after the fallback'));
  assert.equal((await again.setAside()).length, 1);  // reported once, not again and again
});

// ---- tabs ----------------------------------------------------------------------------------------

test('a save after the workspace was deleted in another tab says so and keeps the edit for a new workspace', async () => {
  const { host: a } = await demoTab();
  const { host: b } = await openTab('demo');
  const [id] = await firstIds(a, 1);
  await a.deleteWorkspace('demo');
  await assert.rejects(b.logTouch(id, { channel: 'call', outcome: 'connected', note: 'typed while deleted' }),
    (e) => e.kind === 'deleted' && /deleted in another tab/.test(e.message));
  assert.equal((await b.sync()).deleted, true);
  const kept = await b.keepAsNewWorkspace('Rescued');
  assert.equal(kept.workspace.name, 'Rescued');
  const { host: c } = await openTab(kept.workspace.id);
  assert.ok(notesOf(c.read('getLead', id)).includes('typed while deleted'));
});

test('a tab that deleted its own workspace is not warned about it', async () => {
  const { host } = await demoTab();
  const other = await host.createWorkspace('Other');
  await host.open(other.id);
  await host.open('demo');
  await host.deleteWorkspace('demo');
  assert.equal((await host.sync()).deleted, false);
});

test('a newer version of the database elsewhere closes this tab\'s connection; a later write is refused, never acknowledged', async () => {
  const { host } = await demoTab();
  const [id] = await firstIds(host, 1);
  const events = [];
  host.listen((event) => events.push(event.type));
  await new Promise((resolve, reject) => {
    const request = indexedDB.open('leadkit', 99);
    request.onsuccess = () => { request.result.close(); resolve(); };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the upgrade was blocked by the open tab'));
  });
  assert.deepEqual(events, ['closed']);
  await assert.rejects(host.logTouch(id, { channel: 'call', outcome: 'connected', note: 'x' }), (e) => e.kind === 'closed');
});

test('a delete of the database elsewhere is not blocked, and no write is acknowledged after it', async () => {
  const { host } = await demoTab();
  const [id] = await firstIds(host, 1);
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase('leadkit');
    request.onsuccess = resolve;
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the delete was blocked by the open tab'));
  });
  await assert.rejects(host.saveLead({ ...host.read('getLead', id), notes: 'after the delete' }), (e) => e.kind === 'closed');
});

// ---- random interleavings: every acknowledged write is there at the end --------------------------

function random(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

for (const seed of [1, 2, 3]) {
  test(`two tabs, random edits, bulk changes, undos, imports and reloads (seed ${seed}): no acknowledged write is lost`, async () => {
    const rand = random(seed);
    const pick = (list) => list[Math.floor(rand() * list.length)];
    freshProfile();
    const tabs = [(await openTab()).host, (await openTab('demo')).host];
    const ids = (await firstIds(tabs[0], 12));
    const touches = new Map();  // note → lead id: acknowledged touches
    const tags = new Map();     // tag → { ids, undone }
    const tokens = [[], []];    // per tab: [{ token, tag }]
    const imported = [];        // e-mails of acknowledged imports
    let k = 0;
    for (let step = 0; step < 60; step += 1) {
      const t = rand() < 0.5 ? 0 : 1;
      const host = tabs[t];
      const op = rand();
      k += 1;
      try {
        if (op < 0.3) {
          const id = pick(ids);
          await host.logTouch(id, { channel: 'call', outcome: 'connected', note: `touch-${k}` });
          touches.set(`touch-${k}`, id);
        } else if (op < 0.5) {
          const some = ids.filter(() => rand() < 0.3);
          if (!some.length) continue;
          const r = await host.bulk(some, { addTag: `tag-${k}` });
          tags.set(`tag-${k}`, { ids: some, undone: false });
          tokens[t].push({ token: r.undo, tag: `tag-${k}` });
        } else if (op < 0.65) {
          const entry = tokens[t].pop();
          if (!entry) continue;
          await host.undo(entry.token);
          tags.get(entry.tag).undone = true;
        } else if (op < 0.75) {
          const email = `row-${k}@import.example`;
          await host.importCsv(csvOf([{ firstName: 'Row', lastName: String(k), email, company: 'Imp' }]), {});
          imported.push(email);
        } else if (op < 0.9) {
          await host.sync();
        } else {
          // A reload: the tab's host is made anew; its undo history goes with it.
          tabs[t] = (await openTab('demo')).host;
          tokens[t] = [];
        }
      } catch (error) {
        // Refused (another tab wrote first): not acknowledged, and said in words.
        assert.equal(error.kind, 'conflict', error.stack);
      }
    }
    const { host: end } = await openTab('demo');
    for (const [note, id] of touches) assert.ok(notesOf(end.read('getLead', id)).includes(note), `${note} on ${id} was lost`);
    for (const [tag, { ids: tagged, undone }] of tags) {
      for (const id of tagged) assert.equal(end.read('getLead', id).tags.includes(tag), !undone, `${tag} on ${id}`);
    }
    for (const email of imported) assert.equal(end.read('query', { search: email, limit: 2 }).total, 1, `${email} was lost`);
  });
}
