// libFuzzer target for the streaming CSV reader, its record counter and its writer. Every input is
// read with default limits and with small ones that hit the field size and count limits, each
// time whole and in chunks whose lengths come from a hash of the input, so a failure reproduces
// from the input alone; a short input is also read repeated to past 8 KiB, so that it streams.
// Any broken invariant prints what differed and aborts. Checked:
//   (a) whole and chunked reads give the same records, problems and final status;
//   (b) rows increase, lines never decrease, the limits hold, problems name real fields;
//   (c) clean records survive CsvWriter and a second read unchanged;
//   (d) CsvRecordCounter, given the reader's delimiter, counts what the reader delivered;
//   (e) a sink that stops at record k gets exactly the first k records.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadkit/csv.hpp"

namespace {

using leadkit::CsvOptions;
using leadkit::CsvReader;
using leadkit::CsvRecord;
using leadkit::CsvRecordCounter;
using leadkit::CsvWriter;
using leadkit::Status;

// The records of one read, serialized back to back (row, line, fields, problems), so that a read
// of thousands of records costs no allocation once the buffers have grown, and two reads compare
// as bytes.
struct Outcome {
  std::string records;
  std::vector<size_t> starts;  // where each record begins in `records`
  bool ok = true;
  std::string error;  // message, then the location, when not ok
  char delimiter = 0;
  int64_t rows = 0;

  void Clear() {
    records.clear();  // keeps the capacity for the next input
    starts.clear();
    ok = true;
    error.clear();
    delimiter = 0;
    rows = 0;
  }
  size_t size() const { return starts.size(); }
  size_t End(size_t i) const { return i + 1 < starts.size() ? starts[i + 1] : records.size(); }
  std::string_view Record(size_t i) const {
    return std::string_view(records).substr(starts[i], End(i) - starts[i]);
  }
};

void PutInt(int64_t v, std::string* out) { out->append(reinterpret_cast<const char*>(&v), 8); }
void PutBytes(std::string_view s, std::string* out) {
  PutInt(static_cast<int64_t>(s.size()), out);
  out->append(s);
}
int64_t GetInt(std::string_view* in) {
  int64_t v;
  std::memcpy(&v, in->data(), 8);
  in->remove_prefix(8);
  return v;
}
std::string_view GetBytes(std::string_view* in) {
  const auto n = static_cast<size_t>(GetInt(in));
  const std::string_view s = in->substr(0, n);
  in->remove_prefix(n);
  return s;
}

void Encode(const CsvRecord& r, std::string* out) {
  PutInt(r.row, out);
  PutInt(r.line, out);
  PutInt(static_cast<int64_t>(r.fields.size()), out);
  for (std::string_view f : r.fields) PutBytes(f, out);
  PutInt(static_cast<int64_t>(r.problems.size()), out);
  for (const auto& p : r.problems) {
    PutInt(p.field, out);
    PutBytes(p.message, out);
  }
}

// One serialized record taken apart; the vectors are reused from record to record.
struct Decoded {
  int64_t row = 0, line = 0;
  std::vector<std::string_view> fields;
  std::vector<std::pair<int64_t, std::string_view>> problems;
};

void Decode(std::string_view in, Decoded* d) {
  d->row = GetInt(&in);
  d->line = GetInt(&in);
  d->fields.resize(static_cast<size_t>(GetInt(&in)));
  for (auto& f : d->fields) f = GetBytes(&in);
  d->problems.resize(static_cast<size_t>(GetInt(&in)));
  for (auto& p : d->problems) p = {GetInt(&in), GetBytes(&in)};
}

std::string Escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string Describe(std::string_view record) {
  Decoded d;
  Decode(record, &d);
  std::string out = "row " + std::to_string(d.row) + " line " + std::to_string(d.line) + ":";
  for (auto f : d.fields) out += " [" + Escaped(f) + "]";
  for (auto [field, message] : d.problems) {
    out += " {" + std::to_string(field) + " " + std::string(message) + "}";
  }
  return out;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "csv_fuzz: invariant broken: %s\n", what.c_str());
  std::abort();
}

// Chunk lengths 1..max_length from a seeded splitmix64 sequence.
class Chunker {
 public:
  Chunker(uint64_t seed, size_t max_length) : state_(seed), max_length_(max_length) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t NextLength() { return 1 + Next() % max_length_; }

 private:
  uint64_t state_;
  size_t max_length_;
};

// The reader holds input back until it has seen this much (binary check, header), so a shorter
// input reaches the parser only in Finish, in one piece.
constexpr size_t kProbeWindow = 4 * 1024;

// Chunks of 1..64 bytes; up to 512 past the probe window, where tiny chunks would spend the run
// in the reader rescanning its held-back header once per chunk.
size_t MaxChunk(std::string_view data) { return data.size() > kProbeWindow ? 512 : 64; }

uint64_t Hash(std::string_view data) {  // FNV-1a
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : data) h = (h ^ c) * 0x100000001B3ULL;
  return h;
}

// Invariant (b): rows strictly increase, lines never decrease (and a record starts no earlier
// than its row, since each earlier record ended with a line break), limits hold, and a problem
// names a field that exists.
void CheckShape(const Outcome& o, const CsvOptions& options, const char* run) {
  int64_t last_row = 0, last_line = 0;
  Decoded d;
  for (size_t i = 0; i < o.size(); ++i) {
    Decode(o.Record(i), &d);
    const auto where = [&] { return std::string(run) + ", record " + Describe(o.Record(i)); };
    if (d.row <= last_row) {
      Fail("row did not increase after " + std::to_string(last_row) + ": " + where());
    }
    if (d.line < last_line) {
      Fail("line went back from " + std::to_string(last_line) + ": " + where());
    }
    if (d.line < d.row) Fail("line before row: " + where());
    if (d.fields.size() > options.max_fields) Fail("more fields than max_fields: " + where());
    for (auto f : d.fields) {
      if (f.size() > options.max_field_bytes) Fail("field longer than max_field_bytes: " + where());
    }
    for (const auto& p : d.problems) {
      if (p.first < -1 || p.first >= static_cast<int64_t>(d.fields.size())) {
        Fail("problem names a field that does not exist: " + where());
      }
    }
    last_row = d.row;
    last_line = d.line;
  }
  if (o.ok && o.rows < last_row) Fail(std::string(run) + ": rows() below the last record's row");
}

// Reads `data` into `o`, whole (seed 0) or in chunks from the seeded sequence, with an empty chunk
// now and then, stopping at the first error as a caller would. The sink asks to stop at record
// `stop_after` (0: never).
void Read(std::string_view data, const CsvOptions& options, uint64_t seed, const char* run,
          size_t stop_after, Outcome* out) {
  Outcome& o = *out;
  o.Clear();
  CsvReader reader(options);
  const auto sink = [&o, stop_after](const CsvRecord& rec) {
    o.starts.push_back(o.records.size());
    Encode(rec, &o.records);
    return o.size() != stop_after;
  };
  Status status = leadkit::Ok{};
  if (seed == 0) {
    status = reader.Feed(data, sink);
  } else {
    Chunker chunker(seed, MaxChunk(data));
    for (size_t pos = 0; status && pos < data.size();) {
      if (chunker.Next() % 16 == 0) status = reader.Feed({}, sink);
      if (!status) break;
      const size_t n = std::min(chunker.NextLength(), data.size() - pos);
      status = reader.Feed(data.substr(pos, n), sink);
      pos += n;
    }
  }
  if (status) status = reader.Finish(sink);
  if (!status) {
    const auto& e = status.error();
    o.ok = false;
    o.error = e.message + " (line " + std::to_string(e.where.line) + ", row " +
              std::to_string(e.where.row) + ")";
  }
  o.delimiter = reader.delimiter();
  o.rows = reader.rows();
  CheckShape(o, options, run);
}

// The first record where two reads differ, or the shorter one's size when one is a prefix.
size_t FirstDifference(const Outcome& a, const Outcome& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a.Record(i) == b.Record(i)) ++i;
  return i;
}

// Invariant (a): the chunked read saw exactly what the whole read saw.
void CheckSame(const Outcome& whole, const Outcome& chunked, const char* run) {
  const std::string what = std::string(run) + ": whole and chunked reads differ: ";
  if (whole.ok != chunked.ok || whole.error != chunked.error) {
    Fail(what + "status [" + whole.error + "] vs [" + chunked.error + "]");
  }
  if (whole.delimiter != chunked.delimiter) Fail(what + "delimiter");
  if (whole.rows != chunked.rows) Fail(what + "rows()");
  if (whole.records == chunked.records && whole.starts == chunked.starts) return;
  const size_t i = FirstDifference(whole, chunked);
  if (i < whole.size() && i < chunked.size()) {
    Fail(what + "record " + std::to_string(i) + "\n  whole:   " + Describe(whole.Record(i)) +
         "\n  chunked: " + Describe(chunked.Record(i)));
  }
  Fail(what + std::to_string(whole.size()) + " vs " + std::to_string(chunked.size()) + " records");
}

// Invariant (c): the clean records, written with the delimiter the reader used and read back with
// that delimiter given, come back field for field. A record of one empty field is written as an
// empty line, which the reader by design skips as blank, so it is expected to vanish.
void CheckRoundTrip(const Outcome& o, CsvOptions options, const char* run) {
  CsvWriter writer(o.delimiter, /*guard_formulas=*/false);
  std::vector<size_t> expected;  // the records that should come back
  Decoded d;
  for (size_t i = 0; i < o.size(); ++i) {
    Decode(o.Record(i), &d);
    if (!d.problems.empty()) continue;
    writer.Row(d.fields);
    if (!(d.fields.size() == 1 && d.fields[0].empty())) expected.push_back(i);
  }
  if (expected.empty()) return;
  options.delimiter = o.delimiter;
  static Outcome back;
  Read(writer.text(), options, 0, "round trip", 0, &back);
  const std::string what = std::string(run) + ": round trip through CsvWriter differs: ";
  const auto written = [&] { return "\n  written: " + Escaped(writer.text()); };
  if (!back.ok) Fail(what + back.error + written());
  Decoded b;
  for (size_t i = 0; i < std::min(expected.size(), back.size()); ++i) {
    Decode(o.Record(expected[i]), &d);
    Decode(back.Record(i), &b);
    if (b.fields != d.fields || !b.problems.empty()) {
      Fail(what + "record " + std::to_string(i) +
           "\n  read:    " + Describe(o.Record(expected[i])) +
           "\n  back:    " + Describe(back.Record(i)) + written());
    }
  }
  if (back.size() != expected.size()) {
    Fail(what + std::to_string(expected.size()) + " records written, " +
         std::to_string(back.size()) + " read back" + written());
  }
}

// Invariant (d): the counter, given the delimiter the reader used and fed in chunks, counts the
// records the reader delivered.
void CheckCounter(std::string_view data, const Outcome& o, uint64_t seed, const char* run) {
  if (!o.ok) return;
  CsvRecordCounter counter(o.delimiter);
  Chunker chunker(seed, MaxChunk(data));
  for (size_t pos = 0; pos < data.size();) {
    const size_t n = std::min(chunker.NextLength(), data.size() - pos);
    counter.Feed(data.substr(pos, n));
    pos += n;
  }
  const int64_t counted = counter.Finish();
  if (counted != static_cast<int64_t>(o.size())) {
    Fail(std::string(run) + ": CsvRecordCounter counted " + std::to_string(counted) +
         ", the reader delivered " + std::to_string(o.size()));
  }
}

// Invariant (e), the sink's "stop": a chunked read told to stop at record k gets exactly the
// first k records, nothing after them, and no error, since anything fatal would come later.
void CheckStop(std::string_view data, const Outcome& whole, const CsvOptions& options,
               uint64_t seed, const char* run) {
  if (whole.size() == 0) return;
  const size_t k = 1 + seed % whole.size();
  static Outcome stopped;
  Read(data, options, seed, run, k, &stopped);
  const std::string what = std::string(run) + ": stopping at record " + std::to_string(k) + ": ";
  if (!stopped.ok) Fail(what + "error " + stopped.error);
  if (stopped.size() != k) Fail(what + std::to_string(stopped.size()) + " records delivered");
  const size_t i = FirstDifference(whole, stopped);
  if (i < k) {
    Fail(what + "record " + std::to_string(i) + " differs\n  whole:   " +
         Describe(whole.Record(i)) + "\n  stopped: " + Describe(stopped.Record(i)));
  }
}

// The round trip and the counter run on the input as given; `streaming_only` skips them for the
// repeated copy, where they would only repeat themselves at a dozen times the cost.
void CheckAll(std::string_view data, const CsvOptions& options, uint64_t seed, const char* run,
              bool streaming_only = false) {
  static Outcome whole, chunked;  // reused, so their buffers grow once, not per input
  Read(data, options, 0, run, 0, &whole);
  Read(data, options, seed, run, 0, &chunked);
  CheckSame(whole, chunked, run);
  CheckStop(data, whole, options, seed >> 1, run);
  if (streaming_only) return;
  CheckRoundTrip(whole, options, run);
  CheckCounter(data, whole, seed ^ 0x5851F42D4C957F2DULL, run);
}

// A short input repeated to twice the probe window, so that the chunked read streams through
// Feed the way a real file does. With `late_nuls`, NUL bytes are blanked in all but the last copy,
// so that a binary-looking byte first shows up past the window, where only streaming meets it.
std::string RepeatedPastProbe(std::string_view data, bool late_nuls) {
  std::string out;
  if (data.empty()) return out;
  while (out.size() <= 2 * kProbeWindow) out.append(data);
  if (late_nuls) {
    std::replace(out.begin(), out.end() - static_cast<ptrdiff_t>(data.size()), '\0', ' ');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const uint64_t h = Hash(data) | 1;  // never 0, which Read takes as "whole"

  CheckAll(data, CsvOptions{}, h, "default options");

  // Small limits so that fields are cut and dropped; the delimiter is sniffed or given.
  constexpr char kDelimiters[] = {0, ',', ';', '\t', '|'};
  CsvOptions small;
  small.delimiter = kDelimiters[(h >> 16) % sizeof kDelimiters];
  small.max_field_bytes = 1 + (h >> 24) % 64;
  small.max_fields = 1 + (h >> 32) % 8;
  CheckAll(data, small, h * 0x2545F4914F6CDD1DULL | 1, "small options");

  if (data.size() <= kProbeWindow) {
    const std::string repeated = RepeatedPastProbe(data, (h >> 41) & 1);
    const bool use_small = (h >> 40) & 1;
    CheckAll(repeated, use_small ? small : CsvOptions{}, (h ^ 0xA0761D6478BD642FULL) | 1,
             use_small ? "repeated, small options" : "repeated, default options",
             /*streaming_only=*/true);
  }
  return 0;
}
