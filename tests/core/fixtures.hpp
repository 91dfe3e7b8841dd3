// Reads the golden fixtures in tests/fixtures, which the JS tests read too.
#pragma once

#include <fstream>
#include <sstream>
#include <cctype>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "leadkit/workspace.hpp"

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

// The cases of a fixture file's "cases" array, for INSTANTIATE_TEST_SUITE_P.
inline std::vector<nlohmann::json> FixtureCases(const std::string& name) {
  const nlohmann::json cases = Fixture(name)["cases"];
  return {cases.begin(), cases.end()};
}

// A gtest-legal test name made from a case's "name".
struct CaseName {
  template <typename Info>
  std::string operator()(const Info& info) const {
    std::string out;
    for (char c : info.param["name"].template get<std::string>()) {
      if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    }
    return out;
  }
};

// A fixed "now" for every test, so defaults derived from the clock are reproducible.
inline constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-17T...

// A workspace holding the five leads of tests/fixtures/leads.json.
inline Workspace FixtureWorkspace() {
  Workspace ws;
  const auto report = ws.Load(Fixture("leads.json"), kNow);
  EXPECT_TRUE(report.errors.empty()) << report.errors[0].ToString();
  return ws;
}

}  // namespace leadkit::testing
