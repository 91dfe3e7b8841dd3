// The scoring model: one versioned JSON document combining the profile (fit), engagement and the
// rule groups. For each lead it gives fit, engagement, total, grade, the fit x engagement matrix
// cell (A1 to C3) and the stage the lead qualifies for, and can account for every point.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/engagement.hpp"
#include "leadkit/profile.hpp"
#include "leadkit/result.hpp"
#include "leadkit/rules.hpp"
#include "leadkit/store.hpp"

namespace leadkit {

inline constexpr int kModelVersion = 1;

// FNV-1a 64 of `text` as 16 hex digits: the content hash of model documents (scoring and
// predictive), stamped on every score and prediction.
std::string ContentHash(std::string_view text);

struct Score {
  double fit = 0, engagement = 0, total = 0;  // 0-100, to the hundredth
  int grade = 0;                              // index for GradeName
  char matrix[3] = {'C', '3', '\0'};
  Stage stage = Stage::kNurturing;            // what the lead qualifies for
};

struct Contribution {
  std::string kind;  // "fit", "engagement", "rule", "limit"
  std::string label;
  double points;     // to the hundredth; all of a lead's add up exactly to its total
};

class ScoringModel {
 public:
  // The smallest model is {"rules": "<rule text>"}; everything else has defaults. Errors carry
  // the path of the bad member, or the line and column in the rule text.
  static Result<ScoringModel> FromJson(const nlohmann::json& doc);

  const nlohmann::json& normalized() const { return normalized_; }  // with every default filled
  const std::string& hash() const { return hash_; }                 // of normalized(), 16 hex digits

  // Scores rows [begin, end) into out[0 .. end - begin).
  // With `lines`, every row's contributions too (as Explain gives them), at block speed.
  void ScoreRows(const LeadStore& store, const ChannelMap& channels, int64_t now_ms, uint32_t begin,
                 uint32_t end, std::vector<Score>& out,
                 std::vector<std::vector<Contribution>>* lines = nullptr) const;
  // Scores the listed rows, in their order, into out[0 .. rows.size()): the same scores
  // ScoreRows gives them, for a page of rows without scoring the whole store.
  void ScoreEach(const LeadStore& store, const ChannelMap& channels, int64_t now_ms,
                 std::span<const uint32_t> rows, std::vector<Score>& out) const;
  std::vector<Contribution> Explain(const LeadStore& store, const ChannelMap& channels,
                                    int64_t now_ms, uint32_t row) const;

 private:
  // One row's score; when `lines` is given, every contribution too.
  Score Combine(const LeadStore& store, uint32_t row, int64_t now_ms, const double* criteria,
                const double* rules, size_t stride, const std::vector<int32_t>& rule_of_code,
                std::vector<Contribution>* lines) const;

  Profile profile_;
  Engagement engagement_;
  RuleProgram rules_;
  double fit_weight_ = 0.5, engagement_weight_ = 0.5;
  double mql_total_ = 50, sql_total_ = 75, sql_fit_ = 50;
  double matrix_fit_[2] = {70, 40}, matrix_engagement_[2] = {60, 30};
  nlohmann::json normalized_;
  std::string hash_;
};

}  // namespace leadkit
