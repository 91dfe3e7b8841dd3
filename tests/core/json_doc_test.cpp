#include "leadkit/json_doc.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fixtures.hpp"

namespace leadkit {
namespace {

using nlohmann::json;
using testing::FixturePath;
using testing::ReadText;

json Read(std::string_view text) {
  JsonDoc doc;
  EXPECT_TRUE(doc.ParseAll(text)) << doc.error() << " at " << doc.error_offset();
  return doc.root().ToJson();
}

TEST(JsonDoc, ReadsTheFixturesExactlyAsNlohmannDoes) {
  for (const char* name : {"leads.json", "queries.json", "bad_leads.json"}) {
    const std::string text = ReadText(FixturePath(name));
    EXPECT_EQ(Read(text), json::parse(text)) << name;
  }
}

TEST(JsonDoc, DecodesEscapesAndSurrogatePairs) {
  EXPECT_EQ(Read(R"("a\"b\\c\/d\n\t\u00e9\ud83d\ude00")"), "a\"b\\c/d\n\té\xF0\x9F\x98\x80");
  EXPECT_EQ(Read("\"Zoë Müller\""), "Zoë Müller");
}

TEST(JsonDoc, ReadsNumbersToTheNearestDouble) {
  EXPECT_EQ(Read("0.1").get<double>(), 0.1);
  EXPECT_EQ(Read("-2.5e3").get<double>(), -2500.0);
  EXPECT_EQ(Read("1e22").get<double>(), 1e22);
  EXPECT_EQ(Read("123456789012345678901").get<double>(), 123456789012345678901.0);
  EXPECT_EQ(Read("4.35").get<double>(), 4.35);
  EXPECT_EQ(Read("40").get<int64_t>(), 40);
  JsonDoc doc;
  ASSERT_TRUE(doc.ParseAll("[40, 40.0, 1.50]"));
  auto c = doc.root().children();
  EXPECT_TRUE(c.value().is_integer());
  c.next();
  EXPECT_FALSE(c.value().is_integer());
  c.next();
  EXPECT_EQ(c.value().raw(), "1.50");  // messages quote numbers as the user wrote them
}

TEST(JsonDoc, FindsMembersAndWalksChildrenInOrder) {
  JsonDoc doc;
  ASSERT_TRUE(doc.ParseAll(R"({"a": [1, {"b": null}], "c": "x", "d": {}})"));
  const JsonValue root = doc.root();
  EXPECT_EQ(root.size(), 3u);
  EXPECT_EQ(root.find("c").str(), "x");
  EXPECT_FALSE(root.find("missing"));
  EXPECT_TRUE(root.find("a").is_array());
  EXPECT_EQ(root.find("a").size(), 2u);
  EXPECT_TRUE(root.find("d").is_object());
  std::string keys;
  for (auto c = root.children(); !c.done(); c.next()) keys += std::string(c.key().str());
  EXPECT_EQ(keys, "acd");
}

struct BadText {
  const char* text;
  size_t offset;  // where the problem is
};

class JsonDocRejects : public ::testing::TestWithParam<BadText> {};

TEST_P(JsonDocRejects, MalformedTextAndSaysWhere) {
  JsonDoc doc;
  EXPECT_FALSE(doc.ParseAll(GetParam().text)) << GetParam().text;
  EXPECT_FALSE(doc.error().empty());
  EXPECT_EQ(doc.error_offset(), GetParam().offset) << GetParam().text << ": " << doc.error();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonDocRejects,
    ::testing::Values(BadText{"", 0}, BadText{"[1,]", 3}, BadText{"{\"a\" 1}", 5},
                      BadText{"{\"a\": 1,}", 8}, BadText{"[01]", 2}, BadText{"[1.]", 3},
                      BadText{"[-]", 2}, BadText{"[1e]", 3}, BadText{"\"abc", 4},
                      BadText{"\"a\tb\"", 2}, BadText{"\"\\x\"", 1}, BadText{"\"\\u12g4\"", 3},
                      BadText{"\"\\ud800\"", 7}, BadText{"\"\xC3\x28\"", 1},
                      BadText{"\"\xED\xA0\x80\"", 1}, BadText{"[tru]", 1}, BadText{"[1] x", 4},
                      BadText{"{1: 2}", 1}, BadText{"[1 2]", 3}));

TEST(JsonDoc, RefusesNestingDeeperThanItsLimitInsteadOfOverflowingTheStack) {
  const std::string deep(100'000, '[');
  JsonDoc doc;
  EXPECT_FALSE(doc.ParseAll(deep));
  EXPECT_NE(doc.error().find("nested deeper"), std::string::npos);
  const std::string ok = std::string(JsonDoc::kMaxDepth, '[') + std::string(JsonDoc::kMaxDepth, ']');
  EXPECT_TRUE(doc.ParseAll(ok));
}

TEST(JsonDoc, ShallowParseChecksEverythingButKeepsNestedContainersAsText) {
  JsonDoc doc;
  size_t pos = 0;
  const std::string text = R"({"format": "x", "leads": [{"id": "a"}, {"id": "b"}]})";
  ASSERT_TRUE(doc.Parse(text, pos, 1));
  EXPECT_EQ(pos, text.size());
  const JsonValue leads = doc.root().find("leads");
  EXPECT_EQ(leads.raw(), R"([{"id": "a"}, {"id": "b"}])");
  EXPECT_EQ(leads.size(), 2u);
  EXPECT_EQ(leads.ToJson(), json::parse(R"([{"id": "a"}, {"id": "b"}])"));

  const std::string broken = R"({"format": "x", "leads": [{"id": "a"}, {"id" "b"}]})";
  pos = 0;
  EXPECT_FALSE(doc.Parse(broken, pos, 1));  // a shallow parse still finds every syntax error
  EXPECT_EQ(doc.error_offset(), broken.find("\"b\""));
}

}  // namespace
}  // namespace leadkit
