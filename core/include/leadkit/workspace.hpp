// A workspace: one client's leads and its channel mapping, with the JSON entry points that the
// bindings, the CLI and backups share. Every load is atomic: it lands whole or not at all.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/channel.hpp"
#include "leadkit/import.hpp"
#include "leadkit/json_doc.hpp"
#include "leadkit/lead.hpp"
#include "leadkit/result.hpp"
#include "leadkit/pipeline.hpp"
#include "leadkit/scoring.hpp"
#include "leadkit/store.hpp"

namespace leadkit {

class PredictiveModel;

inline constexpr int kBackupVersion = 1;
inline constexpr size_t kMaxReportedIssues = 200;

struct LoadReport {
  size_t loaded = 0;
  std::vector<Issue> errors;  // when not empty, nothing was loaded
  int line = -1, column = -1; // where unparseable JSON broke, when it did
};

// The checksum a snapshot (Workspace::ExportSnapshot) carries of its bytes after the first 16.
uint64_t SnapshotChecksum(std::string_view body);

// A snapshot being read as its bytes arrive (Workspace::BeginSnapshot): what has been read so far.
struct SnapshotReading {
  size_t size = 0;        // the whole snapshot's length, known before its bytes
  size_t pos = 0;         // where the first lead not yet read starts
  bool head_read = false;    // the magic and the stored checksum
  int version = 2;           // of the format, from the magic
  uint64_t stored_sum = 0;
  size_t hashed = 0;         // the checksum so far covers the bytes before this
  uint64_t sum = 0;
  bool header_read = false;  // the settings and the count of leads
  size_t count = 0;       // leads in the snapshot
  size_t read = 0;        // leads read so far
  ChannelMap channels;
  std::optional<ScoringModel> model;
  std::optional<Pipeline> pipeline;
  std::shared_ptr<const PredictiveModel> predictive;  // the adopted model, if the header has one
  std::optional<nlohmann::json> journal;               // the merge journal, if the header has one
  LeadStore staged;        // the leads read, a batch at a time
  std::vector<Lead> batch; // leads read but not yet in `staged`
  // batch_props[i][k]: the code in `staged` of batch[i].events[k]'s props. Most events of a
  // workspace repeat a few props objects, so each distinct encoding is decoded once: the codes of
  // the encodings seen (their bytes kept in props_seen_bytes) are looked up, not parsed again.
  std::vector<std::vector<uint32_t>> batch_props;
  std::deque<std::string> props_seen_bytes;
  std::unordered_map<std::string_view, uint32_t> props_seen;
  size_t pending = 0;
  std::vector<Issue> errors;  // the first problem found, if any
};

class Workspace {
 public:
  const LeadStore& store() const { return store_; }
  const ChannelMap& channels() const { return channels_; }

  // Text holding an array of leads or a backup document ({format, version, channels, leads}).
  LoadReport LoadJson(std::string_view text, int64_t now_ms);
  LoadReport Load(const nlohmann::json& doc, int64_t now_ms);

  // Validates and stores one lead; assigns an id when it has none. Returns the id.
  Result<std::string> Upsert(const nlohmann::json& lead, int64_t now_ms);
  std::optional<nlohmann::json> GetJson(std::string_view id) const;
  bool Remove(std::string_view id);

  // {total, rows: [lead, ...]} for a query (see query.hpp). With the spec's `now`, each row also
  // has score: {total, fit, engagement, grade}, and with `predictive` probability too; the
  // fields score, fit, engagement, grade (and probability) can then be filtered and sorted by.
  // Scores are those at the start of now's minute, kept until the leads, the scoring model, the
  // predictive model or that minute change, so paging a sorted table does not rescore. A page
  // past the first kOrderCacheFrom rows sorts every matching row once and keeps that order on
  // the same terms, so scrolling deep into 100k leads costs a slice, not a sort, per page.
  // With view: "row" a row holds what a table shows: id, names, e-mail, company, industry,
  // country, source, direction, stage, stageReason, dealValue, currency, tags, createdAt,
  // touchCount and lastTouchAt (no events, touches, history, BANT or custom fields).
  Result<nlohmann::json> Query(const nlohmann::json& spec,
                               const PredictiveModel* predictive = nullptr) const;
  static constexpr size_t kOrderCacheFrom = 500;
  // Counts per stage, direction, source and tag, and deal value per stage, of the filtered leads.
  Result<nlohmann::json> Summary(const nlohmann::json& spec,
                                 const PredictiveModel* predictive = nullptr) const;

  // The versioned backup document; LoadJson of its dump restores the same workspace.
  nlohmann::json Export() const;
  // Export().dump(), written lead by lead: no tree of the whole workspace is ever built, so a
  // backup of 100k leads needs the memory of its text only.
  std::string ExportText() const;
  // The same workspace as a binary snapshot (workspace_snapshot.cpp): what the web app keeps in
  // storage between visits. Its settings are the backup's JSON header; its leads are written
  // field by field, so a load reads them without parsing text or checking them again: a
  // snapshot is written only from leads already checked, and a checksum catches damage since.
  // Backups people keep or move stay JSON; this is for the engine that wrote it.
  std::string ExportSnapshot() const;
  // Loads an ExportSnapshot as LoadJson loads a backup: all or nothing. A damaged or truncated
  // snapshot is refused, saying at which byte and lead, and changes nothing.
  LoadReport LoadSnapshot(std::string_view bytes);
  static bool IsSnapshot(std::string_view bytes);
  // LoadSnapshot in steps, for bytes that arrive in parts (a stream from storage): Begin with
  // the snapshot's size, Continue after each part (it reads every lead the bytes hold whole), End
  // with the rest. The leads are read while later parts are still on their way; nothing in the
  // workspace changes until End.
  std::unique_ptr<SnapshotReading> BeginSnapshot(size_t size) const;
  // `bytes` are the snapshot's from byte `from` on: a reader may drop the bytes before the offset
  // ContinueSnapshot returns (read, and taken into the checksum), so a snapshot streams through a
  // buffer of a few of its leads instead of one of its whole size. From 0, they are all of them.
  size_t ContinueSnapshot(SnapshotReading& reading, std::string_view bytes, size_t from = 0) const;
  LoadReport EndSnapshot(std::unique_ptr<SnapshotReading> reading, std::string_view bytes, size_t from = 0);
  // Merges leads from leadkit JSON (an array of leads, a backup, the widget's export) into this
  // workspace: each joins the lead with its id, else with its e-mail (filling empty fields, adding
  // events, touches, tags and tasks it lacks; stage and history stay), else is added. All or
  // nothing. → {total, added, merged, unchanged, leads: [{id, action, matchedBy?}] (first 200),
  // changedIds (unless dryRun)}.
  Result<nlohmann::json> MergeLeads(std::string_view text, int64_t now_ms, bool dry_run = false);
  // Replaces everything (leads, channels, model) with a backup's, or changes nothing.
  LoadReport Restore(std::string_view backup_text, int64_t now_ms);

  // Lands a finished CSV import (see import.hpp) in one step. Refused when the workspace changed
  // since the import began, since its duplicate checks would be stale.
  Status CommitImport(CsvImport& import);
  // Leads as CSV: the chosen columns (lead fields by their JSON names, "direction", "bant.<key>",
  // "custom.<key>") and, unless `scores` is false, fit, engagement, score, grade, matrix,
  // qualifiesAs and topReasons. Options: {columns, scores, reasons (how many, default 3), ids
  // (only these leads), delimiter, guardFormulas (default true)}.
  Result<std::string> ExportCsv(const nlohmann::json& options, int64_t now_ms) const;
  // The same appended to `out`, with the header row only when `header` is set: for a caller that
  // writes one file a batch of leads at a time and reuses its buffer.
  Status AppendCsv(const nlohmann::json& options, int64_t now_ms, bool header,
                   std::string& out) const;

  // Replaces every lead with a batch from CsvImport::SwapAccepted (validated leads, moved from),
  // giving ids to those without one.
  void ReplaceLeads(LeadBatch& batch);
  // Where generated ids ("lead-<n>") go on from: a caller spreading one stream of leads over
  // several workspaces carries it from one to the next.
  uint64_t next_id() const { return next_id_; }
  void set_next_id(uint64_t next) { next_id_ = next; }

  // The adopted predictive model (null: none). It is part of the workspace: backups and snapshots
  // carry it (as "predictiveModel"), and loading one adopts it.
  const PredictiveModel* predictive() const { return predictive_.get(); }
  void SetPredictive(std::shared_ptr<const PredictiveModel> model) { predictive_ = std::move(model); }
  // Merging duplicates with undo (see dedupe.hpp), the journal kept in the workspace and carried by
  // backups and snapshots ("mergeJournal"), so a merge can be undone after a restore.
  Result<nlohmann::json> Merge(std::span<const std::string> ids, const nlohmann::json& choices, int64_t now_ms);
  Result<nlohmann::json> UndoMerge(std::string_view merge_id);
  nlohmann::json MergeJournalJson() const;  // the journal document (an empty one when none)
  Status SetMergeJournal(const nlohmann::json& doc);  // checked; replaces the journal

  // Goes up with every change to the leads or channels.
  uint64_t revision() const { return revision_; }

  // {"channel_name": "inbound" | "outbound", ...} added to or overriding the mapping.
  Status SetChannels(const nlohmann::json& mapping);

  // Pipeline settings (see pipeline.hpp): replaced whole, or refused with the path of the problem.
  Status SetPipeline(const nlohmann::json& settings);
  const Pipeline& pipeline() const { return pipeline_; }

  // Qualification, lifecycle and cadences (workspace_pipeline.cpp). All refuse an unknown id.
  // {framework?, criterion, status, evidence?, confidence?} → the framework's verdict (see
  // VerdictToJson); unknown criteria and statuses are refused naming them.
  Result<nlohmann::json> SetQualification(std::string_view id, const nlohmann::json& change,
                                          int64_t now_ms);
  Result<nlohmann::json> Qualification(std::string_view id, std::string_view framework) const;
  // {to, reason?, note?, actor?} → {id, from, to, at, stage, stageReason}; a refused move
  // changes nothing and its error names the rule or guard (see lifecycle.hpp).
  Result<nlohmann::json> Transition(std::string_view id, const nlohmann::json& request,
                                    int64_t now_ms);
  // {channel, outcome, at?, note?} → {touch, contactStatus, cadence}.
  Result<nlohmann::json> LogTouch(std::string_view id, const nlohmann::json& touch, int64_t now_ms);
  // Follow-up tasks. {title, due} adds one (→ its id "task-<n>"); {id, title?, due?, done?}
  // changes one (snooze: a later due; done: true/false); {id, remove: true} deletes it.
  // → {leadId, task} or {leadId, removed}.
  Result<nlohmann::json> SetTask(std::string_view id, const nlohmann::json& change, int64_t now_ms);
  // Open tasks of every lead (done: true, the done ones), the most overdue first, each with its
  // lead's id, names, company and stage: {total, overdue, tasks: [...]}. Options: {done?,
  // until? (only those due by then), limit? (default 500)}.
  Result<nlohmann::json> Tasks(const nlohmann::json& options, int64_t now_ms) const;
  // {cadence: key | null, startAt?}: enrols in (or, with null, removes from) a cadence.
  Result<nlohmann::json> Enroll(std::string_view id, const nlohmann::json& request, int64_t now_ms);
  // {contactStatus, state, cadence, done, of, next?, flag?, ...} (see CadenceStateToJson).
  Result<nlohmann::json> CadenceOf(std::string_view id, int64_t now_ms) const;

  // Scoring (see scoring.hpp). Until a model is set, the default model scores: the default
  // profile and engagement, no rules.
  Status SetScoringModel(const nlohmann::json& model);
  const ScoringModel& model() const { return model_; }
  // {modelHash, ids, fit, engagement, total, grade, matrix, stage}: one array per column.
  nlohmann::json ScoreAll(int64_t now_ms) const;
  // {fit, engagement, total, grade, matrix, stage, modelHash} of one lead.
  Result<nlohmann::json> Score(std::string_view id, int64_t now_ms) const;
  // [{kind, label, points}] adding up exactly to the lead's total.
  Result<nlohmann::json> Explain(std::string_view id, int64_t now_ms) const;
  // What `draft` would change without saving it: {modelHash, scored, changed, gradeChanged,
  // stageChanged, leads: [{id, before, after}], truncated}.
  Result<nlohmann::json> WhatIf(const nlohmann::json& draft, int64_t now_ms) const;

 private:
  std::string NewId(const std::vector<std::string>& taken_in_batch);
  // Checks a backup's settings ({format, version, channels, model, pipeline}) and reads them into
  // the out-parameters (channels are applied to `channels`); false, with the problem in
  // `report`, when any is refused.
  // A backup's settings: {format, version, channels, model?, pipeline?}, without the leads.
  nlohmann::json BackupSettings() const;
  // Lands settings a load read and checked: the channel mapping, and the model and pipeline if any.
  // What a backup's header holds besides its leads, read and checked.
  struct Settings {
    std::optional<ScoringModel> model;
    std::optional<Pipeline> pipeline;
    std::shared_ptr<const PredictiveModel> predictive;
    std::optional<nlohmann::json> journal;
  };
  void AdoptSettings(ChannelMap channels, Settings settings);
  bool ReadBackupHeader(JsonValue root, ChannelMap& channels, Settings& settings, LoadReport& report) const;
  void AddLeads(LeadBatch& batch);  // stores validated leads, giving ids to those without one
  // The derived columns a query reads, from derived_ (refilled when its key is stale); refuses a
  // derived field without `now`, or probability without a predictive model. Rows that are only
  // shown with their scores get the whole columns when kWhole, or when they are already at hand
  // (kIfFresh: otherwise Query scores just its page).
  enum class RowScores { kNone, kIfFresh, kWhole };
  Result<DerivedColumns> Derive(const QuerySpec& q, const PredictiveModel* predictive,
                                RowScores for_rows) const;

  // Score and probability columns of every row, keyed by what they depend on. Mutable: filling
  // it does not change the workspace, and queries are const. Not thread-safe, like the rest.
  struct DerivedCache {
    bool scores_valid = false;
    uint64_t revision = 0;
    std::string model_hash;
    int64_t minute = 0;
    std::vector<double> total, fit, engagement;
    std::vector<uint8_t> grade;
    bool probability_valid = false;
    uint64_t probability_revision = 0;
    std::string probability_hash;
    int64_t probability_minute = 0;
    std::vector<double> probability;
  };
  mutable DerivedCache derived_;

  // The full order of the last deep query, keyed by everything it depends on.
  struct OrderCache {
    std::string key;  // the spec without offset, limit, now and view; the derived inputs ("" = none)
    std::vector<uint32_t> rows;
  };
  mutable OrderCache order_;

  ChannelMap channels_;
  LeadStore store_;
  ScoringModel model_ = ScoringModel::FromJson(nlohmann::json::object()).value();
  bool model_set_ = false;
  Pipeline pipeline_;
  std::shared_ptr<const PredictiveModel> predictive_;  // immutable once made: copies may share it
  nlohmann::json journal_;  // the merge journal document; null until the first merge
  uint64_t next_id_ = 1;
  uint64_t revision_ = 0;
};

}  // namespace leadkit
