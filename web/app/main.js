// The page: renders what the worker's engine returns. All user text goes in as text nodes.
import * as Comlink from '../vendor/comlink.mjs';

const STAGES = [
  ['new', 'New'], ['nurturing', 'Nurturing'], ['mql', 'MQL'], ['sql', 'SQL'],
  ['opportunity', 'Opportunity'], ['customer', 'Customer'], ['lost', 'Lost'], ['disqualified', 'Disqualified'],
];
const STAGE_LABEL = Object.fromEntries(STAGES);
const PAGE = 50;
const DAY = 86_400_000;

// Column: key, heading, sort field, numeric?, cell renderer.
const COLUMNS = [
  ['lead', 'Lead', 'lastName', false, (l) => twoLine(fullName(l), l.email ?? '')],
  ['company', 'Company', 'company', false, (l) => twoLine(l.company ?? '—', [l.industry, l.country].filter(Boolean).join(' · '))],
  ['title', 'Title', 'title', false, (l) => text(l.title ?? '')],
  ['stage', 'Stage', 'stage', false, (l) => stageBadge(l)],
  ['source', 'Source', 'source', false, (l) => twoLine(sourceLabel(l.source), directionLabel(l.direction), 'dir-' + l.direction)],
  ['employees', 'Employees', 'employees', true, (l) => text(l.employees == null ? '—' : l.employees.toLocaleString('en-US'))],
  ['value', 'Deal value', 'dealValue', true, (l) => text(l.dealValue == null ? '—' : money(l.dealValue, l.currency))],
  ['touches', 'Touches', 'touchCount', true, (l) => text(String(l.touches.length))],
  ['lastTouch', 'Last touch', 'lastTouchAt', true, (l) => text(daysAgo(lastTouch(l)))],
  ['created', 'Created', 'createdAt', true, (l) => text(shortDate(l.createdAt), 'muted')],
];

const state = {
  search: '', source: '', direction: '', stage: '',
  sort: { field: 'createdAt', order: 'desc' }, offset: 0, total: 0,
};
const $ = (id) => document.getElementById(id);
const engine = Comlink.wrap(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));

// ---- small DOM helpers: text only, never HTML -------------------------------------------
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
const text = (s, cls) => (cls ? el('span', { class: cls }, s) : document.createTextNode(s));
const twoLine = (a, b, cls = '') => el('div', { class: 'two-line' }, el('span', { class: 'primary' }, a), el('span', { class: 'secondary ' + cls }, b));
const fullName = (l) => [l.firstName, l.lastName].filter(Boolean).join(' ') || l.email || l.company || l.id;
const SOURCE_LABEL = { cold_email: 'Cold e-mail', linkedin: 'LinkedIn', ebook: 'E-book', paid_ads: 'Paid ads', in_person: 'In person', seo: 'SEO' };
const sourceLabel = (s = 'unknown') => SOURCE_LABEL[s] ?? s.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
const directionLabel = (d) => ({ inbound: 'Inbound', outbound: 'Outbound' })[d] ?? 'Unknown direction';
const money = (v, currency) => new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 0 }).format(v);
const compactMoney = (v) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 }).format(v);
const shortDate = (iso) => new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
const lastTouch = (l) => l.touches.reduce((m, t) => (t.at > m ? t.at : m), '');
function daysAgo(iso) {
  if (!iso) return '—';
  const days = Math.floor((Date.now() - Date.parse(iso)) / DAY);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}
function stageBadge(l) {
  const badge = el('span', { class: `badge stage-${l.stage}` }, STAGE_LABEL[l.stage] ?? l.stage);
  if (l.stageReason) badge.title = l.stageReason;
  return badge;
}

// ---- rendering ----------------------------------------------------------------------------
function renderHead() {
  const row = $('head-row');
  row.replaceChildren();
  for (const [key, heading, field, numeric] of COLUMNS) {
    const active = state.sort.field === field;
    const arrow = active ? (state.sort.order === 'asc' ? '▲' : '▼') : '';
    const button = el('button', { type: 'button', class: 'sort', onclick: () => sortBy(field) }, heading, el('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow));
    row.append(el('th', {
      scope: 'col', class: `col-${key}${numeric ? ' num' : ''}`,
      'aria-sort': active ? (state.sort.order === 'asc' ? 'ascending' : 'descending') : 'none',
    }, button));
  }
}

function renderStages(summary) {
  const box = $('stages');
  box.replaceChildren();
  for (const [stage, label] of STAGES) {
    const count = summary.byStage[stage] ?? 0;
    const value = summary.valueByStage[stage] ?? 0;
    box.append(el('button', {
      type: 'button', class: `stage-card stage-${stage}`, 'aria-pressed': String(state.stage === stage),
      onclick: () => { state.stage = state.stage === stage ? '' : stage; state.offset = 0; refresh(); },
    }, el('span', { class: 'stage-name' }, label), el('span', { class: 'stage-count' }, count.toLocaleString('en-US')),
    el('span', { class: 'stage-value' }, value ? compactMoney(value) : ' ')));
  }
}

function renderRows(result) {
  const body = $('rows');
  body.replaceChildren();
  for (const lead of result.rows) {
    const tr = el('tr', { tabindex: '-1', dataset: { id: lead.id } });
    for (const [key, , , numeric, cell] of COLUMNS) {
      tr.append(el('td', { class: `col-${key}${numeric ? ' num' : ''}` }, cell(lead)));
    }
    body.append(tr);
  }
  const from = result.total ? state.offset + 1 : 0;
  const to = state.offset + result.rows.length;
  $('page-info').textContent = `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${result.total.toLocaleString('en-US')}`;
  $('prev').disabled = state.offset === 0;
  $('next').disabled = to >= result.total;
  $('result-count').textContent = `${result.total.toLocaleString('en-US')} lead${result.total === 1 ? '' : 's'}`;
  const filtered = state.search || state.source || state.direction || state.stage;
  $('clear-filters').hidden = !filtered;
  showState(result.total === 0 ? {
    title: filtered ? 'No leads match these filters' : 'This workspace has no leads yet',
    body: filtered ? 'Try a different search, or clear the filters to see every lead.' : 'Import a CSV or add a lead to get started.',
    action: filtered ? ['Clear filters', clearFilters] : null,
  } : null);
}

function showState(content) {
  const box = $('state');
  box.hidden = !content;
  $('leads').classList.toggle('is-empty', !!content);
  if (!content) return;
  box.replaceChildren(el('h2', {}, content.title), el('p', {}, content.body));
  if (content.action) box.append(el('button', { type: 'button', class: 'primary-button', onclick: content.action[1] }, content.action[0]));
  if (content.busy) box.prepend(el('div', { class: 'spinner', 'aria-hidden': 'true' }));
}

// ---- data -----------------------------------------------------------------------------------
function currentFilter() {
  const filter = {};
  if (state.stage) filter.stage = state.stage;
  if (state.source) filter.source = state.source;
  if (state.direction) filter.direction = state.direction;
  return filter;
}

let generation = 0;
async function refresh() {
  const mine = ++generation;
  const filter = currentFilter();
  const [result, summary] = await Promise.all([
    engine.query({ filter, search: state.search || undefined, sort: state.sort, offset: state.offset, limit: PAGE }),
    engine.summary({ filter: { ...filter, stage: undefined }, search: state.search || undefined }),
  ]);
  if (mine !== generation) return;  // a newer refresh superseded this one
  renderHead();
  renderStages(summary);
  renderRows(result);
  document.body.dataset.ready = 'true';
}

function sortBy(field) {
  const numeric = COLUMNS.some(([, , f, n]) => f === field && n);
  state.sort = state.sort.field === field
    ? { field, order: state.sort.order === 'asc' ? 'desc' : 'asc' }
    : { field, order: numeric ? 'desc' : 'asc' };
  state.offset = 0;
  refresh();
}

function clearFilters() {
  Object.assign(state, { search: '', source: '', direction: '', stage: '', offset: 0 });
  $('search').value = '';
  $('filter-source').value = '';
  setDirection('');
  refresh();
}

function setDirection(value) {
  state.direction = value;
  for (const b of $('filter-direction').querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.value === value));
}

async function fillSources() {
  const { bySource } = await engine.summary({});
  const select = $('filter-source');
  for (const source of Object.keys(bySource).sort()) {
    select.append(el('option', { value: source }, `${sourceLabel(source)} (${bySource[source]})`));
  }
}

// ---- wiring ----------------------------------------------------------------------------------
let searchTimer = 0;
$('search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { state.search = e.target.value.trim(); state.offset = 0; refresh(); }, 120);
});
$('filter-source').addEventListener('change', (e) => { state.source = e.target.value; state.offset = 0; refresh(); });
$('filter-direction').addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (b) { setDirection(b.dataset.value); state.offset = 0; refresh(); }
});
$('clear-filters').addEventListener('click', clearFilters);
$('prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); });
$('next').addEventListener('click', () => { state.offset += PAGE; refresh(); });

document.addEventListener('keydown', (e) => {
  const typing = e.target.matches('input, select, textarea');
  if (e.key === '/' && !typing) { e.preventDefault(); $('search').focus(); return; }
  if (e.key === 'Escape' && e.target === $('search')) { $('search').value = ''; state.search = ''; refresh(); $('search').blur(); return; }
  if (typing) return;
  if (e.key === 'j' || e.key === 'k' || e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const rows = [...$('rows').children];
    if (!rows.length) return;
    const i = rows.indexOf(document.activeElement);
    const next = e.key === 'j' || e.key === 'ArrowDown' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1);
    rows[next].focus();
    e.preventDefault();
  }
});

async function start() {
  renderHead();
  showState({ title: 'Opening your workspace…', body: 'Loading leads from this browser’s storage.', busy: true });
  try {
    navigator.storage?.persist?.().catch(() => {});
    const opened = await engine.open();
    $('workspace-name').textContent = opened.workspace.name;
    $('storage-note').textContent = opened.seeded
      ? `Seeded ${opened.count.toLocaleString('en-US')} demo leads · stored only in this browser`
      : `${opened.count.toLocaleString('en-US')} leads loaded from this browser in ${opened.ms} ms`;
    document.body.dataset.seeded = String(opened.seeded);
    await fillSources();
    await refresh();
  } catch (error) {
    $('workspace-name').textContent = 'Workspace unavailable';
    showState({ title: 'leadkit could not open this workspace', body: error.message, action: ['Reload', () => location.reload()] });
    document.body.dataset.ready = 'error';
  }
}

start();
