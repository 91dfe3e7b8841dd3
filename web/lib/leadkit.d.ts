// Hand-written: Emscripten 3.1.6 cannot emit declarations (TOOLCHAIN.md #7).

export type Stage = 'new' | 'nurturing' | 'mql' | 'sql' | 'opportunity' | 'customer' | 'lost' | 'disqualified';
export type Direction = 'inbound' | 'outbound' | 'unknown';
export type BantStatus = 'unknown' | 'partly' | 'met' | 'not_met';
export interface BantCriterion { status: BantStatus; evidence?: string }

export interface LeadEvent { type: string; at: string; props?: Record<string, unknown> }
export type TouchChannel = 'call' | 'email' | 'linkedin' | 'in_person' | 'sms' | 'video' | 'other';
export type TouchOutcome = 'sent' | 'no_answer' | 'voicemail' | 'connected' | 'replied' | 'meeting_booked' | 'bounced' | 'not_interested';
export interface Touch { channel: TouchChannel; outcome: TouchOutcome; at: string; note?: string }
export interface Transition { at: string; from: Stage; to: Stage; reason?: string; actor?: string }

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
}

export interface Where { path?: string; row?: number; line?: number; column?: number }

export class LeadkitError extends Error {
  readonly name: 'LeadkitError';
  readonly where: Where;
}

export type FilterValue = string | number | Array<string | number> | { min?: number | string; max?: number | string };

export interface QueryOptions {
  /** field → value (equal), array (any of), or {min, max} for numbers and ISO times. */
  filter?: Record<string, FilterValue>;
  /** Case-insensitive text matched against name, company and e-mail. */
  search?: string;
  sort?: { field: string; order?: 'asc' | 'desc' };
  offset?: number;
  /** At most 100000; 50 when omitted. */
  limit?: number;
}

export interface LoadResult { loaded: number; errors: Array<{ message: string; where: Where }> }

export interface Summary {
  total: number;
  byStage: Partial<Record<Stage, number>>;
  byDirection: Partial<Record<Direction, number>>;
  bySource: Record<string, number>;
  valueByStage: Partial<Record<Stage, number>>;
}

export interface Engine {
  loadLeads(leads: Lead[] | string | object, options?: { now?: number }): LoadResult;
  upsertLead(lead: Lead, options?: { now?: number }): string;
  getLead(id: string): Lead | null;
  removeLead(id: string): boolean;
  query(options?: QueryOptions): { total: number; rows: Lead[] };
  summary(options?: Pick<QueryOptions, 'filter' | 'search'>): Summary;
  setChannels(mapping: Record<string, Direction>): void;
  readonly size: number;
  exportJson(): string;
  dispose(): void;
}

export function createEngine(): Promise<Engine>;
export function sampleLeads(count: number, options?: { seed?: number; now?: number }): Promise<Lead[]>;
export function liveEngines(): Promise<number>;
