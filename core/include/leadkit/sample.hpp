// A deterministic generator of realistic synthetic leads, for the demo workspace and benchmarks.
// The same seed gives the same leads on every platform (no std:: distributions, which differ).
#pragma once

#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace leadkit {

// `count` leads in the public JSON format, created within the 240 days before `now_ms`: a mix of
// inbound and outbound sources, industries, company sizes, roles and stages, with events, touches
// and stage history consistent with each lead's stage.
nlohmann::json SampleLeads(size_t count, uint64_t seed, int64_t now_ms);

}  // namespace leadkit
