// embind bindings: thin, and every call returns a JSON envelope — {"ok":true,"value":...} or
// {"ok":false,"error":{"code","message","where"}} — so no C++ exception ever crosses into JS.
// Workspaces are addressed by integer handles rather than embind class handles, so nothing on the
// JS side can leak a C++ object: web/lib/leadkit.js disposes a handle with dropWorkspace().
#include <emscripten/bind.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

#include <unistd.h>

#include "leadkit/advisor.hpp"
#include "leadkit/calllist.hpp"
#include "leadkit/catalog.hpp"
#include "leadkit/dedupe.hpp"
#include "leadkit/funnel.hpp"
#include "leadkit/import.hpp"
#include "leadkit/model.hpp"
#include "leadkit/planner.hpp"
#include "leadkit/sample.hpp"
#include "leadkit/workspace.hpp"

namespace {

using leadkit::ErrorCode;
using leadkit::Workspace;
using nlohmann::json;

std::unordered_map<int, std::unique_ptr<Workspace>>& Workspaces() {
  static std::unordered_map<int, std::unique_ptr<Workspace>> workspaces;
  return workspaces;
}

json Where(const leadkit::Location& w) {
  json where = json::object();
  if (!w.path.empty()) where["path"] = w.path;
  if (w.row > 0) where["row"] = w.row;
  if (w.line > 0) where["line"] = w.line;
  if (w.column > 0) where["column"] = w.column;
  return where;
}

// Every reply is written through here: text that is not UTF-8 (a cut cell echoed in a report)
// becomes U+FFFD instead of making dump() throw.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Ok(json value) { return Dump(json{{"ok", true}, {"value", std::move(value)}}); }

std::string Fail(ErrorCode code, const std::string& message, json where = json::object()) {
  return Dump(json{{"ok", false},
                   {"error",
                    {{"code", leadkit::ErrorCodeName(code)}, {"message", message}, {"where", std::move(where)}}}});
}

std::string Fail(const std::string& message, json where = json::object()) {
  return Fail(ErrorCode::kInvalidInput, message, std::move(where));
}

std::string Fail(const leadkit::Error& e) { return Fail(e.code, e.message, Where(e.where)); }

std::string Internal(const std::exception& e) {
  return Fail(ErrorCode::kInternal, std::string("internal error: ") + e.what());
}

// A time from JS as epoch milliseconds: refused, not cast, when it is not finite or outside the
// years 1970 to 9999 (a cast of NaN or 1e300 to int64 is undefined and stored absurd times).
std::string BadNow(double now_ms, const char* path = "now") {
  constexpr double kYear10000 = 253402300800000.0;
  if (std::isfinite(now_ms) && now_ms >= 0 && now_ms < kYear10000) return {};
  return Fail("expected a time between 1970 and 9999 as epoch milliseconds", {{"path", path}});
}

// Runs `body` against workspace `handle`; unexpected exceptions (a bug, or memory exhausted)
// become error values too.
template <typename F>
std::string WithWorkspace(int handle, F&& body) {
  const auto it = Workspaces().find(handle);
  if (it == Workspaces().end()) return Fail(ErrorCode::kNotFound, "this engine was disposed");
  try {
    return body(*it->second);
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

// As WithWorkspace, for a call that takes the time `now_ms` (checked first).
template <typename F>
std::string WithWorkspaceAt(int handle, double now_ms, F&& body) {
  if (auto bad = BadNow(now_ms); !bad.empty()) return bad;
  return WithWorkspace(handle, std::forward<F>(body));
}

std::string ParseArg(const std::string& text, json& out) {
  out = json::parse(text, nullptr, false);
  return out.is_discarded() ? Fail("the argument is not valid JSON") : std::string();
}

int CreateWorkspace() {
  static int next = 1;
  Workspaces().emplace(next, std::make_unique<Workspace>());
  return next++;
}

// CSV imports being fed chunk by chunk from JS, by the token beginImport handed out. One import
// that may land runs per workspace at a time; dry runs (suggestMapping) only read, so they may
// run beside it.
struct PendingImport {
  int workspace = 0;
  bool dry_run = false;
  leadkit::CsvRecordCounter counter;
  std::unique_ptr<leadkit::CsvImport> import;
};

std::unordered_map<int, PendingImport>& Imports() {
  static std::unordered_map<int, PendingImport> imports;
  return imports;
}

void DropImportsOf(int handle) {
  std::erase_if(Imports(), [handle](const auto& entry) { return entry.second.workspace == handle; });
}

// One snapshot being streamed in per workspace (snapshotBegin .. snapshotEnd).
std::unordered_map<int, std::unique_ptr<leadkit::SnapshotReading>>& SnapshotReadings() {
  static std::unordered_map<int, std::unique_ptr<leadkit::SnapshotReading>> readings;
  return readings;
}

bool DropWorkspace(int handle) {
  SnapshotReadings().erase(handle);
  DropImportsOf(handle);
  return Workspaces().erase(handle) > 0;
}

int LiveWorkspaces() { return static_cast<int>(Workspaces().size()); }

// Takes UTF-8 that JS wrote straight into the heap: for 100 MB of leads, embind's own string
// marshalling (a JS loop per character) costs more than the parse. The bytes may also be a binary
// snapshot (exportSnapshot), told apart by its first bytes.
std::string LoadReply(const leadkit::LoadReport& r) {
  json errors = json::array();
  for (const leadkit::Issue& issue : r.errors) {
    json where = json::object();
    if (!issue.path.empty()) where["path"] = issue.path;
    if (r.line > 0) where["line"] = r.line, where["column"] = r.column;
    errors.push_back({{"message", issue.ToString()}, {"where", std::move(where)}});
  }
  return Ok({{"loaded", r.loaded}, {"errors", std::move(errors)}});
}

std::string LoadLeadsUtf8(int handle, uintptr_t bytes, size_t length, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), length);
    return LoadReply(Workspace::IsSnapshot(text) ? ws.LoadSnapshot(text)
                                                 : ws.LoadJson(text, static_cast<int64_t>(now_ms)));
  });
}

// A snapshot streamed in: JS writes its parts into a buffer and calls snapshotContinue after
// each with the bytes it holds and their offset in the snapshot, so the leads are read while the
// rest is still coming from storage. It returns the offset before which the buffer's bytes are
// no longer needed (the buffer then keeps a lead or so, not the whole snapshot); snapshotEnd
// lands the leads (or nothing).
std::string SnapshotBegin(int handle, size_t size) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    SnapshotReadings()[handle] = ws.BeginSnapshot(size);
    return Ok(nullptr);
  });
}

double SnapshotContinue(int handle, uintptr_t bytes, size_t length, double from) {
  const auto ws = Workspaces().find(handle);
  const auto reading = SnapshotReadings().find(handle);
  if (ws == Workspaces().end() || reading == SnapshotReadings().end()) return from;
  try {
    return static_cast<double>(ws->second->ContinueSnapshot(
        *reading->second, std::string_view(reinterpret_cast<const char*>(bytes), length), static_cast<size_t>(from)));
  } catch (const std::exception& e) {  // memory exhausted: End reports it
    reading->second->errors.push_back({"", std::string("internal error: ") + e.what()});
    return from;
  }
}

std::string SnapshotEnd(int handle, uintptr_t bytes, size_t length, double from) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    auto node = SnapshotReadings().extract(handle);
    if (node.empty()) return Fail(ErrorCode::kNotFound, "no snapshot is being read");
    return LoadReply(ws.EndSnapshot(std::move(node.mapped()),
                                    std::string_view(reinterpret_cast<const char*>(bytes), length),
                                    static_cast<size_t>(from)));
  });
}

void SnapshotAbort(int handle) { SnapshotReadings().erase(handle); }

std::string UpsertLead(int handle, const std::string& text, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    json lead;
    if (auto bad = ParseArg(text, lead); !bad.empty()) return bad;
    auto id = ws.Upsert(lead, static_cast<int64_t>(now_ms));
    return id ? Ok(id.value()) : Fail(id.error());
  });
}

std::string GetLead(int handle, const std::string& id) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    auto lead = ws.GetJson(id);
    return Ok(lead ? std::move(*lead) : json());
  });
}

std::string RemoveLead(int handle, const std::string& id) {
  return WithWorkspace(handle, [&](Workspace& ws) { return Ok(ws.Remove(id)); });
}

std::string Query(int handle, const std::string& spec_text) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    json spec;
    if (auto bad = ParseArg(spec_text, spec); !bad.empty()) return bad;
    auto r = ws.Query(spec, ws.predictive());  // with a model, rows and fields have probability
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string Summary(int handle, const std::string& spec_text) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    json spec;
    if (auto bad = ParseArg(spec_text, spec); !bad.empty()) return bad;
    auto r = ws.Summary(spec, ws.predictive());
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

// The last export's bytes (exportJson's backup text or exportSnapshot's snapshot), kept until JS
// has copied them out through exportedView (releaseExport): a backup can be large, so it is not
// sent inside an envelope.
std::string& ExportBuffer() {
  static std::string bytes;
  return bytes;
}

void ReleaseExport() { std::string().swap(ExportBuffer()); }

// Writes the export into the buffer and replies {"bytes": N}, or an error (a disposed engine,
// memory exhausted) with nothing kept.
template <typename F>
std::string KeepExport(int handle, F&& write) {
  ReleaseExport();
  std::string reply = WithWorkspace(handle, [&](Workspace& ws) {
    ExportBuffer() = write(ws);
    return Ok({{"bytes", ExportBuffer().size()}});
  });
  if (!reply.starts_with("{\"ok\":true")) ReleaseExport();
  return reply;
}

std::string ExportJson(int handle) {
  return KeepExport(handle, [](Workspace& ws) { return ws.ExportText(); });
}

std::string ExportSnapshot(int handle) {
  return KeepExport(handle, [](Workspace& ws) { return ws.ExportSnapshot(); });
}

// A view of the kept export in wasm memory. JS copies it at once: the view dies with the next
// allocation that grows memory.
emscripten::val ExportedView() {
  const std::string& bytes = ExportBuffer();
  return emscripten::val(emscripten::typed_memory_view(
      bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())));
}

std::string SetChannels(int handle, const std::string& text) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    json mapping;
    if (auto bad = ParseArg(text, mapping); !bad.empty()) return bad;
    auto s = ws.SetChannels(mapping);
    return s ? Ok(nullptr) : Fail(s.error());
  });
}

// The channels a source can be, for pickers: [{name, label, direction, values}], inbound first,
// then outbound, then unknown, each by label. `values` are the source values mapped to it.
std::string GetChannels(int handle) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    const leadkit::ChannelMap& map = ws.channels();
    std::vector<json> list;
    for (const auto& [name, dir] : map.all()) {
      json values = json::array();
      for (const auto& [key, v] : map.values()) {
        if (v.channel == name) values.push_back(v.value);
      }
      list.push_back({{"name", name}, {"label", leadkit::ChannelLabel(name)},
                      {"direction", leadkit::DirectionName(dir)}, {"values", std::move(values)}});
    }
    const auto rank = [](const json& c) { return c["direction"] == "inbound" ? 0 : c["direction"] == "outbound" ? 1 : 2; };
    std::stable_sort(list.begin(), list.end(), [&](const json& a, const json& b) {
      return rank(a) != rank(b) ? rank(a) < rank(b) : a["label"].get<std::string>() < b["label"].get<std::string>();
    });
    return Ok(json(std::move(list)));
  });
}

// Every list the page needs from the core (catalog.hpp): one call at start.
std::string Catalog(int handle) {
  return WithWorkspace(handle, [&](Workspace& ws) { return Ok(leadkit::Catalog(ws)); });
}

std::string SetScoringModel(int handle, const std::string& text) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    json model;
    if (auto bad = ParseArg(text, model); !bad.empty()) return bad;
    auto s = ws.SetScoringModel(model);
    return s ? Ok(ws.model().hash()) : Fail(s.error().ToString(), Where(s.error().where));
  });
}

std::string GetScoringModel(int handle) {
  return WithWorkspace(handle, [](Workspace& ws) { return Ok(ws.model().normalized()); });
}

// Every lead's scores as columns in the export buffer (read with exportedView, released with
// releaseExport), not as JSON: for n leads, fit, engagement and total as n doubles each, then the
// grade and stage codes as n bytes each, the matrix cells as 2n bytes, and the ids joined by "\n".
// The reply says n, the model's hash and the names of the codes.
std::string ScoreAll(int handle, double now_ms) {
  if (auto bad = BadNow(now_ms); !bad.empty()) return bad;
  ReleaseExport();
  return WithWorkspace(handle, [&](Workspace& ws) {
    std::vector<leadkit::Score> scores;
    const auto n = static_cast<uint32_t>(ws.store().size());
    ws.model().ScoreRows(ws.store(), ws.channels(), static_cast<int64_t>(now_ms), 0, n, scores);
    std::string& out = ExportBuffer();
    size_t ids_bytes = 0;
    for (uint32_t r = 0; r < n; ++r) ids_bytes += ws.store().IdAt(r).size() + 1;
    out.assign(n * (3 * sizeof(double) + 4), '\0');
    out.reserve(out.size() + ids_bytes);
    char* p = out.data();
    for (const auto column : {&leadkit::Score::fit, &leadkit::Score::engagement, &leadkit::Score::total}) {
      for (uint32_t r = 0; r < n; ++r, p += sizeof(double)) std::memcpy(p, &(scores[r].*column), sizeof(double));
    }
    for (uint32_t r = 0; r < n; ++r) *p++ = static_cast<char>(scores[r].grade);
    for (uint32_t r = 0; r < n; ++r) *p++ = static_cast<char>(scores[r].stage);
    for (uint32_t r = 0; r < n; ++r) *p++ = scores[r].matrix[0], *p++ = scores[r].matrix[1];
    // An id holding a line break (text is allowed) cannot be joined by one: then they go as JSON.
    bool joinable = true;
    for (uint32_t r = 0; r < n && joinable; ++r) joinable = ws.store().IdAt(r).find('\n') == std::string::npos;
    json ids_json = nullptr;
    if (joinable) {
      for (uint32_t r = 0; r < n; ++r) {
        if (r) out += '\n';
        out += ws.store().IdAt(r);
      }
    } else {
      ids_json = json::array();
      for (uint32_t r = 0; r < n; ++r) ids_json.push_back(ws.store().IdAt(r));
    }
    json grades = json::array(), stages = json::array();
    for (int g = 0; g < leadkit::kGradeCount; ++g) grades.push_back(leadkit::GradeName(g));
    for (int st = 0; st < leadkit::kStageCount; ++st) stages.push_back(leadkit::StageName(static_cast<leadkit::Stage>(st)));
    return Ok({{"count", n}, {"modelHash", ws.model().hash()}, {"grades", std::move(grades)},
               {"stages", std::move(stages)}, {"ids", std::move(ids_json)}});
  });
}

std::string ScoreLead(int handle, const std::string& id, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    auto r = ws.Score(id, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string ExplainLead(int handle, const std::string& id, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    auto r = ws.Explain(id, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

// Everything the lead page shows of one lead, in one call: {lead, score, explain, qualification,
// cadence, prediction (null without an adopted model)}.
std::string LeadPage(int handle, const std::string& id, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    const auto now = static_cast<int64_t>(now_ms);
    auto lead = ws.GetJson(id);
    if (!lead) return Fail(ErrorCode::kNotFound, "no lead has the id " + json(id.substr(0, 128)).dump(), {{"path", "id"}});
    auto score = ws.Score(id, now);
    auto explain = ws.Explain(id, now);
    auto qualification = ws.Qualification(id, "");
    auto cadence = ws.CadenceOf(id, now);
    if (!score) return Fail(score.error());
    if (!explain) return Fail(explain.error());
    if (!qualification) return Fail(qualification.error());
    if (!cadence) return Fail(cadence.error());
    json page = {{"lead", std::move(*lead)}, {"score", std::move(score).value()}, {"explain", std::move(explain).value()},
                 {"qualification", std::move(qualification).value()}, {"cadence", std::move(cadence).value()},
                 {"prediction", nullptr}};
    if (const leadkit::PredictiveModel* model = ws.predictive()) {
      if (auto p = model->Predict(ws, id, now)) page["prediction"] = std::move(p).value();
    }
    return Ok(std::move(page));
  });
}

std::string WhatIf(int handle, const std::string& text, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    json draft;
    if (auto bad = ParseArg(text, draft); !bad.empty()) return bad;
    auto r = ws.WhatIf(draft, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error().ToString(), Where(r.error().where));
  });
}

// A call taking one JSON argument and answering Result<json>: the shape of most pipeline calls.
template <typename F>
std::string JsonCall(int handle, const std::string& text, F&& body) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    json arg;
    if (auto bad = ParseArg(text, arg); !bad.empty()) return bad;
    leadkit::Result<json> r = body(ws, arg);
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

template <typename F>
std::string JsonCallAt(int handle, double now_ms, const std::string& text, F&& body) {
  if (auto bad = BadNow(now_ms); !bad.empty()) return bad;
  return JsonCall(handle, text, std::forward<F>(body));
}

std::string SetPipeline(int handle, const std::string& text) {
  return JsonCall(handle, text, [](Workspace& ws, const json& settings) -> leadkit::Result<json> {
    if (auto s = ws.SetPipeline(settings); !s) return s.error();
    return ws.pipeline().ToJson();
  });
}

std::string GetPipeline(int handle) {
  return WithWorkspace(handle, [](Workspace& ws) { return Ok(ws.pipeline().ToJson()); });
}

std::string SetQualification(int handle, const std::string& id, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& change) {
    return ws.SetQualification(id, change, static_cast<int64_t>(now_ms));
  });
}

std::string GetQualification(int handle, const std::string& id, const std::string& framework) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    auto r = ws.Qualification(id, framework);
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string TransitionLead(int handle, const std::string& id, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& request) {
    return ws.Transition(id, request, static_cast<int64_t>(now_ms));
  });
}

std::string LogTouch(int handle, const std::string& id, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& touch) {
    return ws.LogTouch(id, touch, static_cast<int64_t>(now_ms));
  });
}

std::string Enroll(int handle, const std::string& id, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& request) {
    return ws.Enroll(id, request, static_cast<int64_t>(now_ms));
  });
}

std::string CadenceStatus(int handle, const std::string& id, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    auto r = ws.CadenceOf(id, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string MergeJsonLeads(int handle, const std::string& text, bool dry_run, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    auto r = ws.MergeLeads(text, static_cast<int64_t>(now_ms), dry_run);
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string SetTask(int handle, const std::string& id, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& change) {
    return ws.SetTask(id, change, static_cast<int64_t>(now_ms));
  });
}

std::string Tasks(int handle, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& options) {
    return ws.Tasks(options, static_cast<int64_t>(now_ms));
  });
}

std::string CallList(int handle, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& options) {
    return leadkit::CallList(ws, options, static_cast<int64_t>(now_ms));
  });
}

std::string TrainModel(int handle, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& options) {
    return leadkit::Train(ws, options, static_cast<int64_t>(now_ms));
  });
}

std::string SetPredictiveModel(int handle, const std::string& text) {
  return JsonCall(handle, text, [&](Workspace& ws, const json& doc) -> leadkit::Result<json> {
    if (doc.is_null()) {
      ws.SetPredictive(nullptr);
      return json(nullptr);
    }
    auto m = leadkit::PredictiveModel::FromJson(doc);
    if (!m) return m.error();
    const std::string hash = m.value().hash();
    ws.SetPredictive(std::make_shared<const leadkit::PredictiveModel>(std::move(m.value())));
    return json(hash);
  });
}

std::string GetPredictiveModel(int handle) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    return Ok(ws.predictive() ? ws.predictive()->document() : json(nullptr));
  });
}

std::string PredictLead(int handle, const std::string& id, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    if (!ws.predictive()) return Fail(ErrorCode::kNotFound, "no predictive model is set; train one and adopt it first");
    auto r = ws.predictive()->Predict(ws, id, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string PredictAll(int handle, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    if (!ws.predictive()) return Fail(ErrorCode::kNotFound, "no predictive model is set; train one and adopt it first");
    return Ok(ws.predictive()->PredictAll(ws, static_cast<int64_t>(now_ms)));
  });
}

std::string FindDuplicates(int handle, const std::string& text) {
  return JsonCall(handle, text, [](Workspace& ws, const json& options) {
    return leadkit::FindDuplicates(ws, options);
  });
}

// {ids: [...], choices: {...}} → the ids as strings, or an error naming the bad one.
leadkit::Result<std::vector<std::string>> MergeIds(const json& arg) {
  const auto ids = arg.find("ids");
  if (ids == arg.end() || !ids->is_array()) return leadkit::MakeError("expected a list of lead ids", "ids");
  std::vector<std::string> out;
  for (size_t i = 0; i < ids->size(); ++i) {
    if (!(*ids)[i].is_string()) return leadkit::MakeError("expected a lead id", "ids[" + std::to_string(i) + "]");
    out.push_back((*ids)[i].get<std::string>());
  }
  return out;
}

std::string PreviewMerge(int handle, const std::string& text) {
  return JsonCall(handle, text, [](Workspace& ws, const json& arg) -> leadkit::Result<json> {
    auto ids = MergeIds(arg);
    if (!ids) return ids.error();
    return leadkit::PreviewMerge(ws, ids.value(), arg.value("choices", json::object()));
  });
}

std::string MergeLeads(int handle, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& arg) -> leadkit::Result<json> {
    auto ids = MergeIds(arg);
    if (!ids) return ids.error();
    return ws.Merge(ids.value(), arg.value("choices", json::object()), static_cast<int64_t>(now_ms));
  });
}

std::string UndoMerge(int handle, const std::string& merge_id) {
  return WithWorkspace(handle, [&](Workspace& ws) {
    auto r = ws.UndoMerge(merge_id);
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string GetMergeJournal(int handle) {
  return WithWorkspace(handle, [&](Workspace& ws) { return Ok(ws.MergeJournalJson()); });
}

std::string SetMergeJournal(int handle, const std::string& text) {
  return JsonCall(handle, text, [&](Workspace& ws, const json& doc) -> leadkit::Result<json> {
    if (auto st = ws.SetMergeJournal(doc); !st) return st.error();
    return json(doc.value("merges", json::array()).size());
  });
}

// Starts an import and replies with its token, which feed/counted/finish/cancel take. Refused
// with "busy" while another import that may land runs on the workspace: two would interleave.
std::string BeginImport(int handle, const std::string& options_text, double now_ms, bool dry_run) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    json options;
    if (auto bad = ParseArg(options_text, options); !bad.empty()) return bad;
    auto o = leadkit::ImportOptions::FromJson(options, static_cast<int64_t>(now_ms));
    if (!o) return Fail(o.error());
    if (!dry_run) {
      for (const auto& [token, p] : Imports()) {
        if (p.workspace == handle && !p.dry_run) {
          return Fail(ErrorCode::kBusy, "another import is running on this engine; try again when it ends");
        }
      }
    }
    static int next = 1;
    const int token = next++;
    PendingImport& p = Imports()[token];
    p.workspace = handle;
    p.dry_run = dry_run;
    p.counter = leadkit::CsvRecordCounter(o.value().delimiter);
    p.import = std::make_unique<leadkit::CsvImport>(ws, std::move(o.value()));
    return Ok(token);
  });
}

PendingImport* FindImport(int token) {
  const auto it = Imports().find(token);
  return it == Imports().end() || !it->second.import ? nullptr : &it->second;
}

std::string NoImport() {
  return Fail(ErrorCode::kNotFound, "no such import is running; it ended or was cancelled");
}

// Bytes that JS wrote into the heap: counted (a first pass, for the progress total) or read.
std::string FeedImport(int token, uintptr_t bytes, size_t length, bool count_only) {
  PendingImport* p = FindImport(token);
  if (!p) return NoImport();
  return WithWorkspace(p->workspace, [&](Workspace&) {
    const std::string_view chunk(reinterpret_cast<const char*>(bytes), length);
    if (count_only) {
      p->counter.Feed(chunk);
      return Ok(nullptr);
    }
    auto s = p->import->Feed(chunk);
    if (!s) return Fail(s.error().code, s.error().ToString(), Where(s.error().where));
    return Ok(p->import->rows_done());
  });
}

std::string CountedRows(int token) {
  PendingImport* p = FindImport(token);
  if (!p) return NoImport();
  leadkit::CsvRecordCounter copy = p->counter;
  return Ok(std::max<int64_t>(0, copy.Finish() - 1));  // the header is no data row
}

// Ends the import: lands it, or for a dry run only reports.
std::string FinishImport(int token) {
  PendingImport* p = FindImport(token);
  if (!p) return NoImport();
  const bool commit = !p->dry_run;
  return WithWorkspace(p->workspace, [&](Workspace& ws) {
    std::unique_ptr<leadkit::CsvImport> import = std::move(p->import);
    Imports().erase(token);
    auto report = import->Finish();
    if (!report) return Fail(report.error().code, report.error().ToString(), Where(report.error().where));
    if (commit) {
      if (auto s = ws.CommitImport(*import); !s) return Fail(s.error());
    }
    return Ok(report.value().ToJson());
  });
}

void CancelImport(int token) { Imports().erase(token); }

std::string ExportCsv(int handle, const std::string& options_text, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    json options;
    if (auto bad = ParseArg(options_text, options); !bad.empty()) return bad;
    auto r = ws.ExportCsv(options, static_cast<int64_t>(now_ms));
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  });
}

std::string RestoreUtf8(int handle, uintptr_t bytes, size_t length, double now_ms) {
  return WithWorkspaceAt(handle, now_ms, [&](Workspace& ws) {
    DropImportsOf(handle);
    const std::string_view text(reinterpret_cast<const char*>(bytes), length);
    const leadkit::LoadReport r = ws.Restore(text, static_cast<int64_t>(now_ms));
    if (r.errors.empty()) return Ok({{"loaded", r.loaded}});
    json where = json::object();
    if (!r.errors[0].path.empty()) where["path"] = r.errors[0].path;
    if (r.line > 0) where["line"] = r.line, where["column"] = r.column;
    return Fail(ErrorCode::kInvalidInput, r.errors[0].ToString(), std::move(where));
  });
}

std::string Funnel(int handle, const std::string& text) {
  return JsonCall(handle, text, [](Workspace& ws, const json& request) {
    return leadkit::Funnel(ws, request);
  });
}

std::string Plan(int handle, const std::string& text, double now_ms) {
  return JsonCallAt(handle, now_ms, text, [&](Workspace& ws, const json& request) {
    return leadkit::Plan(ws, request, static_cast<int64_t>(now_ms));
  });
}

// Needs no workspace: the advice reads only its inputs.
std::string Advise(const std::string& text) {
  json inputs;
  if (auto bad = ParseArg(text, inputs); !bad.empty()) return bad;
  try {
    auto r = leadkit::Advise(inputs);
    return r ? Ok(std::move(r).value()) : Fail(r.error());
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

int LeadCount(int handle) {
  const auto it = Workspaces().find(handle);
  return it == Workspaces().end() ? -1 : static_cast<int>(it->second->store().size());
}

// The end of the memory the allocator has taken so far: every byte below it has been used, so
// it is what a new memory for the same workspace needs written ahead (web/app/worker.js).
double HeapTop() { return static_cast<double>(reinterpret_cast<uintptr_t>(sbrk(0))); }

// `count` comes from JS as a number: refused unless a whole number from 0 to kMaxSampleLeads
// (1e10 cast to an int asked for more memory than wasm has, and the module aborted).
constexpr double kMaxSampleLeads = 1000000;

std::string SampleLeadsJson(double count, double seed, double now_ms) {
  if (!std::isfinite(count) || count < 0 || count != std::floor(count)) {
    return Fail("expected a whole number of leads", {{"path", "count"}});
  }
  if (count > kMaxSampleLeads) {
    return Fail(ErrorCode::kTooLarge, "at most 1000000 sample leads are made at once", {{"path", "count"}});
  }
  if (!std::isfinite(seed) || seed < 0 || seed > 9007199254740991.0 || seed != std::floor(seed)) {
    return Fail("expected a whole number from 0 to 2^53 - 1", {{"path", "seed"}});
  }
  if (auto bad = BadNow(now_ms); !bad.empty()) return bad;
  try {
    return Ok(leadkit::SampleLeads(static_cast<size_t>(count), static_cast<uint64_t>(seed),
                                   static_cast<int64_t>(now_ms)));
  } catch (const std::exception& e) {
    return Internal(e);
  }
}

}  // namespace

EMSCRIPTEN_BINDINGS(leadkit) {
  emscripten::function("createWorkspace", &CreateWorkspace);
  emscripten::function("dropWorkspace", &DropWorkspace);
  emscripten::function("liveWorkspaces", &LiveWorkspaces);
  emscripten::function("loadLeadsUtf8", &LoadLeadsUtf8);
  emscripten::function("snapshotBegin", &SnapshotBegin);
  emscripten::function("snapshotContinue", &SnapshotContinue);
  emscripten::function("snapshotEnd", &SnapshotEnd);
  emscripten::function("snapshotAbort", &SnapshotAbort);
  emscripten::function("upsertLead", &UpsertLead);
  emscripten::function("getLead", &GetLead);
  emscripten::function("removeLead", &RemoveLead);
  emscripten::function("query", &Query);
  emscripten::function("summary", &Summary);
  emscripten::function("exportJson", &ExportJson);
  emscripten::function("exportSnapshot", &ExportSnapshot);
  emscripten::function("exportedView", &ExportedView);
  emscripten::function("releaseExport", &ReleaseExport);
  emscripten::function("setChannels", &SetChannels);
  emscripten::function("getChannels", &GetChannels);
  emscripten::function("catalog", &Catalog);
  emscripten::function("leadCount", &LeadCount);
  emscripten::function("heapTop", &HeapTop);
  emscripten::function("setScoringModel", &SetScoringModel);
  emscripten::function("getScoringModel", &GetScoringModel);
  emscripten::function("scoreAll", &ScoreAll);
  emscripten::function("scoreLead", &ScoreLead);
  emscripten::function("explainLead", &ExplainLead);
  emscripten::function("whatIf", &WhatIf);
  emscripten::function("sampleLeads", &SampleLeadsJson);
  emscripten::function("beginImport", &BeginImport);
  emscripten::function("feedImport", &FeedImport);
  emscripten::function("countedRows", &CountedRows);
  emscripten::function("finishImport", &FinishImport);
  emscripten::function("cancelImport", &CancelImport);
  emscripten::function("exportCsv", &ExportCsv);
  emscripten::function("restoreUtf8", &RestoreUtf8);
  emscripten::function("setPipeline", &SetPipeline);
  emscripten::function("getPipeline", &GetPipeline);
  emscripten::function("setQualification", &SetQualification);
  emscripten::function("getQualification", &GetQualification);
  emscripten::function("transition", &TransitionLead);
  emscripten::function("logTouch", &LogTouch);
  emscripten::function("enroll", &Enroll);
  emscripten::function("cadenceStatus", &CadenceStatus);
  emscripten::function("callList", &CallList);
  emscripten::function("setTask", &SetTask);
  emscripten::function("leadPage", &LeadPage);
  emscripten::function("mergeJsonLeads", &MergeJsonLeads);
  emscripten::function("tasks", &Tasks);
  emscripten::function("findDuplicates", &FindDuplicates);
  emscripten::function("previewMerge", &PreviewMerge);
  emscripten::function("mergeLeads", &MergeLeads);
  emscripten::function("undoMerge", &UndoMerge);
  emscripten::function("getMergeJournal", &GetMergeJournal);
  emscripten::function("setMergeJournal", &SetMergeJournal);
  emscripten::function("trainModel", &TrainModel);
  emscripten::function("setPredictiveModel", &SetPredictiveModel);
  emscripten::function("getPredictiveModel", &GetPredictiveModel);
  emscripten::function("predictLead", &PredictLead);
  emscripten::function("predictAll", &PredictAll);
  emscripten::function("funnel", &Funnel);
  emscripten::function("plan", &Plan);
  emscripten::function("advise", &Advise);
}
