#include "leadkit/iso_time.hpp"

#include <gtest/gtest.h>

namespace leadkit {
namespace {

TEST(IsoTime, ParsesUtcTimestampsToEpochMilliseconds) {
  EXPECT_EQ(ParseIsoTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoTime("2026-03-01T09:30:00Z"), 1772357400000);
  EXPECT_EQ(ParseIsoTime("2026-03-01T09:30:00.250Z"), 1772357400250);
}

TEST(IsoTime, AppliesOffsetsAndDefaultsToUtc) {
  EXPECT_EQ(ParseIsoTime("2026-03-01T11:30:00+02:00"), ParseIsoTime("2026-03-01T09:30:00Z"));
  EXPECT_EQ(ParseIsoTime("2026-03-01T04:30:00-0500"), ParseIsoTime("2026-03-01T09:30:00Z"));
  EXPECT_EQ(ParseIsoTime("2026-03-01T09:30"), ParseIsoTime("2026-03-01T09:30:00Z"));
  EXPECT_EQ(ParseIsoTime("2026-03-01"), ParseIsoTime("2026-03-01T00:00:00Z"));
}

TEST(IsoTime, RejectsImpossibleOrMalformedDates) {
  for (const char* bad : {"", "yesterday", "2026-02-29", "2026-13-01", "2026-04-31", "2026-1-1",
                          "2026-03-01T25:00", "2026-03-01T09:30:00Q", "2026-03-01T09:30:00.Z",
                          "2026-03-01 garbage"}) {
    EXPECT_FALSE(ParseIsoTime(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseIsoTime("2028-02-29").has_value());  // a leap day
}

TEST(IsoTime, FormatsCanonicallyAndRoundTrips) {
  EXPECT_EQ(FormatIsoTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoTime(1772357400250), "2026-03-01T09:30:00.250Z");
  EXPECT_EQ(FormatIsoTime(-1), "1969-12-31T23:59:59.999Z");
  for (int64_t t : {int64_t{0}, int64_t{951782400000}, int64_t{1772357400250}, int64_t{4102444800000}}) {
    EXPECT_EQ(ParseIsoTime(FormatIsoTime(t)), t);
  }
}

}  // namespace
}  // namespace leadkit
