// libFuzzer target for the binary snapshot reader (Workspace::LoadSnapshot and its streamed form).
// The input is taken as a snapshot's body: the fuzzer's bytes follow the magic under a checksum
// made to match, so every input reaches the reader itself rather than stopping at the checksum.
// Inputs starting with a seed snapshot's body mutate real leads; others test the reader's bounds.
// Checked, any failure printing what differed and aborting:
//   (a) reading never crashes, overflows or allocates past the input (ASan, UBSan, -rss_limit);
//   (b) a refused snapshot changes nothing in a workspace that already held leads;
//   (c) read whole and read in parts (lengths from a hash of the input) give the same result;
//   (d) an accepted snapshot exports again to the same bytes, and reads back to the same JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "leadkit/workspace.hpp"

namespace {

using leadkit::LoadReport;
using leadkit::Workspace;

[[noreturn]] void Broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

std::string Snapshot(const uint8_t* data, size_t size) {
  std::string bytes = "LKSNAP1\n";
  bytes.append(8, '\0');
  bytes.append(reinterpret_cast<const char*>(data), size);
  const uint64_t sum = leadkit::SnapshotChecksum(std::string_view(bytes).substr(16));
  std::memcpy(bytes.data() + 8, &sum, 8);
  return bytes;
}

std::string Errors(const LoadReport& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.ToString() + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = Snapshot(data, size);

  Workspace held;
  if (!held.Upsert({{"id", "kept"}, {"email", "kept@example.com"}, {"tags", {"x"}}}, 0).ok()) {
    Broken("a plain lead is refused", "");
  }
  const std::string before = held.ExportText();
  const LoadReport whole = held.LoadSnapshot(bytes);
  if (!whole.errors.empty()) {
    if (held.ExportText() != before) Broken("a refused snapshot changed the workspace", Errors(whole));
    if (whole.errors[0].message.rfind("this snapshot cannot be read: ", 0) != 0) {
      Broken("a refusal does not say it is the snapshot", Errors(whole));
    }
  }

  // In parts, into an empty workspace, as the web app streams it from storage: through a buffer
  // that drops the bytes ContinueSnapshot no longer needs.
  Workspace fresh;
  auto reading = fresh.BeginSnapshot(bytes.size());
  const size_t step = 1 + (leadkit::SnapshotChecksum(bytes) % 97);
  std::string window;
  size_t from = 0;
  for (size_t at = 0; at < bytes.size(); at += step) {
    window.append(bytes, at, step);
    const size_t keep = fresh.ContinueSnapshot(*reading, window, from);
    if (keep < from) Broken("a window was asked to keep bytes it had dropped", "");
    window.erase(0, keep - from);
    from = keep;
  }
  const LoadReport parts = fresh.EndSnapshot(std::move(reading), window, from);
  if (parts.errors.empty() != whole.errors.empty() ||
      (!parts.errors.empty() && parts.errors[0].message != whole.errors[0].message)) {
    Broken("whole and in parts disagree", "whole:\n" + Errors(whole) + "parts:\n" + Errors(parts));
  }
  if (!parts.errors.empty()) return 0;

  // Accepted: the leads it held come back out, and go round again unchanged.
  const std::string again = fresh.ExportSnapshot();
  Workspace round;
  const LoadReport r = round.LoadSnapshot(again);
  if (!r.errors.empty()) Broken("an exported snapshot is refused", Errors(r));
  if (round.ExportText() != fresh.ExportText()) Broken("a snapshot read back differs", fresh.ExportText());
  if (round.ExportSnapshot() != again) Broken("a second export differs from the first", "");
  return 0;
}
