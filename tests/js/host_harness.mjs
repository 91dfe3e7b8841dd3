// Runs the app's engine host (web/app/host.js) in node, over fake-indexeddb: each "tab" is its own
// instance of the module, all on one database, as two browser tabs share one origin's storage.
import { IDBFactory } from 'fake-indexeddb';
import 'fake-indexeddb/auto';

let tabs = 0;

/** A fresh, empty browser profile: the tabs opened after this share a new database. */
export function freshProfile() {
  globalThis.indexedDB = new IDBFactory();
}

/** Opens a tab: a new host module on the current profile. `open(id)` as the page's first call. */
export async function openTab(workspaceId) {
  tabs += 1;
  const { host } = await import(`../../web/app/host.js?tab=${tabs}`);
  const opened = await host.open(workspaceId);
  return { host, opened };
}

/** Every record of one object store, as stored. */
export function rawAll(store) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction(store, 'readonly').objectStore(store).getAll();
      request.onsuccess = () => { db.close(); resolve(request.result); };
      request.onerror = () => { db.close(); reject(request.error); };
    };
    open.onerror = () => reject(open.error);
  });
}

/** Changes one object store's records as a damaged disk or another program might: `edit(store)`. */
export function rawEdit(stores, edit) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('leadkit');
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(stores, 'readwrite');
      Promise.resolve(edit(tx)).catch(reject);
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    };
    open.onerror = () => reject(open.error);
  });
}

/** The leads of a CSV import, one row each. */
export function csvOf(leads) {
  return ['First Name,Last Name,Email,Company', ...leads.map((l) => `${l.firstName},${l.lastName},${l.email},${l.company}`)].join('\n');
}
