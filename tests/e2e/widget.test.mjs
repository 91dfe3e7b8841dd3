// The website widget on its demo host site, in Debian's Chromium: tracking raises the score, the
// form appears at its threshold, a lead is captured locally and imports into the main engine,
// consent and forget() hold, no request leaves the widget's own files, and the host's styles
// stay as they were.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { BUDGET, widgetSize } from '../../scripts/widget-size.mjs';
import { createEngine } from '../../web/lib/leadkit.js';

const demoConfig = JSON.parse(readFileSync(new URL('../../web/widget/leadkit.json', import.meta.url), 'utf8'));
let server, base, context;

before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  context = await launch();
  // Records the widget's DOM events from before any page script runs (an init script is not
  // subject to the page's CSP).
  await context.addInitScript(() => {
    window.__lk = [];
    for (const name of ['score', 'qualified', 'lead']) {
      document.addEventListener(`leadkit:${name}`, (e) => window.__lk.push({ name, detail: e.detail }));
    }
  });
});
after(async () => {
  await context?.close();
  server?.close();
});
beforeEach(async () => {
  await context.unrouteAll();
  const page = await context.newPage();
  await page.goto(`${base}/widget/index.html`);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

/** Opens a demo page and waits for the widget; returns the page and its console errors. */
async function visit(path, page) {
  page ??= await context.newPage();
  page.errors ??= [];
  if (!page.listening) {
    page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && page.errors.push(m.text()));
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.listening = true;
  }
  await page.goto(`${base}/widget/${path}`);
  await page.waitForFunction(() => window.leadkit?.score);
  return page;
}
const score = (page) => page.evaluate(() => window.leadkit.score().score);
const widgetKeys = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('leadkit:')));
const serveConfig = (config) => context.route('**/widget/leadkit.json', (route) =>
  route.fulfill({ contentType: 'application/json', body: typeof config === 'string' ? config : JSON.stringify(config) }));

test('the widget and its slim wasm come to 60 KB gzipped or less', () => {
  const { js, wasm, total } = widgetSize();
  console.log(`widget: js ${js} B + wasm ${wasm} B = ${total} B gzipped`);
  assert.ok(total <= BUDGET, `${total} bytes`);
});

test('visiting pages raises the score, and the form appears at its threshold', async () => {
  const page = await visit('index.html');
  assert.equal(await score(page), 5, 'a page view');
  await page.click('#consent-accept');
  await visit('pricing.html', page);
  assert.equal(await score(page), 25, 'a page view and a pricing view');
  assert.match(await page.textContent('[data-leadkit] >> .c h2'), /Comparing plans/, 'the call-to-action at 20');
  assert.equal(await page.locator('[data-leadkit] >> form').count(), 0, 'no form below 35');
  await visit('contact.html', page);
  assert.equal(await score(page), 40);
  await page.waitForSelector('[data-leadkit] >> form');
  const labels = await page.locator('[data-leadkit] >> label').allTextContents();
  assert.deepEqual(labels.map((l) => l.trim()), ['First name *', 'Work e-mail *', 'Company', 'Team size1-1011-5051-200200+']);
  const events = await page.evaluate(() => window.__lk.map((e) => e.name));
  assert.ok(events.includes('score') && events.includes('qualified'), events.join());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('time on page, scroll depth, UTM source, return visits and form interactions become events', async () => {
  await serveConfig({ ...demoConfig, consent: 'none', timeOnPage: 1 });
  const page = await visit('index.html?utm_source=newsletter&utm_medium=cpc&utm_campaign=q3');
  const before = await score(page);
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForFunction((s) => window.leadkit.score().score > s, before);
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('leadkit:northwind_demo:visitor')).events.some((e) => e.type === 'time_on_page'));
  const state = await page.evaluate(() => JSON.parse(localStorage.getItem('leadkit:northwind_demo:visitor')));
  assert.equal(state.source, 'paid_ads');
  assert.deepEqual(state.utm, { utmSource: 'newsletter', utmMedium: 'cpc', utmCampaign: 'q3' });
  const types = state.events.map((e) => e.type);
  for (const t of ['page_view', 'scroll_depth', 'time_on_page']) assert.ok(types.includes(t), types.join());
  assert.ok(state.events.find((e) => e.type === 'scroll_depth').props.percent >= 75);
  assert.equal((await page.evaluate(() => window.leadkit.score().rules)).find((r) => r.label === 'Clicked an ad').points, 5);

  await visit('contact.html', page);
  await page.focus('#contact-form input[name=name]');
  await page.fill('#contact-form input[name=name]', 'Ada');
  await page.fill('#contact-form input[name=email]', 'ada@example.com');
  await page.click('#contact-form button');
  await page.waitForFunction(() => ['form_start', 'form_submit'].every((t) =>
    JSON.parse(localStorage.getItem('leadkit:northwind_demo:visitor')).events.some((e) => e.type === t)));
  assert.match(await page.textContent('#contact-status'), /Thanks/, "the host's own form still works");

  // A visit more than 30 minutes after the last one is a return visit.
  await page.evaluate(() => {
    const key = 'leadkit:northwind_demo:visitor';
    const s = JSON.parse(localStorage.getItem(key));
    s.lastSeen -= 3600e3;
    localStorage.setItem(key, JSON.stringify(s));
  });
  await visit('index.html', page);
  const back = await page.evaluate(() => window.leadkit.score());
  assert.equal(back.visits, 2);
  assert.equal(back.rules.find((r) => r.label === 'Came back').points, 10);
  await page.close();
});

test('engagement decays between visits: two half-lives later old events count a quarter', async () => {
  await serveConfig({ ...demoConfig, consent: 'none' });
  const page = await visit('pricing.html');
  assert.equal(await score(page), 20);  // page view 5 + pricing view 15
  await page.evaluate(() => {
    const key = 'leadkit:northwind_demo:visitor';
    const s = JSON.parse(localStorage.getItem(key));
    const shift = 28 * 86400e3;  // two 14-day half-lives
    for (const e of s.events) e.at -= shift;
    s.firstSeen -= shift;
    s.lastSeen -= shift;
    localStorage.setItem(key, JSON.stringify(s));
  });
  await visit('pricing.html', page);
  // (5 + 15) / 4 from the old visit, 5 + 15 + 5 (return visit) now, and "Came back" +10.
  assert.equal(await score(page), 40);
  await page.close();
});

test('submitting the form stores a lead locally, fires leadkit:lead, and the export imports into the engine', async () => {
  await serveConfig({ ...demoConfig, consent: 'none' });
  const page = await visit('pricing.html');
  await visit('contact.html', page);
  await page.fill('[data-leadkit] >> input[name=firstName]', 'Grace <b>Hopper</b>');
  await page.fill('[data-leadkit] >> input[name=email]', 'grace@navy.example');
  await page.fill('[data-leadkit] >> input[name=company]', 'Navy Labs');
  await page.selectOption('[data-leadkit] >> select', '51-200');
  await page.click('[data-leadkit] >> button[type=submit]');
  await page.waitForFunction(() => window.__lk.some((e) => e.name === 'lead'));
  const { detail } = await page.evaluate(() => window.__lk.find((e) => e.name === 'lead'));
  assert.equal(detail.lead.firstName, 'Grace <b>Hopper</b>');
  assert.equal(detail.lead.custom.teamSize, '51-200');
  assert.match(await page.textContent('[data-leadkit] >> .c p:last-child'), /Thank you/);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('leadkit:northwind_demo:leads')));
  assert.equal(stored.length, 1);
  assert.equal(stored[0].email, 'grace@navy.example');

  // The footer's export button downloads the file the app imports.
  await page.click('[data-leadkit] >> button.x');
  assert.equal(await page.locator('[data-leadkit]').count(), 0, 'the close button removes the panel');
  await page.click('#consent-accept');  // the host's banner sits over the footer
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-leads')]);
  assert.equal(download.suggestedFilename(), 'northwind-leads.json');
  const file = readFileSync(await download.path(), 'utf8');
  const engine = await createEngine();
  engine.importJson(file);
  assert.equal(engine.size, 1);
  const lead = engine.getLead(stored[0].id);
  assert.equal(lead.company, 'Navy Labs');
  assert.equal(lead.source, 'website_form');
  assert.ok(lead.events.some((e) => e.type === 'pricing_view'), 'the visit travels with the lead');
  engine.dispose?.();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('with consent required nothing is stored before consent, and forget() leaves no key behind', async () => {
  const page = await visit('pricing.html');
  assert.equal(await score(page), 20, 'scored in memory');
  assert.deepEqual(await widgetKeys(page), []);
  await page.click('#consent-accept');
  assert.ok((await widgetKeys(page)).length >= 2);
  await page.evaluate(() => localStorage.setItem('leadkit:other_site:visitor', '{}'));
  await page.evaluate(() => window.leadkit.forget());
  assert.deepEqual(await widgetKeys(page), ['leadkit:other_site:visitor'], "only another site's key is left");
  const databases = await page.evaluate(() => indexedDB.databases());
  assert.deepEqual(databases, [], 'and no IndexedDB');
  await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForTimeout(200);
  assert.deepEqual(await widgetKeys(page), ['leadkit:other_site:visitor'], 'nothing is tracked after forget()');
  await page.close();
});

test("no request goes beyond the host's pages and the widget's own files", async () => {
  const urls = [];
  const page = await context.newPage();
  page.on('request', (r) => urls.push(`${r.method()} ${r.url()}`));
  await visit('index.html', page);
  await page.click('#consent-accept');
  await visit('pricing.html', page);
  await visit('contact.html', page);
  await page.fill('[data-leadkit] >> input[name=firstName]', 'Ada');
  await page.fill('[data-leadkit] >> input[name=email]', 'ada@example.com');
  await page.click('[data-leadkit] >> button[type=submit]');
  await page.waitForFunction(() => window.__lk.some((e) => e.name === 'lead'));
  const allowed = new Set(['index.html', 'pricing.html', 'contact.html', 'site.css', 'site.js',
    'leadkit-widget.js', 'leadkit.json', 'dist/leadkit-widget.wasm'].map((p) => `GET ${base}/widget/${p}`));
  const other = urls.filter((u) => !u.includes(' data:') && !allowed.has(u.replace(/\?.*$/, '')));
  assert.deepEqual(other, []);
  assert.ok(urls.includes(`GET ${base}/widget/dist/leadkit-widget.wasm`));
  await page.close();
});

test("the host page's computed styles are the same with the widget's form open as without the widget", async () => {
  const snapshot = (page) => page.evaluate(() => [...document.querySelectorAll('html, body, body *:not([data-leadkit])')].map((el) => {
    const cs = getComputedStyle(el);
    return `${el.tagName}#${el.id}.${el.className}: ${[...cs].map((p) => `${p}=${cs.getPropertyValue(p)}`).join(';')}`;
  }));
  await serveConfig({ ...demoConfig, consent: 'none', actions: [{ ...demoConfig.actions[1], at: 0 }] });
  const page = await context.newPage();
  await page.route('**/leadkit-widget.js', (route) => route.abort());
  await page.goto(`${base}/widget/contact.html`);
  await page.waitForLoadState('load');
  const without = await snapshot(page);
  await page.unroute('**/leadkit-widget.js');
  await visit('contact.html', page);
  await page.waitForSelector('[data-leadkit] >> form');
  const withWidget = await snapshot(page);
  assert.equal(withWidget.length, without.length);
  const changed = withWidget.filter((s, i) => s !== without[i]);
  assert.deepEqual(changed, []);
  // And the host's broad rules (button, h2, label, input) did not reach into the widget.
  const inside = await page.evaluate(() => {
    const root = document.querySelector('[data-leadkit]').shadowRoot;
    return getComputedStyle(root.querySelector('button.b')).borderRadius + ' ' + getComputedStyle(root.querySelector('h2')).fontFamily;
  });
  assert.match(inside, /^8px system-ui/);
  await page.close();
});

test('a config that is not JSON logs an error naming the problem, and the host page keeps working', async () => {
  await serveConfig('{ "rules": "rule \\"x\\" when eventCount > 1 then +1", }');
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${base}/widget/contact.html`);
  await page.waitForFunction(() => window.leadkit?.ready).then(() => page.evaluate(() => window.leadkit.ready));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^leadkit: the config \/widget\/leadkit\.json is not valid JSON: /);
  await page.fill('#contact-form input[name=name]', 'Ada');
  await page.fill('#contact-form input[name=email]', 'ada@example.com');
  await page.click('#contact-form button');
  assert.match(await page.textContent('#contact-status'), /Thanks/);
  assert.equal(await page.locator('[data-leadkit]').count(), 0);
  await page.close();
});

test('a broken rule logs its line and column, and the host page keeps working', async () => {
  await serveConfig({ ...demoConfig, rules: 'rule "Pricing" when count(events, "pricing_view") >= 1 then +10\nrule "Oops" when industy == "SaaS" then +5' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${base}/widget/pricing.html`);
  await page.evaluate(() => window.leadkit.ready);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^leadkit: bad rule in \/widget\/leadkit\.json at 2:18: unknown field "industy"/);
  await page.click('nav a[href="contact.html"]');
  await page.waitForURL(/contact\.html$/);
  assert.equal(await page.textContent('h1'), 'Talk to sales');

  await serveConfig({ ...demoConfig, engagement: { decay: { kind: 'halfLife', days: 0 } } });
  await page.reload();
  await page.evaluate(() => window.leadkit.ready);
  assert.match(errors.at(-1), /^leadkit: bad config \/widget\/leadkit\.json: engagement\.decay\.days: expected days from 0\.01 to 3650/);
  await page.close();
});
