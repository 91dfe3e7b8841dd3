#include "leadkit/qualification.hpp"

#include <gtest/gtest.h>

#include "fixtures.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

Workspace OneLead(const json& lead) {
  Workspace ws;
  const LoadReport r = ws.Load(json::array({lead}), kNow);
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].ToString());
  return ws;
}

TEST(Qualification, BantIsBuiltInAndTheOthersShipAsTemplates) {
  std::vector<std::string> keys;
  for (const Framework& f : BuiltinFrameworks()) keys.push_back(f.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"bant", "champ", "meddic", "anum"}));
  EXPECT_EQ(BuiltinFrameworks()[2].criteria.size(), 6u);  // MEDDIC
  EXPECT_EQ(Workspace().pipeline().framework().key, "bant");
}

TEST(Qualification, ACriterionKeepsStatusEvidenceConfidenceAndDate) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"}});
  const auto v = ws.SetQualification(
      "a", {{"criterion", "budget"}, {"status", "met"}, {"evidence", "40k approved for Q1"}, {"confidence", 0.8}}, kNow);
  ASSERT_TRUE(v) << v.error().ToString();
  const json lead = *ws.GetJson("a");
  EXPECT_EQ(lead["bant"]["budget"]["status"], "met");
  EXPECT_EQ(lead["bant"]["budget"]["evidence"], "40k approved for Q1");
  EXPECT_EQ(lead["bant"]["budget"]["confidence"], 0.8);
  EXPECT_EQ(lead["bant"]["budget"]["at"], "2026-11-18T11:06:40Z");
  // The lead's JSON form reads back identically (backups keep it all).
  Workspace copy;
  ASSERT_TRUE(copy.LoadJson(ws.Export().dump(), kNow).errors.empty());
  EXPECT_EQ(*copy.GetJson("a"), lead);
}

TEST(Qualification, ThreeOfFourBantMetIsQualifiedWithItsReasons) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"},
                          {"bant", {{"budget", "met"}, {"authority", "met"}, {"need", "met"}}}});
  const json v = ws.Qualification("a", "").value();
  EXPECT_EQ(v["verdict"], "qualified");
  EXPECT_EQ(v["met"], 3);
  EXPECT_EQ(v["unknown"], 1);
  EXPECT_EQ(v["reasons"][0], "3 of 4 BANT criteria met (3 needed)");
  EXPECT_NE(v["reasons"][1].get<std::string>().find("Timeline is unknown"), std::string::npos);
}

TEST(Qualification, NoUnaddressedNeedSuggestsDisqualifying) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"},
                          {"bant", {{"budget", "met"}, {"authority", "met"}, {"timeline", "met"},
                                    {"need", {{"status", "not_met"}, {"evidence", "already built it in-house"}}}}}});
  const json v = ws.Qualification("a", "").value();
  EXPECT_EQ(v["verdict"], "disqualify") << "three met does not outweigh no need";
  EXPECT_EQ(v["suggestedReason"], "no_need");
  EXPECT_EQ(v["reasons"][0], "no Need: already built it in-house");
}

TEST(Qualification, LowConfidenceMetCountsAsPartly) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"},
                          {"bant", {{"budget", {{"status", "met"}, {"confidence", 0.3}}},
                                    {"authority", "met"}, {"need", "met"}}}});
  const json v = ws.Qualification("a", "").value();
  EXPECT_EQ(v["verdict"], "needsWork");
  EXPECT_EQ(v["met"], 2);
  EXPECT_EQ(v["partly"], 1);
  EXPECT_NE(v.dump().find("low confidence (30%)"), std::string::npos) << v.dump();
}

TEST(Qualification, OtherFrameworksAndTheUsersOwnAreStoredPerFramework) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"}});
  ASSERT_TRUE(ws.SetPipeline({{"framework", "spiced"},
                              {"frameworks", {{{"key", "spiced"}, {"name", "SPICED"}, {"qualifyAt", 2},
                                               {"criteria", {{{"key", "situation"}}, {{"key", "pain"}, {"critical", true}, {"notMetReason", "no_need"}},
                                                             {{"key", "impact"}}}}}}}}));
  ASSERT_TRUE(ws.SetQualification("a", {{"criterion", "situation"}, {"status", "met"}}, kNow));
  auto v = ws.SetQualification("a", {{"criterion", "impact"}, {"status", "met"}}, kNow);
  ASSERT_TRUE(v);
  EXPECT_EQ(v.value()["verdict"], "qualified");
  ASSERT_TRUE(ws.SetQualification("a", {{"framework", "meddic"}, {"criterion", "champion"}, {"status", "partly"}}, kNow));
  const json lead = *ws.GetJson("a");
  EXPECT_EQ(lead["qualification"]["spiced"]["impact"]["status"], "met");
  EXPECT_EQ(lead["qualification"]["meddic"]["champion"]["status"], "partly");
  EXPECT_EQ(lead["bant"]["budget"]["status"], "unknown") << "BANT is untouched";
  EXPECT_EQ(ws.Qualification("a", "meddic").value()["verdict"], "needsWork");
}

TEST(Qualification, BadChangesAreRefusedNamingTheProblemAndChangeNothing) {
  Workspace ws = OneLead({{"id", "a"}, {"company", "Acme"}});
  const json before = ws.Export();
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"criterion", "champion"}, {"status", "met"}}, "criterion"},
      {{{"criterion", "budget"}, {"status", "yes"}}, "status"},
      {{{"criterion", "budget"}, {"status", "met"}, {"confidence", 2}}, "confidence"},
      {{{"criterion", "budget"}, {"status", "met"}, {"evidence", 42}}, "evidence"},
      {{{"framework", "nope"}, {"criterion", "budget"}, {"status", "met"}}, "framework"},
      {{{"criterion", "budget"}, {"status", "met"}, {"colour", "red"}}, "colour"},
  };
  for (const auto& [change, path] : bad) {
    const auto r = ws.SetQualification("a", change, kNow);
    ASSERT_FALSE(r) << change.dump();
    EXPECT_EQ(r.error().where.path, path) << r.error().message;
  }
  EXPECT_FALSE(ws.SetQualification("zzz", {{"criterion", "budget"}, {"status", "met"}}, kNow));
  EXPECT_EQ(ws.Export(), before);
}

TEST(Qualification, ACustomFrameworkWithBadCriteriaIsRefused) {
  Workspace ws;
  auto s = ws.SetPipeline({{"frameworks", {{{"key", "mine"}, {"criteria", {{{"key", "a"}}, {{"key", "a"}}}}}}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().where.path, "frameworks[0].criteria[1].key");
  s = ws.SetPipeline({{"frameworks", {{{"key", "bant"}, {"criteria", {{{"key", "money"}}}}}}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().where.path, "frameworks[0].criteria");
  s = ws.SetPipeline({{"frameworks", {{{"key", "mine"}, {"qualifyAt", 5}, {"criteria", {{{"key", "a"}}}}}}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().where.path, "frameworks[0].qualifyAt");
}

}  // namespace
}  // namespace leadkit
