#include "leadkit/funnel.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

#include "leadkit/cadence.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

constexpr int kCustomer = static_cast<int>(Stage::kCustomer);

bool Ordered(Stage s) { return s <= Stage::kCustomer; }

Result<int64_t> TimeArg(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return MakeError("required: an ISO 8601 time", key);
  if (it->is_string()) {
    if (auto t = ParseIsoTime(it->get<std::string>())) return *t;
  } else if (it->is_number() && std::isfinite(it->get<double>())) {
    return static_cast<int64_t>(it->get<double>());
  }
  return MakeError("expected an ISO 8601 time such as \"2026-10-01\", got " + DescribeJsonValue(*it),
                   key);
}

// What one lead did, read from its history once.
struct LeadPass {
  int furthest = -1;  // furthest ordered stage entered in the period
  int ever = -1;      // furthest ordered stage ever entered
  bool lost = false, disqualified = false;            // in the period
  bool ever_lost = false, ever_disqualified = false;  // at any time
  bool Counts() const { return furthest >= 0 || lost || disqualified; }
};

struct Period {
  int64_t from, to;
  bool In(int64_t t) const { return t >= from && t < to; }
};

// Reads a lead's history, adding the lengths of the stays it ended in the period to `stays`.
LeadPass PassOf(Stage current, int64_t created, const std::vector<Transition>& history,
                const Period& p, std::array<std::vector<double>, kFunnelStages - 1>* stays) {
  LeadPass out;
  if (p.In(created)) out.furthest = 0;
  out.ever = 0;
  bool entered_current = current == Stage::kNew;
  const Transition* const* order = nullptr;
  std::vector<const Transition*> sorted;
  const bool in_order = std::is_sorted(history.begin(), history.end(),
      [](const Transition& a, const Transition& b) { return a.at < b.at; });
  if (!in_order) {
    for (const Transition& t : history) sorted.push_back(&t);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Transition* a, const Transition* b) { return a->at < b->at; });
    order = sorted.data();
  }
  Stage stay = Stage::kNew;
  int64_t since = created;
  for (size_t i = 0; i < history.size(); ++i) {
    const Transition& t = order ? *order[i] : history[i];
    const bool in = p.In(t.at);
    if (Ordered(t.to)) {
      const int idx = static_cast<int>(t.to);
      if (in) out.furthest = std::max(out.furthest, idx);
      out.ever = std::max(out.ever, idx);
    } else if (t.to == Stage::kLost) {
      out.lost |= in;
      out.ever_lost = true;
    } else if (t.to == Stage::kDisqualified) {
      out.disqualified |= in;
      out.ever_disqualified = true;
    }
    if (t.to == current) entered_current = true;
    // A stay whose start is unknown (the history skips a move) is not measured.
    if (stays && in && t.from == stay && static_cast<int>(stay) < kCustomer && t.at >= since) {
      (*stays)[static_cast<size_t>(stay)].push_back(static_cast<double>(t.at - since) / kMsPerDay);
    }
    stay = t.to;
    since = t.at;
  }
  if (!entered_current) {  // imported at its stage: entered it when created
    if (Ordered(current)) {
      const int idx = static_cast<int>(current);
      if (p.In(created)) out.furthest = std::max(out.furthest, idx);
      out.ever = std::max(out.ever, idx);
    } else {
      const bool lost = current == Stage::kLost;
      (lost ? out.lost : out.disqualified) |= p.In(created);
      (lost ? out.ever_lost : out.ever_disqualified) = true;
    }
  }
  return out;
}

void Add(StageCounts& c, const LeadPass& l) {
  if (!l.Counts()) return;
  ++c.leads;
  // reached[] holds "furthest == s" here; Finish turns it into "furthest >= s".
  if (l.furthest >= 0) ++c.reached[static_cast<size_t>(l.furthest)];
  c.lost += l.lost;
  c.disqualified += l.disqualified;
}

void Finish(StageCounts& c) {
  for (int s = kFunnelStages - 2; s >= 0; --s) c.reached[s] += c.reached[s + 1];
}

double Median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  return (*std::max_element(v.begin(), v.begin() + mid) + hi) / 2;
}

std::optional<double> Ratio(size_t num, size_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

json RatioJson(std::optional<double> r) { return r ? json(*r) : json(nullptr); }

std::string_view OrderedName(int s) { return StageName(static_cast<Stage>(s)); }

json CountsJson(const StageCounts& c) {
  json stages = json::array();
  for (int s = 0; s < kFunnelStages; ++s) {
    json row = {{"stage", OrderedName(s)}, {"reached", c.reached[s]}};
    if (s + 1 < kFunnelStages) {
      const auto r = Ratio(c.reached[s + 1], c.reached[s]);
      row["conversion"] = RatioJson(r);
      if (!r) row["flag"] = "noLeads";
    }
    stages.push_back(std::move(row));
  }
  json out = {{"leads", c.leads}, {"stages", std::move(stages)}, {"lost", c.lost},
              {"disqualified", c.disqualified},
              {"overall", RatioJson(Ratio(c.reached[kCustomer], c.reached[0]))}};
  return out;
}

// "2026-09" for a time, with one format per distinct day.
class MonthOf {
 public:
  const std::string& operator()(int64_t t) {
    const int64_t day = t >= 0 ? t / kMsPerDay : (t - kMsPerDay + 1) / kMsPerDay;
    auto it = cache_.find(day);
    if (it == cache_.end()) it = cache_.emplace(day, FormatIsoTime(day * kMsPerDay).substr(0, 7)).first;
    return it->second;
  }

 private:
  std::unordered_map<int64_t, std::string> cache_;
};

struct Cohort {
  size_t created = 0, lost = 0, disqualified = 0;
  std::array<size_t, kFunnelStages> reached{};
};

}  // namespace

Result<FunnelOptions> FunnelOptions::FromJson(const json& j) {
  if (!j.is_object()) return MakeError("expected {from, to, by?}, got " + DescribeJsonValue(j));
  for (const auto& item : j.items()) {
    const std::string& k = item.key();
    if (k != "from" && k != "to" && k != "by" && k != "minSample" && k != "allTime") {
      return MakeError("unknown option; expected from, to, by, minSample or allTime", k);
    }
  }
  FunnelOptions o;
  const auto all = j.find("allTime");
  if (all != j.end() && !all->is_null() && !all->is_boolean()) {
    return MakeError("expected true or false, got " + DescribeJsonValue(*all), "allTime");
  }
  o.all_time = all != j.end() && all->is_boolean() && all->get<bool>();
  if (o.all_time) {
    // Every lead, whenever it was created: one dated in the future or before any chosen start too.
    for (const char* key : {"from", "to"}) {
      if (j.contains(key) && !j[key].is_null()) return MakeError("not with allTime: the period has no bounds", key);
    }
    o.from = INT64_MIN;
    o.to = INT64_MAX;
  } else {
    auto from = TimeArg(j, "from");
    if (!from) return from.error();
    auto to = TimeArg(j, "to");
    if (!to) return to.error();
    o.from = from.value();
    o.to = to.value();
    if (o.to <= o.from) return MakeError("the period is empty: `to` must be after `from`", "to");
  }
  if (const auto by = j.find("by"); by != j.end() && !by->is_null()) {
    const std::string v = by->is_string() ? by->get<std::string>() : "";
    if (v == "source") o.by = FunnelSplit::kSource;
    else if (v == "direction") o.by = FunnelSplit::kDirection;
    else if (v != "none") {
      return MakeError("expected \"source\", \"direction\" or \"none\", got " + DescribeJsonValue(*by), "by");
    }
  }
  if (const auto m = j.find("minSample"); m != j.end() && !m->is_null()) {
    if (!m->is_number_integer() || m->get<int64_t>() < 1 || m->get<int64_t>() > 1'000'000) {
      return MakeError("expected a whole number from 1 to 1000000, got " + DescribeJsonValue(*m), "minSample");
    }
    o.min_sample = static_cast<int>(m->get<int64_t>());
  }
  return o;
}

FunnelResult ComputeFunnel(const Workspace& ws, const FunnelOptions& options) {
  const LeadStore& store = ws.store();
  const Period p{options.from, options.to};
  const auto& stages = store.stages();
  const auto& created = store.created_at();
  const auto& histories = store.histories();
  const LeadStore::CategoryColumn& source = *store.Category(Field::kSource);
  std::vector<StageCounts> by_code;
  if (options.by == FunnelSplit::kSource) by_code.resize(source.dict.size());
  std::vector<uint8_t> direction_of;  // per source code
  if (options.by == FunnelSplit::kDirection) {
    by_code.resize(3);
    for (size_t c = 0; c < source.dict.size(); ++c) {
      direction_of.push_back(static_cast<uint8_t>(
          ws.channels().Find(source.dict.Get(static_cast<uint32_t>(c))).value_or(Direction::kUnknown)));
    }
  }
  std::array<std::vector<double>, kFunnelStages - 1> stays;
  FunnelResult out;
  for (uint32_t r = 0; r < store.size(); ++r) {
    const LeadPass l = PassOf(static_cast<Stage>(stages[r]), created[r], histories[r], p, &stays);
    Add(out.all, l);
    if (options.by == FunnelSplit::kSource) Add(by_code[source.codes[r]], l);
    if (options.by == FunnelSplit::kDirection) Add(by_code[direction_of[source.codes[r]]], l);
  }
  Finish(out.all);
  for (size_t c = 0; c < by_code.size(); ++c) {
    if (by_code[c].leads == 0) continue;
    Finish(by_code[c]);
    const std::string key = options.by == FunnelSplit::kSource
        ? source.dict.Get(static_cast<uint32_t>(c))
        : std::string(DirectionName(static_cast<Direction>(c)));
    out.groups.emplace_back(key, by_code[c]);
  }
  std::sort(out.groups.begin(), out.groups.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t s = 0; s < stays.size(); ++s) {
    out.stays[s] = stays[s].size();
    out.median_days[s] = stays[s].empty() ? 0 : Median(stays[s]);
  }
  return out;
}

Result<json> Funnel(const Workspace& ws, const json& request) {
  auto parsed = FunnelOptions::FromJson(request);
  if (!parsed) return parsed.error();
  const FunnelOptions& o = parsed.value();
  const FunnelResult f = ComputeFunnel(ws, o);
  const LeadStore& store = ws.store();

  json out = CountsJson(f.all);
  out["period"] = o.all_time
      ? json{{"from", nullptr}, {"to", nullptr}, {"days", nullptr}, {"allTime", true}}
      : json{{"from", FormatIsoTime(o.from)}, {"to", FormatIsoTime(o.to)},
             {"days", static_cast<double>(o.to - o.from) / kMsPerDay}};
  out["flags"] = f.all.leads == 0 ? json::array({"noLeadsInPeriod"}) : json::array();
  if (o.by != FunnelSplit::kNone) {
    json groups = json::array();
    for (const auto& g : f.groups) {
      json row = CountsJson(g.second);
      row["key"] = g.first;
      if (o.by == FunnelSplit::kSource) {
        row["direction"] = DirectionName(ws.channels().Find(g.first).value_or(Direction::kUnknown));
      }
      groups.push_back(std::move(row));
    }
    out["by"] = o.by == FunnelSplit::kSource ? "source" : "direction";
    out["groups"] = std::move(groups);
  }

  json velocity = json::array();
  for (int s = 0; s + 1 < kFunnelStages; ++s) {
    json row = {{"stage", OrderedName(s)}, {"stays", f.stays[s]}};
    row["medianDays"] = f.stays[s] ? json(f.median_days[s]) : json(nullptr);
    if (!f.stays[s]) row["flag"] = "noLeads";
    velocity.push_back(std::move(row));
  }
  out["velocity"] = std::move(velocity);

  // Weighted pipeline: the open leads as they stand now.
  std::array<double, kFunnelStages> value{};
  std::array<size_t, kFunnelStages> open{};
  size_t without_value = 0, open_leads = 0;
  const auto& deal = store.deal_values();
  for (uint32_t r = 0; r < store.size(); ++r) {
    const auto s = static_cast<Stage>(store.stages()[r]);
    if (s >= Stage::kCustomer) continue;
    ++open_leads;
    if (!std::isfinite(deal[r])) {
      ++without_value;
      continue;
    }
    ++open[static_cast<size_t>(s)];
    value[static_cast<size_t>(s)] += deal[r];
  }
  json pipeline_rows = json::array();
  double total = 0;
  for (int s = 0; s < kCustomer; ++s) {
    const size_t reached = f.all.reached[s];
    const bool measured = reached >= static_cast<size_t>(o.min_sample) && f.all.reached[kCustomer] > 0;
    const double prob = measured ? static_cast<double>(f.all.reached[kCustomer]) / reached
                                 : kDefaultWinProbability[s];
    const double weighted = value[s] * prob;
    total += weighted;
    pipeline_rows.push_back({{"stage", OrderedName(s)}, {"leads", open[s]}, {"value", value[s]},
                             {"probability", prob},
                             {"probabilitySource", measured ? "measured" : "default"},
                             {"weighted", weighted}});
  }
  out["weightedPipeline"] = {{"total", total}, {"openLeads", open_leads},
                             {"withoutValue", without_value}, {"stages", std::move(pipeline_rows)}};

  // Cohorts: the period's new leads by month created, followed through all their history.
  std::map<std::string, Cohort> cohorts;
  MonthOf month_of;
  const Period all_time{INT64_MIN, INT64_MAX};
  for (uint32_t r = 0; r < store.size(); ++r) {
    const int64_t c = store.created_at()[r];
    if (c < o.from || c >= o.to) continue;
    const LeadPass l = PassOf(static_cast<Stage>(store.stages()[r]), c, store.histories()[r],
                              all_time, nullptr);
    Cohort& k = cohorts[month_of(c)];
    ++k.created;
    for (int s = 0; s <= l.ever; ++s) ++k.reached[s];
    k.lost += l.ever_lost;
    k.disqualified += l.ever_disqualified;
  }
  json cohort_rows = json::array();
  for (const auto& entry : cohorts) {
    const Cohort& k = entry.second;
    json reached = json::object();
    for (int s = 0; s < kFunnelStages; ++s) reached[std::string(OrderedName(s))] = k.reached[s];
    cohort_rows.push_back({{"month", entry.first}, {"created", k.created}, {"reached", std::move(reached)},
                           {"lost", k.lost}, {"disqualified", k.disqualified},
                           {"conversion", RatioJson(Ratio(k.reached[kCustomer], k.created))}});
  }
  out["cohorts"] = std::move(cohort_rows);
  return out;
}

MeasuredRates MeasureRates(const Workspace& ws, const FunnelOptions& options) {
  FunnelOptions plain = options;
  plain.by = FunnelSplit::kNone;
  const FunnelResult f = ComputeFunnel(ws, plain);
  MeasuredRates m;
  const auto min = static_cast<size_t>(options.min_sample);
  const int steps[4][2] = {{0, 2}, {2, 3}, {3, 4}, {4, 5}};  // new→mql, mql→sql, sql→opp, opp→customer
  for (int i = 0; i < 4; ++i) {
    const size_t den = f.all.reached[steps[i][0]], num = f.all.reached[steps[i][1]];
    m.samples[i] = den;
    if (den >= min && num > 0) m.rates[i] = static_cast<double>(num) / den;
  }

  const LeadStore& store = ws.store();
  const Period p{options.from, options.to};
  size_t attempts = 0, created = 0, outbound = 0;
  const LeadStore::CategoryColumn& source = *store.Category(Field::kSource);
  for (uint32_t r = 0; r < store.size(); ++r) {
    const auto& touches = store.touches()[r];
    int64_t first_reply = INT64_MAX;
    for (const Touch& t : touches) {
      if (t.outcome == "replied" || t.outcome == "meeting_booked") first_reply = std::min(first_reply, t.at);
    }
    if (first_reply != INT64_MAX && p.In(first_reply)) {
      ++m.replied_leads;
      for (const Touch& t : touches) attempts += t.at <= first_reply;
    }
    if (p.In(store.created_at()[r])) {
      ++created;
      outbound += ws.channels().Find(source.dict.Get(source.codes[r])) == Direction::kOutbound;
    }
  }
  if (m.replied_leads >= min) m.attempts_per_reply = static_cast<double>(attempts) / m.replied_leads;
  m.leads = created;
  if (created >= min) m.outbound_share = static_cast<double>(outbound) / created;
  return m;
}

}  // namespace leadkit
