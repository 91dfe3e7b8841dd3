// The engine host: owns the wasm engine and IndexedDB so the page only renders. Exposed to the
// page with Comlink; every method resolves with plain data.
//
// Every change runs in the engine first and is then committed to IndexedDB against the revision
// this tab last saw (storage.js). If the commit fails (another tab wrote first, or the disk is
// full) the engine is reloaded from storage, so what the page shows is always what is stored.
import * as Comlink from '../vendor/comlink.mjs';
import { createEngine, sampleLeads, LeadkitError } from '../lib/leadkit.js';
import { ConflictError, SNAPSHOT_TYPE, describeStorageError, openStorage } from './storage.js';
// Namespace import: advise() (issue 9) may not be exported by this build yet, and a missing named
// import would stop the whole worker from loading.
import * as leadkitApi from '../lib/leadkit.js';

const DEMO_LEADS = 520;
const DEMO_SEED = 2026;
const CONFIGS = ['scoringModel', 'pipeline', 'channels', 'predictiveModel', 'mergeJournal'];

let engine = null;
let storage = null;
let workspace = null;   // the open workspace's record, with the revision this tab has
const undoLog = new Map();  // token → leads as they were before a bulk change
let undoCounter = 0;
// Comlink passes a thrown Error as message, name and stack; keep `kind` and `where` too, so the
// page can say what went wrong where.
const throwHandler = Comlink.transferHandlers.get('throw');
Comlink.transferHandlers.set('throw', {
  ...throwHandler,
  serialize({ value }) {
    if (!(value instanceof Error)) return throwHandler.serialize({ value });
    const { message, name, stack, kind, where } = value;
    return [{ isError: true, value: { message, name, stack, kind, where } }, []];
  },
});
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('leadkit') : null;

// Opened as the host loads, not on the page's first call.
let storageOpening = openStorage();
storageOpening.catch(() => {});  // reported by the call that needs it

/** The database, opened once; an open that failed is tried again by the next call. */
async function ensureStorage() {
  if (storage) return storage;
  try {
    storage = await storageOpening;
  } catch (error) {
    storageOpening = openStorage();
    storageOpening.catch(() => {});
    throw error;
  }
  return storage;
}

/** Errors cross to the page as plain Error objects with a `where` and a `kind`. */
function fail(error) {
  if (error instanceof ConflictError || error instanceof DOMException || error?.name === 'QuotaExceededError') {
    const e = new Error(describeStorageError(error));
    e.kind = error.name === 'ConflictError' ? 'conflict' : 'storage';
    throw e;
  }
  if (error instanceof LeadkitError) {
    const e = new Error(error.message);
    e.kind = 'input';
    e.where = error.where;
    throw e;
  }
  throw error instanceof Error ? error : new Error(String(error));
}

// How long the last workspace load took, step by step: for tests/bench/app_bench.mjs.
let loadTimings = null;

let loadGeneration = 0;  // bumped by every load: changes made before it are gone from the engine

async function loadWorkspace(record) {
  const t0 = performance.now();
  // The new engine is made while storage reads: neither waits for the other.
  let t1 = 0;
  const [stored, configs, fresh] = await Promise.all([
    storage.leads(record.id).then((rows) => { t1 = performance.now(); return rows; }),
    storage.configs(record.id), newEngine()]);
  const t2 = performance.now();
  try {
    // The snapshot first (a backup: it may carry the settings of its day), then today's settings,
    // then the leads changed since the snapshot.
    if (stored.snapshot instanceof Blob) loaded(await fresh.loadLeadsBlob(stored.snapshot));
    else if (stored.snapshot) loaded(fresh.loadLeads(stored.snapshot));
    if (configs.channels) fresh.setChannels(configs.channels);
    if (configs.scoringModel) fresh.setScoringModel(configs.scoringModel);
    if (configs.pipeline) fresh.setPipeline(configs.pipeline);
    if (stored.put.length) loaded(fresh.loadLeads(stored.put));
    for (const id of stored.remove) fresh.removeLead(id);
    if (configs.predictiveModel) fresh.setPredictiveModel(configs.predictiveModel);
    if (configs.mergeJournal) fresh.loadMergeJournal(configs.mergeJournal);
  } catch (error) {
    fresh.dispose();
    throw error;
  }
  loadTimings = { storageRead: Math.round(t1 - t0), readAndCreate: Math.round(t2 - t0), engineLoad: Math.round(performance.now() - t2) };
  engine?.dispose();
  engine = fresh;
  loadGeneration += 1;
  const jsonSnapshot = !!stored.snapshot && stored.snapshot.type !== SNAPSHOT_TYPE;
  workspace = { ...record, rev: record.rev ?? 0, logSize: logged(stored), jsonSnapshot };
  undoLog.clear();
  scheduleCompaction();
}

function loaded(report) {
  if (report.errors.length) throw new Error(`Stored leads could not be read: ${report.errors[0].message}`);
}

/** How many leads a change (or a stored log) puts in the change log. */
const logged = ({ put, remove }) => (put?.length ?? 0) + (remove?.length ?? 0);

// The change log is folded into a new snapshot once it holds more than this share of the
// workspace (and at least COMPACT_MIN leads): a load then reads at most ~1/8 of the leads twice.
const COMPACT_SHARE = 1 / 8;
const COMPACT_MIN = 256;
let compactTimer = 0;

/**
 * Writes a fresh snapshot when the log has grown, or when the snapshot is still JSON text written
 * by an older leadkit (read ~3× slower than the binary form), a moment after the last change.
 */
function scheduleCompaction() {
  clearTimeout(compactTimer);
  if (!workspace || (!workspace.jsonSnapshot && workspace.logSize <= Math.max(COMPACT_MIN, engine.size * COMPACT_SHARE))) return;
  compactTimer = setTimeout(async () => {
    const { id, rev } = workspace;
    try {
      if (await storage.compact(id, rev, engine.exportSnapshot()) && workspace.id === id && workspace.rev === rev) {
        workspace.logSize = 0;
        workspace.jsonSnapshot = false;
      }
    } catch (error) {
      console.warn('leadkit: compaction skipped:', error);  // the log stays; nothing is lost
    }
  }, 2000);
}

/**
 * Commits a change made in the engine; on failure, reloads the engine from storage and throws.
 * Commits run one after another, each against the revision the one before it wrote: two changes
 * made in quick succession in this tab (two quick-log clicks) are not a conflict. A change queued
 * behind one that failed is refused too, since the engine it was made in has been reloaded.
 */
function commit(change) {
  const generation = loadGeneration;
  const run = commitChain.then(() => commitNow(change, generation));
  commitChain = run.catch(() => {});
  return run;
}
let commitChain = Promise.resolve();

async function commitNow(change, generation) {
  try {
    if (generation !== loadGeneration) throw new ConflictError(workspace.rev);
    const logSize = (change.snapshot != null ? 0 : workspace.logSize) + logged(change);
    // A change that writes a snapshot writes it in binary; any other leaves a JSON one to rewrite.
    const jsonSnapshot = change.snapshot == null && workspace.jsonSnapshot;
    // The stored record, over this tab's own state of it (logSize, jsonSnapshot).
    workspace = { ...workspace, ...await storage.commit(workspace.id, workspace.rev, change), logSize, jsonSnapshot };
    channel?.postMessage({ type: 'changed', workspaceId: workspace.id, rev: workspace.rev });
    scheduleCompaction();
    return workspace.rev;
  } catch (error) {
    if (generation === loadGeneration) {
      const record = await storage.workspace(workspace.id);
      if (record) await loadWorkspace(record);
    }
    return fail(error);
  }
}

const leadsOf = (ids) => ids.map((id) => engine.getLead(id)).filter(Boolean);

async function seedDemo() {
  const generated = await sampleLeads(DEMO_LEADS, { seed: DEMO_SEED, now: Date.now() });
  const demo = await newEngine();
  let snapshot;
  try {
    const report = demo.loadLeads(generated);
    if (report.errors.length) throw new Error(report.errors[0].message);
    snapshot = demo.exportSnapshot();
  } finally {
    demo.dispose();
  }
  const record = { id: 'demo', name: 'Demo workspace', createdAt: new Date().toISOString(), demo: true };
  await storage.createWorkspace(record, snapshot);
  return record;
}

function newId() {
  return `ws-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// Read-only engine methods the page may call directly.
const READS = new Set(['query', 'summary', 'getLead', 'score', 'explain', 'whatIf', 'getScoringModel',
  'getPipeline', 'qualification', 'cadenceStatus', 'callList', 'findDuplicates', 'previewMerge',
  'getPredictiveModel', 'predict', 'predictAll', 'exportCsv', 'suggestMapping', 'funnel', 'plan', 'scoreAll']);

/** Opens storage and a workspace (the given one, else the first), seeding the demo on a first visit. */
async function openWorkspace(workspaceId) {
  const started = performance.now();
  try {
    await ensureStorage();
    let seeded = false;
    const spaces = await storage.workspaces();
    let record = spaces.find((w) => w.id === workspaceId) ?? spaces[0];
    if (!record) {
      record = await seedDemo();
      seeded = true;
    }
    await loadWorkspace(await storage.workspace(record.id));
    return { workspace, workspaces: await storage.workspaces(), seeded, count: engine.size, heapBytes: engine.heapBytes,
      ms: Math.round(performance.now() - started) };
  } catch (error) {
    return fail(error);
  }
}

// The open that start() begins for the workspace boot.js named: the page's open() takes it over.
let earlyOpen = null;

// What worker.js started before this module loaded: the wasm module's compile and the memory it
// is writing first. The engine's module is made from them on the first need of an engine, and
// only then: the memory's first writing stops there.
let boot = {};
let modulePrepared = false;

function prepareModule() {
  if (modulePrepared) return;
  modulePrepared = true;
  boot.stopPrefault?.();
  leadkitApi.preload?.({ module: boot.module, memory: boot.memory });
}

function newEngine() {
  prepareModule();
  return createEngine();
}

const host = {
  /** Opens a workspace: see openWorkspace. */
  async open(workspaceId) {
    const early = earlyOpen;
    earlyOpen = null;  // only the first call may take it over: a later open reads storage again
    if (early && early.id === workspaceId) return early.result;
    if (early) await early.result.catch(() => {});  // two loads at once would race for the engine
    return openWorkspace(workspaceId);
  },

  /** Reloads the open workspace if another tab has written to it; says whether it did. */
  async sync() {
    const record = await storage.workspace(workspace.id);
    if (!record) return { deleted: true };
    if ((record.rev ?? 0) === workspace.rev) return { changed: false };
    await loadWorkspace(record);
    return { changed: true, workspace };
  },

  workspaces() {
    return storage.workspaces();
  },

  async createWorkspace(name) {
    const record = { id: newId(), name: cleanName(name), createdAt: new Date().toISOString() };
    await storage.createWorkspace(record, null).catch(fail);
    return record;
  },

  async renameWorkspace(id, name) {
    const record = await storage.workspace(id);
    if (!record) throw new Error('That workspace no longer exists.');
    const next = await storage.commit(id, record.rev ?? 0, { meta: { name: cleanName(name) } }).catch(fail);
    if (workspace?.id === id) workspace = { ...workspace, ...next };
    channel?.postMessage({ type: 'workspaces' });
    return next;
  },

  async deleteWorkspace(id) {
    await storage.deleteWorkspace(id).catch(fail);
    channel?.postMessage({ type: 'workspaces' });
    return storage.workspaces();
  },

  /** The open workspace as a backup file's text: leads, settings and the adopted predictive model. */
  exportBackup() {
    const backup = JSON.parse(engine.exportJson());
    backup.name = workspace.name;
    backup.exportedAt = new Date().toISOString();
    const model = engine.getPredictiveModel();
    if (model) backup.predictiveModel = model;
    return JSON.stringify(backup);
  },

  /** Restores a backup file as a new workspace; a bad file throws and nothing is created. */
  async importBackup(text, fallbackName) {
    const probe = await newEngine();
    try {
      let doc;
      try { doc = JSON.parse(text); } catch (error) { throw new LeadkitError(`This file is not valid JSON: ${error.message}`); }
      const report = probe.loadLeads(text);
      if (report.errors.length) {
        const [first] = report.errors;
        throw new LeadkitError(`This backup cannot be restored: ${first.where?.path ?? ''} ${first.message}`.trim(), first.where);
      }
      if (doc.predictiveModel) probe.setPredictiveModel(doc.predictiveModel);
      const record = { id: newId(), name: cleanName(doc.name || fallbackName || 'Restored workspace'), createdAt: new Date().toISOString() };
      const configs = {
        scoringModel: doc.model ?? null, pipeline: doc.pipeline ?? null, channels: doc.channels ?? null,
        predictiveModel: doc.predictiveModel ?? null,
      };
      await storage.createWorkspace(record, probe.exportSnapshot(), configs);
      return { workspace: record, leads: probe.size };
    } catch (error) {
      return fail(error);
    } finally {
      probe.dispose();
    }
  },

  /** Read-only engine calls: query, summary, score, explain, whatIf, callList, predict, … */
  read(method, ...args) {
    if (!READS.has(method) || typeof engine[method] !== 'function') throw new Error(`unknown read: ${method}`);
    try {
      return engine[method](...args);
    } catch (error) {
      return fail(error);
    }
  },

  /**
   * query(spec), but each row carries only what the leads table shows: a full lead (events,
   * touches, history) is many times larger, and cloning 100 of them to the page costs frames.
   * The engine builds these rows itself (query view 'row').
   */
  rows(spec) {
    try { return engine.query({ ...spec, view: 'row' }); } catch (error) { return fail(error); }
  },

  get size() {
    return engine?.size ?? 0;
  },

  /**
   * Milliseconds each step of the last workspace load took (storage read, engine create, load),
   * with how many loads this worker has made and whether worker.js handed it a memory.
   */
  openTimings() {
    return { ...loadTimings, loads: loadGeneration, memoryGiven: !!boot.memory };
  },

  // ---- changes to one lead: run in the engine, then commit that lead --------------------------
  async saveLead(lead) {
    let id;
    try { id = engine.upsertLead(lead); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return engine.getLead(id);
  },

  async removeLeads(ids) {
    const before = leadsOf(ids);
    for (const id of ids) engine.removeLead(id);
    await commit({ remove: ids });
    return remember(before, []);
  },

  async transition(id, stage, options) {
    let result;
    try { result = engine.transition(id, stage, options); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return result;
  },

  async logTouch(id, touch) {
    let result;
    try { result = engine.logTouch(id, touch); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return result;
  },

  async enroll(id, cadence, options) {
    let result;
    try { result = engine.enroll(id, cadence, options); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return result;
  },

  // engine.setQualification(id, criterion, status, evidence, { framework, confidence }); a change
  // object { criterion, status, evidence, framework, confidence } is accepted too.
  async setQualification(id, change, ...rest) {
    const args = change && typeof change === 'object'
      ? [change.criterion, change.status, change.evidence, { framework: change.framework, confidence: change.confidence, ...(rest[0] ?? {}) }]
      : [change, ...rest];
    let result;
    try { result = engine.setQualification(id, ...args); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return result;
  },

  /**
   * One change to many leads: { stage, reason, note } moves each through the lifecycle (guards
   * apply, refusals are listed), { addTag } / { removeTag } edit tags. Returns an undo token.
   */
  async bulk(ids, change) {
    const before = leadsOf(ids);
    const refused = [];
    const changed = [];
    for (const lead of before) {
      try {
        if (change.stage) {
          if (lead.stage === change.stage) continue;
          engine.transition(lead.id, change.stage, { reason: change.reason, note: change.note });
        } else if (change.addTag || change.removeTag) {
          const had = lead.tags ?? [];
          const tags = change.addTag ? [...new Set([...had, change.addTag])] : had.filter((t) => t !== change.removeTag);
          if (tags.length === had.length) continue;
          engine.upsertLead({ ...lead, tags });
        }
        changed.push(lead.id);
      } catch (error) {
        refused.push({ id: lead.id, message: error.message });
      }
    }
    if (changed.length) await commit({ put: leadsOf(changed) });
    const token = remember(before.filter((l) => changed.includes(l.id)), []);
    return { changed: changed.length, refused, ...token };
  },

  /** Puts back the leads a bulk change or delete touched, as they were. */
  async undo(token) {
    const entry = undoLog.get(token);
    if (!entry) throw new Error('There is nothing to undo any more.');
    undoLog.delete(token);
    const ids = entry.leads.map((l) => l.id);
    for (const lead of entry.leads) {
      engine.removeLead(lead.id);
      engine.upsertLead(lead, { now: Date.parse(lead.updatedAt ?? '') || Date.now() });
    }
    await commit({ put: leadsOf(ids) });
    return { restored: ids.length };
  },

  // ---- settings ----------------------------------------------------------------------------
  async setScoringModel(model) {
    let hash;
    try { hash = engine.setScoringModel(model); } catch (error) { return fail(error); }
    await commit({ configs: { scoringModel: engine.getScoringModel() } });
    return hash;
  },

  async setPipeline(settings) {
    let result;
    try { result = engine.setPipeline(settings); } catch (error) { return fail(error); }
    await commit({ configs: { pipeline: settings } });
    return result;
  },

  async setChannels(mapping) {
    try { engine.setChannels(mapping); } catch (error) { return fail(error); }
    await commit({ configs: { channels: mapping } });
  },

  // ---- import --------------------------------------------------------------------------------
  /** Imports a CSV (a File or text). Dry runs change nothing; a real run lands whole or not at all. */
  async importCsv(input, options = {}, onProgress) {
    let report;
    try {
      report = await engine.importCsv(input, { ...options, onProgress: onProgress ? (p) => onProgress(p) : undefined });
    } catch (error) {
      return fail(error);
    }
    if (!options.dryRun && report.imported + report.updated > 0) {
      onProgress?.({ saving: true });
      await commit({ snapshot: engine.exportSnapshot() });
    }
    return report;
  },

  // ---- predictive model ------------------------------------------------------------------------
  train(options) {
    try { return engine.train(options); } catch (error) { return fail(error); }
  },

  async adoptModel(model) {
    let hash;
    try { hash = engine.setPredictiveModel(model); } catch (error) { return fail(error); }
    await commit({ configs: { predictiveModel: model } });
    return hash;
  },

  async discardModel() {
    engine.setPredictiveModel(null);
    await commit({ configs: { predictiveModel: null } });
  },

  // ---- advisor (dashboard) ------------------------------------------------------------------------
  /** leadkit.advise(inputs): lead generation vs prospecting; needs no workspace. */
  async advise(inputs) {
    if (typeof leadkitApi.advise !== 'function') throw new Error('unknown method: advise');
    try { return await leadkitApi.advise(inputs); } catch (error) { return fail(error); }
  },

  // ---- duplicates ----------------------------------------------------------------------------
  async merge(ids, choices) {
    let result;
    try { result = engine.merge(ids, choices); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([result.survivor]), remove: result.removed, configs: { mergeJournal: engine.mergeJournal() } });
    return result;
  },

  async undoMerge(mergeId) {
    let result;
    try { result = engine.undoMerge(mergeId); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([result.survivor, ...result.restored]), configs: { mergeJournal: engine.mergeJournal() } });
    return result;
  },
};

function remember(leads, extra) {
  const token = `undo-${++undoCounter}`;
  undoLog.set(token, { leads, extra });
  if (undoLog.size > 20) undoLog.delete(undoLog.keys().next().value);
  return { undo: token };
}

function cleanName(name) {
  const text = String(name ?? '').trim().slice(0, 80);
  if (!text) throw new Error('A workspace needs a name.');
  return text;
}

/**
 * Called by worker.js once this module has loaded, with what it started (see worker.js): `open`,
 * the workspace the page will ask for first; `module` and `memory` for the engine, and
 * `stopPrefault`; `queued`, the page's messages that came before this module listened.
 */
export function start(started) {
  boot = started;
  // Before the page's kept messages are handed on: its open() may be among them.
  if (boot.open) {
    earlyOpen = { id: boot.open, result: openWorkspace(boot.open) };
    earlyOpen.result.catch(() => { /* reported to the open() call that takes it over */ });
  } else {
    prepareModule();  // nothing to open yet: the module is made now, for the page's first call
  }
  Comlink.expose(host);
  for (const event of boot.queued ?? []) {
    self.dispatchEvent(new MessageEvent('message', { data: event.data, ports: [...event.ports] }));
  }
}
