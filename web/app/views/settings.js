// Settings: the scoring model (ideal customer profile, engagement, weights and thresholds, rules)
// and the pipeline (stage guards, reason lists). Every edit of the model is checked by the engine
// as a what-if run over the whole workspace before it can be saved; a refused save changes nothing.
import { CATALOG, CLOSED_STAGES, GRADES, STAGES, STAGE_LABEL, button, describeError, el, gradeBadge, number, pageHeader, stageBadge, stateBox } from '../ui.js';
import { CHANNEL_LABEL, OUTCOME_LABEL } from '../moves.js';

export const title = 'Settings';

const TABS = [
  ['profile', 'Ideal customer profile', 'Who fits: the criteria behind the fit score and grade', 'Ideal customer profile'],
  ['engagement', 'Engagement, weights & thresholds', 'What they did, how fast it fades, and where MQL and SQL start', 'Engagement & weights'],
  ['rules', 'Rules', 'Anything else, in the rule language', 'Rules'],
  ['pipeline', 'Stage guards & reasons', 'What a lead needs to enter each stage, and why leads are let go', 'Stage guards & reasons'],
];
const MODEL_TABS = new Set(['profile', 'engagement', 'rules']);
// The engine's lists (ui.js CATALOG, filled at start): default event types, rule-language fields
// and which are numeric, decay kinds and stage guards with their labels and value kinds.
const isDefaultEvent = (type) => CATALOG.events.some((e) => e.type === type);
const ruleFields = () => CATALOG.ruleFields.map((f) => f.name);
const isNumericField = (name) => CATALOG.ruleFields.some((f) => f.name === name && f.numeric);
const KINDS = [['in', 'Field is one of'], ['hasAny', 'Field has any word'], ['equals', 'Field equals'], ['range', 'Field between'], ['when', 'Condition']];
const decays = () => CATALOG.decayKinds.map((d) => [d.kind, d.label]);
const guards = () => CATALOG.guards.map((g) => [g.name, g.label, g.kind]);
const REASON_KEY = /^[a-z][a-z0-9_]*$/;
const RULES_HELP = `limit 60                                   # the most all rules together add or take
group "Behaviour" limit 30 {
  rule "Hot this week" when count(events, "page_view", 7d) >= 5 then +10
  rule "Replied" when count(touches, "replied", 30d) >= 1 then +15
}
rule "Decision maker" when title has_any ["vp", "head", "chief"] then +25
rule "Student address" when email ends_with ".edu" then -30
rule "Gone quiet" when days_since(events) > 60 then -10`;

const clone = (v) => JSON.parse(JSON.stringify(v));
const isNum = (v) => v != null && v !== '' && Number.isFinite(Number(v));

// ---- the model as an editable draft, and back ------------------------------------------------
function fromModel(m) {
  const decay = m.engagement?.decay ?? { kind: 'halfLife', days: 30 };
  return {
    name: m.name ?? '',
    rules: m.rules ?? '',
    startGrade: m.profile?.startGrade ?? 'D',
    criteria: (m.profile?.criteria ?? []).map((c) => ({
      label: c.label ?? '', points: c.points ?? 0, grade: c.grade ?? null,
      kind: c.when != null ? 'when' : c.in ? 'in' : c.hasAny ? 'hasAny' : c.equals != null ? 'equals' : 'range',
      field: c.field ?? '', list: (c.in ?? c.hasAny ?? []).join(', '), equals: c.equals == null ? '' : String(c.equals),
      min: c.min ?? null, max: c.max ?? null, when: c.when ?? '',
    })),
    touches: Object.entries(m.engagement?.touches ?? {}).map(([key, t]) => ({ key, points: t.points ?? 0, cap: t.cap ?? null, repeat: t.repeat ?? 0 })),
    events: Object.entries(m.engagement?.events ?? {}).map(([type, e]) => ({ type, points: e.points ?? 0, cap: e.cap ?? null, repeat: e.repeat ?? 0, builtIn: isDefaultEvent(type) })),
    decay: { kind: decay.kind, days: decay.days ?? 30, steps: clone(decay.steps ?? [{ days: 7, factor: 1 }, { days: 30, factor: 0.5 }]) },
    fullScoreAt: m.engagement?.fullScoreAt ?? 100,
    weights: { fit: m.weights?.fit ?? 0.5, engagement: m.weights?.engagement ?? 0.5 },
    thresholds: { mql: m.thresholds?.mql?.total ?? 50, sql: m.thresholds?.sql?.total ?? 75, sqlFit: m.thresholds?.sql?.fit ?? 50 },
    matrix: { fit: [...(m.matrix?.fit ?? [70, 40])], engagement: [...(m.matrix?.engagement ?? [60, 30])] },
  };
}

/** "call.connected" → "Call: connected"; "replied" → "Any channel: replied". */
const touchRuleLabel = (key) => {
  const [a, b] = String(key).split('.');
  return b === undefined ? `Any channel: ${OUTCOME_LABEL[a] ?? a}` : `${CHANNEL_LABEL[a] ?? a}: ${OUTCOME_LABEL[b] ?? b}`;
};

/** The model document for a draft, and the problems the page can see without the engine. */
function toModel(d) {
  const problems = [];
  const need = (value, path, what) => {
    if (value == null || !Number.isFinite(value)) problems.push({ path, message: `${what}: enter a number` });
    return value;
  };
  const criteria = d.criteria.map((r, i) => {
    const path = `model.profile.criteria[${i}]`;
    if (!r.label.trim()) problems.push({ path: `${path}.label`, message: `criterion ${i + 1} needs a label` });
    const c = { label: r.label.trim(), points: need(r.points, `${path}.points`, `criterion ${i + 1} points`) };
    if (r.grade != null) c.grade = r.grade;
    if (r.kind === 'when') {
      if (!r.when.trim()) problems.push({ path: `${path}.when`, message: `criterion ${i + 1} needs a condition` });
      c.when = r.when;
      return c;
    }
    c.field = r.field.trim();
    if (!c.field) problems.push({ path: `${path}.field`, message: `criterion ${i + 1} needs a field` });
    const numeric = isNumericField(c.field);
    if (r.kind === 'in' || r.kind === 'hasAny') {
      const items = r.list.split(',').map((s) => s.trim()).filter(Boolean);
      if (!items.length) problems.push({ path: `${path}.${r.kind}`, message: `criterion ${i + 1} needs at least one value` });
      c[r.kind] = r.kind === 'in' && numeric ? items.map((s) => (isNum(s) ? Number(s) : s)) : items;
    } else if (r.kind === 'equals') {
      c.equals = numeric && isNum(r.equals) ? Number(r.equals) : r.equals;
    } else {
      if (r.min == null && r.max == null) problems.push({ path: `${path}.min`, message: `criterion ${i + 1} needs a minimum or a maximum` });
      if (r.min != null) c.min = r.min;
      if (r.max != null) c.max = r.max;
    }
    return c;
  });
  const events = {};
  d.events.forEach((e, i) => {
    const type = e.type.trim();
    const path = `model.engagement.events.${type || i}`;
    if (!type) problems.push({ path: `model.engagement.events.${i}.type`, message: `event row ${i + 1} needs a type` });
    else if (events[type]) problems.push({ path: `${path}.type`, message: `event type "${type}" is listed twice` });
    events[type] = { points: need(e.points, `${path}.points`, `${type} points`), repeat: need(e.repeat, `${path}.repeat`, `${type} repeat`) };
    if (e.cap != null) events[type].cap = e.cap;
  });
  const touches = {};
  d.touches.forEach((t) => {
    const path = `model.engagement.touches.${t.key}`;
    if (touches[t.key]) problems.push({ path, message: `${touchRuleLabel(t.key)} is listed twice` });
    touches[t.key] = { points: need(t.points, `${path}.points`, `${touchRuleLabel(t.key)} points`), repeat: need(t.repeat, `${path}.repeat`, `${touchRuleLabel(t.key)} repeat`) };
    if (t.cap != null) touches[t.key].cap = t.cap;
  });
  const decay = { kind: d.decay.kind };
  if (decay.kind === 'halfLife' || decay.kind === 'linear') decay.days = need(d.decay.days, 'model.engagement.decay.days', 'decay days');
  if (decay.kind === 'steps') {
    decay.steps = d.decay.steps.map((s, i) => ({
      days: need(s.days, `model.engagement.decay.steps[${i}].days`, `step ${i + 1} days`),
      factor: need(s.factor, `model.engagement.decay.steps[${i}].factor`, `step ${i + 1} factor`),
    }));
  }
  const model = {
    version: 1,
    rules: d.rules,
    profile: { startGrade: d.startGrade, criteria },
    engagement: { events, touches, decay, fullScoreAt: need(d.fullScoreAt, 'model.engagement.fullScoreAt', 'full score at') },
    weights: { fit: need(d.weights.fit, 'model.weights.fit', 'fit weight'), engagement: need(d.weights.engagement, 'model.weights.engagement', 'engagement weight') },
    thresholds: {
      mql: { total: need(d.thresholds.mql, 'model.thresholds.mql.total', 'MQL score') },
      sql: { total: need(d.thresholds.sql, 'model.thresholds.sql.total', 'SQL score'), fit: need(d.thresholds.sqlFit, 'model.thresholds.sql.fit', 'SQL fit') },
    },
    matrix: {
      fit: d.matrix.fit.map((v, i) => need(v, `model.matrix.fit[${i}]`, 'matrix fit band')),
      engagement: d.matrix.engagement.map((v, i) => need(v, `model.matrix.engagement[${i}]`, 'matrix engagement band')),
    },
  };
  if (d.name) model.name = d.name;
  return { model, problems };
}

// ---- the screen -------------------------------------------------------------------------------
export async function mount(root, ctx, param) {
  const { worker } = ctx;
  const [savedModel, savedPipeline] = await Promise.all([worker.read('getScoringModel'), worker.read('getPipeline')]);
  let baseline = fromModel(savedModel);
  let baselineJson = JSON.stringify(toModel(baseline).model);
  let draft = clone(baseline);
  let pipeBase = clone(savedPipeline);
  let pipe = clone(savedPipeline);
  let tab = TABS.some(([k]) => k === param) ? param : 'profile';
  let timer = 0;
  let seq = 0;
  let modelState = { status: 'clean', error: null, result: null };  // clean | checking | invalid | valid
  let disposed = false;

  // ---- layout ----
  const tabButtons = TABS.map(([key, , , label]) => el('button', {
    type: 'button', role: 'tab', id: `settings-tab-${key}`, class: 'settings-tab', 'aria-controls': 'settings-panel',
    dataset: { tab: key }, onclick: () => select(key),
  }, el('span', {}, label), el('span', { class: 'settings-tab-dot', 'aria-hidden': 'true' })));
  const nav = el('div', { class: 'settings-nav', role: 'tablist', 'aria-orientation': 'vertical', 'aria-label': 'Settings sections' }, ...tabButtons);
  nav.addEventListener('keydown', (e) => {
    const i = TABS.findIndex(([k]) => k === tab);
    const next = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next == null) return;
    e.preventDefault();
    select(TABS[(next + TABS.length) % TABS.length][0]);
    tabButtons[TABS.findIndex(([k]) => k === tab)].focus();
  });
  const panel = el('section', { class: 'settings-panel', id: 'settings-panel', role: 'tabpanel' });
  const preview = el('aside', { class: 'settings-preview card', 'aria-label': 'What-if preview', id: 'whatif' });
  const layout = el('div', { class: 'settings-layout' }, nav, panel, preview);
  root.append(pageHeader('Settings', `Scoring model and pipeline of ${ctx.workspace?.name ?? 'this workspace'}`), layout);

  function select(key) {
    tab = key;
    history.replaceState(null, '', `#/settings/${key}`);
    paintTabs();
    paintPanel();
  }
  function paintTabs() {
    tabButtons.forEach((b, i) => {
      const on = TABS[i][0] === tab;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `settings-tab-${tab}`);
    layout.classList.toggle('is-pipeline', tab === 'pipeline');
    preview.hidden = tab === 'pipeline';
    const errorTab = modelState.error ? errorTabOf(modelState.error) : null;
    tabButtons.forEach((b, i) => b.classList.toggle('has-error', TABS[i][0] === errorTab));
  }

  function paintPanel() {
    const [, heading, sub] = TABS.find(([k]) => k === tab);
    const body = { profile: profileForm, engagement: engagementForm, rules: rulesForm, pipeline: pipelineForm }[tab]();
    panel.replaceChildren(el('div', { class: 'settings-panel-head' }, el('h2', {}, heading), el('p', { class: 'muted' }, sub)), ...body.filter(Boolean));
    markModelError();
  }

  // ---- bound inputs ----
  function numberInput(obj, key, label, path, { step = 'any', min, max, onChange = modelChanged, cls = '' } = {}) {
    const input = el('input', { type: 'number', class: `input settings-num ${cls}`, step, min, max, value: obj[key] ?? '', 'aria-label': label, dataset: { path } });
    input.addEventListener('input', () => { obj[key] = input.value === '' ? null : Number(input.value); onChange(); });
    return input;
  }
  function textInput(obj, key, label, path, { onChange = modelChanged, cls = '', placeholder, list } = {}) {
    const input = el('input', { type: 'text', class: `input ${cls}`, value: obj[key] ?? '', 'aria-label': label, placeholder, list, spellcheck: 'false', dataset: { path } });
    input.addEventListener('input', () => { obj[key] = input.value; onChange(); });
    return input;
  }
  function selectInput(obj, key, label, options, path, { onChange = modelChanged, rerender = false } = {}) {
    const s = el('select', { class: 'input', 'aria-label': label, dataset: { path } },
      ...options.map(([v, l]) => el('option', { value: v, selected: String(obj[key] ?? '') === String(v) }, l)));
    s.addEventListener('change', () => { obj[key] = s.value; onChange(); if (rerender) paintPanel(); });
    return s;
  }
  const labelled = (label, control, hint) => el('label', { class: 'field' }, el('span', {}, label), control, hint ? el('small', { class: 'muted' }, hint) : null);

  // ---- ICP ----
  function profileForm() {
    const fieldList = el('datalist', { id: 'settings-fields' }, ...ruleFields().map((f) => el('option', { value: f })));
    const rows = draft.criteria.map((r, i) => {
      const path = `model.profile.criteria[${i}]`;
      const what = r.label || `criterion ${i + 1}`;
      let value;
      if (r.kind === 'when') value = textInput(r, 'when', `${what}: condition`, `${path}.when`, { cls: 'settings-mono settings-grow', placeholder: 'employees >= 50 and country in ["DE", "FR"]' });
      else if (r.kind === 'range') value = el('div', { class: 'settings-range' }, numberInput(r, 'min', `${what}: minimum`, `${path}.min`), el('span', { class: 'muted' }, 'to'), numberInput(r, 'max', `${what}: maximum`, `${path}.max`));
      else if (r.kind === 'equals') value = textInput(r, 'equals', `${what}: value`, `${path}.equals`, { cls: 'settings-grow', placeholder: 'company' });
      else value = textInput(r, 'list', `${what}: values, separated by commas`, `${path}.${r.kind}`, { cls: 'settings-grow', placeholder: 'SaaS, Fintech' });
      const points = numberInput(r, 'points', `${what}: points`, `${path}.points`, { step: '1' });
      points.classList.add(r.points < 0 ? 'is-negative' : 'is-positive');
      points.classList.add('icp-points');
      const kind = selectInput(r, 'kind', `${what}: test`, KINDS, `${path}.kind`, { rerender: true });
      kind.classList.add('icp-kind');
      // Two lines: what the criterion is called and what it is worth, then the test it runs.
      return el('div', { class: 'icp-row', role: 'listitem', dataset: { path } },
        textInput(r, 'label', `Criterion ${i + 1} label`, `${path}.label`, { cls: 'icp-label', placeholder: 'Label, such as Target industry' }),
        kind,
        r.kind === 'when' ? null : textInput(r, 'field', `${what}: field`, `${path}.field`, { cls: 'icp-field settings-mono', list: 'settings-fields', placeholder: 'field' }),
        el('div', { class: r.kind === 'when' ? 'icp-value icp-when' : 'icp-value' }, value),
        points,
        numberInput(r, 'grade', `${what}: grade steps (thirds of a letter)`, `${path}.grade`, { step: '1', cls: 'icp-grade' }),
        el('button', { type: 'button', class: 'btn btn-ghost btn-small icp-remove', 'aria-label': `Remove ${what}`, onclick: () => { draft.criteria.splice(i, 1); paintPanel(); modelChanged(); } }, '×'));
    });
    const add = button('Add criterion', () => {
      draft.criteria.push({ label: '', points: 10, grade: null, kind: 'in', field: 'industry', list: '', equals: '', min: null, max: null, when: '' });
      paintPanel();
      panel.querySelector('.icp-row:last-child .icp-label')?.focus();
    }, { kind: 'secondary' });
    return [
      el('div', { class: 'settings-inline' },
        labelled('Start grade', selectInput(draft, 'startGrade', 'Start grade', GRADES.map((g) => [g, g]), 'model.profile.startGrade'), 'Every lead starts here; each matched criterion moves it'),
        el('p', { class: 'muted settings-note' }, 'Fit never decays. Positive points share 100; negative criteria subtract. Grade steps are thirds of a letter (+3 = a whole grade).')),
      el('div', { class: 'card settings-card' },
        el('div', { class: 'icp-row icp-head', 'aria-hidden': 'true' }, el('span', { class: 'icp-label' }, 'Criterion'), el('span', { class: 'icp-points num' }, 'Points'), el('span', { class: 'icp-grade num' }, 'Grade')),
        draft.criteria.length
          ? el('div', { role: 'list', 'aria-label': 'Profile criteria', class: 'icp-list' }, ...rows)
          : stateBox({ title: 'No profile criteria', body: 'Without criteria every lead has a fit of 0 and keeps the start grade. Add what your best customers have in common.' }),
        el('div', { class: 'settings-card-foot' }, add),
        fieldList),
    ];
  }

  // ---- engagement, weights, thresholds ----
  function engagementForm() {
    const rows = draft.events.map((e, i) => {
      const path = `model.engagement.events.${e.type || i}`;
      return el('tr', { dataset: { path } },
        el('td', {}, e.builtIn ? el('span', { class: 'settings-mono' }, e.type) : textInput(e, 'type', `Event type ${i + 1}`, `${path}.type`, { cls: 'settings-mono', placeholder: 'event_type' })),
        el('td', { class: 'num' }, numberInput(e, 'points', `${e.type || 'event'} points`, `${path}.points`, { step: '1' })),
        el('td', { class: 'num' }, numberInput(e, 'cap', `${e.type || 'event'} cap`, `${path}.cap`, { step: '1', min: 0 })),
        el('td', { class: 'num' }, numberInput(e, 'repeat', `${e.type || 'event'} counts only the most recent`, `${path}.repeat`, { step: '1', min: 0 })),
        el('td', {}, e.builtIn
          ? el('span', { class: 'muted settings-small' }, 'built in')
          : el('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Remove event type ${e.type}`, onclick: () => { draft.events.splice(i, 1); paintPanel(); modelChanged(); } }, '×')));
    });
    const decay = draft.decay;
    const decayDetail = decay.kind === 'steps'
      ? el('div', { class: 'settings-steps' },
        ...decay.steps.map((s, i) => el('div', { class: 'settings-inline', dataset: { path: `model.engagement.decay.steps[${i}]` } },
          el('span', { class: 'muted' }, `Up to`), numberInput(s, 'days', `Step ${i + 1}: up to days`, `model.engagement.decay.steps[${i}].days`, { step: '1', min: 0 }),
          el('span', { class: 'muted' }, 'days old counts ×'), numberInput(s, 'factor', `Step ${i + 1}: factor`, `model.engagement.decay.steps[${i}].factor`, { step: '0.05', min: 0, max: 1 }),
          el('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Remove step ${i + 1}`, onclick: () => { decay.steps.splice(i, 1); paintPanel(); modelChanged(); } }, '×'))),
        el('p', { class: 'muted settings-small' }, 'Older than the last step counts 0.'),
        button('Add step', () => { decay.steps.push({ days: (decay.steps.at(-1)?.days ?? 0) + 30, factor: 0.25 }); paintPanel(); modelChanged(); }, { class: 'btn btn-secondary btn-small' }))
      : decay.kind === 'none' ? el('p', { class: 'muted settings-small' }, 'Events count fully whatever their age.')
        : labelled(decay.kind === 'halfLife' ? 'Half-life (days)' : 'Fades to zero over (days)', numberInput(decay, 'days', 'Decay days', 'model.engagement.decay.days', { step: '1', min: 1 }));
    return [
      el('div', { class: 'grid-2' },
        el('div', { class: 'card settings-card' }, el('h3', {}, 'Decay'),
          el('div', { class: 'settings-inline' }, labelled('Kind', selectInput(decay, 'kind', 'Decay kind', decays(), 'model.engagement.decay.kind', { rerender: true })), decay.kind === 'steps' ? null : decayDetail),
          decay.kind === 'steps' ? decayDetail : null,
          labelled('Full engagement at (points)', numberInput(draft, 'fullScoreAt', 'Full engagement at points', 'model.engagement.fullScoreAt', { step: '1', min: 1 }), 'Decayed points over this give engagement 100')),
        el('div', { class: 'card settings-card' }, el('h3', {}, 'Weights and thresholds'),
          el('div', { class: 'settings-inline' },
            labelled('Fit weight', numberInput(draft.weights, 'fit', 'Fit weight', 'model.weights.fit', { step: '0.05', min: 0, max: 1 })),
            labelled('Engagement weight', numberInput(draft.weights, 'engagement', 'Engagement weight', 'model.weights.engagement', { step: '0.05', min: 0, max: 1 }))),
          el('div', { class: 'settings-inline' },
            labelled('MQL at score', numberInput(draft.thresholds, 'mql', 'MQL at score', 'model.thresholds.mql.total', { step: '1', min: 0, max: 100 })),
            labelled('SQL at score', numberInput(draft.thresholds, 'sql', 'SQL at score', 'model.thresholds.sql.total', { step: '1', min: 0, max: 100 })),
            labelled('and fit', numberInput(draft.thresholds, 'sqlFit', 'SQL needs fit of at least', 'model.thresholds.sql.fit', { step: '1', min: 0, max: 100 }))),
          el('div', { class: 'settings-inline' },
            labelled('Matrix A/B by fit', el('div', { class: 'settings-range' }, numberInput(draft.matrix.fit, 0, 'Matrix fit band A from', 'model.matrix.fit[0]', { step: '1' }), numberInput(draft.matrix.fit, 1, 'Matrix fit band B from', 'model.matrix.fit[1]', { step: '1' }))),
            labelled('1/2 by engagement', el('div', { class: 'settings-range' }, numberInput(draft.matrix.engagement, 0, 'Matrix engagement band 1 from', 'model.matrix.engagement[0]', { step: '1' }), numberInput(draft.matrix.engagement, 1, 'Matrix engagement band 2 from', 'model.matrix.engagement[1]', { step: '1' })))))),
      touchesCard(),
      el('div', { class: 'card settings-card' },
        el('h3', {}, 'Points per event'),
        el('p', { class: 'muted settings-small' }, 'Cap: the most one event type can add. Repeat: count only the most recent N (0 = all). Set points to 0 to ignore a built-in type.'),
        el('table', { class: 'settings-table' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Event type'), el('th', { scope: 'col', class: 'num' }, 'Points'), el('th', { scope: 'col', class: 'num' }, 'Cap'), el('th', { scope: 'col', class: 'num' }, 'Repeat'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
          el('tbody', {}, ...rows)),
        el('div', { class: 'settings-card-foot' }, button('Add event type', () => {
          draft.events.push({ type: '', points: 5, cap: null, repeat: 0, builtIn: false });
          paintPanel();
          panel.querySelector('tbody tr:last-child input')?.focus();
        }))),
    ];
  }

  /** Points a consultant's touches earn, by outcome on any channel or by channel and outcome. */
  function touchesCard() {
    const rows = draft.touches.map((t, i) => {
      const path = `model.engagement.touches.${t.key}`;
      const name = touchRuleLabel(t.key);
      return el('tr', { dataset: { path } },
        el('td', {}, name),
        el('td', { class: 'num' }, numberInput(t, 'points', `${name} points`, `${path}.points`, { step: '1' })),
        el('td', { class: 'num' }, numberInput(t, 'cap', `${name} cap`, `${path}.cap`, { step: '1', min: 0 })),
        el('td', { class: 'num' }, numberInput(t, 'repeat', `${name} counts only the most recent`, `${path}.repeat`, { step: '1', min: 0 })),
        el('td', {}, el('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Stop counting ${name} (points 0)`, title: 'Set its points to 0',
          onclick: () => { t.points = 0; paintPanel(); modelChanged(); } }, '×')));
    });
    const channel = el('select', { class: 'input', 'aria-label': 'Channel of a new touch rule' },
      el('option', { value: '' }, 'Any channel'), ...Object.entries(CHANNEL_LABEL).map(([v, l]) => el('option', { value: v }, l)));
    const outcome = el('select', { class: 'input', 'aria-label': 'Outcome of a new touch rule' },
      ...Object.entries(OUTCOME_LABEL).map(([v, l]) => el('option', { value: v }, l)));
    return el('div', { class: 'card settings-card' },
      el('h3', {}, 'Points per touch'),
      el('p', { class: 'muted settings-small' }, 'What calls, e-mails and meetings you log add to engagement. A channel\'s own line wins over "Any channel". They fade like events.'),
      el('table', { class: 'settings-table' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Touch'), el('th', { scope: 'col', class: 'num' }, 'Points'), el('th', { scope: 'col', class: 'num' }, 'Cap'), el('th', { scope: 'col', class: 'num' }, 'Repeat'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Actions')))),
        el('tbody', {}, ...rows)),
      el('div', { class: 'settings-card-foot settings-inline' }, channel, outcome, button('Add touch rule', () => {
        const key = channel.value ? `${channel.value}.${outcome.value}` : outcome.value;
        if (!draft.touches.some((t) => t.key === key)) draft.touches.push({ key, points: 10, cap: null, repeat: 0 });
        paintPanel();
        modelChanged();
        panel.querySelector(`[data-path="model.engagement.touches.${CSS.escape(key)}"] input`)?.focus();
      })));
  }

  // ---- rules ----
  let rulesText = null;
  let rulesGutter = null;
  let rulesError = null;
  function rulesForm() {
    rulesText = el('textarea', {
      class: 'rules-text', id: 'rules-text', spellcheck: 'false', autocomplete: 'off', wrap: 'off',
      'aria-label': 'Rules', 'aria-describedby': 'rules-error', rows: '18',
      placeholder: 'rule "Decision maker" when title has_any ["vp", "head"] then +25',
    });
    rulesText.value = draft.rules;
    rulesGutter = el('div', { class: 'rules-gutter', 'aria-hidden': 'true' });
    rulesError = el('div', { class: 'rules-error', id: 'rules-error', 'aria-live': 'polite' });
    rulesText.addEventListener('input', () => { draft.rules = rulesText.value; paintGutter(); modelChanged(); });
    rulesText.addEventListener('scroll', () => { rulesGutter.scrollTop = rulesText.scrollTop; });
    rulesText.addEventListener('keydown', (e) => {
      if (e.key === 's' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveModel(); }
    });
    paintGutter();
    return [
      el('div', { class: 'rules-editor' }, rulesGutter, rulesText),
      rulesError,
      el('details', { class: 'rules-help' }, el('summary', {}, 'Rule language at a glance'),
        el('pre', { class: 'settings-mono' }, RULES_HELP),
        el('p', { class: 'muted settings-small' }, 'Conditions: == != < <= > >=, in [..], has_any [..], contains, starts_with, ends_with, and / or / not. Aggregates: count, sum, days_since over events or touches with windows like 7d, 24h, 2w. Comments start with # or //. Ctrl+S saves.')),
    ];
  }
  function paintGutter() {
    if (!rulesGutter) return;
    const lines = Math.max(1, rulesText.value.split('\n').length);
    const errLine = modelState.error?.where?.line;
    rulesGutter.replaceChildren(...Array.from({ length: lines }, (_, i) => el('div', { class: i + 1 === errLine ? 'is-error' : '' }, String(i + 1))));
    rulesGutter.scrollTop = rulesText.scrollTop;
  }
  function paintRulesError() {
    if (!rulesError || !rulesError.isConnected) return;
    const error = modelState.error;
    const where = error?.where;
    rulesText.setAttribute('aria-invalid', String(Boolean(where?.line)));
    paintGutter();
    if (!where?.line) { rulesError.replaceChildren(); rulesError.classList.remove('is-shown'); return; }
    const line = where.line;
    const column = Math.max(1, where.column ?? 1);
    const source = (draft.rules.split('\n')[line - 1] ?? '').replaceAll('\t', ' ');
    const message = /^line \d+/.test(error.message) ? error.message : `line ${line}, column ${column}: ${error.message}`;
    const gutter = `${String(line).padStart(3)} │ `;
    rulesError.classList.add('is-shown');
    rulesError.replaceChildren(
      el('p', { class: 'rules-error-message' }, el('strong', {}, `Line ${line}, column ${column}`), ` — ${message.replace(/^line \d+(, column \d+)?: /, '')}`),
      el('pre', { class: 'rules-excerpt', 'aria-label': `Line ${line} with the error position marked` },
        el('span', { class: 'muted' }, gutter), source, '\n', ' '.repeat(gutter.length + column - 1), el('span', { class: 'rules-caret' }, '^')),
      el('button', { type: 'button', class: 'link', onclick: () => goTo(line, column) }, `Go to line ${line}, column ${column}`));
  }
  function goTo(line, column) {
    const lines = rulesText.value.split('\n');
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += column - 1;
    const token = /^[\w."]+|^./.exec(rulesText.value.slice(at))?.[0] ?? '';
    rulesText.focus();
    rulesText.setSelectionRange(at, at + Math.max(1, token.length));
  }

  // ---- pipeline: guards and reasons ----
  let pipeError = null;
  function pipelineForm() {
    pipe.guards ??= {};
    pipe.reasons ??= { lost: [], disqualified: [] };
    const guardRows = STAGES.filter(([s]) => s !== 'new').map(([stage]) => {
      const g = (pipe.guards[stage] ??= {});
      const path = `guards.${stage}`;
      return el('tr', {},
        el('th', { scope: 'row' }, stageBadge(stage)),
        ...guards().map(([key, label, type]) => {
          const p = `${path}.${key}`;
          const aria = `${STAGE_LABEL[stage]}: ${label.replace('≥', 'at least')}`;
          if (type === 'bool') {
            const box = el('input', { type: 'checkbox', checked: Boolean(g[key]), 'aria-label': aria, dataset: { path: p } });
            box.addEventListener('change', () => { if (box.checked) g[key] = true; else delete g[key]; pipeChanged(); });
            return el('td', { class: 'center' }, box);
          }
          if (type === 'grade') {
            const s = el('select', { class: 'input', 'aria-label': aria, dataset: { path: p } }, el('option', { value: '' }, '—'), ...GRADES.map((x) => el('option', { value: x, selected: g[key] === x }, x)));
            s.addEventListener('change', () => { if (s.value) g[key] = s.value; else delete g[key]; pipeChanged(); });
            return el('td', {}, s);
          }
          const input = el('input', { type: 'number', class: 'input settings-num', step: '1', min: 0, value: g[key] ?? '', placeholder: '—', 'aria-label': aria, dataset: { path: p } });
          input.addEventListener('input', () => { if (input.value === '') delete g[key]; else g[key] = Number(input.value); pipeChanged(); });
          return el('td', { class: 'num' }, input);
        }));
    });
    const reasonList = (kind, heading) => {
      const list = pipe.reasons[kind] ??= [];
      return el('div', { class: 'card settings-card' },
        el('h3', {}, heading),
        list.length ? el('div', { role: 'list', class: 'reason-list', 'aria-label': heading }, ...list.map((r, i) => {
          const path = `reasons.${kind}[${i}]`;
          return el('div', { role: 'listitem', class: 'reason-row', dataset: { path } },
            textInput(r, 'key', `${heading} reason ${i + 1} key`, `${path}.key`, { cls: 'settings-mono', onChange: pipeChanged, placeholder: 'no_budget' }),
            textInput(r, 'label', `${heading} reason ${i + 1} label`, `${path}.label`, { onChange: pipeChanged, placeholder: 'Label people see' }),
            el('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': `Remove ${heading.toLowerCase()} reason ${r.key || i + 1}`, onclick: () => { list.splice(i, 1); paintPanel(); pipeChanged(); } }, '×'));
        })) : el('p', { class: 'muted' }, 'No reasons: nobody could move a lead here. Add at least one.'),
        el('div', { class: 'settings-card-foot' }, button('Add reason', () => { list.push({ key: '', label: '' }); paintPanel(); panel.querySelector(`[data-path="reasons.${kind}[${list.length - 1}].key"]`)?.focus(); })));
    };
    pipeError = el('div', { class: 'settings-error', id: 'pipeline-error', 'aria-live': 'polite' });
    const dirty = JSON.stringify(pipe) !== JSON.stringify(pipeBase);
    return [
      el('div', { class: 'card settings-card' },
        el('h3', {}, 'Stage guards'),
        el('p', { class: 'muted settings-small' }, 'A move into a stage is refused unless the lead meets every guard set on its row. Leave a cell empty for no guard.'),
        el('div', { class: 'settings-table-wrap' }, el('table', { class: 'settings-table guards-table' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Enter'), ...guards().map(([, label, type]) => el('th', { scope: 'col', class: type === 'number' ? 'num' : type === 'bool' ? 'center' : '' }, label)))),
          el('tbody', {}, ...guardRows)))),
      el('div', { class: 'grid-2' }, reasonList('lost', 'Lost'), reasonList('disqualified', 'Disqualified')),
      pipeError,
      el('div', { class: 'settings-savebar' },
        el('span', { class: 'muted', id: 'pipeline-status' }, dirty ? 'Unsaved changes' : 'Saved'),
        button('Discard', () => { pipe = clone(pipeBase); paintPanel(); }, { disabled: !dirty, id: 'pipeline-discard' }),
        button('Save pipeline', savePipeline, { kind: 'primary', disabled: !dirty, id: 'pipeline-save' })),
    ];
  }
  function pipelineProblem() {
    for (const kind of CLOSED_STAGES) {
      const seen = new Set();
      for (const [i, r] of (pipe.reasons[kind] ?? []).entries()) {
        const path = `reasons.${kind}[${i}].key`;
        if (!REASON_KEY.test(r.key ?? '')) return { message: `expected a lowercase identifier such as "no_budget", got "${r.key ?? ''}"`, where: { path } };
        if (seen.has(r.key)) return { message: `the key "${r.key}" is listed twice`, where: { path } };
        seen.add(r.key);
      }
    }
    for (const [stage, g] of Object.entries(pipe.guards)) {
      for (const key of ['engagementAtLeast', 'scoreAtLeast', 'criteriaMetAtLeast']) {
        if (g[key] != null && !Number.isFinite(g[key])) return { message: 'enter a number', where: { path: `guards.${stage}.${key}` } };
      }
    }
    return null;
  }
  function pipeChanged() {
    const dirty = JSON.stringify(pipe) !== JSON.stringify(pipeBase);
    root.querySelector('#pipeline-status').textContent = dirty ? 'Unsaved changes' : 'Saved';
    root.querySelector('#pipeline-discard').disabled = !dirty;
    root.querySelector('#pipeline-save').disabled = !dirty;
    showPipeError(pipelineProblem());
  }
  function showPipeError(error) {
    for (const n of panel.querySelectorAll('[aria-invalid="true"]')) n.removeAttribute('aria-invalid');
    if (!error) { pipeError.replaceChildren(); return; }
    const path = error.where?.path;
    const target = path && panel.querySelector(`[data-path="${CSS.escape(path)}"]`);
    target?.setAttribute('aria-invalid', 'true');
    pipeError.replaceChildren(el('p', { role: 'alert' }, el('strong', {}, path ? `${path}: ` : 'Not saved: '), error.message));
  }
  async function savePipeline() {
    const problem = pipelineProblem();
    if (problem) { showPipeError(problem); panel.querySelector('[aria-invalid="true"]')?.focus(); return; }
    const settings = clone(pipe);
    for (const kind of CLOSED_STAGES) settings.reasons[kind] = settings.reasons[kind].map((r) => (r.label ? r : { key: r.key }));
    try {
      await worker.setPipeline(settings);
    } catch (error) {
      showPipeError(error);
      panel.querySelector('[aria-invalid="true"]')?.focus();
      if (error.kind === 'conflict' || error.kind === 'storage') await ctx.run(Promise.reject(error)).catch(() => {});
      return;
    }
    pipeBase = clone(await worker.read('getPipeline'));
    pipe = clone(pipeBase);
    paintPanel();
    ctx.run(Promise.resolve(), { success: 'Pipeline settings saved' });
  }

  // ---- model validation and the what-if preview ----
  function errorTabOf(error) {
    const where = error.where ?? {};
    if (where.line) return 'rules';
    const path = where.path ?? '';
    if (path.includes('profile')) return 'profile';
    if (path.includes('engagement') || path.includes('weights') || path.includes('thresholds') || path.includes('matrix')) return 'engagement';
    return null;
  }
  function markModelError() {
    if (tab === 'pipeline') return;
    for (const n of panel.querySelectorAll('[aria-invalid="true"], .is-invalid')) { n.removeAttribute('aria-invalid'); n.classList.remove('is-invalid'); }
    const path = modelState.error?.where?.path;
    if (path) {
      for (const n of panel.querySelectorAll('[data-path]')) {
        const p = n.dataset.path;
        if (p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)) {
          if (n.matches('input, select, textarea')) n.setAttribute('aria-invalid', 'true'); else n.classList.add('is-invalid');
        }
      }
    }
    if (tab === 'rules') paintRulesError();
  }
  function modelChanged() {
    clearTimeout(timer);
    modelState = { ...modelState, status: 'checking' };
    paintPreview();
    timer = setTimeout(validate, 250);
  }
  async function validate() {
    const mine = ++seq;
    const { model, problems } = toModel(draft);
    if (problems.length) {
      const [p] = problems;
      modelState = { status: 'invalid', error: { message: p.message, where: { path: p.path } }, result: null };
    } else if (JSON.stringify(model) === baselineJson) {
      modelState = { status: 'clean', error: null, result: null };
    } else {
      try {
        const result = await worker.read('whatIf', model);
        if (mine !== seq || disposed) return;
        modelState = { status: 'valid', error: null, result };
      } catch (error) {
        if (mine !== seq || disposed) return;
        modelState = { status: 'invalid', error, result: null };
      }
    }
    if (mine !== seq || disposed) return;
    paintTabs();
    markModelError();
    paintPreview();
  }

  const show = (...nodes) => preview.replaceChildren(...nodes.filter(Boolean));
  function paintPreview() {
    const { status, error, result } = modelState;
    const dirty = status !== 'clean';
    const bar = el('div', { class: 'settings-savebar' },
      el('span', { class: 'muted', id: 'model-status' }, { clean: 'No unsaved changes', checking: 'Checking…', invalid: 'Fix the error to save', valid: 'Unsaved changes' }[status]),
      button('Discard', discardModel, { disabled: !dirty, id: 'model-discard' }),
      button('Save model', saveModel, { kind: 'primary', disabled: status !== 'valid', id: 'model-save' }));
    const head = el('h2', {}, 'What-if preview');
    if (status === 'clean') {
      preview.replaceChildren(head, el('p', { class: 'muted whatif-empty' }, 'Change the profile, engagement or rules and this shows, before you save, how many leads change score, grade and stage.'), bar);
      return;
    }
    if (status === 'checking' && !modelState.result) {
      preview.replaceChildren(head, el('div', { class: 'whatif-busy' }, el('div', { class: 'spinner', 'aria-hidden': 'true' }), el('span', {}, 'Scoring every lead with the draft…')), bar);
      return;
    }
    if (status === 'invalid') {
      const where = error.where ?? {};
      const place = where.line ? `line ${where.line}, column ${where.column ?? 1}` : where.path ?? '';
      const on = errorTabOf(error);
      show(head,
        el('div', { class: 'whatif-error', role: 'alert', id: 'model-error' },
          el('strong', {}, 'This draft cannot be used yet'),
          el('p', {}, error.message ?? String(error)),
          place ? el('p', { class: 'muted' }, `Where: ${place}`) : null,
          on && on !== tab ? el('button', { type: 'button', class: 'link', onclick: () => select(on) }, `Show ${TABS.find(([k]) => k === on)[1]}`) : null),
        el('p', { class: 'muted settings-small' }, 'The saved model keeps scoring until this is fixed.'),
        bar);
      return;
    }
    const r = result;
    const moves = (key) => {
      const counts = new Map();
      for (const l of r.leads) {
        if (l.before[key] === l.after[key]) continue;
        const k = `${l.before[key]}→${l.after[key]}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => b[1] - a[1]);
    };
    const gradeMoves = moves('grade');
    const stageMoves = moves('stage');
    const ups = r.leads.filter((l) => l.after.total > l.before.total).length;
    const downs = r.leads.filter((l) => l.after.total < l.before.total).length;
    const moveList = (list, label) => el('ul', { class: 'whatif-moves' }, ...list.slice(0, 6).map(([k, n]) => {
      const [from, to] = k.split('→');
      return el('li', {}, `This change moves ${number(n)} ${n === 1 ? 'lead' : 'leads'} from `, label(from), ' to ', label(to));
    }), list.length > 6 ? el('li', { class: 'muted' }, `and ${list.length - 6} smaller moves`) : null);
    const examples = [...r.leads].sort((a, b) => Math.abs(b.after.total - b.before.total) - Math.abs(a.after.total - a.before.total)).slice(0, 5);
    const exampleList = el('ul', { class: 'whatif-examples', 'aria-label': 'Example leads' }, ...examples.map((l) => el('li', {},
      el('a', { href: `#/lead/${encodeURIComponent(l.id)}`, dataset: { id: l.id } }, l.id),
      el('span', { class: 'whatif-score' }, String(Math.round(l.before.total)), ' ', gradeBadge(l.before.grade), el('span', { class: 'muted' }, ' → '),
        el('strong', {}, String(Math.round(l.after.total))), ' ', gradeBadge(l.after.grade)))));
    show(head,
      status === 'checking' ? el('p', { class: 'muted settings-small' }, 'Updating…') : null,
      el('dl', { class: 'whatif-stats' },
        stat('Leads scored', r.scored), stat('Score changed', r.changed), stat('Grade changed', r.gradeChanged), stat('Stage changed', r.stageChanged)),
      r.changed === 0 ? el('p', { class: 'muted' }, 'No lead’s score changes with this draft.') : null,
      ups || downs ? el('p', { class: 'settings-small' }, `Scores go up for ${number(ups)} and down for ${number(downs)}${r.truncated ? ' of the leads listed' : ''}.`) : null,
      gradeMoves.length ? el('div', {}, el('h3', {}, 'Grades'), moveList(gradeMoves, (g) => gradeBadge(g))) : null,
      stageMoves.length ? el('div', {}, el('h3', {}, 'Stages'), moveList(stageMoves, (s) => stageBadge(s))) : null,
      r.truncated ? el('p', { class: 'muted settings-small' }, `Only the first ${number(r.leads.length)} changed leads are listed, so the moves above count those; the totals cover all ${number(r.scored)}.`) : null,
      examples.length ? el('div', {}, el('h3', {}, 'Biggest changes'), exampleList) : null,
      bar);
    fillNames(exampleList, examples);
  }
  async function fillNames(list, examples) {
    const leads = await Promise.all(examples.map((l) => worker.read('getLead', l.id).catch(() => null)));
    leads.forEach((lead, i) => {
      const a = list.querySelector(`a[data-id="${CSS.escape(examples[i].id)}"]`);
      if (a && lead) a.textContent = [lead.firstName, lead.lastName].filter(Boolean).join(' ') || lead.email || lead.company || lead.id;
    });
  }
  const stat = (label, value) => el('div', {}, el('dt', {}, label), el('dd', {}, number(value)));

  async function saveModel() {
    clearTimeout(timer);
    if (modelState.status !== 'valid') await validate();
    if (modelState.status !== 'valid') return;
    const { model } = toModel(draft);
    const save = root.querySelector('#model-save');
    if (save) save.disabled = true;
    try {
      await ctx.run(worker.setScoringModel(model), { success: 'Scoring model saved; every lead is scored with it now' });
    } catch (error) {
      if (error.kind === 'input') { modelState = { status: 'invalid', error, result: null }; paintTabs(); markModelError(); paintPreview(); }
      else if (save) save.disabled = false;
      return;
    }
    const fresh = await worker.read('getScoringModel');
    baseline = fromModel(fresh);
    baselineJson = JSON.stringify(toModel(baseline).model);
    draft = clone(baseline);
    modelState = { status: 'clean', error: null, result: null };
    paintTabs();
    paintPanel();
    paintPreview();
  }
  function discardModel() {
    clearTimeout(timer);
    seq++;
    draft = clone(baseline);
    modelState = { status: 'clean', error: null, result: null };
    paintTabs();
    paintPanel();
    paintPreview();
  }

  paintTabs();
  paintPanel();
  paintPreview();
  return () => { disposed = true; clearTimeout(timer); };
}
