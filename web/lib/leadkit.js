// leadkit's JS API: an ES module that works in the browser (page or worker) and in node 20.
// Every call crosses into the wasm core as JSON text and comes back as a JSON envelope, so the
// only error type callers ever see is LeadkitError.
import createLeadkitModule from './dist/leadkit.mjs';

export class LeadkitError extends Error {
  /** @param {string} message @param {object} [where] path, row, line, column */
  constructor(message, where = {}) {
    super(message);
    this.name = 'LeadkitError';
    this.where = where;
  }
}

let modulePromise = null;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const CHUNK_BYTES = 1 << 20;
// Bytes of engine memory per byte of a backup, once loaded (100k sample leads: 203 MB for 126 MB).
const WARM_PER_BYTE = 1.6;
// How a binary snapshot (exportSnapshot) starts.
const SNAPSHOT_MAGIC = [...'LKSNAP1\n'].map((c) => c.charCodeAt(0));
// The buffer a snapshot streams through (loadLeadsBlob); a longer lead makes it grow.
const SNAPSHOT_WINDOW = 4 << 20;

/**
 * Calls put(part) with a Blob's bytes in order, through one reused buffer where the stream
 * allows it (a byte stream): a 126 MB backup read as 64 KB chunks leaves that much garbage,
 * freed later in one long pause.
 */
async function eachPart(blob, put) {
  const stream = blob.stream();
  let byob = null;
  try { byob = stream.getReader({ mode: 'byob' }); } catch { /* not a byte stream here */ }
  if (byob) {
    let buffer = new ArrayBuffer(CHUNK_BYTES);
    for (;;) {
      const { done, value } = await byob.read(new Uint8Array(buffer));
      if (done) return;
      put(value);
      buffer = value.buffer;
    }
  }
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    put(value);
  }
}

function byteLength(input) {
  if (typeof input === 'string') return null;  // known once encoded; not worth a pass
  if (input instanceof ArrayBuffer) return input.byteLength;
  if (ArrayBuffer.isView(input)) return input.byteLength;
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input.size;
  throw new LeadkitError('CSV input is text, bytes (Uint8Array or ArrayBuffer) or a Blob');
}

// The input as Uint8Array chunks of about 1 MiB; text is encoded a slice at a time, or with
// `textSlices` handed over as string slices for the caller to encode.
async function* chunksOf(input, textSlices = false) {
  if (typeof input === 'string') {
    const chars = CHUNK_BYTES / 2;
    for (let at = 0; at < input.length;) {
      let end = Math.min(input.length, at + chars);
      const last = input.charCodeAt(end - 1);
      if (end < input.length && last >= 0xd800 && last <= 0xdbff) end -= 1;  // keep pairs whole
      const slice = input.slice(at, end);
      yield textSlices ? slice : utf8.encode(slice);
      at = end;
    }
    return;
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const reader = input.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input)
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
}

async function firstBytes(input, limit) {
  const parts = [];
  let size = 0;
  for await (const chunk of chunksOf(typeof input === 'string' ? input.slice(0, limit) : input)) {
    parts.push(chunk.subarray(0, limit - size));
    size += parts.at(-1).length;
    if (size >= limit) break;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

async function loadModule({ module, memory } = {}) {
  const isNode = typeof process === 'object' && !!process.versions?.node && typeof window === 'undefined';
  if (!isNode) {
    const options = memory ? { wasmMemory: memory } : {};
    if (!module) return createLeadkitModule(options);
    // Emscripten waits for instantiateWasm to call back; a failure must end that wait too.
    return new Promise((resolve, reject) => {
      options.instantiateWasm = (imports, receive) => {
        module.then((compiled) => WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled)))
          .catch(reject);
        return {};
      };
      createLeadkitModule(options).then(resolve, reject);
    });
  }
  // The module is built for web and worker; in node we hand it the wasm bytes (TOOLCHAIN.md #3).
  const { readFile } = await import('node:fs/promises');
  const wasmBinary = await readFile(new URL('./dist/leadkit.wasm', import.meta.url));
  return createLeadkitModule({ wasmBinary });
}

function unwrap(envelopeText) {
  const envelope = JSON.parse(envelopeText);
  if (!envelope.ok) throw new LeadkitError(envelope.error.message, envelope.error.where);
  return envelope.value;
}

function toJsonText(value, what) {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value ?? null);
  } catch (e) {
    throw new LeadkitError(`${what} cannot be written as JSON: ${e.message}`);
  }
}

// JSON for the analytics calls: NaN and ±Infinity, which JSON.stringify would silently turn into
// null, travel as the text "NaN" / "Infinity" so the core's error names the bad value.
function analyticsJson(value, what) {
  try {
    return JSON.stringify(value ?? null, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  } catch (e) {
    throw new LeadkitError(`${what} cannot be written as JSON: ${e.message}`);
  }
}

// A Date, epoch milliseconds or ISO text → ISO text; anything else is passed on for the core to refuse.
function isoTime(t) {
  if (t instanceof Date) return Number.isNaN(t.getTime()) ? String(t) : t.toISOString();
  if (typeof t === 'number' && Number.isFinite(t)) return new Date(t).toISOString();
  return t;
}

/**
 * Which to lean on now, lead generation or prospecting: `{ mix: { leadGeneration, prospecting },
 * lean, score, reasons: [{ input, text, weight }], sensitivities: [{ input, text, value }] }`.
 * Async because it may have to load the wasm module; `engine.advise` is the same call, sync.
 */
export async function advise(inputs) {
  modulePromise ??= loadModule();
  return unwrap((await modulePromise).advise(analyticsJson(inputs, 'inputs')));
}

/** The number of engines not yet disposed, across this module: for leak tests. */
export async function liveEngines() {
  modulePromise ??= loadModule();
  return (await modulePromise).liveWorkspaces();
}

/** Realistic synthetic leads (the demo workspace): the same seed gives the same leads. */
export async function sampleLeads(count, { seed = 2026, now = Date.now() } = {}) {
  modulePromise ??= loadModule();
  return JSON.parse((await modulePromise).sampleLeads(count, seed, now));
}

/**
 * Starts loading the engine's module before the first createEngine(). In a browser the caller may
 * hand over what it started earlier: `module`, a promise of the compiled WebAssembly.Module, and
 * `memory`, a WebAssembly.Memory whose maximum is 32768 pages (2 GiB, the module's own limit).
 */
export function preload({ module, memory } = {}) {
  modulePromise ??= loadModule({ module, memory });
  modulePromise.catch(() => {});  // createEngine reports a failure
}

export async function createEngine() {
  modulePromise ??= loadModule();
  return new Engine(await modulePromise);
}

class Engine {
  #m;
  #h;

  constructor(module) {
    this.#m = module;
    this.#h = module.createWorkspace();
  }

  /**
   * The bytes of wasm memory in use by all engines of this module: the allocator's top. The
   * memory itself is larger (it grows in steps); the bytes above this have never been written.
   */
  get heapBytes() {
    return this.#m.heapTop();
  }

  #handle() {
    if (this.#h === 0) throw new LeadkitError('this engine was disposed');
    return this.#h;
  }

  /**
   * Loads an array of leads, or a backup, given as objects, JSON text or UTF-8 JSON bytes
   * (Uint8Array), or a binary snapshot from exportSnapshot (Uint8Array). All or nothing: when any
   * lead is invalid nothing is stored and every problem is listed with its path.
   */
  loadLeads(leads, { now = Date.now() } = {}) {
    const handle = this.#handle();
    const m = this.#m;
    if (leads instanceof Uint8Array) {  // UTF-8 JSON, e.g. a stored snapshot: copied in as it is
      const at = m._malloc(Math.max(1, leads.length));
      if (!at) throw new LeadkitError(`not enough memory to load ${leads.length} bytes of leads`);
      try {
        m.HEAPU8.set(leads, at);
        return unwrap(m.loadLeadsUtf8(handle, at, leads.length, now));
      } finally {
        m._free(at);
      }
    }
    const text = toJsonText(leads, 'leads');
    // Encode straight into the heap: copying 100 MB through an intermediate Uint8Array cost more
    // than a third of the load. Mostly-ASCII text fits in length + 1/8; anything wider falls
    // back to an exact encode, because wasm memory never shrinks after growing for a guess.
    let size = text.length + (text.length >> 3) + 64;
    let at = m._malloc(size);
    if (!at) throw new LeadkitError(`not enough memory to load ${text.length} characters of leads`);
    try {
      let { read, written } = utf8.encodeInto(text, m.HEAPU8.subarray(at, at + size));
      if (read < text.length) {
        m._free(at);
        const bytes = utf8.encode(text);
        size = bytes.length;
        at = m._malloc(Math.max(1, size));
        if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`);
        m.HEAPU8.set(bytes, at);  // read HEAPU8 after malloc: growing the heap replaces it
        written = size;
      }
      return unwrap(m.loadLeadsUtf8(handle, at, written, now));
    } finally {
      if (at) m._free(at);
    }
  }

  /**
   * Loads leads or a backup from a Blob of UTF-8 JSON, or a binary snapshot (exportSnapshot), as
   * kept in IndexedDB: its bytes are streamed straight into the engine's memory, so JS never holds
   * them whole. Otherwise as loadLeads: all or nothing, errors with their line and column.
   */
  async loadLeadsBlob(blob, { now = Date.now() } = {}) {
    const head = new Uint8Array(await blob.slice(0, SNAPSHOT_MAGIC.length).arrayBuffer());
    const snapshot = head.length === SNAPSHOT_MAGIC.length && SNAPSHOT_MAGIC.every((b, i) => head[i] === b);
    return snapshot ? this.#loadSnapshotBlob(blob) : this.#loadJsonBlob(blob, now);
  }

  // A snapshot's leads are read part by part while the rest streams in from storage, through a
  // buffer that keeps only the bytes not read yet (a part and a lead or so): the whole snapshot
  // in wasm memory would be tens of MB of pages first written during the load, each page's first
  // write a fault that costs more than the reading of it.
  async #loadSnapshotBlob(blob) {
    const handle = this.#handle();
    const m = this.#m;
    const size = blob.size;
    let capacity = Math.max(1, Math.min(size, SNAPSHOT_WINDOW));
    let at = m._malloc(capacity);
    if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`);
    let from = 0;  // the buffer holds the snapshot's bytes [from, from + held)
    let held = 0;
    let reading = false;
    try {
      unwrap(m.snapshotBegin(handle, size));
      reading = true;
      await eachPart(blob, (part) => {
        if (from + held + part.length > size) throw new LeadkitError('the leads changed size while being read');
        if (held + part.length > capacity) {  // a lead longer than the buffer: it grows to hold it
          capacity = Math.max(capacity * 2, held + part.length);
          const bigger = m._malloc(capacity);
          if (!bigger) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`);
          m.HEAPU8.copyWithin(bigger, at, at + held);  // HEAPU8 is read each time: memory may grow
          m._free(at);
          at = bigger;
        }
        m.HEAPU8.set(part, at + held);
        held += part.length;
        const keep = m.snapshotContinue(handle, at, held, from);
        if (keep > from) {
          m.HEAPU8.copyWithin(at, at + (keep - from), at + held);
          held -= keep - from;
          from = keep;
        }
      });
      reading = false;
      return unwrap(m.snapshotEnd(handle, at, held, from));
    } finally {
      if (reading) m.snapshotAbort(handle);
      m._free(at);
    }
  }

  // JSON is parsed whole at the end; meanwhile the stream's waits touch the memory its leads
  // will take (~1.6 bytes per byte of JSON, in pages the system has not handed out yet: the
  // first write to each costs a page fault, about as much in all as the parse). Freed just
  // before the parse, those pages are where it then allocates.
  async #loadJsonBlob(blob, now) {
    const m = this.#m;
    const size = blob.size;
    const at = m._malloc(Math.max(1, size));
    if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`);
    const warm = Math.round(size * WARM_PER_BYTE);
    let spare = warm ? m._malloc(warm) : 0;
    try {
      let warmed = 0;
      let written = 0;
      await eachPart(blob, (part) => {
        if (written + part.length > size) throw new LeadkitError('the leads changed size while being read');
        m.HEAPU8.set(part, at + written);  // HEAPU8 is read each time: memory may grow in between
        written += part.length;
        if (spare) {
          const to = Math.min(warm, Math.round(written * WARM_PER_BYTE));
          m.HEAPU8.fill(0, spare + warmed, spare + to);
          warmed = to;
        }
      });
      if (spare) m._free(spare);
      spare = 0;
      return unwrap(m.loadLeadsUtf8(this.#handle(), at, written, now));
    } finally {
      if (spare) m._free(spare);
      m._free(at);
    }
  }

  upsertLead(lead, { now = Date.now() } = {}) {
    if (lead === null || typeof lead !== 'object' || Array.isArray(lead)) {
      throw new LeadkitError('a lead is an object', { path: 'lead' });
    }
    return unwrap(this.#m.upsertLead(this.#handle(), toJsonText(lead, 'lead'), now));
  }

  getLead(id) {
    return unwrap(this.#m.getLead(this.#handle(), String(id)));
  }

  removeLead(id) {
    return unwrap(this.#m.removeLead(this.#handle(), String(id)));
  }

  /**
   * A page of leads, each with `score: { total, fit, engagement, grade }` at `now` (and
   * `probability` once a predictive model is adopted). score, fit, engagement, grade and
   * probability filter and sort like stored fields; scores are kept until the leads, the model or
   * the minute of `now` change, so paging a table sorted by score does not rescore.
   */
  query({ filter, search, sort, offset, limit, now = Date.now(), view } = {}) {
    return unwrap(this.#m.query(this.#handle(), toJsonText({ filter, search, sort, offset, limit, now, view }, 'query')));
  }

  /** Counts by stage, direction and source, and deal value by stage, of the filtered leads. */
  summary({ filter, search, now = Date.now() } = {}) {
    return unwrap(this.#m.summary(this.#handle(), toJsonText({ filter, search, now }, 'query')));
  }

  setChannels(mapping) {
    unwrap(this.#m.setChannels(this.#handle(), toJsonText(mapping, 'channels')));
  }

  /**
   * Sets the scoring model: at least `{ rules: "<rule text>" }`. A bad rule throws LeadkitError
   * whose `where` has `line` and `column`; a bad member, its `path`. Returns the model's hash.
   */
  setScoringModel(model) {
    return unwrap(this.#m.setScoringModel(this.#handle(), toJsonText(model, 'model')));
  }

  /** The current model with every default filled in. */
  getScoringModel() {
    return unwrap(this.#m.getScoringModel(this.#handle()));
  }

  /**
   * Scores every lead at `now`: `{ modelHash, ids, fit, engagement, total, grade, matrix, stage }`,
   * one entry per lead in each; the numbers as Float64Arrays.
   */
  scoreAll({ now = Date.now() } = {}) {
    const r = unwrap(this.#m.scoreAll(this.#handle(), now));
    for (const key of ['fit', 'engagement', 'total']) r[key] = Float64Array.from(r[key]);
    return r;
  }

  /** `{ fit, engagement, total, grade, matrix, stage, modelHash }` of one lead at `now`. */
  score(id, { now = Date.now() } = {}) {
    return unwrap(this.#m.scoreLead(this.#handle(), String(id), now));
  }

  /** Every contribution to a lead's total, `[{ kind, label, points }]`; they add up to it. */
  explain(id, { now = Date.now() } = {}) {
    return unwrap(this.#m.explainLead(this.#handle(), String(id), now));
  }

  /** What a draft model would change, without saving it: counts and the leads that move. */
  whatIf(draftModel, { now = Date.now() } = {}) {
    return unwrap(this.#m.whatIf(this.#handle(), toJsonText(draftModel, 'model'), now));
  }

  /**
   * Imports CSV given as text, bytes (Uint8Array or ArrayBuffer) or a Blob/File, which is read as
   * a stream. Rows are mapped (a `preset`, or the one the headers match, and your `mapping`
   * overrides), coerced and validated; rows matching a stored lead by id or e-mail are updated,
   * skipped or created as `onDuplicate` says. Accepted rows land together, or none do when the
   * file cannot be read at all (that throws LeadkitError with `where.row` / `where.line`).
   * `onProgress({ rowsDone, rowsTotal, bytesDone, bytesTotal })` is called after each chunk.
   * With `dryRun` nothing lands: the report says what would.
   * Resolves to `{ rows, imported, updated, skipped, rejectedRows, rejected: [{ row, column,
   * reason }], duplicates, duplicateRows, rejectedCsv, mapping }`.
   */
  async importCsv(input, { preset, mapping, onDuplicate, delimiter, onProgress, dryRun = false,
    now = Date.now() } = {}) {
    const handle = this.#handle();
    const m = this.#m;
    const bytesTotal = byteLength(input);
    unwrap(m.beginImport(handle, toJsonText({ preset, mapping, onDuplicate, delimiter }, 'options'), now));
    let buffer = 0;
    let capacity = 0;
    // A chunk is bytes, or a slice of text encoded straight into the heap (no copy in between).
    const feed = (chunk, countOnly) => {
      const need = typeof chunk === 'string' ? chunk.length * 3 : chunk.length;
      if (need > capacity) {
        if (buffer) m._free(buffer);
        capacity = Math.max(need, CHUNK_BYTES);
        buffer = m._malloc(capacity);
        if (!buffer) throw new LeadkitError(`not enough memory to read ${capacity} bytes of CSV`);
      }
      // Read HEAPU8 after malloc: growing the heap replaces it.
      const length = typeof chunk === 'string'
        ? utf8.encodeInto(chunk, m.HEAPU8.subarray(buffer, buffer + capacity)).written
        : (m.HEAPU8.set(chunk, buffer), chunk.length);
      return { rows: unwrap(m.feedImport(handle, buffer, length, countOnly)), length };
    };
    try {
      let rowsTotal = null;
      if (onProgress) {
        for await (const chunk of chunksOf(input, true)) feed(chunk, true);
        rowsTotal = unwrap(m.countedRows(handle));
      }
      let bytesDone = 0;
      for await (const chunk of chunksOf(input, true)) {
        const { rows: rowsDone, length } = feed(chunk, false);
        bytesDone += length;
        onProgress?.({ rowsDone, rowsTotal, bytesDone, bytesTotal });
      }
      const report = unwrap(m.finishImport(handle, !dryRun));
      onProgress?.({ rowsDone: report.rows, rowsTotal: report.rows, bytesDone, bytesTotal });
      return report;
    } finally {
      m.cancelImport(handle);
      if (buffer) m._free(buffer);
    }
  }

  /**
   * The mapping an import of `input` would use (read from its first 64 KB, nothing stored):
   * `{ preset, columns: [{ header, field }], defaultSource, dateOrder, notes }`.
   */
  async suggestMapping(input, { preset, mapping } = {}) {
    const head = await firstBytes(input, 64 * 1024);
    const text = utf8Decoder.decode(head, { stream: true });
    // Only whole lines, so a row cut in half is not reported as ragged.
    const end = Math.max(text.lastIndexOf('\n'), 0);
    const sample = end > 0 && head.length === 64 * 1024 ? text.slice(0, end + 1) : text;
    try {
      return (await this.importCsv(sample, { preset, mapping, dryRun: true })).mapping;
    } catch (e) {
      if (e.where?.row === 2) {  // a header and no rows yet: still worth a suggestion
        return (await this.importCsv(`${sample.replace(/\s+$/, '')}\n-\n`, { preset, mapping, dryRun: true })).mapping;
      }
      throw e;
    }
  }

  /**
   * Leads as CSV text: `columns` (lead fields by their JSON names, "direction", "bant.<key>",
   * "custom.<key>"), then fit, engagement, score, grade, matrix, qualifiesAs and topReasons
   * unless `scores` is false. Also `reasons` (how many, default 3), `ids` (only these leads),
   * `delimiter` and `guardFormulas` (default true: cells starting with = + - @ get a ').
   */
  exportCsv({ now = Date.now(), ...options } = {}) {
    return unwrap(this.#m.exportCsv(this.#handle(), toJsonText(options, 'options'), now));
  }

  /**
   * Replaces the whole workspace (leads, channels, scoring model) with a backup from exportJson,
   * given as text or object. All or nothing: a bad backup throws and changes nothing.
   */
  importJson(backup, { now = Date.now() } = {}) {
    const handle = this.#handle();
    const bytes = utf8.encode(toJsonText(backup, 'backup'));
    const m = this.#m;
    const at = m._malloc(Math.max(1, bytes.length));
    if (!at) throw new LeadkitError(`not enough memory to read a ${bytes.length}-byte backup`);
    try {
      m.HEAPU8.set(bytes, at);
      return unwrap(m.restoreUtf8(handle, at, bytes.length, now));
    } finally {
      m._free(at);
    }
  }

  /**
   * Pipeline settings: `{ framework, frameworks, transitions, guards, reasons, cadences }`; members
   * left out keep their defaults. A bad setting throws LeadkitError with `where.path`. Returns the
   * settings with every default filled in (as `getPipeline()`).
   */
  setPipeline(settings) {
    return unwrap(this.#m.setPipeline(this.#handle(), toJsonText(settings, 'settings')));
  }

  getPipeline() {
    return unwrap(this.#m.getPipeline(this.#handle()));
  }

  /**
   * Records what is known of one criterion (`status`: unknown, partly, met or not_met) and returns
   * the framework's verdict: `{ verdict: 'qualified' | 'needsWork' | 'disqualify', reasons, ... }`.
   */
  setQualification(leadId, criterion, status, evidence, { framework, confidence, now = Date.now() } = {}) {
    const change = { criterion, status, evidence, framework, confidence };
    return unwrap(this.#m.setQualification(this.#handle(), String(leadId), toJsonText(change, 'change'), now));
  }

  /** The verdict of `framework` (default: the workspace's) for a lead, with every criterion. */
  qualification(leadId, { framework = '' } = {}) {
    return unwrap(this.#m.getQualification(this.#handle(), String(leadId), String(framework)));
  }

  /**
   * Moves a lead to `toStage`. Lost and disqualified need a `reason` from the settings' lists. A
   * refused move throws LeadkitError naming the rule or guard in `where.path` (e.g.
   * `guards.sql.criteriaMetAtLeast`) and changes nothing.
   */
  transition(leadId, toStage, { reason, note, actor, now = Date.now() } = {}) {
    const request = { to: toStage, reason, note, actor };
    return unwrap(this.#m.transition(this.#handle(), String(leadId), toJsonText(request, 'request'), now));
  }

  /** Logs `{ channel, outcome, at?, note? }`; returns `{ touch, contactStatus, cadence }`. */
  logTouch(leadId, touch, { now = Date.now() } = {}) {
    return unwrap(this.#m.logTouch(this.#handle(), String(leadId), toJsonText(touch, 'touch'), now));
  }

  /** Enrols a lead in a cadence (by key), or removes it with `null`; returns its cadence status. */
  enroll(leadId, cadence, { startAt, now = Date.now() } = {}) {
    const request = { cadence, startAt: startAt === undefined ? undefined : new Date(startAt).toISOString() };
    return unwrap(this.#m.enroll(this.#handle(), String(leadId), toJsonText(request, 'request'), now));
  }

  /** `{ state, contactStatus, cadence, done, of, next?, flag?, flagReason?, suggestedReason? }` */
  cadenceStatus(leadId, { now = Date.now() } = {}) {
    return unwrap(this.#m.cadenceStatus(this.#handle(), String(leadId), now));
  }

  /**
   * Today's ranked queue: `{ total, items: [{ rank, id, name, company, stage, score, grade,
   * dealValue, priority, contactStatus, daysSinceTouch, due, reasons: [{ factor, share, text }] }] }`.
   */
  callList({ now = Date.now(), limit, weights, stages } = {}) {
    return unwrap(this.#m.callList(this.#handle(), toJsonText({ limit, weights, stages }, 'options'), now));
  }

  /**
   * Likely duplicates: `{ groups: [{ ids, similarity, reasons: [{ rule, field, ids, values,
   * similarity }] }], total, truncated }`. Options: `minSimilarity` (default 0.85), `limit`, `ids`.
   */
  findDuplicates({ minSimilarity, limit, ids } = {}) {
    return unwrap(this.#m.findDuplicates(this.#handle(), toJsonText({ minSimilarity, limit, ids }, 'options')));
  }

  /**
   * What merging `ids` would give, field by field, changing nothing: `{ survivor, fields: [{ field,
   * values: [{ id, value }], chosen, conflict }], merged }`. `choices`: `{ survivor, fields: {
   * phone: '<id>', ... } }`.
   */
  previewMerge(ids, choices = {}) {
    return unwrap(this.#m.previewMerge(this.#handle(), toJsonText({ ids, choices }, 'merge')));
  }

  /** Merges `ids` into one lead keeping every event, touch and history entry. → `{ mergeId, survivor, removed, lead }` */
  merge(ids, choices = {}, { now = Date.now() } = {}) {
    return unwrap(this.#m.mergeLeads(this.#handle(), toJsonText({ ids, choices }, 'merge'), now));
  }

  /** Puts back exactly the leads a merge replaced; refused if the merged lead changed since. */
  undoMerge(mergeId) {
    return unwrap(this.#m.undoMerge(this.#handle(), String(mergeId)));
  }

  /** The merge journal as a document to persist beside the workspace; loadMergeJournal restores it. */
  mergeJournal() {
    return unwrap(this.#m.getMergeJournal(this.#handle()));
  }

  loadMergeJournal(journal) {
    return unwrap(this.#m.setMergeJournal(this.#handle(), toJsonText(journal, 'journal')));
  }

  /**
   * Learns conversion probability from leads whose outcome is known (stage customer = won, lost =
   * lost, unless `outcomeField` and `positive` say otherwise), with k-fold cross-validation.
   * → `{ auc, logLoss, calibration, lift, drivers, warnings, model }`; adopt `model` with
   * setPredictiveModel. `kind`: 'logistic' (default) or 'naiveBayes'.
   */
  train({ outcomeField, positive, negative, folds, kind, c, minLevelCount, exclude, now = Date.now() } = {}) {
    const options = { outcomeField, positive, negative, folds, kind, c, minLevelCount, exclude };
    return unwrap(this.#m.trainModel(this.#handle(), toJsonText(options, 'options'), now));
  }

  /** Adopts a model document from train() (or an exported one); null discards it. → its hash */
  setPredictiveModel(model) {
    return unwrap(this.#m.setPredictiveModel(this.#handle(), toJsonText(model, 'model')));
  }

  getPredictiveModel() {
    return unwrap(this.#m.getPredictiveModel(this.#handle()));
  }

  /**
   * `{ probability, low, high, logit, intercept, contributions: [{ feature, input, logOdds }],
   * modelHash }`: the intercept plus every contribution is the logit, exactly.
   */
  predict(id, { now = Date.now() } = {}) {
    return unwrap(this.#m.predictLead(this.#handle(), String(id), now));
  }

  /** Every lead: `{ modelHash, ids, probability, low, high }`, the numbers as Float64Arrays. */
  predictAll({ now = Date.now() } = {}) {
    const out = unwrap(this.#m.predictAll(this.#handle(), now));
    for (const key of ['probability', 'low', 'high']) out[key] = Float64Array.from(out[key]);
    return out;
  }

  /**
   * Funnel analytics over the period [from, to) (Date, epoch ms or ISO text): counts reaching each
   * stage, conversion between consecutive stages (split `by` 'source' or 'direction'), median days
   * per stage, the weighted open pipeline and cohorts by month created. Ratios with nothing to
   * divide by are null with `flag: 'noLeads'`; see the README for the exact semantics.
   */
  funnel({ from, to, by, minSample } = {}) {
    const request = { from: isoTime(from), to: isoTime(to), by, minSample };
    return unwrap(this.#m.funnel(this.#handle(), analyticsJson(request, 'request')));
  }

  /**
   * Works back from `revenueGoal` per `period` ('week' | 'month' | 'quarter') and `dealValue` to
   * the customers, opportunities, SQLs, MQLs, leads and outbound touches needed. Rates not given
   * are measured over [from, to) (default: the 365 days before `now`), or defaulted; the result
   * says which.
   */
  plan({ revenueGoal, dealValue, period, rates, attemptsPerReply, outboundShare, from, to, minSample,
    now = Date.now() } = {}) {
    const request = { revenueGoal, dealValue, period, rates, attemptsPerReply, outboundShare,
      from: isoTime(from), to: isoTime(to), minSample };
    return unwrap(this.#m.plan(this.#handle(), analyticsJson(request, 'request'), now));
  }

  /** The same as the module's `advise`, synchronously. */
  advise(inputs) {
    return unwrap(this.#m.advise(analyticsJson(inputs, 'inputs')));
  }

  get size() {
    return this.#m.leadCount(this.#handle());
  }

  /** The whole workspace as a versioned backup (JSON text); loadLeads(text) restores it. */
  exportJson() {
    const text = this.#m.exportJson(this.#handle());
    if (text.startsWith('{"ok":false')) unwrap(text);
    return text;
  }

  /**
   * The whole workspace as a binary snapshot (Uint8Array): what the app keeps in storage. A third
   * of exportJson's size and read ~3× faster by loadLeads / loadLeadsBlob, which tell it from
   * JSON by its first bytes. It is for this engine to read back, not a file format to keep:
   * backups people keep are exportJson.
   */
  exportSnapshot() {
    const view = this.#m.exportSnapshot(this.#handle());
    try {
      return view.slice();  // a copy: the view is into wasm memory
    } finally {
      this.#m.releaseSnapshot();
    }
  }

  dispose() {
    if (this.#h !== 0) this.#m.dropWorkspace(this.#h);
    this.#h = 0;
  }
}
