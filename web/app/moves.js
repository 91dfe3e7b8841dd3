// Lead actions shared by the lead page, the board and Today: moving a lead through the lifecycle
// (asking for a reason where the pipeline needs one) and the quick-log touch buttons.
import { STAGES, STAGE_LABEL, dialog, el } from './ui.js';

/** The one-click touches: label, what is logged, and a short label for dense rows. */
export const QUICK_TOUCHES = [
  { key: 'call-no-answer', label: 'Call: no answer', short: 'No answer', touch: { channel: 'call', outcome: 'no_answer' } },
  { key: 'call-connected', label: 'Call: connected', short: 'Connected', touch: { channel: 'call', outcome: 'connected' } },
  { key: 'email-sent', label: 'E-mail sent', short: 'E-mail', touch: { channel: 'email', outcome: 'sent' } },
  { key: 'linkedin', label: 'LinkedIn', short: 'LinkedIn', touch: { channel: 'linkedin', outcome: 'sent' } },
  { key: 'replied', label: 'Replied', short: 'Replied', touch: { channel: 'email', outcome: 'replied' } },
  { key: 'meeting', label: 'Meeting booked', short: 'Meeting', touch: { channel: 'call', outcome: 'meeting_booked' } },
];

export const CHANNEL_LABEL = { call: 'Call', email: 'E-mail', linkedin: 'LinkedIn', in_person: 'In person', sms: 'SMS', video: 'Video', other: 'Other' };
export const OUTCOME_LABEL = {
  sent: 'sent', no_answer: 'no answer', voicemail: 'voicemail', connected: 'connected', replied: 'replied',
  meeting_booked: 'meeting booked', bounced: 'bounced', not_interested: 'not interested',
};
export const touchLabel = (t) => `${CHANNEL_LABEL[t.channel] ?? t.channel}: ${OUTCOME_LABEL[t.outcome] ?? t.outcome}`;
export const CONTACT_LABEL = { notContacted: 'Not contacted', attempted: 'Attempted', connected: 'Connected' };

export const needsReason = (stage) => stage === 'lost' || stage === 'disqualified';

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
