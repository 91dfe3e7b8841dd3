// Debian's Chromium driven by playwright-core: never a downloaded browser (docs/toolchain.md §8).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A fresh profile folder, for launch({ profile }) to open again after a crash. */
export const newProfile = () => mkdtempSync(join(tmpdir(), 'leadkit-chromium-'));

/** A persistent context (so IndexedDB survives reloads) in a fresh profile folder, or `profile`. */
export async function launch({ colorScheme = 'light', viewport = { width: 1440, height: 900 }, profile = newProfile() } = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps'],
  });
}

/** Waits until the app has rendered its screen, and fails with what it shows if that is an error. */
export async function ready(page) {
  await page.waitForSelector('body[data-ready="true"], body[data-ready="error"]', { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#view'));
}

/** Opens the app served at `base` on a screen, and waits for it. */
export async function openApp(page, base, hash = '#/leads') {
  await page.goto(`${base}/app/${hash}`);
  await ready(page);
}

/** Waits until the app shows `route` rendered, and fails with what it shows if that is an error. */
export async function readyOn(page, route) {
  await page.waitForFunction((r) => document.body.dataset.route === r
    && (document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'), route, { timeout: 30_000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#view'));
}

/** Moves the app to another screen as a link would, and waits for it. */
export async function goTo(page, route) {
  await page.evaluate((r) => { location.hash = `#/${r}`; }, route);
  await readyOn(page, route);
}

/**
 * The app served on a free port in a fresh browser, one page open on `route`: { base, context,
 * page, errors (the page's uncaught errors), close() }.
 */
export async function appSession(route) {
  const server = await startServer({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}`;
  const context = await launch();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/app/#/${route}`);
  await readyOn(page, route);
  return {
    base, context, page, errors,
    async close() {
      await context.close();
      server.close();
    },
  };
}
