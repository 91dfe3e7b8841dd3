// The binary snapshot the web app keeps in storage: it must give back exactly the workspace that
// wrote it, and a damaged one must be refused without touching what is loaded.
#include <cstring>
#include <set>

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/sample.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using json = nlohmann::json;

// One lead with every member of struct Lead set to something other than its default.
json EveryField() {
  return json::parse(R"({
    "id": "l-1", "firstName": "Zoë", "lastName": "O'Brien", "email": "zoe@example.com",
    "phone": "+353 1 555 0100", "company": "Acme <b>Ltd</b>", "title": "VP Sales",
    "industry": "Software", "employees": 250, "annualRevenue": 12500000.5,
    "country": "IE", "region": "Leinster", "domain": "example.com", "source": "webinar",
    "stage": "disqualified", "stageReason": "no_budget",
    "bant": {"budget": {"status": "not_met", "evidence": "frozen until Q3", "confidence": 0.8,
                        "at": "2026-11-06T21:20:00Z"},
             "authority": {"status": "met"}, "need": {"status": "partly", "confidence": 0.25},
             "timeline": {"status": "unknown", "evidence": "—"}},
    "qualification": {"meddic": {"champion": {"status": "met", "evidence": "Ana"},
                                 "metrics": {"status": "partly"}}},
    "dealValue": 42000.75, "currency": "EUR", "notes": "line one\nline two\u0000 and a nul",
    "tags": ["hot", "eu", "q3"],
    "custom": {"seats": 12, "trial": true, "plan": "pro", "ratio": -0.5, "big": 18446744073709551615},
    "createdAt": "2026-09-21T14:13:20Z", "updatedAt": "2026-11-12T16:13:20Z",
    "events": [{"type": "page_view", "at": "2026-11-08T01:06:40Z", "props": {"path": "/pricing", "n": [1, 2.5, null, false, {"deep": "x"}]}},
               {"type": "webinar_attended", "at": "2026-11-09T04:53:20Z"}],
    "touches": [{"channel": "call", "outcome": "connected", "at": "2026-11-10T08:40:00Z", "note": "spoke to Ana"},
                {"channel": "email", "outcome": "sent", "at": "2026-11-09T18:46:40Z"}],
    "history": [{"at": "2026-11-11T12:26:40Z", "from": "new", "to": "disqualified", "reason": "no_budget",
                 "actor": "sam", "note": "maybe next year"}],
    "cadence": {"key": "outbound_9", "startedAt": "2026-11-08T15:00:00Z"},
    "tasks": [{"id": "task-1", "title": "Call back about the quote", "due": "2026-11-12T10:00:00Z",
               "createdAt": "2026-11-10T09:00:00Z"},
              {"id": "task-2", "title": "Send the case study", "due": "2026-11-09T10:00:00Z",
               "doneAt": "2026-11-09T11:00:00Z", "createdAt": "2026-11-08T09:00:00Z"}]
  })");
}

Workspace LoadedWith(const json& leads) {
  Workspace ws;
  const LoadReport r = ws.Load(leads, testing::kNow);
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  return ws;
}

TEST(SnapshotTest, EveryFieldRoundTrips) {
  const Workspace ws = LoadedWith(json::array({EveryField()}));
  ASSERT_TRUE(ws.store().Get("l-1"));
  const Lead original = *ws.store().Get("l-1");
  // The lead really has every member set, so a member the snapshot forgot would show.
  EXPECT_NE(original.cadence, Enrollment{});
  EXPECT_FALSE(original.qualification.empty());
  EXPECT_FALSE(original.custom.is_null());
  EXPECT_FALSE(original.history.empty());
  EXPECT_EQ(original.tasks.size(), 2u);

  const std::string bytes = ws.ExportSnapshot();
  EXPECT_TRUE(Workspace::IsSnapshot(bytes));
  Workspace back;
  const LoadReport r = back.LoadSnapshot(bytes);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(r.loaded, 1u);
  ASSERT_TRUE(back.store().Get("l-1"));
  EXPECT_EQ(*back.store().Get("l-1"), original);
  EXPECT_EQ(back.ExportText(), ws.ExportText());
}

// A version 1 snapshot (before tasks) written by an older build still opens, as the same leads.
TEST(SnapshotTest, VersionOneSnapshotsStillLoad) {
  json lead = EveryField();
  lead.erase("tasks");
  const Workspace ws = LoadedWith(json::array({lead}));
  std::string bytes = ws.ExportSnapshot();
  // The same leads in version 1: the magic says 1, and each lead lacks the tasks count (one zero
  // byte, the last byte of the lead); the checksum is taken again.
  ASSERT_EQ(bytes.back(), '\0');
  bytes.pop_back();
  bytes.replace(0, 8, "LKSNAP1\n");
  const uint64_t sum = SnapshotChecksum(std::string_view(bytes).substr(16));
  std::memcpy(bytes.data() + 8, &sum, 8);
  Workspace back;
  const LoadReport r = back.LoadSnapshot(bytes);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(back.ExportText(), ws.ExportText());
}

TEST(SnapshotTest, SettingsTravelWithTheLeads) {
  Workspace ws = LoadedWith(json::array({EveryField(), {{"id", "l-2"}, {"email", "b@x.com"}}}));
  ASSERT_TRUE(ws.SetScoringModel({{"rules", "rule \"Big\" when employees >= 200 then +15"}}).ok());
  ASSERT_TRUE(ws.SetChannels({{"trade_show", "outbound"}}).ok());
  Workspace back;
  ASSERT_TRUE(back.LoadSnapshot(ws.ExportSnapshot()).errors.empty());
  EXPECT_EQ(back.ExportText(), ws.ExportText());
  EXPECT_EQ(back.ScoreAll(testing::kNow), ws.ScoreAll(testing::kNow));
}

TEST(SnapshotTest, OneHundredThousandSampleLeadsRestoreExactlyInLessThanHalfTheBytes) {
  Workspace ws;
  const std::string text = SampleLeads(100'000, 7, testing::kNow).dump();
  ASSERT_TRUE(ws.LoadJson(text, testing::kNow).errors.empty());
  const std::string bytes = ws.ExportSnapshot();
  EXPECT_LT(bytes.size(), ws.ExportText().size() / 2);
  Workspace back;
  const LoadReport r = back.LoadSnapshot(bytes);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(r.loaded, 100'000u);
  EXPECT_EQ(back.ExportText(), ws.ExportText());
  EXPECT_EQ(back.ScoreAll(testing::kNow), ws.ScoreAll(testing::kNow));
}

TEST(SnapshotTest, LoadsOverLeadsAlreadyThereLikeABackup) {
  const Workspace source = LoadedWith(json::array({EveryField()}));
  Workspace ws = LoadedWith(json::array({{{"id", "l-1"}, {"email", "old@x.com"}},
                                         {{"id", "l-9"}, {"email", "keep@x.com"}}}));
  ASSERT_TRUE(ws.LoadSnapshot(source.ExportSnapshot()).errors.empty());
  EXPECT_EQ(ws.store().size(), 2u);
  EXPECT_EQ(ws.store().Get("l-1")->email, "zoe@example.com");
  EXPECT_EQ(ws.store().Get("l-9")->email, "keep@x.com");
}

// Every truncation and every flipped byte of a snapshot is refused with a message, and the
// workspace it was loaded into keeps what it had.
TEST(SnapshotTest, DamageIsRefusedAndChangesNothing) {
  const Workspace source =
      LoadedWith(json::array({EveryField(), {{"id", "l-2"}, {"email", "b@x.com"}, {"tags", {"x"}}}}));
  const std::string bytes = source.ExportSnapshot();
  Workspace ws = LoadedWith(json::array({{{"id", "kept"}, {"email", "kept@x.com"}}}));
  const std::string before = ws.ExportText();
  const uint64_t revision = ws.revision();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const LoadReport r = ws.LoadSnapshot(bytes.substr(0, n));
    ASSERT_FALSE(r.errors.empty()) << "truncated to " << n << " bytes";
    EXPECT_EQ(r.errors[0].message.rfind("this snapshot cannot be read: ", 0), 0u) << r.errors[0].message;
  }
  for (size_t at = 0; at < bytes.size(); ++at) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    ASSERT_FALSE(ws.LoadSnapshot(damaged).errors.empty()) << "byte " << at << " flipped";
  }
  EXPECT_EQ(ws.ExportText(), before);
  EXPECT_EQ(ws.revision(), revision);
  const LoadReport extra = ws.LoadSnapshot(bytes + "x");
  ASSERT_FALSE(extra.errors.empty());
}

// The checksum catches accidents; the reader must also survive bytes written to look valid:
// a snapshot whose checksum is recomputed after damage is read without crashing, and either
// refused with the lead and byte of the problem or read into well-formed leads.
TEST(SnapshotTest, ForgedChecksumsAreReadSafely) {
  const Workspace source = LoadedWith(json::array({EveryField()}));
  const std::string bytes = source.ExportSnapshot();
  size_t refused_with_place = 0;
  for (size_t at = 16; at < bytes.size(); ++at) {
    for (const char value : {'\x00', '\x07', '\x7f', '\xff'}) {
      std::string forged = bytes;
      forged[at] = value;
      const uint64_t sum = SnapshotChecksum(std::string_view(forged).substr(16));
      std::memcpy(forged.data() + 8, &sum, 8);
      Workspace ws;
      const LoadReport r = ws.LoadSnapshot(forged);
      if (!r.errors.empty() && r.errors[0].message.find("(lead 0, byte ") != std::string::npos) {
        ++refused_with_place;
      }
      if (r.errors.empty()) {
        for (uint32_t row = 0; row < ws.store().size(); ++row) {
          EXPECT_FALSE(LeadToJson(ws.store().GetRow(row), ws.channels()).is_null());
        }
      }
    }
  }
  EXPECT_GT(refused_with_place, 0u);
}

// Read in parts as a stream delivers them: every part size gives the same workspace, nothing
// changes before the end, and damage found on the way is still refused at the end.
TEST(SnapshotTest, PartsAsTheyArriveReadTheSameAsTheWhole) {
  Workspace source;
  ASSERT_TRUE(source.LoadJson(SampleLeads(300, 11, testing::kNow).dump(), testing::kNow).errors.empty());
  ASSERT_TRUE(source.Upsert(EveryField(), testing::kNow).ok());
  const std::string bytes = source.ExportSnapshot();
  for (const size_t part : {size_t{1}, size_t{7}, size_t{333}, size_t{4096}, bytes.size()}) {
    Workspace ws;
    auto reading = ws.BeginSnapshot(bytes.size());
    for (size_t end = std::min(part, bytes.size()); end < bytes.size(); end += part) {
      ws.ContinueSnapshot(*reading, std::string_view(bytes).substr(0, end));
      ASSERT_EQ(ws.store().size(), 0u) << "part " << part;
    }
    if (part < bytes.size()) {
      EXPECT_GT(reading->read, 0u) << "leads are read before the last part, part " << part;
    }
    const LoadReport r = ws.EndSnapshot(std::move(reading), bytes);
    ASSERT_TRUE(r.errors.empty()) << "part " << part << ": " << r.errors[0].ToString();
    EXPECT_EQ(ws.ExportText(), source.ExportText()) << "part " << part;
  }
  // A bad stage code in lead 0, under a checksum that matches: found on the way, refused at the end.
  Workspace one = LoadedWith(json::array({EveryField()}));
  std::string forged = one.ExportSnapshot();
  const std::string domain_then_source = "\x0b" "example.com" "\x07" "webinar";
  const size_t stage_at = forged.find(domain_then_source) + domain_then_source.size();  // then the stage
  ASSERT_EQ(forged[stage_at], static_cast<char>(Stage::kDisqualified));
  forged[stage_at] = 42;
  const uint64_t sum = SnapshotChecksum(std::string_view(forged).substr(16));
  std::memcpy(forged.data() + 8, &sum, 8);
  Workspace ws;
  auto reading = ws.BeginSnapshot(forged.size());
  ws.ContinueSnapshot(*reading, std::string_view(forged).substr(0, forged.size() - 3));
  ASSERT_FALSE(reading->errors.empty());
  const LoadReport r = ws.EndSnapshot(std::move(reading), forged);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("no stage has the code 42 (lead 0, byte "), std::string::npos) << r.errors[0].message;
  EXPECT_EQ(ws.store().size(), 0u);
}

// Reads `bytes` as the web app streams a snapshot from storage: parts of `part` bytes into a
// buffer that drops what ContinueSnapshot no longer needs. Notes the most the buffer held.
LoadReport ReadThroughWindow(Workspace& ws, const std::string& bytes, size_t part, size_t& most_held) {
  auto reading = ws.BeginSnapshot(bytes.size());
  std::string held;
  size_t from = 0;
  most_held = 0;
  for (size_t at = 0; at < bytes.size(); at += part) {
    held += bytes.substr(at, part);
    most_held = std::max(most_held, held.size());
    const size_t keep = ws.ContinueSnapshot(*reading, held, from);
    EXPECT_GE(keep, from);
    held.erase(0, keep - from);
    from = keep;
    if (ws.store().size() != 0) {
      ADD_FAILURE() << "leads landed before the end";
    }
  }
  return ws.EndSnapshot(std::move(reading), held, from);
}

// Streamed through a buffer that keeps only what is not read yet: the same workspace as reading
// the whole, a buffer of a part and a lead or so rather than the snapshot's size, and every
// flipped byte refused with the message reading the whole gives.
TEST(SnapshotTest, AWindowThatDropsWhatWasReadReadsTheSameAsTheWhole) {
  Workspace source;
  ASSERT_TRUE(source.LoadJson(SampleLeads(300, 11, testing::kNow).dump(), testing::kNow).errors.empty());
  ASSERT_TRUE(source.Upsert(EveryField(), testing::kNow).ok());
  const std::string bytes = source.ExportSnapshot();
  // The settings come first and are read whole: their length is the varint after the checksum.
  size_t length = 0, at = 16;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(bytes[at++]);
    length |= size_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) break;
  }
  const size_t header = at + length;  // where the settings' text ends
  ASSERT_GT(header, 100u);
  ASSERT_LT(header + 2048, bytes.size() / 4);
  for (const size_t part : {size_t{1}, size_t{7}, size_t{333}, size_t{4096}, bytes.size()}) {
    Workspace ws;
    size_t most_held = 0;
    const LoadReport r = ReadThroughWindow(ws, bytes, part, most_held);
    ASSERT_TRUE(r.errors.empty()) << "part " << part << ": " << r.errors[0].ToString();
    EXPECT_EQ(ws.ExportText(), source.ExportText()) << "part " << part;
    if (part < bytes.size()) {
      EXPECT_LT(most_held, std::max(header + 64, part) + 2048) << "part " << part;
    }
  }
  for (size_t at = 0; at < bytes.size(); at += 97) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    Workspace whole, streamed;
    const LoadReport expected = whole.LoadSnapshot(damaged);
    size_t most_held = 0;
    const LoadReport r = ReadThroughWindow(streamed, damaged, 333, most_held);
    ASSERT_FALSE(r.errors.empty()) << "byte " << at;
    EXPECT_EQ(r.errors[0].message, expected.errors[0].message) << "byte " << at;
    EXPECT_EQ(streamed.store().size(), 0u);
  }
  // A reader that drops bytes not yet read is told so, and nothing lands.
  Workspace ws;
  auto reading = ws.BeginSnapshot(bytes.size());
  const size_t keep = ws.ContinueSnapshot(*reading, std::string_view(bytes).substr(0, 5000), 0);
  ws.ContinueSnapshot(*reading, std::string_view(bytes).substr(keep + 100), keep + 100);
  const LoadReport r = ws.EndSnapshot(std::move(reading), std::string_view(bytes).substr(keep + 100), keep + 100);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(ws.store().size(), 0u);
}

// Found by tests/fuzz/snapshot_fuzz: text that is not UTF-8 once loaded made every later export
// throw. It is refused at the lead that holds it.
// Event props are read once per distinct encoding and looked up after that: props that repeat
// come back as one stored object, and props that differ only late in their bytes, or only in a
// number's type, stay apart, whole or through a window that splits them across parts.
TEST(SnapshotTest, RepeatedEventPropsComeBackSharedAndDistinctOnesStayApart) {
  const json props = json::array({json::object({{"path", "/pricing"}}), json::object({{"path", "/pricinh"}}),
                                  json::object({{"n", 1}}), json::object({{"n", 1.5}}),
                                  json::object({{"path", "/pricing"}, {"q", json::array({1, "a", nullptr})}}), nullptr});
  json leads = json::array();
  for (int i = 0; i < 600; ++i) {
    json events = json::array();
    for (int k = 0; k < 3; ++k) {
      json e = {{"type", "page_view"}, {"at", "2026-11-08T01:06:40Z"}};
      if (!props[(i + k) % 6].is_null()) e["props"] = props[(i + k) % 6];
      events.push_back(std::move(e));
    }
    leads.push_back({{"id", "p" + std::to_string(i)}, {"company", "Acme"}, {"events", std::move(events)}});
  }
  const Workspace source = LoadedWith(leads);
  const std::string bytes = source.ExportSnapshot();
  for (const size_t part : {size_t{5}, size_t{4096}, bytes.size()}) {
    Workspace ws;
    size_t most_held = 0;
    const LoadReport r = ReadThroughWindow(ws, bytes, part, most_held);
    ASSERT_TRUE(r.errors.empty()) << "part " << part << ": " << r.errors[0].ToString();
    EXPECT_EQ(ws.ExportText(), source.ExportText()) << "part " << part;
    std::set<uint32_t> codes;
    for (const auto& events : ws.store().events()) {
      for (const auto& e : events) codes.insert(e.props);
    }
    EXPECT_EQ(codes.size(), 6u) << "part " << part;  // five objects and "none"
    ASSERT_TRUE(ws.store().Get("p4"));
    const Lead p4 = *ws.store().Get("p4");
    ASSERT_EQ(p4.events.size(), 3u);
    EXPECT_EQ(p4.events[0].props, props[4]);
    EXPECT_TRUE(p4.events[1].props.is_null());
    EXPECT_EQ(p4.events[2].props, props[0]);
  }
}

TEST(SnapshotTest, TextThatIsNotUtf8IsRefused) {
  const Workspace one = LoadedWith(json::array({EveryField()}));
  std::string forged = one.ExportSnapshot();
  const size_t at = forged.find("Zo\xC3\xAB");
  ASSERT_NE(at, std::string::npos);
  forged[at + 3] = '\x28';  // "ë" loses its second byte
  const uint64_t sum = SnapshotChecksum(std::string_view(forged).substr(16));
  std::memcpy(forged.data() + 8, &sum, 8);
  Workspace ws;
  const LoadReport r = ws.LoadSnapshot(forged);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("text that is not UTF-8 (lead 0, byte "), std::string::npos) << r.errors[0].message;
  EXPECT_EQ(ws.store().size(), 0u);
}

// The reader refuses a count of leads the bytes cannot hold before reserving room for them; that
// rests on no lead taking fewer than 40 bytes.
TEST(SnapshotTest, CountsAreBoundedByTheBytes) {
  const Workspace none;
  Workspace one;
  ASSERT_TRUE(one.Upsert({{"id", "x"}, {"company", "y"}}, testing::kNow).ok());
  EXPECT_GE(one.ExportSnapshot().size() - none.ExportSnapshot().size(), 40u);

  std::string forged = none.ExportSnapshot();
  forged.back() = '\x05';  // the count of leads, after the settings: 5 leads in 100 bytes
  forged.append(100, '\0');
  const uint64_t sum = SnapshotChecksum(std::string_view(forged).substr(16));
  std::memcpy(forged.data() + 8, &sum, 8);
  Workspace ws;
  const LoadReport r = ws.LoadSnapshot(forged);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("it says it holds 5 leads, more than its 100 bytes can"), std::string::npos)
      << r.errors[0].message;
}

TEST(SnapshotTest, JsonIsNotASnapshot) {
  Workspace ws;
  EXPECT_FALSE(Workspace::IsSnapshot("[]"));
  EXPECT_FALSE(Workspace::IsSnapshot(ws.ExportText()));
  const LoadReport r = ws.LoadSnapshot(ws.ExportText());
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("LKSNAP2"), std::string::npos);
  // An empty workspace makes a snapshot too.
  ASSERT_TRUE(ws.LoadSnapshot(ws.ExportSnapshot()).errors.empty());
  EXPECT_EQ(ws.store().size(), 0u);
}

}  // namespace
}  // namespace leadkit
