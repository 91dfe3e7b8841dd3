// ISO 8601 timestamps <-> milliseconds since the Unix epoch (UTC). Written by hand because the
// libc++ of Emscripten 3.1.6 lacks parts of <chrono> formatting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadkit {

// Accepts "2026-03-01", "2026-03-01T09:30", "2026-03-01T09:30:00", fractional seconds, and a "Z" or
// "+hh:mm"/"-hh:mm" offset (none means UTC). Returns nullopt for anything else or an impossible date.
std::optional<int64_t> ParseIsoTime(std::string_view text);

// "2026-03-01T09:30:00Z", with ".123" before the Z when there are milliseconds.
std::string FormatIsoTime(int64_t ms_since_epoch);

inline constexpr int64_t kMsPerDay = 86'400'000;

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar; m and d are not checked.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace leadkit
