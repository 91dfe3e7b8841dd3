// Writes a screenshot of every screen, light and dark, into screens/ (git-ignored), so anyone can
// look at what the app shows. Needs the app served: run through ./scripts/screens.
import { mkdirSync } from 'node:fs';
import { launch } from '../tests/e2e/browser.mjs';
import { startServer } from './serve.mjs';

const out = new URL('../screens/', import.meta.url);
mkdirSync(out, { recursive: true });
const server = await startServer({ port: 0 });
const base = `http://127.0.0.1:${server.address().port}`;
for (const scheme of ['light', 'dark']) {
  const context = await launch({ colorScheme: scheme });
  const page = await context.newPage();
  await page.goto(`${base}/app/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.screenshot({ path: new URL(`leads-${scheme}.png`, out).pathname });
  await page.fill('#search', 'zzzz-no-such-lead');
  await page.waitForSelector('#state:not([hidden])');
  await page.screenshot({ path: new URL(`leads-empty-${scheme}.png`, out).pathname });
  await context.close();
}
server.close();
console.log(`screenshots written to ${out.pathname}`);
