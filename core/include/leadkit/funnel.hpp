// Funnel analytics over a period: how many leads reached each lifecycle stage, the conversion
// between consecutive stages (overall, per source channel or per direction), how long leads stay
// in each stage, the weighted open pipeline, and monthly cohorts.
//
// Semantics (the numbers a user acts on, so they are defined exactly):
// - The period is [from, to): `from` included, `to` excluded; `to` must be after `from`. With
//   allTime it has no bounds: every lead counts, one whose createdAt is in the future too.
// - The ordered stages are new → nurturing → mql → sql → opportunity → customer. A lead ENTERS
//   `new` at its createdAt and any other stage at the `at` of a history transition into it. A
//   lead whose history records no entry into its current stage (e.g. imported already at "sql")
//   is taken to have entered its current stage at createdAt.
// - A lead REACHED stage s in the period if it entered s or any later ordered stage within the
//   period. So a lead that went new → mql in the period counts for nurturing too, and every
//   count is at most the one before it: conversion rates lie in [0, 1].
// - conversion of stage s = reached(next stage) / reached(s); null when reached(s) is 0, with
//   the flag "noLeads". overall = reached(customer) / reached(new), null likewise.
// - lost and disqualified count leads with a transition into them within the period.
// - Velocity: a stay in a stage lasts from entering it until the next transition out of it; the
//   median (in days) is over stays that ENDED within the period, so open stays do not drag it
//   down. null with "noLeads" when no stay ended in the period. Customer stays never end.
// - Weighted pipeline: every lead open NOW (stage new to opportunity) with a deal value, as
//   value × probability of its stage. The probability is the measured reached(customer) /
//   reached(stage) of the period when at least `minSample` leads reached the stage (default 20)
//   and one became a customer; otherwise the default table kDefaultWinProbability.
// - Cohorts: leads created in the period, by UTC month of createdAt, with how many of them EVER
//   reached each stage (all their history, not only the period's) and the share that became
//   customers.
// No number in the output is NaN or infinite: empty denominators give null and a flag.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/lead.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

class Workspace;

inline constexpr int kFunnelStages = 6;  // new .. customer, in order
// Win probability per ordered stage when too few leads were measured: the usual B2B shape.
inline constexpr std::array<double, kFunnelStages> kDefaultWinProbability = {0.02, 0.03, 0.08,
                                                                             0.20, 0.40, 1.0};

enum class FunnelSplit { kNone, kSource, kDirection };

struct FunnelOptions {
  int64_t from = 0, to = 0;  // ms since epoch, [from, to)
  bool all_time = false;     // from and to are then INT64_MIN and INT64_MAX
  FunnelSplit by = FunnelSplit::kNone;
  int min_sample = 20;
  // {from, to (ISO 8601), by?: "source" | "direction" | "none", minSample?}, or {allTime: true,
  // by?, minSample?}; errors name the path.
  static Result<FunnelOptions> FromJson(const nlohmann::json& j);
};

// The per-stage counts of one group of leads.
struct StageCounts {
  size_t leads = 0;  // leads that reached any ordered stage, or were lost or disqualified
  std::array<size_t, kFunnelStages> reached{};
  size_t lost = 0, disqualified = 0;
};

struct FunnelResult {
  StageCounts all;
  std::vector<std::pair<std::string, StageCounts>> groups;  // by key, in key order
  // Median days per ordered stage but customer, and how many stays it is over.
  std::array<double, kFunnelStages - 1> median_days{};
  std::array<size_t, kFunnelStages - 1> stays{};
};

// The counts and velocity alone (what the planner measures and the benchmark times).
FunnelResult ComputeFunnel(const Workspace& ws, const FunnelOptions& options);

// {period, flags, leads, stages: [{stage, reached, conversion, flag?}], lost, disqualified,
//  overall, groups?: [{key, direction?, leads, stages, lost, disqualified, overall}],
//  velocity: [{stage, medianDays, stays, flag?}], weightedPipeline: {total, openLeads,
//  withoutValue, stages: [{stage, leads, value, probability, probabilitySource, weighted}]},
//  cohorts: [{month, created, reached: {stage: n}, lost, disqualified, conversion}]}
Result<nlohmann::json> Funnel(const Workspace& ws, const nlohmann::json& request);

// Measured rates for the planner: leadToMql, mqlToSql, sqlToOpportunity, opportunityToCustomer
// (a rate is measured when its denominator is at least min_sample and its numerator is not 0),
// attempts per reply (touches up to and including a lead's first reply or booked meeting, over
// leads whose first reply fell in the period) and the outbound share of the leads created in the
// period; these two are measured over at least min_sample leads too.
struct MeasuredRates {
  std::array<std::optional<double>, 4> rates;  // in the order above
  std::array<size_t, 4> samples{};
  std::optional<double> attempts_per_reply;
  size_t replied_leads = 0;
  std::optional<double> outbound_share;
  size_t leads = 0;
};
MeasuredRates MeasureRates(const Workspace& ws, const FunnelOptions& options);

}  // namespace leadkit
