#include "leadkit/planner.hpp"

#include <cmath>
#include <optional>
#include <string>

#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

// A finite number from `j[key]`, or an error at `path`.
Result<double> NumberAt(const json& j, std::string_view key, const std::string& path) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return MakeError("required: a number", path);
  if (!it->is_number() || !std::isfinite(it->get<double>())) {
    return MakeError("expected a finite number, got " + DescribeJsonValue(*it), path);
  }
  return it->get<double>();
}

Result<double> Positive(const json& j, std::string_view key, const char* what) {
  auto v = NumberAt(j, key, std::string(key));
  if (!v) return v;
  if (v.value() <= 0) {
    return MakeError(std::string(what) + " must be more than 0, got " + DescribeJsonValue(j[std::string(key)]),
                     std::string(key));
  }
  return v;
}

// A whole number of items needed: the exact figure rounded up, ignoring floating-point dust
// (10 / 0.25 must be 40, not 41).
double Needed(double exact) { return std::ceil(exact - 1e-9 * std::max(1.0, exact)); }

// {value, source, samples?}; samples < 0: nothing was measured.
json Source(double value, const char* source, int64_t samples) {
  json out = {{"value", value}, {"source", source}};
  if (samples >= 0) out["samples"] = samples;
  return out;
}

}  // namespace

Result<json> Plan(const json& request, const MeasuredRates* measured) {
  if (!request.is_object()) {
    return MakeError("expected {revenueGoal, dealValue, period}, got " + DescribeJsonValue(request));
  }
  for (const auto& item : request.items()) {
    const std::string& k = item.key();
    if (k != "revenueGoal" && k != "dealValue" && k != "period" && k != "rates" &&
        k != "attemptsPerReply" && k != "outboundShare" && k != "from" && k != "to" && k != "minSample") {
      return MakeError("unknown member; expected revenueGoal, dealValue, period, rates, "
                       "attemptsPerReply, outboundShare, from, to or minSample", k);
    }
  }
  auto goal = Positive(request, "revenueGoal", "the revenue goal");
  if (!goal) return goal.error();
  auto deal = Positive(request, "dealValue", "the deal value");
  if (!deal) return deal.error();
  const json period = request.value("period", json("month"));
  double weeks = 0;
  if (period == "week") weeks = 1;
  else if (period == "month") weeks = 52.0 / 12;
  else if (period == "quarter") weeks = 13;
  else return MakeError("expected \"week\", \"month\" or \"quarter\", got " + DescribeJsonValue(period), "period");

  const json given = request.value("rates", json::object());
  if (!given.is_object()) return MakeError("expected an object of rates, got " + DescribeJsonValue(given), "rates");
  for (const auto& item : given.items()) {
    bool known = false;
    for (std::string_view k : kPlanRateKeys) known |= item.key() == k;
    if (!known) {
      return MakeError("unknown rate; expected leadToMql, mqlToSql, sqlToOpportunity or "
                       "opportunityToCustomer", "rates." + item.key());
    }
  }
  json rates = json::object();
  std::array<double, 4> r{};
  for (size_t i = 0; i < kPlanRateKeys.size(); ++i) {
    const std::string key(kPlanRateKeys[i]);
    const int64_t samples = measured ? static_cast<int64_t>(measured->samples[i]) : -1;
    if (given.contains(key) && !given[key].is_null()) {
      auto v = NumberAt(given, key, "rates." + key);
      if (!v) return v.error();
      if (v.value() <= 0 || v.value() > 1) {
        return MakeError("a conversion rate is more than 0 and at most 1, got " + DescribeJsonValue(given[key]),
                         "rates." + key);
      }
      r[i] = v.value();
      rates[key] = Source(r[i], "given", -1);
    } else if (measured && measured->rates[i]) {
      r[i] = *measured->rates[i];
      rates[key] = Source(r[i], "measured", samples);
    } else {
      r[i] = kDefaultPlanRates[i];
      rates[key] = Source(r[i], "default", samples);
    }
  }

  json attempts_json, share_json;
  double attempts = kDefaultAttemptsPerReply, share = kDefaultOutboundShare;
  const int64_t replied = measured ? static_cast<int64_t>(measured->replied_leads) : -1;
  const int64_t created = measured ? static_cast<int64_t>(measured->leads) : -1;
  if (request.contains("attemptsPerReply") && !request["attemptsPerReply"].is_null()) {
    auto v = NumberAt(request, "attemptsPerReply", "attemptsPerReply");
    if (!v) return v.error();
    if (v.value() < 1) return MakeError("at least one touch comes before a reply, got " + DescribeJsonValue(request["attemptsPerReply"]), "attemptsPerReply");
    attempts = v.value();
    attempts_json = Source(attempts, "given", -1);
  } else if (measured && measured->attempts_per_reply) {
    attempts = *measured->attempts_per_reply;
    attempts_json = Source(attempts, "measured", replied);
  } else {
    attempts_json = Source(attempts, "default", replied);
  }
  if (request.contains("outboundShare") && !request["outboundShare"].is_null()) {
    auto v = NumberAt(request, "outboundShare", "outboundShare");
    if (!v) return v.error();
    if (v.value() < 0 || v.value() > 1) return MakeError("a share runs from 0 to 1, got " + DescribeJsonValue(request["outboundShare"]), "outboundShare");
    share = v.value();
    share_json = Source(share, "given", -1);
  } else if (measured && measured->outbound_share) {
    share = *measured->outbound_share;
    share_json = Source(share, "measured", created);
  } else {
    share_json = Source(share, "default", created);
  }

  // Backwards through the funnel, from exact figures.
  const double customers = goal.value() / deal.value();
  const double opportunities = customers / r[3];
  const double sqls = opportunities / r[2];
  const double mqls = sqls / r[1];
  const double leads = mqls / r[0];
  const double outbound_leads = leads * share;
  const double touches = outbound_leads * attempts;
  if (!std::isfinite(touches) || !std::isfinite(leads)) {
    return MakeError("the goal is too large for the deal value: the plan would need more leads than "
                     "a number can hold", "revenueGoal");
  }
  const auto figures = [&](double scale, bool round) {
    const auto f = [&](double v) -> json {
      if (!round) return v / scale;
      const double n = Needed(v / scale);
      return n < 9e15 ? json(static_cast<int64_t>(n)) : json(n);
    };
    return json{{"customers", f(customers)}, {"opportunities", f(opportunities)}, {"sqls", f(sqls)},
                {"mqls", f(mqls)}, {"leads", f(leads)}, {"outboundLeads", f(outbound_leads)},
                {"touches", f(touches)}};
  };
  return json{{"period", period},
              {"revenueGoal", goal.value()},
              {"dealValue", deal.value()},
              {"rates", std::move(rates)},
              {"attemptsPerReply", std::move(attempts_json)},
              {"outboundShare", std::move(share_json)},
              {"needed", figures(1, true)},
              {"perWeek", figures(weeks, true)},
              {"exact", figures(1, false)}};
}

Result<json> Plan(const Workspace& ws, const json& request, int64_t now_ms) {
  if (!request.is_object()) return Plan(request, nullptr);
  json window = {{"from", request.contains("from") ? request["from"] : json(now_ms - 365 * kMsPerDay)},
                 {"to", request.contains("to") ? request["to"] : json(now_ms)}};
  if (request.contains("minSample")) window["minSample"] = request["minSample"];
  auto options = FunnelOptions::FromJson(window);
  if (!options) return options.error();
  const MeasuredRates measured = MeasureRates(ws, options.value());
  return Plan(request, &measured);
}

}  // namespace leadkit
