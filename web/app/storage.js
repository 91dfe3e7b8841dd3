// IndexedDB persistence for workspaces and their leads, through the idb wrapper. The engine never
// touches storage: the worker loads records into it and writes back what it returns.
import { openDB } from '../vendor/idb.js';

const DB_NAME = 'leadkit';
const DB_VERSION = 1;

export async function openStorage() {
  const db = await openDB(DB_NAME, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('workspaces', { keyPath: 'id' });
      const leads = db.createObjectStore('leads', { keyPath: ['workspaceId', 'lead.id'] });
      leads.createIndex('byWorkspace', 'workspaceId');
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

  async leads(workspaceId) {
    const rows = await this.db.getAllFromIndex('leads', 'byWorkspace', workspaceId);
    return rows.map((row) => row.lead);
  }

  /** Creates a workspace with its leads in one transaction: it lands whole or not at all. */
  async createWorkspace(workspace, leads) {
    const tx = this.db.transaction(['workspaces', 'leads'], 'readwrite');
    const writes = [tx.objectStore('workspaces').add(workspace)];
    const store = tx.objectStore('leads');
    for (const lead of leads) writes.push(store.put({ workspaceId: workspace.id, lead }));
    await Promise.all([...writes, tx.done]);
  }
}

/** Turns a storage failure into words a user can act on. */
export function describeStorageError(error) {
  if (error?.name === 'QuotaExceededError') {
    return 'This browser has run out of storage space for leadkit. Free some space (or export and delete a workspace) and reload.';
  }
  if (error?.name === 'InvalidStateError' || error?.name === 'UnknownError') {
    return 'This browser refused to open its storage (private windows sometimes do). Open leadkit in a normal window.';
  }
  return `Storage failed: ${error?.message ?? error}`;
}
