// Reads the golden fixtures in tests/fixtures, which the JS tests read too.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace leadkit::testing {

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string FixturePath(const std::string& name) {
  return std::string(LEADKIT_FIXTURES_DIR) + "/" + name;
}

inline nlohmann::json Fixture(const std::string& name) {
  return nlohmann::json::parse(ReadText(FixturePath(name)), nullptr, false);
}

// A fixed "now" for every test, so defaults derived from the clock are reproducible.
inline constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-17T...

}  // namespace leadkit::testing
