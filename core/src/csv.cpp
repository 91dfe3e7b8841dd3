#include "leadkit/csv.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace leadkit {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kSniffLimit = 64 * 1024;  // the header must show its delimiter within this
constexpr size_t kProbeBytes = 4096;       // read before anything is decided

// The delimiters the reader sniffs when none is given.
constexpr std::array<char, 3> kCandidates = {',', ';', '\t'};

// The candidate delimiter that occurs most often, outside quotes, in the first record.
char SniffDelimiter(std::string_view text) {
  std::array<size_t, 3> counts{};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    for (size_t i = 0; i < kCandidates.size(); ++i) counts[i] += c == kCandidates[i];
  }
  size_t best = 0;
  for (size_t i = 1; i < kCandidates.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return kCandidates[best];
}

bool HasCompleteFirstLine(std::string_view text) {
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) return true;
  }
  return false;
}

Error Fatal(std::string message, int64_t line) {
  Error e{std::move(message), {}};
  e.where.line = static_cast<int>(line);
  return e;
}

Error NulByte(int64_t line) {
  return Fatal("this looks like a binary file, not CSV (a NUL byte)", line);
}

}  // namespace

bool IsValidUtf8(std::string_view text, size_t* bad_offset) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time: almost every CSV is mostly ASCII.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t min = 0, cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (s[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

Status CsvReader::Feed(std::string_view chunk, const CsvSink& sink) {
  if (stopped_) return Ok{};
  bytes_ += chunk.size();
  if (!started_ || delimiter_ == 0) {
    // Hold the input back until the byte order mark and the delimiter can be decided.
    pending_.append(chunk);
    if (!started_) {
      // Undecided until enough bytes arrived to tell a UTF-8 or UTF-16 mark from text, so the
      // verdict is the same however the input is cut.
      if (pending_.size() < kBom.size() && kBom.starts_with(pending_)) return Ok{};
      if (pending_.size() < 2 && (pending_ == "\xFF" || pending_ == "\xFE")) return Ok{};
      if (pending_.starts_with("\xFF\xFE") || pending_.starts_with("\xFE\xFF")) {
        stopped_ = true;
        return Fatal("this file is UTF-16; save it as CSV UTF-8 and import it again", 1);
      }
      if (pending_.starts_with(kBom)) pending_.erase(0, kBom.size());
      started_ = true;
    }
    if (std::string_view(pending_).substr(0, kProbeBytes).find('\0') != std::string::npos) {
      stopped_ = true;
      return Fatal("this looks like a binary file, not CSV (it holds NUL bytes)", 1);
    }
    // The first few kilobytes decide, whatever the delimiter: a binary file shows its NUL bytes
    // there, and the header shows its delimiter.
    if (pending_.size() < kProbeBytes ||
        (!HasCompleteFirstLine(pending_) && pending_.size() < kSniffLimit)) {
      return Ok{};
    }
    delimiter_ = options_.delimiter
                     ? options_.delimiter
                     : SniffDelimiter(std::string_view(pending_).substr(0, kSniffLimit));
    std::string held = std::move(pending_);
    pending_.clear();
    return Consume(held, false, sink);
  }
  return Consume(chunk, false, sink);
}

Status CsvReader::Finish(const CsvSink& sink) {
  if (stopped_) return Ok{};
  if (!started_ || delimiter_ == 0) {
    if (!started_ && pending_.starts_with(kBom)) pending_.erase(0, kBom.size());
    started_ = true;
    if (std::string_view(pending_).substr(0, kProbeBytes).find('\0') != std::string::npos) {
      stopped_ = true;
      return Fatal("this looks like a binary file, not CSV (it holds NUL bytes)", 1);
    }
    delimiter_ = options_.delimiter
                     ? options_.delimiter
                     : SniffDelimiter(std::string_view(pending_).substr(0, kSniffLimit));
    std::string held = std::move(pending_);
    pending_.clear();
    if (auto s = Consume(held, false, sink); !s) return s;
    if (stopped_) return Ok{};
  }
  return Consume({}, true, sink);
}

void CsvReader::EndField() {
  field_ends_.push_back(field_bytes_.size());
  field_overflow_ = false;
}

bool CsvReader::EmitRecord(const CsvSink& sink) {
  if (field_ends_.size() < options_.max_fields) EndField();
  ++row_;  // blank lines count: the row numbers are the ones a spreadsheet shows
  // A blank line is no record.
  const bool blank =
      field_ends_.size() == 1 && field_ends_[0] == 0 && problems_.empty() && !quoted_seen_;
  bool go_on = true;
  if (!blank) {
    views_.clear();
    size_t start = 0;
    // One pass over the record's bytes; field by field only when it found something.
    const bool all_valid = IsValidUtf8(field_bytes_);
    for (size_t i = 0; i < field_ends_.size(); ++i) {
      const std::string_view f(field_bytes_.data() + start, field_ends_[i] - start);
      size_t bad = 0;
      if (!all_valid && !IsValidUtf8(f, &bad)) {
        problems_.push_back({static_cast<int>(i), "is not valid UTF-8 (byte " +
                                                      std::to_string(bad + 1) +
                                                      "); save the file as CSV UTF-8"});
      }
      views_.push_back(f);
      start = field_ends_[i];
    }
    if (after_quote_garbage_) {
      problems_.push_back({-1, "has text after a closing quote; a quoted field must end at a "
                               "delimiter or line break"});
    }
    CsvRecord record;
    record.fields = views_;
    record.row = row_;
    record.line = record_line_;
    record.problems = problems_;
    go_on = sink(record);
  }
  field_bytes_.clear();
  field_ends_.clear();
  problems_.clear();
  after_quote_garbage_ = false;
  too_many_fields_ = false;
  quoted_seen_ = false;
  record_line_ = line_;
  if (!go_on) stopped_ = true;
  return go_on;
}

Status CsvReader::Consume(std::string_view data, bool last, const CsvSink& sink) {
  const char delim = delimiter_;
  const size_t max_field = options_.max_field_bytes;
  const auto append = [&](const char* from, size_t n) {
    if (field_ends_.size() >= options_.max_fields) return;  // fields past the limit are dropped
    const size_t start = field_ends_.empty() ? 0 : field_ends_.back();
    const size_t room = max_field - std::min(max_field, field_bytes_.size() - start);
    if (n > room) {
      if (!field_overflow_) {
        problems_.push_back({static_cast<int>(field_ends_.size()),
                             "is longer than the " + std::to_string(max_field) +
                                 " bytes a field may have"});
      }
      field_overflow_ = true;
      n = room;
    }
    field_bytes_.append(from, n);
  };
  const auto end_field = [&]() {
    if (field_ends_.size() < options_.max_fields) EndField();
    // The delimiter opens another field, so reaching the limit here means one is dropped.
    if (field_ends_.size() >= options_.max_fields && !too_many_fields_) {
      too_many_fields_ = true;
      problems_.push_back({-1, "has more than " + std::to_string(options_.max_fields) +
                                   " fields; the rest were dropped"});
    }
  };
  const char* p = data.data();
  const char* const end = p + data.size();
  while (p < end) {
    switch (state_) {
      case State::kAfterCr:
        state_ = State::kFieldStart;
        if (*p == '\n') ++p;
        continue;
      case State::kFieldStart:
        if (*p == '"') {
          state_ = State::kQuoted;
          quoted_seen_ = true;
          ++p;
          continue;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        // The run of plain bytes up to the next delimiter or line break, appended at once.
        const char* q = p;
        while (q < end && *q != delim && *q != '\n' && *q != '\r') {
          if (*q == '\0') {
            stopped_ = true;
            return NulByte(line_);
          }
          ++q;
        }
        append(p, static_cast<size_t>(q - p));
        p = q;
        if (p == end) continue;
        if (*p == delim) {
          end_field();
          state_ = State::kFieldStart;
          ++p;
        } else {
          state_ = *p == '\r' ? State::kAfterCr : State::kFieldStart;
          ++p;
          ++line_;
          if (!EmitRecord(sink)) return Ok{};
        }
        continue;
      }
      case State::kQuoted: {
        const char* q = p;
        while (q < end && *q != '"') {
          if (*q == '\n') ++line_;
          if (*q == '\0') {
            stopped_ = true;
            return NulByte(line_);
          }
          ++q;
        }
        append(p, static_cast<size_t>(q - p));
        p = q;
        if (p < end) {
          state_ = State::kQuoteInQuoted;
          ++p;
        }
        continue;
      }
      case State::kQuoteInQuoted:
        if (*p == '"') {  // "" inside quotes is one quote
          append(p, 1);
          state_ = State::kQuoted;
          ++p;
        } else if (*p == delim) {
          end_field();
          state_ = State::kFieldStart;
          ++p;
        } else if (*p == '\n' || *p == '\r') {
          state_ = *p == '\r' ? State::kAfterCr : State::kFieldStart;
          ++p;
          ++line_;
          if (!EmitRecord(sink)) return Ok{};
        } else {
          // `"abc"def`: keep the text, flag the record.
          after_quote_garbage_ = true;
          state_ = State::kUnquoted;
        }
        continue;
    }
  }
  if (!last) return Ok{};
  if (state_ == State::kQuoted) {
    stopped_ = true;
    Error e = Fatal("a quoted field opened on line " + std::to_string(record_line_) +
                        " is never closed; add the missing \"",
                    record_line_);
    e.where.row = static_cast<int>(row_ + 1);
    return e;
  }
  if (state_ != State::kAfterCr && !(state_ == State::kFieldStart && field_ends_.empty() &&
                                     field_bytes_.empty())) {
    EmitRecord(sink);
  }
  state_ = State::kFieldStart;
  stopped_ = true;
  return Ok{};
}

void CsvRecordCounter::Feed(std::string_view chunk) {
  for (char c : chunk) {
    // The reader drops a leading byte order mark, so it alone does not make a record.
    if (bom_matched_ < kBom.size()) {
      if (c == kBom[bom_matched_]) {
        ++bom_matched_;
        continue;
      }
      if (bom_matched_ > 0) {  // part of a mark is text of the record's first field
        in_record_ = true;
        field_start_ = false;
      }
      bom_matched_ = kBom.size();
    }
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;
    }
    if (quoted_) {
      quoted_ = c != '"';
      closing_ = !quoted_;
      continue;
    }
    if (closing_) {
      closing_ = false;
      if (c == '"') {  // "" inside quotes
        quoted_ = true;
        continue;
      }
    }
    if (c == '\n' || c == '\r') {
      records_ += in_record_;
      in_record_ = false;
      after_cr_ = c == '\r';
      field_start_ = true;
      continue;
    }
    in_record_ = true;
    // As in the reader, only a quote that starts a field opens a quoted field; when the delimiter
    // is not known, any of the three the reader sniffs counts.
    if (c == '"' && field_start_) {
      quoted_ = true;
      field_start_ = false;
      continue;
    }
    field_start_ = delimiter_ ? c == delimiter_
                              : std::find(kCandidates.begin(), kCandidates.end(), c) != kCandidates.end();
  }
}

int64_t CsvRecordCounter::Finish() {
  const bool partial_bom = bom_matched_ > 0 && bom_matched_ < kBom.size();
  return records_ + (in_record_ || partial_bom ? 1 : 0);
}

std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  size_t bad = 0;
  while (!IsValidUtf8(text, &bad)) {
    out.append(text.substr(0, bad));
    out.append("\uFFFD");
    text.remove_prefix(bad + 1);
  }
  out.append(text);
  return out;
}

bool NeedsFormulaGuard(std::string_view cell) {
  // Apostrophes before a formula are guarded too, so that a value that looks like the guard's
  // own output ("'=1") comes back as itself, not without its apostrophe.
  cell.remove_prefix(std::min(cell.size(), cell.find_first_not_of('\'')));
  if (cell.empty()) return false;
  if (cell[0] == '\t' || cell[0] == '\r') return true;
  const size_t first = cell.find_first_not_of(' ');
  if (first == std::string_view::npos) return false;
  const char c = cell[first];
  return c == '=' || c == '+' || c == '-' || c == '@';
}

std::string_view UnguardFormula(std::string_view cell) {
  if (cell.size() > 1 && cell[0] == '\'' && NeedsFormulaGuard(cell.substr(1))) cell.remove_prefix(1);
  return cell;
}

void CsvWriter::Field(std::string_view value) {
  if (row_started_) out_.push_back(delimiter_);
  row_started_ = true;
  const bool formula = guard_formulas_ && NeedsFormulaGuard(value);
  // A field opening with U+FEFF is quoted: unquoted at the start of the text, readers would take
  // it for a byte order mark and drop it.
  const bool quote =
      formula ||
      value.find_first_of(std::string{delimiter_, '"', '\n', '\r'}) != std::string_view::npos ||
      (!value.empty() && (value.front() == ' ' || value.back() == ' ')) || value.starts_with(kBom);
  if (!quote) {
    out_.append(value);
    return;
  }
  out_.push_back('"');
  if (formula) out_.push_back('\'');
  for (char c : value) {
    if (c == '"') out_.push_back('"');
    out_.push_back(c);
  }
  out_.push_back('"');
}

void CsvWriter::EndRow() {
  out_.append("\r\n");
  row_started_ = false;
}

void CsvWriter::Row(std::span<const std::string_view> fields) {
  for (std::string_view f : fields) Field(f);
  EndRow();
}

}  // namespace leadkit
