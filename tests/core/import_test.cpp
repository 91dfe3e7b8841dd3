// CSV import into a workspace, over the golden cases in tests/fixtures/csv_imports.json and
// bad_csv.json that the JS tests run too.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "leadkit/csv.hpp"
#include "leadkit/import.hpp"
#include "leadkit/sample.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Imports `csv` in chunks of `chunk` bytes and commits when the import finishes.
Result<ImportReport> Import(Workspace& ws, std::string_view csv, const json& options, size_t chunk = 7) {
  auto o = ImportOptions::FromJson(options, testing::kNow);
  if (!o) return o.error();
  CsvImport import(ws, std::move(o.value()));
  for (size_t at = 0; at < csv.size(); at += chunk) {
    if (auto s = import.Feed(csv.substr(at, chunk)); !s) return s.error();
  }
  auto report = import.Finish();
  if (!report) return report.error();
  if (auto s = ws.CommitImport(import); !s) return s.error();
  return report;
}

class CsvImportCase : public ::testing::TestWithParam<json> {};

TEST_P(CsvImportCase, LandsTheRowsItShouldAndReportsTheRest) {
  const json c = GetParam();
  const json& expect = c["expect"];
  Workspace ws;
  if (c.contains("existing")) {
    ASSERT_TRUE(ws.Load(c["existing"], testing::kNow).errors.empty());
  }
  auto r = Import(ws, c["csv"].get<std::string>(), c.value("options", json(nullptr)));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const ImportReport& report = r.value();
  if (expect.contains("preset")) {
    EXPECT_EQ(report.mapping.preset, expect["preset"]);
  }
  EXPECT_EQ(report.imported, expect.value("imported", 0));
  EXPECT_EQ(report.updated, expect.value("updated", 0));
  EXPECT_EQ(report.skipped, expect.value("skipped", 0));
  EXPECT_EQ(report.rejected_rows, expect.value("rejectedRows", 0));
  EXPECT_EQ(report.imported + report.updated + report.skipped + report.rejected_rows,
            static_cast<size_t>(report.rows));
  if (expect.contains("duplicates")) {
    EXPECT_EQ(report.duplicates, expect["duplicates"]);
  }
  if (expect.contains("size")) {
    EXPECT_EQ(ws.store().size(), expect["size"]);
  }
  if (expect.contains("rejected")) {
    ASSERT_EQ(report.rejected.size(), expect["rejected"].size());
    for (size_t i = 0; i < report.rejected.size(); ++i) {
      const json& e = expect["rejected"][i];
      EXPECT_EQ(report.rejected[i].row, e["row"]) << i;
      EXPECT_EQ(report.rejected[i].column, e["column"]) << i;
      EXPECT_NE(report.rejected[i].reason.find(e["reasonIncludes"].get<std::string>()), std::string::npos)
          << report.rejected[i].reason;
    }
  }
  for (const json& part : expect.value("rejectedCsvIncludes", json::array())) {
    EXPECT_NE(report.rejected_csv.find(part.get<std::string>()), std::string::npos) << report.rejected_csv;
  }
  const json all = ws.Query({{"limit", 1000}}).value()["rows"];
  for (const json& want : expect.value("leads", json::array())) {
    const json* got = nullptr;
    for (const json& lead : all) {
      if ((want.contains("id") && lead["id"] == want["id"]) ||
          (!want.contains("id") && want.contains("email") && lead.value("email", "") == want["email"]) ||
          (!want.contains("id") && !want.contains("email") && lead.value("firstName", "") == want["firstName"])) {
        got = &lead;
      }
    }
    ASSERT_NE(got, nullptr) << "no lead like " << want.dump();
    for (const auto& [key, value] : want.items()) EXPECT_EQ((*got).value(key, json()), value) << key;
    for (const json& key : expect.value("absentKeys", json::array())) {
      const std::string k = key.get<std::string>();
      EXPECT_TRUE(!got->contains(k) || (*got)[k].empty()) << k << ": " << (*got)[k].dump();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CsvImportCase, ::testing::ValuesIn(testing::FixtureCases("csv_imports.json")),
                         testing::CaseName());

class BadCsv : public ::testing::TestWithParam<json> {};

TEST_P(BadCsv, IsRefusedWithAClearReasonAndChangesNothing) {
  const json c = GetParam();
  Workspace ws = testing::FixtureWorkspace();
  const std::string before = ws.Export().dump();
  const std::string bytes = c.contains("hex") ? FromHex(c["hex"]) : c["bytes"].get<std::string>();
  auto r = Import(ws, bytes, c.value("options", json(nullptr)));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().ToString().find(c["error"].get<std::string>()), std::string::npos) << r.error().ToString();
  if (c.contains("row")) {
    EXPECT_EQ(r.error().where.row, c["row"]);
  }
  EXPECT_EQ(ws.Export().dump(), before);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadCsv, ::testing::ValuesIn(testing::FixtureCases("bad_csv.json")),
                         testing::CaseName());

TEST(CsvImport, AOneMegabyteFieldIsRejectedForItsRowOnly) {
  Workspace ws = testing::FixtureWorkspace();
  const size_t before = ws.store().size();
  const std::string csv = "Email,Notes\r\nbig@field.com,\"" + std::string(1 << 20, 'x') + "\"\r\nsmall@field.com,hi\r\n";
  auto r = Import(ws, csv, nullptr, 1 << 16);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r.value().rejected.size(), 1u);
  EXPECT_EQ(r.value().rejected[0].row, 2);
  EXPECT_EQ(r.value().rejected[0].column, "Notes");
  EXPECT_NE(r.value().rejected[0].reason.find("longer than"), std::string::npos);
  EXPECT_EQ(ws.store().size(), before + 1);
}

TEST(CsvImport, MixedEncodingsRejectTheRowsThatAreNotUtf8) {
  Workspace ws;
  // Row 3 was typed in Latin-1: "Müller" as 0x4D 0xFC 0x6C 0x6C 0x65 0x72.
  const std::string csv = "Name,Email\nJosé Núñez,jose@x.com\nM\xFCller,mueller@x.com\nZoë,zoe@x.com\n";
  auto r = Import(ws, csv, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().imported, 2u);
  ASSERT_EQ(r.value().rejected.size(), 1u);
  EXPECT_EQ(r.value().rejected[0].row, 3);
  EXPECT_EQ(r.value().rejected[0].column, "Name");
  EXPECT_NE(r.value().rejected[0].reason.find("UTF-8"), std::string::npos);
}

TEST(CsvImport, ACellCutInsideAUtf8CharacterRejectsOnlyItsRowAndTheReportIsText) {
  Workspace ws;
  // Rows 3 and 4 end a quoted cell inside a character: the first byte of "é" (C3), and two of
  // the three bytes of "€" (E2 82).
  const std::string csv = "Name,Email\nAnn,ann@x.com\n\"Bj\xC3\",bj@x.com\n\"Eu\xE2\x82\",eu@x.com\nCy,cy@x.com\n";
  for (size_t chunk : {size_t{3}, size_t{1} << 16}) {
    Workspace fresh;
    auto r = Import(fresh, csv, nullptr, chunk);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r.value().imported, 2u);
    ASSERT_EQ(r.value().rejected.size(), 2u);
    EXPECT_EQ(r.value().rejected[0].row, 3);
    EXPECT_EQ(r.value().rejected[0].column, "Name");
    EXPECT_EQ(r.value().rejected[1].row, 4);
    EXPECT_EQ(r.value().rejected[1].column, "Name");
    // The report goes to JS as JSON: it must be text, so the cut bytes read as U+FFFD.
    EXPECT_TRUE(IsValidUtf8(r.value().rejected_csv));
    EXPECT_NE(r.value().rejected_csv.find("\nBj\xEF\xBF\xBD,bj@x.com,"), std::string::npos) << r.value().rejected_csv;
    std::string text;
    EXPECT_NO_THROW(text = r.value().ToJson().dump());
    EXPECT_EQ(fresh.store().size(), 2u);
  }
}

TEST(CsvImport, AThousandColumnsImportWhatMapsAndSayWhatWasLeftOut) {
  std::string header = "Email,Company", row = "wide@x.com,Wide";
  for (int i = 0; i < 998; ++i) {
    header += ",Extra " + std::to_string(i);
    row += "," + std::to_string(i);
  }
  Workspace ws;
  auto r = Import(ws, header + "\n" + row + "\n", nullptr, 4096);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value().imported, 1u);
  ASSERT_EQ(r.value().mapping.notes.size(), 1u);
  EXPECT_NE(r.value().mapping.notes[0].find("958 columns are not imported"), std::string::npos)
      << r.value().mapping.notes[0];
  const json lead = ws.Query({{"limit", 1}}).value()["rows"][0];
  EXPECT_EQ(lead["custom"].size(), 40u);
  EXPECT_EQ(lead["custom"]["extra0"], 0);
}

TEST(CsvImport, RejectedRowsFixedAndReimportedLand) {
  Workspace ws;
  auto first = Import(ws, "Email,Employees\nfix@me.com,many\nok@me.com,5\n", nullptr);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first.value().rejected_rows, 1u);
  std::string fixed = first.value().rejected_csv;
  fixed.replace(fixed.find("many"), 4, "12");
  auto second = Import(ws, fixed, nullptr);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second.value().imported, 1u);
  EXPECT_EQ(second.value().rejected_rows, 0u);
  EXPECT_EQ(ws.store().size(), 2u);
  for (const json& lead : ws.Query({{"limit", 5}}).value()["rows"]) {
    EXPECT_TRUE(lead.value("custom", json::object()).empty()) << lead.dump();  // no "leadkit error"
  }
}

TEST(CsvImport, ACommitAfterTheWorkspaceChangedIsRefused) {
  Workspace ws;
  auto o = ImportOptions::FromJson(nullptr, testing::kNow);
  CsvImport import(ws, o.value());
  ASSERT_TRUE(import.Feed("Email\nlate@x.com\n").ok());
  ASSERT_TRUE(import.Finish().ok());
  ASSERT_TRUE(ws.Upsert({{"email", "meanwhile@x.com"}}, testing::kNow).ok());
  EXPECT_FALSE(ws.CommitImport(import).ok());
  EXPECT_EQ(ws.store().size(), 1u);
}

// The import's progress bar counts records in a first pass; the count must be what the reader
// will deliver, or the bar stops short or runs past 100%.
TEST(CsvRecordCounter, CountsWhatTheReaderDeliversForTheSameDelimiter) {
  struct Case {
    std::string text;
    char delimiter;  // 0: sniffed
  };
  const std::vector<Case> cases = {
      {"a,b\n1,2\n\n3,4", 0},
      {"a,b\r\n\"x\r\ny\",2\r\n", 0},
      {"a|b\n1|\"two\nlines\"\n3|4\n", '|'},    // a quote after the given delimiter opens
      {"a;b\n1,\"x\n2;y\n", ';'},                // after another candidate it is text
      {"\xEF\"\xBB\xBF\na\n\"b\nc\"\n", 0},       // a broken byte order mark is text
      {"\xEF\xBB\xBFname\n\"\"\n5'10\"\nx\n", 0},  // `""` is a record; a mid-field quote text
  };
  for (const auto& c : cases) {
    CsvOptions options;
    options.delimiter = c.delimiter;
    CsvReader reader(options);
    int64_t delivered = 0;
    const auto sink = [&delivered](const CsvRecord&) { return ++delivered > 0; };
    ASSERT_TRUE(reader.Feed(c.text, sink));
    ASSERT_TRUE(reader.Finish(sink));
    CsvRecordCounter counter(reader.delimiter());
    for (char ch : c.text) counter.Feed(std::string_view(&ch, 1));
    EXPECT_EQ(counter.Finish(), delivered) << ::testing::PrintToString(c.text);
  }
}

TEST(CsvExport, WritesChosenColumnsWithScoresAndTopReasons) {
  Workspace ws;
  ASSERT_TRUE(ws.SetScoringModel({{"rules", "rule \"Senior title\" when title has_any [\"VP\"] then +20"}}).ok());
  ASSERT_TRUE(Import(ws, "Email,Company,Title\nvp@x.com,\"=HYPERLINK(\"\"x\"\")\",VP Sales\n", nullptr).ok());
  const auto csv = ws.ExportCsv({{"columns", {"email", "company"}}}, testing::kNow);
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  EXPECT_EQ(csv.value().substr(0, csv.value().find("\r\n")),
            "email,company,fit,engagement,score,grade,matrix,qualifiesAs,topReasons");
  EXPECT_NE(csv.value().find("\"'=HYPERLINK(\"\"x\"\")\""), std::string::npos) << csv.value();
  // Leadkit's own reasons are not formulas: no apostrophe before "+20".
  EXPECT_NE(csv.value().find(",+20 Senior title; "), std::string::npos) << csv.value();
  EXPECT_FALSE(ws.ExportCsv({{"columns", {"emial"}}}, testing::kNow).ok());
}

TEST(CsvExport, GuardsFormulasBehindBlanksTabsAndCarriageReturns) {
  for (const char* cell : {"=1+1", "+1 555", "-2", "@SUM(A1)", "  =cmd", " +1", "\t=1", "\tplain", "\r@x", "\rplain",
                           "'=1", "''\t1"}) {
    EXPECT_TRUE(NeedsFormulaGuard(cell)) << cell;
    EXPECT_EQ(UnguardFormula("'" + std::string(cell)), cell);
  }
  for (const char* cell : {"", "plain", "a=b", "  ", " x=1", "'", "'plain", "\n=1"}) {
    EXPECT_FALSE(NeedsFormulaGuard(cell)) << cell;
  }
  EXPECT_EQ(UnguardFormula("'plain"), "'plain");  // an apostrophe the guard did not write stays
  EXPECT_EQ(UnguardFormula("'"), "'");

  Workspace ws;
  ASSERT_TRUE(ws.Upsert({{"id", "l1"}, {"company", "Acme"}, {"notes", "\t=HYPERLINK(1)"},
                         {"custom", {{"a", "  =cmd|' /C calc'!A0"}, {"b", "\r+1"}, {"c", " @SUM(1)"}}}},
                        testing::kNow)
                  .ok());
  const auto csv = ws.ExportCsv({{"columns", {"notes", "custom.a", "custom.b", "custom.c"}}, {"scores", false}},
                                testing::kNow);
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  EXPECT_EQ(csv.value(), "notes,custom.a,custom.b,custom.c\r\n"
                         "\"'\t=HYPERLINK(1)\",\"'  =cmd|' /C calc'!A0\",\"'\r+1\",\"' @SUM(1)\"\r\n");
  CsvWriter writer(',', true);
  writer.Row({"\t=1", " -1", "ok"});
  EXPECT_EQ(writer.text(), "\"'\t=1\",\"' -1\",ok\r\n");
}

TEST(CsvImport, LeadkitsOwnExportImportsBackAsTheSameLeads) {
  Workspace ws;
  ASSERT_TRUE(ws.Load(SampleLeads(50, 7, testing::kNow), testing::kNow).errors.empty());
  ASSERT_TRUE(ws.Upsert({{"firstName", "=Eve"}, {"lastName", "\t+Tab"}, {"email", "eve@x.com"},
                         {"phone", "+1 555 0100"}, {"company", "@Acme, \"Inc\"\nLine"},
                         {"notes", "  -2+3 <script>alert(1)</script> Zoë €"}, {"tags", {"-vip", "=x"}},
                         {"dealValue", 1234.5}, {"employees", 12}, {"custom", {{"note", "\r=1"}}}},
                        testing::kNow)
                  .ok());
  const json columns = {"id", "firstName", "lastName", "email", "phone", "company", "title", "industry",
                        "employees", "annualRevenue", "country", "region", "domain", "source", "stage",
                        "dealValue", "currency", "notes", "tags", "createdAt", "custom.note"};
  const auto csv = ws.ExportCsv({{"columns", columns}}, testing::kNow);
  ASSERT_TRUE(csv.ok()) << csv.error().ToString();
  Workspace back;
  auto r = Import(back, csv.value(), nullptr, 4096);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value().mapping.preset, "leadkit");
  EXPECT_EQ(r.value().rejected_rows, 0u) << (r.value().rejected.empty() ? "" : r.value().rejected[0].reason);
  ASSERT_EQ(back.store().size(), ws.store().size());
  for (const json& row : ws.Query({{"limit", 100}}).value()["rows"]) {
    const std::string id = row["id"];
    const json lead = ws.GetJson(id).value();
    const auto copy = back.GetJson(id);
    ASSERT_TRUE(copy.has_value()) << id;
    for (const char* key : {"firstName", "lastName", "email", "phone", "company", "title", "industry", "employees",
                            "annualRevenue", "country", "region", "domain", "source", "stage", "dealValue",
                            "currency", "notes", "tags", "createdAt"}) {
      EXPECT_EQ(copy->value(key, json()), lead.value(key, json())) << id << " " << key;
    }
    EXPECT_EQ(copy->value("custom", json::object()).value("note", json()),
              lead.value("custom", json::object()).value("note", json())) << id;
  }
}

TEST(Backup, OneHundredThousandLeadsWithEventsAndHistoryRestoreExactly) {
  Workspace ws;
  ASSERT_TRUE(ws.LoadJson(SampleLeads(100'000, 7, testing::kNow).dump(), testing::kNow).errors.empty());
  ASSERT_TRUE(ws.SetScoringModel({{"rules", "rule \"Big\" when employees >= 500 then +10"}}).ok());
  const std::string backup = ws.Export().dump();
  Workspace restored;
  ASSERT_TRUE(restored.Upsert({{"email", "gone@x.com"}}, testing::kNow).ok());  // replaced whole
  const LoadReport r = restored.Restore(backup, testing::kNow + 1000);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].ToString();
  EXPECT_EQ(restored.store().size(), 100'000u);
  EXPECT_EQ(restored.Export().dump(), backup);
  EXPECT_EQ(restored.ScoreAll(testing::kNow), ws.ScoreAll(testing::kNow));
}

}  // namespace
}  // namespace leadkit
