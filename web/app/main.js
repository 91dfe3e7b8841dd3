// The page shell: a hash router over the screens in views/, the workspace switcher, and the link
// to the worker that owns the engine and storage. Screens only render what the worker returns.
import * as Comlink from '../vendor/comlink.mjs';
import { CURRENT_KEY, HEAP_KEY, engineWorker, savedWorkspace, tabId } from './boot.js';
import { describeError, el, stateBox, toast } from './ui.js';
import { fillCatalog } from './moves.js';

const ROUTES = {
  today: () => import('./views/today.js'),
  leads: () => import('./views/leads.js'),
  lead: () => import('./views/lead.js'),
  board: () => import('./views/board.js'),
  dashboard: () => import('./views/dashboard.js'),
  learn: () => import('./views/learn.js'),
  import: () => import('./views/import.js'),
  settings: () => import('./views/settings.js'),
  workspaces: () => import('./views/workspaces.js'),
};
const DEFAULT_ROUTE = 'leads';

const $ = (id) => document.getElementById(id);
const worker = Comlink.wrap(engineWorker);

/** What every screen gets: the worker, navigation, and a way to hear about data changes. */
const ctx = {
  worker,
  workspace: null,
  workspaces: [],
  navigate(hash) { location.hash = hash; },
  /** Runs a change through the worker; shows its error as a toast and reloads if storage refused it. */
  async run(promise, { success } = {}) {
    try {
      const result = await promise;
      if (success) toast(typeof success === 'function' ? success(result) : success, { tone: 'success' });
      if (result?.kept?.length) toast(keptMessage(result.kept), { timeout: 12_000 });
      return result;
    } catch (error) {
      toast(describeError(error), { tone: 'error' });
      if (error?.kind === 'deleted') showDeleted();
      else if (error?.kind === 'aborted') worker.restarted().then(rerender, () => {});
      else if (error?.kind === 'conflict' || error?.kind === 'storage') rerender();
      throw error;
    }
  },
  changed() { rerender(); },
  openWorkspace,
  refreshWorkspaces,
};
window.leadkit = { ctx };

/** What an undo left in place because it changed since: "Kept 1 later change: Zofia López (stage)". */
function keptMessage(kept) {
  const shown = kept.slice(0, 3).map((k) => `${k.name} (${k.fields.join(', ')})`).join('; ');
  const more = kept.length > 3 ? ` and ${kept.length - 3} more` : '';
  return `Kept ${kept.length === 1 ? 'a later change' : `later changes to ${kept.length} leads`}, made after the change you undid: ${shown}${more}.`;
}  // for tests and the curious: the same handle the screens use

let current = null;  // { name, param, cleanup }
let renderGeneration = 0;

function parseHash() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { name: ROUTES[name] ? name : DEFAULT_ROUTE, param: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

async function render() {
  const mine = ++renderGeneration;
  if (deferredSync && !HOLDS_STATE.has(parseHash().name)) {
    deferredSync = false;
    await syncWithStorage().catch(() => {});
    if (mine !== renderGeneration) return;
  }
  const { name, param } = parseHash();
  const view = $('view');
  try { current?.cleanup?.(); } catch { /* a screen failing to clean up must not block the next */ }
  current = null;
  for (const a of document.querySelectorAll('.sidebar a')) {
    const active = a.dataset.route === name || (name === 'lead' && a.dataset.route === 'leads');
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.dataset.ready = 'false';
  document.body.dataset.route = name;
  const box = el('div', { class: 'view-root' });
  view.replaceChildren(box);
  box.append(stateBox({ title: 'Loading…', busy: true }));
  try {
    const module = await ROUTES[name]();
    if (mine !== renderGeneration) return;
    box.replaceChildren();
    const cleanup = await module.mount(box, ctx, param);
    if (mine !== renderGeneration) { cleanup?.(); return; }
    current = { name, param, cleanup };
    document.title = `${module.title ?? name} · ${ctx.workspace?.name ?? 'leadkit'}`;
    document.body.dataset.ready = 'true';
  } catch (error) {
    if (mine !== renderGeneration) return;
    console.error(error);
    box.replaceChildren(stateBox({
      title: 'This screen could not be shown', body: describeError(error), tone: 'error',
      action: ['Try again', () => render()],
    }));
    document.body.dataset.ready = 'error';
  }
}
const rerender = () => render();

const leadCount = (n) => `${n.toLocaleString('en-US')} lead${n === 1 ? '' : 's'} · stored only in this browser`;

/**
 * Reloads the workspace list into the switcher and, unless told not to, the open workspace's lead
 * count into the top bar: screens that add or remove leads (an import) call it when they are done.
 * `list` is a workspace list the caller already has (the one open() returned).
 */
async function refreshWorkspaces({ count = true, list = null } = {}) {
  ctx.workspaces = list ?? await worker.workspaces();
  const select = $('workspace-select');
  select.replaceChildren(...ctx.workspaces.map((w) => el('option', { value: w.id, selected: w.id === ctx.workspace?.id }, w.name)));
  select.disabled = false;
  const open = ctx.workspaces.find((w) => w.id === ctx.workspace?.id);
  if (open) ctx.workspace = open;
  if (count && open) {
    const { total } = await worker.read('query', { limit: 1 });
    $('storage-note').textContent = leadCount(total);
  }
}

async function openWorkspace(id) {
  $('storage-note').textContent = 'Opening workspace…';
  const opened = await worker.open(id);
  ctx.workspace = opened.workspace;
  try {
    localStorage.setItem(CURRENT_KEY, opened.workspace.id);
    localStorage.setItem(HEAP_KEY, String(opened.heapBytes));
  } catch { /* storage may be off */ }
  $('storage-note').textContent = opened.seeded
    ? `Seeded ${opened.count.toLocaleString('en-US')} demo leads · stored only in this browser`
    : leadCount(opened.count);
  document.body.dataset.seeded = String(opened.seeded);
  await refreshWorkspaces({ count: false, list: opened.workspaces });
  closeNotice();
  showSetAside();
  return opened;
}

// Another tab wrote to a workspace: reload ours from storage if it was the open one. A screen in
// the middle of a flow of its own (the import wizard holds a chosen file) is not re-rendered
// under the user: the reload waits until they leave it, and its own write says what happened.
let deferredSync = false;
const HOLDS_STATE = new Set(['import']);
async function syncWithStorage() {
  const result = await worker.sync();
  if (result.deleted) { showDeleted(); return false; }
  if (result.changed) refreshWorkspaces().catch(() => {});
  return result.changed;
}
if (typeof BroadcastChannel === 'function') {
  new BroadcastChannel('leadkit').addEventListener('message', async (e) => {
    if (e.data?.type === 'workspaces') {
      await refreshWorkspaces();
      if (ctx.workspace && !ctx.workspaces.some((w) => w.id === ctx.workspace.id)) await syncWithStorage().catch(() => {});
      return;
    }
    if (e.data?.type !== 'changed' || e.data.workspaceId !== ctx.workspace?.id) return;
    if (e.data.tab && e.data.tab === tabId) return;  // this tab's own write: nothing to reload
    if (HOLDS_STATE.has(parseHash().name)) { deferredSync = true; return; }
    if (await syncWithStorage()) {
      toast('This workspace was changed in another tab; showing the latest version.');
      render();
    }
  });
}

// ---- notices that stay until acted on: storage closed, workspace deleted, records set aside ----
function notice(message, ...actions) {
  const banner = $('banner');
  banner.replaceChildren(el('span', {}, message), ...actions.map(([label, fn]) => el('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: fn }, label)));
  banner.hidden = false;
  banner.setAttribute('role', 'alert');
}
const closeNotice = () => { $('banner').hidden = true; $('banner').replaceChildren(); };

function saveFile(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function downloadBackup() {
  const text = await ctx.run(worker.exportBackup());
  const stamp = new Date().toISOString().slice(0, 10);
  saveFile(`${(ctx.workspace?.name ?? 'workspace').replace(/[^\w.-]+/g, '-')}-${stamp}.leadkit.json`, text, 'application/json');
}

function showDeleted() {
  notice(`“${ctx.workspace?.name ?? 'This workspace'}” was deleted in another tab. What this tab shows, with any change not saved, is kept here until you choose:`,
    ['Keep as a new workspace', async () => {
      const opened = await ctx.run(worker.keepAsNewWorkspace());
      closeNotice();
      await openWorkspace(opened.workspace.id);
      render();
    }],
    ['Download a backup', () => downloadBackup().catch(() => {})]);
}

async function showSetAside() {
  const items = await worker.setAside().catch(() => []);
  if (!items.length) return;
  const first = items[0];
  const what = items.length === 1 ? '1 record could not be read' : `${items.length} records could not be read`;
  notice(`${what} and was set aside (${first.label}: ${first.message}). Every other lead opened.`,
    ['Download it', async () => {
      for (const item of items) {
        const file = await ctx.run(worker.setAsideFile(item.id));
        saveFile(file.name, file.data, file.type);
      }
    }],
    ['Dismiss', async () => { await ctx.run(worker.dismissSetAside()); closeNotice(); }]);
}

worker.listen(Comlink.proxy((event) => {
  if (event.type === 'closed') {
    notice('leadkit was updated or its storage deleted in another tab. Reload this page to go on; changes made now cannot be saved.',
      ['Reload', () => location.reload()]);
  } else if (event.type === 'blocked') {
    notice('Another leadkit tab is holding on to an older version of its storage. Close the other leadkit tabs to go on.');
  }
}));

$('workspace-select').addEventListener('change', async (e) => {
  document.body.dataset.ready = 'false';  // the screen shows the old workspace until render()
  try {
    await ctx.run(openWorkspace(e.target.value));
  } finally {
    render();  // on a failed open the worker still has the workspace that was open
  }
});

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.target.closest('input, select, textarea, [contenteditable], dialog')) return;
  if (e.key === '/' ) {
    const search = document.querySelector('[data-search]');
    if (search) { e.preventDefault(); search.focus(); }
  } else if (e.altKey && /^[1-8]$/.test(e.key)) {
    const link = document.querySelectorAll('.sidebar a')[Number(e.key) - 1];
    if (link) { e.preventDefault(); location.hash = link.getAttribute('href'); }
  }
});

window.addEventListener('hashchange', render);

async function start() {
  $('view').replaceChildren(stateBox({ title: 'Opening your workspace…', body: 'Loading leads from this browser’s storage.', busy: true }));
  try {
    navigator.storage?.persist?.().catch(() => {});
    // The first screen's module loads while the worker opens the workspace.
    ROUTES[parseHash().name]().catch(() => { /* render() says why */ });
    await openWorkspace(savedWorkspace ?? undefined);
    // The core's lists (stages, grades, channels, ...) every screen reads, once, before the first.
    fillCatalog(await worker.read('catalog'));
    await render();
  } catch (error) {
    $('storage-note').textContent = 'Workspace unavailable';
    $('view').replaceChildren(stateBox({
      title: 'leadkit could not open this workspace', body: describeError(error), tone: 'error',
      action: ['Reload', () => location.reload()],
    }));
    document.body.dataset.ready = 'error';
  }
}

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register('./sw.js').catch(() => { /* the app works without offline caching */ });
}

start();
