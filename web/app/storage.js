// IndexedDB persistence for workspaces, their leads and their settings documents, through the idb
// wrapper. The engine never touches storage: the worker loads records into it and writes back what
// it returns.
//
// A workspace's leads are kept as a snapshot plus a log of changes since it:
//  - `snapshots`: one record per workspace holding the engine's binary snapshot (exportSnapshot)
//    as a Blob. Reading the record hands over a reference, and the worker streams the bytes
//    straight into the engine's memory (engine.loadLeadsBlob): 100k records one by one took
//    seconds of structured-clone work alone, and a buffer read whole was a second copy that the
//    worker's garbage collector later freed in one long pause while the user scrolled. The binary
//    form is a third of the JSON backup's size (41 MB for 100k sample leads, not 126 MB) and the
//    engine reads it ~3× faster, with no text to parse. Records written before hold exportJson()
//    text, as a Blob or as a Uint8Array (`json`), and still load: the engine tells the two apart;
//  - `leads`: one record per lead changed since the snapshot (the lead, or `removed: true`). Small
//    edits write only the leads they touch. When the log grows past a share of the workspace the
//    worker writes a fresh snapshot and empties the log, in one transaction (compact()).
// Databases from before the snapshot store load as they are: their per-lead records are read as
// a log over an empty snapshot, and the first compaction turns them into a snapshot.
//
// Two tabs on one workspace: every workspace record carries a revision. A write names the revision
// it was based on and runs in one transaction that first re-reads the record; if another tab has
// written since, the transaction aborts with a ConflictError and nothing is written, so neither tab
// silently overwrites the other.
import { openDB } from '../vendor/idb.js';

const DB_NAME = 'leadkit';
const DB_VERSION = 3;

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
      if (oldVersion < 3) db.createObjectStore('snapshots', { keyPath: 'workspaceId' });
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

  /**
   * What the engine needs to rebuild a workspace, read in one transaction so snapshot and log
   * agree: { snapshot: Blob (binary snapshot or UTF-8 JSON) | Uint8Array (UTF-8 JSON) | null,
   * put: Lead[], remove: id[] }.
   */
  async leads(workspaceId) {
    const tx = this.db.transaction(['snapshots', 'leads'], 'readonly');
    const [snap, rows] = await Promise.all([
      tx.objectStore('snapshots').get(workspaceId),
      tx.objectStore('leads').index('byWorkspace').getAll(workspaceId),
      tx.done]);
    const put = [];
    const remove = [];
    for (const row of rows) (row.removed ? remove.push(row.lead.id) : put.push(row.lead));
    return { snapshot: snap?.blob ?? snap?.json ?? null, put, remove };
  }

  async configs(workspaceId) {
    const rows = await this.db.getAllFromIndex('configs', 'byWorkspace', workspaceId);
    return Object.fromEntries(rows.map((row) => [row.name, row.doc]));
  }

  /**
   * Creates a workspace with its leads (engine.exportSnapshot(), or null for none) and settings in one
   * transaction: all of it or nothing.
   */
  async createWorkspace(workspace, snapshot, configs = {}) {
    const tx = this.db.transaction(['workspaces', 'snapshots', 'configs'], 'readwrite');
    const writes = [tx.objectStore('workspaces').add({ rev: 0, ...workspace })];
    if (snapshot != null) writes.push(tx.objectStore('snapshots').put(snapshotRecord(workspace.id, snapshot)));
    for (const [name, doc] of Object.entries(configs)) {
      if (doc != null) writes.push(tx.objectStore('configs').put({ workspaceId: workspace.id, name, doc }));
    }
    await Promise.all([...writes, tx.done]);
  }

  /**
   * Writes a change to one workspace if nobody else has since `baseRev`, and returns the new
   * revision. change: { put?: Lead[], remove?: string[], snapshot?: bytes (replaces every lead),
   * configs?: {name: doc|null}, meta?: {...} }.
   */
  async commit(workspaceId, baseRev, change) {
    const tx = this.db.transaction(['workspaces', 'snapshots', 'leads', 'configs'], 'readwrite');
    const done = tx.done.catch((error) => { throw error; });
    try {
      const spaces = tx.objectStore('workspaces');
      const record = await spaces.get(workspaceId);
      if (!record) throw new ConflictError(-1);
      const rev = record.rev ?? 0;
      if (rev !== baseRev) throw new ConflictError(rev);
      const leads = tx.objectStore('leads');
      const writes = [];
      if (change.snapshot != null) {
        writes.push(leads.delete(workspaceRange(workspaceId)));
        writes.push(tx.objectStore('snapshots').put(snapshotRecord(workspaceId, change.snapshot)));
      }
      for (const lead of change.put ?? []) writes.push(leads.put({ workspaceId, lead }));
      for (const id of change.remove ?? []) writes.push(leads.put({ workspaceId, lead: { id }, removed: true }));
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

  /**
   * Replaces the snapshot and empties the change log, if the workspace is still at `rev`: the
   * leads do not change, only how they are kept, so the revision stays. Returns whether it did.
   */
  async compact(workspaceId, rev, snapshot) {
    const tx = this.db.transaction(['workspaces', 'snapshots', 'leads'], 'readwrite');
    const record = await tx.objectStore('workspaces').get(workspaceId);
    if (!record || (record.rev ?? 0) !== rev) {
      tx.abort();
      await tx.done.catch(() => {});
      return false;
    }
    await Promise.all([
      tx.objectStore('snapshots').put(snapshotRecord(workspaceId, snapshot)),
      tx.objectStore('leads').delete(workspaceRange(workspaceId)),
      tx.done,
    ]);
    return true;
  }

  /** Deletes a workspace with all of its leads and settings, in one transaction. */
  async deleteWorkspace(workspaceId) {
    const tx = this.db.transaction(['workspaces', 'snapshots', 'leads', 'configs'], 'readwrite');
    await Promise.all([
      tx.objectStore('workspaces').delete(workspaceId),
      tx.objectStore('snapshots').delete(workspaceId),
      tx.objectStore('leads').delete(workspaceRange(workspaceId)),
      tx.objectStore('configs').delete(workspaceRange(workspaceId)),
      tx.done,
    ]);
  }
}

/** The type of a stored binary snapshot's Blob; snapshots an older leadkit stored as JSON have another. */
export const SNAPSHOT_TYPE = 'application/octet-stream';

/** A snapshot as stored: the engine's exportSnapshot() bytes as a Blob. */
const snapshotRecord = (workspaceId, bytes) => ({ workspaceId, blob: new Blob([bytes], { type: SNAPSHOT_TYPE }) });

/** Every [workspaceId, …] key of one workspace. */
const workspaceRange = (workspaceId) => IDBKeyRange.bound([workspaceId], [workspaceId, []]);

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
