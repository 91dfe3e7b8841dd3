// The rule language's tokens: identifiers, quoted texts, numbers, durations (7d, 24h, 2w) and
// symbols, each with its line and column; # and // start comments.
#include <array>

#include "leadkit/iso_time.hpp"
#include "rules_internal.hpp"

namespace leadkit::rules_detail {
namespace {

// Digits with at most one '.', read without strtod: up to 15 significant digits fit a double's
// mantissa exactly and one division by an exact power of ten rounds once (Clinger's fast path),
// so the value is the correctly rounded one. strtod would link long-double arithmetic into the
// website widget's slim build (about 3 KB gzipped). False when the number is longer than that.
bool ExactNumber(std::string_view text, double& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  uint64_t mantissa = 0;
  int digits = 0, fraction = -1;
  for (char c : text) {
    if (c == '.') {
      fraction = 0;
      continue;
    }
    if (digits > 0 || c != '0') ++digits;  // leading zeros are not significant
    mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
    if (fraction >= 0) ++fraction;
    if (digits > 15 || fraction > 22) return false;
  }
  out = static_cast<double>(mantissa) / kPow10[fraction < 0 ? 0 : fraction];
  return true;
}

}  // namespace

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "the end of the rules";
    case Tok::kString: return "the text \"" + t.text.substr(0, 40) + "\"";
    case Tok::kNumber: return "the number " + t.text;
    case Tok::kDuration: return "the duration " + t.text;
    default: return "'" + t.text.substr(0, 40) + "'";
  }
}

Error At(int line, int column, std::string message) {
  Error e{std::move(message), {}};
  e.where.line = line;
  e.where.column = column;
  return e;
}

Result<std::vector<Token>> Lex(std::string_view src) {
  std::vector<Token> out;
  size_t i = 0;
  int line = 1, col = 1;
  const auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < src.size(); ++k, ++i) {
      if (src[i] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(src[i]) & 0xC0) != 0x80) {
        ++col;
      }
    }
  };
  const auto is_ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  };
  while (i < src.size()) {
    const char c = src[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance(1);
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < src.size() && src[i + 1] == '/')) {
      while (i < src.size() && src[i] != '\n') advance(1);
      continue;
    }
    Token t;
    t.line = line;
    t.column = col;
    if (c == '"') {
      advance(1);
      t.kind = Tok::kString;
      for (;;) {
        if (i >= src.size() || src[i] == '\n') return At(t.line, t.column, "this text is missing its closing quote");
        if (src[i] == '"') break;
        if (src[i] == '\\' && i + 1 < src.size() && (src[i + 1] == '"' || src[i + 1] == '\\')) advance(1);
        t.text += src[i];
        advance(1);
      }
      advance(1);
    } else if (c >= '0' && c <= '9') {
      size_t j = i;
      while (j < src.size() && ((src[j] >= '0' && src[j] <= '9') || src[j] == '.')) ++j;
      t.text = std::string(src.substr(i, j - i));
      if (std::count(t.text.begin(), t.text.end(), '.') > 1 || t.text.back() == '.') {
        return At(line, col, "\"" + t.text + "\" is not a number");
      }
      t.kind = Tok::kNumber;
      if (!ExactNumber(t.text, t.number)) {
        return At(line, col, "\"" + t.text + "\" has too many digits: rule numbers hold 15 significant digits exactly");
      }
      if (j < src.size() && is_ident(src[j])) {
        size_t k = j;
        while (k < src.size() && is_ident(src[k])) ++k;
        const std::string unit(src.substr(j, k - j));
        const double ms = unit == "d" ? kMsPerDay : unit == "h" ? kMsPerDay / 24 : unit == "w" ? 7 * kMsPerDay : 0;
        if (ms == 0) {
          return At(line, col, "unknown unit \"" + unit.substr(0, 20) + "\" after " + t.text +
                                   "; durations are written like 7d, 24h or 2w");
        }
        t.kind = Tok::kDuration;
        t.text += unit;
        t.number *= ms;
        j = k;
      }
      advance(j - i);
    } else if (is_ident(c)) {
      size_t j = i;
      while (j < src.size() && is_ident(src[j])) ++j;
      t.kind = Tok::kIdent;
      t.text = std::string(src.substr(i, j - i));
      advance(j - i);
    } else {
      static constexpr std::array<std::string_view, 6> kTwo = {"==", "!=", "<=", ">=", "&&", "||"};
      const std::string_view two = src.substr(i, 2);
      t.kind = Tok::kSymbol;
      if (std::find(kTwo.begin(), kTwo.end(), two) != kTwo.end()) {
        t.text = std::string(two);
        advance(2);
      } else if (std::string_view("<>+-*/()[]{},=").find(c) != std::string_view::npos) {
        t.text = std::string(1, c);
        advance(1);
        if (t.text == "=") return At(t.line, t.column, "use == to compare");
      } else {
        const auto lead = static_cast<unsigned char>(c);  // quote the whole UTF-8 character
        const size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return At(t.line, t.column, "unexpected character '" + std::string(src.substr(i, len)) + "'");
      }
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  end.column = col;
  out.push_back(end);
  return out;
}

}  // namespace leadkit::rules_detail
