// Qualification frameworks as data: BANT is built in, CHAMP, MEDDIC and ANUM ship as templates,
// and a workspace can define its own. A verdict (qualified, needs work, disqualify) is judged from
// the lead's criterion states and always comes with its reasons.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/lead.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

struct Criterion {
  std::string key;              // identifier, e.g. "need"
  std::string label;            // "Need"
  std::string question;         // what the seller should find out
  std::string not_met_reason;   // the disqualification reason key it points to, e.g. "no_need"
  bool critical = false;        // not met → suggest disqualifying
};

struct Framework {
  std::string key;   // "bant", "meddic", or a workspace's own
  std::string name;
  std::vector<Criterion> criteria;
  int qualify_at = 3;            // criteria met (none critical not met) to count as qualified
  double min_confidence = 0.5;   // "met" with a lower stated confidence counts as partly
};

// BANT, CHAMP, MEDDIC and ANUM, in that order.
const std::vector<Framework>& BuiltinFrameworks();

// A framework from its JSON form ({key, name, criteria: [{key, label, question, notMetReason,
// critical}], qualifyAt, minConfidence}); errors name the member under `path`.
Result<Framework> FrameworkFromJson(const nlohmann::json& j, const std::string& path);
nlohmann::json FrameworkToJson(const Framework& f);

// The lead's state of criterion `key` in framework `f` (BANT reads the lead's bant member); an
// unknown state when nothing was recorded.
CriterionState CriterionOf(const Lead& lead, const Framework& f, std::string_view key);
// Where to write it; nullptr when `key` is not a criterion of `f`.
CriterionState* MutableCriterion(Lead& lead, const Framework& f, std::string_view key);

enum class VerdictKind { kQualified, kNeedsWork, kDisqualify };
std::string_view VerdictName(VerdictKind v);  // "qualified", "needsWork", "disqualify"

struct Verdict {
  VerdictKind kind = VerdictKind::kNeedsWork;
  int met = 0, partly = 0, not_met = 0, unknown = 0;
  std::vector<std::string> reasons;  // why, most decisive first
  std::string suggested_reason;      // for disqualify: a reason key such as "no_need"
};

Verdict Judge(const Lead& lead, const Framework& f);
// {framework, verdict, met, partly, notMet, unknown, of, reasons, suggestedReason?, criteria:
// [{key, label, question, status, evidence?, confidence?, at?}]}
nlohmann::json VerdictToJson(const Verdict& v, const Lead& lead, const Framework& f);

}  // namespace leadkit
