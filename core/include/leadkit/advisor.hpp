// The advisor: should this business lean on lead generation (inbound, one-to-many) or on
// prospecting (outbound, one-to-one) right now? Explicit scoring, so every part of the advice
// traces back to an input.
//
// Each input contributes a signed share, positive toward prospecting, negative toward lead
// generation (t is clamped to [0, 1]):
//   pipelineCoverage pc   0.15 − 0.25·t, t = (pc − 0.5) / 2.5    thin (≤0.5×) +0.15, 2× 0, ≥3× −0.10:
//                         outbound fills a pipeline in weeks; a healthy one leaves runway for inbound
//   dealValue v           −0.10 + 0.25·t, t = (log10 v − 3) / 2  ≤1,000 −0.10, ~6,300 0, ≥100,000 +0.15
//   niche n               0.15·(2n − 1)                          broad −0.15, very specific +0.15
//   marketSize m          0.10 − 0.20·t, t = (log10 m − 3) / 3   ≤1,000 buyers +0.10, ≥1,000,000 −0.10
//   b2b                   +0.08 (B2B), −0.12 (B2C: consumers rarely answer cold outreach)
//   marketingBudget and   −0.12·clamp(log10 r, −1, 1), r = monthly budget / monthly sales hours
//   salesHoursPerWeek     valued at kSalesHourCost: money to spare → lead generation, people → prospecting
//   salesCycleDays d      0.05 − 0.10·t, t = (d − 14) / 166      ≤14 days +0.05, ≥180 days −0.05
// prospecting = clamp(0.5 + Σ, 0.1, 0.9) rounded to the hundredth (a pipeline always needs some of
// both), leadGeneration = 1 − prospecting. The lean is "prospecting" from 0.55, "leadGeneration"
// up to 0.45, "balanced" between. A sensitivity is the value of one input, the others unchanged,
// at which the lean would change (found by bisection: every contribution is monotone).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"

namespace leadkit {

// What an hour of selling costs, to set the marketing budget against sales hours.
inline constexpr double kSalesHourCost = 50;

struct AdvisorInputs {
  double market_size = 0;        // buyers (accounts or people) who could buy; > 0
  double niche = 0;              // 0 = broad .. 1 = very specific
  double deal_value = 0;         // > 0
  double sales_cycle_days = 0;   // >= 0
  double marketing_budget = 0;   // per month, >= 0
  double sales_hours_per_week = 0;  // 0 .. 168
  double pipeline_coverage = 0;  // open pipeline value / the period's target, >= 0
  bool b2b = true;

  // {marketSize, niche, dealValue, salesCycleDays, marketingBudget, salesHoursPerWeek,
  //  pipelineCoverage, b2b}, all required; errors name the member.
  static Result<AdvisorInputs> FromJson(const nlohmann::json& j);
};

struct AdvisorReason {
  std::string input;  // the input it traces to (marketingBudget for the budget-to-hours ratio)
  std::string text;
  double weight = 0;  // the signed contribution: + toward prospecting, − toward lead generation
};

struct AdvisorSensitivity {
  std::string input;
  std::string text;
  double value = 0;  // the input's value at which the lean changes
};

struct Advice {
  double prospecting = 0.5, lead_generation = 0.5;
  std::string lean;  // "prospecting", "leadGeneration" or "balanced"
  double score = 0;  // Σ of the weights
  std::vector<AdvisorReason> reasons;  // by |weight|, largest first
  std::vector<AdvisorSensitivity> sensitivities;
};

Advice Advise(const AdvisorInputs& in);

// {mix: {leadGeneration, prospecting}, lean, score, reasons: [{input, text, weight}],
//  sensitivities: [{input, text, value}]}
nlohmann::json AdviceToJson(const Advice& a);
Result<nlohmann::json> Advise(const nlohmann::json& inputs);

}  // namespace leadkit
