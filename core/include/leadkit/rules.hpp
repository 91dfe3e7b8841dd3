// The rule language users type to score leads, e.g.
//   rule "Target industry" when industry in ["SaaS", "Fintech"] then +20
//   group "Behaviour" limit 30 {
//     rule "Hot this week" when count(events, "page_view", 7d) >= 5 then +10
//   }
// Text is parsed to an AST, type-checked against the lead's fields, and compiled once to a
// program of column operations. The program runs over the columnar store a block of rows at a
// time, one instruction over the whole block, so 20 rules over 100k leads is a few tight loops.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "leadkit/channel.hpp"
#include "leadkit/result.hpp"
#include "leadkit/store.hpp"

namespace leadkit {

struct RuleGroup {
  std::string name;
  double limit = 0;  // 0: none; otherwise the group's sum is kept within ±limit
};

struct RuleInfo {
  std::string label;
  size_t group = 0;  // index into RuleProgram::groups()
  double limit = 0;  // 0: none; otherwise the rule's points are kept within ±limit
  int line = 0;
};

// Lookup tables a program needs for one store's dictionaries (which industries match, which
// e-mail domains are webmail, ...). Valid until the store or the channel map changes.
struct RuleBinding {
  std::vector<std::vector<double>> luts;  // by instruction
  std::vector<int32_t> codes;             // by instruction: an aggregate's type code, -1 any, -2 absent
};

// A compiled rule set. Immutable once built; safe to run on any store.
class RuleProgram {
 public:
  // Parses and compiles `text`. Errors carry line and column (1-based) and say what was expected.
  static Result<RuleProgram> Compile(std::string_view text);
  // A single condition, as profile criteria use; `label` names it in errors.
  static Result<RuleProgram> CompileCondition(std::string_view condition, std::string_view label);

  RuleProgram();
  RuleProgram(RuleProgram&&) noexcept;
  RuleProgram& operator=(RuleProgram&&) noexcept;
  ~RuleProgram();

  const std::vector<RuleGroup>& groups() const { return groups_; }
  const std::vector<RuleInfo>& rules() const { return rules_; }
  double total_limit() const { return total_limit_; }

  // Points of every rule for rows [begin, end): out[r * (end - begin) + i] is rule r on row
  // begin + i, before any limit. Conditions that fail give 0; NaN never escapes (it becomes 0).
  void Run(const LeadStore& store, const ChannelMap& channels, int64_t now_ms, uint32_t begin,
           uint32_t end, std::vector<double>& out) const;
  // The same in two steps, so that a batch run in chunks binds once.
  RuleBinding Bind(const LeadStore& store, const ChannelMap& channels) const;
  void Run(const LeadStore& store, const RuleBinding& binding, int64_t now_ms, uint32_t begin,
           uint32_t end, std::vector<double>& out) const;

  // Applies rule, group and total limits to one row's rule points, in that order. Returns the
  // rules' share of the score; `after_rule` receives each rule's points after its own limit, and
  // `group_cut`/`total_cut` what the group and total limits took away (for explanations).
  double Limit(const double* points, size_t stride, std::vector<double>* after_rule,
               std::vector<double>* group_cut, double* total_cut) const;

  struct Impl;

 private:
  std::vector<RuleGroup> groups_;
  std::vector<RuleInfo> rules_;
  double total_limit_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadkit
