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
