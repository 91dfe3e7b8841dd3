// `leadkit`: the core as a command-line tool, for files too big for a browser and for scheduled
// batch jobs. Files stream through in 1 MiB chunks. Problems go to stderr with their row and
// column; the exit status is 0 when every row landed, 2 when some rows were rejected, 1 when the
// command could not run at all.
#include <algorithm>
#include <array>
#include <cmath>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "leadkit/import.hpp"
#include "leadkit/iso_time.hpp"
#include "leadkit/model.hpp"
#include "leadkit/workspace.hpp"

namespace {

using leadkit::CsvImport;
using leadkit::Workspace;
using nlohmann::json;

constexpr const char* kUsage = R"(usage:
  leadkit import FILE.csv -o WORKSPACE.json [--into WORKSPACE.json] [--preset NAME]
                 [--mapping MAPPING.json] [--on-duplicate update|skip|create] [--rejected OUT.csv] [--strict]
                 (a cell that cannot be read is a warning on stderr and its field is left empty;
                  --strict rejects its row instead)
  leadkit score --model MODEL.json FILE.csv [--preset NAME] [--mapping MAPPING.json]
                [--columns a,b,c] [--reasons N] [--now ISO-TIME]        (scored CSV on stdout)
  leadkit export WORKSPACE.json [--model MODEL.json] [--columns a,b,c] [--reasons N]
  leadkit mapping FILE.csv [--preset NAME]          (the suggested mapping as JSON on stdout)
  leadkit train FILE.csv -o MODEL.json [--kind logistic|naiveBayes|trees|auto] [--outcome FIELD --positive VALUE]
                [--negative VALUE] [--folds K] [--fold-column FIELD] [--c C] [--min-level-count N]
                [--table] [--preset NAME] [--mapping MAPPING.json]
                (metrics as JSON on stdout, a summary and warnings on stderr; --table learns from
                 every column of a plain table instead of leads, and needs --outcome COLUMN)
  leadkit predict --model MODEL.json FILE.csv [--contributions N] [--preset NAME] [--mapping MAPPING.json]
                (id, probability, low, high, topContributions as CSV on stdout)
presets: hubspot, salesforce, pipedrive, linkedin, basic (default: picked from the headers)
)";

constexpr size_t kChunk = 1 << 20;
// `score` writes its output after each chunk that brings the rows read since the last write to
// kScoreBatch or more. Rows that carry ids are checked against the leads of the part written
// before (a duplicate gets a new id), so for them these parts are also the batches scored.
constexpr int64_t kScoreBatch = 1 << 16;
// Rows without ids are scored in smaller batches, which stay in the cache; chunks are fed to the
// import in slices so that the batches stay near this size.
constexpr int64_t kSmallBatch = 1 << 12;
constexpr size_t kSlice = 1 << 16;

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
    if (arg == "--table" || arg == "--strict") {  // the options without a value
      a.options[arg.substr(2)] = "1";
      continue;
    }
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
  if (a.options.contains("strict")) o["strict"] = true;
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
  constexpr size_t kPrintedWarnings = 100;  // a column of bad cells in a large file says enough by then
  for (size_t i = 0; i < r.warnings.size() && i < kPrintedWarnings; ++i) {
    const leadkit::ImportWarning& w = r.warnings[i];
    std::fprintf(stderr, "%s: row %lld%s%s: warning: %s (%s not read)\n", file.c_str(), static_cast<long long>(w.row),
                 w.column.empty() ? "" : ", column ", w.column.c_str(), w.message.c_str(),
                 w.field.empty() ? "the field" : w.field.c_str());
  }
  if (r.warning_count > kPrintedWarnings) {
    std::fprintf(stderr, "%s: and %zu more warnings\n", file.c_str(), r.warning_count - kPrintedWarnings);
  }
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
  out << ws.ExportText();
  if (!out) return Fail("cannot write " + a.options.at("out"));
  if (auto it = a.options.find("rejected"); it != a.options.end() && report.value().rejected_rows > 0) {
    std::ofstream rej(it->second, std::ios::binary);
    rej << report.value().rejected_csv;
  }
  const leadkit::ImportReport& r = report.value();
  std::fprintf(stderr, "%s: %lld rows: %zu imported, %zu updated, %zu skipped, %zu rejected, %zu with warnings\n",
               file.c_str(), static_cast<long long>(r.rows), r.imported, r.updated, r.skipped, r.rejected_rows,
               r.warned_rows);
  return ReportRejected(file, r);
}

// Hands items from one thread to another, first in, first out.
template <typename T>
class Channel {
 public:
  void Push(T item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    changed_.notify_all();
  }
  // Waits for an item; false once the channel is closed and empty.
  bool Pop(T& item) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return false;
    item = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<T> items_;
  bool closed_ = false;
};

// Writes parts of the output on a thread of its own, so that scoring goes on while whatever
// reads the output (often a pipe) catches up.
class OutputThread {
 public:
  OutputThread() : thread_([this] { Run(); }) {}
  ~OutputThread() { Finish(); }
  // Queues `text` and leaves in it an empty buffer, one written before when there is one. Waits
  // while a part is already queued.
  void Write(std::string& text) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queued_.empty(); });
    queued_.push_back(std::move(text));
    text.clear();
    if (!spare_.empty()) {
      text = std::move(spare_.back());
      spare_.pop_back();
    }
    changed_.notify_all();
  }
  // Returns once everything queued is written.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      finishing_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      changed_.wait(lock, [&] { return !queued_.empty() || finishing_; });
      if (queued_.empty()) return;
      std::string text = std::move(queued_.front());
      queued_.pop_front();
      lock.unlock();
      std::fwrite(text.data(), 1, text.size(), stdout);
      text.clear();
      lock.lock();
      spare_.push_back(std::move(text));
      changed_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> queued_;
  std::vector<std::string> spare_;
  bool finishing_ = false;
  std::thread thread_;
};

// Reads, scores and writes on three threads: one reads the rows of a batch and commits them to a
// workspace, another scores and formats the batch before it, and a third writes what is done.
int Score(const Args& a, int64_t now) {
  if (a.files.size() != 1 || !a.options.contains("model")) return Fail("score needs --model MODEL.json and FILE.csv");
  // Rows are read against `read_ws`, and batches committed in turn to the workspaces of `pool`.
  // Rows that carry ids are matched against the batch before them: batches then all go to
  // `read_ws`, each once the one before is scored.
  Workspace read_ws;
  std::array<Workspace, 3> pool;  // one being committed, one waiting, one being scored
  int status = 0;
  if (!LoadModel(a, read_ws, status)) return status;
  for (Workspace& ws : pool) {
    if (!LoadModel(a, ws, status)) return status;
  }
  auto options = Options(a, now);
  if (!options) return Fail(options.error().ToString());
  options.value().on_duplicate = leadkit::OnDuplicate::kCreate;  // every row is scored
  const json export_options = ExportOptions(a);
  if (auto probe = read_ws.ExportCsv(export_options, now); !probe) {
    return Fail(probe.error().ToString());
  }
#ifdef __GLIBC__
  // Every batch frees what the one before allocated; given back to the system in between, the
  // memory came back as page faults, a third of the run.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 1 << 25);
#endif
  CsvImport import(read_ws, std::move(options.value()));
  Channel<Workspace*> free_pool, free_read;
  for (Workspace& ws : pool) free_pool.Push(&ws);
  free_read.Push(&read_ws);
  struct Committed {
    Workspace* ws;
    bool write;  // the output so far is written after this batch
  };
  Channel<Committed> committed;
  const std::string& file = a.files[0];
  leadkit::Status fed = leadkit::Ok{};
  bool read = false;
  std::optional<leadkit::Result<leadkit::ImportReport>> report;  // once the whole file is read
  std::thread reader([&] {
    leadkit::LeadBatch batch;
    uint64_t next_id = read_ws.next_id();
    const auto hand_over = [&](bool write) {
      import.SwapAccepted(batch);
      Workspace* ws = nullptr;
      (import.reads_ids() ? free_read : free_pool).Pop(ws);
      ws->set_next_id(next_id);
      ws->ReplaceLeads(batch);
      next_id = ws->next_id();
      committed.Push({ws, write});
    };
    int64_t written_at = 0, handed_at = 0;
    read = StreamFile(file, [&](std::string_view chunk) {
      for (size_t at = 0; at < chunk.size(); at += kSlice) {
        if (!(fed = import.Feed(chunk.substr(at, kSlice)))) return false;
        if (!import.reads_ids() && import.rows_done() - handed_at >= kSmallBatch) {
          hand_over(false);
          handed_at = import.rows_done();
        }
      }
      if (import.rows_done() - written_at >= kScoreBatch) {
        hand_over(true);
        written_at = handed_at = import.rows_done();
      }
      return true;
    });
    if (read) report = import.Finish();
    if (report && *report) hand_over(true);
    committed.Close();
  });
  // Output is held until the reader says where the parts written at once end, so that a file
  // that turns out to be broken halfway leaves the same output as reading it in one thread.
  OutputThread output;
  std::string csv;
  bool header = true;
  for (Committed c; committed.Pop(c);) {
    (void)c.ws->AppendCsv(export_options, now, header, csv);  // the options were checked above
    header = false;
    (c.ws == &read_ws ? free_read : free_pool).Push(c.ws);
    if (c.write) output.Write(csv);
  }
  reader.join();
  output.Finish();
  if (!read) return fed ? 1 : Fail(Where(file, fed.error()));
  if (!*report) return Fail(Where(file, report->error()));
  std::fflush(stdout);
  return ReportRejected(file, report->value());
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

// Reads a whole CSV file as a plain table; rows the reader flags are reported and left out.
bool ReadTable(const std::string& file, leadkit::Table& table, size_t& rejected) {
  leadkit::CsvReader reader;
  const leadkit::CsvSink sink = [&](const leadkit::CsvRecord& r) {
    if (!r.problems.empty()) {
      for (const leadkit::CsvProblem& p : r.problems) {
        std::fprintf(stderr, "%s: row %lld: %s\n", file.c_str(), static_cast<long long>(r.row), p.message.c_str());
      }
      ++rejected;
      return true;
    }
    std::vector<std::string> cells(r.fields.begin(), r.fields.end());
    if (table.headers.empty()) table.headers = std::move(cells);
    else table.rows.push_back(std::move(cells));
    return true;
  };
  leadkit::Status fed = leadkit::Ok{};
  if (!StreamFile(file, [&](std::string_view chunk) { return bool(fed = reader.Feed(chunk, sink)); })) {
    if (!fed) Fail(Where(file, fed.error()));
    return false;
  }
  if (fed = reader.Finish(sink); !fed) {
    Fail(Where(file, fed.error()));
    return false;
  }
  if (table.headers.empty()) {
    Fail(file + ": no header row");
    return false;
  }
  return true;
}

// Imports a CSV file of leads into `ws`, every row a lead of its own; false when it could not.
bool ImportLeads(const Args& a, const std::string& file, int64_t now, Workspace& ws, int& status) {
  auto options = Options(a, now);
  if (!options) {
    status = Fail(options.error().ToString());
    return false;
  }
  options.value().on_duplicate = leadkit::OnDuplicate::kCreate;
  CsvImport import(ws, std::move(options.value()));
  leadkit::Status fed = leadkit::Ok{};
  if (!StreamFile(file, [&](std::string_view chunk) { return bool(fed = import.Feed(chunk)); })) {
    status = fed ? 1 : Fail(Where(file, fed.error()));
    return false;
  }
  auto report = import.Finish();
  if (!report) {
    status = Fail(Where(file, report.error()));
    return false;
  }
  if (report.value().imported > 0) {
    if (auto s = ws.CommitImport(import); !s) {
      status = Fail(s.error().ToString());
      return false;
    }
  }
  status = ReportRejected(file, report.value());
  return true;
}

int TrainCommand(const Args& a, int64_t now) {
  if (a.files.size() != 1 || !a.options.contains("out")) return Fail("train needs FILE.csv and -o MODEL.json");
  json options = json::object();
  const std::pair<const char*, const char*> text[] = {
      {"kind", "kind"}, {"outcome", "outcomeField"}, {"positive", "positive"},
      {"negative", "negative"}, {"fold-column", "foldField"}};
  for (const auto& [flag, key] : text) {
    if (auto it = a.options.find(flag); it != a.options.end()) options[key] = it->second;
  }
  const std::pair<const char*, const char*> numbers[] = {{"folds", "folds"}, {"c", "c"}, {"min-level-count", "minLevelCount"}};
  for (const auto& [flag, key] : numbers) {
    const auto it = a.options.find(flag);
    if (it == a.options.end()) continue;
    const json v = json::parse(it->second, nullptr, false);
    if (v.is_discarded() || !v.is_number()) return Fail(std::string("--") + flag + " expects a number");
    options[key] = v;
  }
  const std::string& file = a.files[0];
  int status = 0;
  leadkit::Result<json> result = leadkit::MakeError("");
  if (a.options.contains("table")) {
    leadkit::Table table;
    size_t rejected = 0;
    if (!ReadTable(file, table, rejected)) return 1;
    status = rejected > 0 ? 2 : 0;
    result = leadkit::TrainTable(table, options, now);
  } else {
    Workspace ws;
    if (!ImportLeads(a, file, now, ws, status)) return status;
    result = leadkit::Train(ws, options, now);
  }
  if (!result) return Fail(Where(file, result.error()));
  json& r = result.value();
  std::ofstream out(a.options.at("out"), std::ios::binary);
  out << r["model"].dump();
  if (!out) return Fail("cannot write " + a.options.at("out"));
  r.erase("model");
  const std::string kind = r.value("kind", "logistic") + (options.value("kind", "") == "auto" ? " (chosen by auto)" : "");
  std::fprintf(stderr, "%s: %s on %lld rows (%lld won, %lld lost), %lld folds: AUC %.4f, log-loss %.4f\n",
               file.c_str(), kind.c_str(),
               r["rows"].get<long long>(), r["positives"].get<long long>(), r["negatives"].get<long long>(),
               r["folds"].get<long long>(), r["auc"].is_number() ? r["auc"].get<double>() : 0.5,
               r["logLoss"].get<double>());
  if (options.value("kind", "") == "auto") std::fprintf(stderr, "%s\n", r.value("reason", "").c_str());
  for (const json& w : r["warnings"]) std::fprintf(stderr, "warning: %s\n", w["message"].get<std::string>().c_str());
  std::printf("%s\n", r.dump(2).c_str());
  return status;
}

int PredictCommand(const Args& a, int64_t now) {
  if (a.files.size() != 1 || !a.options.contains("model")) return Fail("predict needs --model MODEL.json and FILE.csv");
  const std::string& model_file = a.options.at("model");
  std::string text;
  if (!ReadWhole(model_file, text)) return Fail("cannot read " + model_file);
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Fail(model_file + " is not valid JSON");
  // train's own output, or anything that keeps the model under "model", works as well.
  if (doc.is_object() && doc.contains("model") && doc["model"].is_object()) doc = doc["model"];
  auto model = leadkit::PredictiveModel::FromJson(doc);
  if (!model) return Fail(Where(model_file, model.error()));
  int top = 3;
  if (auto it = a.options.find("contributions"); it != a.options.end()) top = std::atoi(it->second.c_str());
  const std::string& file = a.files[0];
  int status = 0;
  leadkit::RawTable raw;
  if (model.value().from_table()) {
    leadkit::Table table;
    size_t rejected = 0;
    if (!ReadTable(file, table, rejected)) return 1;
    status = rejected > 0 ? 2 : 0;
    raw = leadkit::TableInputs(table);
  } else {
    Workspace ws;
    if (!ImportLeads(a, file, now, ws, status)) return status;
    std::vector<uint32_t> all(ws.store().size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    raw = leadkit::LeadInputs(ws, all, now);
  }
  std::vector<uint32_t> rows(raw.rows);
  for (uint32_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::vector<leadkit::Prediction> predictions;
  model.value().Score(raw, rows, top > 0, predictions);
  leadkit::CsvWriter w(',', true);
  w.Row({"id", "probability", "low", "high", "topContributions", "modelHash"});
  char num[3][32];
  for (size_t i = 0; i < predictions.size(); ++i) {
    leadkit::Prediction& p = predictions[i];
    std::stable_sort(p.contributions.begin(), p.contributions.end(),
                     [](const auto& x, const auto& y) { return std::abs(x.log_odds) > std::abs(y.log_odds); });
    std::string reasons;
    for (size_t k = 0; k < p.contributions.size() && k < static_cast<size_t>(top); ++k) {
      char v[32];
      std::snprintf(v, sizeof v, " %+.3f", p.contributions[k].log_odds);
      reasons += (k ? "; " : "") + p.contributions[k].feature + v;
    }
    std::snprintf(num[0], sizeof num[0], "%.6f", p.probability);
    std::snprintf(num[1], sizeof num[1], "%.6f", p.low);
    std::snprintf(num[2], sizeof num[2], "%.6f", p.high);
    if (std::isnan(p.low)) num[1][0] = num[2][0] = '\0';  // trees have no band: empty cells
    w.Row({raw.ids[i], num[0], num[1], num[2], reasons, model.value().hash()});
  }
  std::fwrite(w.text().data(), 1, w.text().size(), stdout);
  return status;
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
  if (a.command == "train") return TrainCommand(a, now);
  if (a.command == "predict") return PredictCommand(a, now);
  std::fputs(kUsage, stderr);
  return 1;
}
