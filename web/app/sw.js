// The service worker: keeps a copy of the app shell so leadkit opens and works with the network off.
//
// Strategy: network first, cache as fallback, for every same-origin GET. Online, each file comes
// from the server (so a developer or an update never gets a stale file) and the fresh copy
// replaces the cached one; offline, the last copy seen is served. A cache-first worker would open
// a little faster but needs a version bump on every change to avoid serving stale code; with the
// engine and data in a worker, the shell is small and the saving is not worth that risk.
// Cross-origin requests are never made by the app; the worker leaves them alone.

const CACHE = 'leadkit-shell-v1';

// The app shell, relative to this file. tests/e2e/app.test.mjs fails if a file under views/ or a
// route of main.js is missing here, or if a listed file does not exist.
const SHELL = [
  './', 'index.html', 'boot.js', 'main.js', 'ui.js', 'worker.js', 'host.js', 'storage.js', 'undo.js', 'charts.js', 'moves.js', 'styles.css', 'icon.svg',
  'manifest.webmanifest',
  'views/today.js', 'views/leads.js', 'views/lead.js', 'views/board.js', 'views/dashboard.js', 'views/learn.js',
  'views/import.js', 'views/settings.js', 'views/workspaces.js',
  '../lib/leadkit.js', '../lib/dist/leadkit.mjs', '../lib/dist/leadkit.wasm',
  '../vendor/comlink.mjs', '../vendor/idb.js', '../vendor/chart.umd.min.js',
];

self.addEventListener('install', (event) => {
  // Each file on its own: one missing file must not leave the whole shell uncached.
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.allSettled(
    SHELL.map((path) => fetch(new Request(path, { cache: 'no-cache' })).then((response) => {
      if (response.ok) return cache.put(new URL(path, self.location).href, response);
      return undefined;
    })),
  )).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('leadkit-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') cache.put(stripHash(request.url), response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(stripHash(request.url), { ignoreSearch: true })
      ?? (request.mode === 'navigate' ? await cache.match(new URL('index.html', self.location).href) : undefined);
    if (cached) return cached;
    throw error;
  }
}

function stripHash(url) {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}
