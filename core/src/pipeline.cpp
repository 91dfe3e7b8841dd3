#include "leadkit/pipeline.hpp"

#include <algorithm>
#include <set>

#include "leadkit/channel.hpp"
#include "leadkit/profile.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

Result<Guard> GuardFromJson(const json& j, const std::string& path) {
  if (!j.is_object()) return MakeError("expected an object of guards, got " + DescribeJsonValue(j), path);
  Guard g;
  for (const auto& item : j.items()) {
    // Named, not a structured binding: clang 14 cannot capture those in the lambdas below.
    const std::string key = item.key();
    const json& v = item.value();
    const std::string p = path + "." + key.substr(0, 64);
    const auto number = [&](double& out, double max) -> Status {
      if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= max)) {
        return MakeError("expected a number from 0 to " + std::to_string(static_cast<int>(max)) +
                             ", got " + DescribeJsonValue(v), p);
      }
      out = v.get<double>();
      return Ok{};
    };
    const auto flag = [&](bool& out) -> Status {
      if (!v.is_boolean()) return MakeError("expected true or false, got " + DescribeJsonValue(v), p);
      out = v.get<bool>();
      return Ok{};
    };
    Status s = Ok{};
    if (key == "fitGradeAtLeast") {
      const auto grade = v.is_string() ? ParseGrade(v.get<std::string>()) : std::nullopt;
      if (!grade) return MakeError("expected a grade from A+ to F, got " + DescribeJsonValue(v), p);
      g.fit_grade_at_least = *grade;
    } else if (key == "engagementAtLeast") {
      s = number(g.engagement_at_least, 100);
    } else if (key == "scoreAtLeast") {
      s = number(g.score_at_least, 100);
    } else if (key == "criteriaMetAtLeast") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 32) {
        return MakeError("expected a whole number from 0 to 32, got " + DescribeJsonValue(v), p);
      }
      g.criteria_met_at_least = v.get<int>();
    } else if (key == "qualified") {
      s = flag(g.qualified);
    } else if (key == "dealValue") {
      s = flag(g.deal_value);
    } else {
      return MakeError("unknown guard; guards are fitGradeAtLeast, engagementAtLeast, scoreAtLeast, "
                       "criteriaMetAtLeast, qualified and dealValue", p);
    }
    if (!s) return s.error();
  }
  return g;
}

json GuardToJson(const Guard& g) {
  json j = json::object();
  if (g.fit_grade_at_least >= 0) j["fitGradeAtLeast"] = GradeName(g.fit_grade_at_least);
  if (g.engagement_at_least >= 0) j["engagementAtLeast"] = g.engagement_at_least;
  if (g.score_at_least >= 0) j["scoreAtLeast"] = g.score_at_least;
  if (g.criteria_met_at_least >= 0) j["criteriaMetAtLeast"] = g.criteria_met_at_least;
  if (g.qualified) j["qualified"] = true;
  if (g.deal_value) j["dealValue"] = true;
  return j;
}

Result<std::vector<ReasonOption>> ReasonsFromJson(const json& j, const std::string& path) {
  if (!j.is_array() || j.empty() || j.size() > 50) {
    return MakeError("expected a list of 1 to 50 reasons ({key, label})", path);
  }
  std::vector<ReasonOption> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    const json& r = j[i];
    if (!r.is_object()) return MakeError("expected {key, label}, got " + DescribeJsonValue(r), p);
    const auto key = r.find("key");
    const auto label = r.find("label");
    if (key == r.end() || !key->is_string() || !IsIdentifier(key->get<std::string>())) {
      return MakeError("expected a lowercase identifier such as \"no_budget\"", p + ".key");
    }
    if (!seen.insert(key->get<std::string>()).second) return MakeError("is used twice", p + ".key");
    if (label != r.end() && (!label->is_string() || label->get_ref<const std::string&>().size() > 128)) {
      return MakeError("expected text of at most 128 characters", p + ".label");
    }
    for (const auto& [k, v] : r.items()) {
      if (k != "key" && k != "label") return MakeError("unknown member", p + "." + k.substr(0, 64));
    }
    out.push_back({key->get<std::string>(),
                   label != r.end() ? label->get<std::string>() : key->get<std::string>()});
  }
  return out;
}

json ReasonsToJson(const std::vector<ReasonOption>& reasons) {
  json out = json::array();
  for (const ReasonOption& r : reasons) out.push_back({{"key", r.key}, {"label", r.label}});
  return out;
}

Result<Stage> StageKey(const std::string& key, const std::string& path) {
  if (const auto s = ParseStage(key); s && key != "prospect") return *s;
  return MakeError("unknown stage \"" + key.substr(0, 64) +
                       "\"; stages are new, nurturing, mql, sql, opportunity, customer, lost, disqualified",
                   path);
}

}  // namespace

Pipeline::Pipeline()
    : frameworks_(BuiltinFrameworks()), lifecycle_(Lifecycle::Default()), cadences_(DefaultCadences()) {}

Result<Pipeline> Pipeline::FromJson(const json& doc) {
  Pipeline p;
  if (!doc.is_object()) return MakeError("expected pipeline settings as an object, got " + DescribeJsonValue(doc));
  static const std::set<std::string> kKnown = {"framework", "frameworks", "transitions", "guards",
                                               "reasons",   "cadences"};
  for (const auto& [k, v] : doc.items()) {
    if (!kKnown.count(k)) {
      return MakeError("unknown setting; pipeline settings are framework, frameworks, transitions, "
                       "guards, reasons and cadences", k.substr(0, 64));
    }
  }
  if (const auto fws = doc.find("frameworks"); fws != doc.end()) {
    if (!fws->is_array() || fws->size() > 20) return MakeError("expected a list of at most 20 frameworks", "frameworks");
    for (size_t i = 0; i < fws->size(); ++i) {
      auto f = FrameworkFromJson((*fws)[i], "frameworks[" + std::to_string(i) + "]");
      if (!f) return f.error();
      if (f.value().key == "bant") {
        // BANT lives in the lead's own bant member, so its four criteria are fixed; the rest may change.
        std::vector<std::string> keys;
        for (const Criterion& c : f.value().criteria) keys.push_back(c.key);
        if (keys != std::vector<std::string>{"budget", "authority", "need", "timeline"}) {
          return MakeError("BANT's criteria are budget, authority, need and timeline, in that order; "
                           "give your own framework another key",
                           "frameworks[" + std::to_string(i) + "].criteria");
        }
      }
      const auto same = std::find_if(p.frameworks_.begin(), p.frameworks_.end(),
                                     [&](const Framework& x) { return x.key == f.value().key; });
      if (same != p.frameworks_.end()) {
        *same = std::move(f.value());
      } else {
        p.frameworks_.push_back(std::move(f.value()));
      }
    }
  }
  if (const auto active = doc.find("framework"); active != doc.end()) {
    const std::string key = active->is_string() ? active->get<std::string>() : std::string();
    const auto it = std::find_if(p.frameworks_.begin(), p.frameworks_.end(),
                                 [&](const Framework& x) { return x.key == key; });
    if (it == p.frameworks_.end()) {
      std::string known;
      for (const Framework& f : p.frameworks_) known += (known.empty() ? "" : ", ") + f.key;
      return MakeError("unknown framework " + DescribeJsonValue(*active) + "; known: " + known, "framework");
    }
    p.active_ = static_cast<size_t>(it - p.frameworks_.begin());
  }
  if (const auto tr = doc.find("transitions"); tr != doc.end()) {
    if (!tr->is_object()) return MakeError("expected {stage: [stage, ...]}", "transitions");
    for (const auto& [from, to] : tr->items()) {
      const std::string path = "transitions." + from.substr(0, 64);
      auto f = StageKey(from, path);
      if (!f) return f.error();
      if (!to.is_array()) return MakeError("expected a list of stages", path);
      std::vector<Stage> next;
      for (size_t i = 0; i < to.size(); ++i) {
        const std::string p2 = path + "[" + std::to_string(i) + "]";
        if (!to[i].is_string()) return MakeError("expected a stage name", p2);
        auto t = StageKey(to[i].get<std::string>(), p2);
        if (!t) return t.error();
        if (t.value() == f.value()) return MakeError("a stage cannot move to itself", p2);
        next.push_back(t.value());
      }
      p.lifecycle_.next[static_cast<size_t>(f.value())] = std::move(next);
    }
  }
  if (const auto guards = doc.find("guards"); guards != doc.end()) {
    if (!guards->is_object()) return MakeError("expected {stage: {guard: value}}", "guards");
    for (const auto& [stage, g] : guards->items()) {
      const std::string path = "guards." + stage.substr(0, 64);
      auto s = StageKey(stage, path);
      if (!s) return s.error();
      auto guard = GuardFromJson(g, path);
      if (!guard) return guard.error();
      p.lifecycle_.guards[static_cast<size_t>(s.value())] = guard.value();
    }
  }
  if (const auto reasons = doc.find("reasons"); reasons != doc.end()) {
    if (!reasons->is_object()) return MakeError("expected {lost: [...], disqualified: [...]}", "reasons");
    for (const auto& [kind, list] : reasons->items()) {
      if (kind != "lost" && kind != "disqualified") {
        return MakeError("reasons are given for lost and disqualified", "reasons." + kind.substr(0, 64));
      }
      auto r = ReasonsFromJson(list, "reasons." + kind);
      if (!r) return r.error();
      (kind == "lost" ? p.lifecycle_.lost_reasons : p.lifecycle_.disqualified_reasons) = std::move(r.value());
    }
  }
  if (const auto cads = doc.find("cadences"); cads != doc.end()) {
    if (!cads->is_array() || cads->size() > 20) return MakeError("expected a list of at most 20 cadences", "cadences");
    p.cadences_.clear();
    std::set<std::string> seen;
    for (size_t i = 0; i < cads->size(); ++i) {
      auto c = CadenceFromJson((*cads)[i], "cadences[" + std::to_string(i) + "]");
      if (!c) return c.error();
      if (!seen.insert(c.value().key).second) {
        return MakeError("is used twice", "cadences[" + std::to_string(i) + "].key");
      }
      p.cadences_.push_back(std::move(c.value()));
    }
  }
  p.source_ = doc;
  return p;
}

json Pipeline::ToJson() const {
  json frameworks = json::array();
  for (const Framework& f : frameworks_) frameworks.push_back(FrameworkToJson(f));
  json transitions = json::object(), guards = json::object();
  for (int s = 0; s < kStageCount; ++s) {
    const std::string name(StageName(static_cast<Stage>(s)));
    json next = json::array();
    for (Stage t : lifecycle_.next[static_cast<size_t>(s)]) next.push_back(StageName(t));
    transitions[name] = std::move(next);
    guards[name] = GuardToJson(lifecycle_.guards[static_cast<size_t>(s)]);
  }
  json cadences = json::array();
  for (const Cadence& c : cadences_) cadences.push_back(CadenceToJson(c));
  return {{"framework", framework().key},
          {"frameworks", std::move(frameworks)},
          {"transitions", std::move(transitions)},
          {"guards", std::move(guards)},
          {"reasons", {{"lost", ReasonsToJson(lifecycle_.lost_reasons)},
                       {"disqualified", ReasonsToJson(lifecycle_.disqualified_reasons)}}},
          {"cadences", std::move(cadences)}};
}

const Framework* Pipeline::FindFramework(std::string_view key) const {
  for (const Framework& f : frameworks_) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

const Cadence* Pipeline::FindCadence(std::string_view key) const {
  for (const Cadence& c : cadences_) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

}  // namespace leadkit
