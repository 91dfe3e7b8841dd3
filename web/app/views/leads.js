// Leads: a virtualised table over the whole workspace. Only the rows in view exist in the DOM;
// pages of rows are fetched from the worker as the user scrolls, so 100k leads scroll as 100 do.
import {
  GRADES, STAGES, STAGE_LABEL, button, compactMoney, confirmDialog, daysAgo, describeError, directionLabel, el,
  fullName, gradeBadge, lastTouch, money, pageHeader, shortDate, sourceLabel, stageBadge, stateBox, text, toast, twoLine,
} from '../ui.js';

export const title = 'Leads';

const ROW = 44;        // px; fixed so the scroll position maps straight to a row index
const PAGE = 100;      // rows per fetch
const OVERSCAN = 8;

// key, heading, sort field (null: not sortable), numeric?, cell
const COLUMNS = [
  ['lead', 'Lead', 'lastName', false, (l) => twoLine(fullName(l), l.email ?? '')],
  ['company', 'Company', 'company', false, (l) => twoLine(l.company ?? '—', [l.industry, l.country].filter(Boolean).join(' · '))],
  ['score', 'Score', 'score', true, (l) => scoreCell(l)],
  ['stage', 'Stage', 'stage', false, (l) => stageBadge(l.stage, l.stageReason)],
  ['source', 'Source', 'source', false, (l) => twoLine(sourceLabel(l.source), directionLabel(l.direction), 'dir-' + l.direction)],
  ['value', 'Deal value', 'dealValue', true, (l) => text(l.dealValue == null ? '—' : money(l.dealValue, l.currency))],
  ['touches', 'Touches', 'touchCount', true, (l) => text(String(l.touches?.length ?? 0))],
  ['lastTouch', 'Last touch', 'lastTouchAt', true, (l) => text(daysAgo(lastTouch(l)))],
  ['created', 'Created', 'createdAt', true, (l) => text(shortDate(l.createdAt), 'muted')],
];

function scoreCell(l) {
  const s = l.score;
  if (!s) return text('—', 'muted');
  return el('span', { class: 'score-cell' }, el('span', { class: 'score-num' }, String(Math.round(s.total))), gradeBadge(s.grade));
}

export async function mount(root, ctx) {
  const { worker } = ctx;
  const state = {
    search: '', stage: '', grade: '', source: '', direction: '', tag: '',
    sort: { field: 'createdAt', order: 'desc' }, total: 0,
    pages: new Map(), pending: new Set(), selected: new Set(), generation: 0, focusIndex: -1,
  };
  let disposed = false;

  // ---- layout ----
  const search = el('input', { type: 'search', class: 'input search-input', placeholder: 'Search name, company or e-mail', autocomplete: 'off', spellcheck: 'false', 'aria-label': 'Search leads', 'data-search': '' });
  const stageSelect = select('Stage', [['', 'All stages'], ...STAGES]);
  const gradeSelect = select('Grade', [['', 'All grades'], ['A', 'A (A+, A, A−)'], ['B', 'B'], ['C', 'C'], ['D', 'D'], ['F', 'F']]);
  const sourceSelect = select('Source', [['', 'All sources']]);
  const directionSelect = select('Direction', [['', 'Inbound and outbound'], ['inbound', 'Inbound'], ['outbound', 'Outbound']]);
  const tagSelect = select('Tag', [['', 'Any tag']]);
  const clear = el('button', { type: 'button', class: 'link', hidden: true, onclick: clearFilters }, 'Clear filters');
  const count = el('div', { class: 'result-count', 'aria-live': 'polite' });
  const stages = el('section', { class: 'stages', 'aria-label': 'Leads by lifecycle stage' });

  const bulkStage = el('select', { class: 'input', 'aria-label': 'Move selected leads to stage' }, el('option', { value: '' }, 'Move to stage…'), ...STAGES.map(([v, l]) => el('option', { value: v }, l)));
  const bulkTag = el('input', { type: 'text', class: 'input', placeholder: 'Tag', 'aria-label': 'Tag to add or remove', maxlength: '40', size: '10' });
  const bulkInfo = el('span', { class: 'bulk-count' });
  const bulkBar = el('div', { class: 'bulk-bar', role: 'region', 'aria-label': 'Bulk actions', hidden: true },
    bulkInfo, bulkStage,
    el('div', { class: 'bulk-tag' }, bulkTag, button('Add tag', () => bulkTags('addTag')), button('Remove tag', () => bulkTags('removeTag'))),
    button('Delete', bulkDelete, { kind: 'danger' }),
    el('button', { type: 'button', class: 'link', onclick: () => { state.selected.clear(); paint(); } }, 'Clear selection'));
  bulkStage.addEventListener('change', () => { if (bulkStage.value) bulkMove(bulkStage.value); });

  const headRow = el('div', { class: 'vrow vhead', role: 'row' });
  const spacer = el('div', { class: 'vspacer', role: 'rowgroup' });
  const body = el('div', { class: 'vbody' });
  // The scroller itself is the ARIA table (it is what takes focus), so rows are its direct
  // descendants in the accessibility tree; the wrapper only clips.
  const scroller = el('div', { class: 'vscroll', tabindex: '-1', role: 'table', 'aria-rowcount': '0' }, headRow, spacer);
  spacer.append(body);
  const table = el('div', { class: 'vtable' }, scroller);
  const empty = el('div', { class: 'vempty', hidden: true });

  root.append(
    pageHeader('Leads', `${ctx.workspace?.name ?? ''}`,
      button('Add lead', () => ctx.navigate('#/lead/new'), { kind: 'primary' }),
      button('Import CSV', () => ctx.navigate('#/import')),
      button('Export CSV', exportCsv)),
    stages,
    el('section', { class: 'toolbar', 'aria-label': 'Filters' },
      el('label', { class: 'search' }, search, el('kbd', { 'aria-hidden': 'true' }, '/')),
      stageSelect.label, gradeSelect.label, sourceSelect.label, directionSelect.label, tagSelect.label, clear, count),
    bulkBar,
    el('section', { class: 'table-card' }, table, empty));

  // ---- data ----
  function filter() {
    const f = {};
    if (state.stage) f.stage = state.stage;
    if (state.grade) f.grade = GRADES.filter((g) => g[0] === state.grade);
    if (state.source) f.source = state.source;
    if (state.direction) f.direction = state.direction;
    if (state.tag) f.tags = [state.tag];
    return f;
  }
  const queryBase = () => ({ filter: filter(), search: state.search || undefined, sort: state.sort });

  async function reload() {
    const mine = ++state.generation;
    state.pages.clear();
    state.pending.clear();
    const [first, summary] = await Promise.all([
      worker.read('query', { ...queryBase(), offset: 0, limit: PAGE }),
      worker.read('summary', { filter: { ...filter(), stage: undefined }, search: state.search || undefined }),
    ]);
    if (mine !== state.generation || disposed) return;
    state.total = first.total;
    state.pages.set(0, first.rows);
    renderStages(summary);
    renderHead();
    spacer.style.height = `${state.total * ROW}px`;
    scroller.setAttribute('aria-rowcount', String(state.total + 1));
    const filtered = Object.keys(filter()).length > 0 || !!state.search;
    clear.hidden = !filtered;
    count.textContent = `${state.total.toLocaleString('en-US')} lead${state.total === 1 ? '' : 's'}`;
    empty.hidden = state.total > 0;
    table.hidden = state.total === 0;
    if (!state.total) {
      empty.replaceChildren(stateBox(filtered
        ? { title: 'No leads match these filters', body: 'Try a different search, or clear the filters to see every lead.', action: ['Clear filters', clearFilters] }
        : { title: 'This workspace has no leads yet', body: 'Import a CSV from your CRM or spreadsheet, or add a lead by hand.', action: ['Import a CSV', () => ctx.navigate('#/import')] }));
    }
    paint();
  }

  function ensure(pageIndex) {
    if (state.pages.has(pageIndex) || state.pending.has(pageIndex)) return;
    const mine = state.generation;
    state.pending.add(pageIndex);
    worker.read('query', { ...queryBase(), offset: pageIndex * PAGE, limit: PAGE }).then((result) => {
      if (mine !== state.generation || disposed) return;
      state.pending.delete(pageIndex);
      state.pages.set(pageIndex, result.rows);
      if (state.pages.size > 60) state.pages.delete(state.pages.keys().next().value);  // bound memory
      schedulePaint();
    }, (error) => { state.pending.delete(pageIndex); toast(describeError(error), { tone: 'error' }); });
  }
  const rowAt = (i) => state.pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  // ---- rendering ----
  let frame = 0;
  function schedulePaint() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
  }
  const pool = [];  // row elements reused across paints
  function paint() {
    if (disposed) return;
    const top = Math.max(0, scroller.scrollTop - ROW);  // the header row takes ROW px
    const height = scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(state.total, Math.ceil((top + height) / ROW) + OVERSCAN);
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last - 1) / PAGE); p++) ensure(p);
    const needed = last - first;
    while (pool.length < needed) pool.push(makeRow());
    const frag = [];
    for (let k = 0; k < needed; k++) {
      const i = first + k;
      const row = pool[k];
      fillRow(row, i, rowAt(i));
      frag.push(row);
    }
    body.style.transform = `translateY(${first * ROW}px)`;
    body.replaceChildren(...frag);
    const n = state.selected.size;
    bulkBar.hidden = n === 0;
    bulkInfo.textContent = `${n.toLocaleString('en-US')} selected`;
    headCheck.checked = n > 0 && n >= state.total;
    headCheck.indeterminate = n > 0 && n < state.total;
  }

  function makeRow() {
    const check = el('input', { type: 'checkbox', class: 'row-check' });
    const cells = COLUMNS.map(([key, , , numeric]) => el('div', { class: `vcell col-${key}${numeric ? ' num' : ''}`, role: 'cell' }));
    const row = el('div', { class: 'vrow', role: 'row', tabindex: '-1' }, el('div', { class: 'vcell col-check', role: 'cell' }, check), ...cells);
    row._check = check;
    row._cells = cells;
    return row;
  }

  function fillRow(row, index, lead) {
    row.setAttribute('aria-rowindex', String(index + 2));
    row.dataset.index = String(index);
    if (row._lead === lead && lead) {
      row._check.checked = state.selected.has(lead.id);
      row.classList.toggle('is-selected', row._check.checked);
      return;
    }
    row._lead = lead;
    if (!lead) {
      row.classList.add('is-loading');
      delete row.dataset.id;
      row._check.disabled = true;
      row._check.checked = false;
      for (const c of row._cells) c.replaceChildren(el('span', { class: 'skeleton' }));
      return;
    }
    row.classList.remove('is-loading');
    row.dataset.id = lead.id;
    row._check.disabled = false;
    row._check.checked = state.selected.has(lead.id);
    row._check.setAttribute('aria-label', `Select ${fullName(lead)}`);
    row.classList.toggle('is-selected', row._check.checked);
    COLUMNS.forEach(([, , , , cell], k) => row._cells[k].replaceChildren(cell(lead)));
  }

  const headCheck = el('input', { type: 'checkbox', 'aria-label': 'Select all matching leads' });
  headCheck.addEventListener('change', selectAll);
  function renderHead() {
    headRow.replaceChildren(el('div', { class: 'vcell col-check', role: 'columnheader' }, headCheck));
    for (const [key, heading, field, numeric] of COLUMNS) {
      const active = state.sort.field === field;
      const arrow = active ? (state.sort.order === 'asc' ? '▲' : '▼') : '';
      headRow.append(el('div', {
        class: `vcell col-${key}${numeric ? ' num' : ''}`, role: 'columnheader',
        'aria-sort': active ? (state.sort.order === 'asc' ? 'ascending' : 'descending') : 'none',
      }, el('button', { type: 'button', class: 'sort', onclick: () => sortBy(field, numeric) }, heading,
        el('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow))));
    }
  }

  function renderStages(summary) {
    stages.replaceChildren();
    for (const [stage, label] of STAGES) {
      const n = summary.byStage[stage] ?? 0;
      const value = summary.valueByStage[stage] ?? 0;
      stages.append(el('button', {
        type: 'button', class: `stage-card stage-${stage}`, 'aria-pressed': String(state.stage === stage),
        onclick: () => { state.stage = state.stage === stage ? '' : stage; stageSelect.input.value = state.stage; reload(); },
      }, el('span', { class: 'stage-name' }, label), el('span', { class: 'stage-count' }, n.toLocaleString('en-US')),
      el('span', { class: 'stage-value' }, value ? compactMoney(value) : ' ')));
    }
  }

  // ---- actions ----
  function sortBy(field, numeric) {
    state.sort = state.sort.field === field
      ? { field, order: state.sort.order === 'asc' ? 'desc' : 'asc' }
      : { field, order: numeric ? 'desc' : 'asc' };
    scroller.scrollTop = 0;
    reload();
  }

  function clearFilters() {
    Object.assign(state, { search: '', stage: '', grade: '', source: '', direction: '', tag: '' });
    search.value = '';
    for (const s of [stageSelect, gradeSelect, sourceSelect, directionSelect, tagSelect]) s.input.value = '';
    scroller.scrollTop = 0;
    reload();
  }

  async function selectAll() {
    if (!headCheck.checked) { state.selected.clear(); paint(); return; }
    const result = await worker.read('query', { ...queryBase(), offset: 0, limit: Math.min(state.total, 100000) });
    for (const l of result.rows) state.selected.add(l.id);
    paint();
  }

  async function bulkMove(stage) {
    const ids = [...state.selected];
    bulkStage.value = '';
    let reason;
    if (stage === 'lost' || stage === 'disqualified') {
      const pipeline = await worker.read('getPipeline');
      const reasons = pipeline.reasons?.[stage] ?? [];
      reason = reasons[0]?.key;
      const picked = await pickReason(stage, reasons);
      if (picked === null) return;
      reason = picked;
    }
    const result = await ctx.run(worker.bulk(ids, { stage, reason }));
    afterBulk(result, `Moved ${result.changed.toLocaleString('en-US')} lead${result.changed === 1 ? '' : 's'} to ${STAGE_LABEL[stage]}`);
  }

  async function bulkTags(kind) {
    const tag = bulkTag.value.trim();
    if (!tag) { bulkTag.focus(); toast('Type the tag to add or remove first.'); return; }
    const result = await ctx.run(worker.bulk([...state.selected], { [kind]: tag }));
    afterBulk(result, `${kind === 'addTag' ? 'Tagged' : 'Untagged'} ${result.changed.toLocaleString('en-US')} lead${result.changed === 1 ? '' : 's'}`);
  }

  async function bulkDelete() {
    const n = state.selected.size;
    if (!await confirmDialog(`Delete ${n.toLocaleString('en-US')} lead${n === 1 ? '' : 's'}?`,
      'They are removed from this workspace. You can undo this until you leave this screen.', { confirm: 'Delete', danger: true })) return;
    const result = await ctx.run(worker.removeLeads([...state.selected]));
    afterBulk({ ...result, changed: n, refused: [] }, `Deleted ${n.toLocaleString('en-US')} lead${n === 1 ? '' : 's'}`);
  }

  function afterBulk(result, message) {
    state.selected.clear();
    if (result.refused?.length) {
      toast(`${result.refused.length} not moved: ${result.refused[0].message}`, { tone: 'error' });
    }
    if (result.changed) {
      toast(message, { action: ['Undo', async () => { await ctx.run(worker.undo(result.undo), { success: 'Undone' }); fillFilters(); reload(); }] });
    }
    fillFilters();
    reload();
  }

  async function pickReason(stage, reasons) {
    const { dialog } = await import('../ui.js');
    const choice = el('select', { class: 'input', 'aria-label': 'Reason' }, ...reasons.map((r) => el('option', { value: r.key }, r.label ?? r.key)));
    const note = el('input', { type: 'text', class: 'input', 'aria-label': 'Note', placeholder: 'Note (needed for “other”)' });
    const ok = await dialog({
      title: `Why are these leads ${STAGE_LABEL[stage].toLowerCase()}?`,
      body: [el('label', { class: 'field' }, el('span', {}, 'Reason'), choice), el('label', { class: 'field' }, el('span', {}, 'Note'), note)],
      buttons: [{ label: 'Cancel', value: false }, { label: `Mark ${STAGE_LABEL[stage].toLowerCase()}`, value: true, kind: 'primary' }],
    });
    return ok === true ? choice.value : null;
  }

  async function exportCsv() {
    const { download } = await import('../ui.js');
    const ids = state.selected.size ? [...state.selected] : undefined;
    const csv = await ctx.run(worker.read('exportCsv', { scores: true, reasons: 3, ids }));
    download(`${(ctx.workspace?.name ?? 'leads').replace(/[^\w.-]+/g, '-')}-leads.csv`, csv, 'text/csv');
  }

  async function fillFilters() {
    const summary = await worker.read('summary', {});
    const keep = sourceSelect.input.value;
    sourceSelect.input.replaceChildren(el('option', { value: '' }, 'All sources'),
      ...Object.keys(summary.bySource).sort().map((s) => el('option', { value: s }, `${sourceLabel(s)} (${summary.bySource[s]})`)));
    sourceSelect.input.value = keep;
  }

  // ---- wiring ----
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = search.value.trim(); scroller.scrollTop = 0; reload(); }, 120);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { search.value = ''; state.search = ''; reload(); search.blur(); }
    if (e.key === 'ArrowDown') { e.preventDefault(); focusRow(0); }
  });
  for (const [s, key] of [[stageSelect, 'stage'], [gradeSelect, 'grade'], [sourceSelect, 'source'], [directionSelect, 'direction'], [tagSelect, 'tag']]) {
    s.input.addEventListener('change', () => { state[key] = s.input.value; scroller.scrollTop = 0; reload(); });
  }
  scroller.addEventListener('scroll', schedulePaint, { passive: true });
  const resize = new ResizeObserver(schedulePaint);
  resize.observe(scroller);

  body.addEventListener('click', (e) => {
    const row = e.target.closest('.vrow');
    if (!row?.dataset.id) return;
    if (e.target.matches('.row-check')) {
      if (e.target.checked) state.selected.add(row.dataset.id); else state.selected.delete(row.dataset.id);
      paint();
      return;
    }
    ctx.navigate(`#/lead/${encodeURIComponent(row.dataset.id)}`);
  });

  function focusRow(index) {
    if (!state.total) return;
    const i = Math.max(0, Math.min(state.total - 1, index));
    state.focusIndex = i;
    const headerless = i * ROW;
    if (headerless < scroller.scrollTop) scroller.scrollTop = headerless;
    else if (headerless + 2 * ROW > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = headerless + 2 * ROW - scroller.clientHeight;
    paint();
    body.querySelector(`.vrow[data-index="${i}"]`)?.focus();
  }
  table.addEventListener('keydown', (e) => {
    const row = e.target.closest?.('.vrow[data-index]');
    if (!row) return;
    const i = Number(row.dataset.index);
    if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); focusRow(i + 1); }
    else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); focusRow(i - 1); }
    else if (e.key === 'PageDown') { e.preventDefault(); focusRow(i + 10); }
    else if (e.key === 'PageUp') { e.preventDefault(); focusRow(i - 10); }
    else if (e.key === 'Enter' && row.dataset.id) { ctx.navigate(`#/lead/${encodeURIComponent(row.dataset.id)}`); }
    else if (e.key === 'x' && row.dataset.id) {
      if (state.selected.has(row.dataset.id)) state.selected.delete(row.dataset.id); else state.selected.add(row.dataset.id);
      paint();
      body.querySelector(`.vrow[data-index="${i}"]`)?.focus();
    }
  });
  // The first Tab into the table lands on the first row, so arrows and j/k work from there.
  scroller.addEventListener('focus', () => focusRow(Math.max(0, state.focusIndex)));
  scroller.setAttribute('tabindex', '0');
  scroller.setAttribute('aria-label', 'Leads: arrows or j/k move, Enter opens, x selects');

  renderHead();
  await Promise.all([reload(), fillFilters(), fillTags()]);

  async function fillTags() {
    // Tags come from the leads themselves; a sample of the first 2,000 is enough for the menu.
    const result = await worker.read('query', { limit: 2000, sort: { field: 'updatedAt', order: 'desc' } });
    const tags = new Map();
    for (const l of result.rows) for (const t of l.tags ?? []) tags.set(t, (tags.get(t) ?? 0) + 1);
    tagSelect.input.append(...[...tags.keys()].sort().map((t) => el('option', { value: t }, t)));
  }

  return () => { disposed = true; resize.disconnect(); cancelAnimationFrame(frame); };
}

function select(label, options) {
  const input = el('select', { class: 'input', 'aria-label': label }, ...options.map(([v, l]) => el('option', { value: v }, l)));
  return { input, label: el('label', { class: 'select' }, el('span', { class: 'visually-hidden' }, label), input) };
}
