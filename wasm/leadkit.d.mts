// What web/lib/dist/leadkit.mjs exports: the embind functions of bindings.cpp and the Emscripten
// runtime members web/lib/leadkit.js uses. Hand-written (3.1.6 has no --emit-tsd, docs/toolchain.md
// §7); the build copies it to web/lib/dist/leadkit.d.mts, where `tsc` (./scripts/test) finds it in
// place of the generated JS. A binding added to bindings.cpp is added here too.

/** JSON text: `{ "ok": true, "value": ... }` or `{ "ok": false, "error": { message, where, code } }`. */
export type Envelope = string;
/** A workspace's handle: createWorkspace's number, 0 never. */
export type Handle = number;
/** Epoch milliseconds. */
export type Ms = number;
/** An address in wasm memory (from _malloc). */
export type Pointer = number;

export interface LeadkitModule {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): Pointer;
  _free(at: Pointer): void;

  createWorkspace(): Handle;
  dropWorkspace(handle: Handle): boolean;
  liveWorkspaces(): number;
  leadCount(handle: Handle): number;
  /** The allocator's top, in bytes. */
  heapTop(): number;

  loadLeadsUtf8(handle: Handle, bytes: Pointer, length: number, now: Ms): Envelope;
  restoreUtf8(handle: Handle, bytes: Pointer, length: number, now: Ms): Envelope;
  snapshotBegin(handle: Handle, size: number): Envelope;
  /** The offset before which the buffer's bytes are no longer needed. */
  snapshotContinue(handle: Handle, bytes: Pointer, length: number, from: number): number;
  snapshotEnd(handle: Handle, bytes: Pointer, length: number, from: number): Envelope;
  snapshotAbort(handle: Handle): void;

  /** `{ bytes }`; the bytes are then read with exportedView and released with releaseExport. */
  exportJson(handle: Handle): Envelope;
  exportSnapshot(handle: Handle): Envelope;
  /** A view into wasm memory, valid until the next allocation that grows it. */
  exportedView(): Uint8Array;
  releaseExport(): void;

  upsertLead(handle: Handle, leadJson: string, now: Ms): Envelope;
  getLead(handle: Handle, id: string): Envelope;
  /** Everything a lead's page shows, in one envelope. */
  leadPage(handle: Handle, id: string, now: Ms): Envelope;
  removeLead(handle: Handle, id: string): Envelope;
  query(handle: Handle, specJson: string): Envelope;
  summary(handle: Handle, specJson: string): Envelope;
  setChannels(handle: Handle, mappingJson: string): Envelope;
  getChannels(handle: Handle): Envelope;
  /** Every list the page needs from the core: stages, grades, fields, channels, ... */
  catalog(handle: Handle): Envelope;

  setScoringModel(handle: Handle, modelJson: string): Envelope;
  getScoringModel(handle: Handle): Envelope;
  /** `{ count, modelHash, grades, stages, ids? }`; the columns are then read with exportedView and released with releaseExport. */
  scoreAll(handle: Handle, now: Ms): Envelope;
  scoreLead(handle: Handle, id: string, now: Ms): Envelope;
  explainLead(handle: Handle, id: string, now: Ms): Envelope;
  whatIf(handle: Handle, modelJson: string, now: Ms): Envelope;

  /** Replies with the import's token, which the other import calls take in place of a handle. */
  beginImport(handle: Handle, optionsJson: string, now: Ms, dryRun: boolean): Envelope;
  feedImport(token: number, bytes: Pointer, length: number, countOnly: boolean): Envelope;
  countedRows(token: number): Envelope;
  finishImport(token: number): Envelope;
  cancelImport(token: number): void;
  exportCsv(handle: Handle, optionsJson: string, now: Ms): Envelope;

  setPipeline(handle: Handle, settingsJson: string): Envelope;
  getPipeline(handle: Handle): Envelope;
  setQualification(handle: Handle, id: string, changeJson: string, now: Ms): Envelope;
  getQualification(handle: Handle, id: string, framework: string): Envelope;
  transition(handle: Handle, id: string, requestJson: string, now: Ms): Envelope;
  logTouch(handle: Handle, id: string, touchJson: string, now: Ms): Envelope;
  enroll(handle: Handle, id: string, requestJson: string, now: Ms): Envelope;
  cadenceStatus(handle: Handle, id: string, now: Ms): Envelope;
  setTask(handle: Handle, id: string, changeJson: string, now: Ms): Envelope;
  tasks(handle: Handle, optionsJson: string, now: Ms): Envelope;
  callList(handle: Handle, optionsJson: string, now: Ms): Envelope;

  findDuplicates(handle: Handle, optionsJson: string): Envelope;
  previewMerge(handle: Handle, mergeJson: string): Envelope;
  mergeLeads(handle: Handle, mergeJson: string, now: Ms): Envelope;
  undoMerge(handle: Handle, mergeId: string): Envelope;
  /** Leads from JSON text (the widget's export) merged into the workspace; `dryRun` changes nothing. */
  mergeJsonLeads(handle: Handle, leadsJson: string, dryRun: boolean, now: Ms): Envelope;
  getMergeJournal(handle: Handle): Envelope;
  setMergeJournal(handle: Handle, journalJson: string): Envelope;

  trainModel(handle: Handle, optionsJson: string, now: Ms): Envelope;
  setPredictiveModel(handle: Handle, modelJson: string): Envelope;
  getPredictiveModel(handle: Handle): Envelope;
  predictLead(handle: Handle, id: string, now: Ms): Envelope;
  predictAll(handle: Handle, now: Ms): Envelope;

  funnel(handle: Handle, requestJson: string): Envelope;
  plan(handle: Handle, requestJson: string, now: Ms): Envelope;
  advise(inputsJson: string): Envelope;
  sampleLeads(count: number, seed: number, now: Ms): Envelope;
}

/** The bindings that take a workspace's handle first and reply with an envelope. */
export type WorkspaceCall = {
  [K in keyof LeadkitModule]: LeadkitModule[K] extends (handle: Handle, ...args: any[]) => Envelope ? K : never;
}[keyof LeadkitModule];

export interface ModuleOptions {
  wasmBinary?: Uint8Array | ArrayBuffer;
  wasmMemory?: WebAssembly.Memory;
  locateFile?: (path: string, prefix: string) => string;
  instantiateWasm?: (imports: WebAssembly.Imports,
    receive: (instance: WebAssembly.Instance, module?: WebAssembly.Module) => void) => object | false;
}

export default function createLeadkitModule(options?: ModuleOptions): Promise<LeadkitModule>;
