// The engine host: owns the wasm engine and IndexedDB so the page only renders. Exposed to the
// page with Comlink; every method resolves with plain data.
import * as Comlink from '../vendor/comlink.mjs';
import { createEngine, sampleLeads } from '../lib/leadkit.js';
import { describeStorageError, openStorage } from './storage.js';

const DEMO_LEADS = 520;
const DEMO_SEED = 2026;

let engine = null;
let storage = null;
let workspace = null;

const host = {
  /** Opens storage and the current workspace, seeding the demo workspace on a first visit. */
  async open() {
    const started = performance.now();
    engine ??= await createEngine();
    try {
      storage ??= await openStorage();
      let seeded = false;
      [workspace] = await storage.workspaces();
      if (!workspace) {
        const generated = await sampleLeads(DEMO_LEADS, { seed: DEMO_SEED, now: Date.now() });
        const report = engine.loadLeads(generated);
        if (report.errors.length) throw new Error(report.errors[0].message);
        const leads = JSON.parse(engine.exportJson()).leads;
        workspace = { id: 'demo', name: 'Demo workspace', createdAt: new Date().toISOString(), demo: true };
        await storage.createWorkspace(workspace, leads);
        seeded = true;
      } else {
        const report = engine.loadLeads(await storage.leads(workspace.id));
        if (report.errors.length) {
          throw new Error(`Stored leads could not be read: ${report.errors[0].message}`);
        }
      }
      return { workspace, seeded, count: engine.size, ms: Math.round(performance.now() - started) };
    } catch (error) {
      throw new Error(error instanceof DOMException ? describeStorageError(error) : error?.message ?? String(error));
    }
  },

  query(options) {
    return engine.query(options);
  },

  summary(options) {
    return engine.summary(options);
  },

  getLead(id) {
    return engine.getLead(id);
  },
};

Comlink.expose(host);
