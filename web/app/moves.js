// Lead actions shared by the lead page, the board and Today: moving a lead through the lifecycle
// (asking for a reason where the pipeline needs one) and the quick-log touch buttons.
import { CLOSED_STAGES, STAGES, STAGE_LABEL, dialog, el, fillCatalog as fillUiCatalog } from './ui.js';

// The touch channels and outcomes with their labels, from the engine's catalog (fillCatalog):
// outcome labels are lower-case, as read after a channel ("Call: no answer").
export const CHANNEL_LABEL = {};
export const OUTCOME_LABEL = {};
/** Fills the tables above (and ui.js's) from engine.catalog(), in place; main.js calls it once. */
export function fillCatalog(catalog) {
  fillUiCatalog(catalog);
  for (const [table, list] of [[CHANNEL_LABEL, catalog.touchChannels], [OUTCOME_LABEL, catalog.touchOutcomes]]) {
    for (const k of Object.keys(table)) delete table[k];
    for (const { name, label } of list) table[name] = label;
  }
}

const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);
/** A one-click touch: which touch it logs (a UI choice), its labels made of the catalog's. */
const quick = (key, channel, outcome, label, short) => ({
  key, touch: { channel, outcome },
  get label() { return label(CHANNEL_LABEL[channel] ?? channel, OUTCOME_LABEL[outcome] ?? outcome); },
  get short() { return short(CHANNEL_LABEL[channel] ?? channel, OUTCOME_LABEL[outcome] ?? outcome); },
});
/** The one-click touches: key, what is logged, a label and a short label for dense rows. */
export const QUICK_TOUCHES = [
  quick('call-no-answer', 'call', 'no_answer', (c, o) => `${c}: ${o}`, (c, o) => cap(o)),
  quick('call-connected', 'call', 'connected', (c, o) => `${c}: ${o}`, (c, o) => cap(o)),
  quick('email-sent', 'email', 'sent', (c, o) => `${c} ${o}`, (c) => c),
  quick('linkedin', 'linkedin', 'sent', (c) => c, (c) => c),
  quick('replied', 'email', 'replied', (c, o) => cap(o), (c, o) => cap(o)),
  quick('meeting', 'call', 'meeting_booked', (c, o) => cap(o), () => 'Meeting'),
];

export const touchLabel = (t) => `${CHANNEL_LABEL[t.channel] ?? t.channel}: ${OUTCOME_LABEL[t.outcome] ?? t.outcome}`;
export const CONTACT_LABEL = { notContacted: 'Not contacted', attempted: 'Attempted', connected: 'Connected' };

export const needsReason = (stage) => CLOSED_STAGES.includes(stage);

/** A Date as the value of an <input type="datetime-local">, in local time. */
export const localInput = (d) => {
  const t = new Date(d);
  return new Date(t.getTime() - t.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
/** Tomorrow at `hour` local time. */
export const tomorrowAt = (hour = 9, from = new Date()) => {
  const d = new Date(from);
  d.setDate(d.getDate() + 1);
  d.setHours(hour, 0, 0, 0);
  return d;
};

/**
 * Asks for a touch's note and time, with the channel and outcome already chosen (a quick-log
 * button) or to choose. Resolves with { channel, outcome, note?, at } or null when cancelled.
 * Enter logs it; the time cannot be later than now.
 */
export async function askTouch(name, preset = { channel: 'call', outcome: 'connected' }) {
  const channel = el('select', { class: 'input', id: 'touch-channel' },
    ...Object.entries(CHANNEL_LABEL).map(([v, l]) => el('option', { value: v, selected: v === preset.channel }, l)));
  const outcome = el('select', { class: 'input', id: 'touch-outcome' },
    ...Object.entries(OUTCOME_LABEL).map(([v, l]) => el('option', { value: v, selected: v === preset.outcome }, l[0].toUpperCase() + l.slice(1))));
  const note = el('input', { type: 'text', class: 'input', id: 'touch-note', maxlength: '1000', placeholder: 'What happened? (optional)', autocomplete: 'off' });
  const now = new Date();
  const when = el('input', { type: 'datetime-local', class: 'input', id: 'touch-at', value: localInput(now) });
  const problem = el('p', { class: 'field-error', role: 'alert' });
  const noteField = el('label', { class: 'field', for: 'touch-note' }, el('span', {}, 'Note'), note);
  const answer = await dialog({
    title: `Log a touch with ${name}`,
    body: [noteField,
      el('div', { class: 'grid-3' },
        el('label', { class: 'field', for: 'touch-channel' }, el('span', {}, 'Channel'), channel),
        el('label', { class: 'field', for: 'touch-outcome' }, el('span', {}, 'Outcome'), outcome),
        el('label', { class: 'field', for: 'touch-at' }, el('span', {}, 'When'), when)),
      problem],
    buttons: [{ label: 'Cancel', value: false }, { label: 'Log touch', value: true, kind: 'primary' }],
    onSubmit: () => {
      const at = when.value ? new Date(when.value) : new Date();
      if (Number.isNaN(at.getTime()) || at.getTime() > Date.now() + 60_000) {
        problem.textContent = 'A touch is logged when it has happened: pick a time up to now. Plan a later one as a task.';
        when.focus();
        return true;
      }
      return false;
    },
  });
  if (answer !== true) return null;
  const at = when.value ? new Date(when.value) : new Date();
  return { channel: channel.value, outcome: outcome.value, note: note.value.trim() || undefined, at: Math.min(at.getTime(), Date.now()) };
}

/**
 * Asks for a follow-up task: what and when (default tomorrow 9:00). Resolves with
 * { title, due } or null.
 */
export async function askTask(name, { title = '', due = tomorrowAt(9), heading } = {}) {
  const what = el('input', { type: 'text', class: 'input', id: 'task-title', maxlength: '300', value: title, placeholder: 'e.g. Call back about the quote', autocomplete: 'off' });
  const when = el('input', { type: 'datetime-local', class: 'input', id: 'task-due', value: localInput(due) });
  const problem = el('p', { class: 'field-error', role: 'alert' });
  const answer = await dialog({
    title: heading ?? `Next step with ${name}`,
    body: [el('label', { class: 'field', for: 'task-title' }, el('span', {}, 'What'), what),
      el('label', { class: 'field', for: 'task-due' }, el('span', {}, 'When'), when), problem],
    buttons: [{ label: 'Cancel', value: false }, { label: 'Save task', value: true, kind: 'primary' }],
    onSubmit: () => {
      if (!what.value.trim()) { problem.textContent = 'Say what the next step is.'; what.focus(); return true; }
      if (!when.value || Number.isNaN(new Date(when.value).getTime())) { problem.textContent = 'Pick a date and time.'; when.focus(); return true; }
      return false;
    },
  });
  return answer === true ? { title: what.value.trim(), due: new Date(when.value) } : null;
}

/** When a task is due, as people say it: "overdue · Mon 10:00", "today 14:00", "tomorrow 9:00". */
export function dueLabel(iso, now = new Date()) {
  const d = new Date(iso);
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((day(d) - day(now)) / 86_400_000);
  const time = d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
  const date = days === 0 ? `today ${time}` : days === 1 ? `tomorrow ${time}` : days === -1 ? `yesterday ${time}`
    : `${d.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric' })} ${time}`;
  return d.getTime() < now.getTime() ? `overdue · ${date}` : date;
}

/**
 * Asks why a lead is lost or disqualified. Resolves with { reason, note } or null when cancelled.
 * "other" needs a note; the dialog stays open and says so until there is one.
 */
export async function askReason(ctx, stage, { name = 'this lead', suggested } = {}) {
  const pipeline = await ctx.worker.read('getPipeline');
  const reasons = pipeline.reasons?.[stage] ?? [];
  const choice = el('select', { class: 'input', id: 'move-reason' },
    ...reasons.map((r) => el('option', { value: r.key, selected: r.key === suggested }, r.label ?? r.key)));
  const note = el('textarea', { class: 'input', id: 'move-note', rows: '2', maxlength: '500' });
  const problem = el('p', { class: 'field-error', role: 'alert' });
  const verb = stage === 'lost' ? 'lost' : 'disqualified';
  const answer = await dialog({
    title: `Why is ${name} ${verb}?`,
    body: [
      el('label', { class: 'field', for: 'move-reason' }, el('span', {}, 'Reason'), choice),
      el('label', { class: 'field', for: 'move-note' }, el('span', {}, 'Note'), note),
      problem,
    ],
    buttons: [{ label: 'Cancel', value: false }, { label: `Mark ${verb}`, value: true, kind: 'primary' }],
    onSubmit: () => {
      if (choice.value === 'other' && !note.value.trim()) {
        problem.textContent = 'Say why in the note: “other” needs one.';
        note.focus();
        return true;
      }
      return false;
    },
  });
  return answer === true ? { reason: choice.value, note: note.value.trim() || undefined } : null;
}

/**
 * Moves a lead, asking for a reason first when the stage needs one. Resolves with the engine's
 * result, or null when the user cancelled; a refused move rejects with the guard's error.
 */
export async function moveLead(ctx, id, stage, { name, suggested } = {}) {
  let options = {};
  if (needsReason(stage)) {
    options = await askReason(ctx, stage, { name, suggested });
    if (!options) return null;
  }
  return ctx.worker.transition(id, stage, options);
}

/** A dialog listing the stages; resolves with the stage picked, or null. */
export async function pickStage(current, name) {
  const group = el('div', { class: 'move-choices', role: 'radiogroup', 'aria-label': 'Stage' });
  STAGES.forEach(([key, label]) => {
    group.append(el('label', { class: `move-choice${key === current ? ' is-current' : ''}` },
      el('input', { type: 'radio', name: 'move-stage', value: key, checked: key === current, disabled: key === current }),
      el('span', { class: `badge stage-${key}` }, label),
      key === current ? el('span', { class: 'muted' }, 'current') : null));
  });
  const answer = await dialog({
    title: `Move ${name} to…`,
    body: [group],
    buttons: [{ label: 'Cancel', value: false }, { label: 'Move', value: true, kind: 'primary' }],
  });
  if (answer !== true) return null;
  const picked = group.querySelector('input:checked')?.value;
  return picked && picked !== current ? picked : null;
}

export { STAGE_LABEL };
