// Predictive scoring through the JS API: train on known outcomes, adopt, predict and explain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, LeadkitError } from '../../web/lib/leadkit.js';

const NOW = 1_795_000_000_000;

// 600 closed leads where SaaS wins 80% and Retail 10% (the best possible AUC is 0.85), plus 50
// open ones to predict.
function plantedLeads() {
  const leads = [];
  for (let i = 0; i < 650; i++) {
    const saas = i % 2 === 0;
    const closed = i < 600;
    const won = saas ? (i % 10) < 8 : (i % 10) === 1;
    leads.push({
      id: `L${i}`, company: `Firm ${i}`, industry: saas ? 'SaaS' : 'Retail', employees: 10 + (i % 7) * 30,
      stage: closed ? (won ? 'customer' : 'lost') : 'sql', ...(closed && !won ? { stageReason: 'price' } : {}),
    });
  }
  return leads;
}

test('train learns a planted signal and reports cross-validated metrics', async () => {
  const engine = await createEngine();
  engine.loadLeads(plantedLeads(), { now: NOW });
  const r = engine.train({ folds: 5, now: NOW });
  assert.ok(r.auc > 0.75 && r.auc <= 1, `AUC ${r.auc}`);
  assert.ok(r.logLoss > 0 && r.logLoss < 0.6, `log-loss ${r.logLoss}`);
  assert.equal(r.calibration.length, 10);
  assert.equal(r.lift.length, 10);
  assert.equal(r.positives + r.negatives, 600, 'open leads are not training rows');
  assert.equal(r.model.format, 'leadkit-predictive-model');
  assert.ok(r.drivers.some((d) => d.feature.includes('SaaS')), JSON.stringify(r.drivers.slice(0, 5)));

  assert.equal(engine.setPredictiveModel(r.model), r.model.hash);
  const saas = engine.predict('L600', { now: NOW });
  const retail = engine.predict('L601', { now: NOW });
  assert.ok(saas.probability > 0.6 && retail.probability < 0.3, `${saas.probability} vs ${retail.probability}`);
  for (const p of [saas, retail]) {
    const logit = p.contributions.reduce((sum, c) => sum + c.logOdds, p.intercept);
    assert.ok(Math.abs(logit - p.logit) < 1e-9, 'contributions add up to the logit');
    assert.ok(Math.abs(1 / (1 + Math.exp(-p.logit)) - p.probability) < 1e-9);
    assert.ok(p.low <= p.probability && p.probability <= p.high);
    assert.equal(p.modelHash, r.model.hash);
  }
  const all = engine.predictAll({ now: NOW });
  assert.equal(all.ids.length, 650);
  assert.ok(all.probability instanceof Float64Array);
  assert.equal(all.probability[all.ids.indexOf('L600')], saas.probability);
  engine.dispose();
});

test('too little history gives a warning with its reason', async () => {
  const engine = await createEngine();
  engine.loadLeads(plantedLeads().slice(0, 80), { now: NOW });
  const r = engine.train({ folds: 3, now: NOW });
  assert.ok(r.warnings.some((w) => w.code === 'fewExamples' && /50/.test(w.message)), JSON.stringify(r.warnings));
  engine.dispose();
});

test('bad models and missing models are refused clearly', async () => {
  const engine = await createEngine();
  engine.loadLeads(plantedLeads(), { now: NOW });
  assert.throws(() => engine.predict('L600', { now: NOW }), (e) => e instanceof LeadkitError && /no predictive model/.test(e.message));
  const { model } = engine.train({ now: NOW });
  const broken = structuredClone(model);
  broken.weights = 'heavy';
  assert.throws(() => engine.setPredictiveModel(broken), (e) => e instanceof LeadkitError && e.where.path?.startsWith('model.weights'));
  assert.throws(() => engine.train({ kind: 'forest' }), LeadkitError);
  assert.equal(engine.setPredictiveModel(null), null);
  assert.equal(engine.getPredictiveModel(), null);
  engine.dispose();
});

// 700 closed leads whose outcome is an exclusive-or of two custom numbers (no linear model sees
// it) and 20 open ones.
function interactionLeads() {
  const leads = [];
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 720; i++) {
    const a = rnd() * 2 - 1, b = rnd() * 2 - 1;
    const won = rnd() < ((a > 0) !== (b > 0) ? 0.85 : 0.15);
    const closed = i < 700;
    leads.push({
      id: `X${i}`, company: `Firm ${i}`, industry: i % 2 ? 'SaaS' : 'Retail', custom: { a: Math.round(a * 1000) / 1000, b: Math.round(b * 1000) / 1000 },
      stage: closed ? (won ? 'customer' : 'lost') : 'sql', ...(closed && !won ? { stageReason: 'price' } : {}),
    });
  }
  return leads;
}

test('auto compares the candidates on the same folds, picks trees for an interaction and says why', async () => {
  const engine = await createEngine();
  engine.loadLeads(interactionLeads(), { now: NOW });
  const r = engine.train({ kind: 'auto', now: NOW });
  assert.deepEqual(r.candidates.map((c) => c.kind), ['logistic', 'naiveBayes', 'trees']);
  const by = Object.fromEntries(r.candidates.map((c) => [c.kind, c]));
  assert.ok(by.trees.auc > by.logistic.auc + 0.1, `trees ${by.trees.auc}, logistic ${by.logistic.auc}`);
  assert.equal(r.kind, 'trees');
  assert.match(r.reason, /margin/);
  assert.equal(r.driverMeasure, 'meanAbsContribution');
  assert.ok(by.trees.uncalibrated.calibration.length === 10 && by.trees.calibrationMethod === 'platt');
  for (const c of r.candidates) assert.ok(c.logLoss > 0 && c.calibrationError >= 0 && c.calibration.length === 10);

  assert.equal(r.model.kind, 'trees');
  assert.equal(r.model.version, 2);
  assert.equal(engine.setPredictiveModel(r.model), r.model.hash);
  assert.equal(engine.setPredictiveModel(JSON.parse(JSON.stringify(r.model))), r.model.hash, 'the hash survives a JSON round trip');
  const p = engine.predict('X700', { now: NOW });
  const logit = p.contributions.reduce((sum, c) => sum + c.logOdds, p.intercept);
  assert.ok(Math.abs(logit - p.logit) < 1e-9, 'TreeSHAP contributions add up to the logit');
  assert.ok(p.contributions.some((c) => c.input === 'custom.a'));
  assert.equal(p.low, null);
  assert.equal(p.high, null);
  const all = engine.predictAll({ now: NOW });
  assert.equal(all.probability[all.ids.indexOf('X700')], p.probability);
  assert.ok(Number.isNaN(all.low[0]) && Number.isNaN(all.high[0]), 'no band for trees: NaN, not 0');

  const forced = engine.train({ kind: 'logistic', now: NOW });
  assert.equal(forced.kind, 'logistic');
  assert.equal(forced.candidates.length, 1);
  assert.throws(() => engine.train({ kind: 'trees', trees: { maxLeaves: 1 }, now: NOW }),
    (e) => e instanceof LeadkitError && e.where.path === 'options.trees.maxLeaves');
  engine.dispose();
});
