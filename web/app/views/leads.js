// Leads: a virtualised table over the whole workspace. Only the rows in view exist in the DOM;
// pages of rows are fetched from the worker as the user scrolls, so 100k leads scroll as 100 do.
// Rows are the worker's slim table rows (worker.rows), not full leads: a page clones in well under
// a millisecond. Every frame stays short: a row whose lead is already shown is left alone, rows not
// loaded yet show skeletons, and no frame ever waits for the worker.
import {
  GRADES, STAGES, STAGE_LABEL, button, compactMoney, confirmDialog, daysAgo, describeError, directionLabel, el,
  fullName, money, pageHeader, shortDate, sourceLabel, stateBox, text, toast,
} from '../ui.js';
import { dueLabel } from '../moves.js';

export const title = 'Leads';

// A row's pitch is fixed so that the scroll position maps straight to a row index: 44 px in the
// table; on a phone, where rows are cards, styles.css sets another on the scroller (--row).
const ROW = 44;
const PAGE = 100;      // rows per fetch
// Rows rendered beyond the view: more ahead in the scroll direction than behind. Every row in
// the DOM costs layout and paint on each frame, so the margin stays small.
const OVERSCAN_AHEAD = 6;
const OVERSCAN_BEHIND = 2;
const AHEAD = 2;       // pages fetched beyond the view in the scroll direction
// Requests the worker may hold at once: more would only queue pages the user has scrolled past.
const IN_FLIGHT = 2;
// Pages kept in memory (1,200 rows). Kept pages live long enough to reach the old
// generation of the page's JS heap, and every major GC's pause grows with them: traced over a
// whole-table scroll, 60 kept pages gave pauses of up to 44 ms, 12 gave 15 ms at most.
const KEEP_PAGES = 12;
// The engine sorts a listing once, whole, for pages past its first 500 rows (Workspace::
// kOrderCacheFrom), which at 100k leads scores every lead first (~50-90 ms). The first deep page
// is asked for when a listing is first scrolled, so that work is done before the scroll gets
// there; a listing only looked at, or a filter changed key by key, does not pay for it.
const DEEP_PAGE = 500 / PAGE;

// key, heading, sort field (null: not sortable), numeric?, cell. A cell is made once per row
// element, as (the cell's element) → (lead → void), and then shows lead after lead: it keeps its
// nodes and rewrites only the text and classes that differ, so scrolling creates no elements and
// restyles little. The cell's own element carries its layout (two lines, score and grade), with
// no wrapper inside: every box in a row is laid out again, and its layout objects collected, each
// time the row shows another lead.
const COLUMNS = [
  ['lead', 'Lead', 'lastName', false, twoLineCell((l) => fullName(l), (l) => l.email ?? '')],
  ['company', 'Company', 'company', false, twoLineCell((l) => l.company ?? '—', (l) => [l.industry, l.country].filter(Boolean).join(' · '))],
  ['score', 'Score', 'score', true, scoreCell],
  ['stage', 'Stage', 'stage', false, stageCell],
  ['source', 'Source', 'source', false, twoLineCell((l) => sourceLabel(l.source), (l) => directionLabel(l.direction), (l) => 'dir-' + l.direction)],
  ['value', 'Deal value', 'dealValue', true, textCell((l) => (l.dealValue == null ? '—' : money(l.dealValue, l.currency)))],
  ['touches', 'Touches', 'touchCount', true, textCell((l) => String(l.touchCount ?? 0))],
  ['lastTouch', 'Last touch', 'lastTouchAt', true, lastTouchCell],
  ['created', 'Created', 'createdAt', true, textCell((l) => shortDate(l.createdAt), 'muted')],
];

// Writers that touch the DOM only when the value changes.
const setText = (node, s) => { if (node.data !== s) node.data = s; };
const setClass = (node, s) => { if (node.className !== s) node.className = s; };
function setAttr(node, name, value) {
  if (value == null || value === '') { if (node.hasAttribute(name)) node.removeAttribute(name); }
  else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}
/** Makes `nodes` the children of `cell`, unless they already are (a skeleton may stand there). */
function show(cell, ...nodes) {
  if (cell.firstChild !== nodes[0] || cell.childNodes.length !== nodes.length) cell.replaceChildren(...nodes);
}

/** Two lines, as ui.twoLine shows them, with the cell itself as the column that holds them. */
function twoLineCell(primary, secondary, secondaryClass) {
  return (cell) => {
    cell.classList.add('two-line');
    const first = el('span', { class: 'primary' }, '');
    const second = el('span', { class: 'secondary ' }, '');
    return (l) => {
      setText(first.firstChild, primary(l));
      setText(second.firstChild, secondary(l));
      if (secondaryClass) setClass(second, 'secondary ' + secondaryClass(l));
      show(cell, first, second);
    };
  };
}
/** A line of text; `cls` (as ui.text gives a span) goes on the cell. */
function textCell(value, cls) {
  return (cell) => {
    if (cls) cell.classList.add(cls);
    const t = document.createTextNode('');
    return (l) => { setText(t, value(l)); show(cell, t); };
  };
}
/** The score and its grade badge (ui.gradeBadge), or a muted dash with no score. */
function scoreCell(cell) {
  cell.classList.add('score-cell');
  const none = text('—', 'muted');
  const num = el('span', { class: 'score-num' }, '');
  const grade = el('span', {}, el('span', { class: 'grade-kind' }, 'fit '), '');
  const noGrade = text('—', 'muted');
  return (l) => {
    const s = l.score;
    if (!s) { show(cell, none); return; }
    setText(num.firstChild, String(Math.round(s.total)));
    if (!s.grade) { show(cell, num, noGrade); return; }
    setClass(grade, `grade grade-${s.grade[0]}`);
    setAttr(grade, 'title', `Fit grade ${s.grade}; the score ${Math.round(s.total)} is the total of fit, engagement and rules`);
    setText(grade.lastChild, s.grade);
    show(cell, num, grade);
  };
}
/**
 * When the lead was last touched; a phone's lead card shows the next step (the open task due
 * first) there instead, when there is one.
 */
function lastTouchCell(cell) {
  const last = el('span', { class: 'last-touch' }, '');
  const next = el('span', { class: 'next-step' }, '');
  return (l) => {
    setText(last.firstChild, daysAgo(l.lastTouchAt));
    setText(next.firstChild, l.nextTask ? `${l.nextTask.title} · ${dueLabel(l.nextTask.due)}` : '');
    cell.classList.toggle('has-next', Boolean(l.nextTask));
    show(cell, last, next);
  };
}
/** The stage badge (ui.stageBadge): its label, with the stage's reason as a tooltip. */
function stageCell(cell) {
  const node = el('span', {}, '');
  return (l) => {
    setClass(node, `badge stage-${l.stage}`);
    setText(node.firstChild, STAGE_LABEL[l.stage] ?? l.stage);
    setAttr(node, 'title', l.stageReason || null);
    show(cell, node);
  };
}

export async function mount(root, ctx) {
  const { worker } = ctx;
  const state = {
    search: '', stage: '', grade: '', source: '', direction: '', tag: '',
    sort: { field: 'createdAt', order: 'desc' }, total: 0, now: Date.now(),
    pages: new Map(), pending: new Set(), wanted: [], selected: new Set(), generation: 0, focusIndex: -1, warmed: false,
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
      el('div', { class: 'filters' }, stageSelect.label, gradeSelect.label, sourceSelect.label, directionSelect.label, tagSelect.label),
      clear, count),
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
  // Every page of one listing is scored at the same moment (state.now, set by reload): scrolling
  // then slices one order in the worker, instead of rescoring 100k leads and re-sorting them
  // when a minute turns, and a table sorted by score does not reshuffle under the user.
  const queryBase = () => ({ filter: filter(), search: state.search || undefined, sort: state.sort, now: state.now });

  /** Refetches the listing; `unfiltered` is a summary of every lead already asked for, if any. */
  async function reload(unfiltered = null) {
    const mine = ++state.generation;
    state.now = Date.now();
    state.pages.clear();
    state.pending.clear();
    const stageFilter = { ...filter(), stage: undefined };
    const plain = !state.search && Object.values(stageFilter).every((v) => v === undefined);
    const [first, summary] = await Promise.all([
      worker.rows({ ...queryBase(), offset: 0, limit: PAGE }),
      unfiltered && plain ? unfiltered : worker.read('summary', { filter: stageFilter, search: state.search || undefined }),
    ]);
    if (mine !== state.generation || disposed) return;
    state.total = first.total;
    state.pages.set(0, first.rows);
    renderStages(summary);
    renderHead();
    spacer.style.height = `${state.total * rowH}px`;
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
    state.warmed = false;
    paint();
  }

  /** Keeps up to IN_FLIGHT page requests going, for the pages wanted most (state.wanted, in order). */
  function request() {
    for (const p of state.wanted) {
      if (state.pending.size >= IN_FLIGHT) return;
      if (!state.pages.has(p) && !state.pending.has(p)) fetchPage(p);
    }
  }
  function fetchPage(pageIndex) {
    const mine = state.generation;
    state.pending.add(pageIndex);
    worker.rows({ ...queryBase(), offset: pageIndex * PAGE, limit: PAGE }).then((result) => {
      if (mine !== state.generation || disposed) return;
      state.pending.delete(pageIndex);
      state.pages.set(pageIndex, result.rows);
      evict();
      if (pageIndex >= Math.floor(shownFirst / PAGE) && pageIndex <= Math.floor((shownFirst + shown.length) / PAGE)) schedulePaint();
      request();
    }, (error) => {
      if (mine !== state.generation || disposed) return;
      state.pending.delete(pageIndex);
      toast(describeError(error), { tone: 'error' });
    });
  }
  function evict() {  // bounds memory: drops the pages inserted longest ago that are not wanted now
    for (const p of state.pages.keys()) {
      if (state.pages.size <= KEEP_PAGES) return;
      if (!state.wanted.includes(p)) state.pages.delete(p);
    }
  }
  const rowAt = (i) => state.pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  // ---- rendering ----
  let frame = 0;
  function schedulePaint() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
  }
  let viewHeight = 0;     // the scroller's clientHeight, measured by the ResizeObserver
  let rowH = ROW;         // the row pitch and the header's height, as laid out (measure())
  let headH = ROW;
  let lastTop = 0;
  let direction = 1;      // the way the user last scrolled: 1 down, -1 up
  let shown = [];         // row elements in the body, in order; shown[k] shows row shownFirst + k
  let shownFirst = 0;
  const spare = [];       // row elements out of the body, for reuse
  let bodyOffset = -1;
  let bulkShown = -1;
  function paint() {
    if (disposed) return;
    const scrollTop = scroller.scrollTop;
    const height = viewHeight || scroller.clientHeight || 600;
    // A move of a whole view or more since the last frame is a fling or a jump: rows beyond the
    // view would be passed over before anyone saw them, so this frame renders the view alone.
    const leap = Math.abs(scrollTop - lastTop) >= height;
    if (scrollTop !== lastTop) { direction = scrollTop > lastTop ? 1 : -1; lastTop = scrollTop; }
    const ahead = leap ? 0 : OVERSCAN_AHEAD;
    const behind = leap ? 0 : OVERSCAN_BEHIND;
    const top = Math.max(0, scrollTop - headH);
    const first = Math.max(0, Math.floor(top / rowH) - (direction > 0 ? behind : ahead));
    const last = Math.max(first, Math.min(state.total, Math.ceil((top + height) / rowH) + (direction > 0 ? ahead : behind)));
    want(first, last);
    // After want's requests, so the pages next to the view are not queued behind it.
    if (!state.warmed && scrollTop > 0 && state.total > DEEP_PAGE * PAGE) {
      state.warmed = true;
      if (!state.pages.has(DEEP_PAGE) && !state.pending.has(DEEP_PAGE)) fetchPage(DEEP_PAGE);
    }
    place(first, last);
    for (let k = 0; k < shown.length; k++) fillRow(shown[k], first + k, rowAt(first + k));
    if (bodyOffset !== first) { bodyOffset = first; body.style.transform = `translateY(${first * rowH}px)`; }
    const n = state.selected.size;
    if (n !== bulkShown) {
      bulkShown = n;
      bulkBar.hidden = n === 0;
      bulkInfo.textContent = `${n.toLocaleString('en-US')} selected`;
    }
    headCheck.checked = n > 0 && n >= state.total;
    headCheck.indeterminate = n > 0 && n < state.total;
  }

  /** The pages in view, nearest first in the scroll direction, then AHEAD more that way. */
  function want(first, last) {
    const from = Math.floor(first / PAGE);
    const to = Math.floor(Math.max(first, last - 1) / PAGE);
    const pages = [];
    if (direction > 0) for (let p = from; p <= to; p++) pages.push(p);
    else for (let p = to; p >= from; p--) pages.push(p);
    const maxPage = Math.max(0, Math.ceil(state.total / PAGE) - 1);
    for (let a = 1; a <= AHEAD; a++) {
      const p = direction > 0 ? to + a : from - a;
      if (p >= 0 && p <= maxPage) pages.push(p);
    }
    state.wanted = pages;
    request();
  }

  // Puts row elements for rows [first, last) in the body, in order. Rows still in view keep their
  // element (and so their content); only the elements that scrolled out move, to the other end.
  function place(first, last) {
    const needed = last - first;
    const keepFrom = Math.max(first, shownFirst);
    const keepTo = Math.min(last, shownFirst + shown.length);
    if (keepFrom >= keepTo) {
      // Nothing in common (a jump): reuse the elements where they are.
      while (shown.length > needed) spare.push(detach(shown.pop()));
      while (shown.length < needed) shown.push(body.appendChild(spare.pop() ?? makeRow()));
    } else {
      const kept = shown.slice(keepFrom - shownFirst, keepTo - shownFirst);
      for (const row of shown.slice(0, keepFrom - shownFirst)) spare.push(row);
      for (const row of shown.slice(keepTo - shownFirst)) spare.push(row);
      const before = [];
      for (let i = first; i < keepFrom; i++) before.push(spare.pop() ?? makeRow());
      const after = [];
      for (let i = keepTo; i < last; i++) after.push(spare.pop() ?? makeRow());
      for (const row of spare) if (row.parentNode) detach(row);
      if (before.length) kept[0].before(...before);
      if (after.length) kept.at(-1).after(...after);
      shown = [...before, ...kept, ...after];
    }
    shownFirst = first;
  }
  function detach(row) {
    row.remove();
    return row;
  }

  const skeleton = el('span', { class: 'skeleton' });
  function makeRow() {
    const check = el('input', { type: 'checkbox', class: 'row-check' });
    const cells = COLUMNS.map(([key, , , numeric]) => el('div', { class: `vcell col-${key}${numeric ? ' num' : ''}`, role: 'cell' }));
    const row = el('div', { class: 'vrow', role: 'row', tabindex: '-1' }, el('div', { class: 'vcell col-check', role: 'cell' }, check), ...cells);
    row._check = check;
    row._cells = cells;
    row._views = COLUMNS.map((column, k) => column[4](cells[k]));
    row._skeletons = cells.map(() => skeleton.cloneNode());
    row._lead = null;  // neither a lead nor a skeleton (undefined) yet: the first fill always writes
    row._index = -1;
    return row;
  }

  function fillRow(row, index, lead) {
    if (row._index !== index) {
      row._index = index;
      row.setAttribute('aria-rowindex', String(index + 2));
      row.dataset.index = String(index);
    }
    if (row._lead === lead) {
      if (!lead) return;
      const selected = state.selected.has(lead.id);
      if (row._check.checked !== selected) row._check.checked = selected;
      if (row._selected !== selected) { row._selected = selected; row.classList.toggle('is-selected', selected); }
      return;
    }
    const wasLoading = !row._lead;
    row._lead = lead;
    if (!lead) {
      row.classList.add('is-loading');
      row.classList.remove('is-selected');
      row._selected = false;
      delete row.dataset.id;
      row._check.disabled = true;
      row._check.checked = false;
      row._cells.forEach((c, k) => c.replaceChildren(row._skeletons[k]));
      return;
    }
    if (wasLoading) row.classList.remove('is-loading');
    row.dataset.id = lead.id;
    row._check.disabled = false;
    row._check.checked = state.selected.has(lead.id);
    row._check.setAttribute('aria-label', `Select ${fullName(lead)}`);
    row._selected = row._check.checked;
    row.classList.toggle('is-selected', row._selected);
    for (let k = 0; k < COLUMNS.length; k++) row._views[k](lead);
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
    const result = await worker.rows({ ...queryBase(), offset: 0, limit: Math.min(state.total, 100000) });
    for (const l of result.rows) state.selected.add(l.id);
    paint();
  }

  async function bulkMove(stage) {
    const ids = [...state.selected];
    bulkStage.value = '';
    let why = {};
    if (stage === 'lost' || stage === 'disqualified') {
      const pipeline = await worker.read('getPipeline');
      why = await pickReason(stage, pipeline.reasons?.[stage] ?? [], ids.length);
      if (!why) return;
    }
    const result = await ctx.run(worker.bulk(ids, { stage, ...why }));
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

  /** Asks why the leads leave the pipeline: { reason, note } or null. "other" needs a note. */
  async function pickReason(stage, reasons, n) {
    const { dialog } = await import('../ui.js');
    const choice = el('select', { class: 'input', id: 'bulk-reason' }, ...reasons.map((r) => el('option', { value: r.key }, r.label ?? r.key)));
    const note = el('input', { type: 'text', class: 'input', id: 'bulk-note', maxlength: '500', placeholder: 'Needed for “other”' });
    const problem = el('p', { class: 'field-error', role: 'alert' });
    const verb = STAGE_LABEL[stage].toLowerCase();
    const ok = await dialog({
      title: `Why are ${n === 1 ? 'this lead' : `these ${n.toLocaleString('en-US')} leads`} ${verb}?`,
      body: [el('label', { class: 'field', for: 'bulk-reason' }, el('span', {}, 'Reason'), choice),
        el('label', { class: 'field', for: 'bulk-note' }, el('span', {}, 'Note'), note), problem],
      buttons: [{ label: 'Cancel', value: false }, { label: `Mark ${verb}`, value: true, kind: 'primary' }],
      onSubmit: () => {
        if (choice.value !== 'other' || note.value.trim()) return false;
        problem.textContent = 'Say why in the note: “other” needs one.';
        note.focus();
        return true;
      },
    });
    return ok === true ? { reason: choice.value, note: note.value.trim() || undefined } : null;
  }

  async function exportCsv() {
    const { download } = await import('../ui.js');
    const ids = state.selected.size ? [...state.selected] : undefined;
    const csv = await ctx.run(worker.read('exportCsv', { scores: true, reasons: 3, ids }));
    download(`${(ctx.workspace?.name ?? 'leads').replace(/[^\w.-]+/g, '-')}-leads.csv`, csv, 'text/csv');
  }

  /** Fills the source and tag menus, with counts, from a summary of every lead. */
  async function fillFilters(unfiltered = worker.read('summary', {})) {
    const summary = await unfiltered;
    if (disposed) return;
    for (const [menu, counts, all, label] of [[sourceSelect, summary.bySource, 'All sources', sourceLabel], [tagSelect, summary.byTag, 'Any tag', (t) => t]]) {
      const keep = menu.input.value;
      menu.input.replaceChildren(el('option', { value: '' }, all),
        ...Object.keys(counts).sort().map((v) => el('option', { value: v }, `${label(v)} (${counts[v].toLocaleString('en-US')})`)));
      menu.input.value = keep;
    }
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
  /** Reads the row pitch and header height the layout gives (cards on a phone, no header). */
  function measure() {
    headH = headRow.offsetHeight;
    const pitch = parseFloat(getComputedStyle(scroller).getPropertyValue('--row')) || ROW;
    if (pitch === rowH) return;
    const index = Math.floor(scroller.scrollTop / rowH);
    rowH = pitch;
    bodyOffset = -1;
    spacer.style.height = `${state.total * rowH}px`;
    scroller.scrollTop = index * rowH;
  }
  const resize = new ResizeObserver(() => { viewHeight = scroller.clientHeight; measure(); schedulePaint(); });
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
    const headerless = i * rowH;  // the sticky header covers the rows' first headH px
    if (headerless < scroller.scrollTop) scroller.scrollTop = headerless;
    else if (headH + headerless + rowH > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = headH + headerless + rowH - scroller.clientHeight;
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
  measure();
  // One summary of every lead serves the first screen's stage strip and both menus.
  const unfiltered = worker.read('summary', {});
  await Promise.all([reload(unfiltered), fillFilters(unfiltered)]);

  return () => { disposed = true; resize.disconnect(); cancelAnimationFrame(frame); };
}

function select(label, options) {
  const input = el('select', { class: 'input', 'aria-label': label }, ...options.map(([v, l]) => el('option', { value: v }, l)));
  return { input, label: el('label', { class: 'select' }, el('span', { class: 'visually-hidden' }, label), input) };
}
