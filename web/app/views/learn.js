// Learn from history: trains a conversion model on this workspace's won (customer) and lost
// leads, in the worker, on this device; shows how good it is before the user adopts it, and the
// adopted model's probabilities beside the rule score.
import {
  button, confirmDialog, dateTime, describeError, el, fullName, gradeBadge, number, pageHeader, percent, stageBadge, stateBox, text,
} from '../ui.js';
import { themedChart } from '../charts.js';

export const title = 'Learn from history';

const { OPEN_STAGES: OPEN } = await import('../ui.js');  // the open stages, from the engine's catalog
const KINDS = [
  ['auto', 'Best of three (recommended)'], ['logistic', 'Logistic regression'], ['trees', 'Gradient-boosted trees'],
  ['naiveBayes', 'Naive Bayes (simple baseline)'],
];
const kindName = (k) => KINDS.find(([v]) => v === k)?.[1].replace(/ \(.*/, '') ?? k ?? '';
const finite = (v) => typeof v === 'number' && Number.isFinite(v);
const fixed = (v, digits = 3) => (finite(v) ? v.toFixed(digits) : '—');
// Below this cross-validated AUC a model ranks leads barely better than a coin toss.
const USEFUL_AUC = 0.6;
const useful = (r) => finite(r?.auc) && r.auc >= USEFUL_AUC;

export async function mount(root, ctx) {
  const { worker } = ctx;
  const charts = [];
  let timer = null;
  let disposed = false;
  let result = null;

  const kind = el('select', { class: 'input', id: 'learn-kind' }, ...KINDS.map(([v, l]) => el('option', { value: v }, l)));
  const folds = el('select', { class: 'input', id: 'learn-folds' }, ...[3, 5, 10].map((n) => el('option', { value: String(n), selected: n === 5 }, `${n} folds`)));
  const trainButton = button('Train model', train, { kind: 'primary', id: 'learn-train' });
  const progress = el('div', { class: 'learn-progress', hidden: true, role: 'status', 'aria-live': 'polite' });
  const resultBox = el('section', { class: 'learn-result', 'aria-label': 'Training result' });
  const adopted = el('section', { class: 'learn-adopted', 'aria-label': 'Adopted model' });

  const [summary, model] = await Promise.all([worker.read('summary'), worker.read('getPredictiveModel')]);
  const won = summary.byStage?.customer ?? 0;
  const lost = summary.byStage?.lost ?? 0;

  root.append(
    pageHeader('Learn from history', 'Learns the chance that a lead becomes a customer from this workspace’s own won and lost leads. It runs on this device; no lead leaves the browser.'),
    el('section', { class: 'card learn-setup', 'aria-label': 'Training options' },
      el('div', { class: 'learn-explain' },
        el('h2', {}, 'What it learns from'),
        el('p', {}, `Leads at stage Customer count as won (${number(won)} here), leads at stage Lost as lost (${number(lost)} here). `,
          'Every field, engagement event and touch is a possible signal. The model is checked by k-fold cross-validation before you decide to use it.'),
        el('p', {}, 'Best of three scores logistic regression, gradient-boosted trees and naive Bayes on the same folds. It keeps logistic regression, which explains itself weight by weight, unless the trees rank leads clearly better: they can see combinations, such as a plan that pays off only with many seats.'),
        won + lost < 20 || !won || !lost
          ? el('p', { class: 'learn-note tone-warn', role: 'note' }, outcomeAdvice(won, lost))
          : null),
      el('div', { class: 'learn-options' },
        el('label', { class: 'field' }, el('span', {}, 'Model'), kind),
        el('label', { class: 'field' }, el('span', {}, 'Cross-validation'), folds),
        trainButton)),
    progress, resultBox, adopted);

  paintAdopted(model);

  function outcomeAdvice(w, l) {
    if (!w && !l) return 'No lead has an outcome yet. Move won deals to Customer and lost ones to Lost (on the board or a lead’s page), then train.';
    if (!w) return 'There are lost leads but no customers yet: a model needs both. Mark won deals as Customer first.';
    if (!l) return 'There are customers but no lost leads yet: a model needs both. Mark deals that fell through as Lost first.';
    return `Only ${w + l} leads have an outcome. Training works, but expect the numbers to move a lot until there are about 50 of each.`;
  }

  async function train() {
    trainButton.disabled = true;
    resultBox.replaceChildren();
    destroyCharts();
    const started = performance.now();
    const elapsed = el('span', { class: 'learn-elapsed' }, '0.0 s');
    progress.replaceChildren(
      el('div', { class: 'learn-progress-label' }, el('span', {}, `Training on ${number(won + lost)} leads with an outcome…`), elapsed),
      el('div', { class: 'learn-bar', role: 'progressbar', 'aria-label': 'Training', 'aria-busy': 'true' }, el('div', { class: 'learn-bar-fill' })));
    progress.hidden = false;
    timer = setInterval(() => { elapsed.textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`; }, 100);
    try {
      result = await worker.train({ kind: kind.value, folds: Number(folds.value) });
      if (disposed) return;
      await paintResult(result, (performance.now() - started) / 1000);
    } catch (error) {
      if (disposed) return;
      result = null;
      resultBox.replaceChildren(stateBox({
        title: 'No model could be trained', tone: 'error',
        body: `${describeError(error).replace(/\.?$/, '.')} ${won && lost ? 'Check that enough leads are at Customer and at Lost, then try again.' : outcomeAdvice(won, lost)}`,
        action: ['Try again', train],
      }));
    } finally {
      clearInterval(timer);
      timer = null;
      progress.hidden = true;
      trainButton.disabled = false;
    }
  }

  async function paintResult(r, seconds) {
    const aucOk = finite(r.auc);
    const verdict = !aucOk ? 'AUC could not be measured' : r.auc >= 0.8 ? 'Strong' : r.auc >= 0.7 ? 'Useful' : r.auc >= 0.6 ? 'Weak' : 'No better than chance';
    const folds = (r.aucByFold ?? []).map((a, i) => el('li', {}, el('span', { class: 'muted' }, `Fold ${i + 1}`), el('span', { class: 'num' }, fixed(a, 2))));
    const warnings = (r.warnings ?? []).map((w) => el('li', { dataset: { code: w.code } }, el('strong', {}, warningTitle(w.code)), ' ', w.message));

    const chosen = (r.candidates ?? []).find((c) => c.kind === r.model?.kind) ?? {};
    const raw = chosen.uncalibrated;
    const calibrationCanvas = el('canvas', { role: 'img', 'aria-label': 'Calibration chart: predicted against observed conversion per probability bin' });
    const liftCanvas = el('canvas', { role: 'img', 'aria-label': 'Lift by decile chart' });

    resultBox.replaceChildren(...[
      el('div', { class: 'learn-metrics' },
        metric('Cross-validated AUC', fixed(r.auc, 3), verdict, 'learn-auc'),
        metric('Log-loss', fixed(r.logLoss, 3), 'lower is better; 0.693 is a coin toss', 'learn-logloss'),
        metric('Leads with an outcome', number(r.rows), `${number(r.positives)} won · ${number(r.negatives)} lost`, 'learn-rows'),
        metric('Trained in', `${seconds.toFixed(1)} s`, `${number(r.folds)} folds · ${kindName(r.model?.kind)}`, 'learn-time')),
      candidatesCard(r),
      el('div', { class: 'card learn-actions' },
        el('div', {},
          el('h2', {}, 'Use this model?'),
          el('p', { class: 'muted' }, useful(r)
            ? 'Adopting it shows a conversion probability beside the rule score on every open lead. You can remove it at any time.'
            : `Its AUC is ${aucOk ? `${fixed(r.auc, 3)}, below ${USEFUL_AUC}` : 'unknown'}: its probabilities would rank leads little better than chance. Discarding it keeps the rule score alone; more won and lost leads may train a better one.`)),
        el('div', { class: 'page-actions' },
          button('Discard', discard, { id: 'learn-discard', kind: useful(r) ? 'secondary' : 'primary' }),
          button(useful(r) ? 'Adopt model' : 'Adopt anyway…', adopt, { kind: useful(r) ? 'primary' : 'secondary', id: 'learn-adopt' }))),
      warnings.length ? el('div', { class: 'card learn-warnings', role: 'note' }, el('h2', {}, 'Read with care'), el('ul', {}, ...warnings)) : null,
      el('div', { class: 'grid-2' },
        el('div', { class: 'card' }, el('h2', {}, 'Top drivers'),
          el('p', { class: 'muted learn-caption' }, r.driverMeasure === 'meanAbsContribution'
            ? 'How much each input moves a lead’s odds of winning, on average over the leads (mean absolute contribution in log-odds, from TreeSHAP). Trees let an input raise the chance for some leads and lower it for others, so the bars have no direction; a lead’s page shows which way each input moved it.'
            : 'How strongly each input moves the odds of winning: bars to the right raise the chance, to the left lower it.'),
          driverList(r.drivers ?? [], r.driverMeasure === 'meanAbsContribution')),
        el('div', { class: 'card' }, el('h2', {}, 'AUC by fold'),
          el('p', { class: 'muted learn-caption' }, 'Each fold is scored by a model that never saw it. A wide spread means too few examples.'),
          folds.length ? el('ul', { class: 'learn-folds' }, ...folds) : el('p', { class: 'muted' }, 'No folds were scored.'))),
      el('div', { class: 'grid-2' },
        el('div', { class: 'card' }, el('h2', {}, 'Calibration'),
          el('p', { class: 'muted learn-caption' }, 'Do predicted probabilities come true? Points on the diagonal are well calibrated.',
            raw ? ` The trees’ raw scores are recalibrated (Platt scaling, fitted on out-of-fold scores): calibration error ${fixed(chosen.calibrationError)}, ${fixed(raw.calibrationError)} before.` : ''),
          el('div', { class: 'learn-chart' }, calibrationCanvas),
          calibrationTable(r.calibration ?? [], raw?.calibration)),
        el('div', { class: 'card' }, el('h2', {}, 'Lift by decile'),
          el('p', { class: 'muted learn-caption' }, 'Leads ranked by predicted probability, in tenths: how much more often each tenth converts than average.'),
          el('div', { class: 'learn-chart' }, liftCanvas),
          liftTable(r.lift ?? [])))].filter(Boolean));

    const points = (bins) => (bins ?? []).filter((b) => b.count > 0 && finite(b.predicted) && finite(b.observed)).map((b) => ({ x: b.predicted, y: b.observed }));
    charts.push(await themedChart(calibrationCanvas, (c) => ({
      type: 'scatter',
      data: {
        datasets: [
          { label: raw ? 'Calibrated' : 'Bins', data: points(r.calibration), backgroundColor: c.accent, borderColor: c.accent, pointRadius: 4 },
          ...(raw ? [{ label: 'Before calibration', data: points(raw.calibration), backgroundColor: c.text3, borderColor: c.text3, pointRadius: 3, pointStyle: 'triangle' }] : []),
          { label: 'Perfect', type: 'line', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: c.text3, borderDash: [4, 4], pointRadius: 0, borderWidth: 1 },
        ],
      },
      options: {
        plugins: { legend: { display: !!raw } },
        scales: {
          x: { min: 0, max: 1, title: { display: true, text: 'Predicted' } },
          y: { min: 0, max: 1, title: { display: true, text: 'Observed' } },
        },
      },
    })));
    const lift = (r.lift ?? []).filter((d) => finite(d.lift));
    charts.push(await themedChart(liftCanvas, (c) => ({
      type: 'bar',
      data: {
        labels: lift.map((d) => String(d.decile)),
        datasets: [{ label: 'Lift', data: lift.map((d) => d.lift), backgroundColor: c.accent, borderRadius: 3 }],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: 'Decile (1 = highest predicted)' } }, y: { beginAtZero: true, title: { display: true, text: 'Lift (1 = average)' } } },
      },
    })));
  }

  function metric(label, value, note, id) {
    return el('div', { class: 'card learn-metric', id },
      el('span', { class: 'learn-metric-label' }, label),
      el('span', { class: 'learn-metric-value' }, value),
      el('span', { class: 'muted' }, note));
  }

  function warningTitle(code) {
    return { fewExamples: 'Few examples.', foldsReduced: 'Fewer folds.', constantInputs: 'Unused inputs.', noTrees: 'No trees.' }[code] ?? 'Note.';
  }

  /** Every candidate's cross-validated figures side by side, the chosen one marked, and why. */
  function candidatesCard(r) {
    const cs = r.candidates ?? [];
    if (cs.length < 2) return null;
    const best = Math.max(...cs.map((c) => (finite(c.auc) ? c.auc : -1)));
    return el('div', { class: 'card learn-candidates', id: 'learn-candidates' },
      el('h2', {}, `Chosen: ${kindName(r.kind)}`),
      el('p', { class: 'learn-reason', id: 'learn-reason' }, r.reason ?? ''),
      el('table', { class: 'learn-table learn-candidates-table', 'aria-label': 'Candidate models on the same folds' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, 'Model'), el('th', { scope: 'col', class: 'num' }, 'AUC'),
          el('th', { scope: 'col', class: 'num' }, 'Log-loss'), el('th', { scope: 'col', class: 'num' }, 'Calibration error'),
          el('th', { scope: 'col', class: 'num' }, 'AUC by fold'))),
        el('tbody', {}, ...cs.map((c) => el('tr', { class: c.kind === r.kind ? 'is-chosen' : '', dataset: { kind: c.kind }, 'aria-current': c.kind === r.kind ? 'true' : null },
          el('th', { scope: 'row' }, kindName(c.kind), c.kind === r.kind ? el('span', { class: 'badge learn-chosen' }, 'chosen') : null,
            c.rounds?.length && c.rounds.every((n) => n === 0) ? el('span', { class: 'muted' }, ' · no fold kept a tree') : null),
          el('td', { class: `num${c.auc === best ? ' learn-best' : ''}` }, fixed(c.auc)),
          el('td', { class: 'num' }, fixed(c.logLoss)),
          el('td', { class: 'num' }, fixed(c.calibrationError), c.uncalibrated ? el('span', { class: 'muted' }, ` (${fixed(c.uncalibrated.calibrationError)} before)`) : null),
          el('td', { class: 'num muted' }, (c.aucByFold ?? []).map((a) => fixed(a, 2)).join(' ')))))),
      el('p', { class: 'muted learn-footnote' }, 'All three are scored on the same folds, each fold by a model that never saw it. Calibration error is the average gap between predicted and observed conversion over the reliability table’s bins. Naive Bayes is the baseline; it is never chosen.'));
  }

  function driverList(drivers, unsigned = false) {
    const top = drivers.filter((d) => finite(d.weight)).sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, 10);
    if (!top.length) return el('p', { class: 'muted' }, 'No input carried any weight.');
    const max = Math.max(...top.map((d) => Math.abs(d.weight))) || 1;
    return el('ol', { class: 'learn-drivers', 'aria-label': 'Top drivers' }, ...top.map((d) => {
      const bar = el('span', { class: `learn-driver-bar ${unsigned ? 'is-size' : d.weight >= 0 ? 'is-up' : 'is-down'}` });
      bar.style.width = `${(Math.abs(d.weight) / max) * (unsigned ? 100 : 50)}%`;
      return el('li', { class: 'learn-driver' },
        el('span', { class: 'learn-driver-name', title: d.feature }, d.feature),
        el('span', { class: `learn-driver-track${unsigned ? ' is-unsigned' : ''}`, 'aria-hidden': 'true' }, bar),
        el('span', { class: 'num learn-driver-weight' }, `${unsigned ? '' : d.weight >= 0 ? '+' : '−'}${Math.abs(d.weight).toFixed(2)}`));
    }));
  }

  /** The reliability table; with the trees' raw bins, those too (the same ranges, other leads in each). */
  function calibrationTable(bins, raw) {
    const head = ['Predicted range', 'Leads', 'Predicted', 'Observed', ...(raw ? ['Before calibration: leads', 'observed'] : [])];
    return table(head, bins.map((b, i) => [
      `${percent(b.from)}–${percent(b.to)}`, number(b.count), b.count ? percent(b.predicted, 1) : '—', b.count ? percent(b.observed, 1) : '—',
      ...(raw ? [number(raw[i]?.count ?? 0), raw[i]?.count ? percent(raw[i].observed, 1) : '—'] : []),
    ]), 'Calibration table');
  }

  function liftTable(deciles) {
    return table(['Decile', 'Leads', 'Won', 'Lift', 'Cumulative'], deciles.map((d) => [
      String(d.decile), number(d.count), percent(d.rate, 0), fixed(d.lift, 2), fixed(d.cumulativeLift, 2),
    ]), 'Lift by decile table');
  }

  function table(head, rows, label) {
    return el('table', { class: 'learn-table', 'aria-label': label },
      el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { class: i ? 'num' : '', scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', { class: i ? 'num' : '' }, c))))));
  }

  async function adopt() {
    if (!result) return;
    if (!useful(result)) {
      const why = finite(result.auc)
        ? `Its cross-validated AUC is ${fixed(result.auc, 3)}, below ${USEFUL_AUC}: it tells won leads from lost ones little better than chance (0.5), so its probabilities would mislead more than help.`
        : 'Its AUC could not be measured, so nothing shows that it tells won leads from lost ones better than chance.';
      const sure = await confirmDialog('Adopt a model no better than chance?',
        `${why} Open leads would show those probabilities beside the rule score. You can remove it at any time.`, { confirm: 'Adopt anyway' });
      if (!sure || !result) return;
    }
    await ctx.run(worker.adoptModel(result.model), { success: 'Model adopted: open leads now show a conversion probability' });
    result = null;
    resultBox.replaceChildren();
    destroyCharts();
    paintAdopted(await worker.read('getPredictiveModel'));
  }

  function discard() {
    result = null;
    destroyCharts();
    resultBox.replaceChildren(el('p', { class: 'muted', role: 'status' }, 'Discarded. Nothing was saved.'));
  }

  async function remove() {
    await ctx.run(worker.discardModel(), { success: 'Model removed' });
    paintAdopted(null);
  }

  async function paintAdopted(m) {
    if (!m) {
      adopted.replaceChildren(el('div', { class: 'card learn-none', id: 'learn-no-model' },
        el('h2', {}, 'No model in use'),
        el('p', { class: 'muted' }, 'Leads are ranked by the rule score alone. Train a model above and adopt it to see each open lead’s chance of becoming a customer.')));
      return;
    }
    const metrics = m.metrics ?? {};
    const rows = el('tbody', {}, el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'Loading predictions…')));
    adopted.replaceChildren(el('div', { class: 'card learn-model', id: 'learn-model' },
      el('div', { class: 'learn-model-head' },
        el('div', {},
          el('h2', {}, 'Model in use'),
          el('p', { class: 'muted' },
            `${kindName(m.kind)} · trained ${dateTime(m.trainedAt)} · AUC ${fixed(metrics.auc, 3)} on ${number(metrics.rows)} leads · `,
            el('code', { class: 'learn-hash', title: 'Model hash, stamped on every prediction' }, m.hash ?? '—')),
          m.selection?.reason ? el('p', { class: 'muted learn-reason' }, m.selection.reason) : null,
          m.kind === 'trees' ? el('p', { class: 'muted' }, 'Trees give no 95% band: their probabilities are calibrated on out-of-fold scores, but no standard error comes with them.') : null),
        el('div', { class: 'page-actions' }, button('Remove model', remove, { kind: 'danger', id: 'learn-remove' }))),
      el('h3', { class: 'learn-sample-title' }, 'Open leads most likely to convert'),
      el('table', { class: 'learn-table learn-sample', 'aria-label': 'Open leads with their predicted probability' },
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, 'Lead'), el('th', { scope: 'col' }, 'Stage'), el('th', { scope: 'col', class: 'num' }, 'Probability'),
          el('th', { scope: 'col', class: 'num' }, '95% band'), el('th', { scope: 'col', class: 'num' }, 'Rule score'))),
        rows)));
    try {
      const sample = await openSample();
      if (disposed) return;
      rows.replaceChildren(...(sample.length ? sample.map(({ lead, p, low, high, score }) => el('tr', { class: 'learn-sample-row', tabindex: '0', onclick: () => ctx.navigate(`#/lead/${encodeURIComponent(lead.id)}`), onkeydown: (e) => { if (e.key === 'Enter') ctx.navigate(`#/lead/${encodeURIComponent(lead.id)}`); } },
        el('td', {}, el('span', { class: 'primary' }, fullName(lead)), ' ', text(lead.company ?? '', 'muted')),
        el('td', {}, stageBadge(lead.stage)),
        el('td', { class: 'num learn-prob' }, percent(p, 0)),
        el('td', { class: 'num muted' }, finite(low) && finite(high) ? `${percent(low, 0)}–${percent(high, 0)}` : '—'),
        el('td', { class: 'num' }, score ? el('span', { class: 'score-cell' }, el('span', { class: 'score-num' }, String(Math.round(score.total))), gradeBadge(score.grade)) : '—')))
        : [el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'No open leads to predict. Add or import leads to see their chance of converting.'))]));
    } catch (error) {
      rows.replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'learn-error' }, `Predictions could not be computed: ${describeError(error)}`)));
    }
  }

  /** The ten open leads with the highest predicted probability, with their rule score. */
  async function openSample() {
    const all = await worker.read('predictAll');
    const order = Array.from(all.ids.keys()).filter((i) => finite(all.probability[i])).sort((a, b) => all.probability[b] - all.probability[a]);
    const byId = new Map(order.map((i) => [all.ids[i], i]));
    const rank = new Map(order.map((i, r) => [all.ids[i], r]));
    const out = [];
    for (let start = 0; start < order.length && out.length < 10; start += 200) {
      const ids = order.slice(start, start + 200).map((i) => all.ids[i]);
      const { rows } = await worker.read('query', { filter: { id: ids, stage: OPEN }, limit: 200 });
      rows.sort((a, b) => rank.get(a.id) - rank.get(b.id));
      for (const lead of rows.slice(0, 10 - out.length)) {
        const i = byId.get(lead.id);
        out.push({ lead, p: all.probability[i], low: all.low[i], high: all.high[i], score: await worker.read('score', lead.id).catch(() => null) });
      }
    }
    return out;
  }

  function destroyCharts() {
    for (const c of charts.splice(0)) c.destroy();
  }

  return () => {
    disposed = true;
    clearInterval(timer);
    destroyCharts();
  };
}
