// Loose reading of spreadsheet cells: the numbers, dates, booleans, e-mail addresses, web
// addresses, phone numbers and names people type, in the forms CRM exports write them. Each
// reader returns nullopt (or an empty string) for text it cannot read, never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace leadkit {

// "1234", "1,234.56", "1.234,56", "1 234", "1'234", "$12,000", "12 000 €", "-3.5", "(1,200)"
// (negative), "12k" / "1.5M" (thousand, million). A single separator followed by exactly three
// digits is a thousands separator ("1,234" = 1234, "1.234" = 1234); otherwise it is the decimal
// mark ("1,5" = 1.5). Surrounding spaces are ignored. Not finite or not a number: nullopt.
std::optional<double> ParseLooseNumber(std::string_view text);

// Employee counts as exports write them: "250", "1,200", a range "51-200" or "51 - 200
// employees" (its lower bound: a company of 51 to 200 is known to have at least 51), "10,001+",
// "10001+ employees". Negative or fractional: nullopt.
std::optional<int64_t> ParseEmployeeCount(std::string_view text);

enum class DateOrder : uint8_t { kMonthFirst, kDayFirst };

// Milliseconds since the epoch (UTC) of:
// - ISO 8601 as ParseIsoTime reads it, and "2026-03-01 09:30[:00]" with a space;
// - "2026/03/01";
// - "03/01/2026" and "3/1/26" (slashes or dashes: month first unless `order` says day first,
//   or the first number is over 12), "01.03.2026" (dots: always day first);
// - each of these followed by " 09:30", " 09:30:15", " 9:30 AM" / " 9:30 pm";
// - "1 Mar 2026", "1 March 2026", "Mar 1, 2026", "March 1 2026", "01-Mar-2026";
// - Unix time: 10 digits are seconds, 13 digits milliseconds.
// Two-digit years are 2000 + yy when yy < 70, else 1900 + yy. Impossible dates give nullopt.
std::optional<int64_t> ParseLooseDate(std::string_view text, DateOrder order = DateOrder::kMonthFirst);

// Which order a column of slash or dash dates uses: day first when any sample's first number is
// over 12 and no sample's second number is; month first otherwise.
DateOrder DetectDateOrder(std::span<const std::string_view> samples);

// true/false, yes/no, y/n, 1/0, on/off, x/"" is not accepted; case-insensitive, trimmed.
std::optional<bool> ParseLooseBool(std::string_view text);

// Trimmed and lower-cased; "mailto:" dropped; "Ana Ruiz <Ana@Example.com>" gives
// "ana@example.com". Does not validate.
std::string NormalizeEmail(std::string_view text);

// The host of a web address, lower-cased, without scheme, "www.", port, path, query or a trailing
// dot: "https://www.Acme.com:443/about?x=1" gives "acme.com". An e-mail address gives its domain.
// Text with no dot or with spaces inside gives "".
std::string DomainFromUrl(std::string_view text);

// Digits only, with a leading "+" kept when the number had one, and "00" as an international
// prefix turned into "+": "+1 (555) 010-2030" gives "+15550102030", "0049 30 1234" gives
// "+49301234". An extension ("ext. 4", "x4", "#4") is dropped. Fewer than 3 digits gives "".
std::string NormalizePhone(std::string_view text);

// "Ana María López" gives {"Ana", "María López"}; "López, Ana" gives {"Ana", "López"}; one word
// is a first name. Titles such as "Dr." or "Mr" before a name are dropped. Trimmed.
std::pair<std::string, std::string> SplitFullName(std::string_view text);

}  // namespace leadkit
