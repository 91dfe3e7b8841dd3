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
#include <span>

#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using json = nlohmann::json;

constexpr std::string_view kMagic = "LKSNAP1\n";
constexpr size_t kBodyStart = kMagic.size() + 8;  // magic, then the checksum
constexpr int kMaxJsonDepth = 128;

enum JsonTag : uint8_t { kNull, kFalse, kTrue, kInt, kUnsigned, kFloat, kString, kArray, kObject };

}  // namespace

// Catches damage (a truncated write, flipped bits), not tampering: a multiply-xor hash over
// 8-byte words, ~20 ms for 50 MB in wasm where CRC-32 would take several times that.
uint64_t SnapshotChecksum(std::string_view bytes) {
  uint64_t h = 0x243F6A8885A308D3ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  h = (h ^ tail) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
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
  }
};

// Reads what Writer wrote. The first problem (reading past the end, a count larger than the bytes
// left, an enum out of range) is kept with its byte offset; reads after it return empty values,
// and the caller checks ok() once per lead.
class Reader {
 public:
  Reader(std::string_view bytes, size_t pos) : bytes_(bytes), pos_(pos) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_at_; }
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

  void Fail(std::string message) {
    if (!ok()) return;
    error_ = std::move(message);
    error_at_ = pos_;
    pos_ = bytes_.size();  // every later read fails fast
  }
  uint8_t Byte() {
    if (pos_ >= bytes_.size()) return Fail("the snapshot ends early"), 0;
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  uint64_t Unsigned() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return Fail("the snapshot ends early"), 0;
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
    if (left() < 8) return Fail("the snapshot ends early"), v;
    std::memcpy(&v, bytes_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  // A count of items that take at least one byte each: never more than the bytes left, so a
  // damaged count cannot ask for gigabytes.
  size_t Count() {
    const uint64_t n = Unsigned();
    if (n > left()) return Fail("a count of " + std::to_string(n) + " is more than the bytes left"), 0;
    return static_cast<size_t>(n);
  }
  void Text(std::string& out) {
    const size_t n = Count();
    out.assign(bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view View(size_t n) {
    if (n > left()) return Fail("the snapshot ends early"), std::string_view();
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
  void Criterion(CriterionState& c) {
    c.status = Enum<BantStatus>(4, "qualification status");
    Text(c.evidence);
    Optional(c.confidence);
    c.at = Signed();
  }
  void ReadLead(Lead& l) {
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
    for (Event& e : l.events) {
      Text(e.type);
      e.at = Signed();
      e.props = Json();
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
  }

 private:
  std::string_view bytes_;
  size_t pos_;
  std::string error_;
  size_t error_at_ = 0;
};

}  // namespace

bool Workspace::IsSnapshot(std::string_view bytes) { return bytes.substr(0, kMagic.size()) == kMagic; }

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
  LoadReport report;
  const auto refuse = [&](std::string message) {
    report.errors.push_back({"", "this snapshot cannot be read: " + std::move(message)});
    return report;
  };
  if (!IsSnapshot(bytes)) return refuse("it does not start with \"LKSNAP1\"");
  if (bytes.size() < kBodyStart) return refuse("it ends after " + std::to_string(bytes.size()) + " bytes");
  uint64_t sum;
  std::memcpy(&sum, bytes.data() + kMagic.size(), 8);
  if (sum != SnapshotChecksum(bytes.substr(kBodyStart))) {
    return refuse("it is damaged (its checksum does not match its " + std::to_string(bytes.size()) +
                  " bytes)");
  }
  Reader r(bytes, kBodyStart);
  const std::string_view header_text = r.View(r.Count());
  JsonDoc header;
  if (!r.ok() || !header.ParseAll(header_text)) return refuse("its settings are not JSON");
  ChannelMap channels = channels_;
  std::optional<ScoringModel> model;
  std::optional<Pipeline> pipeline;
  if (!ReadBackupHeader(header.root(), channels, model, pipeline, report)) return report;

  // Read into a store of their own: nothing here changes until every lead has been read, and a
  // repeated id shows as a smaller store.
  const size_t count = r.Count();
  // A batch at a time: the store then grows its ~30 columns once per batch, not once per lead.
  LeadStore staged;
  staged.Reserve(count);
  std::vector<Lead> batch(std::min<size_t>(count, 1024));
  for (size_t i = 0; i < count;) {
    const size_t n = std::min(batch.size(), count - i);
    for (size_t k = 0; k < n; ++k, ++i) {
      r.ReadLead(batch[k]);  // sets every member, so a lead moved from is reused whole
      if (!r.ok()) {
        return refuse(r.error() + " (lead " + std::to_string(i) + ", byte " +
                      std::to_string(r.error_offset()) + ")");
      }
    }
    staged.UpsertMany(std::span(batch.data(), n));
  }
  if (r.left() != 0) return refuse(std::to_string(r.left()) + " bytes follow its last lead");
  if (staged.size() != count) return refuse("two of its leads have the same id");

  channels_ = std::move(channels);
  if (model) {
    model_ = std::move(*model);
    model_set_ = true;
  }
  if (pipeline) pipeline_ = std::move(*pipeline);
  if (store_.size() == 0) {
    store_ = std::move(staged);
  } else {
    store_.Reserve(store_.size() + staged.size());
    for (uint32_t row = 0; row < staged.size(); ++row) store_.Upsert(staged.GetRow(row));
  }
  report.loaded = count;
  ++revision_;
  return report;
}

}  // namespace leadkit
