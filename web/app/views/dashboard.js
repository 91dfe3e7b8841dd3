// Dashboard: where the pipeline leaks (funnel counts and conversion by stage, inbound against
// outbound, by source), how fast leads move, a reverse-funnel planner and the lead generation vs
// prospecting advisor. No number on screen is NaN or Infinity: empty denominators show "—".
import {
  CLOSED_STAGES, FUNNEL_STAGES, STAGE_LABEL, button, compactMoney, describeError, directionLabel, el, money, number, pageHeader, percent,
  sourceLabel, stateBox,
} from '../ui.js';
import { downloadCsv, downloadPng, themedChart } from '../charts.js';

export const title = 'Dashboard';

// The funnel's stages in order and the closed ones after them: the engine's catalog (ui.js).
const ORDERED = FUNNEL_STAGES;
const CLOSED = CLOSED_STAGES;
const PERIODS = [['30', 'Last 30 days'], ['90', 'Last 90 days'], ['365', 'Last 365 days'], ['all', 'All time']];
const DAY = 86_400_000;
const finite = (v) => typeof v === 'number' && Number.isFinite(v);
// Exports carry what the screen shows: rates to 4 decimals, days to 0.1 (not float noise).
const round = (v, digits) => (finite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);
const rate4 = (v) => round(v, 4);
const days1 = (v) => round(v, 1);

export async function mount(root, ctx) {
  const { worker } = ctx;
  const charts = [];
  let disposed = false;
  const state = { period: 'all' };

  const summary = await worker.read('summary');
  if (!summary.total) {
    root.append(pageHeader('Dashboard', ctx.workspace?.name ?? ''),
      stateBox({ title: 'No leads yet', body: 'The dashboard fills in as leads arrive. Import a CSV or add a lead to start.', action: ['Import leads', () => ctx.navigate('#/import')] }));
    return () => {};
  }

  const periodSelect = el('select', { class: 'input', id: 'dash-period', 'aria-label': 'Period' },
    ...PERIODS.map(([v, l]) => el('option', { value: v, selected: v === state.period }, l)));
  periodSelect.addEventListener('change', () => { state.period = periodSelect.value; paint(); });
  const body = el('div', { class: 'dash-body' });
  root.append(
    pageHeader('Dashboard', 'Where the pipeline leaks, how fast leads move, and where to put your next hours.',
    el('label', { class: 'dash-period' }, el('span', { class: 'muted' }, 'Period'), periodSelect)),
    body);

  function periodRequest(period, by) {
    // All time has no bounds: a lead dated in the future, or before any start, is counted too.
    if (period === 'all') return { allTime: true, ...(by ? { by } : {}) };
    const to = Date.now() + DAY;  // tomorrow: [from, to) then includes today
    const from = Date.now() - Number(period) * DAY;
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...(by ? { by } : {}) };
  }

  function periodFilter(period) {
    if (period === 'all') return {};
    return { filter: { createdAt: { min: new Date(Date.now() - Number(period) * DAY).toISOString() } } };
  }

  async function paint() {
    destroyCharts();
    body.replaceChildren(stateBox({ title: 'Counting…', busy: true }));
    try {
      const data = await load(state.period);
      if (disposed) return;
      await render(data);
    } catch (error) {
      if (disposed) return;
      body.replaceChildren(stateBox({ title: 'The dashboard could not be computed', body: describeError(error), tone: 'error', action: ['Try again', paint] }));
    }
  }

  /** Everything the screen shows for one period: the stage counts now and the funnel over the period. */
  async function load(period) {
    const [now, funnel, bySource, byDirection] = await Promise.all([
      worker.read('summary', periodFilter(period)),
      worker.read('funnel', periodRequest(period)),
      worker.read('funnel', periodRequest(period, 'source')),
      worker.read('funnel', periodRequest(period, 'direction')),
    ]);
    return {
      period, now, funnel,
      bySource: (bySource.groups ?? []).map((g) => ({ key: g.key, direction: g.direction, leads: g.leads, customers: reachedOf(g, 'customer'), rate: g.overall }))
        .sort((a, b) => b.leads - a.leads),
      byDirection: (byDirection.groups ?? []).map((g) => ({ key: g.key, leads: g.leads, customers: reachedOf(g, 'customer'), rate: g.overall, stages: g.stages })),
    };
  }

  const reachedOf = (g, stage) => g.stages?.find((s) => s.stage === stage)?.reached ?? 0;

  async function render(data) {
    const { now, funnel } = data;
    const { stages } = funnel;
    const stageCards = el('section', { class: 'dash-stages', 'aria-label': 'Leads in each stage now' },
      ...[...ORDERED, ...CLOSED].map((s) => el('div', { class: `dash-stage stage-${s}`, dataset: { stage: s } },
        el('span', { class: 'dash-stage-name' }, STAGE_LABEL[s]),
        el('span', { class: 'dash-stage-count' }, number(now.byStage?.[s] ?? 0)),
        el('span', { class: 'dash-stage-value' }, (now.valueByStage?.[s] ?? 0) > 0 ? compactMoney(now.valueByStage[s]) : ' '))));

    const nodes = [
      el('div', { class: 'dash-kpis' },
        kpi('Leads', number(now.total), data.period === 'all' ? 'in this workspace' : 'created in the period', 'dash-total'),
        kpi('Became customers', percent(funnel.overall, 1), 'of leads that entered the funnel', 'dash-overall'),
        directionKpi(now),
        kpi('Weighted pipeline', money(funnel.weightedPipeline.total), `${number(funnel.weightedPipeline.openLeads)} open leads · value × win chance`, 'dash-weighted')),
      stageCards,
    ];

    const funnelCard = chartCard('dash-funnel', 'Funnel: leads that reached each stage',
      'A lead counts for every stage it passed through in the period. Conversion is to the next stage.',
      funnelTable(stages, funnel),
      () => [['stage', 'reached', 'conversion to next'], ...stages.map((s) => [STAGE_LABEL[s.stage], s.reached, rate4(s.conversion)]),
        ['Lost', funnel.lost, null], ['Disqualified', funnel.disqualified, null]]);
    const sourceCard = chartCard('dash-source', 'Conversion by source', 'Share of each source’s leads that became customers. Teal bars are inbound sources, violet outbound.',
      sourceTable(data.bySource),
      () => [['source', 'direction', 'leads', 'customers', 'conversion'], ...data.bySource.map((s) => [s.key, s.direction ?? '', s.leads, s.customers, rate4(s.rate)])]);
    nodes.push(el('div', { class: 'grid-2' }, funnelCard.node, sourceCard.node), directionCard(data.byDirection));

    const velocityCard = chartCard('dash-velocity', 'Stage velocity', 'Median days a lead spends in each stage before moving on (stays that ended in the period).',
      velocityTable(funnel.velocity),
      () => [['stage', 'median days', 'stays'], ...funnel.velocity.map((v) => [STAGE_LABEL[v.stage], days1(v.medianDays), v.stays])]);
    nodes.push(el('div', { class: 'grid-2' }, velocityCard.node, weightedCard(funnel.weightedPipeline)));
    nodes.push(el('div', { class: 'grid-2' }, plannerCard(), advisorCard(funnel)));
    body.replaceChildren(...nodes);

    await funnelCard.draw((c) => ({
      type: 'bar',
      data: {
        labels: stages.map((s) => STAGE_LABEL[s.stage]),
        datasets: [{ label: 'Leads', data: stages.map((s) => s.reached ?? 0), backgroundColor: c.accent, borderRadius: 3, maxBarThickness: 56 }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    }));
    const rated = data.bySource.filter((s) => s.leads > 0).sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1));
    sourceCard.node.querySelector('.dash-chart').style.height = `${Math.max(160, 40 + rated.length * 22)}px`;
    await sourceCard.draw((c) => ({
      type: 'bar',
      data: {
        labels: rated.map((s) => sourceLabel(s.key)),
        datasets: [{ label: 'Conversion', data: rated.map((s) => (finite(s.rate) ? s.rate * 100 : 0)), backgroundColor: rated.map((s) => (s.direction === 'outbound' ? c.violet : c.teal)), borderRadius: 3, maxBarThickness: 16 }],
      },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (t) => `${t.parsed.x.toFixed(1)}% of ${number(rated[t.dataIndex].leads)} leads` } } },
        scales: { x: { beginAtZero: true, ticks: { callback: (v) => `${v}%` } }, y: { ticks: { autoSkip: false } } },
      },
    }));
    const v = funnel.velocity;
    await velocityCard.draw((c) => ({
      type: 'bar',
      data: { labels: v.map((s) => STAGE_LABEL[s.stage]), datasets: [{ label: 'Median days', data: v.map((s) => (finite(s.medianDays) ? s.medianDays : null)), backgroundColor: c.info, borderRadius: 3, maxBarThickness: 56 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'Days' } } } },
    }));
  }

  /** Inbound / outbound / unknown: every lead counts once, so the three add up to the total. */
  function directionKpi(now) {
    const inbound = now.byDirection?.inbound ?? 0;
    const outbound = now.byDirection?.outbound ?? 0;
    const unknown = Math.max(0, (now.total ?? 0) - inbound - outbound);
    const figure = (key, n) => el('span', { dataset: { direction: key } }, number(n));
    return el('div', { class: 'card dash-kpi', id: 'dash-direction' },
      el('span', { class: 'dash-kpi-label' }, 'Inbound / outbound / unknown'),
      el('span', { class: 'dash-kpi-value' }, figure('inbound', inbound), ' / ', figure('outbound', outbound), ' / ', figure('unknown', unknown)),
      el('span', { class: 'muted' }, unknown ? `leads by direction; ${number(unknown)} from a source with no direction` : 'leads by direction'));
  }

  function kpi(label, value, note, id) {
    return el('div', { class: 'card dash-kpi', id },
      el('span', { class: 'dash-kpi-label' }, label), el('span', { class: 'dash-kpi-value' }, value), el('span', { class: 'muted' }, note));
  }

  /** A card with a chart, a table of its numbers, and PNG / CSV exports. */
  function chartCard(id, heading, caption, tableNode, csvRows) {
    const canvas = el('canvas', { role: 'img', 'aria-label': `${heading} chart; the numbers are in the table below` });
    let chart = null;
    const node = el('section', { class: 'card dash-card', id, 'aria-label': heading },
      el('div', { class: 'dash-card-head' },
        el('h2', {}, heading),
        el('div', { class: 'page-actions' },
          button('PNG', () => chart && downloadPng(chart, `${id.replace('dash-', '')}-${stamp()}.png`, { title: heading, subtitle: periodText() }), { kind: 'ghost', class: 'btn btn-ghost btn-small', 'aria-label': `Download ${heading} as PNG`, dataset: { export: 'png' } }),
          button('CSV', () => downloadCsv(`${id.replace('dash-', '')}-${stamp()}.csv`, csvRows()), { kind: 'ghost', class: 'btn btn-ghost btn-small', 'aria-label': `Download the numbers of ${heading} as CSV`, dataset: { export: 'csv' } }))),
      el('p', { class: 'muted dash-caption' }, caption),
      el('div', { class: 'dash-chart' }, canvas),
      tableNode);
    return {
      node,
      async draw(config) {
        const made = await themedChart(canvas, config);
        chart = made.chart;
        charts.push(made);
      },
    };
  }

  /** The period as the picker names it, with its dates when it is not all time. */
  function periodText() {
    const name = PERIODS.find(([v]) => v === state.period)?.[1] ?? state.period;
    if (state.period === 'all') return `${name} · to ${new Date().toISOString().slice(0, 10)}`;
    const from = new Date(Date.now() - Number(state.period) * DAY).toISOString().slice(0, 10);
    return `${name} · ${from} to ${new Date().toISOString().slice(0, 10)}`;
  }

  const stamp = () => `${ctx.workspace?.name ?? 'leadkit'}-${new Date().toISOString().slice(0, 10)}`.replace(/[^\w.-]+/g, '-');

  function table(head, rows, label, cls = '') {
    return el('table', { class: `dash-table ${cls}`, 'aria-label': label },
      el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : '' }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el(i ? 'td' : 'th', i ? { class: 'num' } : { scope: 'row' }, c))))));
  }

  function funnelTable(stages, closed) {
    const rows = stages.map((s) => [STAGE_LABEL[s.stage], number(s.reached ?? 0), s.stage === 'customer' ? '' : (finite(s.conversion) ? percent(s.conversion, 1) : '—')]);
    rows.push(['Lost', number(closed.lost ?? 0), ''], ['Disqualified', number(closed.disqualified ?? 0), '']);
    return table(['Stage', 'Leads', 'To next stage'], rows, 'Funnel counts', 'dash-funnel-table');
  }

  function sourceTable(sources) {
    if (!sources.length) return el('p', { class: 'muted' }, 'No leads in this period.');
    return table(['Source', 'Leads', 'Customers', 'Conversion'],
      sources.map((s) => [sourceLabel(s.key), number(s.leads), number(s.customers), percent(s.rate, 1)]), 'Conversion by source');
  }

  function velocityTable(velocity) {
    return table(['Stage', 'Median days', 'Stays'], velocity.map((v) => [STAGE_LABEL[v.stage],
      finite(v.medianDays) ? number(v.medianDays, 1) : '—', number(v.stays ?? 0)]), 'Stage velocity');
  }

  function directionCard(dirs) {
    const label = { inbound: 'Inbound · lead generation', outbound: 'Outbound · prospecting' };
    return el('section', { class: 'card dash-direction-card', id: 'dash-directions', 'aria-label': 'Inbound against outbound' },
      el('div', { class: 'dash-card-head' }, el('h2', {}, 'Inbound against outbound'),
        el('div', { class: 'page-actions' }, button('CSV', () => downloadCsv(`direction-${stamp()}.csv`,
          [['direction', 'leads', 'customers', 'conversion', ...ORDERED], ...dirs.map((d) => [d.key, d.leads, d.customers, rate4(d.rate), ...ORDERED.map((s) => d.stages?.find((x) => x.stage === s)?.reached ?? 0)])]),
        { kind: 'ghost', class: 'btn btn-ghost btn-small', 'aria-label': 'Download inbound against outbound as CSV', dataset: { export: 'csv' } }))),
      el('div', { class: 'dash-directions' }, ...dirs.filter((d) => d.key === 'inbound' || d.key === 'outbound').map((d) => el('div', { class: `dash-dir dir-${d.key}` },
        el('h3', {}, label[d.key] ?? directionLabel(d.key)),
        el('div', { class: 'dash-dir-figures' },
          el('span', { class: 'dash-kpi-value' }, percent(d.rate, 1)),
          el('span', { class: 'muted' }, `${number(d.customers)} customers of ${number(d.leads)} leads`)),
        el('ol', { class: 'dash-dir-steps' }, ...(d.stages ?? []).map((s) => el('li', {},
          el('span', {}, STAGE_LABEL[s.stage]), el('span', { class: 'num' }, number(s.reached ?? 0)))))))));
  }

  function weightedCard(w) {
    if (!w) return el('div');
    return el('section', { class: 'card', id: 'dash-weighted-card', 'aria-label': 'Weighted pipeline' },
      el('h2', {}, 'Weighted pipeline'),
      el('p', { class: 'muted dash-caption' }, `Open leads with a deal value, times the chance of winning from their stage. ${number(w.withoutValue ?? 0)} open leads have no deal value.`),
      table(['Stage', 'Leads', 'Value', 'Win chance', 'Weighted'], (w.stages ?? []).map((s) => [STAGE_LABEL[s.stage], number(s.leads ?? 0), money(s.value),
        `${percent(s.probability, 0)}${s.probabilitySource === 'default' ? ' (typical)' : ''}`, money(s.weighted)]), 'Weighted pipeline'),
      el('p', { class: 'dash-total-line' }, el('span', { class: 'muted' }, 'Total'), el('strong', {}, money(w.total))));
  }

  // ---- planner ----------------------------------------------------------------------------------
  function plannerCard() {
    const goal = el('input', { class: 'input', type: 'number', min: '0', step: '1000', value: '100000', id: 'plan-goal' });
    const deal = el('input', { class: 'input', type: 'number', min: '0', step: '100', value: String(Math.round(avgDeal()) || 10000), id: 'plan-deal' });
    const period = el('select', { class: 'input', id: 'plan-period' }, ...[['week', 'Week'], ['month', 'Month'], ['quarter', 'Quarter']].map(([v, l]) => el('option', { value: v, selected: v === 'month' }, l)));
    const out = el('div', { class: 'dash-plan-out', 'aria-live': 'polite' });
    const run = async () => {
      const revenueGoal = Number(goal.value);
      const dealValue = Number(deal.value);
      if (!finite(revenueGoal) || revenueGoal <= 0) { out.replaceChildren(problem('Enter a revenue goal above zero.')); return; }
      if (!finite(dealValue) || dealValue <= 0) { out.replaceChildren(problem('Enter an average deal value above zero.')); return; }
      try {
        const plan = await worker.read('plan', { revenueGoal, dealValue, period: period.value });
        out.replaceChildren(planResult(plan));
      } catch (error) {
        out.replaceChildren(problem(describeError(error)));
      }
    };
    for (const input of [goal, deal, period]) input.addEventListener('change', run);
    queueMicrotask(run);
    return el('section', { class: 'card', id: 'dash-planner', 'aria-label': 'Planner' },
      el('h2', {}, 'Planner'),
      el('p', { class: 'muted dash-caption' }, 'Works back from a revenue goal through your measured conversion rates to what the period needs.'),
      el('div', { class: 'dash-form' },
        el('label', { class: 'field' }, el('span', {}, 'Revenue goal'), goal),
        el('label', { class: 'field' }, el('span', {}, 'Average deal value'), deal),
        el('label', { class: 'field' }, el('span', {}, 'Per'), period)),
      out);
  }

  function avgDeal() {
    const won = summary.byStage?.customer ?? 0;
    return won ? (summary.valueByStage?.customer ?? 0) / won : 0;
  }

  function planResult(plan) {
    const n = plan.needed ?? {};
    const rows = [['Leads', n.leads], ['MQLs', n.mqls], ['SQLs', n.sqls], ['Opportunities', n.opportunities], ['Customers', n.customers], ['Outbound touches', n.touches]];
    const rate = (k) => plan.rates?.[k];
    const rateText = (k, label) => `${label} ${percent(rate(k)?.value, 0)}${rate(k)?.source === 'measured' ? '' : ' (typical)'}`;
    return el('div', {},
      el('div', { class: 'dash-plan-grid' }, ...rows.map(([label, v]) => el('div', { class: 'dash-plan-item' },
        el('span', { class: 'dash-kpi-value' }, number(v)), el('span', { class: 'muted' }, `${label} per ${plan.period ?? 'period'}`)))),
      el('p', { class: 'muted dash-caption' }, [rateText('leadToMql', 'Lead→MQL'), rateText('mqlToSql', 'MQL→SQL'), rateText('sqlToOpportunity', 'SQL→Opp.'), rateText('opportunityToCustomer', 'Opp.→Customer'),
        `${number(plan.attemptsPerReply?.value, 1)} attempts per reply${plan.attemptsPerReply?.source === 'measured' ? '' : ' (typical)'}`].join(' · ')));
  }

  const problem = (msg) => el('p', { class: 'dash-problem', role: 'alert' }, msg);

  // ---- advisor ----------------------------------------------------------------------------------
  function advisorCard(funnel) {
    const f = {
      marketSize: numField('Buyers in your market', 'adv-market', 5000, 1),
      niche: rangeField('How niche the offer is', 'adv-niche', 0.5),
      dealValue: numField('Average deal value', 'adv-deal', Math.round(avgDeal()) || 10000, 100),
      salesCycleDays: numField('Sales cycle (days)', 'adv-cycle', 45, 1),
      marketingBudget: numField('Marketing budget per month', 'adv-budget', 2000, 100),
      salesHoursPerWeek: numField('Sales hours per week', 'adv-hours', 20, 1),
      pipelineCoverage: numField('Pipeline coverage (× target)', 'adv-coverage', coverageGuess(funnel), 0.1),
    };
    const b2b = el('select', { class: 'input', id: 'adv-b2b' }, el('option', { value: 'true' }, 'B2B'), el('option', { value: 'false' }, 'B2C'));
    const out = el('div', { class: 'dash-advice', 'aria-live': 'polite' });
    const run = async () => {
      const inputs = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Number(v.input.value)]));
      inputs.b2b = b2b.value === 'true';
      const bad = Object.entries(inputs).find(([, v]) => typeof v === 'number' && !finite(v));
      if (bad) { out.replaceChildren(problem(`Enter a number for ${f[bad[0]].label.toLowerCase()}.`)); return; }
      if (inputs.marketSize <= 0 || inputs.dealValue <= 0) { out.replaceChildren(problem('Market size and deal value must be above zero.')); return; }
      try {
        out.replaceChildren(adviceResult(await worker.advise(inputs)));
      } catch (error) {
        out.replaceChildren(problem(describeError(error)));
      }
    };
    for (const { input } of Object.values(f)) input.addEventListener('change', run);
    b2b.addEventListener('change', run);
    queueMicrotask(run);
    return el('section', { class: 'card', id: 'dash-advisor', 'aria-label': 'Advisor' },
      el('h2', {}, 'Lead generation or prospecting?'),
      el('p', { class: 'muted dash-caption' }, 'Where to put your next hours, from your market and your pipeline. Every reason traces to an input.'),
      el('div', { class: 'dash-form dash-form-wide' }, ...Object.values(f).map((x) => x.node), el('label', { class: 'field' }, el('span', {}, 'Market'), b2b)),
      out);
  }

  function coverageGuess(funnel) {
    const total = funnel?.weightedPipeline?.total;
    return finite(total) && total > 0 ? Math.round((total / 100000) * 10) / 10 : 1;
  }

  function numField(label, id, value, step) {
    const input = el('input', { class: 'input', type: 'number', min: '0', step: String(step), value: String(value), id });
    return { label, input, node: el('label', { class: 'field' }, el('span', {}, label), input) };
  }
  function rangeField(label, id, value) {
    const input = el('input', { type: 'range', min: '0', max: '1', step: '0.1', value: String(value), id, 'aria-valuetext': '' });
    const shown = el('span', { class: 'muted' });
    const sync = () => { shown.textContent = Number(input.value) < 0.34 ? 'broad' : Number(input.value) > 0.66 ? 'very specific' : 'in between'; input.setAttribute('aria-valuetext', shown.textContent); };
    input.addEventListener('input', sync);
    sync();
    return { label, input, node: el('label', { class: 'field' }, el('span', {}, label, ' · ', shown), input) };
  }

  function adviceResult(a) {
    const p = a.mix?.prospecting;
    const g = a.mix?.leadGeneration;
    const bar = el('div', { class: 'dash-mix', role: 'img', 'aria-label': `Prospecting ${percent(p)}, lead generation ${percent(g)}` },
      el('span', { class: 'dash-mix-out' }), el('span', { class: 'dash-mix-in' }));
    bar.firstChild.style.width = `${finite(p) ? p * 100 : 50}%`;
    bar.lastChild.style.width = `${finite(g) ? g * 100 : 50}%`;
    const lean = { prospecting: 'Lean on prospecting', leadGeneration: 'Lean on lead generation', balanced: 'Keep a balanced mix' }[a.lean] ?? 'Recommended mix';
    return el('div', { id: 'adv-result' },
      el('h3', {}, `${lean}: ${percent(p)} prospecting · ${percent(g)} lead generation`),
      bar,
      el('ul', { class: 'dash-reasons' }, ...(a.reasons ?? []).map((r) => el('li', {},
        el('span', { class: `dash-reason-sign ${r.weight >= 0 ? 'dir-outbound' : 'dir-inbound'}` }, r.weight >= 0 ? '→ prospecting' : '→ lead gen'), ' ', r.text))),
      (a.sensitivities ?? []).length ? el('div', {}, el('h3', {}, 'What would change the advice'),
        el('ul', { class: 'dash-reasons' }, ...a.sensitivities.map((s) => el('li', {}, s.text)))) : null);
  }

  function destroyCharts() {
    for (const c of charts.splice(0)) c.destroy();
  }

  await paint();
  return () => { disposed = true; destroyCharts(); };
}
