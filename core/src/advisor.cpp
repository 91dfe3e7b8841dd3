#include "leadkit/advisor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>

#include "leadkit/lead.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

constexpr double kWeeksPerMonth = 52.0 / 12;

double Clamp01(double t) { return std::clamp(t, 0.0, 1.0); }

// 1234567 → "1,234,567"; 0.456 → "0.46"; 2.5 → "2.5".
std::string Num(double v) {
  char buf[64];
  if (std::fabs(v) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f", std::fabs(v));
    std::string digits = buf, out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
  }
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

// One input's contribution and the sentence that explains it.
struct Factor {
  const char* input;
  double weight;
  std::string text;
};

Factor Coverage(const AdvisorInputs& in) {
  const double pc = in.pipeline_coverage;
  const double w = 0.15 - 0.25 * Clamp01((pc - 0.5) / 2.5);
  std::string text = "Pipeline coverage is " + Num(pc) + "× the target: ";
  text += pc < 2 ? "thin. Prospecting fills a pipeline in weeks; lead generation takes months to build."
                 : "healthy, which leaves runway to build lead generation that compounds.";
  return {"pipelineCoverage", w, std::move(text)};
}

Factor DealValue(const AdvisorInputs& in) {
  const double w = -0.10 + 0.25 * Clamp01((std::log10(in.deal_value) - 3) / 2);
  std::string text = "A deal is worth " + Num(in.deal_value) + ": ";
  text += w >= 0 ? "enough to pay for one-to-one outreach."
                 : "too little to pay for one-to-one effort; one-to-many lead generation fits.";
  return {"dealValue", w, std::move(text)};
}

Factor Niche(const AdvisorInputs& in) {
  const double w = 0.15 * (2 * in.niche - 1);
  std::string text = w >= 0
      ? "A specific offer (niche " + Num(in.niche) + "): its buyers can be listed and approached one by one."
      : "A broad offer (niche " + Num(in.niche) + "): content and ads reach its many buyers at once.";
  return {"niche", w, std::move(text)};
}

Factor Market(const AdvisorInputs& in) {
  const double w = 0.10 - 0.20 * Clamp01((std::log10(std::max(in.market_size, 1.0)) - 3) / 3);
  std::string text = w >= 0
      ? "A small market (" + Num(in.market_size) + " buyers): each account can be researched and contacted."
      : "A large market (" + Num(in.market_size) + " buyers): volume channels reach it more cheaply.";
  return {"marketSize", w, std::move(text)};
}

Factor B2b(const AdvisorInputs& in) {
  if (in.b2b) return {"b2b", 0.08, "B2B: buyers can be found by name and role, and expect outreach."};
  return {"b2b", -0.12,
          "B2C: consumers rarely answer cold outreach, and it is often restricted; they come through "
          "content and ads."};
}

Factor Budget(const AdvisorInputs& in) {
  const double hours_value = in.sales_hours_per_week * kWeeksPerMonth * kSalesHourCost;
  const std::string said = "A marketing budget of " + Num(in.marketing_budget) + " a month against " +
                           Num(in.sales_hours_per_week) + " sales hours a week (about " +
                           Num(hours_value) + " a month at " + Num(kSalesHourCost) + " an hour)";
  if (in.marketing_budget == 0 && hours_value == 0) {
    return {"marketingBudget", 0, said + ": neither lead generation nor prospecting has resources yet."};
  }
  double log_r = 1;  // no sales hours: as far toward lead generation as this factor goes
  if (in.marketing_budget == 0) log_r = -1;
  else if (hours_value > 0) log_r = std::clamp(std::log10(in.marketing_budget / hours_value), -1.0, 1.0);
  const double w = -0.12 * log_r;
  return {"marketingBudget", w,
          said + (w < 0 ? ": money is easier to spend than sales time, and lead generation runs on money."
                        : ": sales time is the larger resource, and prospecting runs on it.")};
}

Factor Cycle(const AdvisorInputs& in) {
  const double w = 0.05 - 0.10 * Clamp01((in.sales_cycle_days - 14) / 166);
  std::string text = "A " + Num(in.sales_cycle_days) + "-day sales cycle: ";
  text += w >= 0 ? "outreach turns into revenue quickly."
                 : "buyers research for months, and content keeps them engaged meanwhile.";
  return {"salesCycleDays", w, std::move(text)};
}

std::vector<Factor> Factors(const AdvisorInputs& in) {
  return {Coverage(in), DealValue(in), Niche(in), Market(in), B2b(in), Budget(in), Cycle(in)};
}

double Sum(const AdvisorInputs& in) {
  double s = 0;
  for (const Factor& f : Factors(in)) s += f.weight;
  return s;
}

const char* LeanOf(int prospecting_pct) {
  if (prospecting_pct >= 55) return "prospecting";
  if (prospecting_pct <= 45) return "leadGeneration";
  return "balanced";
}

int Percent(double sum) {
  return static_cast<int>(std::lround(std::clamp(0.5 + sum, 0.1, 0.9) * 100));
}

const char* LeanWords(std::string_view lean) {
  if (lean == "prospecting") return "prospecting first";
  if (lean == "leadGeneration") return "lead generation first";
  return "a balanced mix";
}

// A numeric input the sensitivity search can move: its member, label and search range; `log`
// searches on a log scale (offset by 1 so that 0 is reachable).
struct Knob {
  const char* input;
  const char* label;
  double AdvisorInputs::*member;
  double lo, hi;
  bool log;
};

constexpr std::array<Knob, 7> kKnobs = {{
    {"pipelineCoverage", "pipeline coverage", &AdvisorInputs::pipeline_coverage, 0, 10, false},
    {"dealValue", "the deal value", &AdvisorInputs::deal_value, 1, 1e8, true},
    {"niche", "niche", &AdvisorInputs::niche, 0, 1, false},
    {"marketSize", "the market size", &AdvisorInputs::market_size, 1, 1e9, true},
    {"marketingBudget", "the marketing budget", &AdvisorInputs::marketing_budget, 0, 1e8, true},
    {"salesHoursPerWeek", "sales hours a week", &AdvisorInputs::sales_hours_per_week, 0, 168, false},
    {"salesCycleDays", "the sales cycle (days)", &AdvisorInputs::sales_cycle_days, 0, 730, false},
}};

// Where moving `k` up or down (toward `end`) changes the lean: the value and the new lean, or
// NaN when nothing in range does.
double FlipPoint(const AdvisorInputs& in, const Knob& k, const std::string& lean, bool up, std::string& to) {
  const auto to_x = [&](double u) { return std::max(k.log ? std::pow(10.0, u) - 1 : u, k.lo); };
  const auto to_u = [&](double x) { return k.log ? std::log10(x + 1) : x; };
  const auto lean_at = [&](double u) {
    AdvisorInputs moved = in;
    moved.*k.member = to_x(u);
    return std::string(LeanOf(Percent(Sum(moved))));
  };
  const double end = up ? to_u(k.hi) : to_u(k.lo);
  double same = to_u(in.*k.member), other = end;
  if ((up ? same >= end : same <= end) || lean_at(end) == lean) return std::nan("");
  for (int i = 0; i < 60; ++i) {
    const double mid = (same + other) / 2;
    (lean_at(mid) == lean ? same : other) = mid;
  }
  to = lean_at(other);
  return to_x(other);
}

std::string Rounded(const Knob& k, double v) {
  if (std::string_view(k.input) == "niche") return Num(std::round(v * 100) / 100);
  if (std::string_view(k.input) == "pipelineCoverage") return Num(std::round(v * 10) / 10) + "×";
  if (v >= 100) {
    const double scale = std::pow(10.0, std::floor(std::log10(v)) - 1);  // two significant digits
    return Num(std::round(v / scale) * scale);
  }
  return Num(std::round(v));
}

Result<double> Member(const json& j, const char* key, double lo, double hi, const char* range) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return MakeError(std::string("required: ") + range, key);
  if (!it->is_number()) return MakeError(std::string("expected ") + range + ", got " + DescribeJsonValue(*it), key);
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    return MakeError(std::string("expected ") + range + ", got " + DescribeJsonValue(*it), key);
  }
  return v;
}

}  // namespace

Result<AdvisorInputs> AdvisorInputs::FromJson(const json& j) {
  if (!j.is_object()) return MakeError("expected the advisor's inputs as an object, got " + DescribeJsonValue(j));
  static constexpr std::array<const char*, 8> kKeys = {
      "marketSize", "niche", "dealValue", "salesCycleDays", "marketingBudget",
      "salesHoursPerWeek", "pipelineCoverage", "b2b"};
  for (const auto& item : j.items()) {
    if (std::find_if(kKeys.begin(), kKeys.end(), [&](const char* k) { return item.key() == k; }) == kKeys.end()) {
      return MakeError("unknown input; expected marketSize, niche, dealValue, salesCycleDays, "
                       "marketingBudget, salesHoursPerWeek, pipelineCoverage or b2b", item.key());
    }
  }
  constexpr double kMax = 1e15;
  AdvisorInputs in;
  struct Spec { const char* key; double AdvisorInputs::*member; double lo, hi; const char* range; };
  const Spec specs[] = {
      {"marketSize", &AdvisorInputs::market_size, 1, kMax, "a number of buyers, at least 1"},
      {"niche", &AdvisorInputs::niche, 0, 1, "a number from 0 (broad) to 1 (very specific)"},
      {"dealValue", &AdvisorInputs::deal_value, 0, kMax, "a deal value more than 0"},
      {"salesCycleDays", &AdvisorInputs::sales_cycle_days, 0, 36500, "days, 0 or more"},
      {"marketingBudget", &AdvisorInputs::marketing_budget, 0, kMax, "a monthly budget, 0 or more"},
      {"salesHoursPerWeek", &AdvisorInputs::sales_hours_per_week, 0, 168, "hours a week, from 0 to 168"},
      {"pipelineCoverage", &AdvisorInputs::pipeline_coverage, 0, 1e6,
       "open pipeline value divided by the period's target, 0 or more"},
  };
  for (const Spec& s : specs) {
    auto v = Member(j, s.key, s.lo, s.hi, s.range);
    if (!v) return v.error();
    in.*s.member = v.value();
  }
  if (in.deal_value <= 0) {
    return MakeError(std::string("expected a deal value more than 0, got ") + DescribeJsonValue(j["dealValue"]), "dealValue");
  }
  const auto b2b = j.find("b2b");
  if (b2b == j.end() || !b2b->is_boolean()) {
    return MakeError("expected true (selling to businesses) or false (to consumers), got " +
                     (b2b == j.end() ? std::string("nothing") : DescribeJsonValue(*b2b)), "b2b");
  }
  in.b2b = b2b->get<bool>();
  return in;
}

Advice Advise(const AdvisorInputs& in) {
  Advice a;
  for (Factor& f : Factors(in)) {
    a.score += f.weight;
    a.reasons.push_back({f.input, std::move(f.text), std::round(f.weight * 10000) / 10000});
  }
  std::stable_sort(a.reasons.begin(), a.reasons.end(), [](const AdvisorReason& x, const AdvisorReason& y) {
    return std::fabs(x.weight) > std::fabs(y.weight);
  });
  const int pct = Percent(a.score);
  a.prospecting = pct / 100.0;
  a.lead_generation = (100 - pct) / 100.0;
  a.lean = LeanOf(pct);
  for (const Knob& k : kKnobs) {
    for (bool up : {true, false}) {
      std::string to;
      const double v = FlipPoint(in, k, a.lean, up, to);
      if (std::isnan(v)) continue;
      a.sensitivities.push_back(
          {k.input,
           "If " + std::string(k.label) + " were " + (up ? "above " : "below ") + Rounded(k, v) +
               " (now " + Num(in.*k.member) + "), the advice would be " + LeanWords(to) + ".",
           v});
    }
  }
  AdvisorInputs flipped = in;
  flipped.b2b = !in.b2b;
  const std::string other = LeanOf(Percent(Sum(flipped)));
  if (other != a.lean) {
    a.sensitivities.push_back({"b2b", std::string("Selling to ") + (in.b2b ? "consumers" : "businesses") +
                                          " instead would make the advice " + LeanWords(other) + ".",
                               flipped.b2b ? 1.0 : 0.0});
  }
  return a;
}

json AdviceToJson(const Advice& a) {
  json reasons = json::array(), sens = json::array();
  for (const AdvisorReason& r : a.reasons) reasons.push_back({{"input", r.input}, {"text", r.text}, {"weight", r.weight}});
  for (const AdvisorSensitivity& s : a.sensitivities) {
    sens.push_back({{"input", s.input}, {"text", s.text}, {"value", s.value}});
  }
  return {{"mix", {{"leadGeneration", a.lead_generation}, {"prospecting", a.prospecting}}},
          {"lean", a.lean},
          {"score", std::round(a.score * 10000) / 10000},
          {"reasons", std::move(reasons)},
          {"sensitivities", std::move(sens)}};
}

Result<json> Advise(const json& inputs) {
  auto in = AdvisorInputs::FromJson(inputs);
  if (!in) return in.error();
  return AdviceToJson(Advise(in.value()));
}

}  // namespace leadkit
