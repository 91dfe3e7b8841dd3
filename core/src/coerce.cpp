#include "leadkit/coerce.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// ASCII only, so the result never depends on the process locale.
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsNoCase(s.substr(0, prefix.size()), prefix);
}

// Byte length of the blank at s[i], 0 if none. Spreadsheets pad numbers with no-break and thin
// spaces (French exports group thousands with U+202F), so those count as blanks too.
size_t BlankAt(std::string_view s, size_t i) {
  const char c = s[i];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
  const std::string_view rest = s.substr(i);
  if (rest.starts_with("\u00A0")) return 2;
  if (rest.starts_with("\u2009") || rest.starts_with("\u202F")) return 3;
  return 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && BlankAt(s, 0) != 0) s.remove_prefix(BlankAt(s, 0));
  for (;;) {
    size_t start = s.size();  // start of the last blank, if the text ends in one
    for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
      if (BlankAt(s, s.size() - back) == back) start = s.size() - back;
    }
    if (start == s.size()) return s;
    s.remove_suffix(s.size() - start);
  }
}

std::string Lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// ---- Numbers --------------------------------------------------------------------------------

constexpr std::string_view kCurrencySymbols[] = {"$", "€", "£", "¥"};

bool StripCurrency(std::string_view& s, bool prefix) {
  for (std::string_view sym : kCurrencySymbols) {
    if (prefix ? s.starts_with(sym) : s.ends_with(sym)) {
      prefix ? s.remove_prefix(sym.size()) : s.remove_suffix(sym.size());
      return true;
    }
  }
  return false;
}

// The separator starting at s[i]: '.', ',', or ' ' for marks that only ever group thousands
// (blanks, apostrophes); 0 if none. `len` receives its byte length.
char SeparatorAt(std::string_view s, size_t i, size_t& len) {
  len = 1;
  if (s[i] == '.' || s[i] == ',') return s[i];
  if (s[i] == '\'') return ' ';
  if (s.substr(i).starts_with("\u2019")) {  // Swiss exports group with a typographic apostrophe
    len = 3;
    return ' ';
  }
  len = BlankAt(s, i);
  return len != 0 ? ' ' : 0;
}

int KindIndex(char kind) { return kind == '.' ? 0 : kind == ',' ? 1 : 2; }

// Rewrites the digits and separators of `body` into `out` as "[-]digits[.digits]", deciding
// which separator is the decimal mark. False when the grouping is inconsistent.
bool NormaliseDigits(std::string_view body, bool negative, char* out, size_t cap, size_t& n) {
  int counts[3] = {0, 0, 0};  // '.', ',', grouping-only
  char last = 0;
  size_t run = 0, first_run = 0, len = 0;
  bool after_separator = true;
  for (size_t i = 0; i < body.size(); i += len) {
    len = 1;
    if (IsDigit(body[i])) {
      ++run;
      after_separator = false;
      continue;
    }
    const char kind = SeparatorAt(body, i, len);
    // Two marks in a row are not a number; a leading mark can only be a decimal one (".5").
    if (kind == 0 || (after_separator && (i != 0 || kind == ' '))) return false;
    if (last == 0) first_run = run;
    ++counts[KindIndex(kind)];
    last = kind;
    run = 0;
    after_separator = true;
  }
  if (after_separator) return false;  // empty, or a trailing mark

  char decimal = 0, group = 0;
  const int kinds = (counts[0] > 0) + (counts[1] > 0) + (counts[2] > 0);
  if (kinds == 3) return false;
  if (counts[0] > 0 && counts[1] > 0) {
    // "1,234.56" and "1.234,56": the last kind is the decimal mark and appears once.
    decimal = last;
    group = last == '.' ? ',' : '.';
    if (counts[KindIndex(decimal)] != 1) return false;
  } else if (counts[0] > 0 || counts[1] > 0) {
    const char mark = counts[0] > 0 ? '.' : ',';
    if (counts[2] > 0) {
      // Blanks already group the thousands, so the other mark must be the decimal one.
      if (counts[KindIndex(mark)] != 1 || last != mark) return false;
      decimal = mark;
      group = ' ';
    } else if (counts[KindIndex(mark)] > 1) {
      group = mark;
    } else if (run == 3 && first_run >= 1 && first_run <= 3 && body[0] != '0') {
      group = mark;  // "1,234": the header's rule; "0,500" and "1234.567" cannot be grouping
    } else {
      decimal = mark;
    }
  } else if (counts[2] > 0) {
    group = ' ';
  }

  n = 0;
  if (negative) out[n++] = '-';
  run = 0;
  bool grouped = false, fraction = false;
  for (size_t i = 0; i < body.size(); i += len) {
    if (n + 2 >= cap) return false;
    len = 1;
    if (IsDigit(body[i])) {
      out[n++] = body[i];
      ++run;
      continue;
    }
    const char kind = SeparatorAt(body, i, len);
    const bool bad_group = grouped ? run != 3 : run > 3;
    if (kind == decimal) {
      if (grouped && bad_group) return false;
      out[n++] = '.';
      fraction = true;
    } else {
      if (kind != group || fraction || run == 0 || bad_group) return false;
      grouped = true;
    }
    run = 0;
  }
  return fraction || !grouped || run == 3;
}

// ---- Dates ----------------------------------------------------------------------------------

bool IsValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= (m == 2 && leap ? 29 : kDays[m - 1]);
}

// Reads a run of digits at `pos`; returns how many (0 if none, or too many to be a date part).
int ReadDigits(std::string_view s, size_t& pos, int& value) {
  int count = 0;
  value = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    if (++count > 4) return 0;
    value = value * 10 + (s[pos++] - '0');
  }
  return count;
}

bool SkipBlanks(std::string_view s, size_t& pos) {
  const size_t start = pos;
  while (pos < s.size() && BlankAt(s, pos) != 0) pos += BlankAt(s, pos);
  return pos != start;
}

// A four-digit year, or a two-digit one pivoting at 70 as spreadsheets do.
bool ReadYear(std::string_view s, size_t& pos, int& year) {
  const int digits = ReadDigits(s, pos, year);
  if (digits == 2) year += year < 70 ? 2000 : 1900;
  return digits == 2 || digits == 4;
}

// "Mar", "March", "mar." or "Sept" at `pos`: the month number, or 0.
int ReadMonthName(std::string_view s, size_t& pos) {
  static constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
                                                 "may",       "june",     "july",     "august",
                                                 "september", "october",  "november", "december"};
  size_t end = pos;
  while (end < s.size() && IsAlpha(s[end])) ++end;
  const std::string_view word = s.substr(pos, end - pos);
  for (int i = 0; i < 12; ++i) {
    const bool abbreviation = word.size() == 3 || (i == 8 && EqualsNoCase(word, "sept"));
    if (EqualsNoCase(word, kMonths[i]) || (abbreviation && StartsWithNoCase(kMonths[i], word))) {
      pos = end;
      if (word.size() != kMonths[i].size() && pos < s.size() && s[pos] == '.') ++pos;
      return i + 1;
    }
  }
  return 0;
}

// Every date form of the header but ISO and Unix time; leaves `pos` after the date.
bool ReadDate(std::string_view s, size_t& pos, DateOrder order, int& y, int& m, int& d) {
  int a = 0, b = 0;
  if (pos < s.size() && IsAlpha(s[pos])) {  // "Mar 1, 2026", "March 1 2026"
    m = ReadMonthName(s, pos);
    if (m == 0 || !SkipBlanks(s, pos)) return false;
    const int digits = ReadDigits(s, pos, d);
    if (digits < 1 || digits > 2) return false;
    const bool comma = pos < s.size() && s[pos] == ',';
    pos += comma;
    return (SkipBlanks(s, pos) || comma) && ReadYear(s, pos, y);
  }
  const int lead = ReadDigits(s, pos, a);
  if (lead == 0 || lead == 3 || pos >= s.size()) return false;
  const char sep = s[pos];
  const bool dashed_name = sep == '-' && pos + 1 < s.size() && IsAlpha(s[pos + 1]);
  if (lead <= 2 && (dashed_name || BlankAt(s, pos) != 0)) {  // "1 Mar 2026", "01-Mar-2026"
    d = a;
    if (dashed_name) {
      ++pos;
    } else {
      SkipBlanks(s, pos);
    }
    m = ReadMonthName(s, pos);
    if (m == 0) return false;
    if (dashed_name ? pos >= s.size() || s[pos++] != '-' : !SkipBlanks(s, pos)) return false;
    return ReadYear(s, pos, y);
  }
  if (sep != '/' && sep != '-' && sep != '.') return false;
  ++pos;
  const int middle = ReadDigits(s, pos, b);
  if (middle < 1 || middle > 2 || pos >= s.size() || s[pos++] != sep) return false;
  if (lead == 4) {  // "2026/03/01"
    y = a;
    m = b;
    const int digits = ReadDigits(s, pos, d);
    return digits >= 1 && digits <= 2;
  }
  if (!ReadYear(s, pos, y)) return false;
  const bool day_first = sep == '.' || order == DateOrder::kDayFirst || a > 12;
  d = day_first ? a : b;
  m = day_first ? b : a;
  return true;
}

// "09:30", "09:30:15", "9:30 AM", "9:30pm": milliseconds into the day.
bool ReadClock(std::string_view s, size_t& pos, int64_t& ms) {
  int hour = 0, minute = 0, second = 0;
  const int hour_digits = ReadDigits(s, pos, hour);
  if (hour_digits < 1 || hour_digits > 2 || pos >= s.size() || s[pos++] != ':') return false;
  if (ReadDigits(s, pos, minute) != 2) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (ReadDigits(s, pos, second) != 2) return false;
  }
  SkipBlanks(s, pos);
  const std::string_view rest = s.substr(pos);
  if (EqualsNoCase(rest, "am") || EqualsNoCase(rest, "pm")) {
    if (hour < 1 || hour > 12) return false;
    hour = hour % 12 + (Lower(rest[0]) == 'p' ? 12 : 0);
    pos = s.size();
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  ms = ((hour * 60 + minute) * 60 + second) * int64_t{1000};
  return true;
}

// ---- Contacts -------------------------------------------------------------------------------

// The address inside "Name <address>", without "mailto:" or a mailto query.
std::string_view BareAddress(std::string_view s) {
  s = Trim(s);
  const size_t open = s.rfind('<');
  if (open != std::string_view::npos) {
    const size_t close = s.find('>', open);
    if (close != std::string_view::npos) s = Trim(s.substr(open + 1, close - open - 1));
  }
  if (StartsWithNoCase(s, "mailto:")) {
    s.remove_prefix(7);
    s = Trim(s.substr(0, s.find('?')));  // "?subject=..." belongs to the link, not the address
  }
  return s;
}

bool IsTitle(std::string_view word) {
  static constexpr std::string_view kTitles[] = {"mr",   "mrs",  "ms",  "miss", "mx",   "dr",
                                                 "prof", "sir",  "sr",  "sra",  "srta", "herr",
                                                 "dra",  "frau", "mme", "mlle"};
  if (word.ends_with('.')) word.remove_suffix(1);
  for (std::string_view title : kTitles) {
    if (EqualsNoCase(word, title)) return true;
  }
  return false;
}

std::string_view NextWord(std::string_view s, size_t& pos) {
  SkipBlanks(s, pos);
  const size_t start = pos;
  while (pos < s.size() && BlankAt(s, pos) == 0) ++pos;
  return s.substr(start, pos - start);
}

// The words of `s` joined by single spaces, however they were spaced.
std::string JoinWords(std::string_view s) {
  std::string out;
  size_t pos = 0;
  for (std::string_view word = NextWord(s, pos); !word.empty(); word = NextWord(s, pos)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

// A URL scheme ("https") ends at `at`; the "://" of a redirect target further on does not count.
bool IsScheme(std::string_view s, size_t at) {
  if (at == 0 || at == std::string_view::npos) return false;
  for (size_t i = 0; i < at; ++i) {
    if (!IsAlpha(s[i]) && !IsDigit(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<double> ParseLooseNumber(std::string_view text) {
  // Plain digits, by far the commonest cell, skip the general path and strtod.
  if (!text.empty() && text.size() <= 15 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    return static_cast<double>(v);
  }
  std::string_view s = Trim(text);
  bool negative = false, sign_seen = false, currency_seen = false;
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {  // accounting negatives
    negative = sign_seen = true;
    s = Trim(s.substr(1, s.size() - 2));
  }
  // Sign and currency symbol come in either order: "-$12" and "$-12" are both seen.
  for (;;) {
    if (!sign_seen && !s.empty() && (s.front() == '-' || s.front() == '+')) {
      negative = s.front() == '-';
      sign_seen = true;
      s = Trim(s.substr(1));
    } else if (!currency_seen && StripCurrency(s, /*prefix=*/true)) {
      currency_seen = true;
      s = Trim(s);
    } else {
      break;
    }
  }
  if (!currency_seen && StripCurrency(s, /*prefix=*/false)) s = Trim(s);
  const char* exponent = "";
  if (s.size() >= 2 && IsDigit(s[s.size() - 2])) {
    const char unit = Lower(s.back());
    if (unit == 'k' || unit == 'm') {
      // As a decimal exponent, so strtod rounds "1.1k" once instead of 1.1 * 1000 rounding twice.
      exponent = unit == 'k' ? "e3" : "e6";
      s.remove_suffix(1);
    }
  }
  // Room for any finite double written out in full; longer text is not a spreadsheet number.
  char buf[400];
  size_t n = 0;
  if (!NormaliseDigits(s, negative, buf, sizeof buf - 3, n)) return std::nullopt;
  for (const char* e = exponent; *e != '\0'; ++e) buf[n++] = *e;
  buf[n] = '\0';
  // buf is plain ASCII with a '.' decimal mark, which strtod reads alike in the "C" locale.
  char* end = nullptr;
  const double value = std::strtod(buf, &end);
  if (end != buf + n || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseEmployeeCount(std::string_view text) {
  std::string_view s = Trim(text);
  for (std::string_view word : {"employees", "employee"}) {
    if (s.size() >= word.size() && EqualsNoCase(s.substr(s.size() - word.size()), word)) {
      s = Trim(s.substr(0, s.size() - word.size()));
      break;
    }
  }
  const bool open_ended = s.ends_with('+');
  if (open_ended) s = Trim(s.substr(0, s.size() - 1));
  const auto count = [](std::string_view t) -> std::optional<int64_t> {
    t = Trim(t);
    // Only plain digits may lead: a sign, a bracket or a currency is not a head count.
    if (t.empty() || !IsDigit(t[0])) return std::nullopt;
    const std::optional<double> v = ParseLooseNumber(t);
    if (!v || *v != std::floor(*v) || *v > 9e15) return std::nullopt;
    return static_cast<int64_t>(*v);
  };
  size_t dash = s.find('-', 1), dash_len = 1;
  if (dash == std::string_view::npos) {
    dash = s.find("\u2013", 1);  // en dash, as typeset exports write ranges
    dash_len = 3;
  }
  if (dash == std::string_view::npos) return count(s);
  const std::optional<int64_t> low = count(s.substr(0, dash));
  const std::optional<int64_t> high = count(s.substr(dash + dash_len));
  if (open_ended || !low || !high || *high < *low) return std::nullopt;
  return low;
}

std::optional<int64_t> ParseLooseDate(std::string_view text, DateOrder order) {
  const std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  size_t digits = 0;
  while (digits < s.size() && IsDigit(s[digits])) ++digits;
  if (digits == s.size()) {  // Unix time; other digit runs are too ambiguous to read
    if (digits != 10 && digits != 13) return std::nullopt;
    int64_t value = 0;
    for (char c : s) value = value * 10 + (c - '0');
    return digits == 10 ? value * 1000 : value;
  }
  if (std::optional<int64_t> iso = ParseIsoTime(s)) return iso;
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  if (!ReadDate(s, pos, order, y, m, d) || !IsValidDate(y, m, d)) return std::nullopt;
  int64_t ms_of_day = 0;
  if (pos < s.size() && (!SkipBlanks(s, pos) || !ReadClock(s, pos, ms_of_day))) {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * kMsPerDay +
         ms_of_day;
}

DateOrder DetectDateOrder(std::span<const std::string_view> samples) {
  bool first_over_12 = false, second_over_12 = false;
  for (std::string_view sample : samples) {
    const std::string_view s = Trim(sample);
    size_t pos = 0;
    int a = 0, b = 0;
    const int lead = ReadDigits(s, pos, a);
    // Only "n/n/..." and "n-n-...": year-first and dotted dates say nothing about the order.
    if (lead < 1 || lead > 2 || pos >= s.size() || (s[pos] != '/' && s[pos] != '-')) continue;
    const char sep = s[pos++];
    const int middle = ReadDigits(s, pos, b);
    if (middle < 1 || middle > 2 || pos >= s.size() || s[pos] != sep) continue;
    first_over_12 |= a > 12;
    second_over_12 |= b > 12;
  }
  return first_over_12 && !second_over_12 ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
}

std::optional<bool> ParseLooseBool(std::string_view text) {
  const std::string_view s = Trim(text);
  for (std::string_view yes : {"true", "yes", "y", "1", "on"}) {
    if (EqualsNoCase(s, yes)) return true;
  }
  for (std::string_view no : {"false", "no", "n", "0", "off"}) {
    if (EqualsNoCase(s, no)) return false;
  }
  return std::nullopt;
}

std::string NormalizeEmail(std::string_view text) { return Lowered(BareAddress(text)); }

std::string DomainFromUrl(std::string_view text) {
  std::string_view s = Trim(text);
  for (size_t i = 0; i < s.size(); ++i) {
    if (BlankAt(s, i) != 0) return "";
  }
  const size_t scheme = s.find("://");
  if (IsScheme(s, scheme)) {
    s.remove_prefix(scheme + 3);
  } else if (s.starts_with("//")) {
    s.remove_prefix(2);
  } else if (s.find('@') != std::string_view::npos) {
    s = BareAddress(s);
  }
  s = s.substr(0, s.find_first_of("/?#"));
  const size_t at = s.rfind('@');  // user info of a URL, or the mailbox of an address
  if (at != std::string_view::npos) s.remove_prefix(at + 1);
  const size_t colon = s.rfind(':');
  if (colon != std::string_view::npos &&
      s.find_first_not_of("0123456789", colon + 1) == std::string_view::npos) {
    s = s.substr(0, colon);
  }
  if (s.ends_with('.')) s.remove_suffix(1);
  if (StartsWithNoCase(s, "www.") && s.find('.', 4) != std::string_view::npos) s.remove_prefix(4);
  if (s.find('.') == std::string_view::npos) return "";
  return Lowered(s);
}

std::string NormalizePhone(std::string_view text) {
  std::string_view s = Trim(text);
  if (StartsWithNoCase(s, "tel:")) s = Trim(s.substr(4));
  std::string out;
  out.reserve(s.size());
  bool plus = false;
  for (size_t i = 0, len = 1; i < s.size(); i += len) {
    const char c = s[i];
    len = std::max<size_t>(BlankAt(s, i), 1);
    if (IsDigit(c)) {
      out += c;
    } else if (c == '+' && out.empty() && !plus) {
      plus = true;
    } else if (c == '#' || StartsWithNoCase(s.substr(i), "ext") || Lower(c) == 'x') {
      break;  // an extension reaches nobody by itself, so it is not part of the number
    } else if (c != '(' && c != ')' && c != '-' && c != '.' && c != '/' && BlankAt(s, i) == 0) {
      return "";  // letters or a second number: reading it would be a guess
    }
  }
  if (!plus && out.starts_with("00")) {
    out.erase(0, 2);
    plus = true;
  }
  if (out.size() < 3) return "";
  return plus ? "+" + out : out;
}

std::pair<std::string, std::string> SplitFullName(std::string_view text) {
  const std::string_view s = Trim(text);
  const size_t comma = s.find(',');  // "López, Ana": the family name comes first
  std::string_view given = comma == std::string_view::npos ? s : s.substr(comma + 1);
  for (size_t pos = 0;;) {
    const std::string_view word = NextWord(given, pos);
    // A title alone may be all there is; it is dropped only when a name follows it.
    if (!IsTitle(word) || Trim(given.substr(pos)).empty()) break;
    given.remove_prefix(pos);
    pos = 0;
  }
  if (comma != std::string_view::npos) return {JoinWords(given), JoinWords(s.substr(0, comma))};
  size_t pos = 0;
  const std::string_view first = NextWord(given, pos);
  return {std::string(first), JoinWords(given.substr(pos))};
}

}  // namespace leadkit
