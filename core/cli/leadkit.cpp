// `leadkit`: the core as a command-line tool, for files too big for a browser and for scheduled
// batch jobs. Files stream through in 1 MiB chunks. Problems go to stderr with their row and
// column; the exit status is 0 when every row landed, 2 when some rows were rejected, 1 when the
// command could not run at all.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "leadkit/import.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/workspace.hpp"

namespace {

using leadkit::CsvImport;
using leadkit::Workspace;
using nlohmann::json;

constexpr const char* kUsage = R"(usage:
  leadkit import FILE.csv -o WORKSPACE.json [--into WORKSPACE.json] [--preset NAME]
                 [--mapping MAPPING.json] [--on-duplicate update|skip|create] [--rejected OUT.csv]
  leadkit score --model MODEL.json FILE.csv [--preset NAME] [--mapping MAPPING.json]
                [--columns a,b,c] [--reasons N] [--now ISO-TIME]        (scored CSV on stdout)
  leadkit export WORKSPACE.json [--model MODEL.json] [--columns a,b,c] [--reasons N]
  leadkit mapping FILE.csv [--preset NAME]          (the suggested mapping as JSON on stdout)
presets: hubspot, salesforce, pipedrive, linkedin, basic (default: picked from the headers)
)";

constexpr size_t kChunk = 1 << 20;
constexpr size_t kScoreBatch = 1 << 16;  // rows scored and written at a time by `score`

struct Args {
  std::string command;
  std::vector<std::string> files;
  std::map<std::string, std::string> options;
};

bool ParseArgs(int argc, char** argv, Args& a) {
  if (argc < 2) return false;
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-o") arg = "--out";
    if (arg.starts_with("--")) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "leadkit: %s needs a value\n", arg.c_str());
        return false;
      }
      a.options[arg.substr(2)] = argv[++i];
    } else {
      a.files.push_back(arg);
    }
  }
  return true;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "leadkit: %s\n", message.c_str());
  return 1;
}

bool ReadWhole(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::string Where(const std::string& file, const leadkit::Error& e) {
  std::string w = file;
  if (e.where.row > 0) w += ": row " + std::to_string(e.where.row);
  else if (e.where.line > 0) w += ": line " + std::to_string(e.where.line);
  if (!e.where.path.empty()) w += " (" + e.where.path + ")";
  return w + ": " + e.message;
}

// Streams `path` through `feed` in chunks; false (with a message printed) when it cannot be read.
template <typename F>
bool StreamFile(const std::string& path, F&& feed) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "leadkit: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::vector<char> buf(kChunk);
  bool ok = true;
  for (size_t n; ok && (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) ok = feed(std::string_view(buf.data(), n));
  if (f != stdin) std::fclose(f);
  return ok;
}

leadkit::Result<leadkit::ImportOptions> Options(const Args& a, int64_t now) {
  json o = json::object();
  if (auto it = a.options.find("preset"); it != a.options.end()) o["preset"] = it->second;
  if (auto it = a.options.find("on-duplicate"); it != a.options.end()) o["onDuplicate"] = it->second;
  if (auto it = a.options.find("mapping"); it != a.options.end()) {
    std::string text;
    if (!ReadWhole(it->second, text)) return leadkit::MakeError("cannot read " + it->second);
    json m = json::parse(text, nullptr, false);
    if (m.is_discarded()) return leadkit::MakeError(it->second + " is not valid JSON");
    o["mapping"] = std::move(m);
  }
  return leadkit::ImportOptions::FromJson(o, now);
}

int ReportRejected(const std::string& file, const leadkit::ImportReport& r) {
  for (const leadkit::RejectedCell& c : r.rejected) {
    std::fprintf(stderr, "%s: row %lld%s%s: %s\n", file.c_str(), static_cast<long long>(c.row),
                 c.column.empty() ? "" : ", column ", c.column.c_str(), c.reason.c_str());
  }
  return r.rejected_rows > 0 ? 2 : 0;
}

Workspace* LoadModel(const Args& a, Workspace& ws, int& status) {
  const auto it = a.options.find("model");
  if (it == a.options.end()) return &ws;
  std::string text;
  if (!ReadWhole(it->second, text)) {
    status = Fail("cannot read " + it->second);
    return nullptr;
  }
  json m = json::parse(text, nullptr, false);
  if (m.is_discarded()) {
    status = Fail(it->second + " is not valid JSON");
    return nullptr;
  }
  // A backup, or any file that keeps its model under "model", works as well as a bare model.
  if (m.is_object() && m.contains("model") && m["model"].is_object()) m = m["model"];
  if (auto s = ws.SetScoringModel(m); !s) {
    status = Fail(Where(it->second, s.error()));
    return nullptr;
  }
  return &ws;
}

json ExportOptions(const Args& a) {
  json o = json::object();
  if (auto it = a.options.find("columns"); it != a.options.end()) {
    json cols = json::array();
    std::stringstream s(it->second);
    for (std::string c; std::getline(s, c, ',');) cols.push_back(c);
    o["columns"] = std::move(cols);
  }
  if (auto it = a.options.find("reasons"); it != a.options.end()) o["reasons"] = std::stoi(it->second);
  return o;
}

int Import(const Args& a, int64_t now) {
  if (a.files.size() != 1 || !a.options.contains("out")) return Fail("import needs FILE.csv and -o OUT.json");
  Workspace ws;
  if (auto it = a.options.find("into"); it != a.options.end()) {
    std::string text;
    if (!ReadWhole(it->second, text)) return Fail("cannot read " + it->second);
    const leadkit::LoadReport r = ws.LoadJson(text, now);
    for (const leadkit::Issue& i : r.errors) std::fprintf(stderr, "%s: %s\n", it->second.c_str(), i.ToString().c_str());
    if (!r.errors.empty()) return 1;
  }
  auto options = Options(a, now);
  if (!options) return Fail(options.error().ToString());
  CsvImport import(ws, std::move(options.value()));
  const std::string& file = a.files[0];
  leadkit::Status fed = leadkit::Ok{};
  if (!StreamFile(file, [&](std::string_view chunk) { return bool(fed = import.Feed(chunk)); })) {
    return fed ? 1 : Fail(Where(file, fed.error()));
  }
  auto report = import.Finish();
  if (!report) return Fail(Where(file, report.error()));
  if (auto s = ws.CommitImport(import); !s) return Fail(s.error().ToString());
  std::ofstream out(a.options.at("out"), std::ios::binary);
  out << ws.Export().dump();
  if (!out) return Fail("cannot write " + a.options.at("out"));
  if (auto it = a.options.find("rejected"); it != a.options.end() && report.value().rejected_rows > 0) {
    std::ofstream rej(it->second, std::ios::binary);
    rej << report.value().rejected_csv;
  }
  const leadkit::ImportReport& r = report.value();
  std::fprintf(stderr, "%s: %lld rows: %zu imported, %zu updated, %zu skipped, %zu rejected\n",
               file.c_str(), static_cast<long long>(r.rows), r.imported, r.updated, r.skipped, r.rejected_rows);
  return ReportRejected(file, r);
}

int Score(const Args& a, int64_t now) {
  if (a.files.size() != 1 || !a.options.contains("model")) return Fail("score needs --model MODEL.json and FILE.csv");
  Workspace ws;
  int status = 0;
  if (!LoadModel(a, ws, status)) return status;
  auto options = Options(a, now);
  if (!options) return Fail(options.error().ToString());
  options.value().on_duplicate = leadkit::OnDuplicate::kCreate;  // every row is scored
  json export_options = ExportOptions(a);
  if (auto probe = ws.ExportCsv(export_options, now); !probe) return Fail(probe.error().ToString());
  CsvImport import(ws, std::move(options.value()));
  bool header_written = false;
  const auto flush = [&]() {
    ws.ReplaceLeads(import.TakeAccepted());
    std::string csv = ws.ExportCsv(export_options, now).value();
    if (header_written) csv.erase(0, csv.find('\n') + 1);
    header_written = true;
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  };
  const std::string& file = a.files[0];
  leadkit::Status fed = leadkit::Ok{};
  int64_t flushed_at = 0;
  const bool read = StreamFile(file, [&](std::string_view chunk) {
    if (!(fed = import.Feed(chunk))) return false;
    if (import.rows_done() - flushed_at >= static_cast<int64_t>(kScoreBatch)) {
      flush();
      flushed_at = import.rows_done();
    }
    return true;
  });
  if (!read) return fed ? 1 : Fail(Where(file, fed.error()));
  auto report = import.Finish();
  if (!report) return Fail(Where(file, report.error()));
  flush();
  std::fflush(stdout);
  return ReportRejected(file, report.value());
}

int Export(const Args& a, int64_t now) {
  if (a.files.size() != 1) return Fail("export needs WORKSPACE.json");
  std::string text;
  if (!ReadWhole(a.files[0], text)) return Fail("cannot read " + a.files[0]);
  Workspace ws;
  const leadkit::LoadReport r = ws.LoadJson(text, now);
  for (const leadkit::Issue& i : r.errors) std::fprintf(stderr, "%s: %s\n", a.files[0].c_str(), i.ToString().c_str());
  if (!r.errors.empty()) return 1;
  int status = 0;
  if (!LoadModel(a, ws, status)) return status;
  auto csv = ws.ExportCsv(ExportOptions(a), now);
  if (!csv) return Fail(csv.error().ToString());
  std::fwrite(csv.value().data(), 1, csv.value().size(), stdout);
  return 0;
}

int Mapping(const Args& a, int64_t now) {
  if (a.files.size() != 1) return Fail("mapping needs FILE.csv");
  Workspace ws;
  auto options = Options(a, now);
  if (!options) return Fail(options.error().ToString());
  CsvImport import(ws, std::move(options.value()));
  leadkit::Status fed = leadkit::Ok{};
  StreamFile(a.files[0], [&](std::string_view chunk) { return bool(fed = import.Feed(chunk)); });
  auto report = import.Finish();
  if (!report) return Fail(Where(a.files[0], report.error()));
  std::printf("%s\n", report.value().mapping.ToJson().dump(2).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!ParseArgs(argc, argv, a)) {
    std::fputs(kUsage, stderr);
    return 1;
  }
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  if (auto it = a.options.find("now"); it != a.options.end()) {
    const auto t = leadkit::ParseIsoTime(it->second);
    if (!t) return Fail("--now expects an ISO time such as 2026-03-01T09:00:00Z");
    now = *t;
  }
  if (a.command == "import") return Import(a, now);
  if (a.command == "score") return Score(a, now);
  if (a.command == "export") return Export(a, now);
  if (a.command == "mapping") return Mapping(a, now);
  std::fputs(kUsage, stderr);
  return 1;
}
