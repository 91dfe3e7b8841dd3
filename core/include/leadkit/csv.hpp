// CSV as spreadsheets and CRM exports write it (RFC 4180 and its usual variants): a streaming
// reader that takes the input in chunks of any size, so a 100 MB file is never held whole, and a
// writer. Problems in a record are reported with the record, never crashed on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "leadkit/result.hpp"

namespace leadkit {

struct CsvOptions {
  char delimiter = 0;                   // 0: sniffed from the first record (comma, semicolon, tab)
  size_t max_field_bytes = 1u << 20;    // a longer field is cut there and its record flagged
  size_t max_fields = 4096;             // fields past this are dropped and the record flagged
};

// Something wrong inside one record; the record is still delivered, so the caller can report it
// against the row the user sees and go on.
struct CsvProblem {
  int field = -1;  // 0-based index of the field, -1 for the record as a whole
  std::string message;
};

struct CsvRecord {
  std::span<const std::string_view> fields;  // valid only during the callback
  int64_t row = 0;  // 1-based, as a spreadsheet numbers it: the header is row 1, blank lines count
  int64_t line = 0;                          // 1-based physical line where the record starts
  std::span<const CsvProblem> problems;      // empty for a clean record
};

// Return false to stop reading.
using CsvSink = std::function<bool(const CsvRecord&)>;

class CsvReader {
 public:
  explicit CsvReader(CsvOptions options = {}) : options_(options) {}

  // Reads the next chunk, calling `sink` for every record it completes. A fatal problem (a binary
  // or UTF-16 file) is returned as an error with its line, and the reader stops.
  Status Feed(std::string_view chunk, const CsvSink& sink);
  // Ends the input: delivers a last record that has no line break after it, and reports an
  // unterminated quoted field.
  Status Finish(const CsvSink& sink);

  char delimiter() const { return delimiter_; }  // 0 until sniffed
  int64_t rows() const { return row_; }  // rows read so far, blank ones included
  uint64_t bytes_read() const { return bytes_; }

 private:
  Status Consume(std::string_view data, bool last, const CsvSink& sink);
  bool EmitRecord(const CsvSink& sink);
  void EndField();

  CsvOptions options_;
  char delimiter_ = 0;
  bool started_ = false;     // the byte order mark check is done
  bool stopped_ = false;
  std::string pending_;      // input held back: before the delimiter is known, or a split CRLF
  // The record being built: its fields' bytes back to back, and where each ends.
  std::string field_bytes_;
  std::vector<size_t> field_ends_;
  std::vector<CsvProblem> problems_;
  std::vector<std::string_view> views_;
  enum class State : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted, kAfterCr };
  State state_ = State::kFieldStart;
  bool field_overflow_ = false;
  bool after_quote_garbage_ = false;
  bool too_many_fields_ = false;
  bool quoted_seen_ = false;  // `""` alone on a line is a record with one empty field, not blank
  int64_t row_ = 0;
  int64_t line_ = 1;         // the current physical line
  int64_t record_line_ = 1;  // where the record being built started
  uint64_t bytes_ = 0;
};

// Counts the non-blank records of a CSV given in chunks, quotes respected, for progress bars: a
// pass that allocates nothing and runs at memory speed. Given the reader's delimiter, it opens a
// quoted field where the reader does; without one (0), after any of the three the reader sniffs.
class CsvRecordCounter {
 public:
  explicit CsvRecordCounter(char delimiter = 0) : delimiter_(delimiter) {}
  void Feed(std::string_view chunk);
  int64_t Finish();  // records, including the header

 private:
  char delimiter_;
  bool quoted_ = false;
  bool closing_ = false;      // a quote just ended a quoted part; "" would reopen it
  bool field_start_ = true;
  bool after_cr_ = false;
  bool in_record_ = false;
  uint8_t bom_matched_ = 0;  // bytes of a leading byte order mark seen; 3 once decided
  int64_t records_ = 0;
};

// Whether `text` is valid UTF-8; when not, the 0-based offset of the first bad byte.
bool IsValidUtf8(std::string_view text, size_t* bad_offset = nullptr);
// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view text);

// Whether a spreadsheet could run the cell as a formula (CSV injection, after OWASP): its first
// character is a tab or carriage return, or its first non-blank one is = + - or @; apostrophes
// before such a cell are part of it ("'=1" is guarded as "''=1", and reads back as "'=1").
bool NeedsFormulaGuard(std::string_view cell);
// A cell as leadkit's guard wrote it ("'" then a cell the guard guards) without the apostrophe;
// any other cell as it is. Reading an export back gives the values that were written.
std::string_view UnguardFormula(std::string_view cell);

// Appends CSV to a string: fields are quoted only when they must be.
class CsvWriter {
 public:
  explicit CsvWriter(char delimiter = ',', bool guard_formulas = false)
      : delimiter_(delimiter), guard_formulas_(guard_formulas) {}
  // With guard_formulas, a field for which NeedsFormulaGuard holds gets a leading apostrophe, so
  // a spreadsheet shows it as text instead of running it (CSV injection).
  void Row(std::span<const std::string_view> fields);
  void Row(std::initializer_list<std::string_view> fields) {
    Row(std::span<const std::string_view>(fields.begin(), fields.size()));
  }
  void Field(std::string_view value);  // one field of the current row
  void EndRow();
  std::string& text() { return out_; }

 private:
  char delimiter_;
  bool guard_formulas_;
  bool row_started_ = false;
  std::string out_;
};

}  // namespace leadkit
