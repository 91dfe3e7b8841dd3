#include "leadkit/query.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::kNow;

// Three leads named the way people type them: with accents, in two orders, with phones.
Workspace SearchWorkspace() {
  Workspace ws;
  const auto report = ws.Load(json::array({
      {{"id", "S-1"}, {"firstName", "Zofia"}, {"lastName", "López"}, {"email", "zofia@nordwind.example"},
       {"phone", "+48 601 234 567"}, {"company", "Nordwind Sp. z o.o."}},
      {{"id", "S-2"}, {"firstName", "Zofia"}, {"lastName", "Nowak"}, {"email", "z.nowak@kraken.example"},
       {"company", "Kraken Labs"}},
      {{"id", "S-3"}, {"firstName", "Émile"}, {"lastName", "Lopez"}, {"email", "emile@bordeaux.example"},
       {"phone", "(555) 010-2030"}, {"company", "Château Müller"}},
  }), kNow);
  EXPECT_TRUE(report.errors.empty());
  return ws;
}

std::vector<std::string> Found(const Workspace& ws, const std::string& search) {
  const auto result = ws.Query({{"search", search}, {"sort", {{"field", "id"}, {"order", "asc"}}}});
  EXPECT_TRUE(result.ok()) << result.error().ToString();
  std::vector<std::string> ids;
  for (const json& row : result.value()["rows"]) ids.push_back(row["id"]);
  return ids;
}

using Ids = std::vector<std::string>;

TEST(QuerySearch, AFullNameFindsTheLeadInEitherOrder) {
  const Workspace ws = SearchWorkspace();
  EXPECT_EQ(Found(ws, "Zofia López"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "López Zofia"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "  zofia   LÓPEZ "), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "Zofia"), (Ids{"S-1", "S-2"}));
}

TEST(QuerySearch, IgnoresCaseAndAccentsOnEitherSide) {
  const Workspace ws = SearchWorkspace();
  EXPECT_EQ(Found(ws, "zofia lopez"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "lopez"), (Ids{"S-1", "S-3"}));
  EXPECT_EQ(Found(ws, "LÓPEZ"), (Ids{"S-1", "S-3"}));
  EXPECT_EQ(Found(ws, "ÉMILE"), Ids{"S-3"});
  EXPECT_EQ(Found(ws, "chateau muller"), Ids{"S-3"});
}

TEST(QuerySearch, FindsCompanyEmailAndPhoneAndNothingForAWordFoundNowhere) {
  const Workspace ws = SearchWorkspace();
  EXPECT_EQ(Found(ws, "Kraken Labs"), Ids{"S-2"});
  EXPECT_EQ(Found(ws, "z.nowak@kraken.example"), Ids{"S-2"});
  EXPECT_EQ(Found(ws, "601 234 567"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "601234567"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "+48601234567"), Ids{"S-1"});
  EXPECT_EQ(Found(ws, "555-010-2030"), Ids{"S-3"});
  EXPECT_EQ(Found(ws, "Zofia Kraken"), Ids{"S-2"});
  EXPECT_EQ(Found(ws, "Zofia Müller"), Ids{});
}

TEST(QuerySearch, AnEditedLeadIsFoundByItsNewName) {
  Workspace ws = SearchWorkspace();
  EXPECT_EQ(Found(ws, "nowak"), Ids{"S-2"});  // builds the search text
  ASSERT_TRUE(ws.Upsert({{"id", "S-2"}, {"firstName", "Zofia"}, {"lastName", "Wiśniewska"}}, kNow).ok());
  EXPECT_EQ(Found(ws, "nowak"), Ids{});
  EXPECT_EQ(Found(ws, "zofia wisniewska"), Ids{"S-2"});
}

TEST(QuerySearch, FoldLowersAndDropsAccents) {
  EXPECT_EQ(FoldForSearch("Zofia LÓPEZ"), "zofia lopez");
  EXPECT_EQ(FoldForSearch("Straße Øresund Łódź Ærø"), "strasse oresund lodz aero");
  EXPECT_EQ(FoldForSearch("Lo\xCC\x81pez"), "lopez");  // a decomposed accent (NFD)
  EXPECT_EQ(FoldForSearch("Юлия Ωμέγα"), "юлия ωμεγα");
  EXPECT_EQ(FoldForSearch("李 \xF0\x9F\x99\x82"), "李 \xF0\x9F\x99\x82");  // kept as typed
  EXPECT_EQ(FoldForSearch("broken \xC3"), "broken \xC3");  // a cut-off sequence is kept, not read past
}

TEST(QuerySearch, ASearchIsSplitIntoFoldedWords) {
  const auto q = ParseQuery({{"search", "  López\tZofia "}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q.value().search, "lopez zofia");
  EXPECT_EQ(q.value().search_words, (Ids{"lopez", "zofia"}));
  EXPECT_TRUE(ParseQuery({{"search", "   "}}).value().search_words.empty());
}

}  // namespace
}  // namespace leadkit
