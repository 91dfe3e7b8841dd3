// The app at phone size (390×844), and at the tablet and laptop sizes that squeeze it:
// no screen scrolls sideways, the eight screens are reachable from a bottom bar (four links and
// "More"), the leads table becomes a list of cards that still moves with j/k and opens with Enter,
// a lead opens from its card, and axe finds no serious or critical violation on a phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch } from './browser.mjs';
import { startServer } from '../../scripts/serve.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ROUTES = ['today', 'leads', 'lead', 'board', 'dashboard', 'learn', 'import', 'settings', 'workspaces'];
// The screens of the navigation, in its order, and the route each one shows.
const NAV = ['today', 'leads', 'board', 'dashboard', 'learn', 'import', 'settings', 'workspaces'];

let server, base;
before(async () => {
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => { server?.closeAllConnections?.(); server?.close(); });

async function open(viewport) {
  const context = await launch({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base}/app/#/leads`);
  await page.waitForSelector('body[data-ready="true"]');
  const leadId = (await page.evaluate(() => window.leadkit.ctx.worker.read('query', { limit: 1 }))).rows[0].id;
  return { context, page, leadId };
}
async function settled(page, route) {
  await page.waitForFunction((r) => document.body.dataset.route === r
    && (document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error'), route);
  await page.waitForTimeout(250);  // charts and late paints
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', await page.textContent('#view'));
}
async function show(page, route, leadId) {
  const hash = route === 'lead' ? `#/lead/${encodeURIComponent(leadId)}` : `#/${route}`;
  await page.evaluate((h) => { location.hash = h; }, hash);
  await settled(page, route);
}

/**
 * What makes the page wider than the window: the document itself, or the screen's own scroller
 * (main#view), which would scroll sideways just the same. Names the widest elements that stick
 * out, so a failure says where to look.
 */
function overflow(page) {
  return page.evaluate(() => {
    const width = innerWidth;
    const view = document.getElementById('view');
    const doc = document.documentElement.scrollWidth;
    const main = view.scrollWidth - view.clientWidth;
    // Elements inside a deliberate sideways scroller (the board, a wide table's wrapper) are fine.
    const inScroller = (n) => {
      for (let p = n.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden' || s.overflowX === 'clip') && p !== view) return true;
      }
      return false;
    };
    const culprits = [...document.querySelectorAll('body *')]
      .filter((n) => { const r = n.getBoundingClientRect(); return r.width > 0 && (r.right > width + 1 || r.left < -1) && !inScroller(n); })
      .filter((n) => getComputedStyle(n).position !== 'absolute' || !n.closest('.visually-hidden, .skip-link'))
      .filter((n) => !n.matches('.visually-hidden, .skip-link') && !n.closest('.visually-hidden'))
      .slice(0, 5).map((n) => `${n.tagName.toLowerCase()}.${[...n.classList].join('.')} right=${Math.round(n.getBoundingClientRect().right)}`);
    return { width, doc, main, culprits };
  });
}
async function assertNoSidewaysScroll(page, label) {
  const o = await overflow(page);
  assert.ok(o.doc <= o.width, `${label}: the document is ${o.doc} px wide in a ${o.width} px window (${o.culprits.join('; ')})`);
  assert.ok(o.main <= 0, `${label}: the screen scrolls ${o.main} px sideways (${o.culprits.join('; ')})`);
  assert.deepEqual(o.culprits, [], `${label}: elements stick out of the window`);
}

/** Serious and critical axe violations on the page as it is now. */
async function audit(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('phone, 390×844', () => {
  let context, page, leadId;
  before(async () => ({ context, page, leadId } = await open({ width: 390, height: 844 })));
  after(() => context?.close());

  for (const route of ROUTES) {
    test(`#/${route} does not scroll sideways, and axe finds nothing serious`, async () => {
      await show(page, route, leadId);
      await assertNoSidewaysScroll(page, `#/${route} at 390`);
      const bad = await audit(page);
      assert.deepEqual(bad, [], `serious or critical axe violations on #/${route} at 390`);
    });
  }

  test('the navigation is a bottom bar, and every screen is reachable from it by tapping', async () => {
    await show(page, 'leads', leadId);
    const bar = await page.locator('nav.sidebar').boundingBox();
    assert.ok(bar, 'the navigation is shown');
    assert.ok(Math.abs(bar.y + bar.height - 844) <= 1 && bar.width >= 389, `the navigation sits along the bottom: ${JSON.stringify(bar)}`);
    assert.ok(bar.height <= 72, `the bar is a bar, not a column: ${bar.height} px high`);
    const inMenu = [];
    for (const route of NAV) if (!await page.locator(`nav.sidebar a[data-route="${route}"]`).isVisible()) inMenu.push(route);
    assert.ok(NAV.length - inMenu.length >= 4, `four screens or more are in the bar itself: ${inMenu.length} are behind More`);
    for (const route of NAV) {
      const link = page.locator(`nav.sidebar a[data-route="${route}"]`);
      if (!await link.isVisible()) {
        const more = page.getByRole('button', { name: 'More' });
        assert.ok(await more.isVisible(), `#/${route} is in the bar or behind a visible More button`);
        await more.click();
      }
      const box = await link.boundingBox();
      assert.ok(box && box.height >= 40 && box.width >= 40, `#/${route}'s link is a tap target of 40 px or more: ${JSON.stringify(box)}`);
      await link.click();
      await settled(page, route);
      assert.equal(await link.getAttribute('aria-current'), 'page');
      for (const other of inMenu) assert.equal(await page.locator(`nav.sidebar a[data-route="${other}"]`).isVisible(), false, 'the menu closes once a screen is picked');
      // Nothing fixed at the bottom hides the screen's own last lines.
      const hidden = await page.evaluate(() => {
        const view = document.getElementById('view').getBoundingClientRect();
        const nav = document.querySelector('nav.sidebar').getBoundingClientRect();
        return view.bottom - nav.top;
      });
      assert.ok(hidden <= 1, `the screen ends above the bar (${hidden} px under it)`);
    }
  });

  test('the leads list shows cards with name, company, score, grade and stage, and only the rows in view', async () => {
    await show(page, 'leads', leadId);
    const cards = await page.evaluate(() => [...document.querySelectorAll('.vbody .vrow[data-id]')].slice(0, 6).map((row) => {
      const r = row.getBoundingClientRect();
      const part = (sel) => {
        const n = row.querySelector(sel);
        if (!n) return null;
        const b = n.getBoundingClientRect();
        return { text: n.textContent.trim(), inside: b.width > 0 && b.left >= r.left - 0.5 && b.right <= r.right + 0.5,
          whole: n.scrollWidth <= n.clientWidth + 1 || getComputedStyle(n).display === 'inline' };
      };
      return { width: r.width, height: r.height, left: r.left, name: part('.col-lead .primary'), company: part('.col-company .primary'),
        score: part('.score-num'), grade: part('.grade'), stage: part('.badge') };
    }));
    assert.ok(cards.length >= 4, `cards are shown: ${cards.length}`);
    for (const card of cards) {
      assert.ok(card.left >= 0 && card.left + card.width <= 390, `a card fits the width: ${JSON.stringify(card)}`);
      assert.ok(card.height >= 64, `a card has room for two lines and more: ${card.height} px`);
      for (const key of ['name', 'company', 'score', 'grade', 'stage']) {
        assert.ok(card[key]?.text && card[key].inside, `a card shows its ${key}: ${JSON.stringify(card)}`);
      }
      for (const key of ['score', 'grade', 'stage']) assert.ok(card[key].whole, `a card's ${key} is not cut: ${JSON.stringify(card[key])}`);
    }
    // A header of column sorts makes no sense over cards; the table's own header is not shown.
    assert.equal(await page.locator('.vhead').isVisible(), false, 'the column header is not shown over cards');
    // Still virtualised: the DOM holds the rows in view, not 520.
    assert.ok(await page.locator('.vbody .vrow').count() < 60, 'only the cards in view exist');
    await page.locator('.vscroll').evaluate((s) => { s.scrollTop = s.scrollHeight / 2; });
    await page.waitForFunction(() => Number(document.querySelector('.vbody .vrow[data-id]')?.dataset.index) > 100);
    assert.ok(await page.locator('.vbody .vrow').count() < 60, 'scrolled deep, still only the cards in view');
  });

  test('j/k move between cards and Enter opens one; tapping a card opens its lead', async () => {
    await show(page, 'today', leadId);  // a fresh listing, at its top
    await show(page, 'leads', leadId);
    const ids = await page.$$eval('.vbody .vrow[data-id]', (rows) => rows.sort((a, b) => a.dataset.index - b.dataset.index)
      .map((r) => [r.dataset.id, r.querySelector('.col-lead .primary').textContent]));
    await page.locator('.vscroll').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '1');
    await page.keyboard.press('Enter');
    await settled(page, 'lead');
    assert.equal(await page.textContent('h1'), ids[1][1]);
    await assertNoSidewaysScroll(page, 'a lead opened from the list');

    await show(page, 'leads', leadId);
    await page.locator(`.vbody .vrow[data-id="${ids[2][0]}"] .col-lead`).click();
    await settled(page, 'lead');
    assert.equal(await page.textContent('h1'), ids[2][1]);
  });

  test('a dialog fits the screen, and so do toasts', async () => {
    await show(page, 'workspaces', leadId);
    await page.getByRole('button', { name: 'New workspace' }).first().click();
    const box = await page.locator('dialog.modal[open]').boundingBox();
    await page.keyboard.press('Escape');
    assert.ok(box.x >= 0 && box.x + box.width <= 390 && box.y >= 0 && box.y + box.height <= 844, `the dialog fits: ${JSON.stringify(box)}`);
    await page.evaluate(async () => (await import('./ui.js')).toast('A rather long message that has to wrap on a phone instead of running off the side of it', { action: ['Undo', () => {}] }));
    const toast = await page.locator('.toast').last().boundingBox();
    assert.ok(toast.x >= 0 && toast.x + toast.width <= 390, `the toast fits: ${JSON.stringify(toast)}`);
    await assertNoSidewaysScroll(page, 'with a toast');
  });
});

// A tablet (820×1180, 1024×768) and two laptops.
for (const viewport of [{ width: 820, height: 1180 }, { width: 1024, height: 768 }, { width: 1280, height: 720 }, { width: 1440, height: 900 }]) {
  describe(`${viewport.width}×${viewport.height}`, () => {
    let context, page, leadId;
    before(async () => ({ context, page, leadId } = await open(viewport)));
    after(() => context?.close());

    test('no screen scrolls sideways', async () => {
      for (const route of ROUTES) {
        await show(page, route, leadId);
        await assertNoSidewaysScroll(page, `#/${route} at ${viewport.width}`);
      }
    });

    test('the leads table cuts neither a heading nor a stage badge', async () => {
      await show(page, 'leads', leadId);
      // Every stage at least once in view: sort by stage, then look at rows of each.
      const cut = [];
      for (const stage of ['new', 'nurturing', 'mql', 'sql', 'opportunity', 'customer', 'lost', 'disqualified']) {
        await page.selectOption('select[aria-label="Stage"]', stage);
        await page.waitForFunction((s) => document.querySelector(`.vbody .vrow[data-id] .badge`)?.classList.contains(`stage-${s}`), stage);
        cut.push(...await page.evaluate(() => [...document.querySelectorAll('.vbody .vrow[data-id] .badge')].slice(0, 3)
          .filter((b) => b.getBoundingClientRect().right > b.parentElement.getBoundingClientRect().right + 0.5 || b.scrollWidth > b.clientWidth + 1)
          .map((b) => b.textContent)));
      }
      await page.selectOption('select[aria-label="Stage"]', '');
      assert.deepEqual(cut, [], 'stage badges cut by their column');
      const headings = await page.evaluate(() => [...document.querySelectorAll('.vhead .vcell')].filter((cell) => {
        const c = cell.getBoundingClientRect();
        return [...cell.querySelectorAll('button, input')].some((n) => {
          const b = n.getBoundingClientRect();
          return n.scrollWidth > n.clientWidth + 1 || [...n.childNodes].some((t) => {
            const range = document.createRange();
            range.selectNodeContents(t);
            const r = range.getBoundingClientRect();
            return r.width > 0 && (r.left < c.left + 0.5 || r.right > c.right - 0.5);
          }) || b.right > c.right + 0.5;
        });
      }).map((cell) => cell.textContent));
      assert.deepEqual(headings, [], 'column headings cut');
    });
  });
}
