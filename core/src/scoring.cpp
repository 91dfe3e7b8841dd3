#include "leadkit/scoring.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace leadkit {
namespace {

using nlohmann::json;

constexpr uint32_t kChunk = 4096;  // rows scored per pass, so temporaries stay small

// Scores are kept in hundredths as integers, so contributions add up to the total exactly.
int64_t Cents(double x) { return std::isfinite(x) ? std::llround(x * 100) : 0; }

bool Number(const json& v, double lo, double hi) {
  return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= lo && v.get<double>() <= hi;
}

Status ReadPair(const json& j, const std::string& path, double out[2]) {
  if (!j.is_array() || j.size() != 2 || !Number(j[0], 0, 100) || !Number(j[1], 0, 100) ||
      j[0].get<double>() < j[1].get<double>()) {
    return MakeError("expected [upper, lower] thresholds from 0 to 100, upper first", path);
  }
  out[0] = j[0].get<double>();
  out[1] = j[1].get<double>();
  return Ok{};
}

}  // namespace

std::string ContentHash(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Result<ScoringModel> ScoringModel::FromJson(const json& doc) {
  if (!doc.is_object()) return MakeError("a scoring model is an object, e.g. {\"rules\": \"...\"}", "model");
  static constexpr std::array<std::string_view, 8> kKeys = {
      "version", "name", "rules", "profile", "engagement", "weights", "thresholds", "matrix"};
  for (const auto& [key, v] : doc.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return MakeError("unknown field \"" + key.substr(0, 64) + "\"", "model");
    }
  }
  if (doc.contains("version") && (!doc["version"].is_number_integer() || doc["version"] != kModelVersion)) {
    return MakeError("this leadkit reads scoring model version " + std::to_string(kModelVersion), "model.version");
  }
  if (doc.contains("name") && (!doc["name"].is_string() || doc["name"].get<std::string>().size() > 120)) {
    return MakeError("expected a name of up to 120 characters", "model.name");
  }
  ScoringModel m;
  const json rules = doc.value("rules", json(""));
  if (!rules.is_string()) return MakeError("expected the rules as one text, got " + DescribeJsonValue(rules), "model.rules");
  auto program = RuleProgram::Compile(rules.get<std::string>());
  if (!program) return program.error();  // line and column in the rule text
  m.rules_ = std::move(program.value());

  auto profile = Profile::FromJson(doc.value("profile", Profile::DefaultJson()), "model.profile");
  if (!profile) return profile.error();
  m.profile_ = std::move(profile.value());
  auto engagement = Engagement::FromJson(doc.value("engagement", json::object()), "model.engagement");
  if (!engagement) return engagement.error();
  m.engagement_ = std::move(engagement.value());

  if (doc.contains("weights")) {
    const json& w = doc["weights"];
    if (!w.is_object()) return MakeError("expected {\"fit\": 0.5, \"engagement\": 0.5}", "model.weights");
    for (const auto& [key, v] : w.items()) {
      if (key != "fit" && key != "engagement") return MakeError("unknown field \"" + key.substr(0, 64) + "\"", "model.weights");
      if (!Number(v, 0, 1)) return MakeError("expected a weight from 0 to 1", "model.weights." + key);
      (key == "fit" ? m.fit_weight_ : m.engagement_weight_) = v.get<double>();
    }
  }
  if (doc.contains("thresholds")) {
    const json& t = doc["thresholds"];
    if (!t.is_object()) return MakeError("expected {\"mql\": {\"total\": 50}, \"sql\": {\"total\": 75, \"fit\": 50}}", "model.thresholds");
    for (const auto& [key, v] : t.items()) {
      const std::string p = "model.thresholds." + key.substr(0, 32);
      if (key != "mql" && key != "sql") return MakeError("unknown stage; thresholds exist for mql and sql", p);
      if (!v.is_object()) return MakeError("expected {\"total\": 0-100, \"fit\": 0-100}", p);
      for (const auto& [k, x] : v.items()) {
        if ((k != "total" && !(k == "fit" && key == "sql")) || !Number(x, 0, 100)) {
          return MakeError(k == "total" || k == "fit" ? "expected a number from 0 to 100" : "unknown field \"" + k.substr(0, 32) + "\"",
                           p + "." + k.substr(0, 32));
        }
      }
      if (key == "mql") m.mql_total_ = v.value("total", m.mql_total_);
      if (key == "sql") {
        m.sql_total_ = v.value("total", m.sql_total_);
        m.sql_fit_ = v.value("fit", m.sql_fit_);
      }
    }
  }
  if (doc.contains("matrix")) {
    const json& mx = doc["matrix"];
    if (!mx.is_object()) return MakeError("expected {\"fit\": [70, 40], \"engagement\": [60, 30]}", "model.matrix");
    for (const auto& [key, v] : mx.items()) {
      if (key != "fit" && key != "engagement") return MakeError("unknown field \"" + key.substr(0, 32) + "\"", "model.matrix");
      if (auto s = ReadPair(v, "model.matrix." + key, key == "fit" ? m.matrix_fit_ : m.matrix_engagement_); !s) return s.error();
    }
  }
  m.normalized_ = {
      {"version", kModelVersion},
      {"rules", rules},
      {"profile", m.profile_.ToJson()},
      {"engagement", m.engagement_.ToJson()},
      {"weights", {{"fit", m.fit_weight_}, {"engagement", m.engagement_weight_}}},
      {"thresholds", {{"mql", {{"total", m.mql_total_}}}, {"sql", {{"total", m.sql_total_}, {"fit", m.sql_fit_}}}}},
      {"matrix", {{"fit", {m.matrix_fit_[0], m.matrix_fit_[1]}}, {"engagement", {m.matrix_engagement_[0], m.matrix_engagement_[1]}}}}};
  if (doc.contains("name")) m.normalized_["name"] = doc["name"];
  m.hash_ = ContentHash(m.normalized_.dump());
  return m;
}

Score ScoringModel::Combine(const LeadStore& store, uint32_t row, int64_t now_ms, const double* criteria,
                            const double* rules, size_t stride, const std::vector<int32_t>& rule_of_code,
                            std::vector<Contribution>* lines) const {
  Score s;
  int64_t sum = 0;
  // A label is copied only into a contribution that is kept, not for every term of every row.
  const auto add = [&](const char* kind, std::string_view label, int64_t cents) {
    sum += cents;
    if (lines && cents != 0) {
      lines->push_back({kind, std::string(label), static_cast<double>(cents) / 100});
    }
  };
  // Fit: each matched criterion's share of the profile's positive points.
  const auto& crit = profile_.criteria();
  double fit_raw = 0;
  int64_t fit_cents = 0;
  int grade = profile_.start_grade();
  for (size_t i = 0; i < crit.size(); ++i) {
    if (criteria[i * stride] <= 0) continue;
    const double share = profile_.positive_total() > 0 ? crit[i].points / profile_.positive_total() * 100 : 0;
    fit_raw += share;
    grade += crit[i].grade_steps;
    const int64_t c = Cents(fit_weight_ * share);
    fit_cents += c;
    add("fit", crit[i].label, c);
  }
  s.fit = std::clamp(fit_raw, 0.0, 100.0);
  add("limit", "Fit stays within 0-100", Cents(fit_weight_ * s.fit) - fit_cents);
  s.grade = std::clamp(grade, 0, kGradeCount - 1);

  // Engagement: decayed points per event type and per touch outcome, over the model's full score.
  double eng_raw = 0;
  int64_t eng_cents = 0;
  const auto engage = [&](double points, auto&& label) {
    if (points == 0) return;
    const double share = points / engagement_.full_score_at() * 100;
    eng_raw += share;
    const int64_t c = Cents(engagement_weight_ * share);
    eng_cents += c;
    add("engagement", lines ? std::string(label()) : std::string(), c);
  };
  thread_local std::vector<double> by_type, by_touch;
  engagement_.PointsByType(store, row, now_ms, rule_of_code, by_type);
  for (size_t r = 0; r < by_type.size(); ++r) engage(by_type[r], [&] { return engagement_.events()[r].type; });
  engagement_.TouchPoints(store, row, now_ms, by_touch);
  for (size_t r = 0; r < by_touch.size(); ++r) engage(by_touch[r], [&] { return "touch." + engagement_.touches()[r].key; });
  s.engagement = std::clamp(eng_raw, 0.0, 100.0);
  add("limit", "Engagement stays within 0-100", Cents(engagement_weight_ * s.engagement) - eng_cents);

  // Rules, after rule, group and total limits.
  thread_local std::vector<double> after_rule, group_cut;
  double total_cut = 0;
  rules_.Limit(rules, stride, &after_rule, &group_cut, &total_cut);
  // Each rule with the points it gave, then what its own limit took away on a line of its own, so
  // a rule set to +30 reads +30 and a limit line, not a puzzling +15.
  for (size_t r = 0; r < after_rule.size(); ++r) {
    const int64_t raw = Cents(rules[r * stride]), kept = Cents(after_rule[r]);
    add("rule", rules_.rules()[r].label, raw);
    if (kept != raw) add("limit", lines ? "Rule \"" + rules_.rules()[r].label + "\" limit" : std::string(), kept - raw);
  }
  for (size_t g = 0; g < group_cut.size(); ++g) {
    const int64_t cut = Cents(group_cut[g]);
    if (cut != 0) add("limit", "Group \"" + rules_.groups()[g].name + "\" limit", cut);
  }
  add("limit", "Rules total limit", Cents(total_cut));
  add("limit", "Score stays within 0-100", std::clamp<int64_t>(sum, 0, 10000) - sum);

  s.total = static_cast<double>(sum) / 100;
  s.fit = static_cast<double>(Cents(s.fit)) / 100;
  s.engagement = static_cast<double>(Cents(s.engagement)) / 100;
  s.matrix[0] = s.fit >= matrix_fit_[0] ? 'A' : s.fit >= matrix_fit_[1] ? 'B' : 'C';
  s.matrix[1] = s.engagement >= matrix_engagement_[0] ? '1' : s.engagement >= matrix_engagement_[1] ? '2' : '3';
  s.stage = s.total >= sql_total_ && s.fit >= sql_fit_ ? Stage::kSql
            : s.total >= mql_total_                    ? Stage::kMql
                                                       : Stage::kNurturing;
  return s;
}

void ScoringModel::ScoreRows(const LeadStore& store, const ChannelMap& channels, int64_t now_ms,
                             uint32_t begin, uint32_t end, std::vector<Score>& out,
                             std::vector<std::vector<Contribution>>* lines) const {
  out.resize(end - begin);
  if (lines) {
    // Emptied rather than replaced: a caller scoring block after block keeps the vectors' memory.
    lines->resize(end - begin);
    for (std::vector<Contribution>& l : *lines) l.clear();
  }
  const auto rule_of_code = engagement_.RuleOfCode(store);
  const RuleBinding profile_binding = profile_.program().Bind(store, channels);
  const RuleBinding rules_binding = rules_.Bind(store, channels);
  std::vector<double> criteria, rules;
  for (uint32_t at = begin; at < end; at += kChunk) {
    const uint32_t stop = std::min(end, at + kChunk);
    const size_t n = stop - at;
    profile_.program().Run(store, profile_binding, now_ms, at, stop, criteria);
    rules_.Run(store, rules_binding, now_ms, at, stop, rules);
    for (size_t i = 0; i < n; ++i) {
      out[at - begin + i] = Combine(store, static_cast<uint32_t>(at + i), now_ms, criteria.data() + i,
                                    rules.data() + i, n, rule_of_code,
                                    lines ? &(*lines)[at - begin + i] : nullptr);
    }
  }
}

void ScoringModel::ScoreEach(const LeadStore& store, const ChannelMap& channels, int64_t now_ms,
                             std::span<const uint32_t> rows, std::vector<Score>& out) const {
  out.resize(rows.size());
  const auto rule_of_code = engagement_.RuleOfCode(store);
  const RuleBinding profile_binding = profile_.program().Bind(store, channels);
  const RuleBinding rules_binding = rules_.Bind(store, channels);
  std::vector<double> criteria, rules;
  for (size_t i = 0; i < rows.size(); ++i) {
    profile_.program().Run(store, profile_binding, now_ms, rows[i], rows[i] + 1, criteria);
    rules_.Run(store, rules_binding, now_ms, rows[i], rows[i] + 1, rules);
    out[i] = Combine(store, rows[i], now_ms, criteria.data(), rules.data(), 1, rule_of_code, nullptr);
  }
}

std::vector<Contribution> ScoringModel::Explain(const LeadStore& store, const ChannelMap& channels,
                                                int64_t now_ms, uint32_t row) const {
  std::vector<double> criteria, rules;
  profile_.program().Run(store, channels, now_ms, row, row + 1, criteria);
  rules_.Run(store, channels, now_ms, row, row + 1, rules);
  std::vector<Contribution> lines;
  Combine(store, row, now_ms, criteria.data(), rules.data(), 1, engagement_.RuleOfCode(store), &lines);
  return lines;
}

}  // namespace leadkit
