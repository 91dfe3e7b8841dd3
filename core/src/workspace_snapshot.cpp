// The binary snapshot (see Workspace::ExportSnapshot): the web app's form of a workspace at rest.
//
// Layout: the magic "LKSNAP1\n"; a 64-bit checksum of everything after it; the backup's settings
// as JSON text (its length, then the text, with "leads": []); the number of leads; then each lead,
// field by field in the order of struct Lead. Counts and lengths are LEB128 varints, times and
// integers zigzag varints, doubles their 8 bytes (little-endian), optionals a presence byte,
// enums one byte, JSON values (event props, custom fields) a tag byte and their contents.
// A new member of Lead must be written and read here: SnapshotTest.EveryFieldRoundTrips fails
// until it is.
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "leadkit/csv.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using json = nlohmann::json;

// Version 2 added each lead's tasks after its cadence; version 1 snapshots still load.
constexpr std::string_view kMagic = "LKSNAP2\n";
constexpr std::string_view kMagicV1 = "LKSNAP1\n";
constexpr size_t kBodyStart = kMagic.size() + 8;  // magic, then the checksum
constexpr int kMaxJsonDepth = 128;
// The fewest bytes a lead takes (every field empty; SnapshotTest.CountsAreBoundedByTheBytes
// checks it), so a count of leads can be checked against the snapshot's size before anything is
// reserved for them.
constexpr size_t kMinLeadBytes = 40;

enum JsonTag : uint8_t { kNull, kFalse, kTrue, kInt, kUnsigned, kFloat, kString, kArray, kObject };

}  // namespace

// Catches damage (a truncated write, flipped bits), not tampering: a multiply-xor hash over
// 8-byte words, ~20 ms for 50 MB in wasm where CRC-32 would take several times that. Computed a
// word at a time, so a snapshot read as it streams in is checked without holding all of it.
namespace {
constexpr uint64_t kChecksumFactor = 0x9E3779B97F4A7C15ull;
uint64_t ChecksumStart(size_t body_size) { return 0x243F6A8885A308D3ull ^ body_size; }
uint64_t ChecksumWord(uint64_t h, std::string_view eight) {
  uint64_t w;
  std::memcpy(&w, eight.data(), 8);
  h = (h ^ w) * kChecksumFactor;
  return h ^ (h >> 32);
}
uint64_t ChecksumEnd(uint64_t h, std::string_view tail) {  // the last 0 to 7 bytes
  uint64_t w = 0;
  std::memcpy(&w, tail.data(), tail.size());
  h = (h ^ w) * kChecksumFactor;
  return h ^ (h >> 29);
}
}  // namespace

uint64_t SnapshotChecksum(std::string_view bytes) {
  uint64_t h = ChecksumStart(bytes.size());
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) h = ChecksumWord(h, bytes.substr(i, 8));
  return ChecksumEnd(h, bytes.substr(i));
}

namespace {

class Writer {
 public:
  std::string out;

  void Byte(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void Unsigned(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) { Unsigned((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Double(double v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out.append(b, 8);
  }
  void Text(std::string_view s) {
    Unsigned(s.size());
    out.append(s);
  }
  void Optional(const std::optional<double>& v) {
    Byte(v.has_value());
    if (v) Double(*v);
  }
  void Optional(const std::optional<int64_t>& v) {
    Byte(v.has_value());
    if (v) Signed(*v);
  }
  void Json(const json& j) {
    switch (j.type()) {
      case json::value_t::boolean: Byte(j.get<bool>() ? kTrue : kFalse); break;
      case json::value_t::number_integer: Byte(kInt), Signed(j.get<int64_t>()); break;
      case json::value_t::number_unsigned: Byte(kUnsigned), Unsigned(j.get<uint64_t>()); break;
      case json::value_t::number_float: Byte(kFloat), Double(j.get<double>()); break;
      case json::value_t::string: Byte(kString), Text(j.get_ref<const std::string&>()); break;
      case json::value_t::array:
        Byte(kArray), Unsigned(j.size());
        for (const json& v : j) Json(v);
        break;
      case json::value_t::object:
        Byte(kObject), Unsigned(j.size());
        for (const auto& [k, v] : j.items()) Text(k), Json(v);
        break;
      default: Byte(kNull); break;  // null, and the binary and discarded kinds leads never hold
    }
  }
  void Criterion(const CriterionState& c) {
    Byte(static_cast<uint8_t>(c.status));
    Text(c.evidence);
    Optional(c.confidence);
    Signed(c.at);
  }
  void WriteLead(const Lead& l) {
    for (const std::string* s : {&l.id, &l.first_name, &l.last_name, &l.email, &l.phone, &l.company,
                                 &l.title, &l.industry}) {
      Text(*s);
    }
    Optional(l.employees);
    Optional(l.annual_revenue);
    for (const std::string* s : {&l.country, &l.region, &l.domain, &l.source}) Text(*s);
    Byte(static_cast<uint8_t>(l.stage));
    Text(l.stage_reason);
    for (const CriterionState& c : l.bant) Criterion(c);
    Unsigned(l.qualification.size());
    for (const auto& [framework, criteria] : l.qualification) {
      Text(framework);
      Unsigned(criteria.size());
      for (const auto& [key, c] : criteria) Text(key), Criterion(c);
    }
    Optional(l.deal_value);
    Text(l.currency);
    Text(l.notes);
    Unsigned(l.tags.size());
    for (const std::string& t : l.tags) Text(t);
    Json(l.custom);
    Signed(l.created_at);
    Signed(l.updated_at);
    Unsigned(l.events.size());
    for (const Event& e : l.events) Text(e.type), Signed(e.at), Json(e.props);
    Unsigned(l.touches.size());
    for (const Touch& t : l.touches) Text(t.channel), Text(t.outcome), Signed(t.at), Text(t.note);
    Unsigned(l.history.size());
    for (const Transition& t : l.history) {
      Signed(t.at);
      Byte(static_cast<uint8_t>(t.from));
      Byte(static_cast<uint8_t>(t.to));
      Text(t.reason), Text(t.actor), Text(t.note);
    }
    Text(l.cadence.key);
    Signed(l.cadence.started_at);
    Unsigned(l.tasks.size());
    for (const Task& t : l.tasks) Text(t.id), Text(t.title), Signed(t.due), Signed(t.done_at), Signed(t.created_at);
  }
};

// Reads what Writer wrote. The first problem (reading past the end, a count larger than the bytes
// left, an enum out of range) is kept with its byte offset; reads after it return empty values,
// and the caller checks ok() once per lead.
class Reader {
 public:
  Reader(std::string_view bytes, size_t pos) : bytes_(bytes), pos_(pos) {}

  bool ok() const { return error_.empty(); }
  // Whether the problem was reaching the end of the bytes: with more on the way, not a problem.
  bool ran_out() const { return ran_out_; }
  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_at_; }
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

  void Fail(std::string message, bool ran_out = false) {
    if (!ok()) return;
    ran_out_ = ran_out;
    error_ = std::move(message);
    error_at_ = pos_;
    pos_ = bytes_.size();  // every later read fails fast
  }
  uint8_t Byte() {
    if (pos_ >= bytes_.size()) return RanOut(), 0;
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  // Unsigned() and Text() at `at`, without reading or failing: false if it is not whole.
  bool SkipUnsigned(size_t& at, uint64_t& v) const {
    v = 0;
    for (int shift = 0; shift < 64 && at < bytes_.size(); shift += 7) {
      const auto b = static_cast<uint8_t>(bytes_[at++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool SkipText(size_t& at) const {
    uint64_t n;
    if (!SkipUnsigned(at, n) || n > bytes_.size() - at) return false;
    at += n;
    return true;
  }
  uint64_t Unsigned() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return RanOut(), 0;
      const auto b = static_cast<uint8_t>(bytes_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail("a number runs past 64 bits"), 0;
  }
  int64_t Signed() {
    const uint64_t u = Unsigned();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  double Double() {
    double v = 0;
    if (left() < 8) return RanOut(), v;
    std::memcpy(&v, bytes_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  // A count of items that take at least one byte each: never more than the bytes left, so a
  // damaged count cannot ask for gigabytes.
  size_t Count() {
    const uint64_t n = Unsigned();
    if (n > left()) {
      Fail("a count of " + std::to_string(n) + " is more than the bytes left", /*ran_out=*/true);
      return 0;
    }
    return static_cast<size_t>(n);
  }
  void Text(std::string& out) {
    const size_t n = Count();
    const std::string_view text = bytes_.substr(pos_, n);
    // Text was checked when it was written; this keeps forged bytes from reaching the JSON
    // writer, which would refuse them on every later export or query.
    if (!IsValidUtf8(text)) return Fail("text that is not UTF-8"), out.clear();
    out.assign(text);
    pos_ += n;
  }
  std::string_view View(size_t n) {
    if (n > left()) return RanOut(), std::string_view();
    const std::string_view v = bytes_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  template <typename T>
  void Optional(std::optional<T>& out) {
    if (Flag()) {
      if constexpr (std::is_same_v<T, double>) out = Double();
      else out = Signed();
    } else {
      out.reset();
    }
  }
  bool Flag() {
    const uint8_t b = Byte();
    if (b > 1) Fail("expected 0 or 1, got " + std::to_string(b));
    return b == 1;
  }
  template <typename E>
  E Enum(int count, const char* what) {
    const uint8_t b = Byte();
    if (b >= count) Fail(std::string("no ") + what + " has the code " + std::to_string(b));
    return static_cast<E>(b);
  }
  json Json(int depth = 0) {
    if (depth > kMaxJsonDepth) return Fail("a JSON value nests too deep"), json();
    switch (Byte()) {
      case kNull: return nullptr;
      case kFalse: return false;
      case kTrue: return true;
      case kInt: return Signed();
      case kUnsigned: return Unsigned();
      case kFloat: return Double();
      case kString: {
        std::string s;
        Text(s);
        return s;
      }
      case kArray: {
        json a = json::array();
        for (size_t n = Count(); n > 0 && ok(); --n) a.push_back(Json(depth + 1));
        return a;
      }
      case kObject: {
        json o = json::object();
        std::string key;
        for (size_t n = Count(); n > 0 && ok(); --n) {
          Text(key);
          o[key] = Json(depth + 1);
        }
        return o;
      }
      default: return Fail("a JSON value has an unknown tag"), json();
    }
  }
  // Steps over one JSON value at `at` without decoding it or checking its text: true with `at`
  // past it when it is whole, false (and no error) otherwise, for Json() to name the problem.
  bool SkipJson(size_t& at, int depth = 0) const {
    if (depth > kMaxJsonDepth || at >= bytes_.size()) return false;
    switch (static_cast<uint8_t>(bytes_[at++])) {
      case kNull:
      case kFalse:
      case kTrue: return true;
      case kInt:
      case kUnsigned: {
        uint64_t ignored;
        return SkipUnsigned(at, ignored);
      }
      case kFloat:
        if (bytes_.size() - at < 8) return false;
        at += 8;
        return true;
      case kString: return SkipText(at);
      case kArray:
      case kObject: {
        const bool object = bytes_[at - 1] == kObject;
        uint64_t n;
        if (!SkipUnsigned(at, n) || n > bytes_.size() - at) return false;
        for (; n > 0; --n) {
          if ((object && !SkipText(at)) || !SkipJson(at, depth + 1)) return false;
        }
        return true;
      }
      default: return false;
    }
  }
  // An event's props, as a code in `s.staged`: an encoding seen before is looked up by its bytes
  // (which were checked when first decoded); a new one is decoded, checked and interned.
  uint32_t Props(SnapshotReading& s) {
    constexpr size_t kMaxRemembered = 4096;  // distinct encodings kept, each of at most:
    constexpr size_t kMaxRememberedBytes = 256;
    const size_t start = pos_;
    size_t end = start;
    std::string_view encoded;
    if (SkipJson(end)) {
      encoded = bytes_.substr(start, end - start);
      if (const auto it = s.props_seen.find(encoded); it != s.props_seen.end()) {
        pos_ = end;
        return it->second;
      }
    }
    json props = Json();
    if (!ok()) return 0;
    const uint32_t code = s.staged.InternProps(std::move(props));
    if (!encoded.empty() && encoded.size() <= kMaxRememberedBytes && s.props_seen.size() < kMaxRemembered) {
      s.props_seen.emplace(s.props_seen_bytes.emplace_back(encoded), code);
    }
    return code;
  }
  void Criterion(CriterionState& c) {
    c.status = Enum<BantStatus>(4, "qualification status");
    Text(c.evidence);
    Optional(c.confidence);
    c.at = Signed();
  }
  // Reads a lead into `l`, but its events' props into `props`, as codes in s.staged (they are
  // left null in `l`).
  void ReadLead(Lead& l, SnapshotReading& s, std::vector<uint32_t>& props) {
    for (std::string* s : {&l.id, &l.first_name, &l.last_name, &l.email, &l.phone, &l.company,
                           &l.title, &l.industry}) {
      Text(*s);
    }
    Optional(l.employees);
    Optional(l.annual_revenue);
    for (std::string* s : {&l.country, &l.region, &l.domain, &l.source}) Text(*s);
    l.stage = Enum<Stage>(kStageCount, "stage");
    Text(l.stage_reason);
    for (CriterionState& c : l.bant) Criterion(c);
    l.qualification.clear();
    for (size_t n = Count(); n > 0 && ok(); --n) {
      std::string framework;
      Text(framework);
      auto& criteria = l.qualification[framework];
      for (size_t m = Count(); m > 0 && ok(); --m) {
        std::string key;
        Text(key);
        Criterion(criteria[key]);
      }
    }
    Optional(l.deal_value);
    Text(l.currency);
    Text(l.notes);
    l.tags.resize(Count());
    for (std::string& t : l.tags) Text(t);
    l.custom = Json();
    l.created_at = Signed();
    l.updated_at = Signed();
    l.events.resize(Count());
    props.resize(l.events.size());
    for (size_t k = 0; k < l.events.size(); ++k) {
      Event& e = l.events[k];
      Text(e.type);
      e.at = Signed();
      e.props = nullptr;
      props[k] = Props(s);
    }
    l.touches.resize(Count());
    for (Touch& t : l.touches) Text(t.channel), Text(t.outcome), t.at = Signed(), Text(t.note);
    l.history.resize(Count());
    for (Transition& t : l.history) {
      t.at = Signed();
      t.from = Enum<Stage>(kStageCount, "stage");
      t.to = Enum<Stage>(kStageCount, "stage");
      Text(t.reason), Text(t.actor), Text(t.note);
    }
    Text(l.cadence.key);
    l.cadence.started_at = Signed();
    if (s.version >= 2) {
      l.tasks.resize(Count());
      for (Task& t : l.tasks) {
        Text(t.id), Text(t.title);
        t.due = Signed(), t.done_at = Signed(), t.created_at = Signed();
      }
    }
  }

 private:
  void RanOut() { Fail("the snapshot ends early", /*ran_out=*/true); }

  std::string_view bytes_;
  size_t pos_;
  std::string error_;
  size_t error_at_ = 0;
  bool ran_out_ = false;
};

}  // namespace

bool Workspace::IsSnapshot(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, kMagic.size());
  return head == kMagic || head == kMagicV1;
}

std::string Workspace::ExportSnapshot() const {
  Writer w;
  w.out.reserve(store_.size() * 512 + 4096);
  w.out.append(kMagic);
  w.out.append(8, '\0');  // the checksum, once the rest is written
  w.Text(BackupSettings().dump());
  w.Unsigned(store_.size());
  for (uint32_t row = 0; row < store_.size(); ++row) w.WriteLead(store_.GetRow(row));
  const uint64_t sum = SnapshotChecksum(std::string_view(w.out).substr(kBodyStart));
  std::memcpy(w.out.data() + kMagic.size(), &sum, 8);
  return std::move(w.out);
}

LoadReport Workspace::LoadSnapshot(std::string_view bytes) {
  return EndSnapshot(BeginSnapshot(bytes.size()), bytes);
}

namespace {

Issue Refusal(std::string message) { return {"", "this snapshot cannot be read: " + std::move(message)}; }

// What is wrong with a snapshot's first 16 bytes (magic and checksum), if anything.
std::optional<std::string> HeadProblem(std::string_view bytes) {
  if (!Workspace::IsSnapshot(bytes)) return "it does not start with \"LKSNAP2\" (or \"LKSNAP1\")";
  if (bytes.size() < kBodyStart) return "it ends after " + std::to_string(bytes.size()) + " bytes";
  return std::nullopt;
}

// Moves the leads read so far into the staged store: its ~30 columns then grow once per batch,
// not once per lead.
void Flush(SnapshotReading& s) {
  s.staged.UpsertMany(std::span(s.batch.data(), s.pending), std::span(s.batch_props.data(), s.pending));
  s.pending = 0;
}

}  // namespace

std::unique_ptr<SnapshotReading> Workspace::BeginSnapshot(size_t size) const {
  auto s = std::make_unique<SnapshotReading>();
  s->size = size;
  s->pos = kBodyStart;
  s->hashed = kBodyStart;
  s->sum = ChecksumStart(size > kBodyStart ? size - kBodyStart : 0);
  s->channels = channels_;
  return s;
}

namespace {

// Adds to the running checksum every whole 8-byte word of the body that `bytes` (the snapshot's
// bytes from `from`) holds and it has not taken yet.
void Absorb(SnapshotReading& s, std::string_view bytes, size_t from) {
  const size_t end = from + bytes.size();
  while (s.hashed >= from && s.hashed + 8 <= end) {
    s.sum = ChecksumWord(s.sum, bytes.substr(s.hashed - from, 8));
    s.hashed += 8;
  }
}

// Reads the magic and the checksum it carries from the snapshot's first bytes; false (with the
// refusal) when they are wrong.
// The refusal of a reader that dropped bytes before `at` that the snapshot still needed.
Issue DroppedUnread(size_t at) { return Refusal("bytes before " + std::to_string(at) + " were dropped unread"); }

bool ReadHead(SnapshotReading& s, std::string_view first, std::vector<Issue>& errors) {
  if (auto problem = HeadProblem(first)) {
    errors.push_back(Refusal(std::move(*problem)));
    return false;
  }
  std::memcpy(&s.stored_sum, first.data() + kMagic.size(), 8);
  s.version = first.substr(0, kMagic.size()) == kMagicV1 ? 1 : 2;
  s.head_read = true;
  return true;
}

}  // namespace

size_t Workspace::ContinueSnapshot(SnapshotReading& s, std::string_view bytes, size_t from) const {
  // Bytes still needed start at the first lead not read, or at the checksum's next word; once
  // the reading has failed, only at the checksum's.
  const auto keep = [&s] {
    if (!s.head_read) return size_t{0};
    return s.errors.empty() ? std::min(s.pos, s.hashed) : s.hashed;
  };
  if (from > keep()) {
    if (s.errors.empty()) s.errors.push_back(DroppedUnread(keep()));
    return keep();
  }
  if (from >= s.size) return keep();
  bytes = bytes.substr(0, s.size - from);
  const size_t end = from + bytes.size();
  const bool complete = end == s.size;
  Absorb(s, bytes, from);
  if (!s.errors.empty()) return keep();  // only the checksum goes on, to name damage as such
  if (!s.head_read) {
    if (!complete && end < kBodyStart) return keep();
    if (!ReadHead(s, bytes, s.errors)) return keep();
  }
  Reader r(bytes, s.pos - from);
  // A problem that is only the end of the bytes so far waits for more; any other is final.
  const auto stopped = [&](size_t retry_from) {
    if (r.ran_out() && !complete) {
      s.pos = retry_from;
    } else {
      s.errors.push_back(Refusal(r.error() + (s.header_read ? " (lead " + std::to_string(s.read) : " (settings") +
                                 ", byte " + std::to_string(from + r.error_offset()) + ")"));
    }
    return keep();
  };
  if (!s.header_read) {
    const std::string_view header_text = r.View(r.Count());
    const size_t count = r.Count();
    if (!r.ok()) return stopped(kBodyStart);
    JsonDoc header;
    // Shallow, as a backup's header is read: each setting keeps its source text, so documents
    // that carry a hash of their text (the predictive model) are read as they were written.
    size_t header_end = 0;
    if (!header.Parse(header_text, header_end, 1) ||
        header_text.find_first_not_of(" \t\r\n", header_end) != std::string_view::npos) {
      s.errors.push_back(Refusal("its settings are not JSON"));
      return keep();
    }
    LoadReport report;
    Settings settings;
    if (!ReadBackupHeader(header.root(), s.channels, settings, report)) {
      for (const Issue& e : report.errors) s.errors.push_back(Refusal("its settings: " + e.ToString()));
      return keep();
    }
    const size_t room = s.size - (from + r.pos());
    if (count > room / kMinLeadBytes) {
      s.errors.push_back(Refusal("it says it holds " + std::to_string(count) + " leads, more than its " +
                                 std::to_string(room) + " bytes can"));
      return keep();
    }
    s.model = std::move(settings.model);
    s.pipeline = std::move(settings.pipeline);
    s.predictive = std::move(settings.predictive);
    s.journal = std::move(settings.journal);
    s.header_read = true;
    s.count = count;
    s.staged.Reserve(std::min(count, room / 256));  // a lead is ~400 bytes; a forged count gets no more
    s.batch.resize(std::min<size_t>(count, 1024));
    s.batch_props.resize(s.batch.size());
    s.pos = from + r.pos();
  }
  while (s.read < s.count) {
    const size_t start = from + r.pos();
    // Sets every member, so a lead moved from is reused whole.
    r.ReadLead(s.batch[s.pending], s, s.batch_props[s.pending]);
    if (!r.ok()) return stopped(start);
    ++s.read;
    s.pos = from + r.pos();
    if (++s.pending == s.batch.size()) Flush(s);
  }
  if (s.pending) Flush(s);
  return keep();
}

LoadReport Workspace::EndSnapshot(std::unique_ptr<SnapshotReading> reading, std::string_view bytes, size_t from) {
  SnapshotReading& s = *reading;
  LoadReport report;
  const auto refuse = [&](std::string message) {
    report.errors.push_back(Refusal(std::move(message)));
    return report;
  };
  const size_t end = from + bytes.size();
  if (end != s.size) {
    return refuse("it has " + std::to_string(end) + " bytes, not the " + std::to_string(s.size) + " it began with");
  }
  if (!s.head_read && from != 0) return refuse("its first bytes were dropped unread");
  if (!s.head_read && !ReadHead(s, bytes, report.errors)) return report;
  if (from > s.hashed) {
    report.errors.push_back(DroppedUnread(from));
    return report;
  }
  // Damage is named as such before whatever the damage made the reading trip over.
  Absorb(s, bytes, from);
  if (ChecksumEnd(s.sum, bytes.substr(s.hashed - from)) != s.stored_sum) {
    return refuse("it is damaged (its checksum does not match its " + std::to_string(end) + " bytes)");
  }
  ContinueSnapshot(s, bytes, from);
  if (!s.errors.empty()) {
    report.errors = std::move(s.errors);
    return report;
  }
  if (s.pos != end) return refuse(std::to_string(end - s.pos) + " bytes follow its last lead");
  if (s.staged.size() != s.count) return refuse("two of its leads have the same id");

  AdoptSettings(std::move(s.channels), Settings{std::move(s.model), std::move(s.pipeline),
                                                 std::move(s.predictive), std::move(s.journal)});
  if (store_.size() == 0) {
    store_ = std::move(s.staged);
  } else {
    store_.Reserve(store_.size() + s.staged.size());
    for (uint32_t row = 0; row < s.staged.size(); ++row) store_.Upsert(s.staged.GetRow(row));
  }
  report.loaded = s.count;
  ++revision_;
  return report;
}

}  // namespace leadkit
