#include "leadkit/profile.hpp"

#include <array>
#include <cmath>

namespace leadkit {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, kGradeCount> kGrades = {
    "F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+"};

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

Result<std::string> ListOf(const json& v, const std::string& path) {
  if (!v.is_array() || v.empty() || v.size() > 1000) {
    return MakeError("expected a list of 1 to 1000 values", path);
  }
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    if (v[i].is_string()) {
      out += Quote(v[i].get<std::string>());
    } else if (v[i].is_number() && std::isfinite(v[i].get<double>())) {
      out += v[i].dump();
    } else {
      return MakeError("expected texts or numbers, got " + DescribeJsonValue(v[i]),
                       path + "[" + std::to_string(i) + "]");
    }
  }
  return out + "]";
}

// The condition a structured criterion stands for, in the rule language.
Result<std::string> ConditionOf(const json& c, const std::string& path) {
  if (c.contains("when")) {
    if (!c["when"].is_string()) return MakeError("expected a condition as text", path + ".when");
    return c["when"].get<std::string>();
  }
  if (!c.contains("field") || !c["field"].is_string()) {
    return MakeError("needs \"field\" (and \"in\", \"hasAny\", \"equals\" or \"min\"/\"max\"), or \"when\"", path);
  }
  const std::string field = c["field"].get<std::string>();
  if (field.empty() || field.size() > 80 ||
      field.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != std::string::npos) {
    return MakeError("unknown field " + DescribeJsonValue(c["field"]), path + ".field");
  }
  for (const char* op : {"in", "hasAny"}) {
    if (c.contains(op)) {
      auto list = ListOf(c[op], path + "." + op);
      if (!list) return list.error();
      return field + (std::string(op) == "in" ? " in " : " has_any ") + list.value();
    }
  }
  if (c.contains("equals")) {
    const json& v = c["equals"];
    if (v.is_string()) return field + " == " + Quote(v.get<std::string>());
    if (v.is_number() && std::isfinite(v.get<double>())) return field + " == " + v.dump();
    return MakeError("expected a text or a number, got " + DescribeJsonValue(v), path + ".equals");
  }
  std::string cond;
  for (const char* bound : {"min", "max"}) {
    if (!c.contains(bound)) continue;
    const json& v = c[bound];
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return MakeError("expected a number, got " + DescribeJsonValue(v), path + "." + bound);
    }
    if (!cond.empty()) cond += " and ";
    cond += field + (std::string(bound) == "min" ? " >= " : " <= ") + v.dump();
  }
  if (cond.empty()) return MakeError("needs \"in\", \"hasAny\", \"equals\", \"min\" or \"max\"", path);
  return cond;
}

}  // namespace

std::string_view GradeName(int index) { return kGrades[std::clamp(index, 0, kGradeCount - 1)]; }

std::optional<int> ParseGrade(std::string_view name) {
  const auto it = std::find(kGrades.begin(), kGrades.end(), name);
  if (it == kGrades.end()) return std::nullopt;
  return static_cast<int>(it - kGrades.begin());
}

json Profile::DefaultJson() {
  // A broad B2B profile: who usually buys, without knowing the user's market yet.
  return json::parse(R"({
    "startGrade": "D",
    "criteria": [
      {"label": "Decision maker", "field": "title", "points": 30, "grade": 3,
       "hasAny": ["ceo", "cto", "cfo", "coo", "cmo", "chief", "founder", "owner", "president", "vp", "head", "director"]},
      {"label": "Company size 20-5000", "field": "employees", "min": 20, "max": 5000, "points": 25, "grade": 2},
      {"label": "Company e-mail", "field": "emailKind", "equals": "company", "points": 20, "grade": 2},
      {"label": "Budget confirmed", "field": "bant.budget", "equals": "met", "points": 15, "grade": 1},
      {"label": "Revenue over 1M", "field": "annualRevenue", "min": 1000000, "points": 10, "grade": 1},
      {"label": "Free webmail", "field": "emailKind", "equals": "free", "points": -10, "grade": -1}
    ]})");
}

Result<Profile> Profile::FromJson(const json& j, const std::string& path) {
  if (!j.is_object()) return MakeError("expected an object with \"criteria\"", path);
  for (const auto& [key, v] : j.items()) {
    if (key != "criteria" && key != "startGrade") {
      return MakeError("unknown field \"" + key.substr(0, 64) + "\" (a profile has criteria and startGrade)", path);
    }
  }
  Profile p;
  if (j.contains("startGrade")) {
    const json& g = j["startGrade"];
    const std::optional<int> grade = g.is_string() ? ParseGrade(g.get<std::string>()) : std::nullopt;
    if (!grade) return MakeError("expected a grade from A+ to F, got " + DescribeJsonValue(g), path + ".startGrade");
    p.start_grade_ = *grade;
  }
  const json criteria = j.value("criteria", json::array());
  if (!criteria.is_array() || criteria.size() > 200) {
    return MakeError("expected a list of at most 200 criteria", path + ".criteria");
  }
  std::string rules;
  for (size_t i = 0; i < criteria.size(); ++i) {
    const std::string cp = path + ".criteria[" + std::to_string(i) + "]";
    const json& c = criteria[i];
    if (!c.is_object()) return MakeError("expected an object, got " + DescribeJsonValue(c), cp);
    static constexpr std::array<std::string_view, 9> kKeys = {"label", "field", "in", "hasAny", "equals",
                                                              "min", "max", "when", "points"};
    for (const auto& [key, v] : c.items()) {
      if (key != "grade" && std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        return MakeError("unknown field \"" + key.substr(0, 64) + "\"", cp);
      }
    }
    Criterion cr;
    if (!c.contains("label") || !c["label"].is_string() || c["label"].get<std::string>().empty() ||
        c["label"].get<std::string>().size() > 120) {
      return MakeError("needs a \"label\" of 1 to 120 characters", cp + ".label");
    }
    cr.label = c["label"].get<std::string>();
    if (!c.contains("points") || !c["points"].is_number() || !std::isfinite(c["points"].get<double>()) ||
        std::abs(c["points"].get<double>()) > 1000) {
      return MakeError("expected points from -1000 to 1000", cp + ".points");
    }
    cr.points = c["points"].get<double>();
    cr.grade_steps = cr.points > 0 ? 1 : cr.points < 0 ? -1 : 0;
    if (c.contains("grade")) {
      if (!c["grade"].is_number_integer() || std::abs(c["grade"].get<int>()) > 6) {
        return MakeError("expected thirds of a letter from -6 to 6", cp + ".grade");
      }
      cr.grade_steps = c["grade"].get<int>();
    }
    auto cond = ConditionOf(c, cp);
    if (!cond) return cond.error();
    cr.condition = cond.value();
    auto check = RuleProgram::CompileCondition(cr.condition, cr.label);
    if (!check) {
      Error e = check.error();
      e.where.path = cp;
      e.message = (e.where.column > 0 ? "column " + std::to_string(e.where.column) + " of the condition: " : "") + e.message;
      e.where.line = e.where.column = -1;
      return e;
    }
    if (cr.points > 0) p.positive_total_ += cr.points;
    rules += "rule " + Quote(cr.label + " #" + std::to_string(i)) + " when " + cr.condition + "\nthen 1\n";
    p.criteria_.push_back(std::move(cr));
  }
  auto program = RuleProgram::Compile(rules);
  if (!program) return MakeError(program.error().message, path + ".criteria");
  p.program_ = std::move(program.value());
  return p;
}

json Profile::ToJson() const {
  json criteria = json::array();
  for (const Criterion& c : criteria_) {
    criteria.push_back({{"label", c.label}, {"when", c.condition}, {"points", c.points}, {"grade", c.grade_steps}});
  }
  return {{"startGrade", GradeName(start_grade_)}, {"criteria", std::move(criteria)}};
}

}  // namespace leadkit
