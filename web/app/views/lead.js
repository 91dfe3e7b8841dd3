// Lead detail (#/lead/ID) and a new lead (#/lead/new): every field editable, the score with every
// contribution, BANT, the stage with its history, touches with the cadence, and the events.
// The engine validates; its errors (error.where.path) are shown beside the field they name.
import {
  BANT_STATUSES, CATALOG, CLOSED_STAGES, STAGE_LABEL, button, confirmDialog, dateTime, daysAgo, describeError, el, fullName, gradeBadge,
  lastTouch, money, percent, shortDate, sourceLabel, directionLabel, stageBadge, stateBox, toast,
} from '../ui.js';
import { CHANNEL_LABEL, CONTACT_LABEL, QUICK_TOUCHES, askTask, askTouch, dueLabel, moveLead, touchLabel, tomorrowAt } from '../moves.js';

export const title = 'Lead';

// key, label, kind, extra input attributes
const FIELDS = [
  ['firstName', 'First name', 'text', { autocomplete: 'off' }],
  ['lastName', 'Last name', 'text', { autocomplete: 'off' }],
  ['email', 'E-mail', 'email', { autocomplete: 'off', spellcheck: 'false' }],
  ['phone', 'Phone', 'tel', { autocomplete: 'off' }],
  ['company', 'Company', 'text', {}],
  ['title', 'Title', 'text', {}],
  ['industry', 'Industry', 'text', {}],
  ['country', 'Country', 'text', {}],
  ['employees', 'Employees', 'number', { min: '0', step: '1', inputmode: 'numeric' }],
  ['annualRevenue', 'Annual revenue', 'number', { min: '0', step: 'any', inputmode: 'decimal' }],
  ['source', 'Source', 'select', {}],
  ['dealValue', 'Deal value', 'number', { min: '0', step: 'any', inputmode: 'decimal' }],
  ['currency', 'Currency', 'text', { maxlength: '3', placeholder: 'USD', spellcheck: 'false' }],
  ['tags', 'Tags', 'text', { placeholder: 'Comma separated' }],
];
// The source channels every engine knows (the catalog's defaultChannels), grouped by the
// direction the engine derives from them; sources in use that are not here are listed under "Other".
const SOURCE_GROUPS = [['inbound', 'Inbound: lead generation'], ['outbound', 'Outbound: prospecting']];
const knownSources = () => SOURCE_GROUPS.map(([direction, label]) =>
  [direction, label, CATALOG.defaultChannels.filter((c) => c.direction === direction).map((c) => c.name)]);
const byLabel = (a, b) => sourceLabel(a).localeCompare(sourceLabel(b));
const isNumeric = (key) => CATALOG.leadFields.some((f) => f.name === key && f.type === 'number');
// What the form edits: saving sets these (clearing those left empty) over the lead as stored.
const FORM_KEYS = [...FIELDS.map(([k]) => k), 'notes'];
const VERDICT = { qualified: ['Qualified', 'good'], needsWork: ['Needs work', 'warn'], disqualify: ['Disqualify', 'bad'] };
const KIND_LABEL = { fit: 'Fit', engagement: 'Engagement', rule: 'Rule', limit: 'Limit' };
/** "page_view" → "Page view"; "touch.call.connected" → "Touch: call, connected". */
const engagementLabel = (label) => (String(label).startsWith('touch.')
  ? `Touch: ${String(label).slice(6).split('.').map((p) => p.replaceAll('_', ' ')).join(', ')}` : EVENT_LABEL(label));
const EVENT_LABEL = (type) => String(type).replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
const signed = (v, d = 1) => (v == null || !Number.isFinite(v) ? '—'
  : Number(Math.abs(v).toFixed(d)) === 0 ? (0).toFixed(d) : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(d)}`);
/** replaceChildren that skips null and false (replaceChildren would print them). */
const put = (node, ...kids) => node.replaceChildren(...kids.flat().filter((k) => k != null && k !== false));
const round = (v) => (v == null || !Number.isFinite(v) ? '—' : String(Math.round(v)));
// Edits that could not be saved when their page was left (a field the engine refused, a new lead
// not yet added), by workspace and lead: the page puts them back when it is opened again.
const drafts = new Map();
// How long typing in the notes pauses before they are saved; other fields save as they are left.
const NOTES_PAUSE_MS = 800;

export async function mount(root, ctx, param) {
  const { worker } = ctx;
  const isNew = !param || param === 'new';
  let lead = isNew ? { stage: 'new', tags: [], custom: {} } : await worker.read('getLead', param);
  if (!lead) {
    root.append(backLink(), stateBox({
      title: 'This lead is not in this workspace',
      body: 'It may have been deleted or merged, or the link is from another workspace. Go back to the leads and pick another.',
      action: ['Back to leads', () => ctx.navigate('#/leads')],
    }));
    return;
  }

  const draftKey = `${ctx.workspace?.id}/${isNew ? 'new' : lead.id}`;
  let disposed = false;
  const form = buildForm();
  const header = el('div', { class: 'lead-header' });
  const side = el('div', { class: 'lead-side' });
  const main = el('div', { class: 'lead-main' });
  root.append(backLink(), header, el('div', { class: 'lead-layout' }, main, side));
  main.append(form.node);

  if (isNew) {
    header.append(el('div', { class: 'lead-title' }, el('h1', {}, 'New lead'),
      el('p', { class: 'subtitle' }, 'Fill in what you know; e-mail, a name or a company is enough to start.')));
    form.fill(lead);
    form.restoreDraft();
    form.inputs.firstName.focus();
    return form.leave;
  }

  const sections = {
    score: el('section', { class: 'card lead-score', 'aria-labelledby': 'lead-score-h' }),
    bant: el('section', { class: 'card lead-bant', 'aria-labelledby': 'lead-bant-h' }),
    tasks: el('section', { class: 'card lead-tasks', 'aria-labelledby': 'lead-tasks-h' }),
    touches: el('section', { class: 'card lead-touches', 'aria-labelledby': 'lead-touches-h' }),
    history: el('section', { class: 'card lead-history', 'aria-labelledby': 'lead-history-h' }),
    events: el('section', { class: 'card lead-events', 'aria-labelledby': 'lead-events-h' }),
  };
  side.append(sections.score, sections.tasks, sections.bant, sections.touches);
  main.append(sections.history, sections.events);
  form.fill(lead);
  form.restoreDraft();

  let data = {};
  // Two messages to the worker: the lead page's view (lead, score, explanation, qualification,
  // cadence, prediction: one engine call) and the pipeline settings.
  async function load() {
    const id = lead.id;
    const [view, pipeline] = await Promise.all([
      worker.read('leadPage', id).catch((error) => (error.code === 'not_found' ? null : Promise.reject(error))),
      worker.read('getPipeline'),
    ]);
    if (!view) { ctx.navigate('#/leads'); return; }
    data.pipeline = pipeline;
    show(view);
  }
  /** Paints a lead page view, as read('leadPage') or a change's reply gives it. */
  function show(view) {
    lead = view.lead;
    data = { score: view.score, explain: view.explain, qual: view.qualification, cadence: view.cadence, pipeline: data.pipeline, prediction: view.prediction };
    if (!disposed) paint();
  }

  function paint() {
    paintHeader();
    paintScore();
    paintBant();
    paintTasks();
    paintTouches();
    paintHistory();
    paintEvents();
    if (!form.dirty()) form.fill(lead);
  }

  // ---- header: name, the numbers people act on, stage and its move control --------------------
  function paintHeader() {
    const { score, cadence, pipeline } = data;
    const headingHadFocus = document.activeElement?.id === 'lead-name';
    const moveHadFocus = document.activeElement?.id === 'lead-move';
    const last = lastTouch(lead);
    const stageSelect = el('select', { class: 'input', id: 'lead-move', 'aria-label': `Move ${fullName(lead)} to stage` },
      el('option', { value: '' }, 'Move to…'),
      ...(pipeline.transitions?.[lead.stage] ?? []).concat(CLOSED_STAGES)
        .filter((s, i, all) => s !== lead.stage && all.indexOf(s) === i)
        .map((s) => el('option', { value: s }, STAGE_LABEL[s] ?? s)),
      el('optgroup', { label: 'Other stages (a guard may refuse)' },
        ...Object.keys(STAGE_LABEL).filter((s) => s !== lead.stage && !(pipeline.transitions?.[lead.stage] ?? []).includes(s) && !CLOSED_STAGES.includes(s))
          .map((s) => el('option', { value: s }, STAGE_LABEL[s]))));
    const moveError = el('p', { class: 'field-error lead-move-error', id: 'lead-move-error', role: 'alert' });
    stageSelect.addEventListener('change', async () => {
      const to = stageSelect.value;
      if (!to) return;
      moveError.textContent = '';
      try {
        const result = await moveLead(ctx, lead.id, to, { name: fullName(lead), suggested: data.qual?.suggestedReason });
        if (!result) { stageSelect.value = ''; return; }
        toast(`Moved to ${STAGE_LABEL[to]}`, { tone: 'success' });
        await load();
      } catch (error) {
        stageSelect.value = '';
        moveError.textContent = `Not moved: ${error.message}`;
        if (error.kind === 'conflict' || error.kind === 'storage') ctx.run(Promise.reject(error)).catch(() => {});
      }
    });
    put(header, 
      el('div', { class: 'lead-title' },
        el('h1', { id: 'lead-name', tabindex: '-1' }, fullName(lead)),
        el('p', { class: 'subtitle' }, [lead.title, lead.company].filter(Boolean).join(' · ') || 'No company yet',
          ' · ', sourceLabel(lead.source), ' · ', directionLabel(lead.direction))),
      el('dl', { class: 'lead-kpis' },
        kpi('Score (total)', el('span', { class: 'lead-kpi-score' }, el('span', { id: 'lead-score-total' }, round(score?.total)), gradeBadge(score?.grade))),
        data.prediction ? kpi('Win probability', percent(data.prediction.probability)) : null,
        kpi('Deal value', lead.dealValue == null ? '—' : money(lead.dealValue, lead.currency)),
        kpi('Last touch', last ? daysAgo(last) : 'never'),
        kpi('Contact', CONTACT_LABEL[cadence?.contactStatus] ?? '—')),
      el('div', { class: 'lead-stage' },
        el('div', { class: 'lead-stage-row' }, el('span', { class: 'muted' }, 'Stage'),
          el('span', { id: 'lead-stage' }, stageBadge(lead.stage, lead.stageReason)),
          lead.stageReason ? el('span', { class: 'muted lead-stage-reason' }, reasonLabel(lead.stage, lead.stageReason)) : null),
        el('div', { class: 'lead-stage-row' }, stageSelect,
          button('Delete', removeLead, { kind: 'danger', 'aria-label': `Delete ${fullName(lead)}` })),
        moveError));
    if (headingHadFocus) header.querySelector('h1').focus();
    if (moveHadFocus) header.querySelector('#lead-move').focus();
  }
  const kpi = (label, value) => el('div', { class: 'lead-kpi' }, el('dt', {}, label), el('dd', {}, value));
  function reasonLabel(stage, key) {
    const found = data.pipeline?.reasons?.[stage]?.find((r) => r.key === key);
    return found?.label ?? key;
  }

  // ---- score: breakdown, every contribution, and the predictive model beside it ---------------
  function paintScore() {
    const { score, explain, prediction } = data;
    const groups = new Map();
    // A limit that took away less than the shown precision would read "0.0": not worth a line.
    for (const c of (explain ?? []).filter((x) => x.kind !== 'limit' || Math.abs(x.points) >= 0.05)) {
      if (!groups.has(c.kind)) groups.set(c.kind, []);
      groups.get(c.kind).push(c);
    }
    const list = el('table', { class: 'lead-explain', 'aria-label': 'Score contributions' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Kind'), el('th', { scope: 'col' }, 'Contribution'), el('th', { scope: 'col', class: 'num' }, 'Points'))));
    const body = el('tbody');
    for (const [kind, items] of groups) {
      for (const c of items.sort((a, b) => Math.abs(b.points) - Math.abs(a.points))) {
        body.append(el('tr', { class: `kind-${c.kind}` },
          el('td', {}, el('span', { class: `lead-kind lead-kind-${c.kind}` }, KIND_LABEL[kind] ?? kind)),
          el('td', {}, c.kind === 'engagement' ? engagementLabel(c.label) : c.label),
          el('td', { class: `num ${c.points < 0 ? 'neg' : 'pos'}` }, signed(c.points))));
      }
    }
    if (explain?.length) {
      body.append(el('tr', { class: 'lead-explain-total' },
        el('td', {}, el('span', { class: 'lead-kind' }, 'Total')),
        el('td', {}, 'Total score, after every limit'),
        el('td', { class: 'num' }, round(score?.total))));
    }
    if (!explain?.length) body.append(el('tr', {}, el('td', { colspan: '3', class: 'muted' }, 'Nothing counts towards this score yet: add company details or log activity.')));
    list.append(body);
    put(sections.score, 
      el('h2', { id: 'lead-score-h' }, 'Score'),
      el('div', { class: 'lead-breakdown' },
        bar('Fit', score?.fit, 'who'), bar('Engagement', score?.engagement, 'activity'),
        el('div', { class: 'lead-total' }, el('span', { class: 'muted' }, 'Total score'),
          el('strong', {}, round(score?.total)), gradeBadge(score?.grade),
          score?.matrix ? el('span', { class: 'lead-matrix', title: 'Fit × engagement matrix: the letter is fit (A best), the digit engagement (1 most)' },
            el('span', { class: 'muted' }, 'matrix '), score.matrix,
            el('span', { class: 'muted' }, ` (fit ${score.matrix[0]}, engagement ${score.matrix[1]})`)) : null)),
      list,
      prediction ? predictive(prediction) : null);
  }
  function bar(label, value, hint) {
    const v = Number.isFinite(value) ? Math.max(0, Math.min(100, value)) : 0;
    const fill = el('span', { class: 'lead-bar-fill' });
    fill.style.width = `${v}%`;
    return el('div', { class: 'lead-bar' },
      el('span', { class: 'lead-bar-label' }, label, el('span', { class: 'muted' }, ` · ${hint}`)),
      el('span', { class: 'lead-bar-num' }, round(value)),
      el('span', { class: 'lead-bar-track', role: 'img', 'aria-label': `${label} ${round(value)} of 100` }, fill));
  }
  function predictive(p) {
    const items = [...p.contributions].sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds));
    const rows = items.map((c) => el('tr', {},
      el('td', {}, c.feature, c.input != null && c.input !== c.feature ? el('span', { class: 'muted' }, ` = ${c.input}`) : null),
      el('td', { class: `num ${c.logOdds < 0 ? 'neg' : 'pos'}` }, signed(c.logOdds, 2))));
    const shown = 8;
    const table = el('table', { class: 'lead-explain', 'aria-label': 'Predictive model contributions (log-odds)' },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Input'), el('th', { scope: 'col', class: 'num' }, 'Log-odds'))),
      el('tbody', {}, ...rows.slice(0, shown)));
    const more = rows.length > shown ? button(`Show all ${rows.length}`, () => { table.tBodies[0].replaceChildren(...rows); more.remove(); }, { kind: 'ghost', class: 'btn btn-ghost btn-small' }) : null;
    return el('div', { class: 'lead-predict' },
      el('h3', {}, 'Predicted win probability'),
      el('p', { class: 'lead-predict-num' }, el('strong', { id: 'lead-probability' }, percent(p.probability)),
        // Trees have no band (null): only a logistic model's is shown.
        el('span', { class: 'muted' }, `${Number.isFinite(p.low) && Number.isFinite(p.high) ? ` 95% band ${percent(p.low)}–${percent(p.high)} ·` : ''} rule score ${round(data.score?.total)}`)),
      table, more);
  }

  // ---- BANT ----------------------------------------------------------------------------------
  function paintBant() {
    // A keyboard user changing a status keeps their place: the same control has focus after.
    const active = sections.bant.contains(document.activeElement) ? document.activeElement : null;
    const refocus = active ? (active.type === 'radio' ? `input[name="${active.name}"][value="${active.value}"]`
      : active.classList.contains('lead-evidence') || active.classList.contains('lead-confidence')
        ? `[data-criterion="${active.closest('[data-criterion]')?.dataset.criterion}"] .${[...active.classList].find((c) => c.startsWith('lead-'))}` : null) : null;
    const q = data.qual;
    const [label, tone] = VERDICT[q.verdict] ?? [q.verdict, 'grey'];
    const list = el('div', { class: 'lead-criteria' });
    for (const c of q.criteria) {
      const name = `bant-${c.key}`;
      const group = el('div', { class: 'segmented', role: 'radiogroup', 'aria-label': `${c.label} status` },
        ...BANT_STATUSES.map(([value, text]) => el('label', { class: `seg seg-${value}` },
          el('input', { type: 'radio', name, value, checked: (c.status ?? 'unknown') === value, dataset: { criterion: c.key } }),
          el('span', {}, text))));
      const evidence = el('input', { type: 'text', class: 'input lead-evidence', value: c.evidence ?? '', placeholder: 'Evidence: what did they say?', 'aria-label': `${c.label} evidence`, maxlength: '300' });
      const confidence = el('select', { class: 'input lead-confidence', 'aria-label': `${c.label} confidence` },
        ...[[1, 'Sure'], [0.7, 'Likely'], [0.4, 'Unsure']].map(([v, t]) => el('option', { value: String(v), selected: Math.abs((c.confidence ?? 1) - v) < 0.16 }, t)));
      const save = async (status) => {
        try {
          data.qual = await ctx.run(worker.setQualification(lead.id, c.key, status, evidence.value.trim() || undefined, { confidence: Number(confidence.value) }));
          await load();
        } catch { paintBant(); }
      };
      group.addEventListener('change', (e) => save(e.target.value));
      evidence.addEventListener('change', () => save(group.querySelector('input:checked')?.value ?? 'unknown'));
      confidence.addEventListener('change', () => save(group.querySelector('input:checked')?.value ?? 'unknown'));
      list.append(el('div', { class: `lead-criterion status-${c.status ?? 'unknown'}`, dataset: { criterion: c.key } },
        el('div', { class: 'lead-criterion-head' },
          el('span', { class: 'lead-criterion-label' }, c.label, c.critical ? el('span', { class: 'muted', title: 'Not met here suggests disqualifying' }, ' · critical') : null),
          group),
        el('p', { class: 'muted lead-question' }, c.question, c.at ? ` · set ${shortDate(c.at)}` : ''),
        el('div', { class: 'lead-criterion-inputs' }, evidence, confidence)));
    }
    const suggest = q.verdict === 'disqualify'
      ? button('Disqualify…', () => moveFromVerdict('disqualified'), { kind: 'danger', class: 'btn btn-danger btn-small' })
      : q.verdict === 'qualified' && !['sql', 'opportunity', 'customer'].includes(lead.stage)
        ? button('Move to SQL', () => moveFromVerdict('sql'), { kind: 'primary', class: 'btn btn-primary btn-small' }) : null;
    put(sections.bant, 
      el('div', { class: 'lead-card-head' },
        el('h2', { id: 'lead-bant-h' }, (q.framework ?? 'bant').toUpperCase()),
        el('span', { class: `lead-verdict tone-${tone}`, id: 'lead-verdict' }, label),
        el('span', { class: 'muted' }, `${q.met} of ${q.of} met · ${q.qualifyAt} needed`), suggest),
      q.reasons?.length ? el('ul', { class: 'lead-reasons' }, ...q.reasons.map((r) => el('li', {}, r))) : null,
      list);
    if (refocus) sections.bant.querySelector(refocus)?.focus();
  }
  async function moveFromVerdict(stage) {
    try {
      const result = await moveLead(ctx, lead.id, stage, { name: fullName(lead), suggested: data.qual?.suggestedReason });
      if (result) { toast(`Moved to ${STAGE_LABEL[stage]}`, { tone: 'success' }); await load(); }
    } catch (error) {
      toast(`Not moved: ${describeError(error)}`, { tone: 'error' });
    }
  }

  // ---- touches and cadence ---------------------------------------------------------------------
  function paintTouches() {
    const focusedTouch = sections.touches.contains(document.activeElement) ? document.activeElement.dataset.touch : null;
    const c = data.cadence ?? {};
    const touches = [...(lead.touches ?? [])].sort((a, b) => (a.at < b.at ? 1 : -1));
    const cadences = data.pipeline?.cadences ?? [];
    const next = c.next;
    const status = el('div', { class: 'lead-cadence' },
      el('span', {}, el('span', { class: 'muted' }, 'Contact '), el('strong', {}, CONTACT_LABEL[c.contactStatus] ?? '—')),
      c.state === 'notEnrolled'
        ? el('span', { class: 'muted' }, 'Not in a cadence')
        : el('span', {}, el('span', { class: 'muted' }, 'Cadence '), cadenceName(c.cadence), c.of ? ` · ${c.done ?? 0} of ${c.of} done` : '', c.state !== 'active' ? ` · ${c.state}` : ''),
      next ? el('span', { class: next.overdueDays > 0 ? 'lead-due overdue' : 'lead-due' },
        `Next: step ${next.step} ${CHANNEL_LABEL[next.channel] ?? next.channel} `,
        next.overdueDays > 0 ? `overdue ${next.overdueDays} day${next.overdueDays === 1 ? '' : 's'}` : next.dueToday ? 'due today' : `due ${shortDate(next.dueAt)}`) : null,
      c.flag ? el('span', { class: 'lead-flag', role: 'note' }, flagText(c)) : null);
    const enrolControl = c.state === 'active'
      ? button('Stop cadence', () => enroll(null), { class: 'btn btn-small' })
      : cadences.length
        ? button(`Enrol in ${cadenceName(cadences.find((k) => k.key === 'outbound_9')?.key ?? cadences[0].key)}`, () => enroll(cadences.find((k) => k.key === 'outbound_9')?.key ?? cadences[0].key), { class: 'btn btn-small' })
        : null;
    put(sections.touches, 
      el('div', { class: 'lead-card-head' },
        el('h2', { id: 'lead-touches-h' }, 'Touches ', el('span', { class: 'count', id: 'lead-touch-count' }, String(touches.length))),
        el('span', { class: 'spacer' }), enrolControl),
      status,
      el('div', { class: 'quick-log', role: 'group', 'aria-label': 'Log a touch' },
        ...QUICK_TOUCHES.map((q) => button(q.label, () => logTouch(q.touch), { class: 'btn btn-small', dataset: { touch: q.key } })),
        button('Other…', () => logTouch({ channel: 'call', outcome: 'connected' }), { class: 'btn btn-small btn-ghost', dataset: { touch: 'other' } })),
      touches.length
        ? el('ol', { class: 'lead-list' }, ...touches.slice(0, 30).map((t) => el('li', {},
          el('span', { class: `lead-touch outcome-${t.outcome}` }, touchLabel(t)),
          t.note ? el('span', { class: 'lead-note' }, t.note) : null,
          el('time', { class: 'muted', datetime: t.at, title: dateTime(t.at) }, daysAgo(t.at)))))
        : el('p', { class: 'muted lead-empty' }, 'No touches yet. Log a call or an e-mail with the buttons above, or enrol the lead in a cadence.'),
      touches.length > 30 ? el('p', { class: 'muted' }, `and ${touches.length - 30} earlier`) : null);
    if (focusedTouch) sections.touches.querySelector(`[data-touch="${CSS.escape(focusedTouch)}"]`)?.focus();
  }
  const cadenceName = (key) => data.pipeline?.cadences?.find((k) => k.key === key)?.name ?? key ?? '—';
  function flagText(c) {
    if (c.flag === 'recycleOrDisqualify') return `Cadence finished without a reply: recycle or disqualify${c.flagReason ? ` (${c.flagReason})` : ''}`;
    if (c.flag === 'badContactData') return 'Bounced: the contact data looks wrong';
    if (c.flag === 'disqualify') return `Not interested: consider disqualifying${c.suggestedReason ? ` (${reasonLabel('disqualified', c.suggestedReason)})` : ''}`;
    return c.flagReason ?? c.flag;
  }
  /** Asks for the note and time (the channel and outcome chosen already), then logs it. */
  async function logTouch(preset) {
    const touch = await askTouch(fullName(lead), preset);
    if (!touch) return;
    try {
      // One message: the reply carries the page's new state.
      const result = await ctx.run(worker.logTouch(lead.id, touch, { page: true }), { success: `Logged ${touchLabel(touch).toLowerCase()}` });
      show(result.page);
    } catch { /* toasted */ }
  }

  // ---- follow-up tasks -------------------------------------------------------------------------
  function paintTasks() {
    const focused = sections.tasks.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    const all = lead.tasks ?? [];
    const open = all.filter((t) => !t.doneAt).sort((a, b) => (a.due < b.due ? -1 : 1));
    const done = all.filter((t) => t.doneAt).sort((a, b) => (a.doneAt < b.doneAt ? 1 : -1));
    const now = new Date();
    const item = (t) => el('li', { class: `lead-task${!t.doneAt && new Date(t.due) < now ? ' is-overdue' : ''}`, dataset: { task: t.id } },
      el('span', { class: 'lead-task-title' }, t.title),
      el('time', { class: 'lead-task-due', datetime: t.due, title: dateTime(t.due) }, t.doneAt ? `done ${daysAgo(t.doneAt)}` : dueLabel(t.due, now)),
      el('span', { class: 'lead-task-actions' },
        t.doneAt
          ? button('Reopen', () => changeTask(t, { done: false }, 'Reopened'), { class: 'btn btn-small btn-ghost', 'aria-label': `Reopen: ${t.title}` })
          : [button('Done', () => changeTask(t, { done: true }, 'Done'), { class: 'btn btn-small', 'aria-label': `Done: ${t.title}`, dataset: { action: 'done' } }),
            button('Snooze', () => snoozeTask(t), { class: 'btn btn-small btn-ghost', 'aria-label': `Snooze: ${t.title}`, dataset: { action: 'snooze' } })]));
    put(sections.tasks,
      el('div', { class: 'lead-card-head' },
        el('h2', { id: 'lead-tasks-h' }, 'Next steps ', el('span', { class: 'count' }, String(open.length))),
        el('span', { class: 'spacer' }),
        button('Add a task', addTask, { class: 'btn btn-small', dataset: { action: 'add-task' } })),
      open.length ? el('ul', { class: 'lead-list lead-task-list' }, ...open.map(item))
        : el('p', { class: 'muted lead-empty' }, 'No next step planned. Add one so it shows on Today when it is due.'),
      done.length ? el('details', { class: 'lead-tasks-done' }, el('summary', {}, `${done.length} done`),
        el('ul', { class: 'lead-list lead-task-list' }, ...done.slice(0, 20).map(item))) : null);
    if (focused) (sections.tasks.querySelector(`[data-action="${CSS.escape(focused)}"]`) ?? sections.tasks.querySelector('[data-action="add-task"]'))?.focus();
  }
  async function addTask() {
    const task = await askTask(fullName(lead));
    if (!task) return;
    try {
      await ctx.run(worker.setTask(lead.id, task), { success: `Task saved for ${dueLabel(task.due.toISOString())}` });
      await load();
    } catch { /* toasted */ }
  }
  async function changeTask(t, change, verb) {
    try {
      await ctx.run(worker.setTask(lead.id, { id: t.id, ...change }), { success: `${verb}: ${t.title}` });
      await load();
    } catch { /* toasted */ }
  }
  async function snoozeTask(t) {
    const base = new Date(Math.max(Date.now(), new Date(t.due).getTime()));
    const task = await askTask(fullName(lead), { title: t.title, due: tomorrowAt(new Date(t.due).getHours() || 9, base), heading: `Snooze: ${t.title}` });
    if (task) await changeTask(t, { title: task.title, due: task.due }, 'Snoozed');
  }
  async function enroll(key) {
    try {
      await ctx.run(worker.enroll(lead.id, key), { success: key ? `Enrolled in ${cadenceName(key)}` : 'Removed from the cadence' });
      await load();
    } catch { /* toasted */ }
  }

  // ---- stage history and events -----------------------------------------------------------------
  function paintHistory() {
    const history = [...(lead.history ?? [])].reverse();
    put(sections.history, el('h2', { id: 'lead-history-h' }, 'Stage history'),
      history.length
        ? el('ol', { class: 'lead-list lead-history-list' }, ...history.map((h) => el('li', {},
          el('span', { class: 'lead-move' }, stageBadge(h.from), el('span', { 'aria-label': 'to' }, ' → '), stageBadge(h.to)),
          h.reason ? el('span', {}, reasonLabel(h.to, h.reason)) : null,
          h.note ? el('span', { class: 'lead-note' }, h.note) : null,
          el('span', { class: 'muted' }, [h.actor, dateTime(h.at)].filter(Boolean).join(' · ')))))
        : el('p', { class: 'muted lead-empty' }, `Still in ${STAGE_LABEL[lead.stage] ?? lead.stage} since ${shortDate(lead.createdAt)}. Use “Move to…” above when the lead progresses.`));
  }
  function paintEvents() {
    const events = [...(lead.events ?? [])].sort((a, b) => (a.at < b.at ? 1 : -1));
    const item = (e) => el('li', {},
      el('span', { class: 'lead-event' }, EVENT_LABEL(e.type)),
      e.props && Object.keys(e.props).length ? el('span', { class: 'muted lead-props' }, Object.entries(e.props).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' · ')) : null,
      el('time', { class: 'muted', datetime: e.at, title: dateTime(e.at) }, dateTime(e.at)));
    const list = el('ol', { class: 'lead-list lead-timeline' }, ...events.slice(0, 25).map(item));
    const more = events.length > 25 ? button(`Show all ${events.length} events`, () => { put(list, ...events.map(item)); more.remove(); }, { class: 'btn btn-small btn-ghost' }) : null;
    put(sections.events, 
      el('div', { class: 'lead-card-head' }, el('h2', { id: 'lead-events-h' }, 'Activity ', el('span', { class: 'count' }, String(events.length)))),
      events.length ? list : el('p', { class: 'muted lead-empty' }, 'No tracked activity yet: page views, downloads and webinar visits appear here as they arrive.'),
      more);
  }

  async function removeLead() {
    const name = fullName(lead);
    if (!await confirmDialog(`Delete ${name}?`, 'The lead, its touches and its history are removed from this workspace. You can undo this from the message that follows.', { confirm: 'Delete', danger: true })) return;
    try {
      const { undo } = await ctx.run(worker.removeLeads([lead.id]));
      const id = lead.id;
      ctx.navigate('#/leads');
      toast(`Deleted ${name}`, { action: ['Undo', async () => { await ctx.run(worker.undo(undo), { success: 'Restored' }); ctx.navigate(`#/lead/${encodeURIComponent(id)}`); }] });
    } catch { /* toasted */ }
  }

  await load();
  // Opening a lead puts focus on its name, so a screen reader says whose page this is and Tab
  // goes on from the top of it.
  header.querySelector('h1')?.focus();
  return form.leave;

  // ---- the details form ------------------------------------------------------------------------
  function buildForm() {
    const inputs = {};
    const errors = {};
    const grid = el('div', { class: 'lead-fields' });
    for (const [key, label, kind, attrs] of FIELDS) {
      const id = `field-${key}`;
      const input = kind === 'select'
        ? el('select', { id, name: key, class: 'input', 'aria-describedby': `${id}-error`, ...attrs })
        : el('input', { type: kind === 'number' ? 'text' : kind, id, name: key, class: 'input', 'aria-describedby': `${id}-error`, ...attrs });
      if (kind === 'number') input.setAttribute('inputmode', attrs.inputmode);
      const error = el('span', { class: 'error', id: `${id}-error`, 'aria-live': 'polite' });
      inputs[key] = input;
      errors[key] = error;
      grid.append(el('label', { class: `field field-${key}`, for: id }, el('span', {}, label), input, error));
    }
    const notes = el('textarea', { class: 'input', id: 'field-notes', name: 'notes', rows: '4', 'aria-describedby': 'field-notes-error' });
    inputs.notes = notes;
    errors.notes = el('span', { class: 'error', id: 'field-notes-error', 'aria-live': 'polite' });
    const custom = el('div', { class: 'lead-custom' });
    const generalError = el('p', { class: 'field-error', role: 'alert', id: 'lead-form-error' });
    const save = el('button', { type: 'submit', class: 'btn btn-primary', id: 'lead-save' }, isNew ? 'Add lead' : 'Save changes');
    const revert = button('Discard changes', () => { fill(lead, { all: true }); markDirty(); }, { kind: 'ghost' });
    const saveState = el('span', { class: 'save-state', id: 'lead-save-state', role: 'status' });
    const otherSources = el('optgroup', { label: 'Other' });
    inputs.source.append(el('option', { value: '' }, 'Not set'),
      ...knownSources().map(([, label, keys]) => el('optgroup', { label }, ...[...keys].sort(byLabel).map((k) => el('option', { value: k }, sourceLabel(k))))));
    /** Keeps any source a lead has, known or not, selectable under "Other". */
    const addSource = (value) => {
      if (!value || [...inputs.source.options].some((o) => o.value === value)) return;
      const option = el('option', { value }, sourceLabel(value));
      const after = [...otherSources.children].find((o) => byLabel(o.value, value) > 0);
      otherSources.insertBefore(option, after ?? null);
      if (!otherSources.parentNode) inputs.source.append(otherSources);
    };
    worker.read('summary').then((s) => Object.keys(s.bySource ?? {}).forEach(addSource)).catch(() => {});
    const node = el('form', { class: 'card lead-form', 'aria-labelledby': 'lead-form-h', novalidate: true },
      el('div', { class: 'lead-card-head' }, el('h2', { id: 'lead-form-h' }, 'Details'), el('span', { class: 'spacer' }),
        isNew ? null : el('span', { class: 'muted' }, `Added ${shortDate(lead.createdAt)} · updated ${daysAgo(lead.updatedAt)}`)),
      grid,
      el('label', { class: 'field', for: 'field-notes' }, el('span', {}, 'Notes'), notes, errors.notes),
      custom, generalError,
      el('div', { class: 'lead-form-actions' }, save, revert, saveState));
    let snapshot = '';
    const fieldsOf = () => [...Object.values(inputs), ...custom.querySelectorAll('input')];
    const values = () => JSON.stringify(fieldsOf().map((i) => (i.type === 'checkbox' ? i.checked : i.value)));
    const dirty = () => values() !== snapshot;
    const markDirty = () => {
      const d = dirty();
      save.disabled = !d && !isNew;
      revert.hidden = !d || isNew;
      if (d && !isNew && saveState.dataset.state !== 'saving' && saveState.dataset.state !== 'error') showState('dirty');
      if (!d && (saveState.dataset.state === 'dirty' || saveState.dataset.state === 'error')) showState('');
    };
    function showState(state, message) {
      saveState.dataset.state = state;
      saveState.textContent = message ?? { dirty: 'Unsaved changes', saving: 'Saving…', saved: 'Saved', '': '' }[state];
    }

    // Edits save as they are made: a field when it is left (its change event), the notes after a
    // pause in typing, and anything still unsaved when the page is left. One save runs at a time.
    let timer = 0;
    let queue = Promise.resolve();
    const saveNow = (options = {}) => {
      clearTimeout(timer);
      queue = queue.then(() => saveOnce(options));
      return queue;
    };
    /** Resolves with 'saved', 'clean' (nothing to save), 'invalid' or 'failed'; never rejects. */
    async function saveOnce({ explicit = false, leaving = false } = {}) {
      if (isNew && !explicit) return dirty() ? 'invalid' : 'clean';
      if (!isNew && !dirty()) return 'clean';
      clearErrors();
      const next = collect({ focus: explicit });
      if (!next) { showState('error', 'Not saved: correct the field marked above'); return 'invalid'; }
      const sent = values();
      showState('saving');
      try {
        // The form's fields over the lead as stored now, not as last shown: a touch logged or a
        // move made since then must not be undone by saving the form.
        const view = isNew ? null : await worker.saveFields(lead.id, next, FORM_KEYS);
        const stored = view ? view.lead : await worker.saveLead(next);
        if (isNew) {
          toast(`Added ${fullName(stored)}`, { tone: 'success' });
          snapshot = sent;
          if (!leaving) ctx.navigate(`#/lead/${encodeURIComponent(stored.id)}`);
          return 'saved';
        }
        lead = stored;
        // What was typed while the save ran stays, and stays unsaved; the field being typed in
        // keeps its text as typed (a trailing space is not trimmed away under the cursor).
        if (values() === sent) fill(lead); else snapshot = sent;
        markDirty();
        showState(dirty() ? 'dirty' : 'saved');
        if (!disposed) show(view);
        return 'saved';
      } catch (error) {
        showState('error', `Not saved: ${error?.kind === 'conflict' || error?.kind === 'storage' ? describeError(error) : 'correct the field marked above'}`);
        showError(error, { focus: explicit });
        markDirty();
        return 'failed';
      }
    }
    node.addEventListener('input', (e) => {
      markDirty();
      if (!isNew && e.target === notes) { clearTimeout(timer); timer = setTimeout(saveNow, NOTES_PAUSE_MS); }
    });
    node.addEventListener('change', () => {
      if (isNew) return;
      // A field left for the Save button is saved by its click, which then says so.
      setTimeout(() => { if (document.activeElement !== save) saveNow(); });
    });
    node.addEventListener('submit', async (e) => {
      e.preventDefault();
      save.disabled = true;
      const result = await saveNow({ explicit: true });
      if (!isNew && (result === 'saved' || result === 'clean')) toast('Saved', { tone: 'success' });
      markDirty();
    });
    // A reload or a closed tab cannot wait for a save: the browser asks first while one is due.
    const beforeUnload = (e) => {
      if (!dirty() && saveState.dataset.state !== 'saving') return;
      saveNow();
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);

    /** The page's cleanup: saves what is unsaved, or keeps it as a draft and says so. */
    function leave() {
      disposed = true;
      window.removeEventListener('beforeunload', beforeUnload);
      if (!dirty() && saveState.dataset.state !== 'saving') return;
      const draft = fieldsOf().map((i) => [i.id, i.type === 'checkbox' ? i.checked : i.value]);
      const name = isNew ? 'The new lead' : `Your changes to ${fullName(lead)}`;
      const back = isNew ? '#/lead/new' : `#/lead/${encodeURIComponent(lead.id)}`;
      saveNow({ leaving: true }).then((result) => {
        if (result === 'saved' || result === 'clean') return;
        drafts.set(draftKey, draft);
        toast(`${name} ${isNew ? 'was not added' : 'were not saved'}; what you typed is kept until you go back to it.`,
          { tone: isNew ? undefined : 'error', action: ['Go back', () => ctx.navigate(back)] });
      });
    }
    /** Puts back what could not be saved when this page was last left, and says why again. */
    function restoreDraft() {
      const draft = drafts.get(draftKey);
      if (!draft) return;
      drafts.delete(draftKey);
      for (const [id, value] of draft) {
        const input = node.querySelector(`#${CSS.escape(id)}`);
        if (!input) continue;
        if (input.type === 'checkbox') input.checked = value; else input.value = value;
      }
      markDirty();
      if (!isNew) saveNow();
    }

    /** Shows a lead in the form; the field being typed in keeps its text unless `all`. */
    function fill(l, { all = false } = {}) {
      addSource(l.source);
      const set = (input, value) => { if (all || input !== document.activeElement) input.value = value; };
      for (const [key] of FIELDS) {
        const v = l[key];
        set(inputs[key], key === 'tags' ? (v ?? []).join(', ') : v == null ? '' : String(v));
      }
      set(inputs.notes, l.notes ?? '');
      const entries = Object.entries(l.custom ?? {});
      const shown = [...custom.querySelectorAll('input')];
      if (!all && shown.length && shown.length === entries.length && shown.every((i, n) => i.dataset.key === entries[n][0])) {
        // The same custom fields: their values change in place, so focus and the caret stay.
        shown.forEach((input, n) => {
          const v = entries[n][1];
          if (input.type === 'checkbox') input.checked = v === true; else set(input, v == null ? '' : String(v));
        });
        snapshot = values();
        markDirty();
        clearErrors();
        return;
      }
      put(custom, entries.length ? el('h3', {}, 'Custom fields') : null,
        el('div', { class: 'lead-fields' }, ...entries.map(([k, v], i) => {
          const id = `field-custom-${i}`;
          const input = typeof v === 'boolean'
            ? el('input', { type: 'checkbox', id, checked: v })
            : el('input', { type: 'text', class: 'input', id, value: v == null ? '' : String(v), 'aria-describedby': `${id}-error` });
          input.dataset.key = k;
          input.dataset.type = v == null ? 'null' : typeof v;
          errors[`custom.${k}`] = el('span', { class: 'error', id: `${id}-error`, 'aria-live': 'polite' });
          return el('label', { class: `field${typeof v === 'boolean' ? ' field-check' : ''}`, for: id }, el('span', {}, k), input, errors[`custom.${k}`]);
        })));
      snapshot = values();
      markDirty();
      clearErrors();
    }

    /** `stored` with the fields this form edits taken from `next` (a collect() result). */
    function collect({ focus = true } = {}) {
      const next = isNew ? {} : { ...lead };
      delete next.direction;  // derived from source
      let bad = false;
      for (const [key] of FIELDS) {
        const raw = inputs[key].value.trim();
        if (key === 'tags') { next.tags = [...new Set(raw.split(',').map((t) => t.trim()).filter(Boolean))]; continue; }
        if (!raw) { delete next[key]; continue; }
        if (isNumeric(key)) {
          const n = Number(raw.replace(/[,\s]/g, ''));
          if (!Number.isFinite(n)) { setError(key, 'Enter a number, such as 1200.'); bad = true; continue; }
          next[key] = n;
        } else {
          next[key] = key === 'currency' ? raw.toUpperCase() : raw;
        }
      }
      const notes = inputs.notes.value.trim();
      if (notes) next.notes = notes; else delete next.notes;
      const customOut = {};
      for (const input of custom.querySelectorAll('input')) {
        const { key, type } = input.dataset;
        if (type === 'boolean') customOut[key] = input.checked;
        else if (type === 'number') {
          const n = Number(input.value.trim());
          if (input.value.trim() === '') customOut[key] = null;
          else if (!Number.isFinite(n)) { setError(`custom.${key}`, 'Enter a number.'); bad = true; } else customOut[key] = n;
        } else customOut[key] = input.value.trim() === '' && type === 'null' ? null : input.value;
      }
      next.custom = customOut;
      if (bad) { if (focus) focusFirstError(); return null; }
      return next;
    }

    function setError(key, message) {
      const input = inputs[key] ?? custom.querySelector(`[data-key="${CSS.escape(key.replace(/^custom\./, ''))}"]`);
      const box = errors[key];
      if (!box) return false;
      box.textContent = message;
      input?.setAttribute('aria-invalid', 'true');
      return true;
    }
    function clearErrors() {
      for (const box of Object.values(errors)) box.textContent = '';
      for (const input of node.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
      generalError.textContent = '';
    }
    function focusFirstError() { node.querySelector('[aria-invalid="true"]')?.focus(); }
    function showError(error, { focus = true } = {}) {
      const path = String(error?.where?.path ?? '').replace(/^lead\./, '').replace(/\[\d+\]$/, '');
      if (error?.kind === 'conflict' || error?.kind === 'storage') { ctx.run(Promise.reject(error)).catch(() => {}); return; }
      if (path && setError(path, error.message)) { if (focus) focusFirstError(); return; }
      generalError.textContent = describeError(error);
    }

    return { node, inputs, fill, dirty, leave, restoreDraft };
  }

  function backLink() {
    return el('nav', { class: 'lead-back', 'aria-label': 'Breadcrumb' }, el('a', { href: '#/leads' }, '← Leads'));
  }
}
