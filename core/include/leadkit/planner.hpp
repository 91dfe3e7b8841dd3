// The reverse-funnel planner: from a revenue goal for one period and an average deal value, works
// back through the conversion rates to how many customers, opportunities, SQLs, MQLs and leads
// the period needs, and for the outbound share of those leads how many touches at the attempts
// per reply.
//
// Each rate is, in order of preference: given in the request, measured in the workspace (see
// MeasureRates in funnel.hpp; over the request's `from`/`to`, by default the 365 days before
// now), or the default below; the output says which. Every count is the exact quotient rounded
// up (a plan for 9.2 deals needs 10), computed from the exact figures, not from rounded ones.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "leadkit/funnel.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

class Workspace;

// leadToMql, mqlToSql, sqlToOpportunity, opportunityToCustomer.
inline constexpr std::array<std::string_view, 4> kPlanRateKeys = {
    "leadToMql", "mqlToSql", "sqlToOpportunity", "opportunityToCustomer"};
// Common B2B figures, used until the workspace has measured its own.
inline constexpr std::array<double, 4> kDefaultPlanRates = {0.25, 0.40, 0.50, 0.25};
// The field's rule of thumb: about nine outbound attempts before a response.
inline constexpr double kDefaultAttemptsPerReply = 9;
inline constexpr double kDefaultOutboundShare = 0.5;

// {revenueGoal, dealValue, period: "week" | "month" | "quarter", rates?: {leadToMql, ...},
//  attemptsPerReply?, outboundShare?} with `measured` (may be null) →
// {period, revenueGoal, dealValue, rates: {key: {value, source, samples?}}, attemptsPerReply:
//  {value, source, samples?}, outboundShare: {...}, needed: {customers, opportunities, sqls, mqls,
//  leads, outboundLeads, touches}, perWeek: {same}, exact: {same, unrounded}}.
// A zero or negative goal or deal value, an unknown period, a rate outside (0, 1] are errors whose
// path names the member.
Result<nlohmann::json> Plan(const nlohmann::json& request, const MeasuredRates* measured);

// The same, measuring the rates in `ws` over the request's {from, to} (ISO times; default the
// 365 days up to `now_ms`) with its minSample (default 20).
Result<nlohmann::json> Plan(const Workspace& ws, const nlohmann::json& request, int64_t now_ms);

}  // namespace leadkit
