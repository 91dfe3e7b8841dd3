// leadkit's JS API: an ES module that works in the browser (page or worker) and in node 20.
// Every call crosses into the wasm core as JSON text and comes back as a JSON envelope, so the
// only error type callers ever see is LeadkitError.
import createLeadkitModule from './dist/leadkit.mjs';

/** @typedef {typeof import('./leadkit.js')} Api the declarations in leadkit.d.ts, which tsc holds this file to */
/** @typedef {import('./leadkit.js').Engine} EngineApi */
/** @typedef {import('./dist/leadkit.mjs').LeadkitModule} LeadkitModule */

/**
 * The one error type of the API. `code` is one of the core's short list (invalid_input,
 * not_found, conflict, busy, too_large, unsupported, internal, aborted): branch on it, never on
 * the message.
 */
export class LeadkitError extends Error {
  /** @param {string} message @param {object} [where] path, row, line, column @param {string} [code] */
  constructor(message, where = {}, code = 'invalid_input') {
    super(message);
    this.name = 'LeadkitError';
    this.where = where;
    this.code = code;
  }
}

let modulePromise = null;
let preloaded = null;  // preload's compiled module, reused when a module is made anew
// Modules that aborted: their memory and stack are in an unknown state, so nothing runs on them.
const deadModules = new WeakSet();
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const CHUNK_BYTES = 1 << 20;
// Bytes of engine memory per byte of a backup, once loaded (100k sample leads: 203 MB for 126 MB).
const WARM_PER_BYTE = 1.6;
// How a binary snapshot (exportSnapshot) starts.
// 'LKSNAP' + format version + '\n': a binary snapshot, not JSON text.
const SNAPSHOT_MAGIC = [...'LKSNAP'].map((c) => c.charCodeAt(0));
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
  const chunks = /** @type {AsyncGenerator<Uint8Array>} */ (chunksOf(typeof input === 'string' ? input.slice(0, limit) : input));
  for await (const chunk of chunks) {
    parts.push(chunk.subarray(0, limit - size));
    size += parts.at(-1).length;
    if (size >= limit) break;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** @param {{ module?: Promise<WebAssembly.Module>, memory?: WebAssembly.Memory }} [options] */
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
  // The module is built for web and worker; in node we hand it the wasm bytes (docs/toolchain.md §3).
  const { readFile } = await import('node:fs/promises');
  const wasmBinary = await readFile(new URL('./dist/leadkit.wasm', import.meta.url));
  return createLeadkitModule({ wasmBinary });
}

// The module, loaded on first use and again after an abort.
/** @returns {Promise<LeadkitModule>} */
function currentModule() {
  if (!modulePromise) {
    const loading = loadModule(preloaded ? { module: preloaded } : {});
    modulePromise = loading;
    loading.catch(() => { if (modulePromise === loading) modulePromise = null; });
  }
  return modulePromise;
}

// An abort (Emscripten's abort(), a trap) or a C++ exception escaping the module leaves its
// memory and stack unusable.
function isAbort(e) {
  return e instanceof WebAssembly.RuntimeError ||
    (typeof WebAssembly.Exception === 'function' && e instanceof WebAssembly.Exception) ||
    (e instanceof Error && e.message.startsWith('Aborted('));
}

function abortedError() {
  return new LeadkitError('the engine stopped (its WebAssembly module aborted) and must be re-created with createEngine(); ' +
    'the data it held is gone, reload it from storage', {}, 'aborted');
}

/**
 * Runs fn(m) on module `m`. After an abort the module is dropped: the next module-level call
 * makes a new one, and engines made on this one refuse every call with code `aborted`.
 */
/**
 * @template T
 * @param {LeadkitModule} m
 * @param {(m: LeadkitModule) => T} fn
 * @returns {T}
 */
function guarded(m, fn) {
  if (deadModules.has(m)) throw abortedError();
  try {
    return fn(m);
  } catch (e) {
    if (!isAbort(e)) throw e;
    deadModules.add(m);
    modulePromise?.then((current) => { if (current === m) modulePromise = null; }, () => {});
    throw abortedError();
  }
}

/**
 * @template T
 * @param {(m: LeadkitModule) => T} fn
 * @returns {Promise<T>}
 */
async function withModule(fn) {
  const m = await currentModule();
  return guarded(m, fn);
}

function unwrap(envelopeText) {
  const envelope = JSON.parse(envelopeText);
  if (!envelope.ok) {
    const { message, where, code } = envelope.error;
    throw new LeadkitError(message, where ?? {}, code ?? 'internal');
  }
  return envelope.value;
}

// The path of the first number that is not finite in `value` ("dealValue", "[3].employees").
function nonFinitePath(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? null : '';
  let found = null;
  const paths = new Map([[value, '']]);
  JSON.stringify(value, function replacer(key, v) {
    if (found !== null) return undefined;
    if (key !== '' || this[key] !== value) {
      const base = paths.get(this) ?? '';
      const path = Array.isArray(this) ? `${base}[${key}]` : base ? `${base}.${key}` : key;
      if (typeof v === 'number' && !Number.isFinite(v)) found = path;
      else if (v !== null && typeof v === 'object') paths.set(v, path);
    }
    return v;
  });
  return found;
}

// JSON text for the core. Numbers that are not finite (NaN, ±Infinity) are refused, naming
// their path: JSON.stringify would write them as null, which erases a stored value.
function toJsonText(value, what) {
  if (typeof value === 'string') return value;
  let text;
  try {
    text = JSON.stringify(value ?? null);
  } catch (e) {
    throw new LeadkitError(`${what} cannot be written as JSON: ${e.message}`);
  }
  if (text.includes('null')) {  // only then can a non-finite number be among the values
    const path = nonFinitePath(value);
    if (path !== null) {
      throw new LeadkitError('expected a finite number, not NaN or Infinity', { path }, 'invalid_input');
    }
  }
  return text;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A time option (`now`, `startAt`) as epoch milliseconds: a Date, epoch milliseconds or ISO 8601
 * text. Anything else, or an invalid date, throws LeadkitError naming the option.
 */
function timeMs(t, name = 'now') {
  let ms = NaN;
  if (t instanceof Date) ms = t.getTime();
  else if (typeof t === 'number') ms = t;
  else if (typeof t === 'string' && ISO_TIME.test(t.trim())) ms = Date.parse(t.trim());
  if (!Number.isFinite(ms)) {
    throw new LeadkitError('expected a Date, epoch milliseconds or ISO 8601 text such as "2026-03-01T09:30:00Z"',
      { path: name }, 'invalid_input');
  }
  return ms;
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
/** @type {Api['advise']} */
export async function advise(inputs) {
  const text = analyticsJson(inputs, 'inputs');
  return withModule((m) => unwrap(m.advise(text)));
}

/** The number of engines not yet disposed, across this module: for leak tests. */
/** @type {Api['liveEngines']} */
export async function liveEngines() {
  return withModule((m) => m.liveWorkspaces());
}

/** Realistic synthetic leads (the demo workspace): the same seed gives the same leads. */
/** @type {Api['sampleLeads']} */
export async function sampleLeads(count, { seed = 2026, now = Date.now() } = {}) {
  if (typeof count !== 'number') throw new LeadkitError('expected a whole number of leads', { path: 'count' });
  if (typeof seed !== 'number') throw new LeadkitError('expected a whole number', { path: 'seed' });
  const at = timeMs(now);
  return withModule((m) => unwrap(m.sampleLeads(count, seed, at)));
}

/**
 * Starts loading the engine's module before the first createEngine(). In a browser the caller may
 * hand over what it started earlier: `module`, a promise of the compiled WebAssembly.Module, and
 * `memory`, a WebAssembly.Memory whose maximum is 32768 pages (2 GiB, the module's own limit).
 */
/** @type {Api['preload']} */
export function preload({ module, memory } = {}) {
  preloaded ??= module ?? null;
  modulePromise ??= loadModule({ module, memory });
  modulePromise.catch(() => {});  // createEngine reports a failure
}

/** @type {Api['createEngine']} */
export async function createEngine() {
  return withModule((m) => new Engine(m));
}

/** @implements {EngineApi} */
class Engine {
  /** @type {LeadkitModule} */
  #m;
  #h;

  constructor(module) {
    this.#m = module;
    this.#h = guarded(module, (m) => m.createWorkspace());
  }

  /**
   * The bytes of wasm memory in use by all engines of this module: the allocator's top. The
   * memory itself is larger (it grows in steps); the bytes above this have never been written.
   */
  /** @type {EngineApi['heapBytes']} */
  get heapBytes() {
    return this.#run((m) => m.heapTop());
  }

  #handle() {
    if (deadModules.has(this.#m)) throw abortedError();
    if (this.#h === 0) throw new LeadkitError('this engine was disposed', {}, 'not_found');
    return this.#h;
  }

  // Every call into the module goes through here: after an abort the engine refuses all calls
  // with code `aborted`, and the module-level functions make a new module.
  #run(fn) {
    this.#calls += 1;
    return guarded(this.#m, fn);
  }

  #calls = 0;
  /** How many calls crossed into the WebAssembly module so far (for tests that count them). */
  /** @type {EngineApi['calls']} */
  get calls() {
    return this.#calls;
  }

  // module.name(handle, ...args), its envelope unwrapped.
  /** @param {import('./dist/leadkit.mjs').WorkspaceCall} name @param {...unknown} args */
  #call(name, ...args) {
    return this.#run((m) => unwrap(m[name](this.#handle(), ...args)));
  }

  // Copies out the export a binding kept (exportJson, exportSnapshot) and releases it.
  #exported(name, copy) {
    return this.#run((m) => {
      try {
        unwrap(m[name](this.#handle()));
        return copy(m.exportedView());
      } finally {
        m.releaseExport();
      }
    });
  }

  /**
   * Loads an array of leads, or a backup, given as objects, JSON text or UTF-8 JSON bytes
   * (Uint8Array), or a binary snapshot from exportSnapshot (Uint8Array). All or nothing: when any
   * lead is invalid nothing is stored and every problem is listed with its path.
   */
  /** @type {EngineApi['loadLeads']} */
  loadLeads(leads, { now = Date.now() } = {}) {
    const at = timeMs(now);
    const text = leads instanceof Uint8Array ? null : toJsonText(leads, 'leads');
    return this.#run((m) => this.#loadLeads(m, leads, text, at));
  }

  #loadLeads(m, leads, text, now) {
    const handle = this.#handle();
    if (leads instanceof Uint8Array) {  // UTF-8 JSON, e.g. a stored snapshot: copied in as it is
      const at = m._malloc(Math.max(1, leads.length));
      if (!at) throw new LeadkitError(`not enough memory to load ${leads.length} bytes of leads`, {}, 'too_large');
      try {
        m.HEAPU8.set(leads, at);
        return unwrap(m.loadLeadsUtf8(handle, at, leads.length, now));
      } finally {
        m._free(at);
      }
    }
    // Encode straight into the heap: copying 100 MB through an intermediate Uint8Array cost more
    // than a third of the load. Mostly-ASCII text fits in length + 1/8; anything wider falls
    // back to an exact encode, because wasm memory never shrinks after growing for a guess.
    let size = text.length + (text.length >> 3) + 64;
    let at = m._malloc(size);
    if (!at) throw new LeadkitError(`not enough memory to load ${text.length} characters of leads`, {}, 'too_large');
    try {
      let { read, written } = utf8.encodeInto(text, m.HEAPU8.subarray(at, at + size));
      if (read < text.length) {
        m._free(at);
        const bytes = utf8.encode(text);
        size = bytes.length;
        at = m._malloc(Math.max(1, size));
        if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`, {}, 'too_large');
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
  /** @type {EngineApi['loadLeadsBlob']} */
  async loadLeadsBlob(blob, { now = Date.now() } = {}) {
    now = timeMs(now);
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
    let at = this.#run(() => m._malloc(capacity));
    if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`, {}, 'too_large');
    let from = 0;  // the buffer holds the snapshot's bytes [from, from + held)
    let held = 0;
    let reading = false;
    try {
      this.#run(() => unwrap(m.snapshotBegin(handle, size)));
      reading = true;
      await eachPart(blob, (part) => this.#run(() => {
        if (from + held + part.length > size) throw new LeadkitError('the leads changed size while being read');
        if (held + part.length > capacity) {  // a lead longer than the buffer: it grows to hold it
          capacity = Math.max(capacity * 2, held + part.length);
          const bigger = m._malloc(capacity);
          if (!bigger) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`, {}, 'too_large');
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
      }));
      reading = false;
      return this.#run(() => unwrap(m.snapshotEnd(handle, at, held, from)));
    } finally {
      if (!deadModules.has(m)) {
        if (reading) m.snapshotAbort(handle);
        m._free(at);
      }
    }
  }

  // JSON is parsed whole at the end; meanwhile the stream's waits touch the memory its leads
  // will take (~1.6 bytes per byte of JSON, in pages the system has not handed out yet: the
  // first write to each costs a page fault, about as much in all as the parse). Freed just
  // before the parse, those pages are where it then allocates.
  async #loadJsonBlob(blob, now) {
    const m = this.#m;
    const size = blob.size;
    const at = this.#run(() => m._malloc(Math.max(1, size)));
    if (!at) throw new LeadkitError(`not enough memory to load ${size} bytes of leads`, {}, 'too_large');
    const warm = Math.round(size * WARM_PER_BYTE);
    let spare = warm ? this.#run(() => m._malloc(warm)) : 0;
    try {
      let warmed = 0;
      let written = 0;
      await eachPart(blob, (part) => this.#run(() => {
        if (written + part.length > size) throw new LeadkitError('the leads changed size while being read');
        m.HEAPU8.set(part, at + written);  // HEAPU8 is read each time: memory may grow in between
        written += part.length;
        if (spare) {
          const to = Math.min(warm, Math.round(written * WARM_PER_BYTE));
          m.HEAPU8.fill(0, spare + warmed, spare + to);
          warmed = to;
        }
      }));
      return this.#run(() => {
        if (spare) m._free(spare);
        spare = 0;
        return unwrap(m.loadLeadsUtf8(this.#handle(), at, written, now));
      });
    } finally {
      if (!deadModules.has(m)) {
        if (spare) m._free(spare);
        m._free(at);
      }
    }
  }

  /** @type {EngineApi['upsertLead']} */
  upsertLead(lead, { now = Date.now() } = {}) {
    if (lead === null || typeof lead !== 'object' || Array.isArray(lead)) {
      throw new LeadkitError('a lead is an object', { path: 'lead' });
    }
    return this.#call('upsertLead', toJsonText(lead, 'lead'), timeMs(now));
  }

  /** @type {EngineApi['getLead']} */
  getLead(id) {
    return this.#call('getLead', String(id));
  }

  /** @type {EngineApi['removeLead']} */
  removeLead(id) {
    return this.#call('removeLead', String(id));
  }

  /**
   * A page of leads, each with `score: { total, fit, engagement, grade }` at `now` (and
   * `probability` once a predictive model is adopted). score, fit, engagement, grade and
   * probability filter and sort like stored fields; scores are kept until the leads, the model or
   * the minute of `now` change, so paging a table sorted by score does not rescore.
   */
  /** @type {EngineApi['query']} */
  query({ filter, search, sort, offset, limit, now = Date.now(), view } = {}) {
    return this.#call('query', toJsonText({ filter, search, sort, offset, limit, now: timeMs(now), view }, 'query'));
  }

  /** Counts by stage, direction and source, and deal value by stage, of the filtered leads. */
  /** @type {EngineApi['summary']} */
  summary({ filter, search, now = Date.now() } = {}) {
    return this.#call('summary', toJsonText({ filter, search, now: timeMs(now) }, 'query'));
  }

  /**
   * Adds or redirects source channels: `{ podcast: 'inbound' }`. An entry may also map source
   * values as a CRM writes them to the channel, remembered for later imports:
   * `{ direct_traffic: { direction: 'inbound', values: ['Direct Traffic'] }, event: { values: ['Offline Sources'] } }`.
   */
  /** @type {EngineApi['setChannels']} */
  setChannels(mapping) {
    this.#call('setChannels', toJsonText(mapping, 'channels'));
  }

  /** Every channel, `[{ name, label, direction, values }]`: inbound first, then outbound, then unknown. */
  /** @type {EngineApi['getChannels']} */
  getChannels() {
    return this.#call('getChannels');
  }

  /**
   * Every list the page needs from the core, in one call: stages with labels, grades best first,
   * lead and rule fields, guards, decay kinds, default events and touches, touch channels and
   * outcomes with labels, source channels (the defaults and this workspace's), reason lists, BANT
   * statuses and paging constants.
   */
  /** @type {EngineApi['catalog']} */
  catalog() {
    return this.#call('catalog');
  }

  /**
   * Sets the scoring model: at least `{ rules: "<rule text>" }`. A bad rule throws LeadkitError
   * whose `where` has `line` and `column`; a bad member, its `path`. Returns the model's hash.
   */
  /** @type {EngineApi['setScoringModel']} */
  setScoringModel(model) {
    return this.#call('setScoringModel', toJsonText(model, 'model'));
  }

  /** The current model with every default filled in. */
  /** @type {EngineApi['getScoringModel']} */
  getScoringModel() {
    return this.#call('getScoringModel');
  }

  /**
   * Scores every lead at `now`: `{ modelHash, ids, fit, engagement, total, grade, matrix, stage }`,
   * one entry per lead in each; the numbers as Float64Arrays.
   */
  /** @type {EngineApi['scoreAll']} */
  scoreAll({ now = Date.now() } = {}) {
    const time = timeMs(now);
    // The columns cross as bytes in the heap, copied out once: no JSON of 100k numbers.
    return this.#run((m) => {
      try {
        const { count: n, modelHash, grades, stages, ids: listed } = unwrap(m.scoreAll(this.#handle(), time));
        const bytes = m.exportedView().slice();
        const column = (k) => new Float64Array(bytes.buffer, k * n * 8, n);
        const codes = new Uint8Array(bytes.buffer, 24 * n, 4 * n);
        const grade = new Array(n), stage = new Array(n), matrix = new Array(n);
        for (let i = 0; i < n; i++) {
          grade[i] = grades[codes[i]];
          stage[i] = stages[codes[n + i]];
          matrix[i] = String.fromCharCode(codes[2 * n + 2 * i], codes[2 * n + 2 * i + 1]);
        }
        const ids = listed ?? (n ? utf8Decoder.decode(bytes.subarray(28 * n)).split('\n') : []);
        return { modelHash, ids, fit: column(0), engagement: column(1), total: column(2), grade, matrix, stage };
      } finally {
        m.releaseExport();
      }
    });
  }

  /** `{ fit, engagement, total, grade, matrix, stage, modelHash }` of one lead at `now`. */
  /** @type {EngineApi['score']} */
  score(id, { now = Date.now() } = {}) {
    return this.#call('scoreLead', String(id), timeMs(now));
  }

  /** Every contribution to a lead's total, `[{ kind, label, points }]`; they add up to it. */
  /** @type {EngineApi['explain']} */
  explain(id, { now = Date.now() } = {}) {
    return this.#call('explainLead', String(id), timeMs(now));
  }

  /** What a draft model would change, without saving it: counts and the leads that move. */
  /** @type {EngineApi['whatIf']} */
  whatIf(draftModel, { now = Date.now() } = {}) {
    return this.#call('whatIf', toJsonText(draftModel, 'model'), timeMs(now));
  }

  /**
   * Imports CSV given as text, bytes (Uint8Array or ArrayBuffer) or a Blob/File, which is read as
   * a stream. Rows are mapped (a `preset`, or the one the headers match, and your `mapping`
   * overrides), coerced and validated; rows matching a stored lead by id or e-mail are updated,
   * skipped or created as `onDuplicate` says. Accepted rows land together, or none do when the
   * file cannot be read at all (that throws LeadkitError with `where.row` / `where.line`).
   * `onProgress({ rowsDone, rowsTotal, bytesDone, bytesTotal })` is called after each chunk.
   * With `dryRun` nothing lands: the report says what would. An optional cell that cannot be
   * read leaves its field empty and is a warning; `strict: true` rejects its row instead.
   * Resolves to `{ rows, imported, updated, skipped, rejectedRows, rejected: [{ row, column,
   * reason }], warnings: [{ row, column, field, message }], warningCount, warnedRows,
   * sources: [{ value, rows, channel, newChannel?, suggestion? }], duplicates, duplicateRows,
   * rejectedCsv, mapping }`.
   */
  /** @type {EngineApi['importCsv']} */
  async importCsv(input, { preset, mapping, onDuplicate, delimiter, strict, onProgress, dryRun = false,
    now = Date.now() } = {}) {
    const m = this.#m;
    const bytesTotal = byteLength(input);
    const options = toJsonText({ preset, mapping, onDuplicate, delimiter, strict }, 'options');
    const at = timeMs(now);
    // The import's own token: feeding, finishing and cancelling it touch no other import. While
    // one that may land runs, another is refused with code `busy` (and never cancels it).
    const token = this.#call('beginImport', options, at, !!dryRun);
    let buffer = 0;
    let capacity = 0;
    // A chunk is bytes, or a slice of text encoded straight into the heap (no copy in between).
    const feed = (chunk, countOnly) => this.#run(() => {
      this.#handle();
      const need = typeof chunk === 'string' ? chunk.length * 3 : chunk.length;
      if (need > capacity) {
        if (buffer) m._free(buffer);
        capacity = Math.max(need, CHUNK_BYTES);
        buffer = m._malloc(capacity);
        if (!buffer) throw new LeadkitError(`not enough memory to read ${capacity} bytes of CSV`, {}, 'too_large');
      }
      // Read HEAPU8 after malloc: growing the heap replaces it.
      const length = typeof chunk === 'string'
        ? utf8.encodeInto(chunk, m.HEAPU8.subarray(buffer, buffer + capacity)).written
        : (m.HEAPU8.set(chunk, buffer), chunk.length);
      return { rows: unwrap(m.feedImport(token, buffer, length, countOnly)), length };
    });
    try {
      let rowsTotal = null;
      if (onProgress) {
        for await (const chunk of chunksOf(input, true)) feed(chunk, true);
        rowsTotal = this.#run(() => unwrap(m.countedRows(token)));
      }
      let bytesDone = 0;
      for await (const chunk of chunksOf(input, true)) {
        const { rows: rowsDone, length } = feed(chunk, false);
        bytesDone += length;
        onProgress?.({ rowsDone, rowsTotal, bytesDone, bytesTotal });
      }
      const report = this.#run(() => unwrap(m.finishImport(token)));
      onProgress?.({ rowsDone: report.rows, rowsTotal: report.rows, bytesDone, bytesTotal });
      return report;
    } finally {
      if (!deadModules.has(m)) {
        m.cancelImport(token);
        if (buffer) m._free(buffer);
      }
    }
  }

  /**
   * The mapping an import of `input` would use (read from its first 64 KB, nothing stored):
   * `{ preset, columns: [{ header, field }], defaultSource, dateOrder, notes }`.
   */
  /** @type {EngineApi['suggestMapping']} */
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
  /** @type {EngineApi['exportCsv']} */
  exportCsv({ now = Date.now(), ...options } = {}) {
    return this.#call('exportCsv', toJsonText(options, 'options'), timeMs(now));
  }

  /**
   * Replaces the whole workspace (leads, channels, scoring model) with a backup from exportJson,
   * given as text or object. All or nothing: a bad backup throws and changes nothing.
   */
  /** @type {EngineApi['importJson']} */
  importJson(backup, { now = Date.now() } = {}) {
    const time = timeMs(now);
    const bytes = utf8.encode(toJsonText(backup, 'backup'));
    return this.#run((m) => {
      const handle = this.#handle();
      const at = m._malloc(Math.max(1, bytes.length));
      if (!at) throw new LeadkitError(`not enough memory to read a ${bytes.length}-byte backup`, {}, 'too_large');
      try {
        m.HEAPU8.set(bytes, at);
        return unwrap(m.restoreUtf8(handle, at, bytes.length, time));
      } finally {
        m._free(at);
      }
    });
  }

  /**
   * Pipeline settings: `{ framework, frameworks, transitions, guards, reasons, cadences }`; members
   * left out keep their defaults. A bad setting throws LeadkitError with `where.path`. Returns the
   * settings with every default filled in (as `getPipeline()`).
   */
  /** @type {EngineApi['setPipeline']} */
  setPipeline(settings) {
    return this.#call('setPipeline', toJsonText(settings, 'settings'));
  }

  /** @type {EngineApi['getPipeline']} */
  getPipeline() {
    return this.#call('getPipeline');
  }

  /**
   * Records what is known of one criterion (`status`: unknown, partly, met or not_met) and returns
   * the framework's verdict: `{ verdict: 'qualified' | 'needsWork' | 'disqualify', reasons, ... }`.
   */
  /** @type {EngineApi['setQualification']} */
  setQualification(leadId, criterion, status, evidence, { framework, confidence, now = Date.now() } = {}) {
    const change = { criterion, status, evidence, framework, confidence };
    return this.#call('setQualification', String(leadId), toJsonText(change, 'change'), timeMs(now));
  }

  /**
   * Everything a lead's page shows, in one call: `{ lead, score, explain, qualification, cadence,
   * prediction }` (prediction null without an adopted predictive model).
   */
  /** @type {EngineApi['leadPage']} */
  leadPage(leadId, { now = Date.now() } = {}) {
    return this.#call('leadPage', String(leadId), timeMs(now));
  }

  /** The verdict of `framework` (default: the workspace's) for a lead, with every criterion. */
  /** @type {EngineApi['qualification']} */
  qualification(leadId, { framework = '' } = {}) {
    return this.#call('getQualification', String(leadId), String(framework));
  }

  /**
   * Moves a lead to `toStage`. Lost and disqualified need a `reason` from the settings' lists. A
   * refused move throws LeadkitError naming the rule or guard in `where.path` (e.g.
   * `guards.sql.criteriaMetAtLeast`) and changes nothing.
   */
  /** @type {EngineApi['transition']} */
  transition(leadId, toStage, { reason, note, actor, now = Date.now() } = {}) {
    const request = { to: toStage, reason, note, actor };
    return this.#call('transition', String(leadId), toJsonText(request, 'request'), timeMs(now));
  }

  /**
   * Logs `{ channel, outcome, at?, note? }` (`at`: a Date, epoch milliseconds or ISO 8601 text, not
   * later than now); returns `{ touch, contactStatus, cadence }`.
   */
  /** @type {EngineApi['logTouch']} */
  logTouch(leadId, touch, { now = Date.now() } = {}) {
    const t = touch && typeof touch === 'object' && touch.at != null ? { ...touch, at: new Date(timeMs(touch.at, 'at')).toISOString() } : touch;
    return this.#call('logTouch', String(leadId), toJsonText(t, 'touch'), timeMs(now));
  }

  /**
   * Adds a follow-up task (`{ title, due }`), or changes one (`{ id, title?, due?, done? }`: a
   * later `due` snoozes it), or removes one (`{ id, remove: true }`). `due` takes a Date, epoch
   * milliseconds or ISO 8601 text. Returns `{ leadId, task }` or `{ leadId, removed }`.
   */
  /** @type {EngineApi['setTask']} */
  setTask(leadId, change, { now = Date.now() } = {}) {
    const c = { ...change };
    if (c.due !== undefined && c.due !== null) c.due = new Date(timeMs(c.due, 'due')).toISOString();
    return this.#call('setTask', String(leadId), toJsonText(c, 'change'), timeMs(now));
  }

  /**
   * Merges leads from leadkit JSON (an array of leads, a backup, the website widget's export) into
   * this workspace: each joins the lead with its id, else the one with its e-mail (empty fields
   * filled; events, touches, tags and tasks added; stage and history kept), else is added. All or
   * nothing; `dryRun` only says what would happen. Returns `{ total, added, merged, unchanged,
   * leads: [{ id, action, matchedBy? }], changedIds }`.
   */
  /** @type {EngineApi['mergeLeads']} */
  mergeLeads(text, { dryRun = false, now = Date.now() } = {}) {
    if (typeof text !== 'string') throw new LeadkitError('expected the JSON text of leads', { path: 'text' }, 'invalid_input');
    return this.#call('mergeJsonLeads', text, Boolean(dryRun), timeMs(now));
  }

  /** Open tasks of every lead, the most overdue first (`done: true`: the done ones): `{ total, overdue, tasks }`. */
  /** @type {EngineApi['tasks']} */
  tasks({ now = Date.now(), done, until, limit } = {}) {
    const options = { done, limit, until: until === undefined ? undefined : new Date(timeMs(until, 'until')).toISOString() };
    return this.#call('tasks', toJsonText(options, 'options'), timeMs(now));
  }

  /** Enrols a lead in a cadence (by key), or removes it with `null`; returns its cadence status. */
  /** @type {EngineApi['enroll']} */
  enroll(leadId, cadence, { startAt, now = Date.now() } = {}) {
    const request = { cadence, startAt: startAt === undefined ? undefined : new Date(timeMs(startAt, 'startAt')).toISOString() };
    return this.#call('enroll', String(leadId), toJsonText(request, 'request'), timeMs(now));
  }

  /** `{ state, contactStatus, cadence, done, of, next?, flag?, flagReason?, suggestedReason? }` */
  /** @type {EngineApi['cadenceStatus']} */
  cadenceStatus(leadId, { now = Date.now() } = {}) {
    return this.#call('cadenceStatus', String(leadId), timeMs(now));
  }

  /**
   * Today's ranked queue: `{ total, items: [{ rank, id, name, company, stage, score, grade,
   * dealValue, priority, contactStatus, daysSinceTouch, due, reasons: [{ factor, share, text }], phone?, email?,
   * lastNote? }] }`.
   */
  /** @type {EngineApi['callList']} */
  callList({ now = Date.now(), limit, weights, stages } = {}) {
    return this.#call('callList', toJsonText({ limit, weights, stages }, 'options'), timeMs(now));
  }

  /**
   * Likely duplicates: `{ groups: [{ ids, similarity, reasons: [{ rule, field, ids, values,
   * similarity }] }], total, truncated }`. Options: `minSimilarity` (default 0.85), `limit`, `ids`.
   */
  /** @type {EngineApi['findDuplicates']} */
  findDuplicates({ minSimilarity, limit, ids } = {}) {
    return this.#call('findDuplicates', toJsonText({ minSimilarity, limit, ids }, 'options'));
  }

  /**
   * What merging `ids` would give, field by field, changing nothing: `{ survivor, fields: [{ field,
   * values: [{ id, value }], chosen, conflict }], merged }`. `choices`: `{ survivor, fields: {
   * phone: '<id>', ... } }`.
   */
  /** @type {EngineApi['previewMerge']} */
  previewMerge(ids, choices = {}) {
    return this.#call('previewMerge', toJsonText({ ids, choices }, 'merge'));
  }

  /** Merges `ids` into one lead keeping every event, touch and history entry. → `{ mergeId, survivor, removed, lead }` */
  /** @type {EngineApi['merge']} */
  merge(ids, choices = {}, { now = Date.now() } = {}) {
    return this.#call('mergeLeads', toJsonText({ ids, choices }, 'merge'), timeMs(now));
  }

  /** Puts back exactly the leads a merge replaced; refused if the merged lead changed since. */
  /** @type {EngineApi['undoMerge']} */
  undoMerge(mergeId) {
    return this.#call('undoMerge', String(mergeId));
  }

  /** The merge journal as a document to persist beside the workspace; loadMergeJournal restores it. */
  /** @type {EngineApi['mergeJournal']} */
  mergeJournal() {
    return this.#call('getMergeJournal');
  }

  /** @type {EngineApi['loadMergeJournal']} */
  loadMergeJournal(journal) {
    return this.#call('setMergeJournal', toJsonText(journal, 'journal'));
  }

  /**
   * Learns conversion probability from leads whose outcome is known (stage customer = won, lost =
   * lost, unless `outcomeField` and `positive` say otherwise), with k-fold cross-validation.
   * → `{ kind, auc, logLoss, calibration, lift, drivers, candidates, reason, warnings, model }`;
   * adopt `model` with setPredictiveModel. `kind`: 'logistic' (default), 'naiveBayes', 'trees'
   * (gradient-boosted, options under `trees`) or 'auto' (all three on the same folds; trees or naive
   * Bayes replace logistic regression only when their AUC is higher by `margin`, default 0.02).
   */
  /** @type {EngineApi['train']} */
  train({ outcomeField, positive, negative, folds, kind, c, minLevelCount, exclude, margin, trees, now = Date.now() } = {}) {
    const options = { outcomeField, positive, negative, folds, kind, c, minLevelCount, exclude, margin, trees };
    return this.#call('trainModel', toJsonText(options, 'options'), timeMs(now));
  }

  /** Adopts a model document from train() (or an exported one); null discards it. → its hash */
  /** @type {EngineApi['setPredictiveModel']} */
  setPredictiveModel(model) {
    return this.#call('setPredictiveModel', toJsonText(model, 'model'));
  }

  /** @type {EngineApi['getPredictiveModel']} */
  getPredictiveModel() {
    return this.#call('getPredictiveModel');
  }

  /**
   * `{ probability, low, high, logit, intercept, contributions: [{ feature, input, logOdds }],
   * modelHash }`: the intercept plus every contribution is the logit, exactly.
   */
  /** @type {EngineApi['predict']} */
  predict(id, { now = Date.now() } = {}) {
    return this.#call('predictLead', String(id), timeMs(now));
  }

  /**
   * Every lead: `{ modelHash, ids, probability, low, high }`, the numbers as Float64Arrays (`low`
   * and `high` NaN for trees, which have no band).
   */
  /** @type {EngineApi['predictAll']} */
  predictAll({ now = Date.now() } = {}) {
    const out = this.#call('predictAll', timeMs(now));
    for (const key of ['probability', 'low', 'high']) out[key] = Float64Array.from(out[key], (v) => v ?? NaN);
    return out;
  }

  /**
   * Funnel analytics over the period [from, to) (Date, epoch ms or ISO text): counts reaching each
   * stage, conversion between consecutive stages (split `by` 'source' or 'direction'), median days
   * per stage, the weighted open pipeline and cohorts by month created. Ratios with nothing to
   * divide by are null with `flag: 'noLeads'`; see the README for the exact semantics.
   * `allTime: true` instead of from and to counts every lead, whenever it was created.
   */
  /** @param {Partial<Parameters<EngineApi['funnel']>[0]>} [options] */
  funnel({ from, to, by, minSample, allTime } = {}) {
    const request = { from: isoTime(from), to: isoTime(to), by, minSample, allTime };
    return this.#call('funnel', analyticsJson(request, 'request'));
  }

  /**
   * Works back from `revenueGoal` per `period` ('week' | 'month' | 'quarter') and `dealValue` to
   * the customers, opportunities, SQLs, MQLs, leads and outbound touches needed. Rates not given
   * are measured over [from, to) (default: the 365 days before `now`), or defaulted; the result
   * says which.
   */
  /** @param {Partial<Parameters<EngineApi['plan']>[0]>} [options] */
  plan({ revenueGoal, dealValue, period, rates, attemptsPerReply, outboundShare, from, to, minSample,
    now = Date.now() } = {}) {
    const request = { revenueGoal, dealValue, period, rates, attemptsPerReply, outboundShare,
      from: isoTime(from), to: isoTime(to), minSample };
    return this.#call('plan', analyticsJson(request, 'request'), timeMs(now));
  }

  /** The same as the module's `advise`, synchronously. */
  /** @type {EngineApi['advise']} */
  advise(inputs) {
    return this.#run((m) => unwrap(m.advise(analyticsJson(inputs, 'inputs'))));
  }

  /** @type {EngineApi['size']} */
  get size() {
    return this.#run((m) => m.leadCount(this.#handle()));
  }

  /**
   * The whole workspace as a versioned backup (JSON text); loadLeads(text) restores it. Throws
   * LeadkitError (with its code) when it cannot be made; the text is only ever the backup.
   */
  /** @type {EngineApi['exportJson']} */
  exportJson() {
    return this.#exported('exportJson', (view) => utf8Decoder.decode(view));
  }

  /**
   * The whole workspace as a binary snapshot (Uint8Array): what the app keeps in storage. A third
   * of exportJson's size and read ~3× faster by loadLeads / loadLeadsBlob, which tell it from
   * JSON by its first bytes. It is for this engine to read back, not a file format to keep:
   * backups people keep are exportJson.
   */
  /** @type {EngineApi['exportSnapshot']} */
  exportSnapshot() {
    return this.#exported('exportSnapshot', (view) => view.slice());  // a copy: the view is into wasm memory
  }

  /** @type {EngineApi['dispose']} */
  dispose() {
    if (this.#h !== 0 && !deadModules.has(this.#m)) this.#run((m) => m.dropWorkspace(this.#h));
    this.#h = 0;
  }
}
