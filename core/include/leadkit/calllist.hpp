// Today's call list: open leads ranked by who to contact next. The priority mixes the score, the
// deal value, touches due in a cadence and staleness (days since the last touch), and each entry
// says how much each of these put it where it is.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"

namespace leadkit {

class Workspace;

// options: {now (ms, from the caller), limit (default 50, at most 1000), weights: {score, value,
// due, staleness} (defaults 0.4, 0.2, 0.25, 0.15; normalised to sum 1), stages (default the open
// ones: new, nurturing, mql, sql, opportunity)}.
// → {total, items: [{rank, id, name, company, stage, score, grade, dealValue, priority,
//    contactStatus, daysSinceTouch, due: {step, of, channel, dueAt, overdueDays} | null,
//    reasons: [{factor, share, text}]}]}
Result<nlohmann::json> CallList(const Workspace& ws, const nlohmann::json& options, int64_t now_ms);

}  // namespace leadkit
