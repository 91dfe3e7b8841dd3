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
// Nothing stored is lost to one damaged record. Every snapshot has a generation (`gen`); each
// change-log record carries the generation it was written under. A new snapshot (a compaction or
// an import) keeps the one before it as `previous`, with the log records written since that one,
// so a snapshot that cannot be read falls back to the previous snapshot plus the log. A record
// that cannot be read at all is moved to `quarantine` (its raw bytes, for the user to download)
// and the rest of the workspace opens.
//
// Two tabs on one workspace: every workspace record carries a revision. A write names the revision
// it was based on and runs in one transaction that first re-reads the record; if another tab has
// written since, the transaction aborts with a ConflictError and nothing is written, so neither tab
// silently overwrites the other.
import { openDB } from '../vendor/idb.js';

const DB_NAME = 'leadkit';
const DB_VERSION = 4;

export class ConflictError extends Error {
  constructor(rev) {
    super('This workspace was changed in another tab.');
    this.name = 'ConflictError';
    this.rev = rev;
  }
}

export class ClosedError extends Error {
  constructor() {
    super('leadkit was updated or its storage deleted in another tab.');
    this.name = 'ClosedError';
  }
}

/** Called when another tab makes this one close its database (`versionchange`). */
let onClosed = null;
let onBlocked = null;
/** @param {{ closed?: () => void, blocked?: () => void }} [handlers] */
export function onStorageEvents({ closed, blocked } = {}) {
  onClosed = closed ?? null;
  onBlocked = blocked ?? null;
}

/** Writes are acknowledged only once they are on disk, not merely queued by the browser. */
const DURABLE = { durability: 'strict' };

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
      if (oldVersion < 4) {
        const quarantine = db.createObjectStore('quarantine', { keyPath: 'id', autoIncrement: true });
        quarantine.createIndex('byWorkspace', 'workspaceId');
      }
    },
    // A newer leadkit in another tab (or a delete of the database) waits for this connection:
    // close it at once, so that tab is not stuck, and refuse every later write in words.
    blocking() {
      db.close();
      storage.closed = true;
      onClosed?.();
    },
    // This tab's upgrade waits for an older tab that does not let go of its connection.
    blocked() {
      onBlocked?.();
    },
  });
  const storage = new Storage(db);
  return storage;
}

class Storage {
  constructor(db) {
    this.db = db;
    this.closed = false;
  }

  #tx(stores, mode) {
    if (this.closed) throw new ClosedError();
    try {
      return this.db.transaction(stores, mode, mode === 'readwrite' ? DURABLE : undefined);
    } catch (error) {
      if (error?.name === 'InvalidStateError') {  // closed under us (versionchange)
        this.closed = true;
        throw new ClosedError();
      }
      throw error;
    }
  }

  async workspaces() {
    const tx = this.#tx('workspaces', 'readonly');
    const all = await tx.store.getAll();
    return all.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  }

  async workspace(id) {
    return this.#tx('workspaces', 'readonly').store.get(id);
  }

  /**
   * What the engine needs to rebuild a workspace, read in one transaction so snapshot and log
   * agree: { snapshot: { data, gen } | null, previous: { data, gen } | null, log: records }. A
   * snapshot's data is a Blob (binary snapshot or UTF-8 JSON) or a Uint8Array (UTF-8 JSON); a log
   * record is { workspaceId, lead, removed?, gen? }, as stored (it may be damaged).
   */
  async leads(workspaceId) {
    const tx = this.#tx(['snapshots', 'leads'], 'readonly');
    const [snap, log] = await Promise.all([
      tx.objectStore('snapshots').get(workspaceId),
      tx.objectStore('leads').index('byWorkspace').getAll(workspaceId),
      tx.done]);
    const data = snap?.blob ?? snap?.json ?? null;
    return {
      snapshot: data ? { data, gen: snap.gen ?? 0 } : null,
      previous: snap?.previous ? { data: snap.previous.blob ?? null, gen: snap.previous.gen ?? 0 } : null,
      log,
    };
  }

  async configs(workspaceId) {
    const rows = await this.#tx('configs', 'readonly').store.index('byWorkspace').getAll(workspaceId);
    return Object.fromEntries(rows.map((row) => [row.name, row.doc]));
  }

  /**
   * Creates a workspace with its leads (engine.exportSnapshot(), or null for none) and settings in one
   * transaction: all of it or nothing.
   */
  async createWorkspace(workspace, snapshot, configs = {}) {
    const tx = this.#tx(['workspaces', 'snapshots', 'configs'], 'readwrite');
    const writes = [tx.objectStore('workspaces').add({ rev: 0, gen: 0, ...workspace })];
    if (snapshot != null) writes.push(tx.objectStore('snapshots').put(snapshotRecord(workspace.id, snapshot, 0, null)));
    for (const [name, doc] of Object.entries(configs)) {
      if (doc != null) writes.push(tx.objectStore('configs').put({ workspaceId: workspace.id, name, doc }));
    }
    await Promise.all([...writes, tx.done]);
  }

  /**
   * Writes a change to one workspace if nobody else has since `baseRev`, and returns the new
   * revision. change: { put?: Lead[], remove?: string[], snapshot?: bytes (replaces every lead),
   * configs?: {name: doc|null}, meta?: {...} }. Resolves only once the browser has the change on
   * disk. A workspace deleted meanwhile is a ConflictError with rev -1.
   */
  async commit(workspaceId, baseRev, change) {
    const tx = this.#tx(['workspaces', 'snapshots', 'leads', 'configs'], 'readwrite');
    const done = tx.done.catch((error) => { throw error; });
    try {
      const spaces = tx.objectStore('workspaces');
      const record = await spaces.get(workspaceId);
      if (!record) throw new ConflictError(-1);
      const rev = record.rev ?? 0;
      if (rev !== baseRev) throw new ConflictError(rev);
      const leads = tx.objectStore('leads');
      const writes = [];
      let gen = record.gen ?? 0;
      if (change.snapshot != null) gen = await this.#newSnapshot(tx, workspaceId, gen, change.snapshot);
      for (const lead of change.put ?? []) writes.push(leads.put({ workspaceId, lead, gen }));
      for (const id of change.remove ?? []) writes.push(leads.put({ workspaceId, lead: { id }, removed: true, gen }));
      for (const [name, doc] of Object.entries(change.configs ?? {})) {
        writes.push(doc == null ? tx.objectStore('configs').delete([workspaceId, name])
          : tx.objectStore('configs').put({ workspaceId, name, doc }));
      }
      const next = { ...record, ...(change.meta ?? {}), rev: rev + 1, gen, updatedAt: new Date().toISOString() };
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
   * Stores `bytes` as the workspace's snapshot of the next generation, keeping the current one as
   * its previous, and drops what only the one before that needed: that snapshot, and the log
   * records written before the (now) previous one. Returns the new generation.
   */
  async #newSnapshot(tx, workspaceId, gen, bytes) {
    const snapshots = tx.objectStore('snapshots');
    const current = await snapshots.get(workspaceId);
    const currentGen = current ? (current.gen ?? 0) : gen;
    const next = Math.max(gen, currentGen) + 1;
    const kept = current?.blob ?? current?.json ?? null;
    // No snapshot yet: the previous one is "no leads", plus the log kept below.
    const previous = { blob: kept && !(kept instanceof Blob) ? new Blob([kept]) : kept, gen: currentGen };
    const leads = tx.objectStore('leads');
    let cursor = await leads.index('byWorkspace').openCursor(workspaceId);
    while (cursor) {
      if ((cursor.value?.gen ?? 0) < currentGen) cursor.delete();
      cursor = await cursor.continue();
    }
    await snapshots.put(snapshotRecord(workspaceId, bytes, next, previous));
    return next;
  }

  /**
   * Replaces the snapshot with one of the same leads (the log folded in), if the workspace is
   * still at `rev`: the leads do not change, only how they are kept, so the revision stays.
   * Returns whether it did.
   */
  async compact(workspaceId, rev, snapshot, { replaceCurrent = false } = {}) {
    const tx = this.#tx(['workspaces', 'snapshots', 'leads'], 'readwrite');
    const spaces = tx.objectStore('workspaces');
    const record = await spaces.get(workspaceId);
    if (!record || (record.rev ?? 0) !== rev) {
      tx.abort();
      await tx.done.catch(() => {});
      return false;
    }
    if (replaceCurrent) {
      // The current snapshot did not read back whole: write it again over itself, keeping the
      // previous snapshot and the log, which still hold every lead, until one does.
      const snapshots = tx.objectStore('snapshots');
      const current = await snapshots.get(workspaceId);
      if (current) {
        await Promise.all([snapshots.put(snapshotRecord(workspaceId, snapshot, current.gen ?? 0, current.previous ?? null)), tx.done]);
        return true;
      }
    }
    const gen = await this.#newSnapshot(tx, workspaceId, record.gen ?? 0, snapshot);
    await Promise.all([spaces.put({ ...record, gen }), tx.done]);
    return true;
  }

  /** The stored snapshot's bytes, to check a write by reading it back. */
  async snapshotBytes(workspaceId) {
    const snap = await this.#tx('snapshots', 'readonly').store.get(workspaceId);
    const data = snap?.blob ?? snap?.json;
    if (!data) return null;
    return data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
  }

  /**
   * Moves what could not be read out of the workspace's live records into `quarantine`, where its
   * raw bytes wait for the user: `snapshot` (current, replaced by the previous one it fell back
   * to), `previous`, `log` (records by key) and `configs` (names). Leaves the revision as it is:
   * what the workspace holds does not change, only what was unreadable is set aside.
   */
  async setAside(workspaceId, rev, { snapshot = false, snapshotGen, previous = false, log = [], configs = [], found = [] }) {
    // found: [{ kind, label, message, data }], the raw bytes (Blob or text) for the user
    const tx = this.#tx(['workspaces', 'snapshots', 'leads', 'configs', 'quarantine'], 'readwrite');
    const record = await tx.objectStore('workspaces').get(workspaceId);
    if (!record || (record.rev ?? 0) !== rev) {
      tx.abort();
      await tx.done.catch(() => {});
      return false;
    }
    const writes = [];
    const quarantine = tx.objectStore('quarantine');
    const at = new Date().toISOString();
    for (const item of found) writes.push(quarantine.add({ workspaceId, at, ...item }));
    const snapshots = tx.objectStore('snapshots');
    const snap = snapshot ? await snapshots.get(workspaceId) : null;
    // The current snapshot is unreadable: the previous one becomes current, or none. Only if it is
    // still the one found damaged: another tab may have written a good one since.
    if (snapshot && snap && (snap.gen ?? 0) === (snapshotGen ?? 0)) {
      const fallback = previous ? null : snap.previous;
      writes.push(fallback?.blob ? snapshots.put(snapshotRecord(workspaceId, fallback.blob, fallback.gen ?? 0, null))
        : snapshots.delete(workspaceId));
    }
    for (const key of log) writes.push(tx.objectStore('leads').delete(key));
    for (const name of configs) writes.push(tx.objectStore('configs').delete([workspaceId, name]));
    await Promise.all([...writes, tx.done]);
    return true;
  }

  /** What was set aside for a workspace, newest last: [{ id, kind, label, message, at, data }]. */
  async quarantined(workspaceId) {
    return this.#tx('quarantine', 'readonly').store.index('byWorkspace').getAll(workspaceId);
  }

  /** Forgets what was set aside for a workspace (the user has saved or dismissed it). */
  async dismissQuarantined(workspaceId) {
    const tx = this.#tx('quarantine', 'readwrite');
    let cursor = await tx.store.index('byWorkspace').openCursor(workspaceId);
    while (cursor) {
      cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  /** Deletes a workspace with all of its leads and settings, in one transaction. */
  async deleteWorkspace(workspaceId) {
    const tx = this.#tx(['workspaces', 'snapshots', 'leads', 'configs', 'quarantine'], 'readwrite');
    let cursor = await tx.objectStore('quarantine').index('byWorkspace').openCursor(workspaceId);
    while (cursor) {
      cursor.delete();
      cursor = await cursor.continue();
    }
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
const snapshotRecord = (workspaceId, bytes, gen, previous) => ({
  workspaceId, gen, previous, blob: bytes instanceof Blob ? bytes : new Blob([bytes], { type: SNAPSHOT_TYPE }),
});

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
  if (error?.name === 'ClosedError') {
    return 'leadkit was updated or its storage was deleted in another tab, so this change was not saved. Reload this page to go on.';
  }
  if (error?.name === 'ConflictError' && error.rev === -1) {
    return 'This workspace was deleted in another tab, so this change was not saved.';
  }
  if (error?.name === 'ConflictError') {
    return 'This workspace was changed in another tab, so this change was not saved. leadkit has loaded the latest version: please make the change again.';
  }
  return `Storage failed: ${error?.message ?? error}`;
}
