// The engine host: owns the wasm engine and IndexedDB so the page only renders. Exposed to the
// page with Comlink; every method resolves with plain data.
//
// Every change runs in the engine first and is then committed to IndexedDB against the revision
// this tab last saw (storage.js). If the commit fails (another tab wrote first, or the disk is
// full) the engine is reloaded from storage, so what the page shows is always what is stored.
import * as Comlink from '../vendor/comlink.mjs';
import { reverse } from './undo.js';
import { advise, createEngine, preload, sampleLeads, LeadkitError } from '../lib/leadkit.js';
import { ClosedError, ConflictError, SNAPSHOT_TYPE, describeStorageError, onStorageEvents, openStorage } from './storage.js';

const DEMO_LEADS = 520;
const DEMO_SEED = 2026;
const CONFIGS = ['scoringModel', 'pipeline', 'channels', 'predictiveModel', 'mergeJournal'];

/** @type {import('../lib/leadkit.js').Engine} */
let engine = null;
let storage = null;
let workspace = null;   // the open workspace's record, with the revision this tab has
// The tab this worker serves (boot.js names the worker with it), to sign what it broadcasts.
const TAB = typeof self === 'object' && typeof self.name === 'string' ? new URLSearchParams(self.name).get('tab') : null;
const undoLog = new Map();  // token → what a bulk change or delete did, lead by lead
let undoCounter = 0;
// Comlink passes a thrown Error as message, name and stack; keep `kind` and `where` too, so the
// page can say what went wrong where.
/** @typedef {Error & { kind?: string, code?: string, where?: import('../lib/leadkit.js').Where }} PageError */
const throwHandler = Comlink.transferHandlers.get('throw');
Comlink.transferHandlers.set('throw', {
  ...throwHandler,
  serialize({ value }) {
    if (!(value instanceof Error)) return throwHandler.serialize({ value });
    const { message, name, stack, kind, code, where } = /** @type {PageError} */ (value);
    return [{ isError: true, value: { message, name, stack, kind, code, where } }, []];
  },
});
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('leadkit') : null;
channel?.unref?.();  // node (the host's tests) would otherwise never exit; browsers have no unref

// Another tab wants the database closed (a newer leadkit, or a delete of it): storage.js closes it
// and every later write is refused in words; the page is told so it can ask for a reload.
let notifyPage = null;
onStorageEvents({
  closed: () => notifyPage?.({ type: 'closed' }),
  blocked: () => notifyPage?.({ type: 'blocked' }),
});

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
  if (error instanceof ConflictError || error instanceof ClosedError || error instanceof DOMException || error?.name === 'QuotaExceededError') {
    const e = /** @type {PageError} */ (new Error(describeStorageError(error)));
    e.kind = error instanceof ClosedError ? 'closed' : error instanceof ConflictError ? (error.rev === -1 ? 'deleted' : 'conflict') : 'storage';
    throw e;
  }
  if (error instanceof LeadkitError && error.code === 'aborted') {
    // The engine's module died (memory exhausted): open the workspace again from storage, on a
    // new module, so the next action works; the change that hit it was not saved.
    restartEngine();
    const e = /** @type {PageError} */ (new Error('The engine stopped (it ran out of memory) and is being restarted from what is stored. The last change was not saved; please make it again.'));
    e.kind = 'aborted';
    e.code = 'aborted';
    throw e;
  }
  if (error instanceof LeadkitError) {
    const e = /** @type {PageError} */ (new Error(error.message));
    e.kind = 'input';
    e.code = error.code;
    e.where = error.where;
    throw e;
  }
  throw error instanceof Error ? error : new Error(String(error));
}

let restarting = null;
function restartEngine() {
  if (restarting || !workspace) return;
  const id = workspace.id;
  restarting = storage.workspace(id)
    .then((record) => record && loadWorkspace(record))
    .catch((error) => console.warn('leadkit: the engine could not be restarted:', error))
    .finally(() => { restarting = null; });
}

// How long the last workspace load took, step by step: for tests/bench/app_bench.mjs.
let loadTimings = null;

let loadGeneration = 0;  // bumped by every load: changes made before it are gone from the engine
let unsaved = [];  // damaged records found at the last open that storage did not take yet
const deletedHere = new Set();  // workspaces this tab deleted: their loss needs no warning

async function loadWorkspace(record) {
  const t0 = performance.now();
  // The new engine is made while storage reads: neither waits for the other.
  let t1 = 0;
  const [stored, configs, fresh] = await Promise.all([
    storage.leads(record.id).then((rows) => { t1 = performance.now(); return rows; }),
    storage.configs(record.id), newEngine()]);
  const t2 = performance.now();
  let opened;
  try {
    opened = await rebuild(fresh, stored, configs);
  } catch (error) {
    fresh.dispose();
    throw error;
  }
  loadTimings = { storageRead: Math.round(t1 - t0), readAndCreate: Math.round(t2 - t0), engineLoad: Math.round(performance.now() - t2) };
  engine?.dispose();
  engine = fresh;
  loadGeneration += 1;
  const { base, applied, damage } = opened;
  // A snapshot an older leadkit stored as JSON, or the previous one fallen back to, is rewritten.
  const rewriteSnapshot = damage.snapshot || (!!base && base.data instanceof Blob && base.data.type !== SNAPSHOT_TYPE)
    || (!!base && !(base.data instanceof Blob));
  // Undo reverses only what its change did, so it stays possible across a reload of the same
  // workspace (another tab wrote); not across a switch to another.
  if (workspace?.id !== record.id) undoLog.clear();
  workspace = { ...record, rev: record.rev ?? 0, logSize: applied, rewriteSnapshot };
  unsaved = [];
  if (damage.found.length) {
    // Set aside in storage too, so a later snapshot cannot carry the damage on, and the raw bytes
    // wait for the user. If that cannot be written now, they are kept here for this session.
    const moved = await storage.setAside(record.id, workspace.rev, damage).catch((error) => {
      console.warn('leadkit: could not set aside damaged records:', error);
      return false;
    });
    if (!moved) unsaved = damage.found.map((item, i) => ({ ...item, id: `unsaved-${i}`, at: new Date().toISOString() }));
  }
  scheduleCompaction();
}

/**
 * Rebuilds a workspace in `engine` from what storage holds, reading whatever can be read: the
 * snapshot (or, if it is damaged, the previous one), today's settings, then the change log since
 * that snapshot. Anything that cannot be read is listed in `damage` (with its raw bytes) and
 * skipped. The order matters: a snapshot may carry the settings of its day, and the leads changed
 * since it are read under today's channels.
 */
async function rebuild(engine, stored, configs) {
  const damage = { snapshot: false, previous: false, log: [], configs: [], found: [] };
  let base = null;
  for (const [which, snap] of [['snapshot', stored.snapshot], ['previous', stored.previous]]) {
    if (!snap || (which === 'previous' && !damage.snapshot)) continue;
    const problem = snap.data ? await problemLoading(() => (snap.data instanceof Blob ? engine.loadLeadsBlob(snap.data) : engine.loadLeads(snap.data))) : null;
    if (!problem) { base = snap; break; }
    damage[which] = true;
    if (which === 'snapshot') damage.snapshotGen = snap.gen;
    damage.found.push({ kind: 'snapshot', label: which === 'snapshot' ? 'the latest snapshot of the leads' : 'the snapshot before it', message: problem, data: snap.data });
  }
  for (const name of CONFIGS) {
    const doc = configs[name];
    if (doc == null) continue;
    const problem = await problemLoading(() => applyConfig(engine, name, doc));
    if (problem) {
      damage.configs.push(name);
      damage.found.push({ kind: 'setting', label: CONFIG_LABELS[name], message: problem, data: safeJson(doc) });
    }
  }
  // The log records written since the snapshot read; all of them when none could be read.
  const since = base?.gen ?? 0;
  const put = [];
  const remove = [];
  for (const row of stored.log) {
    if ((row?.gen ?? 0) < since) continue;
    const id = row?.lead?.id;
    if (typeof id !== 'string' || (!row.removed && (typeof row.lead !== 'object' || Array.isArray(row.lead)))) {
      setAsideRow(damage, row, 'it is not a lead');
    } else if (row.removed) remove.push(id);
    else put.push(row);
  }
  if (put.length && await problemLoading(() => engine.loadLeads(put.map((row) => row.lead)))) {
    for (const row of put) {  // one by one, to find the damaged ones: the rest still load
      const problem = await problemLoading(() => engine.loadLeads([row.lead]));
      if (problem) setAsideRow(damage, row, problem);
    }
  }
  for (const id of remove) engine.removeLead(id);
  return { base, applied: put.length + remove.length, damage };
}

const CONFIG_LABELS = { channels: 'the source channels', scoringModel: 'the scoring model', pipeline: 'the pipeline settings',
  predictiveModel: 'the adopted predictive model', mergeJournal: 'the merge history (undo of merges)' };

function applyConfig(engine, name, doc) {
  if (name === 'channels') engine.setChannels(doc);
  else if (name === 'scoringModel') engine.setScoringModel(doc);
  else if (name === 'pipeline') engine.setPipeline(doc);
  else if (name === 'predictiveModel') engine.setPredictiveModel(doc);
  else if (name === 'mergeJournal') engine.loadMergeJournal(doc);
}

/** Runs a load; returns why it failed (text), or null when it worked. */
async function problemLoading(load) {
  try {
    const report = await load();
    if (report?.errors?.length) return describeProblem(report.errors[0]);
    return null;
  } catch (error) {
    // The engine itself failing (its module aborted, memory exhausted) says nothing about the
    // record: the open fails as a whole, and nothing is set aside.
    if (ENGINE_FAILURES.has(error?.code)) throw error;
    return describeProblem(error);
  }
}
const ENGINE_FAILURES = new Set(['aborted', 'too_large']);

/** Why a record could not be read, said once: the path (without the one-lead batch's "leads[0]"), then what. */
function describeProblem(e) {
  const message = String(e?.message ?? e);
  const path = String(e?.where?.path ?? '');
  const said = path && !message.startsWith(path) ? `${path}: ${message}` : message;
  return said.replace(/^leads\[\d+\]\.?/, '').replace(/^: /, '');
}

function setAsideRow(damage, row, message) {
  const id = row?.lead?.id;
  if (Array.isArray(row?.lead) || typeof id !== 'string') damage.found.push({ kind: 'lead', label: 'a changed lead', message, data: safeJson(row) });
  else damage.found.push({ kind: 'lead', label: `the lead “${id}”`, message, data: safeJson(row.lead) });
  if (row && row.workspaceId != null && id != null) damage.log.push([row.workspaceId, id]);
}

function safeJson(value) {
  try { return JSON.stringify(value, null, 2) ?? String(value); } catch { return String(value); }
}

function sameBytes(a, b) {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
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
  if (!workspace || (!workspace.rewriteSnapshot && workspace.logSize <= Math.max(COMPACT_MIN, engine.size * COMPACT_SHARE))) return;
  compactTimer = setTimeout(() => {
    // In line with the commits: never while one is in flight, nor over an engine a failed commit
    // is about to reload (it would store a change the user was told was not saved).
    const { id, rev } = workspace;
    const generation = loadGeneration;
    commitChain = commitChain.then(async () => {
      if (generation !== loadGeneration || workspace.id !== id || workspace.rev !== rev) return;
      try {
        const bytes = engine.exportSnapshot();
        const retry = workspace.unreadBack;  // the last one did not read back: replace it alone
        if (await storage.compact(id, rev, bytes, { replaceCurrent: retry }) && workspace.id === id && workspace.rev === rev) {
          workspace.logSize = 0;
          // Read back: a snapshot that did not land whole is written again, while the previous one
          // and the log still hold every lead.
          workspace.unreadBack = !sameBytes(await storage.snapshotBytes(id), bytes);
          workspace.rewriteSnapshot = workspace.unreadBack;
          if (workspace.rewriteSnapshot) scheduleCompaction();
        }
      } catch (error) {
        console.warn('leadkit: compaction skipped:', error);  // the log stays; nothing is lost
      }
    });
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
    // A change that writes a snapshot writes it in binary; any other leaves one to rewrite as it was.
    const rewriteSnapshot = change.snapshot == null && workspace.rewriteSnapshot;
    // The stored record, over this tab's own state of it (logSize, rewriteSnapshot).
    workspace = { ...workspace, ...await storage.commit(workspace.id, workspace.rev, change), logSize, rewriteSnapshot };
    channel?.postMessage({ type: 'changed', workspaceId: workspace.id, rev: workspace.rev, tab: TAB });
    scheduleCompaction();
    return workspace.rev;
  } catch (error) {
    // Another tab wrote first, or the disk refused: show what is stored. A workspace deleted
    // elsewhere, or storage closed under us, has nothing to reload: the engine keeps what this
    // tab holds, so the user can keep it as a new workspace or a backup file.
    const reloadable = !(error instanceof ClosedError) && !(error instanceof ConflictError && error.rev === -1);
    if (reloadable && generation === loadGeneration) {
      const record = await storage.workspace(workspace.id).catch(() => null);
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
  'getPipeline', 'qualification', 'cadenceStatus', 'callList', 'tasks', 'leadPage', 'findDuplicates', 'previewMerge',
  'getPredictiveModel', 'predict', 'predictAll', 'exportCsv', 'suggestMapping', 'getChannels', 'funnel', 'plan', 'scoreAll', 'catalog']);

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
  preload({ module: boot.module, memory: boot.memory });
}

function newEngine() {
  prepareModule();
  return createEngine();
}

const host = {
  /** `listener(event)` hears storage events: { type: 'closed' | 'blocked' } (a Comlink proxy). */
  listen(listener) {
    notifyPage = listener;
  },

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
    if (!record) return { deleted: !deletedHere.has(workspace.id) };
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
    deletedHere.add(id);
    await storage.deleteWorkspace(id).catch(fail);
    channel?.postMessage({ type: 'workspaces' });
    return storage.workspaces();
  },

  /**
   * The open workspace as a backup file's text: leads, settings and the adopted predictive model.
   * The text is read back into a second engine before it is handed out: a backup that would not
   * restore every lead is an error, never a file.
   */
  async exportBackup() {
    try {
      if (!engine || !workspace) throw new Error('No workspace is open, so there is nothing to back up.');
      // The engine's backup holds the whole workspace (leads, settings, the adopted predictive
      // model, the merge journal); the file adds its name and date in front, without a parse.
      const body = engine.exportJson();
      const text = `{"name":${JSON.stringify(workspace.name)},"exportedAt":"${new Date().toISOString()}",${body.slice(1)}`;
      const probe = await newEngine();
      try {
        const report = probe.loadLeads(text);
        if (report.errors.length || probe.size !== engine.size) {
          throw new Error(`The backup could not be made: reading it back gave ${probe.size} of ${engine.size} leads${report.errors.length ? ` (${describeProblem(report.errors[0])})` : ''}. Nothing was saved; try again after a reload.`);
        }
      } finally {
        probe.dispose();
      }
      return text;
    } catch (error) {
      return fail(error);
    }
  },

  /**
   * Keeps what this tab holds of a workspace that was deleted in another tab (with any change the
   * deletion refused) as a new workspace, and opens it.
   */
  async keepAsNewWorkspace(name) {
    if (!engine || !workspace) throw new Error('No workspace is open.');
    const record = { id: newId(), name: cleanName(name || `${workspace.name} (kept)`), createdAt: new Date().toISOString() };
    const configs = {
      scoringModel: engine.getScoringModel(), pipeline: engine.getPipeline(), predictiveModel: engine.getPredictiveModel(),
      mergeJournal: engine.mergeJournal(),
    };
    await storage.createWorkspace(record, engine.exportSnapshot(), configs).catch(fail);
    channel?.postMessage({ type: 'workspaces' });
    return openWorkspace(record.id);
  },

  /** Resolves once an engine restart after an abort is over (at once when there is none). */
  async restarted() {
    await restarting;
    return !!engine;
  },

  /** What could not be read when the open workspace was opened: [{ id, kind, label, message, at }]. */
  async setAside() {
    const stored = await storage.quarantined(workspace.id);
    return [...stored, ...unsaved].map(({ id, kind, label, message, at }) => ({ id, kind, label, message, at }));
  },

  /** The raw bytes of one record that was set aside, for the user to keep: { name, type, data }. */
  async setAsideFile(id) {
    const item = [...await storage.quarantined(workspace.id), ...unsaved].find((r) => r.id === id);
    if (!item) throw new Error('That record is no longer kept.');
    const data = item.data instanceof Blob ? new Uint8Array(await item.data.arrayBuffer()) : item.data;
    const ext = typeof data === 'string' ? 'json' : 'bin';
    return { name: `${workspace.name}-unreadable-${item.kind}-${item.id}.${ext}`, type: typeof data === 'string' ? 'application/json' : 'application/octet-stream', data };
  },

  /** Forgets the records set aside (the user has saved them or does not want them). */
  async dismissSetAside() {
    unsaved = [];
    await storage.dismissQuarantined(workspace.id).catch(fail);
  },

  /**
   * Restores a backup file. When a workspace of the backup's name exists already and no `mode` is
   * given, nothing is written and the reply is `{ clash: { id, name }, suggestedName }`; then
   * `mode: 'replace'` puts the backup in that workspace (its old content stays as the previous
   * snapshot) and `mode: 'keep'` makes a new workspace under `name` (default: a distinct one).
   * A bad file throws and nothing is changed.
   */
  /** @param {string} text @param {string} [fallbackName] @param {{ mode?: 'replace' | 'keep', name?: string }} [options] */
  async importBackup(text, fallbackName, { mode, name } = {}) {
    const probe = await newEngine();
    try {
      let doc;
      try { doc = JSON.parse(text); } catch (error) { throw new LeadkitError(`This file is not valid JSON: ${error.message}`); }
      const report = probe.loadLeads(text);
      if (report.errors.length) {
        const [first] = report.errors;
        throw new LeadkitError(`This backup cannot be restored: ${first.message}`, first.where, 'invalid_input');
      }
      if (doc.predictiveModel) probe.setPredictiveModel(doc.predictiveModel);
      const wanted = cleanName(doc.name || fallbackName || 'Restored workspace');
      const spaces = await storage.workspaces();
      const clash = spaces.find((w) => w.name.toLowerCase() === wanted.toLowerCase());
      const distinct = () => {
        for (let n = 2; ; n++) {
          const candidate = `${wanted} (${n})`;
          if (!spaces.some((w) => w.name.toLowerCase() === candidate.toLowerCase())) return candidate;
        }
      };
      if (clash && !mode) return { clash: { id: clash.id, name: clash.name }, suggestedName: distinct(), leads: probe.size };
      const configs = {
        scoringModel: doc.model ?? null, pipeline: doc.pipeline ?? null, channels: doc.channels ?? null,
        predictiveModel: doc.predictiveModel ?? null, mergeJournal: null,
      };
      if (clash && mode === 'replace') {
        const next = await storage.commit(clash.id, clash.rev ?? 0, { snapshot: probe.exportSnapshot(), configs });
        channel?.postMessage({ type: 'workspaces' });
        if (workspace?.id === clash.id) await loadWorkspace(next);
        return { workspace: next, leads: probe.size, replaced: true };
      }
      const record = { id: newId(), name: clash ? cleanName(name || distinct()) : wanted, createdAt: new Date().toISOString() };
      await storage.createWorkspace(record, probe.exportSnapshot(), configs);
      channel?.postMessage({ type: 'workspaces' });
      return { workspace: record, leads: probe.size };
    } catch (error) {
      return fail(error);
    } finally {
      probe.dispose();
    }
  },

  /**
   * Merges leadkit JSON leads (the website widget's export, an array of leads, a backup) into the
   * open workspace by id, else e-mail; the rest are added. `dryRun` says what would happen.
   * Returns the engine's counts, with an undo token when something changed.
   */
  async mergeLeads(text, { dryRun = false } = {}) {
    let result;
    let before;
    try {
      if (!dryRun) {
        const preview = engine.mergeLeads(text, { dryRun: true });
        before = leadsOf(preview.leads.filter((l) => l.action === 'merged').map((l) => l.id));
      }
      result = engine.mergeLeads(text, { dryRun });
    } catch (error) { return fail(error); }
    if (dryRun || !result.changedIds.length) return result;
    await commit({ put: leadsOf(result.changedIds) });
    const had = new Map(before.map((l) => [l.id, l]));
    const token = remember(leadsOf(result.changedIds).map((l) => ({ id: l.id, before: had.get(l.id) ?? null, after: l })));
    return { ...result, ...token };
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

  /**
   * Saves a lead page's form: `fields` (the form's values; a key of `keys` missing from it is
   * cleared) over the lead as stored now, so a touch logged or a move made since the form was
   * filled stays. Returns the lead page's new state (as read('leadPage')): one message, three
   * engine calls.
   */
  async saveFields(id, fields, keys) {
    let view;
    try {
      const stored = engine.getLead(id);
      if (!stored) throw new LeadkitError('This lead is no longer in this workspace.', { path: 'id' }, 'not_found');
      const next = { ...stored, custom: fields.custom ?? stored.custom };
      delete next.direction;  // derived from the source
      for (const key of keys) {
        if (key in fields) next[key] = fields[key]; else delete next[key];
      }
      engine.upsertLead(next);
      view = engine.leadPage(id);
    } catch (error) { return fail(error); }
    await commit({ put: [view.lead] });
    return view;
  },

  async removeLeads(ids) {
    const before = leadsOf(ids);
    for (const id of ids) engine.removeLead(id);
    await commit({ remove: ids });
    return remember(before.map((lead) => ({ id: lead.id, before: lead, after: null })));
  },

  async transition(id, stage, options) {
    let result;
    try { result = engine.transition(id, stage, options); } catch (error) { return fail(error); }
    await commit({ put: leadsOf([id]) });
    return result;
  },

  /**
   * Logs a touch. With `{ page: true }` the reply carries the lead page's new state (`page`, as
   * read('leadPage')), so the page repaints from this one reply: two engine calls in all.
   */
  async logTouch(id, touch, { page = false } = {}) {
    let result;
    let view = null;
    try {
      result = engine.logTouch(id, touch);
      if (page) view = engine.leadPage(id);
    } catch (error) { return fail(error); }
    await commit({ put: view ? [view.lead] : leadsOf([id]) });
    return view ? { ...result, page: view } : result;
  },

  /** Calls made into the engine's module since it was created (a test counts them per action). */
  engineCalls() {
    return engine?.calls ?? 0;
  },

  async setTask(id, change, options) {
    let result;
    try { result = engine.setTask(id, change, options); } catch (error) { return fail(error); }
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
    /** @type {[string, import('../lib/leadkit.js').BantStatus, string?, object?]} */
    const args = change && typeof change === 'object'
      ? [change.criterion, change.status, change.evidence, { framework: change.framework, confidence: change.confidence, ...(rest[0] ?? {}) }]
      : /** @type {any} */ ([change, ...rest]);
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
    const after = new Map(leadsOf(changed).map((lead) => [lead.id, lead]));
    const token = remember(before.filter((l) => after.has(l.id)).map((l) => ({ id: l.id, before: l, after: after.get(l.id) })));
    return { changed: changed.length, refused, ...token };
  },

  /**
   * Reverses a bulk change or delete field by field: a field the change set goes back to what it
   * was only if it still holds what the change put there. A lead changed since keeps the later
   * change (a touch logged after a bulk tag stays), and the reply says which leads and fields did:
   * `{ restored, kept: [{ id, name, fields }] }`.
   */
  async undo(token) {
    const entry = undoLog.get(token);
    if (!entry) throw new Error('There is nothing to undo any more.');
    undoLog.delete(token);  // a second click finds nothing to undo, not a half-undone state
    const { put, remove, kept } = reverse(entry.changes, (id) => engine.getLead(id));
    try {
      for (const lead of put) {
        engine.removeLead(lead.id);
        engine.upsertLead(lead);
      }
      for (const id of remove) engine.removeLead(id);
    } catch (error) {
      // The engine refused a lead half way: show what is stored again, and keep the undo.
      undoLog.set(token, entry);
      const record = await storage.workspace(workspace.id).catch(() => null);
      if (record) await loadWorkspace(record);
      return fail(error);
    }
    try {
      if (put.length || remove.length) await commit({ put: leadsOf(put.map((l) => l.id)), remove });
    } catch (error) {
      undoLog.set(token, entry);
      throw error;
    }
    return { restored: put.length + remove.length, kept };
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

  /**
   * Adds or redirects channels, and maps source values to them (the import's value step). The
   * whole channel map is stored, so a later call keeps what an earlier one chose.
   */
  async setChannels(mapping) {
    try { engine.setChannels(mapping); } catch (error) { return fail(error); }
    const channels = Object.fromEntries(engine.getChannels().map((c) => [c.name, c.values.length ? { direction: c.direction, values: c.values } : c.direction]));
    await commit({ configs: { channels } });
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
    try { return await advise(inputs); } catch (error) { return fail(error); }
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

/** Keeps what a change did, [{ id, before, after }] (after null: deleted), for undo(). */
function remember(changes) {
  const token = `undo-${++undoCounter}`;
  undoLog.set(token, { changes });
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

/** The host's methods, for tests that run it in node over fake-indexeddb (tests/js/host*.test.mjs). */
export { host };
