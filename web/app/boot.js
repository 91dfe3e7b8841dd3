// The first script of the page, with no imports so that it runs as soon as it has loaded: it
// starts the worker that owns the engine and storage, and tells it, in its name, which workspace
// this tab had open and how much memory that workspace needed, so that the worker prepares and
// reads it while the page still loads its own modules (worker.js). main.js imports this instance.
export const CURRENT_KEY = 'leadkit.workspace';
export const HEAP_KEY = 'leadkit.heap';  // bytes of wasm memory the open workspace needed

let saved = null;
let heap = null;
try {
  saved = localStorage.getItem(CURRENT_KEY);
  heap = localStorage.getItem(HEAP_KEY);
} catch { /* storage may be off */ }

/** The workspace this tab had open last time, if any. */
export const savedWorkspace = saved;

/** This tab's id: its worker signs the changes it broadcasts, so the tab can tell its own. */
export const tabId = Math.random().toString(36).slice(2);
const name = new URLSearchParams();
name.set('tab', tabId);
if (saved) name.set('open', saved);
if (saved && heap) name.set('heap', heap);
export const engineWorker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: String(name) });
