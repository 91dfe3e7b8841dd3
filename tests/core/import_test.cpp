// CSV import into a workspace, over the golden cases in tests/fixtures/csv_imports.json and
// bad_csv.json that the JS tests run too.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"
#include "leadkit/csv.hpp"
#include "leadkit/funnel.hpp"
#include "leadkit/import.hpp"
#include "leadkit/iso_time.hpp"
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
  if (expect.contains("warnedRows")) {
    EXPECT_EQ(report.warned_rows, expect["warnedRows"]);
  }
  const json warnings = expect.value("warnings", json::array());
  ASSERT_EQ(report.warnings.size(), warnings.size());
  EXPECT_EQ(report.warning_count, warnings.size());
  for (size_t i = 0; i < warnings.size(); ++i) {
    const json& w = warnings[i];
    EXPECT_EQ(report.warnings[i].row, w["row"]) << i;
    EXPECT_EQ(report.warnings[i].column, w["column"]) << i;
    EXPECT_EQ(report.warnings[i].field, w["field"]) << i;
    EXPECT_NE(report.warnings[i].message.find(w["messageIncludes"].get<std::string>()), std::string::npos)
        << report.warnings[i].message;
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

TEST(CsvImport, AOneMegabyteNoteIsAWarningOrInStrictModeRejectsItsRowOnly) {
  const std::string csv = "Email,Notes\r\nbig@field.com,\"" + std::string(1 << 20, 'x') + "\"\r\nsmall@field.com,hi\r\n";
  {
    Workspace ws = testing::FixtureWorkspace();
    const size_t before = ws.store().size();
    auto r = Import(ws, csv, {{"strict", true}}, 1 << 16);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ASSERT_EQ(r.value().rejected.size(), 1u);
    EXPECT_EQ(r.value().rejected[0].row, 2);
    EXPECT_EQ(r.value().rejected[0].column, "Notes");
    EXPECT_NE(r.value().rejected[0].reason.find("longer than"), std::string::npos);
    EXPECT_EQ(ws.store().size(), before + 1);
  }
  Workspace ws = testing::FixtureWorkspace();
  const size_t before = ws.store().size();
  auto r = Import(ws, csv, nullptr, 1 << 16);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value().rejected_rows, 0u);
  ASSERT_EQ(r.value().warnings.size(), 1u);
  EXPECT_EQ(r.value().warnings[0].row, 2);
  EXPECT_EQ(r.value().warnings[0].column, "Notes");
  EXPECT_EQ(r.value().warnings[0].field, "notes");
  EXPECT_NE(r.value().warnings[0].message.find("longer than"), std::string::npos);
  EXPECT_EQ(ws.store().size(), before + 2);
  const json big = ws.Query({{"filter", {{"email", "big@field.com"}}}}).value()["rows"][0];
  EXPECT_FALSE(big.contains("notes") && !big["notes"].empty()) << big.dump().substr(0, 200);
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
  auto first = Import(ws, "Email,Employees\nfix@me.com,many\nok@me.com,5\n", {{"strict", true}});
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

// Lenient by default: what makes a row no lead rejects it, an optional cell that cannot be read is
// a warning with its row, column and field, and the lead lands with that field empty. Strict
// rejects the row for any of them.
TEST(CsvImport, OptionalCellsWarnRequiredCellsRejectAndStrictRejectsAll) {
  const std::string csv =
      "Record ID,Email,First Name,Company,Number of Employees,Annual Revenue,Lifecycle Stage,Last Modified Date,Tags\n"
      "1,ana@a.com,Ana,A,approx 200,lots,marketingqualifiedlead,2026-03-01,vip\n"  // two warnings
      "2,bo(at)b.com,Bo,B,10,,lead,,\n"                  // an id: the e-mail is optional
      ",cy(at)c.com,Cy,C,10,,,,\n"                       // no id: the e-mail is the identity
      "4,,,,5,,,,\n"                                     // no e-mail, name or company
      "5,di@d.com,Di,D,12,,Evangelist-ish,2027-06-01,\n"  // unknown stage, a future date
      "6,ed@e.com,Ed,E,3,,,," + std::string(65, 't') + "\n";  // a tag too long
  Workspace ws;
  auto r = Import(ws, csv, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const ImportReport& report = r.value();
  EXPECT_EQ(report.imported, 4u);
  EXPECT_EQ(report.rejected_rows, 2u);
  EXPECT_EQ(report.warned_rows, 4u);
  ASSERT_EQ(report.rejected.size(), 2u);
  EXPECT_EQ(report.rejected[0].row, 4);
  EXPECT_EQ(report.rejected[0].column, "Email");
  EXPECT_EQ(report.rejected[1].row, 5);
  EXPECT_EQ(report.rejected[1].column, "");
  EXPECT_NE(report.rejected[1].reason.find("needs at least one of"), std::string::npos);
  std::vector<std::string> got;
  for (const ImportWarning& w : report.warnings) {
    got.push_back(std::to_string(w.row) + " " + w.column + " " + w.field);
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "2 Number of Employees employees", "2 Annual Revenue annualRevenue", "3 Email email",
                     "6 Lifecycle Stage stage", "6 Last Modified Date updatedAt", "7 Tags tags"}));
  EXPECT_EQ(report.warning_count, 6u);
  EXPECT_NE(report.warnings[0].message.find("\"approx 200\""), std::string::npos) << report.warnings[0].message;
  EXPECT_NE(report.warnings[4].message.find("in the future"), std::string::npos) << report.warnings[4].message;

  const json ana = ws.GetJson("1").value();
  EXPECT_FALSE(ana.contains("employees")) << ana.dump();
  EXPECT_FALSE(ana.contains("annualRevenue")) << ana.dump();
  EXPECT_EQ(ana["stage"], "mql");
  const json bo = ws.GetJson("2").value();
  EXPECT_FALSE(bo.contains("email") && !bo["email"].empty()) << bo.dump();
  EXPECT_EQ(bo["firstName"], "Bo");
  const json di = ws.GetJson("5").value();
  EXPECT_EQ(di["stage"], "new");
  EXPECT_EQ(di["updatedAt"], FormatIsoTime(testing::kNow));
  EXPECT_TRUE(ws.GetJson("6").value().value("tags", json::array()).empty());

  const json out = report.ToJson();
  EXPECT_EQ(out["warnedRows"], 4);
  EXPECT_EQ(out["warningCount"], 6);
  EXPECT_EQ(out["warnings"][0], (json{{"row", 2}, {"column", "Number of Employees"}, {"field", "employees"},
                                      {"message", report.warnings[0].message}}));

  // Strict: every one of those cells rejects its row, as before.
  Workspace strict_ws;
  auto strict = Import(strict_ws, csv, {{"strict", true}});
  ASSERT_TRUE(strict.ok()) << strict.error().ToString();
  EXPECT_EQ(strict.value().imported, 0u);
  EXPECT_EQ(strict.value().rejected_rows, 6u);
  EXPECT_TRUE(strict.value().warnings.empty());
  EXPECT_EQ(strict.value().warned_rows, 0u);
  EXPECT_FALSE(ImportOptions::FromJson({{"strict", "yes"}}, testing::kNow).ok());
}

TEST(CsvImport, AWarningOnAnUpdateKeepsTheStoredValue) {
  Workspace ws;
  ASSERT_TRUE(ws.Upsert({{"email", "kept@x.com"}, {"employees", 40}, {"annualRevenue", 9000}}, testing::kNow).ok());
  auto r = Import(ws, "Email,Employees,Revenue,Title\nkept@x.com,about forty,n/a,CTO\n", nullptr);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value().updated, 1u);
  EXPECT_EQ(r.value().warnings.size(), 2u);
  const json lead = ws.Query({{"limit", 1}}).value()["rows"][0];
  EXPECT_EQ(lead["employees"], 40);
  EXPECT_EQ(lead["annualRevenue"], 9000);
  EXPECT_EQ(lead["title"], "CTO");
}

// A created date after the import's day was accepted, and the lead then fell out of the
// dashboard's "All time" funnel (which ended tomorrow): 190 of 191.
TEST(CsvImport, AFutureCreatedDateIsAWarningAndTheLeadIsDatedByTheImport) {
  Workspace ws;
  const int64_t now = *ParseIsoTime("2026-12-07T10:00:00Z");
  auto o = ImportOptions::FromJson(nullptr, now);
  CsvImport import(ws, o.value());
  ASSERT_TRUE(import.Feed("Email,Create Date\npast@x.com,30/11/2026\nfuture@x.com,31/12/2026\n").ok());
  auto report = import.Finish();
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(ws.CommitImport(import).ok());
  EXPECT_EQ(report.value().imported, 2u);
  ASSERT_EQ(report.value().warnings.size(), 1u);
  EXPECT_EQ(report.value().warnings[0].row, 3);
  EXPECT_EQ(report.value().warnings[0].field, "createdAt");
  EXPECT_NE(report.value().warnings[0].message.find("after the day of the import (2026-12-07)"), std::string::npos)
      << report.value().warnings[0].message;
  const json rows = ws.Query({{"filter", {{"email", "future@x.com"}}}}).value()["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["createdAt"], "2026-12-07T10:00:00Z");
  // The period the dashboard asks for as all time, up to tomorrow, has every lead.
  auto f = Funnel(ws, {{"from", "2000-01-01"}, {"to", "2026-12-08T10:00:00Z"}});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f.value()["leads"], 2);
}

// A lead can still be dated in the future by other ways in (a backup, the API): the all-time
// funnel has no bounds, so it counts that lead as well as one dated before any chosen start.
TEST(Funnel, AllTimeCountsEveryLeadWhateverItsCreatedDate) {
  Workspace ws;
  ASSERT_TRUE(ws.Upsert({{"email", "future@x.com"}, {"createdAt", "2031-01-01T00:00:00Z"}}, testing::kNow).ok());
  ASSERT_TRUE(ws.Upsert({{"email", "old@x.com"}, {"createdAt", "1995-05-05T00:00:00Z"}}, testing::kNow).ok());
  ASSERT_TRUE(ws.Upsert({{"email", "now@x.com"}, {"stage", "sql"}}, testing::kNow).ok());
  auto f = Funnel(ws, {{"allTime", true}, {"by", "direction"}});
  ASSERT_TRUE(f.ok()) << f.error().ToString();
  EXPECT_EQ(f.value()["leads"], 3);
  EXPECT_EQ(f.value()["stages"][0]["reached"], 3);
  EXPECT_EQ(f.value()["period"]["allTime"], true);
  EXPECT_TRUE(f.value()["period"]["days"].is_null());
  EXPECT_EQ(f.value()["cohorts"].size(), 3u);
  EXPECT_FALSE(Funnel(ws, {{"allTime", true}, {"from", "2026-01-01"}}).ok());
  EXPECT_FALSE(Funnel(ws, {{"allTime", "yes"}}).ok());
}

// HubSpot writes "Direct Traffic", "Email Marketing", "Offline Sources" and "Other Campaigns";
// leadkit read the first as a website form and the rest as unknown. The user maps each value to
// a channel once: the workspace remembers it (in its backup and snapshot) and the next import
// reads it so.
TEST(CsvImport, SourceValuesTheUserMappedAreReadAsTheirChannel) {
  EXPECT_EQ(TranslateSource("Direct Traffic"), std::nullopt);
  EXPECT_EQ(TranslateSource("Other Campaigns"), std::nullopt);
  EXPECT_EQ(TranslateSource("Organic Search"), "organic_search");
  const std::string csv =
      "Email,Original Source\n"
      "a@x.com,Direct Traffic\nb@x.com,Direct Traffic\nc@x.com,Email Marketing\n"
      "d@x.com,Offline Sources\ne@x.com,ORGANIC_SEARCH\nf@x.com,Other Campaigns\ng@x.com,Organic Search\n";
  Workspace ws;
  {
    auto o = ImportOptions::FromJson({{"preset", "hubspot"}}, testing::kNow);
    CsvImport dry(ws, o.value());
    ASSERT_TRUE(dry.Feed(csv).ok());
    auto r = dry.Finish();
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    const json sources = r.value().ToJson()["sources"];
    EXPECT_EQ(sources[0], (json{{"value", "Direct Traffic"}, {"rows", 2}, {"channel", nullptr},
                                {"newChannel", "direct_traffic"},
                                {"suggestion", {{"channel", "direct_traffic"}, {"direction", "inbound"}}}}));
    EXPECT_EQ(sources[1], (json{{"value", "ORGANIC_SEARCH"}, {"rows", 2}, {"channel", "organic_search"}}));
    ASSERT_EQ(sources.size(), 5u);
    EXPECT_EQ(sources[3]["value"], "Offline Sources");
    EXPECT_FALSE(sources[3].contains("suggestion"));
    EXPECT_EQ(sources[3]["newChannel"], "offline_sources");
  }
  ASSERT_TRUE(ws.SetChannels({{"direct_traffic", {{"direction", "inbound"}, {"values", {"Direct Traffic"}}}},
                              {"email_marketing", {{"direction", "inbound"}, {"values", {"Email Marketing"}}}},
                              {"event", {{"values", {"Offline Sources"}}}},
                              {"unknown", {{"values", {"Other Campaigns"}}}}})
                  .ok());
  auto r = Import(ws, csv, {{"preset", "hubspot"}});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  for (const json& s : r.value().ToJson()["sources"]) EXPECT_FALSE(s["channel"].is_null()) << s.dump();
  const auto source_of = [&ws](const char* email) {
    return ws.Query({{"filter", {{"email", email}}}}).value()["rows"][0];
  };
  EXPECT_EQ(source_of("a@x.com")["source"], "direct_traffic");
  EXPECT_EQ(source_of("a@x.com")["direction"], "inbound");
  EXPECT_EQ(source_of("c@x.com")["source"], "email_marketing");
  EXPECT_EQ(source_of("d@x.com")["source"], "event");
  EXPECT_EQ(source_of("f@x.com")["source"], "unknown");
  EXPECT_EQ(source_of("f@x.com")["custom"]["originalSource"], "Other Campaigns");

  // Remembered in the backup and the snapshot, spelt as the user saw them.
  const json backup = ws.Export();
  EXPECT_EQ(backup["channels"]["direct_traffic"], (json{{"direction", "inbound"}, {"values", {"Direct Traffic"}}}));
  EXPECT_EQ(backup["channels"]["event"], (json{{"direction", "inbound"}, {"values", {"Offline Sources"}}}));
  EXPECT_EQ(backup["channels"]["webinar"], "inbound");
  Workspace restored;
  ASSERT_TRUE(restored.Restore(backup.dump(), testing::kNow).errors.empty());
  EXPECT_EQ(restored.channels().FindValue("DIRECT_TRAFFIC"), "direct_traffic");
  Workspace reopened;
  const LoadReport loaded = reopened.LoadSnapshot(ws.ExportSnapshot());
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].ToString();
  EXPECT_EQ(reopened.channels().FindValue("offline sources"), "event");
  EXPECT_EQ(reopened.channels().ToJson(), ws.channels().ToJson());

  // Mapping a value again moves it; a value needs a channel that exists, and nothing changes
  // when one entry is wrong.
  ASSERT_TRUE(ws.SetChannels({{"referral", {{"values", {"Offline Sources"}}}}}).ok());
  EXPECT_EQ(ws.channels().FindValue("Offline Sources"), "referral");
  EXPECT_FALSE(ws.SetChannels({{"nope", {{"values", {"X"}}}}}).ok());
  EXPECT_FALSE(ws.SetChannels({{"event", {{"values", "X"}}}}).ok());
  EXPECT_FALSE(ws.SetChannels({{"event", {{"label", "X"}}}}).ok());
  EXPECT_FALSE(ws.SetChannels({{"podcast", "inbound"}, {"event", {{"values", {"!!"}}}}}).ok());
  EXPECT_FALSE(ws.channels().Find("podcast"));
}

TEST(Channels, LabelsAndNamesForSourceValues) {
  EXPECT_EQ(ChannelLabel("website_form"), "Website form");
  EXPECT_EQ(ChannelLabel("cold_email"), "Cold e-mail");
  EXPECT_EQ(ChannelLabel("direct_traffic"), "Direct traffic");
  EXPECT_EQ(ChannelNameFor("Direct Traffic"), "direct_traffic");
  EXPECT_EQ(ChannelNameFor("  2024 Webinars! "), "source_2024_webinars");
  EXPECT_EQ(ChannelNameFor("--"), "");
  EXPECT_EQ(SourceValueKey("DIRECT_TRAFFIC"), SourceValueKey("Direct traffic"));
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
