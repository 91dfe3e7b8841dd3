// Debian's Chromium driven by playwright-core: never a downloaded browser (TOOLCHAIN.md #8).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A persistent context (so IndexedDB survives reloads) in a fresh profile folder. */
export async function launch({ colorScheme = 'light', viewport = { width: 1440, height: 900 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'leadkit-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    colorScheme,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps'],
  });
}
