// The funnel (issue 9) natively: reads the leads that tests/bench/run_funnel.mjs generated (100k
// leads, 1M stage changes), loads them, and times Funnel for the run's period split by source,
// best of a few runs. Prints one JSON line with the time and the counts, so the runner can check
// that native, wasm and its plain-JS peer computed the same funnel.
// Usage: leadkit_bench_funnel <leads.json> <from> <to>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "leadkit/funnel.hpp"
#include "leadkit/workspace.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: leadkit_bench_funnel <leads.json> <from> <to>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  leadkit::Workspace ws;
  const leadkit::LoadReport report = ws.LoadJson(text.str(), 1'790'000'000'000);
  if (!report.errors.empty()) {
    std::fprintf(stderr, "load failed: %s\n", report.errors[0].ToString().c_str());
    return 1;
  }
  const nlohmann::json request = {{"from", argv[2]}, {"to", argv[3]}, {"by", "source"}};
  double best = 1e300;
  nlohmann::json out;
  for (int rep = 0; rep < 5; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    auto r = leadkit::Funnel(ws, request);
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!r) {
      std::fprintf(stderr, "funnel failed: %s\n", r.error().ToString().c_str());
      return 1;
    }
    out = std::move(r).value();
  }
  nlohmann::json reached = nlohmann::json::array(), stays = nlohmann::json::array();
  for (const auto& s : out["stages"]) reached.push_back(s["reached"]);
  for (const auto& v : out["velocity"]) stays.push_back(v["stays"]);
  std::printf("%s\n", nlohmann::json{{"leads", ws.store().size()}, {"ms", best}, {"reached", reached},
                                     {"stays", stays}, {"groups", out["groups"].size()},
                                     {"weighted", out["weightedPipeline"]["total"]}}
                          .dump()
                          .c_str());
  return 0;
}
