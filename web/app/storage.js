// IndexedDB persistence for workspaces, their leads and their settings documents, through the idb
// wrapper. The engine never touches storage: the worker loads records into it and writes back what
// it returns.
//
// Two tabs on one workspace: every workspace record carries a revision. A write names the revision
// it was based on and runs in one transaction that first re-reads the record; if another tab has
// written since, the transaction aborts with a ConflictError and nothing is written, so neither tab
// silently overwrites the other.
import { openDB } from '../vendor/idb.js';

const DB_NAME = 'leadkit';
const DB_VERSION = 2;

export class ConflictError extends Error {
  constructor(rev) {
    super('This workspace was changed in another tab.');
    this.name = 'ConflictError';
    this.rev = rev;
  }
}

export async function openStorage() {
  const db = await openDB(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('workspaces', { keyPath: 'id' });
        const leads = db.createObjectStore('leads', { keyPath: ['workspaceId', 'lead.id'] });
        leads.createIndex('byWorkspace', 'workspaceId');
      }
      if (oldVersion < 2) {
        // Settings documents per workspace: scoring model, pipeline, channels, predictive model.
        const configs = db.createObjectStore('configs', { keyPath: ['workspaceId', 'name'] });
        configs.createIndex('byWorkspace', 'workspaceId');
      }
    },
  });
  return new Storage(db);
}

class Storage {
  constructor(db) {
    this.db = db;
  }

  async workspaces() {
    return (await this.db.getAll('workspaces')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  workspace(id) {
    return this.db.get('workspaces', id);
  }

  async leads(workspaceId) {
    const rows = await this.db.getAllFromIndex('leads', 'byWorkspace', workspaceId);
    return rows.map((row) => row.lead);
  }

  async configs(workspaceId) {
    const rows = await this.db.getAllFromIndex('configs', 'byWorkspace', workspaceId);
    return Object.fromEntries(rows.map((row) => [row.name, row.doc]));
  }

  /** Creates a workspace with its leads and settings in one transaction: all of it or nothing. */
  async createWorkspace(workspace, leads, configs = {}) {
    const tx = this.db.transaction(['workspaces', 'leads', 'configs'], 'readwrite');
    const writes = [tx.objectStore('workspaces').add({ rev: 0, ...workspace })];
    const store = tx.objectStore('leads');
    for (const lead of leads) writes.push(store.put({ workspaceId: workspace.id, lead }));
    for (const [name, doc] of Object.entries(configs)) {
      if (doc != null) writes.push(tx.objectStore('configs').put({ workspaceId: workspace.id, name, doc }));
    }
    await Promise.all([...writes, tx.done]);
  }

  /**
   * Writes a change to one workspace if nobody else has since `baseRev`, and returns the new
   * revision. change: { put?: Lead[], remove?: string[], replaceAll?: Lead[], configs?: {name: doc|null}, meta?: {...} }
   */
  async commit(workspaceId, baseRev, change) {
    const tx = this.db.transaction(['workspaces', 'leads', 'configs'], 'readwrite');
    const done = tx.done.catch((error) => { throw error; });
    try {
      const spaces = tx.objectStore('workspaces');
      const record = await spaces.get(workspaceId);
      if (!record) throw new ConflictError(-1);
      const rev = record.rev ?? 0;
      if (rev !== baseRev) throw new ConflictError(rev);
      const leads = tx.objectStore('leads');
      const writes = [];
      if (change.replaceAll) {
        const range = IDBKeyRange.bound([workspaceId], [workspaceId, []]);
        writes.push(leads.delete(range));
        for (const lead of change.replaceAll) writes.push(leads.put({ workspaceId, lead }));
      }
      for (const lead of change.put ?? []) writes.push(leads.put({ workspaceId, lead }));
      for (const id of change.remove ?? []) writes.push(leads.delete([workspaceId, id]));
      for (const [name, doc] of Object.entries(change.configs ?? {})) {
        writes.push(doc == null ? tx.objectStore('configs').delete([workspaceId, name])
          : tx.objectStore('configs').put({ workspaceId, name, doc }));
      }
      const next = { ...record, ...(change.meta ?? {}), rev: rev + 1, updatedAt: new Date().toISOString() };
      writes.push(spaces.put(next));
      await Promise.all([...writes, done]);
      return next;
    } catch (error) {
      try { tx.abort(); } catch { /* already finished */ }
      await done.catch(() => {});
      throw error;
    }
  }

  /** Deletes a workspace with all of its leads and settings, in one transaction. */
  async deleteWorkspace(workspaceId) {
    const tx = this.db.transaction(['workspaces', 'leads', 'configs'], 'readwrite');
    const range = IDBKeyRange.bound([workspaceId], [workspaceId, []]);
    await Promise.all([
      tx.objectStore('workspaces').delete(workspaceId),
      tx.objectStore('leads').delete(range),
      tx.objectStore('configs').delete(range),
      tx.done,
    ]);
  }
}

/** Turns a storage failure into words a user can act on. */
export function describeStorageError(error) {
  if (error?.name === 'QuotaExceededError') {
    return 'This browser has run out of storage space for leadkit, so the change was not saved. Free some space (or export and delete a workspace) and try again.';
  }
  if (error?.name === 'InvalidStateError' || error?.name === 'UnknownError') {
    return 'This browser refused to open its storage (private windows sometimes do). Open leadkit in a normal window.';
  }
  if (error?.name === 'ConflictError') {
    return 'This workspace was changed in another tab, so this change was not saved. leadkit has loaded the latest version: please make the change again.';
  }
  return `Storage failed: ${error?.message ?? error}`;
}
