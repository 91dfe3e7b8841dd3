#include "leadkit/lifecycle.hpp"

#include <algorithm>
#include <cmath>

#include "leadkit/profile.hpp"

namespace leadkit {

namespace {

std::string Name(Stage s) {
  switch (s) {
    case Stage::kMql: return "MQL";
    case Stage::kSql: return "SQL";
    default: return std::string(StageName(s));
  }
}

std::string Number(double v) {
  const double r = std::round(v * 100) / 100;
  std::string s = std::to_string(r);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

Lifecycle Lifecycle::Default() {
  Lifecycle lc;
  using S = Stage;
  auto& n = lc.next;
  n[static_cast<size_t>(S::kNew)] = {S::kNurturing, S::kMql, S::kSql};
  n[static_cast<size_t>(S::kNurturing)] = {S::kMql, S::kSql};
  n[static_cast<size_t>(S::kMql)] = {S::kNurturing, S::kSql};
  n[static_cast<size_t>(S::kSql)] = {S::kOpportunity, S::kNurturing};
  n[static_cast<size_t>(S::kOpportunity)] = {S::kCustomer, S::kNurturing};
  n[static_cast<size_t>(S::kCustomer)] = {};
  n[static_cast<size_t>(S::kLost)] = {S::kNurturing};
  n[static_cast<size_t>(S::kDisqualified)] = {S::kNurturing};
  Guard mql;
  mql.fit_grade_at_least = *ParseGrade("B");
  mql.engagement_at_least = 40;
  lc.guards[static_cast<size_t>(S::kMql)] = mql;
  Guard sql;
  sql.criteria_met_at_least = 3;
  lc.guards[static_cast<size_t>(S::kSql)] = sql;
  // An opportunity is a deal being worked: it needs its value, and so does a customer.
  Guard deal;
  deal.deal_value = true;
  lc.guards[static_cast<size_t>(S::kOpportunity)] = deal;
  lc.guards[static_cast<size_t>(S::kCustomer)] = deal;
  lc.disqualified_reasons = {
      {"no_budget", "No budget"},
      {"no_authority", "No authority: cannot reach who decides"},
      {"no_need", "No need"},
      {"bad_timing", "Bad timing"},
      {"not_icp", "Not our ideal customer profile"},
      {"unresponsive", "Unresponsive after a full cadence of touches"},
      {"bad_data", "Bad contact data"},
      {"duplicate", "Duplicate"},
      {"other", "Other (say why in the note)"},
  };
  lc.lost_reasons = {
      {"no_budget", "No budget"},
      {"no_authority", "No authority"},
      {"no_need", "No need"},
      {"bad_timing", "Bad timing"},
      {"chose_competitor", "Chose a competitor"},
      {"price", "Price"},
      {"no_decision", "No decision"},
      {"unresponsive", "Went silent"},
      {"other", "Other (say why in the note)"},
  };
  return lc;
}

bool Lifecycle::Allows(Stage from, Stage to) const {
  if (from == to) return false;
  if (to == Stage::kLost || to == Stage::kDisqualified) return true;
  const auto& n = next[static_cast<size_t>(from)];
  return std::find(n.begin(), n.end(), to) != n.end();
}

const std::vector<ReasonOption>& Lifecycle::ReasonsFor(Stage to) const {
  return to == Stage::kLost ? lost_reasons : disqualified_reasons;
}

Status CheckTransition(const Lifecycle& lc, const Lead& lead, const TransitionRequest& req,
                       const LeadFacts& facts) {
  const Stage from = lead.stage;
  if (from == req.to) return MakeError("the lead is already " + Name(from), "to");
  if (!lc.Allows(from, req.to)) {
    std::string allowed;
    for (Stage s : lc.next[static_cast<size_t>(from)]) allowed += Name(s) + ", ";
    allowed += "lost or disqualified";
    return MakeError("cannot move from " + Name(from) + " to " + Name(req.to) + "; from " +
                         Name(from) + " a lead can move to " + allowed,
                     "transitions." + std::string(StageName(from)));
  }
  if (StageNeedsReason(req.to)) {
    const auto& reasons = lc.ReasonsFor(req.to);
    std::string keys;
    for (const ReasonOption& r : reasons) keys += (keys.empty() ? "" : ", ") + r.key;
    if (req.reason.empty()) {
      return MakeError("a " + Name(req.to) + " lead needs a reason: one of " + keys, "reason");
    }
    const bool known = std::any_of(reasons.begin(), reasons.end(),
                                   [&](const ReasonOption& r) { return r.key == req.reason; });
    if (!known) {
      return MakeError("unknown " + Name(req.to) + " reason \"" + req.reason.substr(0, 64) +
                           "\"; expected one of " + keys,
                       "reason");
    }
    if (req.reason == "other" && req.note.empty()) {
      return MakeError("the reason \"other\" needs a note saying why", "note");
    }
  }
  const Guard& g = lc.guards[static_cast<size_t>(req.to)];
  const std::string at = "guards." + std::string(StageName(req.to)) + ".";
  const std::string stage = Name(req.to);
  if (g.fit_grade_at_least >= 0 && facts.score.grade < g.fit_grade_at_least) {
    return MakeError(stage + " needs a fit grade of " + std::string(GradeName(g.fit_grade_at_least)) +
                         " or better; this lead's is " + std::string(GradeName(facts.score.grade)),
                     at + "fitGradeAtLeast");
  }
  if (g.engagement_at_least >= 0 && facts.score.engagement < g.engagement_at_least) {
    return MakeError(stage + " needs engagement of " + Number(g.engagement_at_least) +
                         " or more; this lead's is " + Number(facts.score.engagement),
                     at + "engagementAtLeast");
  }
  if (g.score_at_least >= 0 && facts.score.total < g.score_at_least) {
    return MakeError(stage + " needs a score of " + Number(g.score_at_least) + " or more; this lead's is " +
                         Number(facts.score.total),
                     at + "scoreAtLeast");
  }
  if (g.criteria_met_at_least >= 0 && facts.verdict.met < g.criteria_met_at_least) {
    const std::string fw = facts.framework ? facts.framework->name : "qualification";
    const size_t of = facts.framework ? facts.framework->criteria.size() : 0;
    return MakeError(stage + " needs at least " + std::to_string(g.criteria_met_at_least) + " of " +
                         std::to_string(of) + " " + fw + " criteria met; this lead has " +
                         std::to_string(facts.verdict.met),
                     at + "criteriaMetAtLeast");
  }
  if (g.qualified && facts.verdict.kind != VerdictKind::kQualified) {
    return MakeError(stage + " needs a qualified verdict; this lead's is " +
                         std::string(VerdictName(facts.verdict.kind)) +
                         (facts.verdict.reasons.empty() ? "" : " (" + facts.verdict.reasons.front() + ")"),
                     at + "qualified");
  }
  if (g.deal_value && !lead.deal_value) {
    return MakeError(stage + " needs a deal value", at + "dealValue");
  }
  return Ok{};
}

void ApplyTransition(const Lifecycle& lc, Lead& lead, const TransitionRequest& req) {
  Transition t;
  t.at = req.at;
  t.from = lead.stage;
  t.to = req.to;
  t.reason = req.reason;
  t.actor = req.actor;
  t.note = req.note;
  lead.history.push_back(std::move(t));
  lead.stage = req.to;
  if (StageNeedsReason(req.to)) {
    const auto& reasons = lc.ReasonsFor(req.to);
    const auto it = std::find_if(reasons.begin(), reasons.end(),
                                 [&](const ReasonOption& r) { return r.key == req.reason; });
    lead.stage_reason = it != reasons.end() && it->key != "other" ? it->label : req.note;
    if (it != reasons.end() && it->key != "other" && !req.note.empty()) {
      lead.stage_reason += ": " + req.note;
    }
    lead.stage_reason = lead.stage_reason.substr(0, TextLimits::kReason);
  } else {
    lead.stage_reason.clear();
  }
  lead.updated_at = std::max(lead.updated_at, req.at);
}

}  // namespace leadkit
