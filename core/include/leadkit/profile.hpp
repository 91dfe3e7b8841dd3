// The ideal customer profile: weighted criteria over who a lead is (industry, size, region,
// seniority, kind of e-mail, custom fields). It yields a fit score from 0 to 100 and a letter
// grade from A+ to F, each matched criterion moving the grade by thirds of a letter. Fit never
// decays: it does not depend on time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"
#include "leadkit/rules.hpp"

namespace leadkit {

inline constexpr int kGradeCount = 13;
std::string_view GradeName(int index);  // 0 = F, 1 = D-, 2 = D, ... 12 = A+
std::optional<int> ParseGrade(std::string_view name);  // "B+" → 9

class Profile {
 public:
  struct Criterion {
    std::string label;
    std::string condition;  // in the rule language, e.g. industry in ["SaaS"]
    double points = 0;      // may be negative
    int grade_steps = 0;    // thirds of a letter when matched
  };

  // {"criteria": [{"label", "field", "in" | "hasAny" | "equals" | "min"/"max", "points", "grade"},
  //   or {"label", "when": "<condition>", "points"}], "startGrade": "D"}. Errors name the path.
  static Result<Profile> FromJson(const nlohmann::json& j, const std::string& path);
  static nlohmann::json DefaultJson();
  nlohmann::json ToJson() const;

  const std::vector<Criterion>& criteria() const { return criteria_; }
  const RuleProgram& program() const { return program_; }  // one rule per criterion, points 1
  double positive_total() const { return positive_total_; }
  int start_grade() const { return start_grade_; }

 private:
  std::vector<Criterion> criteria_;
  RuleProgram program_;
  double positive_total_ = 0;
  int start_grade_ = 2;  // D
};

}  // namespace leadkit
