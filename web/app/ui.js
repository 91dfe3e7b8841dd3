// Shared DOM helpers and formatters for every screen. User text only ever goes in as text nodes
// or attribute values: nothing here parses HTML.

// The core's lists (engine.catalog()), filled in place by fillCatalog once at start, before the
// first screen renders: screens import these tables and read them as they render.
export const STAGES = [];        // [[name, label], ...] in lifecycle order
export const STAGE_LABEL = {};   // name → label
export const OPEN_STAGES = [];   // still being worked: new … opportunity
export const FUNNEL_STAGES = []; // every stage a lead may reach without a reason: new … customer
export const CLOSED_STAGES = []; // the stages that need a reason: lost, disqualified
export const GRADES = [];        // best first
export const SOURCE_LABEL = {};  // channel → label, the default channels and the workspace's
export const DIRECTION_LABEL = {};
export const BANT_STATUSES = []; // [[name, label], ...]
/** The whole catalog, for lists only one screen reads (settings: fields, decays, guards, ...). */
export const CATALOG = {};
/** Fills the tables above from the engine's catalog, in place (keeping every import's binding). */
export function fillCatalog(catalog) {
  const refill = (target, entries) => {
    if (Array.isArray(target)) target.splice(0, target.length, ...entries);
    else { for (const k of Object.keys(target)) delete target[k]; Object.assign(target, Object.fromEntries(entries)); }
  };
  refill(STAGES, catalog.stages.map((s) => [s.name, s.label]));
  refill(STAGE_LABEL, catalog.stages.map((s) => [s.name, s.label]));
  refill(OPEN_STAGES, catalog.stages.filter((s) => s.open).map((s) => s.name));
  refill(FUNNEL_STAGES, catalog.stages.filter((s) => !s.needsReason).map((s) => s.name));
  refill(CLOSED_STAGES, catalog.stages.filter((s) => s.needsReason).map((s) => s.name));
  refill(GRADES, catalog.grades);
  refill(SOURCE_LABEL, [...catalog.defaultChannels, ...catalog.channels].map((c) => [c.name, c.label]));
  refill(DIRECTION_LABEL, catalog.directions.map((d) => [d.name, d.label]));
  refill(BANT_STATUSES, catalog.bantStatuses.map((b) => [b.name, b.label]));
  refill(CATALOG, Object.entries(catalog));
}
export const DAY = 86_400_000;

// On a phone the last screens of the navigation sit in a "More" menu (a popover, index.html): it
// closes once a screen is picked, however it was picked.
if (typeof window === 'object') {
  window.addEventListener('hashchange', () => {
    const menu = document.getElementById('nav-more-menu');
    if (menu?.matches(':popover-open')) menu.hidePopover();
  });
}

/** el('button', { class, onclick, 'aria-label': … }, ...children): children are nodes or text. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}
export const text = (s, cls) => (cls ? el('span', { class: cls }, s) : document.createTextNode(s ?? ''));
export const twoLine = (a, b, cls = '') => el('div', { class: 'two-line' }, el('span', { class: 'primary' }, a), el('span', { class: 'secondary ' + cls }, b));

export const fullName = (l) => [l.firstName, l.lastName].filter(Boolean).join(' ') || l.email || l.company || l.id;
export const sourceLabel = (s = 'unknown') => SOURCE_LABEL[s] ?? String(s).replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
export const directionLabel = (d) => DIRECTION_LABEL[d] ?? DIRECTION_LABEL.unknown ?? 'Unknown direction';

// Building an Intl formatter costs far more than formatting with one (toLocaleString with options
// builds one per call), and a table formats thousands of cells a second: build each once.
const moneyFormats = new Map();  // currency → Intl.NumberFormat, or null when the code is unknown
function moneyFormat(currency) {
  const code = currency || 'USD';
  let format = moneyFormats.get(code);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency: code, maximumFractionDigits: 0 });
    } catch {
      format = null;
    }
    if (moneyFormats.size < 500) moneyFormats.set(code, format);
  }
  return format;
}
const integerFormat = new Intl.NumberFormat('en-US');
const numberFormats = new Map();  // fraction digits → Intl.NumberFormat
const compactMoneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const shortDateFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
const formatDate = (format, iso) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : format.format(date);
};

export function money(v, currency) {
  if (v == null || !Number.isFinite(v)) return '—';
  const format = moneyFormat(currency);
  return format ? format.format(v) : `${integerFormat.format(Math.round(v))} ${currency}`;
}
export function compactMoney(v) {
  if (v == null || !Number.isFinite(v)) return '—';
  return compactMoneyFormat.format(v);
}
export function number(v, digits = 0) {
  if (v == null || !Number.isFinite(v)) return '—';
  let format = numberFormats.get(digits);
  if (!format) numberFormats.set(digits, format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));
  return format.format(v);
}
export const percent = (v, digits = 0) => (v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`);
export const shortDate = (iso) => (iso ? formatDate(shortDateFormat, iso) : '—');
export const dateTime = (iso) => (iso ? formatDate(dateTimeFormat, iso) : '—');
export const lastTouch = (l) => (l.touches ?? []).reduce((m, t) => (t.at > m ? t.at : m), '');
export function daysAgo(iso) {
  if (!iso) return '—';
  const days = Math.floor((Date.now() - Date.parse(iso)) / DAY);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}

export function stageBadge(stage, reason) {
  const badge = el('span', { class: `badge stage-${stage}` }, STAGE_LABEL[stage] ?? stage);
  if (reason) badge.title = reason;
  return badge;
}
/**
 * The fit grade (who the lead is, from the profile; not the total score) as a badge that says so:
 * "fit B-". Two leads with the same total can have different fit grades.
 */
export function gradeBadge(grade) {
  if (!grade) return text('—', 'muted');
  return el('span', { class: `grade grade-${grade[0]}`, title: `Fit grade ${grade}: who the lead is, from the profile. The score beside it is the total of fit, engagement and rules.` },
    el('span', { class: 'grade-kind' }, 'fit '), grade);
}

/** A centred empty, loading or error state: { title, body, action: [label, fn], busy, tone }. */
export function stateBox({ title, body, action, busy, tone } = {}) {
  return el('div', { class: `state-box${tone ? ' tone-' + tone : ''}`, role: tone === 'error' ? 'alert' : 'status' },
    busy ? el('div', { class: 'spinner', 'aria-hidden': 'true' }) : null,
    el('h2', {}, title),
    body ? el('p', {}, body) : null,
    action ? el('button', { type: 'button', class: 'primary-button', onclick: action[1] }, action[0]) : null);
}

/** A page header: title, optional subtitle, and actions on the right. */
export function pageHeader(title, subtitle, ...actions) {
  return el('header', { class: 'page-header' },
    el('div', {}, el('h1', {}, title), subtitle ? el('p', { class: 'subtitle' }, subtitle) : null),
    el('div', { class: 'page-actions' }, ...actions));
}

export function button(label, onclick, { kind = 'secondary', ...props } = {}) {
  return el('button', { type: 'button', class: `btn btn-${kind}`, onclick, ...props }, label);
}

// ---- toasts ------------------------------------------------------------------------------------
/** Shows a short message; { action: [label, fn], tone: 'error' | 'success', timeout } */
export function toast(message, { action, tone, timeout = 6000 } = {}) {
  const region = document.getElementById('toasts');
  const close = () => item.remove();
  const item = el('div', { class: `toast${tone ? ' tone-' + tone : ''}`, role: tone === 'error' ? 'alert' : 'status' },
    el('span', {}, message),
    action ? el('button', { type: 'button', class: 'link', onclick: () => { close(); action[1](); } }, action[0]) : null,
    el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: close }, '×'));
  region.append(item);
  if (timeout) setTimeout(close, tone === 'error' ? timeout * 2 : timeout);
  return close;
}

// ---- modal dialog --------------------------------------------------------------------------------
const FIELDS = 'input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)';

/**
 * Opens a modal <dialog> with a title, body nodes and buttons; resolves with the value of the
 * button pressed (or null on Esc). buttons: [{ label, value, kind }]; a button whose value is false
 * or null cancels. Enter confirms the primary action (the first button that does not cancel) from
 * any field but a text area, where Ctrl+Enter does; Esc cancels. The first field has focus while
 * it is open (the primary button when there is no field, Cancel when the action is dangerous), and
 * focus returns to what had it before. onSubmit(value) may return true to keep the dialog open.
 */
export function dialog({ title, body = [], buttons = [{ label: 'OK', value: true, kind: 'primary' }], onSubmit } = {}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const box = el('dialog', { class: 'modal', 'aria-labelledby': 'modal-title' });
    const form = el('form', { method: 'dialog' });
    const footer = el('footer', { class: 'modal-actions' });
    const cancels = (b) => b.value === false || b.value === null;
    // Cancel is not a submit button, so that a form's implicit submission (Enter) never picks it.
    const nodes = buttons.map((b) => el('button', {
      type: cancels(b) ? 'button' : 'submit', class: `btn btn-${b.kind ?? 'secondary'}`, value: String(b.value),
      onclick: cancels(b) ? () => box.close(String(b.value)) : null,
    }, b.label));
    footer.append(...nodes);
    const primary = nodes[buttons.findIndex((b) => !cancels(b))];
    form.append(el('h2', { id: 'modal-title' }, title), el('div', { class: 'modal-body' }, ...body), footer);
    box.append(form);
    form.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing || !primary || e.target.closest('button')) return;
      if (e.target.matches('textarea') && !(e.ctrlKey || e.metaKey)) return;  // a new line
      e.preventDefault();
      form.requestSubmit(primary);
    });
    form.addEventListener('submit', (e) => {
      const value = e.submitter?.value;
      if (onSubmit && value && value !== 'false') {
        const problem = onSubmit(value);
        if (problem) { e.preventDefault(); return; }
      }
    });
    box.addEventListener('close', () => {
      const found = buttons.find((b) => String(b.value) === box.returnValue);
      box.remove();
      if (opener?.isConnected && opener !== document.body) opener.focus();
      resolve(found ? found.value : null);
    });
    document.body.append(box);
    box.showModal();
    const danger = primary?.classList.contains('btn-danger');
    const field = [...box.querySelectorAll(FIELDS)].find((f) => f.type !== 'radio' || f.checked)
      ?? box.querySelector(FIELDS);
    (field ?? (danger ? nodes.find((n, i) => cancels(buttons[i])) : primary) ?? primary)?.focus();
  });
}

export async function confirmDialog(title, message, { confirm = 'Confirm', danger = false } = {}) {
  return (await dialog({
    title, body: [el('p', {}, message)],
    buttons: [{ label: 'Cancel', value: false }, { label: confirm, value: true, kind: danger ? 'danger' : 'primary' }],
  })) === true;
}

/** Asks for one line of text; resolves with it, or null when cancelled. */
export async function promptDialog(title, label, initial = '', { confirm = 'Save' } = {}) {
  const input = el('input', { type: 'text', class: 'input', value: initial, required: true, maxlength: '80', 'aria-label': label });
  const answer = await dialog({
    title, body: [el('label', { class: 'field' }, el('span', {}, label), input)],
    buttons: [{ label: 'Cancel', value: false }, { label: confirm, value: true, kind: 'primary' }],
  });
  return answer === true ? input.value.trim() : null;
}

/** Saves text (or a Blob) as a file download. */
export function download(name, content, type = 'application/json') {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A readable message for an error from the worker, with where it happened when known. */
export function describeError(error) {
  const where = error?.where;
  const at = where && (where.path || where.row || where.line)
    ? ` (${[where.row && `row ${where.row}`, where.line && `line ${where.line}${where.column ? `:${where.column}` : ''}`, where.path].filter(Boolean).join(', ')})`
    : '';
  return `${error?.message ?? error}${at}`;
}
