#include "leadkit/qualification.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "leadkit/channel.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

Criterion C(std::string key, std::string label, std::string question, std::string reason = "",
            bool critical = false) {
  return {std::move(key), std::move(label), std::move(question), std::move(reason), critical};
}

std::vector<Framework> MakeBuiltins() {
  return {
      {"bant", "BANT",
       {C("budget", "Budget", "Is money set aside for this, and is it enough?", "no_budget"),
        C("authority", "Authority", "Is this person the one who decides, or close to them?",
          "no_authority"),
        C("need", "Need", "Is there a problem we solve that they have not solved?", "no_need", true),
        C("timeline", "Timeline", "Do they mean to buy within the next two quarters?", "bad_timing")},
       3, 0.5},
      {"champ", "CHAMP",
       {C("challenges", "Challenges", "What problem are they trying to solve?", "no_need", true),
        C("authority", "Authority", "Who decides, and are they involved?", "no_authority"),
        C("money", "Money", "Can they pay for it?", "no_budget"),
        C("prioritization", "Prioritization", "How high is this on their list?", "bad_timing")},
       3, 0.5},
      {"meddic", "MEDDIC",
       {C("metrics", "Metrics", "What measurable gain do they expect?"),
        C("economic_buyer", "Economic buyer", "Who signs, and have we met them?", "no_authority"),
        C("decision_criteria", "Decision criteria", "How will they compare options?"),
        C("decision_process", "Decision process", "Which steps and people lead to a signature?"),
        C("identify_pain", "Identify pain", "What pain makes them act now?", "no_need", true),
        C("champion", "Champion", "Who inside sells for us when we are not there?")},
       5, 0.5},
      {"anum", "ANUM",
       {C("authority", "Authority", "Are we talking to the decision-maker?", "no_authority"),
        C("need", "Need", "Do they have a problem we solve?", "no_need", true),
        C("urgency", "Urgency", "Why would they act now rather than later?", "bad_timing"),
        C("money", "Money", "Can they afford it?", "no_budget")},
       3, 0.5},
  };
}

std::string TextMember(const json& j, const char* key, size_t limit, const std::string& path,
                       std::optional<Error>& err, bool required = false) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required && !err) err = MakeError("is required", path + "." + key);
    return {};
  }
  if (!it->is_string() || it->get_ref<const std::string&>().size() > limit) {
    if (!err) {
      err = MakeError("expected text of at most " + std::to_string(limit) +
                                     " characters, got " + DescribeJsonValue(*it), path + "." + key);
    }
    return {};
  }
  return it->get<std::string>();
}

}  // namespace

const std::vector<Framework>& BuiltinFrameworks() {
  static const std::vector<Framework> builtins = MakeBuiltins();
  return builtins;
}

Result<Framework> FrameworkFromJson(const json& j, const std::string& path) {
  if (!j.is_object()) return MakeError("expected a framework object, got " + DescribeJsonValue(j), path);
  static const std::set<std::string> kKnown = {"key", "name", "criteria", "qualifyAt",
                                               "minConfidence"};
  for (const auto& [k, v] : j.items()) {
    if (!kKnown.count(k)) return MakeError("unknown member", path + "." + k.substr(0, 64));
  }
  std::optional<Error> err;
  Framework f;
  f.key = TextMember(j, "key", 64, path, err, true);
  if (!err && !IsIdentifier(f.key)) {
    err = MakeError("expected a lowercase identifier such as \"my_framework\"", path + ".key");
  }
  f.name = TextMember(j, "name", 64, path, err);
  if (f.name.empty()) f.name = f.key;
  if (err) return *err;
  const auto crit = j.find("criteria");
  if (crit == j.end() || !crit->is_array() || crit->empty() || crit->size() > 32) {
    return MakeError("expected an array of 1 to 32 criteria", path + ".criteria");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < crit->size(); ++i) {
    const json& c = (*crit)[i];
    const std::string p = path + ".criteria[" + std::to_string(i) + "]";
    if (!c.is_object()) return MakeError("expected an object, got " + DescribeJsonValue(c), p);
    static const std::set<std::string> kCriterionKeys = {"key", "label", "question",
                                                         "notMetReason", "critical"};
    for (const auto& [k, v] : c.items()) {
      if (!kCriterionKeys.count(k)) return MakeError("unknown member", p + "." + k.substr(0, 64));
    }
    Criterion cr;
    cr.key = TextMember(c, "key", 64, p, err, true);
    if (!err && !IsIdentifier(cr.key)) err = MakeError("expected a lowercase identifier", p + ".key");
    if (!err && !seen.insert(cr.key).second) err = MakeError("\"" + cr.key + "\" is used twice", p + ".key");
    cr.label = TextMember(c, "label", 64, p, err);
    cr.question = TextMember(c, "question", 256, p, err);
    cr.not_met_reason = TextMember(c, "notMetReason", 64, p, err);
    if (err) return *err;
    if (cr.label.empty()) cr.label = cr.key;
    if (const auto cv = c.find("critical"); cv != c.end()) {
      if (!cv->is_boolean()) return MakeError("expected true or false", p + ".critical");
      cr.critical = cv->get<bool>();
    }
    f.criteria.push_back(std::move(cr));
  }
  f.qualify_at = static_cast<int>(f.criteria.size());
  if (const auto q = j.find("qualifyAt"); q != j.end()) {
    if (!q->is_number_integer() || q->get<int64_t>() < 1 ||
        q->get<int64_t>() > static_cast<int64_t>(f.criteria.size())) {
      return MakeError("expected a whole number from 1 to " +
                                         std::to_string(f.criteria.size()) + " (criteria met)", path + ".qualifyAt");
    }
    f.qualify_at = q->get<int>();
  }
  if (const auto m = j.find("minConfidence"); m != j.end()) {
    if (!m->is_number() || !(m->get<double>() >= 0 && m->get<double>() <= 1)) {
      return MakeError("expected a number from 0 to 1", path + ".minConfidence");
    }
    f.min_confidence = m->get<double>();
  }
  return f;
}

json FrameworkToJson(const Framework& f) {
  json criteria = json::array();
  for (const Criterion& c : f.criteria) {
    json cj = {{"key", c.key}, {"label", c.label}, {"question", c.question}, {"critical", c.critical}};
    if (!c.not_met_reason.empty()) cj["notMetReason"] = c.not_met_reason;
    criteria.push_back(std::move(cj));
  }
  return {{"key", f.key}, {"name", f.name}, {"criteria", std::move(criteria)},
          {"qualifyAt", f.qualify_at}, {"minConfidence", f.min_confidence}};
}

CriterionState* MutableCriterion(Lead& lead, const Framework& f, std::string_view key) {
  if (std::none_of(f.criteria.begin(), f.criteria.end(),
                   [key](const Criterion& c) { return c.key == key; })) {
    return nullptr;
  }
  if (f.key == "bant") {
    for (size_t k = 0; k < kBantKeys.size(); ++k) {
      if (kBantKeys[k] == key) return &lead.bant[k];
    }
    return nullptr;  // a "bant" framework redefined with other criteria cannot be stored
  }
  return &lead.qualification[f.key][std::string(key)];
}

CriterionState CriterionOf(const Lead& lead, const Framework& f, std::string_view key) {
  if (f.key == "bant") {
    for (size_t k = 0; k < kBantKeys.size(); ++k) {
      if (kBantKeys[k] == key) return lead.bant[k];
    }
    return {};
  }
  const auto fw = lead.qualification.find(f.key);
  if (fw == lead.qualification.end()) return {};
  const auto c = fw->second.find(std::string(key));
  return c == fw->second.end() ? CriterionState{} : c->second;
}

std::string_view VerdictName(VerdictKind v) {
  switch (v) {
    case VerdictKind::kQualified: return "qualified";
    case VerdictKind::kNeedsWork: return "needsWork";
    case VerdictKind::kDisqualify: return "disqualify";
  }
  return "needsWork";
}

Verdict Judge(const Lead& lead, const Framework& f) {
  Verdict v;
  std::vector<std::string> critical, open;
  for (const Criterion& c : f.criteria) {
    const CriterionState s = CriterionOf(lead, f, c.key);
    const std::string label = c.label;
    switch (s.status) {
      case BantStatus::kMet:
        if (s.confidence && *s.confidence < f.min_confidence) {
          ++v.partly;
          open.push_back(label + " is met with low confidence (" +
                         std::to_string(static_cast<int>(std::lround(*s.confidence * 100))) +
                         "%): confirm it");
        } else {
          ++v.met;
        }
        break;
      case BantStatus::kPartly:
        ++v.partly;
        open.push_back(label + " is only partly met: " + (c.question.empty() ? "dig deeper" : c.question));
        break;
      case BantStatus::kNotMet:
        ++v.not_met;
        if (c.critical) {
          critical.push_back("no " + label + ": " + (s.evidence.empty() ? "marked not met" : s.evidence));
          if (v.suggested_reason.empty()) v.suggested_reason = c.not_met_reason;
        } else {
          open.push_back(label + " is not met");
        }
        break;
      case BantStatus::kUnknown:
        ++v.unknown;
        open.push_back(label + " is unknown: " + (c.question.empty() ? "find out" : c.question));
        break;
    }
  }
  if (!critical.empty()) {
    v.kind = VerdictKind::kDisqualify;
    v.reasons = std::move(critical);
    v.reasons.push_back("a critical criterion is not met, so qualifying further is unlikely to pay");
  } else if (v.met >= f.qualify_at) {
    v.kind = VerdictKind::kQualified;
    v.reasons.push_back(std::to_string(v.met) + " of " + std::to_string(f.criteria.size()) + " " +
                        f.name + " criteria met (" + std::to_string(f.qualify_at) + " needed)");
    v.reasons.insert(v.reasons.end(), open.begin(), open.end());
  } else {
    v.kind = VerdictKind::kNeedsWork;
    v.reasons.push_back(std::to_string(v.met) + " of " + std::to_string(f.criteria.size()) + " " +
                        f.name + " criteria met; " + std::to_string(f.qualify_at) + " needed");
    v.reasons.insert(v.reasons.end(), open.begin(), open.end());
  }
  return v;
}

json VerdictToJson(const Verdict& v, const Lead& lead, const Framework& f) {
  json criteria = json::array();
  for (const Criterion& c : f.criteria) {
    json cj = CriterionToJson(CriterionOf(lead, f, c.key));
    cj["key"] = c.key;
    cj["label"] = c.label;
    cj["question"] = c.question;
    cj["critical"] = c.critical;
    criteria.push_back(std::move(cj));
  }
  json j = {{"framework", f.key}, {"verdict", VerdictName(v.kind)}, {"met", v.met},
            {"partly", v.partly}, {"notMet", v.not_met}, {"unknown", v.unknown},
            {"of", f.criteria.size()}, {"qualifyAt", f.qualify_at}, {"reasons", v.reasons},
            {"criteria", std::move(criteria)}};
  if (!v.suggested_reason.empty()) j["suggestedReason"] = v.suggested_reason;
  return j;
}

}  // namespace leadkit
