// Pipeline board: one column per lifecycle stage with its count and value. Drag a card (or focus
// it and press m) to move the lead; a refused move says which guard refused and the card snaps back.
import {
  STAGES, STAGE_LABEL, compactMoney, daysAgo, describeError, el, fullName, gradeBadge, lastTouch, money,
  pageHeader, sourceLabel, stateBox, toast,
} from '../ui.js';
import { moveLead, pickStage } from '../moves.js';

export const title = 'Pipeline';

const PAGE = 50;

export async function mount(root, ctx) {
  const { worker } = ctx;
  const state = { source: '', direction: '', search: '', shown: {} };
  let disposed = false;

  const search = el('input', { type: 'search', class: 'input', placeholder: 'Search name, company or e-mail', 'aria-label': 'Search the board', size: "30", 'data-search': '', autocomplete: 'off' });
  const sourceSelect = el('select', { class: 'input', 'aria-label': 'Source' }, el('option', { value: '' }, 'All sources'));
  const directionSelect = el('select', { class: 'input', 'aria-label': 'Direction' },
    el('option', { value: '' }, 'Inbound and outbound'), el('option', { value: 'inbound' }, 'Inbound'), el('option', { value: 'outbound' }, 'Outbound'));
  const board = el('div', { class: 'board', role: 'region', 'aria-label': 'Pipeline board: drag a card, or focus it and press m, to move a lead' });
  const live = el('div', { class: 'visually-hidden', 'aria-live': 'polite' });
  // Eight stages do not fit every screen: the board scrolls sideways, and says so with faded edges
  // and two buttons that page through the columns.
  const earlier = el('button', { type: 'button', class: 'btn btn-small board-scroll', onclick: () => page(-1) }, '‹ Earlier stages');
  const later = el('button', { type: 'button', class: 'btn btn-small board-scroll', onclick: () => page(1) }, 'Later stages ›');
  const scrollNav = el('div', { class: 'board-scroll-nav', role: 'group', 'aria-label': 'Scroll the board' }, earlier, later);
  const wrap = el('div', { class: 'board-wrap' }, board);
  root.append(
    pageHeader('Pipeline', 'Drag a card to another stage, or focus it and press M.'),
    el('section', { class: 'toolbar', 'aria-label': 'Filters' }, search, sourceSelect, directionSelect, scrollNav),
    wrap, live);

  function page(step) {
    const width = board.querySelector('.board-col')?.getBoundingClientRect().width ?? 200;
    const columnsInView = Math.max(1, Math.floor(board.clientWidth / (width + 8)));
    board.scrollBy({ left: step * columnsInView * (width + 8), behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  }
  function paintScroll() {
    const max = board.scrollWidth - board.clientWidth;
    const left = board.scrollLeft > 1;
    const right = board.scrollLeft < max - 1;
    wrap.classList.toggle('has-left', left);
    wrap.classList.toggle('has-right', right);
    scrollNav.hidden = max <= 1;
    earlier.disabled = !left;
    later.disabled = !right;
  }
  board.addEventListener('scroll', paintScroll, { passive: true });
  const resize = new ResizeObserver(paintScroll);
  resize.observe(board);

  const columns = new Map();  // stage → { node, list, head, more }
  for (const [stage, label] of STAGES) {
    const count = el('span', { class: 'board-count' });
    const value = el('span', { class: 'board-value' });
    const list = el('ol', { class: 'board-list', 'aria-label': `${label} leads` });
    const more = el('button', { type: 'button', class: 'btn btn-small btn-ghost board-more', hidden: true, onclick: () => showMore(stage) }, 'Show more');
    const node = el('section', { class: `board-col stage-${stage}`, dataset: { stage }, 'aria-label': label },
      el('header', { class: 'board-head' }, el('h2', {}, label), count, value), list, more);
    node.addEventListener('dragover', (e) => { if (dragging) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; node.classList.add('is-over'); } });
    node.addEventListener('dragleave', (e) => { if (!node.contains(e.relatedTarget)) node.classList.remove('is-over'); });
    node.addEventListener('drop', (e) => {
      e.preventDefault();
      node.classList.remove('is-over');
      const id = e.dataTransfer.getData('text/x-leadkit-id') || dragging?.id;
      if (id) move(id, stage);
    });
    columns.set(stage, { node, list, count, value, more, rows: [] });
    board.append(node);
  }

  let dragging = null;  // { id, from }

  const filter = (stage) => {
    const f = { stage };
    if (state.source) f.source = state.source;
    if (state.direction) f.direction = state.direction;
    return f;
  };

  // A column's leads, the highest score first.
  function fetchColumn(stage, limit) {
    return worker.read('query', { filter: filter(stage), search: state.search || undefined,
      sort: { field: 'score', order: 'desc' }, limit });
  }

  async function loadColumn(stage) {
    const col = columns.get(stage);
    const limit = state.shown[stage] ?? PAGE;
    const result = await fetchColumn(stage, limit);
    if (disposed) return;
    col.rows = result.rows;
    col.total = result.total;
    col.list.replaceChildren(...result.rows.map((lead) => card(lead, stage)));
    if (!result.rows.length) col.list.append(el('li', { class: 'board-empty' }, emptyText(stage)));
    col.more.hidden = result.total <= result.rows.length;
    col.more.textContent = `Show more (${(result.total - result.rows.length).toLocaleString('en-US')} not shown)`;
  }

  async function loadSummary() {
    const f = {};
    if (state.source) f.source = state.source;
    if (state.direction) f.direction = state.direction;
    const summary = await worker.read('summary', { filter: f, search: state.search || undefined });
    if (disposed) return summary;
    for (const [stage, col] of columns) {
      const n = summary.byStage?.[stage] ?? 0;
      const value = summary.valueByStage?.[stage] ?? 0;
      col.count.textContent = n.toLocaleString('en-US');
      col.count.setAttribute('aria-label', `${n} lead${n === 1 ? '' : 's'}`);
      col.value.textContent = value ? compactMoney(value) : '';
      col.value.title = value ? `${money(value)} in deal value` : '';
    }
    return summary;
  }

  async function reload(stages = [...columns.keys()]) {
    const [summary] = await Promise.all([loadSummary(), ...stages.map(loadColumn)]);
    if (disposed) return;
    wrap.hidden = false;
    emptyBox?.remove();
    if (!summary.total) {
      emptyBox = stateBox(state.search || state.source || state.direction
        ? { title: 'No leads match these filters', body: 'Clear the search or the filters to see the whole pipeline.', action: ['Clear filters', clearFilters] }
        : { title: 'No leads in this workspace yet', body: 'Import a CSV or add a lead, and it will show up here under New.', action: ['Import a CSV', () => ctx.navigate('#/import')] });
      wrap.hidden = true;
      root.append(emptyBox);
    }
    paintScroll();
  }
  let emptyBox = null;

  function emptyText(stage) {
    return stage === 'customer' ? 'No customers yet: won deals land here.'
      : stage === 'lost' || stage === 'disqualified' ? 'None, and each one here keeps its reason.'
        : 'No leads here. Drag a card in to move it.';
  }

  function card(lead, stage) {
    const score = lead.score;
    const last = lastTouch(lead);
    const name = fullName(lead);
    const node = el('li', {
      class: 'board-card', draggable: 'true', tabindex: '0', dataset: { id: lead.id, stage },
      'aria-label': `${name}, ${lead.company ?? 'no company'}, score ${score ? Math.round(score.total) : 'unknown'}. Press Enter to open, M to move.`,
    },
    el('div', { class: 'board-card-top' },
      el('a', { href: `#/lead/${encodeURIComponent(lead.id)}`, class: 'board-name', tabindex: '-1', draggable: 'false' }, name),
      score ? el('span', { class: 'board-score' }, el('strong', {}, String(Math.round(score.total))), gradeBadge(score.grade)) : el('span', { class: 'muted' }, '—')),
    el('div', { class: 'board-company' }, lead.company ?? '—'),
    el('div', { class: 'board-meta' },
      el('span', { class: 'board-deal' }, lead.dealValue == null ? '' : money(lead.dealValue, lead.currency)),
      el('span', { class: 'board-touch', title: last ? `Last touch ${last}` : 'Never touched' }, last ? daysAgo(last) : 'no touch'),
      el('button', { type: 'button', class: 'board-move-btn', 'aria-label': `Move ${name}`, tabindex: '-1', onclick: () => keyboardMove(lead, stage) }, 'Move')));
    node.addEventListener('dragstart', (e) => {
      dragging = { id: lead.id, from: stage };
      e.dataTransfer.setData('text/x-leadkit-id', lead.id);
      e.dataTransfer.effectAllowed = 'move';
      node.classList.add('is-dragging');
    });
    node.addEventListener('dragend', () => { node.classList.remove('is-dragging'); dragging = null; for (const c of columns.values()) c.node.classList.remove('is-over'); });
    node.addEventListener('keydown', (e) => {
      if (e.target !== node) return;
      if (e.key === 'Enter') { e.preventDefault(); ctx.navigate(`#/lead/${encodeURIComponent(lead.id)}`); }
      else if (e.key === 'm' || e.key === 'M') { e.preventDefault(); keyboardMove(lead, stage); }
      else if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); node.nextElementSibling?.focus(); }
      else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); node.previousElementSibling?.focus(); }
      else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') { e.preventDefault(); focusColumn(stage, e.key === 'ArrowRight' ? 1 : -1); }
    });
    node.addEventListener('click', (e) => {
      if (e.target.closest('button')) return;
      if (e.target.closest('a')) return;  // the link navigates itself
      ctx.navigate(`#/lead/${encodeURIComponent(lead.id)}`);
    });
    return node;
  }

  function focusColumn(stage, step) {
    const keys = [...columns.keys()];
    for (let i = keys.indexOf(stage) + step; i >= 0 && i < keys.length; i += step) {
      const first = columns.get(keys[i]).list.querySelector('.board-card');
      if (first) { first.focus(); return; }
    }
  }

  async function keyboardMove(lead, from) {
    const to = await pickStage(from, fullName(lead));
    if (to) await move(lead.id, to, { refocus: true });
  }

  async function move(id, to, { refocus = false } = {}) {
    const cardNode = board.querySelector(`.board-card[data-id="${CSS.escape(id)}"]`);
    const from = cardNode?.dataset.stage;
    if (!cardNode || from === to) return;
    const name = cardNode.querySelector('.board-name')?.textContent ?? 'this lead';
    const home = { parent: cardNode.parentNode, next: cardNode.nextSibling };
    // Optimistic: the card moves now and snaps back if the engine refuses.
    columns.get(to).list.querySelector('.board-empty')?.remove();
    columns.get(to).list.prepend(cardNode);
    cardNode.classList.add('is-pending');
    try {
      const result = await moveLead(ctx, id, to, { name });
      if (!result) { snapBack(); return; }
      toast(`Moved ${name} to ${STAGE_LABEL[to]}`, { tone: 'success' });
      live.textContent = `${name} moved to ${STAGE_LABEL[to]}`;
      await reload([from, to]);
      if (refocus) board.querySelector(`.board-card[data-id="${CSS.escape(id)}"]`)?.focus();
    } catch (error) {
      snapBack();
      const message = `${name} was not moved to ${STAGE_LABEL[to]}: ${error.message}`;
      toast(message, { tone: 'error' });
      live.textContent = message;
      if (error.kind === 'conflict' || error.kind === 'storage') ctx.changed();
    }
    function snapBack() {
      cardNode.classList.remove('is-pending');
      home.parent.insertBefore(cardNode, home.next && home.next.parentNode === home.parent ? home.next : null);
      cardNode.classList.add('snap-back');
      setTimeout(() => cardNode.classList.remove('snap-back'), 600);
      if (refocus) cardNode.focus();
    }
  }

  function showMore(stage) {
    state.shown[stage] = (state.shown[stage] ?? PAGE) + PAGE;
    loadColumn(stage).catch((error) => toast(describeError(error), { tone: 'error' }));
  }

  function clearFilters() {
    Object.assign(state, { source: '', direction: '', search: '', shown: {} });
    search.value = '';
    sourceSelect.value = '';
    directionSelect.value = '';
    reload();
  }

  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = search.value.trim(); state.shown = {}; reload(); }, 150);
  });
  sourceSelect.addEventListener('change', () => { state.source = sourceSelect.value; state.shown = {}; reload(); });
  directionSelect.addEventListener('change', () => { state.direction = directionSelect.value; state.shown = {}; reload(); });

  const summary = await worker.read('summary');
  sourceSelect.append(...Object.keys(summary.bySource ?? {}).sort().map((s) => el('option', { value: s }, `${sourceLabel(s)} (${summary.bySource[s]})`)));
  await reload();
  return () => { disposed = true; clearTimeout(timer); resize.disconnect(); };
}
