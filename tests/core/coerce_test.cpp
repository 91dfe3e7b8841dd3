#include "leadkit/coerce.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadkit {
namespace {

using Names = std::pair<std::string, std::string>;

// Expected instants come from `date -u -d '<date> UTC' +%s`, not from the code under test.
constexpr int64_t kMar1 = 1772323200000;        // 2026-03-01T00:00:00Z
constexpr int64_t kMar1At0930 = 1772357400000;  // 2026-03-01T09:30:00Z

TEST(Coerce, NumberReadsPlainIntegersAndDecimals) {
  EXPECT_EQ(ParseLooseNumber("1234"), 1234.0);
  EXPECT_EQ(ParseLooseNumber("0"), 0.0);
  EXPECT_EQ(ParseLooseNumber("12.75"), 12.75);
}

TEST(Coerce, NumberReadsCommaGroupsWithDotDecimal) {
  EXPECT_EQ(ParseLooseNumber("1,234.56"), 1234.56);
  EXPECT_EQ(ParseLooseNumber("1,234,567.5"), 1234567.5);
  EXPECT_EQ(ParseLooseNumber("1,234,567"), 1234567.0);
}

TEST(Coerce, NumberReadsDotGroupsWithCommaDecimal) {
  EXPECT_EQ(ParseLooseNumber("1.234,56"), 1234.56);
  EXPECT_EQ(ParseLooseNumber("1.234.567,5"), 1234567.5);
  EXPECT_EQ(ParseLooseNumber("1.234.567"), 1234567.0);
}

TEST(Coerce, NumberReadsSpaceAndApostropheGroups) {
  EXPECT_EQ(ParseLooseNumber("1 234"), 1234.0);
  EXPECT_EQ(ParseLooseNumber("1'234'567"), 1234567.0);
  EXPECT_EQ(ParseLooseNumber("1\u00A0234,5"), 1234.5);  // no-break space, French decimal comma
  EXPECT_EQ(ParseLooseNumber("1\u202F234"), 1234.0);    // narrow no-break space
  EXPECT_EQ(ParseLooseNumber("1\u2019234.5"), 1234.5);  // Swiss typographic apostrophe
}

TEST(Coerce, NumberTreatsSingleGroupOfThreeAsThousands) {
  EXPECT_EQ(ParseLooseNumber("1,234"), 1234.0);
  EXPECT_EQ(ParseLooseNumber("1.234"), 1234.0);
  EXPECT_EQ(ParseLooseNumber("123,456"), 123456.0);
}

TEST(Coerce, NumberTreatsOtherSingleSeparatorAsDecimalMark) {
  EXPECT_EQ(ParseLooseNumber("1,5"), 1.5);
  EXPECT_EQ(ParseLooseNumber("12,25"), 12.25);
  EXPECT_EQ(ParseLooseNumber("1.2345"), 1.2345);
  EXPECT_EQ(ParseLooseNumber(".5"), 0.5);
  // Groups of three cannot follow a leading zero or a run longer than three digits.
  EXPECT_EQ(ParseLooseNumber("0,500"), 0.5);
  EXPECT_EQ(ParseLooseNumber("1234.567"), 1234.567);
}

TEST(Coerce, NumberDropsCurrencySymbolBeforeOrAfter) {
  EXPECT_EQ(ParseLooseNumber("$12,000"), 12000.0);
  EXPECT_EQ(ParseLooseNumber("12 000 €"), 12000.0);
  EXPECT_EQ(ParseLooseNumber("€ 9,99"), 9.99);
  EXPECT_EQ(ParseLooseNumber("£5"), 5.0);
  EXPECT_EQ(ParseLooseNumber("12\u00A0000\u00A0€"), 12000.0);
}

TEST(Coerce, NumberReadsSignBeforeOrAfterCurrency) {
  EXPECT_EQ(ParseLooseNumber("-3.5"), -3.5);
  EXPECT_EQ(ParseLooseNumber("+2"), 2.0);
  EXPECT_EQ(ParseLooseNumber("-$12"), -12.0);
  EXPECT_EQ(ParseLooseNumber("$-12"), -12.0);
  EXPECT_EQ(ParseLooseNumber("-12 €"), -12.0);
}

TEST(Coerce, NumberReadsBracketsAsNegative) {
  EXPECT_EQ(ParseLooseNumber("(1,200)"), -1200.0);
  EXPECT_EQ(ParseLooseNumber("($5.50)"), -5.5);
  EXPECT_FALSE(ParseLooseNumber("(-5)").has_value());
}

TEST(Coerce, NumberScalesThousandAndMillionSuffixes) {
  EXPECT_EQ(ParseLooseNumber("12k"), 12000.0);
  EXPECT_EQ(ParseLooseNumber("12K"), 12000.0);
  EXPECT_EQ(ParseLooseNumber("1.5M"), 1500000.0);
  EXPECT_EQ(ParseLooseNumber("2m"), 2000000.0);
  EXPECT_EQ(ParseLooseNumber("$1.1k"), 1100.0);
  EXPECT_EQ(ParseLooseNumber("0.3M"), 300000.0);  // 0.3 * 1e6 in doubles is 300000.00000000006
}

TEST(Coerce, NumberIgnoresSurroundingSpaces) {
  EXPECT_EQ(ParseLooseNumber("  42 \t"), 42.0);
  EXPECT_EQ(ParseLooseNumber("\u00A042\u00A0"), 42.0);
}

TEST(Coerce, NumberRejectsEmptyAndNonNumericText) {
  for (const char* bad : {"", "   ", "abc", "-", "$", "()", "12abc", "1e5", "nan", "inf", "1 2 3k$",
                          "12%", "k", "--5", "5-"}) {
    EXPECT_FALSE(ParseLooseNumber(bad).has_value()) << bad;
  }
}

TEST(Coerce, NumberRejectsInconsistentSeparators) {
  for (const char* bad : {"1,23,456", "1,234,5", "1..2", "1,,2", "1,2.3,4", "12,", "1.234.5",
                          "1,234.567.8", "1 234.567,8", "1234,567.5", " 1 ,5", "'5"}) {
    EXPECT_FALSE(ParseLooseNumber(bad).has_value()) << bad;
  }
}

TEST(Coerce, NumberRejectsValuesThatAreNotFinite) {
  EXPECT_FALSE(ParseLooseNumber(std::string(309, '9')).has_value());
  EXPECT_FALSE(ParseLooseNumber(std::string(306, '9') + "M").has_value());
  EXPECT_FALSE(ParseLooseNumber(std::string(2000, '1')).has_value());
}

TEST(Coerce, EmployeeCountReadsPlainAndGroupedNumbers) {
  EXPECT_EQ(ParseEmployeeCount("250"), 250);
  EXPECT_EQ(ParseEmployeeCount("1,200"), 1200);
  EXPECT_EQ(ParseEmployeeCount("1.200"), 1200);
  EXPECT_EQ(ParseEmployeeCount(" 0 "), 0);
}

TEST(Coerce, EmployeeCountTakesLowerBoundOfRange) {
  EXPECT_EQ(ParseEmployeeCount("51-200"), 51);
  EXPECT_EQ(ParseEmployeeCount("51 - 200 employees"), 51);
  EXPECT_EQ(ParseEmployeeCount("1,001\u20135,000"), 1001);  // en dash
  EXPECT_EQ(ParseEmployeeCount("1-10 Employees"), 1);
}

TEST(Coerce, EmployeeCountReadsOpenEndedCounts) {
  EXPECT_EQ(ParseEmployeeCount("10,001+"), 10001);
  EXPECT_EQ(ParseEmployeeCount("10001+ employees"), 10001);
  EXPECT_EQ(ParseEmployeeCount("1 employee"), 1);
}

TEST(Coerce, EmployeeCountRejectsNegativeOrFractional) {
  for (const char* bad : {"-5", "(10)", "1.5", "2,5", "10.5-20", "-5 employees"}) {
    EXPECT_FALSE(ParseEmployeeCount(bad).has_value()) << bad;
  }
}

TEST(Coerce, EmployeeCountRejectsEmptyTextAndBrokenRanges) {
  for (const char* bad : {"", "employees", "many", "200-51", "51-", "51-200+", "$50"}) {
    EXPECT_FALSE(ParseEmployeeCount(bad).has_value()) << bad;
  }
}

TEST(Coerce, DateReadsIsoTimestamps) {
  EXPECT_EQ(ParseLooseDate("2026-03-01"), kMar1);
  EXPECT_EQ(ParseLooseDate("2026-03-01T09:30:00Z"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate("2026-03-01T11:30:00+02:00"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate(" 2026-03-01T09:30:00.250Z "), kMar1At0930 + 250);
}

TEST(Coerce, DateReadsIsoWithSpaceBeforeTime) {
  EXPECT_EQ(ParseLooseDate("2026-03-01 09:30"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate("2026-03-01 09:30:15"), 1772357415000);
}

TEST(Coerce, DateReadsYearFirstWithSlashes) {
  EXPECT_EQ(ParseLooseDate("2026/03/01"), kMar1);
  EXPECT_EQ(ParseLooseDate("2026/3/1"), kMar1);
  EXPECT_EQ(ParseLooseDate("2026/03/01 09:30"), kMar1At0930);
}

TEST(Coerce, DateReadsSlashAndDashDatesMonthFirstByDefault) {
  EXPECT_EQ(ParseLooseDate("03/01/2026"), kMar1);
  EXPECT_EQ(ParseLooseDate("3/1/26"), kMar1);
  EXPECT_EQ(ParseLooseDate("03-01-2026"), kMar1);
  EXPECT_EQ(ParseLooseDate("01/03/2026"), 1767398400000);  // 3 January
}

TEST(Coerce, DateReadsSlashAndDashDatesDayFirstWhenAsked) {
  EXPECT_EQ(ParseLooseDate("01/03/2026", DateOrder::kDayFirst), kMar1);
  EXPECT_EQ(ParseLooseDate("1-3-26", DateOrder::kDayFirst), kMar1);
}

TEST(Coerce, DateReadsDayFirstWhenFirstNumberIsOverTwelve) {
  EXPECT_EQ(ParseLooseDate("13/03/2026"), 1773360000000);
  EXPECT_EQ(ParseLooseDate("13-03-2026", DateOrder::kMonthFirst), 1773360000000);
}

TEST(Coerce, DateReadsDottedDatesDayFirstWhateverTheOrder) {
  EXPECT_EQ(ParseLooseDate("01.03.2026"), kMar1);
  EXPECT_EQ(ParseLooseDate("01.03.2026", DateOrder::kDayFirst), kMar1);
  EXPECT_EQ(ParseLooseDate("1.3.26"), kMar1);
}

TEST(Coerce, DateReadsTwentyFourHourTimeAfterDate) {
  EXPECT_EQ(ParseLooseDate("03/01/2026 09:30"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate("03/01/2026 09:30:15"), 1772357415000);
  EXPECT_EQ(ParseLooseDate("01.03.2026 21:30"), 1772400600000);
}

TEST(Coerce, DateReadsTwelveHourTimeAfterDate) {
  EXPECT_EQ(ParseLooseDate("3/1/2026 9:30 AM"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate("3/1/2026 9:30 pm"), 1772400600000);
  EXPECT_EQ(ParseLooseDate("3/1/2026 9:30PM"), 1772400600000);
  EXPECT_EQ(ParseLooseDate("3/1/2026 12:30 AM"), 1772325000000);  // half past midnight
  EXPECT_EQ(ParseLooseDate("3/1/2026 12:30 PM"), 1772368200000);  // half past noon
}

TEST(Coerce, DateReadsEnglishMonthNames) {
  for (const char* text : {"1 Mar 2026", "1 March 2026", "Mar 1, 2026", "March 1 2026",
                           "01-Mar-2026", "01-MAR-26", "mar. 1, 2026", "1 march 2026"}) {
    EXPECT_EQ(ParseLooseDate(text), kMar1) << text;
  }
  EXPECT_EQ(ParseLooseDate("Sept 1, 2026"), 1788220800000);
  EXPECT_EQ(ParseLooseDate("1 Sep 2026"), 1788220800000);
}

TEST(Coerce, DateReadsTimeAfterMonthName) {
  EXPECT_EQ(ParseLooseDate("1 Mar 2026 09:30"), kMar1At0930);
  EXPECT_EQ(ParseLooseDate("Mar 1, 2026 9:30 am"), kMar1At0930);
}

TEST(Coerce, DateReadsUnixSecondsAndMilliseconds) {
  EXPECT_EQ(ParseLooseDate("1000000000"), 1000000000000);
  EXPECT_EQ(ParseLooseDate("1772323200"), kMar1);
  EXPECT_EQ(ParseLooseDate("1772357400250"), kMar1At0930 + 250);
}

TEST(Coerce, DatePivotsTwoDigitYearsAtSeventy) {
  EXPECT_EQ(ParseLooseDate("1/1/69"), 3124224000000);  // 2069-01-01
  EXPECT_EQ(ParseLooseDate("1/1/70"), 0);
  EXPECT_EQ(ParseLooseDate("01-Mar-99"), 920246400000);  // 1999-03-01
}

TEST(Coerce, DateRejectsImpossibleDates) {
  for (const char* bad : {"02/30/2026", "2026-02-30", "2026/02/29", "31.04.2026", "30 Feb 2026",
                          "Feb 29, 2026", "13/13/2026", "00/10/2026", "2026/00/10", "0 Mar 2026"}) {
    EXPECT_FALSE(ParseLooseDate(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseLooseDate("01/13/2026", DateOrder::kDayFirst).has_value());
  EXPECT_EQ(ParseLooseDate("02/29/2028"), 1835395200000);  // a leap day
}

TEST(Coerce, DateRejectsImpossibleTimes) {
  for (const char* bad : {"03/01/2026 24:00", "03/01/2026 09:60", "03/01/2026 09:30:60",
                          "03/01/2026 13:00 PM", "03/01/2026 0:30 AM", "03/01/2026 9:5"}) {
    EXPECT_FALSE(ParseLooseDate(bad).has_value()) << bad;
  }
}

TEST(Coerce, DateRejectsEmptyAndUnreadableText) {
  for (const char* bad : {"", "  ", "yesterday", "12345", "20260301", "03/01", "2026", "1 Foo 2026",
                          "03/01/2026 garbage", "03/01-2026", "3/1/026", "03/01/2026T09:30",
                          "Mar 2026", "1 Mar", "03/01/2026 09:30 XM", "177232320000000"}) {
    EXPECT_FALSE(ParseLooseDate(bad).has_value()) << bad;
  }
}

TEST(Coerce, DetectOrderIsDayFirstWhenAFirstNumberExceedsTwelve) {
  const std::vector<std::string_view> column = {"01/03/2026", "13/03/2026", "02/04/2026"};
  EXPECT_EQ(DetectDateOrder(column), DateOrder::kDayFirst);
  const std::vector<std::string_view> dashes = {"25-12-2025"};
  EXPECT_EQ(DetectDateOrder(dashes), DateOrder::kDayFirst);
}

TEST(Coerce, DetectOrderIsMonthFirstWhenASecondNumberAlsoExceedsTwelve) {
  const std::vector<std::string_view> column = {"13/03/2026", "03/13/2026"};
  EXPECT_EQ(DetectDateOrder(column), DateOrder::kMonthFirst);
}

TEST(Coerce, DetectOrderIsMonthFirstWithoutEvidence) {
  const std::vector<std::string_view> column = {"01/03/2026", "12/04/2026", "garbage", ""};
  EXPECT_EQ(DetectDateOrder(column), DateOrder::kMonthFirst);
  EXPECT_EQ(DetectDateOrder({}), DateOrder::kMonthFirst);
}

TEST(Coerce, DetectOrderIgnoresYearFirstAndDottedDates) {
  const std::vector<std::string_view> only_others = {"2026-03-01", "2026/03/13", "13.03.2026"};
  EXPECT_EQ(DetectDateOrder(only_others), DateOrder::kMonthFirst);
  const std::vector<std::string_view> mixed = {"2026-03-13", "13-03-2026"};
  EXPECT_EQ(DetectDateOrder(mixed), DateOrder::kDayFirst);
}

TEST(Coerce, BoolReadsTrueWordsInAnyCase) {
  for (const char* text : {"true", "TRUE", "Yes", "y", "Y", "1", "on", " On "}) {
    EXPECT_EQ(ParseLooseBool(text), true) << text;
  }
}

TEST(Coerce, BoolReadsFalseWordsInAnyCase) {
  for (const char* text : {"false", "False", "NO", "n", "0", "off", "\tOFF "}) {
    EXPECT_EQ(ParseLooseBool(text), false) << text;
  }
}

TEST(Coerce, BoolRejectsCheckboxMarksAndOtherText) {
  for (const char* bad : {"x", "X", "", "  ", "maybe", "t", "f", "2", "yess", "1.0"}) {
    EXPECT_FALSE(ParseLooseBool(bad).has_value()) << bad;
  }
}

TEST(Coerce, EmailIsTrimmedAndLowerCased) {
  EXPECT_EQ(NormalizeEmail("  Ana@Example.COM "), "ana@example.com");
}

TEST(Coerce, EmailDropsMailtoPrefix) {
  EXPECT_EQ(NormalizeEmail("mailto:Ana@Example.com"), "ana@example.com");
  EXPECT_EQ(NormalizeEmail("MAILTO:ana@example.com?subject=Hi"), "ana@example.com");
}

TEST(Coerce, EmailTakesAddressOutOfDisplayName) {
  EXPECT_EQ(NormalizeEmail("Ana Ruiz <Ana@Example.com>"), "ana@example.com");
  EXPECT_EQ(NormalizeEmail("\"Ruiz, Ana\" < ana@example.com >"), "ana@example.com");
}

TEST(Coerce, EmailDoesNotValidate) {
  EXPECT_EQ(NormalizeEmail("Not An Address"), "not an address");
  EXPECT_EQ(NormalizeEmail(""), "");
}

TEST(Coerce, DomainDropsSchemeWwwPortPathQueryAndFragment) {
  EXPECT_EQ(DomainFromUrl("https://www.Acme.com:443/about?x=1"), "acme.com");
  EXPECT_EQ(DomainFromUrl("http://acme.com/"), "acme.com");
  EXPECT_EQ(DomainFromUrl("acme.com/pricing#plans"), "acme.com");
  EXPECT_EQ(DomainFromUrl("www.acme.com?ref=ad"), "acme.com");
  EXPECT_EQ(DomainFromUrl("//cdn.acme.com/lib.js"), "cdn.acme.com");
}

TEST(Coerce, DomainIsLowerCasedAndTrimmedWithoutTrailingDot) {
  EXPECT_EQ(DomainFromUrl("  ACME.COM.  "), "acme.com");
}

TEST(Coerce, DomainKeepsSubdomainsOtherThanWww) {
  EXPECT_EQ(DomainFromUrl("https://app.acme.co.uk/login"), "app.acme.co.uk");
  EXPECT_EQ(DomainFromUrl("www.com"), "www.com");  // nothing would be left of it
}

TEST(Coerce, DomainOfEmailAddressIsItsDomain) {
  EXPECT_EQ(DomainFromUrl("ana@Acme.com"), "acme.com");
  EXPECT_EQ(DomainFromUrl("mailto:ana@acme.com"), "acme.com");
  EXPECT_EQ(DomainFromUrl("<ana@acme.com>"), "acme.com");
}

TEST(Coerce, DomainSkipsUserInfoAndSchemesInsideTheAddress) {
  EXPECT_EQ(DomainFromUrl("https://user:secret@acme.com/"), "acme.com");
  EXPECT_EQ(DomainFromUrl("acme.com/go?to=https://other.com"), "acme.com");
  EXPECT_EQ(DomainFromUrl("medium.com/@acme"), "medium.com");
}

TEST(Coerce, DomainIsEmptyWithoutDotOrWithSpaces) {
  for (const char* bad :
       {"", "localhost", "acme", "http://localhost:8080/", "acme .com", "see acme.com",
        "Ana Ruiz <ana@acme.com>", "https://acme.com/about us", "."}) {
    EXPECT_EQ(DomainFromUrl(bad), "") << bad;
  }
}

TEST(Coerce, PhoneKeepsDigitsAndLeadingPlus) {
  EXPECT_EQ(NormalizePhone("+1 (555) 010-2030"), "+15550102030");
  EXPECT_EQ(NormalizePhone("555.010.2030"), "5550102030");
  EXPECT_EQ(NormalizePhone("(+44) 20 7946 0958"), "+442079460958");
  EXPECT_EQ(NormalizePhone("030/1234\u00A05678"), "03012345678");
}

TEST(Coerce, PhoneTurnsDoubleZeroPrefixIntoPlus) {
  EXPECT_EQ(NormalizePhone("0049 30 1234"), "+49301234");
  EXPECT_EQ(NormalizePhone("+0049 30"), "+004930");  // a "+" already says international
}

TEST(Coerce, PhoneDropsExtension) {
  for (const char* text : {"555-010-2030 ext. 4", "555-010-2030 x4", "555-010-2030 #4",
                           "555-010-2030 Ext 12", "555-010-2030X 9", "555-010-2030 extension 7"}) {
    EXPECT_EQ(NormalizePhone(text), "5550102030") << text;
  }
}

TEST(Coerce, PhoneIsTrimmedAndDropsTelScheme) {
  EXPECT_EQ(NormalizePhone("  tel:+1-555-010-2030 "), "+15550102030");
}

TEST(Coerce, PhoneIsEmptyWithFewerThanThreeDigits) {
  for (const char* bad : {"", "12", "+1", "00 1", "ext 123", "--"}) {
    EXPECT_EQ(NormalizePhone(bad), "") << bad;
  }
  EXPECT_EQ(NormalizePhone("112"), "112");
}

TEST(Coerce, PhoneIsEmptyForLettersOrSeveralNumbers) {
  for (const char* bad : {"1-800-FLOWERS", "555 1234; 555 9999", "555-1234, 555-9999", "n/a"}) {
    EXPECT_EQ(NormalizePhone(bad), "") << bad;
  }
}

TEST(Coerce, NameSplitsFirstWordFromTheRest) {
  EXPECT_EQ(SplitFullName("Ana María López"), Names("Ana", "María López"));
  EXPECT_EQ(SplitFullName("John Smith"), Names("John", "Smith"));
}

TEST(Coerce, NameReadsFamilyNameFirstAroundComma) {
  EXPECT_EQ(SplitFullName("López, Ana"), Names("Ana", "López"));
  EXPECT_EQ(SplitFullName("López García, Ana María"), Names("Ana María", "López García"));
}

TEST(Coerce, NameWithOneWordIsFirstName) { EXPECT_EQ(SplitFullName("Ana"), Names("Ana", "")); }

TEST(Coerce, NameDropsTitlesBeforeTheName) {
  EXPECT_EQ(SplitFullName("Dr. Ana López"), Names("Ana", "López"));
  EXPECT_EQ(SplitFullName("Mr John Smith"), Names("John", "Smith"));
  EXPECT_EQ(SplitFullName("Prof. Dr. Ana Ruiz"), Names("Ana", "Ruiz"));
  EXPECT_EQ(SplitFullName("MRS. Smith"), Names("Smith", ""));
  EXPECT_EQ(SplitFullName("López, Dra. Ana"), Names("Ana", "López"));
}

TEST(Coerce, NameKeepsTitleThatIsTheWholeText) {
  EXPECT_EQ(SplitFullName("Dr."), Names("Dr.", ""));
}

TEST(Coerce, NameIsTrimmedWithInnerSpacesCollapsed) {
  EXPECT_EQ(SplitFullName("  Ana   María  López "), Names("Ana", "María López"));
  EXPECT_EQ(SplitFullName(""), Names("", ""));
  EXPECT_EQ(SplitFullName("   "), Names("", ""));
}

}  // namespace
}  // namespace leadkit
