// The core must stay an ordinary C++ library: only wasm/ may include Emscripten headers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

TEST(CorePurity, NoFileInCoreIncludesAnEmscriptenHeader) {
  const std::filesystem::path core = std::filesystem::path(LEADKIT_SOURCE_DIR) / "core";
  ASSERT_TRUE(std::filesystem::exists(core));
  const std::regex include_emscripten(R"(#\s*include\s*[<"]emscripten)");
  size_t scanned = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(core)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      EXPECT_FALSE(std::regex_search(line, include_emscripten))
          << entry.path().string() << ":" << n << ": " << line;
    }
    ++scanned;
  }
  EXPECT_GT(scanned, 10u);
}

}  // namespace
