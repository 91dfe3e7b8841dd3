// Hand-written: Emscripten 3.1.6 cannot emit declarations (docs/toolchain.md §7).

export type Stage = 'new' | 'nurturing' | 'mql' | 'sql' | 'opportunity' | 'customer' | 'lost' | 'disqualified';
export type Direction = 'inbound' | 'outbound' | 'unknown';
export type BantStatus = 'unknown' | 'partly' | 'met' | 'not_met';
/** One criterion's state; `confidence` from 0 to 1, `at` when it was last set. */
export interface BantCriterion { status: BantStatus; evidence?: string; confidence?: number; at?: string }

export interface LeadEvent { type: string; at: string; props?: Record<string, unknown> }
export type TouchChannel = 'call' | 'email' | 'linkedin' | 'in_person' | 'sms' | 'video' | 'other';
export type TouchOutcome = 'sent' | 'no_answer' | 'voicemail' | 'connected' | 'replied' | 'meeting_booked' | 'bounced' | 'not_interested';
export interface Touch { channel: TouchChannel; outcome: TouchOutcome; at: string; note?: string }
/** A dated next step. Open while `doneAt` is absent; `overdue` is set in replies, not stored. */
export interface Task { id: string; title: string; due: string; doneAt?: string; createdAt?: string; overdue?: boolean }
export interface Transition { at: string; from: Stage; to: Stage; reason?: string; actor?: string; note?: string }

/** The public JSON form of a lead. Timestamps are ISO 8601 strings. */
export interface Lead {
  id?: string;
  firstName?: string; lastName?: string; email?: string; phone?: string;
  company?: string; title?: string; industry?: string;
  employees?: number; annualRevenue?: number;
  country?: string; region?: string; domain?: string;
  /** A channel name such as 'webinar' or 'cold_call'. */
  source?: string;
  /** Derived from source on output; ignored on input. */
  direction?: Direction;
  stage?: Stage; stageReason?: string;
  bant?: Partial<Record<'budget' | 'authority' | 'need' | 'timeline', BantCriterion | BantStatus>>;
  dealValue?: number; currency?: string; notes?: string; tags?: string[];
  custom?: Record<string, string | number | boolean | null>;
  createdAt?: string; updatedAt?: string;
  events?: LeadEvent[]; touches?: Touch[]; history?: Transition[];
  /** Criteria of frameworks other than BANT: framework key → criterion key → state. */
  qualification?: Record<string, Record<string, BantCriterion | BantStatus>>;
  /** The outbound cadence the lead is working through. */
  cadence?: { key: string; startedAt: string };
  /** Follow-up tasks (see setTask). */
  tasks?: Task[];
}

export interface Where { path?: string; row?: number; line?: number; column?: number }

/**
 * What kind of failure, from the core's one list. `aborted`: the engine's WebAssembly module
 * stopped; the engine must be re-created (createEngine) and its data reloaded.
 */
export type ErrorCode = 'invalid_input' | 'not_found' | 'conflict' | 'busy' | 'too_large' | 'unsupported' | 'internal' | 'aborted';

/** The only error the API throws. Branch on `code`, never on the message; `where` says where. */
export class LeadkitError extends Error {
  constructor(message: string, where?: Where, code?: ErrorCode);
  readonly name: 'LeadkitError';
  readonly where: Where;
  readonly code: ErrorCode;
}

export type FilterValue = string | number | Array<string | number> | { min?: number | string; max?: number | string };

export interface QueryOptions {
  /**
   * field → value (equal), array (any of), or {min, max} for numbers and ISO times. Besides the
   * lead's fields: score, fit, engagement (0-100), grade (one or a list of grades) and, with a
   * predictive model adopted, probability (0-1).
   */
  filter?: Record<string, FilterValue>;
  /** Case-insensitive text matched against name, company and e-mail. */
  search?: string;
  /** Grade sorts by rank: 'desc' puts A+ first. Ties are broken by id. */
  sort?: { field: string; order?: 'asc' | 'desc' };
  offset?: number;
  /** At most 100000; 50 when omitted. */
  limit?: number;
  /** Ms since 1970 that scores are computed at (the start of its minute); Date.now() by default. */
  now?: TimeInput;
  /**
   * 'row': each row holds what a table shows (TableRow: no events, touches, history, BANT or custom
   * fields, but touchCount and lastTouchAt); 'full' (default): the whole lead.
   */
  view?: 'row' | 'full';
}

/** The score of a lead as query rows carry it. */
export interface RowScore { total: number; fit: number; engagement: number; grade: Grade }
/** A lead as query returns it. */
export interface LeadRow extends Lead { score?: RowScore; probability?: number }

/** A row of query({view: 'row'}). */
export type TableRow = Pick<LeadRow, 'id' | 'firstName' | 'lastName' | 'email' | 'company' | 'industry' | 'country' |
  'source' | 'direction' | 'stage' | 'stageReason' | 'dealValue' | 'currency' | 'tags' | 'createdAt' | 'score' | 'probability'> &
  { touchCount: number; lastTouchAt?: string };

export interface LoadResult { loaded: number; errors: Array<{ message: string; where: Where }> }

export interface Summary {
  total: number;
  byStage: Partial<Record<Stage, number>>;
  byDirection: Partial<Record<Direction, number>>;
  bySource: Record<string, number>;
  /** How many leads carry each tag. */
  byTag: Record<string, number>;
  valueByStage: Partial<Record<Stage, number>>;
}

export type Grade = 'A+' | 'A' | 'A-' | 'B+' | 'B' | 'B-' | 'C+' | 'C' | 'C-' | 'D+' | 'D' | 'D-' | 'F';

/** A scoring model; only `rules` is needed, everything else has defaults (see the README). */
export interface ScoringModel {
  version?: 1;
  name?: string;
  rules?: string;
  profile?: {
    startGrade?: Grade;
    criteria: Array<{
      label: string;
      points: number;
      grade?: number;
      field?: string;
      in?: Array<string | number>;
      hasAny?: string[];
      equals?: string | number;
      min?: number;
      max?: number;
      when?: string;
    }>;
  };
  engagement?: {
    events?: Record<string, { points?: number; cap?: number; repeat?: number }>;
    decay?:
      | { kind: 'none' }
      | { kind: 'halfLife' | 'linear'; days: number }
      | { kind: 'steps'; steps: Array<{ days: number; factor: number }> };
    fullScoreAt?: number;
  };
  weights?: { fit?: number; engagement?: number };
  thresholds?: { mql?: { total?: number }; sql?: { total?: number; fit?: number } };
  matrix?: { fit?: [number, number]; engagement?: [number, number] };
}

export interface LeadScore {
  fit: number;
  engagement: number;
  total: number;
  grade: Grade;
  matrix: string;
  stage: Stage;
  modelHash: string;
}

export interface Contribution {
  kind: 'fit' | 'engagement' | 'rule' | 'limit';
  label: string;
  points: number;
}

export interface ScoreColumns {
  modelHash: string;
  ids: string[];
  fit: Float64Array;
  engagement: Float64Array;
  total: Float64Array;
  grade: Grade[];
  matrix: string[];
  stage: Stage[];
}

export interface WhatIfResult {
  modelHash: string;
  scored: number;
  changed: number;
  gradeChanged: number;
  stageChanged: number;
  leads: Array<{ id: string; before: { grade: Grade; stage: Stage; total: number }; after: { grade: Grade; stage: Stage; total: number } }>;
  truncated: boolean;
}

export type CsvPreset = 'hubspot' | 'salesforce' | 'pipedrive' | 'linkedin' | 'basic';

export interface CsvMapping {
  preset: CsvPreset | null;
  /** field: a lead field ("firstName", "fullName", "bant.budget", ...), "custom.<key>", or null to skip */
  columns: Array<{ header: string; field: string | null }>;
  defaultSource: string;
  dateOrder: 'mdy' | 'dmy';
  notes: string[];
}

export interface ImportOptions {
  preset?: CsvPreset;
  /** { "Header": "field" | null } or { columns: {...}, defaultSource?, dateOrder? } */
  mapping?: Record<string, string | null> | { columns: Record<string, string | null>; defaultSource?: string; dateOrder?: 'mdy' | 'dmy' };
  onDuplicate?: 'update' | 'skip' | 'create';
  delimiter?: ',' | ';' | '\t';
  /** Reject a row for any cell that cannot be read, instead of importing it with a warning. */
  strict?: boolean;
  onProgress?: (p: { rowsDone: number; rowsTotal: number | null; bytesDone: number; bytesTotal: number | null }) => void;
  dryRun?: boolean;
  now?: TimeInput;
}

export interface ImportReport {
  rows: number;
  imported: number;
  updated: number;
  skipped: number;
  rejectedRows: number;
  /** row: as a spreadsheet numbers it (the header is row 1); column: its header, "" for the whole row */
  rejected: Array<{ row: number; column: string; reason: string }>;
  /** Optional cells that could not be read, of rows that landed with that field empty (the first 10,000). */
  warnings: Array<{ row: number; column: string; field: string; message: string }>;
  warningCount: number;
  /** Rows imported or updated with at least one warning. */
  warnedRows: number;
  /**
   * The source column's distinct values, most rows first (up to 200). `channel` is null for a
   * value leadkit does not know (those leads are 'unknown'); then `newChannel` is the name a
   * channel of its own would have, and `suggestion` the channel it most likely stands for.
   */
  sources: Array<{ value: string; rows: number; channel: string | null; newChannel?: string;
    suggestion?: { channel: string; direction: Direction } }>;
  duplicates: number;
  duplicateRows: Array<{ row: number; matchedBy: 'id' | 'email'; id?: string; earlierRow?: number }>;
  /** the header and the rejected rows as read, plus a "leadkit error" column; "" when none */
  rejectedCsv: string;
  mapping: CsvMapping;
}

export interface ExportCsvOptions {
  columns?: string[];
  scores?: boolean;
  reasons?: number;
  ids?: string[];
  delimiter?: ',' | ';' | '\t';
  guardFormulas?: boolean;
  now?: TimeInput;
}

export interface Framework {
  key: string; name?: string; qualifyAt?: number; minConfidence?: number;
  criteria: Array<{ key: string; label?: string; question?: string; notMetReason?: string; critical?: boolean }>;
}
export interface Guard {
  fitGradeAtLeast?: string; engagementAtLeast?: number; scoreAtLeast?: number;
  criteriaMetAtLeast?: number; qualified?: boolean; dealValue?: boolean;
}
export interface Cadence { key: string; name?: string; steps: Array<{ day: number; channel: TouchChannel }> }
export interface PipelineSettings {
  framework?: string;
  frameworks?: Framework[];
  transitions?: Partial<Record<Stage, Stage[]>>;
  guards?: Partial<Record<Stage, Guard>>;
  reasons?: { lost?: Array<{ key: string; label?: string }>; disqualified?: Array<{ key: string; label?: string }> };
  cadences?: Cadence[];
}
export interface Verdict {
  framework: string;
  verdict: 'qualified' | 'needsWork' | 'disqualify';
  met: number; partly: number; notMet: number; unknown: number; of: number; qualifyAt: number;
  reasons: string[];
  suggestedReason?: string;
  criteria: Array<BantCriterion & { key: string; label: string; question: string; critical: boolean }>;
}
export interface CadenceStatus {
  state: 'notEnrolled' | 'active' | 'replied' | 'bounced' | 'notInterested' | 'finished';
  contactStatus: 'notContacted' | 'attempted' | 'connected';
  cadence?: string; done?: number; of?: number;
  next?: { step: number; channel: TouchChannel; dueAt: string; overdueDays: number; dueToday: boolean };
  flag?: 'recycleOrDisqualify' | 'badContactData' | 'disqualify';
  flagReason?: string; suggestedReason?: string;
}
export interface CallListItem {
  rank: number; id: string; name: string; company: string; stage: Stage;
  score: number; grade: string; dealValue: number | null; priority: number;
  contactStatus: CadenceStatus['contactStatus']; daysSinceTouch: number | null;
  due: { step: number; of: number; channel: TouchChannel; dueAt: string; overdueDays: number } | null;
  /** why it ranks here, the largest share first; shares add up to 1 */
  reasons: Array<{ factor: 'score' | 'value' | 'due' | 'staleness'; share: number; text: string }>;
  /** how to reach them, when known, and the note of their latest touch, if it has one */
  phone?: string; email?: string; lastNote?: string;
}

export type ModelKind = 'logistic' | 'naiveBayes' | 'trees';
export interface CalibrationBin { from: number; to: number; count: number; predicted: number; observed: number }
export interface TrainResult {
  /** The kind trained; with `kind: 'auto'`, the one chosen (see `reason`). */
  kind: ModelKind;
  /** null when no fold could be measured (see `warnings`). */
  auc: number | null; aucByFold: number[]; logLoss: number; rows: number; positives: number; negatives: number; folds: number;
  calibration: CalibrationBin[];
  lift: Array<{ decile: number; count: number; rate: number; lift: number; cumulativeLift: number }>;
  drivers: Array<{ feature: string; weight: number }>;
  /** What a driver's `weight` is: a coefficient, a mean absolute contribution (trees) or a log ratio (naive Bayes). */
  driverMeasure: 'coefficient' | 'meanAbsContribution' | 'logRatio';
  /** Every kind cross-validated on the same folds: one, or three with `kind: 'auto'`. */
  candidates: Array<{ kind: ModelKind; auc: number | null; aucByFold: number[]; logLoss: number; calibrationError: number;
    calibration: CalibrationBin[]; calibrationMethod?: 'platt';
    uncalibrated?: { logLoss: number; calibrationError: number; calibration: CalibrationBin[] } }>;
  /** Why this kind, in a sentence. */
  reason: string;
  warnings: Array<{ code: string; message: string }>;
  /** the versioned model document; pass it to setPredictiveModel to adopt it */
  model: { format: 'leadkit-predictive-model'; version: number; kind: string; hash: string; [key: string]: unknown };
}
/** Gradient-boosted trees' options (train's `trees`); the defaults are scikit-learn's HistGradientBoostingClassifier's. */
export interface TreeOptions {
  learningRate?: number; maxRounds?: number; maxLeaves?: number; maxDepth?: number; minChildSamples?: number;
  minChildWeight?: number; l2?: number; maxBins?: number; validationFraction?: number; patience?: number; seed?: number;
}
export interface Prediction {
  /** `low` and `high`: the 95% band, null for trees (they have none). */
  id: string; probability: number; low: number | null; high: number | null; logit: number; intercept: number;
  contributions: Array<{ feature: string; input: string | number | null; logOdds: number }>;
  modelHash: string;
}

export interface DuplicateGroup {
  ids: string[]; similarity: number;
  reasons: Array<{ rule: string; field: string; ids: string[]; values: unknown[]; similarity: number }>;
}
export interface MergeChoices { survivor?: string; fields?: Record<string, string> }

/**
 * A time: a Date, epoch milliseconds or ISO 8601 text. Every `now` and `startAt` takes one; any
 * other value, or an invalid date, throws LeadkitError code `invalid_input` with `where.path` the
 * option's name.
 */
export type TimeInput = Date | number | string;
export type FunnelStage = 'new' | 'nurturing' | 'mql' | 'sql' | 'opportunity' | 'customer';

/** One stage of a funnel table; `conversion` (to the next stage) is absent for customer. */
export interface FunnelStageRow {
  stage: FunnelStage;
  /** Leads that entered this stage or a later one within the period. */
  reached: number;
  /** reached(next) / reached(this); null, with `flag: 'noLeads'`, when nothing reached this stage. */
  conversion?: number | null;
  flag?: 'noLeads';
}
export interface FunnelTable {
  /** Leads that reached any stage, or were lost or disqualified, within the period. */
  leads: number;
  stages: FunnelStageRow[];
  lost: number;
  disqualified: number;
  /** reached(customer) / reached(new), or null. */
  overall: number | null;
}
export interface FunnelResult extends FunnelTable {
  period: { from: string; to: string; days: number } | { from: null; to: null; days: null; allTime: true };
  flags: Array<'noLeadsInPeriod'>;
  by?: 'source' | 'direction';
  groups?: Array<FunnelTable & { key: string; direction?: Direction }>;
  /** Median days per stage over stays that ended within the period. */
  velocity: Array<{ stage: Exclude<FunnelStage, 'customer'>; medianDays: number | null; stays: number; flag?: 'noLeads' }>;
  /** Open leads as they stand now, value × the stage's win probability. */
  weightedPipeline: {
    total: number; openLeads: number; withoutValue: number;
    stages: Array<{ stage: Exclude<FunnelStage, 'customer'>; leads: number; value: number; probability: number;
      probabilitySource: 'measured' | 'default'; weighted: number }>;
  };
  /** Leads created in the period, by UTC month, with how many ever reached each stage. */
  cohorts: Array<{ month: string; created: number; reached: Record<FunnelStage, number>; lost: number;
    disqualified: number; conversion: number | null }>;
}

/** The period [from, to), or `allTime: true` for every lead ever. */
export type FunnelOptions = { by?: 'source' | 'direction' | 'none'; minSample?: number } &
  ({ from: TimeInput; to: TimeInput; allTime?: false } | { allTime: true; from?: undefined; to?: undefined });

export type PlanRateKey = 'leadToMql' | 'mqlToSql' | 'sqlToOpportunity' | 'opportunityToCustomer';
export interface PlanSource { value: number; source: 'given' | 'measured' | 'default'; samples?: number }
export interface PlanFigures {
  customers: number; opportunities: number; sqls: number; mqls: number; leads: number;
  outboundLeads: number; touches: number;
}
export interface PlanOptions {
  /** Revenue wanted in one `period`; more than 0. */
  revenueGoal: number;
  /** Average deal value; more than 0. */
  dealValue: number;
  /** Default 'month'. */
  period?: 'week' | 'month' | 'quarter';
  /** Each in (0, 1]; those left out are measured in the workspace, or defaulted. */
  rates?: Partial<Record<PlanRateKey, number>>;
  attemptsPerReply?: number;
  outboundShare?: number;
  /** The window the rates are measured over; default the 365 days before `now`. */
  from?: TimeInput; to?: TimeInput;
  /** Fewest leads a measured rate may rest on (default 20). */
  minSample?: number;
  now?: TimeInput;
}
export interface Plan {
  period: 'week' | 'month' | 'quarter'; revenueGoal: number; dealValue: number;
  rates: Record<PlanRateKey, PlanSource>;
  attemptsPerReply: PlanSource; outboundShare: PlanSource;
  /** Per period, each rounded up to a whole number. */
  needed: PlanFigures;
  perWeek: PlanFigures;
  /** Unrounded. */
  exact: PlanFigures;
}

export interface AdvisorInputs {
  /** Buyers (accounts or people) who could buy; at least 1. */
  marketSize: number;
  /** 0 (broad) to 1 (very specific). */
  niche: number;
  /** More than 0. */
  dealValue: number;
  salesCycleDays: number;
  /** Per month. */
  marketingBudget: number;
  /** 0 to 168. */
  salesHoursPerWeek: number;
  /** Open pipeline value divided by the period's target. */
  pipelineCoverage: number;
  b2b: boolean;
}
export interface Advice {
  /** Sums to 1; each share between 0.1 and 0.9. */
  mix: { leadGeneration: number; prospecting: number };
  lean: 'prospecting' | 'leadGeneration' | 'balanced';
  /** The sum of the reasons' weights. */
  score: number;
  /** Largest first; `weight` > 0 pulls toward prospecting, < 0 toward lead generation. */
  reasons: Array<{ input: keyof AdvisorInputs; text: string; weight: number }>;
  /** One input's value, the others unchanged, at which the lean would change. */
  sensitivities: Array<{ input: keyof AdvisorInputs; text: string; value: number }>;
}

/** The core's lists, labels in English: what the page shows instead of copies of its own. */
export interface Catalog {
  stages: Array<{ name: Stage; label: string; open: boolean; needsReason: boolean }>;
  /** Best first: A+ … F. */
  grades: Grade[];
  leadFields: Array<{ name: string; type: 'text' | 'email' | 'tel' | 'number' | 'channel' | 'stage' | 'currency' | 'longText' | 'tags' | 'time' | 'bant' }>;
  ruleFields: Array<{ name: string; numeric: boolean }>;
  guards: Array<{ name: string; label: string; kind: 'grade' | 'number' | 'bool' }>;
  decayKinds: Array<{ kind: 'halfLife' | 'linear' | 'steps' | 'none'; label: string }>;
  events: Array<{ type: string; points: number; cap: number; repeat: number }>;
  touches: Array<{ key: string; points: number; cap: number; repeat: number }>;
  touchChannels: Array<{ name: TouchChannel; label: string }>;
  /** Labels lower-case, as read after a channel: "Call: no answer". */
  touchOutcomes: Array<{ name: TouchOutcome; label: string }>;
  directions: Array<{ name: Direction; label: string }>;
  /** The channels every engine starts with. */
  defaultChannels: Array<{ name: string; label: string; direction: Direction }>;
  /** This workspace's channel map. */
  channels: Array<{ name: string; label: string; direction: Direction }>;
  reasons: { lost: Array<{ key: string; label: string }>; disqualified: Array<{ key: string; label: string }> };
  bantKeys: Array<'budget' | 'authority' | 'need' | 'timeline'>;
  bantStatuses: Array<{ name: BantStatus; label: string }>;
  paging: { orderCacheFrom: number };
}

export interface Engine {
  loadLeads(leads: Lead[] | string | Uint8Array | object, options?: { now?: TimeInput }): LoadResult;
  /** loadLeads from a Blob of UTF-8 JSON or an exportSnapshot, streamed into the engine's memory. */
  loadLeadsBlob(blob: Blob, options?: { now?: TimeInput }): Promise<LoadResult>;
  upsertLead(lead: Lead, options?: { now?: TimeInput }): string;
  getLead(id: string): Lead | null;
  removeLead(id: string): boolean;
  query<V extends 'full' | 'row' = 'full'>(options?: QueryOptions & { view?: V }):
    { total: number; rows: V extends 'row' ? TableRow[] : LeadRow[] };
  summary(options?: Pick<QueryOptions, 'filter' | 'search' | 'now'>): Summary;
  setChannels(mapping: Record<string, Direction | { direction?: Direction; values?: string[] }>): void;
  /** Every channel with its label, direction and the source values mapped to it. */
  getChannels(): Array<{ name: string; label: string; direction: Direction; values: string[] }>;
  /** Every list the page needs from the core, in one call (core/include/leadkit/catalog.hpp). */
  catalog(): Catalog;
  readonly size: number;
  /**
   * Bytes of wasm memory in use by all engines of this module (the allocator's top); the memory
   * itself is larger. A new memory for the same data needs this much (web/app/worker.js).
   */
  readonly heapBytes: number;
  /** The backup text; throws LeadkitError (with its code) when it cannot be made, never returns an error. */
  exportJson(): string;
  /** The workspace as a binary snapshot for loadLeads / loadLeadsBlob: a third of exportJson's size, read ~3× faster. */
  exportSnapshot(): Uint8Array;
  importJson(backup: string | object, options?: { now?: TimeInput }): { loaded: number };
  /**
   * One import that lands runs per engine at a time: another started meanwhile throws LeadkitError
   * code `busy` (dry runs and suggestMapping may run beside it).
   */
  importCsv(input: string | Uint8Array | ArrayBuffer | Blob, options?: ImportOptions): Promise<ImportReport>;
  suggestMapping(input: string | Uint8Array | ArrayBuffer | Blob, options?: { preset?: CsvPreset; mapping?: ImportOptions['mapping'] }): Promise<CsvMapping>;
  exportCsv(options?: ExportCsvOptions): string;
  setScoringModel(model: ScoringModel): string;
  getScoringModel(): Required<ScoringModel>;
  scoreAll(options?: { now?: TimeInput }): ScoreColumns;
  score(id: string, options?: { now?: TimeInput }): LeadScore;
  explain(id: string, options?: { now?: TimeInput }): Contribution[];
  whatIf(draft: ScoringModel, options?: { now?: TimeInput }): WhatIfResult;
  setPipeline(settings: PipelineSettings): Required<PipelineSettings>;
  getPipeline(): Required<PipelineSettings>;
  setQualification(leadId: string, criterion: string, status: BantStatus, evidence?: string,
    options?: { framework?: string; confidence?: number; now?: TimeInput }): Verdict;
  /** How many calls have crossed into the WebAssembly module. */
  readonly calls: number;
  /** Everything a lead's page shows, in one call. */
  leadPage(leadId: string, options?: { now?: TimeInput }):
    { lead: Lead; score: LeadScore; explain: Contribution[]; qualification: Verdict; cadence: CadenceStatus; prediction: Prediction | null };
  qualification(leadId: string, options?: { framework?: string }): Verdict;
  /** Throws LeadkitError naming the failed guard in `where.path`. */
  transition(leadId: string, toStage: Stage, options?: { reason?: string; note?: string; actor?: string; now?: TimeInput }):
    { id: string; from: Stage; to: Stage; at: string; stageReason: string; historyLength: number };
  logTouch(leadId: string, touch: { channel: TouchChannel; outcome: TouchOutcome; at?: string; note?: string }, options?: { now?: TimeInput }):
    { touch: Touch; contactStatus: CadenceStatus['contactStatus']; cadence: CadenceStatus };
  /** Adds `{ title, due }`, changes `{ id, title?, due?, done? }` (a later due snoozes) or removes `{ id, remove: true }` a follow-up task. */
  setTask(leadId: string, change: { id?: string; title?: string; due?: TimeInput; done?: boolean; remove?: boolean }, options?: { now?: TimeInput }):
    { leadId: string; task: Task } | { leadId: string; removed: Task };
  /** Merges leadkit JSON leads (array, backup, widget export) by id, else e-mail; adds the rest. All or nothing. */
  mergeLeads(text: string, options?: { dryRun?: boolean; now?: TimeInput }):
    { total: number; added: number; merged: number; unchanged: number; dryRun: boolean;
      leads: Array<{ id: string; action: 'added' | 'merged' | 'unchanged'; matchedBy?: 'id' | 'email' }>; changedIds?: string[] };
  /** Open tasks of every lead, the most overdue first; `done: true` lists the done ones. */
  tasks(options?: { now?: TimeInput; done?: boolean; until?: TimeInput; limit?: number }):
    { total: number; overdue: number; tasks: Array<Task & { leadId: string; firstName: string; lastName: string; company: string; stage: Stage }> };
  enroll(leadId: string, cadence: string | null, options?: { startAt?: string | number | Date; now?: TimeInput }): CadenceStatus;
  cadenceStatus(leadId: string, options?: { now?: TimeInput }): CadenceStatus;
  callList(options?: { now?: TimeInput; limit?: number; weights?: { score?: number; value?: number; due?: number; staleness?: number }; stages?: Stage[] }):
    { total: number; items: CallListItem[] };
  findDuplicates(options?: { minSimilarity?: number; limit?: number; ids?: string[] }): { groups: DuplicateGroup[]; total: number; truncated: boolean };
  previewMerge(ids: string[], choices?: MergeChoices):
    { survivor: string; fields: Array<{ field: string; values: Array<{ id: string; value: unknown }>; chosen: string; conflict: boolean }>; merged: Lead };
  merge(ids: string[], choices?: MergeChoices, options?: { now?: TimeInput }): { mergeId: string; survivor: string; removed: string[]; lead: Lead };
  undoMerge(mergeId: string): { mergeId: string; survivor: string; restored: string[] };
  mergeJournal(): object;
  loadMergeJournal(journal: object | string): number;
  train(options?: { outcomeField?: string; positive?: string; negative?: string; folds?: number;
    kind?: ModelKind | 'auto'; c?: number; minLevelCount?: number; exclude?: string[];
    /** auto: the AUC by which trees or naive Bayes must beat logistic regression (0.02) */ margin?: number;
    trees?: TreeOptions; now?: TimeInput }): TrainResult;
  setPredictiveModel(model: TrainResult['model'] | null): string | null;
  getPredictiveModel(): TrainResult['model'] | null;
  predict(id: string, options?: { now?: TimeInput }): Prediction;
  predictAll(options?: { now?: TimeInput }): { modelHash: string; ids: string[]; probability: Float64Array; low: Float64Array; high: Float64Array };
  /** Throws LeadkitError with `where.path` ('from', 'to', 'by') for a bad or empty period. */
  funnel(options: FunnelOptions): FunnelResult;
  /** Throws LeadkitError with `where.path` (e.g. 'dealValue', 'rates.mqlToSql') for bad input. */
  plan(options: PlanOptions): Plan;
  /** The module-level `advise`, synchronously. */
  advise(inputs: AdvisorInputs): Advice;
  dispose(): void;
}

/** Starts loading and compiling the wasm module, so that a later createEngine need not wait for it. */
export function preload(options?: {
  /** The compiled module, started earlier (web/app/worker.js compiles it while the worker loads). */
  module?: Promise<WebAssembly.Module>;
  /** Memory for the module: maximum 32768 pages (2 GiB, the module's own limit). */
  memory?: WebAssembly.Memory;
}): void;
export function createEngine(): Promise<Engine>;
/** `count` is a whole number up to 1,000,000 (more: code `too_large`). */
export function sampleLeads(count: number, options?: { seed?: number; now?: TimeInput }): Promise<Lead[]>;
export function liveEngines(): Promise<number>;
/**
 * Lead generation or prospecting? The one C++ implementation, run in the wasm module; async only
 * because the module may still have to load (an engine's `advise` is synchronous). Bad input
 * (negative, NaN, niche outside 0..1, ...) rejects with LeadkitError naming `where.path`.
 */
export function advise(inputs: AdvisorInputs): Promise<Advice>;
