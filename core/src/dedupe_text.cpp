// The text side of duplicate detection: folding names for comparison, company names without
// their legal form, canonical e-mail and phone digits, and two string similarities.
#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "leadkit/coerce.hpp"
#include "leadkit/dedupe.hpp"
#include "leadkit/lead.hpp"

namespace leadkit {
namespace {

constexpr size_t kMaxNameBytes = 64;  // Jaro-Winkler reads this much of each string
constexpr size_t kMinPhoneDigits = 7;

// Latin-1 letters by their UTF-8 second byte after 0xC3 (U+00C0 to U+00FF), folded to ASCII so
// "María López" and "Maria Lopez" compare equal. Other bytes pass through untouched.
constexpr std::string_view kLatin1Fold[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y"};

bool IsLegalSuffix(std::string_view t) {
  static constexpr std::array<std::string_view, 40> kSuffixes = {
      "inc",  "incorporated", "corp", "corporation", "co",   "company", "ltd",  "limited",
      "llc",  "llp",          "lp",   "plc",         "gmbh", "mbh",     "ag",   "kg",
      "ug",   "sa",           "sas",  "sarl",        "srl",  "spa",     "sl",   "bv",
      "nv",   "ab",           "as",   "oy",          "oyj",  "pty",     "pvt",  "pte",
      "kk",   "se",           "ltda", "sau",         "sro",  "kft",     "aps",  "bhd"};
  return std::find(kSuffixes.begin(), kSuffixes.end(), t) != kSuffixes.end();
}

}  // namespace

// Lower-case ASCII letters and digits with accents folded; everything else becomes one space.
std::string FoldForMatching(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto space = [&out] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      const std::string_view f = kLatin1Fold[static_cast<unsigned char>(s[++i]) & 0x3F];
      if (f == " ") space();
      else out += f;
    } else if (c >= 0x80) {
      out += static_cast<char>(c);  // other scripts: kept, so equal names still compare equal
    } else if (c != '\'') {       // "O'Brien" and "OBrien" are one name
      space();
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "The ACME, Inc." → "acme"; "Société Générale S.A." → "societe generale". Runs of single
// letters join first, so "S.A." and "I.B.M." read as "sa" and "ibm".
std::string NormalizeCompanyName(std::string_view company) {
  const std::string folded = FoldForMatching(company);
  std::vector<std::string> tokens;
  bool letters = false;  // the last token is a run of single letters
  for (size_t i = 0; i < folded.size();) {
    const size_t end = std::min(folded.find(' ', i), folded.size());
    std::string t = folded.substr(i, end - i);
    i = end + 1;
    const bool letter = t.size() == 1 && t[0] >= 'a' && t[0] <= 'z';
    if (letter && letters) {
      tokens.back() += t;
    } else {
      tokens.push_back(std::move(t));
      letters = letter;
    }
  }
  if (tokens.size() > 1 && tokens.front() == "the") tokens.erase(tokens.begin());
  while (tokens.size() > 1 && IsLegalSuffix(tokens.back())) tokens.pop_back();
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

bool IsFreeMailDomain(std::string_view d) {
  static constexpr std::array<std::string_view, 22> kProviders = {
      "gmail", "googlemail", "outlook", "hotmail", "live",   "msn",     "yahoo", "ymail",
      "aol",   "icloud",     "me",      "mac",     "gmx",    "web",     "mail",  "yandex",
      "proton", "protonmail", "zoho",   "qq",      "163",    "fastmail"};
  static constexpr std::array<std::string_view, 8> kDomains = {
      "t-online.de", "orange.fr", "free.fr",    "laposte.net",
      "btinternet.com", "comcast.net", "hey.com", "seznam.cz"};
  if (std::find(kDomains.begin(), kDomains.end(), d) != kDomains.end()) return true;
  const std::string_view label = d.substr(0, d.find('.'));
  return std::find(kProviders.begin(), kProviders.end(), label) != kProviders.end();
}

// The mailbox an address reaches: a "+tag" is dropped on every domain (sub-addressing is near
// universal), and Gmail also ignores dots.
std::string CanonicalEmail(std::string_view email) {
  std::string e = NormalizeEmail(email);
  const size_t at = e.rfind('@');
  if (at == std::string::npos || at == 0) return e;
  std::string local = e.substr(0, at), domain = e.substr(at + 1);
  local = local.substr(0, local.find('+'));
  if (domain == "gmail.com" || domain == "googlemail.com") {
    std::erase(local, '.');
    domain = "gmail.com";
  }
  return local.empty() ? e : local + "@" + domain;
}

// Digits only, without "+", a country code's "+" or a trunk "0": "+49 30 1234567" keeps 49, a
// national "030 1234567" drops its 0, so one ends with the other (see PhonesMatch).
std::string CanonicalPhoneDigits(std::string_view phone) {
  std::string p = NormalizePhone(phone);
  if (p.starts_with('+')) p.erase(0, 1);
  else p.erase(0, std::min(p.find_first_not_of('0'), p.size()));
  return p.size() >= kMinPhoneDigits ? p : std::string();
}

bool PhoneDigitsMatch(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  const std::string_view shorter = a.size() <= b.size() ? a : b;
  const std::string_view longer = a.size() <= b.size() ? b : a;
  return longer.ends_with(shorter);
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a == b) return 1.0;
  a = a.substr(0, kMaxNameBytes);
  b = b.substr(0, kMaxNameBytes);
  if (a.empty() || b.empty()) return 0.0;
  const size_t longer = std::max(a.size(), b.size());
  const size_t range = longer / 2 > 0 ? longer / 2 - 1 : 0;
  uint64_t a_hit = 0, b_hit = 0;  // bit i: character i is matched
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > range ? i - range : 0, hi = std::min(i + range + 1, b.size());
    for (size_t j = lo; j < hi; ++j) {
      if (!(b_hit >> j & 1) && a[i] == b[j]) {
        a_hit |= uint64_t{1} << i;
        b_hit |= uint64_t{1} << j;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t transposed = 0;
  for (size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!(a_hit >> i & 1)) continue;
    while (!(b_hit >> j & 1)) ++j;
    if (a[i] != b[j]) ++transposed;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
                       (m - static_cast<double>(transposed) / 2) / m) / 3;
  size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return jaro + 0.1 * static_cast<double>(prefix) * (1 - jaro);
}

// 1 - edit distance / longer length: unlike Jaro-Winkler it does not forgive a different second
// word, so "Helix Labs" and "Helix Pay" stay two companies.
double EditSimilarity(std::string_view a, std::string_view b, double floor) {
  if (a == b) return 1.0;
  const size_t longer = std::max(a.size(), b.size());
  if (a.empty() || b.empty()) return 0.0;
  const size_t gap = longer - std::min(a.size(), b.size());
  if (static_cast<double>(gap) > (1 - floor) * static_cast<double>(longer)) return 0.0;
  if (a.size() > TextLimits::kShort || b.size() > TextLimits::kShort) return 0.0;
  std::array<uint16_t, TextLimits::kShort + 1> row;
  std::iota(row.begin(), row.begin() + static_cast<ptrdiff_t>(b.size()) + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    uint16_t diagonal = row[0];
    row[0] = static_cast<uint16_t>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const uint16_t up = row[j];
      row[j] = std::min<uint16_t>({static_cast<uint16_t>(row[j] + 1), static_cast<uint16_t>(row[j - 1] + 1),
                                   static_cast<uint16_t>(diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))});
      diagonal = up;
    }
  }
  return 1.0 - static_cast<double>(row[b.size()]) / static_cast<double>(longer);
}

}  // namespace leadkit
