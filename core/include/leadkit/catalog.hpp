// The catalog: every list the page needs from the core in one JSON document (stages, grades, lead
// and rule fields, guards, decay kinds, default engagement, touch channels and outcomes, source
// channels, reason lists, BANT statuses, paging), so the page keeps no copy of its own.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "leadkit/lead.hpp"

namespace leadkit {

class Workspace;

// What the app calls a stage ("mql" → "MQL"), a touch channel ("email" → "E-mail") and a touch
// outcome, lower-case as it reads after a channel ("no_answer" → "no answer"). An unknown name
// reads as itself.
std::string_view StageLabel(Stage s);
std::string_view TouchChannelLabel(std::string_view channel);
std::string_view TouchOutcomeLabel(std::string_view outcome);

// {stages: [{name, label, open, needsReason}], grades: ["A+", ..., "F"],
//  leadFields: [{name, type}], ruleFields: [{name, numeric}],
//  guards: [{name, label, kind: "grade" | "number" | "bool"}], decayKinds: [{kind, label}],
//  events: [{type, points, cap, repeat}], touches: [{key, points, cap, repeat}],
//  touchChannels: [{name, label}], touchOutcomes: [{name, label}],
//  directions: [{name, label}], defaultChannels: [{name, label, direction}],
//  channels: [{name, label, direction}] (the workspace's own map),
//  reasons: {lost: [{key, label}], disqualified: [...]} (the workspace's pipeline),
//  bantKeys: [...], bantStatuses: [{name, label}], paging: {orderCacheFrom}}.
nlohmann::json Catalog(const Workspace& workspace);

}  // namespace leadkit
