#include "leadkit/calllist.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "leadkit/cadence.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/profile.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

struct Weights {
  double score = 0.4, value = 0.2, due = 0.25, staleness = 0.15;
};

int64_t DayOf(int64_t ms) { return ms - ((ms % kDayMs) + kDayMs) % kDayMs; }

std::string Money(double v) {
  if (v >= 1e6) return std::to_string(static_cast<int64_t>(std::lround(v / 1e5)) / 10.0).substr(0, 5) + "M";
  if (v >= 1e3) return std::to_string(static_cast<int64_t>(std::lround(v / 1e3))) + "k";
  return std::to_string(static_cast<int64_t>(std::lround(v)));
}

struct Candidate {
  uint32_t row;
  double priority;
  std::array<double, 4> parts;  // score, value, due, staleness, each already weighted
  CadenceState cadence;
  double days_since_touch;  // NaN = never touched
};

}  // namespace

Result<json> CallList(const Workspace& ws, const json& options, int64_t now_ms) {
  if (!options.is_object()) return MakeError("expected {limit?, weights?, stages?}");
  size_t limit = 50;
  Weights w;
  std::array<bool, kStageCount> open{};
  for (Stage s : {Stage::kNew, Stage::kNurturing, Stage::kMql, Stage::kSql, Stage::kOpportunity}) {
    open[static_cast<size_t>(s)] = true;
  }
  for (const auto& [key, v] : options.items()) {
    if (key == "limit") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1000) {
        return MakeError("expected a whole number from 1 to 1000, got " + DescribeJsonValue(v), "limit");
      }
      limit = v.get<size_t>();
    } else if (key == "weights") {
      if (!v.is_object()) return MakeError("expected {score, value, due, staleness}", "weights");
      for (const auto& [k, x] : v.items()) {
        double* slot = k == "score" ? &w.score : k == "value" ? &w.value : k == "due" ? &w.due
                     : k == "staleness" ? &w.staleness : nullptr;
        if (!slot) return MakeError("unknown weight; weights are score, value, due and staleness", "weights." + k.substr(0, 64));
        if (!x.is_number() || !(x.get<double>() >= 0 && x.get<double>() <= 100)) {
          return MakeError("expected a number from 0 to 100, got " + DescribeJsonValue(x), "weights." + k);
        }
        *slot = x.get<double>();
      }
      const double sum = w.score + w.value + w.due + w.staleness;
      if (sum <= 0) return MakeError("at least one weight must be above 0", "weights");
      w = {w.score / sum, w.value / sum, w.due / sum, w.staleness / sum};
    } else if (key == "stages") {
      if (!v.is_array() || v.empty()) return MakeError("expected a list of stages", "stages");
      open.fill(false);
      for (size_t i = 0; i < v.size(); ++i) {
        const auto s = v[i].is_string() ? ParseStage(v[i].get<std::string>()) : std::nullopt;
        if (!s) return MakeError("unknown stage " + DescribeJsonValue(v[i]), "stages[" + std::to_string(i) + "]");
        open[static_cast<size_t>(*s)] = true;
      }
    } else if (key != "now") {
      return MakeError("unknown option; the call list takes now, limit, weights and stages", key.substr(0, 64));
    }
  }

  const LeadStore& store = ws.store();
  const uint32_t n = static_cast<uint32_t>(store.size());
  std::vector<Score> scores;
  ws.model().ScoreRows(store, ws.channels(), now_ms, 0, n, scores);
  const auto& stages = store.stages();
  const auto& values = store.deal_values();
  const auto& last_touch = store.last_touch_at();
  const auto& enrolments = store.cadences();
  const auto& touches = store.touches();
  const auto& created = store.created_at();
  double max_value = 0;
  for (uint32_t r = 0; r < n; ++r) {
    if (open[stages[r]] && std::isfinite(values[r])) max_value = std::max(max_value, values[r]);
  }
  const double log_max = std::log1p(max_value);
  const int64_t today = DayOf(now_ms);

  std::vector<Candidate> list;
  for (uint32_t r = 0; r < n; ++r) {
    if (!open[stages[r]]) continue;
    Candidate c{r, 0, {}, {}, NAN};
    const Cadence* cadence = ws.pipeline().FindCadence(enrolments[r].key);
    if (cadence) c.cadence = CadenceStatus(cadence, enrolments[r], touches[r]);
    double due = 0;
    if (c.cadence.next) {
      const int64_t due_day = DayOf(c.cadence.due_at);
      if (due_day <= today) {
        due = std::min(1.0, 0.8 + 0.05 * static_cast<double>((today - due_day) / kDayMs));
      } else if (due_day - today == kDayMs) {
        due = 0.2;
      }
    } else if (c.cadence.state == "replied") {
      due = 0.9;  // a reply waits for an answer
    }
    const double since = std::isnan(last_touch[r]) ? static_cast<double>(created[r]) : last_touch[r];
    if (!std::isnan(last_touch[r])) c.days_since_touch = (static_cast<double>(now_ms) - last_touch[r]) / kDayMs;
    const double stale_days = std::max(0.0, (static_cast<double>(now_ms) - since) / kDayMs);
    // Touched within the day and nothing due: done for today.
    if (!std::isnan(last_touch[r]) && DayOf(static_cast<int64_t>(last_touch[r])) >= today && due < 0.8) continue;
    const double value = std::isfinite(values[r]) && log_max > 0 ? std::log1p(values[r]) / log_max : 0;
    c.parts = {w.score * scores[r].total / 100, w.value * value, w.due * due,
               w.staleness * std::min(1.0, stale_days / 14)};
    c.priority = c.parts[0] + c.parts[1] + c.parts[2] + c.parts[3];
    list.push_back(std::move(c));
  }
  const size_t keep = std::min(limit, list.size());
  std::partial_sort(list.begin(), list.begin() + static_cast<ptrdiff_t>(keep), list.end(),
                    [&](const Candidate& a, const Candidate& b) {
                      if (a.priority != b.priority) return a.priority > b.priority;
                      return store.IdAt(a.row) < store.IdAt(b.row);  // ties in a stable order
                    });
  json items = json::array();
  for (size_t i = 0; i < keep; ++i) {
    const Candidate& c = list[i];
    const uint32_t r = c.row;
    const Score& s = scores[r];
    const std::string& first = (*store.Texts(Field::kFirstName))[r];
    const std::string& last = (*store.Texts(Field::kLastName))[r];
    const std::string name = first + (first.empty() || last.empty() ? "" : " ") + last;
    json reasons = json::array();
    const std::array<const char*, 4> factor = {"score", "value", "due", "staleness"};
    std::array<std::string, 4> text;
    text[0] = "score " + std::to_string(static_cast<int>(std::lround(s.total))) + " (" + std::string(GradeName(s.grade)) + " fit)";
    text[1] = std::isfinite(values[r]) ? "deal value " + Money(values[r]) : "no deal value yet";
    if (c.cadence.next) {
      const int64_t overdue = (today - DayOf(c.cadence.due_at)) / kDayMs;
      text[2] = "touch " + std::to_string(c.cadence.done + 1) + " of " + std::to_string(c.cadence.of) + " (" +
                c.cadence.next->channel + ") " +
                (overdue > 0 ? "overdue by " + std::to_string(overdue) + (overdue == 1 ? " day" : " days")
                 : overdue == 0 ? "due today" : "due " + FormatIsoTime(c.cadence.due_at).substr(0, 10));
    } else if (c.cadence.state == "replied") {
      text[2] = "replied during the cadence: answer them";
    } else {
      text[2] = c.cadence.flag.empty() ? "no cadence touch due" : c.cadence.flag_reason;
    }
    text[3] = std::isnan(c.days_since_touch)
                  ? "never contacted"
                  : std::to_string(static_cast<int64_t>(c.days_since_touch)) + " days since the last touch";
    std::array<size_t, 4> order = {0, 1, 2, 3};
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return c.parts[a] > c.parts[b]; });
    for (size_t k : order) {
      reasons.push_back({{"factor", factor[k]},
                         {"share", c.priority > 0 ? std::round(c.parts[k] / c.priority * 1000) / 1000 : 0.0},
                         {"text", text[k]}});
    }
    json item = {{"rank", i + 1},
                 {"id", store.IdAt(r)},
                 {"name", name},
                 {"company", (*store.Texts(Field::kCompany))[r]},
                 {"stage", StageName(static_cast<Stage>(stages[r]))},
                 {"score", s.total},
                 {"grade", GradeName(s.grade)},
                 {"dealValue", std::isfinite(values[r]) ? json(values[r]) : json(nullptr)},
                 {"priority", std::round(c.priority * 1000) / 1000},
                 {"contactStatus", ContactStatusName(ContactStatusOf(touches[r]))},
                 {"daysSinceTouch", std::isnan(c.days_since_touch) ? json(nullptr)
                                                                    : json(std::floor(c.days_since_touch))},
                 {"due", nullptr},
                 {"reasons", std::move(reasons)}};
    // How to reach them, and what was said last: a call list is worked from these.
    if (const auto& phone = (*store.Texts(Field::kPhone))[r]; !phone.empty()) item["phone"] = phone;
    if (const auto& email = (*store.Texts(Field::kEmail))[r]; !email.empty()) item["email"] = email;
    const Touch* latest = nullptr;
    for (const Touch& t : touches[r]) {
      if (!latest || t.at >= latest->at) latest = &t;
    }
    if (latest && !latest->note.empty()) item["lastNote"] = latest->note;
    if (c.cadence.next) {
      item["due"] = {{"step", c.cadence.done + 1},
                     {"of", c.cadence.of},
                     {"channel", c.cadence.next->channel},
                     {"dueAt", FormatIsoTime(c.cadence.due_at)},
                     {"overdueDays", std::max<int64_t>(0, (today - DayOf(c.cadence.due_at)) / kDayMs)}};
    }
    items.push_back(std::move(item));
  }
  return json{{"total", list.size()}, {"items", std::move(items)}};
}

}  // namespace leadkit
