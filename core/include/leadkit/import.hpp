// CSV import into a workspace: the file streams through the CSV reader in chunks, each row is
// mapped, coerced and validated into a lead, and rows that match a lead already stored (or an
// earlier row) are updated, skipped or created as the user chose. Nothing is stored until
// Workspace::CommitImport, which lands every accepted row at once; every other row is reported
// with its row number, column and reason, and handed back as CSV to fix and import again.
//
// Lenient by default: a row is rejected only for what makes it no lead (no e-mail, name or
// company; an e-mail that cannot be read when the e-mail is what identifies the row; an id that
// cannot be; a row the CSV reader could not split). An optional cell that cannot be read
// (employees "approx 200", revenue "lots", a date in the future) leaves its field empty and
// becomes a warning with its row and column. `strict` rejects the row for any of them instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/csv.hpp"
#include "leadkit/lead.hpp"
#include "leadkit/mapping.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

class Workspace;

enum class OnDuplicate : uint8_t { kUpdate, kSkip, kCreate };
std::optional<OnDuplicate> ParseOnDuplicate(std::string_view name);  // "update", "skip", "create"

struct ImportOptions {
  std::string preset;              // "" picks one from the headers
  nlohmann::json mapping;          // the user's overrides of the suggested mapping, or null
  OnDuplicate on_duplicate = OnDuplicate::kUpdate;
  char delimiter = 0;              // 0 sniffs
  bool strict = false;             // any cell that cannot be read rejects its row
  int64_t now_ms = 0;

  // {"preset", "mapping", "onDuplicate", "delimiter", "strict"}; errors name the bad member.
  static Result<ImportOptions> FromJson(const nlohmann::json& j, int64_t now_ms);
};

struct RejectedCell {
  int64_t row = 0;      // as a spreadsheet numbers it: the header is row 1
  std::string column;   // the header of the column at fault, "" for the row as a whole
  std::string reason;
};

// An optional cell that could not be read: the lead was imported with that field empty (or, for
// an update, as it was).
struct ImportWarning {
  int64_t row = 0;
  std::string column;   // the header
  std::string field;    // the lead field it feeds: "employees", "createdAt", "custom.city", ...
  std::string message;
};

// A distinct value of the source column (values compare as SourceValueKey does), how many rows
// carry it, and the channel it was read as: "" when leadkit does not know it, so those leads are
// "unknown" with the value kept in custom.originalSource.
struct SourceValueCount {
  std::string value;  // as first seen
  size_t rows = 0;
  std::string channel;
};

struct DuplicateRow {
  int64_t row = 0;
  std::string id;          // the lead it matched, "" when it matched an earlier row that is new
  std::string matched_by;  // "id" or "email"
  int64_t earlier_row = 0; // the earlier row it matched, 0 when it matched a stored lead
};

struct ImportReport {
  int64_t rows = 0;  // data rows read, blank lines not counted
  size_t imported = 0, updated = 0, skipped = 0, rejected_rows = 0;
  std::vector<RejectedCell> rejected;  // every problem of every rejected row
  std::vector<ImportWarning> warnings;  // the first kMaxListedWarnings of the rows that landed
  size_t warning_count = 0;             // all of them
  size_t warned_rows = 0;               // rows imported or updated with at least one warning
  std::vector<SourceValueCount> sources;  // the most frequent kMaxListedSources, most rows first
  size_t duplicates = 0;
  std::vector<DuplicateRow> duplicate_rows;  // the first kMaxListedDuplicates
  std::string rejected_csv;  // the header and the rejected rows as read, with a reason column
  Mapping mapping;           // as applied

  static constexpr size_t kMaxListedDuplicates = 1000;
  static constexpr size_t kMaxListedWarnings = 10'000;
  static constexpr size_t kMaxListedSources = 200;
  // {rows, imported, updated, skipped, rejectedRows, rejected: [{row, column, reason}],
  //  warnings: [{row, column, field, message}], warningCount, warnedRows,
  //  sources: [{value, rows, channel | null, newChannel?, suggestion?: {channel, direction}}],
  //  duplicates, duplicateRows: [...], rejectedCsv, mapping}. newChannel and suggestion are given
  //  for values leadkit does not know: the name a channel of their own would have, and the
  //  channel (possibly a new one) they most likely stand for.
  nlohmann::json ToJson() const;
};

// Accepted leads handed over by CsvImport::SwapAccepted: blocks of leads that keep their memory
// when handed back, so a consumer reading a large file in batches does not allocate every lead
// anew per batch.
struct LeadBatch {
  static constexpr size_t kBlock = 4096;
  std::vector<std::unique_ptr<Lead[]>> blocks;
  size_t size = 0;  // leads [0, size) are in use

  Lead& operator[](size_t i) { return blocks[i / kBlock][i % kBlock]; }
};

// The header of the reason column in rejected-row files; a re-import ignores it.
inline constexpr std::string_view kRejectReasonHeader = "leadkit error";

class CsvImport {
 public:
  CsvImport(const Workspace& workspace, ImportOptions options);
  ~CsvImport();
  CsvImport(const CsvImport&) = delete;
  CsvImport& operator=(const CsvImport&) = delete;

  // Reads the next chunk. Fatal problems (binary or UTF-16 input, a header row that cannot be
  // read, a mapping that names a missing column) end the import with an error.
  Status Feed(std::string_view chunk);
  // Ends the input and reports. After an error, or when no row was accepted, there is nothing to
  // commit.
  Result<ImportReport> Finish();
  int64_t rows_done() const { return rows_done_; }
  // For streaming consumers such as the CLI's score: hands over the leads accepted so far (ids of
  // new leads not yet assigned) and forgets them, so duplicates are only caught within a batch.
  // The staged blocks are swapped with `batch`'s, whose leads (consumed, e.g. by
  // Workspace::ReplaceLeads) are reset as new rows are read into them.
  void SwapAccepted(LeadBatch& batch);
  // Whether rows carry lead ids (a column maps to "id"). Only then does reading a row look up
  // the workspace's current leads; e-mails are matched against those stored when the import
  // began. Known once the header row is read.
  bool reads_ids() const;

 private:
  friend class Workspace;
  struct Impl;
  bool OnRecord(const CsvRecord& record);
  Status SetUpColumns(const CsvRecord& header);
  void DecideDatesAndDrain();
  void ApplyCells(std::span<const std::string_view> fields, Lead& lead, bool has_id);
  void ProcessRow(std::span<const std::string_view> fields, int64_t row,
                  std::span<const CsvProblem> problems);

  const Workspace& workspace_;
  ImportOptions options_;
  CsvReader reader_;
  std::unique_ptr<Impl> impl_;
  Status fatal_ = Ok{};
  int64_t rows_done_ = 0;
  uint64_t workspace_revision_ = 0;
};

}  // namespace leadkit
