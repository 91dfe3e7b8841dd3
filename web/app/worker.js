// The engine worker's first module. It has no static imports, so it runs as soon as the worker
// starts; while host.js and its modules load, it starts what opening a workspace waits for:
//  - the download and compile of the engine's wasm module;
//  - the engine's memory, as large as this tab's workspace needed last time (boot.js passes that
//    in the worker's name), each page of it written once now, while the worker would otherwise
//    wait. A page's first write is a page fault; loading 100k leads makes some 25k of them
//    (~0.25 s here), which this moves out of the load.
// The page's messages that come before host.js listens are kept and handed to it.
const params = new URLSearchParams(self.name);
const queued = [];
const keep = (event) => queued.push(event);
self.addEventListener('message', keep);

const wasmUrl = new URL('../lib/dist/leadkit.wasm', import.meta.url);
const module = WebAssembly.compileStreaming(fetch(wasmUrl))
  // A server that sends another MIME type still gets the module compiled, from the bytes.
  .catch(() => fetch(wasmUrl).then((response) => response.arrayBuffer()).then((bytes) => WebAssembly.compile(bytes)));
module.catch(() => { /* the engine's creation reports it */ });

const WASM_PAGE = 65536;
const MIN_PAGES = 256;      // the module's initial memory, 16 MB (Emscripten's INITIAL_MEMORY)
const MAX_PAGES = 32768;    // the module's limit, 2 GiB (leadkit.js preload)
const HINT_LIMIT = 1 << 30;  // a larger hint is not trusted
const SLICE = 4 << 20;       // bytes first written per task, so that the worker's other tasks run

let memory = null;
let stopped = false;
const heap = Number(params.get('heap'));
if (Number.isFinite(heap) && heap > 0 && heap <= HINT_LIMIT) {
  try {
    memory = new WebAssembly.Memory({ initial: Math.max(MIN_PAGES, Math.ceil(heap / WASM_PAGE)), maximum: MAX_PAGES });
  } catch { /* not that much memory to spare: the module makes its own */ }
}

// Writes a zero to each system page, a slice per task, until done or stopped. Nothing else uses
// the memory until it is stopped: host.js stops it before the module is instantiated.
function prefault() {
  const bytes = new Uint8Array(memory.buffer);
  const page = 4096;
  let at = 0;
  const channel = new MessageChannel();
  const step = () => {
    if (stopped) {
      channel.port1.close();
      return;
    }
    const end = Math.min(bytes.length, at + SLICE);
    for (; at < end; at += page) bytes[at] = 0;
    if (at < bytes.length) channel.port2.postMessage(null);
    else channel.port1.close();
  };
  channel.port1.onmessage = step;
  step();
}
if (memory) prefault();

import('./host.js').then(({ start }) => {
  self.removeEventListener('message', keep);
  start({ open: params.get('open'), module, memory, stopPrefault: () => { stopped = true; }, queued });
});
