// Engagement: points per event type (with a cap and a repeat limit), decayed by age along a
// configurable curve. Decay is computed on read at a given `now`: nothing decayed is stored and
// no timer runs. The result is normalised to 0-100.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"
#include "leadkit/store.hpp"

namespace leadkit {

class Engagement {
 public:
  struct EventRule {
    std::string type;
    double points = 0;
    double cap = 0;     // 0: none; otherwise the type's total stays within ±cap
    uint32_t repeat = 0;  // 0: all; otherwise only the most recent `repeat` events count
  };
  enum class Curve { kNone, kHalfLife, kLinear, kSteps };
  struct Step {
    double days;
    double factor;
  };

  // Points for a consultant's touches, by outcome ("replied") or by channel and outcome
  // ("call.connected", which wins over the outcome's own). Decayed like events.
  struct TouchRule {
    std::string key;   // "replied" or "call.connected"
    double points = 0;
    double cap = 0;
    uint32_t repeat = 0;
  };

  // {"events": {"page_view": {"points": 1, "cap": 15, "repeat": 0}, ...} (merged over the
  //  defaults), "touches": {"replied": {"points": 15, "cap": 30}, "call.connected": {...}, ...}
  //  (merged over the defaults), "decay": {"kind": "halfLife", "days": 30} | {"kind": "linear", "days": 90} |
  //  {"kind": "steps", "steps": [{"days": 7, "factor": 1}, ...]} | {"kind": "none"},
  //  "fullScoreAt": 100}
  static Result<Engagement> FromJson(const nlohmann::json& j, const std::string& path);
  // The same model from plain values, for callers built without JSON (the website widget's slim
  // wasm): `events` override or extend the defaults by type. Errors name the bad member.
  static Result<Engagement> Make(const std::vector<EventRule>& events, Curve curve, double days,
                                 std::vector<Step> steps, double full_score_at);
  static std::vector<EventRule> DefaultEvents();
  static std::vector<TouchRule> DefaultTouches();
  nlohmann::json ToJson() const;

  const std::vector<EventRule>& events() const { return events_; }
  const std::vector<TouchRule>& touches() const { return touches_; }
  double full_score_at() const { return full_score_at_; }
  double Decay(double age_days) const;  // 1 for a fresh event, falling towards 0

  // Decayed points per event rule for one row, after caps and repeat limits; sized events().
  void PointsByType(const LeadStore& store, uint32_t row, int64_t now_ms,
                    const std::vector<int32_t>& rule_of_code, std::vector<double>& out) const;
  // Decayed points per touch rule for one row, after caps and repeat limits; sized touches().
  void TouchPoints(const LeadStore& store, uint32_t row, int64_t now_ms, std::vector<double>& out) const;
  // Maps the store's event-type codes to indexes into events() (-1: not scored).
  std::vector<int32_t> RuleOfCode(const LeadStore& store) const;

 private:
  // The touch rule of each channel (row) and outcome (column); -1: none.
  void IndexTouches();
  std::vector<EventRule> events_;
  std::vector<TouchRule> touches_;
  std::array<std::array<int16_t, kTouchOutcomes.size()>, kTouchChannels.size()> touch_rule_of_{};
  Curve curve_ = Curve::kHalfLife;
  double days_ = 30;
  std::vector<Step> steps_;
  double full_score_at_ = 100;
};

}  // namespace leadkit
