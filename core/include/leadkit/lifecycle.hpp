// The lifecycle stage machine: new → nurturing ↔ MQL → SQL (prospect) → opportunity → customer,
// with lost and disqualified reachable from any stage. Which moves are allowed, the guards on
// entering a stage and the lost/disqualified reason lists are data (see pipeline.hpp). Every
// accepted move is recorded in the lead's history; a refused one names what refused it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "leadkit/lead.hpp"
#include "leadkit/qualification.hpp"
#include "leadkit/result.hpp"
#include "leadkit/scoring.hpp"

namespace leadkit {

struct ReasonOption {
  std::string key;    // "no_budget"
  std::string label;  // "No budget"
};

// Conditions for entering a stage; a negative number or false means "not checked".
struct Guard {
  int fit_grade_at_least = -1;         // a grade index (see GradeName)
  double engagement_at_least = -1;
  double score_at_least = -1;
  int criteria_met_at_least = -1;      // of the workspace's qualification framework
  bool qualified = false;              // the framework's verdict must be "qualified"
  bool deal_value = false;             // a deal value must be set
  bool empty() const {
    return fit_grade_at_least < 0 && engagement_at_least < 0 && score_at_least < 0 &&
           criteria_met_at_least < 0 && !qualified && !deal_value;
  }
};

struct Lifecycle {
  // Allowed moves from each stage, besides lost and disqualified, which any stage may move to.
  std::array<std::vector<Stage>, kStageCount> next;
  std::array<Guard, kStageCount> guards;
  std::vector<ReasonOption> lost_reasons, disqualified_reasons;

  static Lifecycle Default();
  bool Allows(Stage from, Stage to) const;
  const std::vector<ReasonOption>& ReasonsFor(Stage to) const;  // lost or disqualified
};

// What the guards read about a lead, computed by the caller from the workspace's models.
struct LeadFacts {
  Score score;
  Verdict verdict;
  const Framework* framework = nullptr;
};

struct TransitionRequest {
  Stage to = Stage::kNew;
  std::string reason;  // for lost/disqualified a key of the reason list; free text otherwise
  std::string note;
  std::string actor;
  int64_t at = 0;
};

// Ok, or an error whose path names what refused the move: "transitions.<from>",
// "guards.<stage>.<guard>", or "reason".
Status CheckTransition(const Lifecycle& lc, const Lead& lead, const TransitionRequest& req,
                       const LeadFacts& facts);
// Moves the lead (already checked) and appends the history entry.
void ApplyTransition(const Lifecycle& lc, Lead& lead, const TransitionRequest& req);

}  // namespace leadkit
