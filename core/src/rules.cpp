#include "leadkit/rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "leadkit/iso_time.hpp"

namespace leadkit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint32_t kBlock = 1024;  // rows per pass of one instruction: registers stay in cache
constexpr size_t kMaxRuleText = 256 * 1024;
constexpr double kMaxMagnitude = 1e12;  // event property values beyond this are clamped

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A custom value that is not text, as text tests read it: what json::dump writes for a scalar,
// without linking the serializer and printf into the website widget's slim build.
std::string ScalarText(const nlohmann::json& v) {
  char buf[40];
  char* end = buf;
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) end = std::to_chars(buf, buf + sizeof buf, v.get<uint64_t>()).ptr;
  else if (v.is_number_integer()) end = std::to_chars(buf, buf + sizeof buf, v.get<int64_t>()).ptr;
  else if (v.is_number_float() && !std::isfinite(v.get<double>())) return "null";
  else if (v.is_number_float()) end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v.get<double>());
  return std::string(buf, end);
}

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

// ---- Tokens ----

enum class Tok { kEnd, kIdent, kString, kNumber, kDuration, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, decoded string, or symbol
  double number = 0; // number, or a duration in milliseconds
  int line = 1, column = 1;
};

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

// ---- AST ----

struct Node {
  enum Kind { kNumber, kString, kList, kBool, kField, kAggregate, kNeg, kNot, kBinary } kind;
  explicit Node(Kind k) : kind(k) {}
  std::string text;  // field name, string, operator, or aggregate function
  double number = 0;
  int line = 0, column = 0;
  std::vector<Node> kids;
  // Aggregates: kids hold nothing; these say what to count.
  std::string source, type_filter, prop;  // events|touches, "page_view", "amount"
  double window_ms = 0;                   // 0: all time
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  const Token& Peek(size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
  bool IsWord(std::string_view w, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kIdent && Peek(ahead).text == w;
  }
  bool IsSym(std::string_view s) const { return Peek().kind == Tok::kSymbol && Peek().text == s; }
  Token Take() { return t_[std::min(p_++, t_.size() - 1)]; }
  Error Expected(std::string_view what) const {
    return At(Peek().line, Peek().column, "expected " + std::string(what) + ", got " + Describe(Peek()));
  }
  Result<Token> Expect(Tok kind, std::string_view text, std::string_view what) {
    if (Peek().kind != kind || (!text.empty() && Peek().text != text)) return Expected(what);
    return Take();
  }

  Result<Node> Expression() { return Or(); }

 private:
  Result<Node> Or() {
    auto left = And();
    if (!left) return left;
    while (IsWord("or") || IsSym("||")) {
      const Token op = Take();
      auto right = And();
      if (!right) return right;
      left = Binary("or", op, std::move(left.value()), std::move(right.value()));
    }
    return left;
  }
  Result<Node> And() {
    auto left = Not();
    if (!left) return left;
    while (IsWord("and") || IsSym("&&")) {
      const Token op = Take();
      auto right = Not();
      if (!right) return right;
      left = Binary("and", op, std::move(left.value()), std::move(right.value()));
    }
    return left;
  }
  Result<Node> Not() {
    if (IsWord("not")) {
      const Token op = Take();
      auto inner = Not();
      if (!inner) return inner;
      Node n(Node::kNot);
      n.line = op.line;
      n.column = op.column;
      n.kids.push_back(std::move(inner.value()));
      return n;
    }
    return Compare();
  }
  Result<Node> Compare() {
    auto left = Sum();
    if (!left) return left;
    static constexpr std::array<std::string_view, 6> kCmp = {"==", "!=", "<", "<=", ">", ">="};
    static constexpr std::array<std::string_view, 5> kMatch = {"in", "has_any", "contains",
                                                               "starts_with", "ends_with"};
    const Token& op = Peek();
    if (op.kind == Tok::kSymbol && std::find(kCmp.begin(), kCmp.end(), op.text) != kCmp.end()) {
      const Token o = Take();
      auto right = Sum();
      if (!right) return right;
      return Binary(o.text, o, std::move(left.value()), std::move(right.value()));
    }
    if (op.kind == Tok::kIdent && std::find(kMatch.begin(), kMatch.end(), op.text) != kMatch.end()) {
      const Token o = Take();
      const bool list = o.text == "in" || o.text == "has_any";
      auto right = list ? List() : Primary();
      if (!right) return right;
      return Binary(o.text, o, std::move(left.value()), std::move(right.value()));
    }
    return left;
  }
  Result<Node> Sum() {
    auto left = Term();
    if (!left) return left;
    while (IsSym("+") || IsSym("-")) {
      const Token o = Take();
      auto right = Term();
      if (!right) return right;
      left = Binary(o.text, o, std::move(left.value()), std::move(right.value()));
    }
    return left;
  }
  Result<Node> Term() {
    auto left = Unary();
    if (!left) return left;
    while (IsSym("*") || IsSym("/")) {
      const Token o = Take();
      auto right = Unary();
      if (!right) return right;
      left = Binary(o.text, o, std::move(left.value()), std::move(right.value()));
    }
    return left;
  }
  Result<Node> Unary() {
    if (IsSym("-") || IsSym("+")) {
      const Token o = Take();
      auto inner = Unary();
      if (!inner) return inner;
      if (o.text == "+") return inner;
      if (inner.value().kind == Node::kNumber) {  // "-30" is a constant, not an operation
        inner.value().number = -inner.value().number;
        return inner;
      }
      Node n(Node::kNeg);
      n.line = o.line;
      n.column = o.column;
      n.kids.push_back(std::move(inner.value()));
      return n;
    }
    return Primary();
  }
  Result<Node> List() {
    auto open = Expect(Tok::kSymbol, "[", "a list such as [\"SaaS\", \"Fintech\"]");
    if (!open) return open.error();
    Node n(Node::kList);
    n.line = open.value().line;
    n.column = open.value().column;
    while (!IsSym("]")) {
      if (!n.kids.empty()) {
        if (auto c = Expect(Tok::kSymbol, ",", "',' or ']' in the list"); !c) return c.error();
      }
      auto item = Primary();
      if (!item) return item;
      if (item.value().kind != Node::kString && item.value().kind != Node::kNumber) {
        return At(item.value().line, item.value().column, "a list holds only texts or numbers");
      }
      n.kids.push_back(std::move(item.value()));
      if (n.kids.size() > 1000) return At(n.line, n.column, "a list holds at most 1000 values");
    }
    Take();
    if (n.kids.empty()) return At(n.line, n.column, "an empty list matches nothing; add values");
    return n;
  }
  Result<Node> Primary() {
    const Token t = Peek();
    Node n(Node::kNumber);
    n.line = t.line;
    n.column = t.column;
    if (t.kind == Tok::kNumber) {
      Take();
      n.number = t.number;
      return n;
    }
    if (t.kind == Tok::kString) {
      Take();
      n.kind = Node::kString;
      n.text = t.text;
      return n;
    }
    if (t.kind == Tok::kDuration) {
      return At(t.line, t.column, "a duration such as " + t.text + " belongs inside count, sum or days_since");
    }
    if (IsSym("(")) {
      if (++depth_ > 64) return At(t.line, t.column, "parentheses nested deeper than 64");
      Take();
      auto inner = Expression();
      if (!inner) return inner;
      if (auto c = Expect(Tok::kSymbol, ")", "')'"); !c) return c.error();
      --depth_;
      return inner;
    }
    if (t.kind == Tok::kIdent) {
      if (t.text == "true" || t.text == "false") {
        Take();
        n.kind = Node::kBool;
        n.number = t.text == "true";
        return n;
      }
      if (t.text == "count" || t.text == "sum" || t.text == "days_since") return Aggregate();
      static constexpr std::array<std::string_view, 13> kReserved = {
          "rule", "group", "when", "then", "limit", "and", "or", "not", "in", "has_any", "contains",
          "starts_with", "ends_with"};
      if (std::find(kReserved.begin(), kReserved.end(), t.text) != kReserved.end()) {
        return Expected("a field, a number or a text");
      }
      Take();
      n.kind = Node::kField;
      n.text = t.text;
      return n;
    }
    return Expected("a field, a number or a text");
  }
  Result<Node> Aggregate() {
    const Token fn = Take();
    Node n(Node::kAggregate);
    n.text = fn.text;
    n.line = fn.line;
    n.column = fn.column;
    if (auto c = Expect(Tok::kSymbol, "(", "'(' after " + fn.text); !c) return c.error();
    if (!IsWord("events") && !IsWord("touches")) return Expected("events or touches");
    n.source = Take().text;
    const bool sum = fn.text == "sum";
    if (IsSym(",") && Peek(1).kind == Tok::kString) {
      Take();
      n.type_filter = Take().text;
    } else if (sum) {
      return Expected("the event type to sum, e.g. sum(events, \"purchase\", \"amount\", 30d)");
    }
    if (sum) {
      if (!IsSym(",") || Peek(1).kind != Tok::kString) {
        return Expected("the property to sum, e.g. sum(events, \"purchase\", \"amount\", 30d)");
      }
      Take();
      n.prop = Take().text;
    }
    if (IsSym(",")) {
      Take();
      const Token w = Peek();
      if (w.kind != Tok::kDuration) return Expected("a time window such as 7d, 24h or 2w");
      Take();
      if (w.number <= 0) return At(w.line, w.column, "a time window must be longer than 0");
      n.window_ms = w.number;
    }
    if (auto c = Expect(Tok::kSymbol, ")", "')' to close " + fn.text + "("); !c) return c.error();
    if (n.source == "touches" && sum) return At(n.line, n.column, "sum works on events, which have properties");
    return n;
  }
  static Node Binary(const std::string& op, const Token& at, Node a, Node b) {
    Node n(Node::kBinary);
    n.text = op;
    n.line = at.line;
    n.column = at.column;
    n.kids.push_back(std::move(a));
    n.kids.push_back(std::move(b));
    return n;
  }

  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;
};

// ---- Fields ----

enum class Src : uint8_t {
  kNumber,      // a double column
  kDerived,     // computed per row: counts and days since
  kText,        // a string per row
  kCategory,    // a dictionary column
  kStage,       // the stage enum
  kDirection,   // from the source channel
  kBant,        // a BANT status
  kEmailKind,   // "free" or "company", from the e-mail domain
  kTags,
  kCustom,
};

struct FieldRef {
  Src src;
  Field field = Field::kId;
  int index = 0;      // derived kind or BANT criterion
  std::string name = {};  // custom field name
  bool numeric = false;
};

enum Derived { kTouchCount, kEventCount, kDaysSinceCreated, kDaysSinceLastTouch, kDaysSinceLastActivity };

std::optional<FieldRef> LookupField(const std::string& name) {
  static const std::map<std::string, FieldRef, std::less<>> kFields = {
      {"id", {Src::kText, Field::kId}},
      {"firstName", {Src::kText, Field::kFirstName}},
      {"lastName", {Src::kText, Field::kLastName}},
      {"email", {Src::kText, Field::kEmail}},
      {"phone", {Src::kText, Field::kPhone}},
      {"company", {Src::kText, Field::kCompany}},
      {"domain", {Src::kText, Field::kDomain}},
      {"title", {Src::kCategory, Field::kTitle}},
      {"industry", {Src::kCategory, Field::kIndustry}},
      {"country", {Src::kCategory, Field::kCountry}},
      {"region", {Src::kCategory, Field::kRegion}},
      {"source", {Src::kCategory, Field::kSource}},
      {"currency", {Src::kCategory, Field::kCurrency}},
      {"emailDomain", {Src::kCategory, Field::kEmail}},
      {"emailKind", {Src::kEmailKind}},
      {"stage", {Src::kStage}},
      {"direction", {Src::kDirection}},
      {"tags", {Src::kTags}},
      {"employees", {Src::kNumber, Field::kEmployees, 0, "", true}},
      {"annualRevenue", {Src::kNumber, Field::kAnnualRevenue, 0, "", true}},
      {"dealValue", {Src::kNumber, Field::kDealValue, 0, "", true}},
      {"touchCount", {Src::kDerived, Field::kId, kTouchCount, "", true}},
      {"eventCount", {Src::kDerived, Field::kId, kEventCount, "", true}},
      {"daysSinceCreated", {Src::kDerived, Field::kId, kDaysSinceCreated, "", true}},
      {"daysSinceLastTouch", {Src::kDerived, Field::kId, kDaysSinceLastTouch, "", true}},
      {"daysSinceLastActivity", {Src::kDerived, Field::kId, kDaysSinceLastActivity, "", true}},
      {"bant.budget", {Src::kBant, Field::kId, kBudget}},
      {"bant.authority", {Src::kBant, Field::kId, kAuthority}},
      {"bant.need", {Src::kBant, Field::kId, kNeed}},
      {"bant.timeline", {Src::kBant, Field::kId, kTimeline}},
  };
  if (const auto it = kFields.find(name); it != kFields.end()) {
    FieldRef f = it->second;
    f.name = name;
    return f;
  }
  if (name.rfind("custom.", 0) == 0 && name.size() > 7 && name.size() <= 71) {
    return FieldRef{Src::kCustom, Field::kId, 0, name.substr(7)};
  }
  return std::nullopt;
}

bool IsFreeMailDomain(std::string_view d) {
  static constexpr std::array<std::string_view, 24> kFree = {
      "gmail.com",   "googlemail.com", "yahoo.com",   "yahoo.co.uk", "hotmail.com", "outlook.com",
      "live.com",    "msn.com",        "aol.com",     "icloud.com",  "me.com",      "mac.com",
      "proton.me",   "protonmail.com", "gmx.de",      "gmx.net",     "web.de",      "mail.com",
      "yandex.ru",   "zoho.com",       "hotmail.co.uk", "orange.fr", "free.fr",     "qq.com"};
  return std::find(kFree.begin(), kFree.end(), d) != kFree.end();
}

// ---- Program ----

enum class TextOp : uint8_t { kEq, kNe, kIn, kHasAny, kContains, kStartsWith, kEndsWith };

struct TextTest {
  TextOp op;
  std::vector<std::string> values;  // lower-cased

  // Case-insensitive (ASCII) without allocating: this runs once per row for text columns.
  static char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
  static bool SameAt(std::string_view v, size_t at, std::string_view lower) {
    if (at + lower.size() > v.size()) return false;
    for (size_t i = 0; i < lower.size(); ++i) {
      if (Fold(v[at + i]) != lower[i]) return false;
    }
    return true;
  }
  static bool Same(std::string_view v, std::string_view lower) {
    return v.size() == lower.size() && SameAt(v, 0, lower);
  }
  static bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (static_cast<unsigned char>(c) & 0x80);
  }

  bool Matches(std::string_view v) const {
    switch (op) {
      case TextOp::kEq: return Same(v, values[0]);
      case TextOp::kNe: return !Same(v, values[0]);
      case TextOp::kIn:
        return std::any_of(values.begin(), values.end(), [&](const std::string& w) { return Same(v, w); });
      case TextOp::kContains:
        for (size_t at = 0; at + values[0].size() <= v.size(); ++at) {
          if (SameAt(v, at, values[0])) return true;
        }
        return false;
      case TextOp::kStartsWith: return SameAt(v, 0, values[0]);
      case TextOp::kEndsWith: return v.size() >= values[0].size() && SameAt(v, v.size() - values[0].size(), values[0]);
      case TextOp::kHasAny: {
        // Whole words: "vp" matches "VP Sales" but "head" does not match "headcount"; a value
        // of several words must match them in a row.
        for (size_t i = 0; i < v.size(); ++i) {
          if (!IsWordChar(v[i]) || (i > 0 && IsWordChar(v[i - 1]))) continue;
          for (const auto& w : values) {
            if (SameAt(v, i, w) && (i + w.size() == v.size() || !IsWordChar(v[i + w.size()]))) return true;
          }
        }
        return false;
      }
    }
    return false;
  }
};

enum class Op : uint8_t {
  kConst, kNumberCol, kDerived, kLut, kTextRow, kTags, kCustomNum, kCustomText, kAggregate,
  kNeg, kNot, kAdd, kSub, kMul, kDiv, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr, kNumIn
};

struct Instr {
  explicit Instr(Op o) : op(o) {}
  Op op;
  int dst = 0, a = 0, b = 0;
  double value = 0;
  int test = -1;   // index into tests
  FieldRef field{Src::kNumber};
  const Node* agg = nullptr;  // kAggregate: owned by Impl::asts
  std::vector<double> numbers;  // kNumIn
};

struct CompiledRule {
  int cond = -1, points = -1;  // registers
  bool constant_points = false;
  double points_value = 0;
};

}  // namespace

struct RuleProgram::Impl {
  std::vector<Node> asts;  // kept: aggregate instructions point into them
  std::vector<Instr> code;
  std::vector<TextTest> tests;
  std::vector<CompiledRule> rules;
  int registers = 0;

  enum Type { kNum, kBool, kTextField, kStr, kList };
  struct Value {
    Type type;
    int reg = -1;
    const Node* node = nullptr;
  };

  int NewReg() { return registers++; }

  Result<Value> Compile(const Node& n) {
    switch (n.kind) {
      case Node::kNumber: {
        Instr i(Op::kConst);
        i.dst = NewReg();
        i.value = n.number;
        code.push_back(i);
        return Value{kNum, i.dst, &n};
      }
      case Node::kBool: {
        Instr i(Op::kConst);
        i.dst = NewReg();
        i.value = n.number;
        code.push_back(i);
        return Value{kBool, i.dst, &n};
      }
      case Node::kString: return Value{kStr, -1, &n};
      case Node::kList: return Value{kList, -1, &n};
      case Node::kField: {
        const auto f = LookupField(n.text);
        if (!f) {
          return At(n.line, n.column, "unknown field \"" + n.text.substr(0, 64) +
                                          "\"; fields include industry, title, employees, "
                                          "annualRevenue, country, email, tags, custom.<name>");
        }
        if (f->src == Src::kNumber || f->src == Src::kDerived) {
          Instr i{f->src == Src::kNumber ? Op::kNumberCol : Op::kDerived};
          i.dst = NewReg();
          i.field = *f;
          code.push_back(i);
          return Value{kNum, i.dst, &n};
        }
        // Text, and custom fields, which are numbers or texts as their use decides: nothing is
        // read until then (see CustomNumber and the text tests).
        return Value{kTextField, -1, &n};
      }
      case Node::kAggregate: {
        Instr i(Op::kAggregate);
        i.dst = NewReg();
        i.agg = &n;
        code.push_back(i);
        return Value{kNum, i.dst, &n};
      }
      case Node::kNeg: {
        auto v = Number(n.kids[0], "'-'");
        if (!v) return v.error();
        Instr i(Op::kNeg);
        i.dst = NewReg();
        i.a = v.value();
        code.push_back(i);
        return Value{kNum, i.dst, &n};
      }
      case Node::kNot: {
        auto v = Condition(n.kids[0], "'not'");
        if (!v) return v.error();
        Instr i(Op::kNot);
        i.dst = NewReg();
        i.a = v.value();
        code.push_back(i);
        return Value{kBool, i.dst, &n};
      }
      case Node::kBinary: return CompileBinary(n);
    }
    return At(n.line, n.column, "cannot compile this expression");
  }

  static bool IsCustom(const Value& v) {
    return v.type == kTextField && v.node->text.rfind("custom.", 0) == 0;
  }

  // A custom field used as a number: read per row, NaN where it is not one.
  int CustomNumber(const Value& v) {
    Instr i(Op::kCustomNum);
    i.dst = NewReg();
    i.field = *LookupField(v.node->text);
    code.push_back(i);
    return i.dst;
  }

  // Where an expression starts, for messages about the whole of it.
  static const Node& Start(const Node& n) {
    return n.kind == Node::kBinary ? Start(n.kids[0]) : n;
  }

  // A numeric register for `n`, or an error saying a number was expected.
  Result<int> Number(const Node& n, std::string_view context) {
    auto v = Compile(n);
    if (!v) return v.error();
    if (v.value().type == kNum) return v.value().reg;
    if (IsCustom(v.value())) return CustomNumber(v.value());
    return At(Start(n).line, Start(n).column,
              std::string(context) + " needs a number, but " + What(v.value()) + " is not one");
  }

  Result<int> Condition(const Node& n, std::string_view context) {
    auto v = Compile(n);
    if (!v) return v.error();
    if (v.value().type == kBool) return v.value().reg;
    return At(Start(n).line, Start(n).column, std::string(context) + " needs a condition (true or false), but " +
                                                  What(v.value()) + " is not one");
  }

  static std::string What(const Value& v) {
    switch (v.type) {
      case kNum: return v.node->kind == Node::kField ? "the field " + v.node->text : "a number";
      case kBool: return "a condition";
      case kTextField: return "the text field " + v.node->text;
      case kStr: return "the text \"" + v.node->text.substr(0, 40) + "\"";
      case kList: return "a list";
    }
    return "this";
  }

  Result<Value> CompileBinary(const Node& n) {
    const std::string& op = n.text;
    const Node& l = n.kids[0];
    const Node& r = n.kids[1];
    if (op == "and" || op == "or") {
      auto a = Condition(l, "'" + op + "'");
      if (!a) return a.error();
      auto b = Condition(r, "'" + op + "'");
      if (!b) return b.error();
      Instr i(op == "and" ? Op::kAnd : Op::kOr);
      i.dst = NewReg();
      i.a = a.value();
      i.b = b.value();
      code.push_back(i);
      return Value{kBool, i.dst, &n};
    }
    if (op == "+" || op == "-" || op == "*" || op == "/") {
      auto a = Number(l, "'" + op + "'");
      if (!a) return a.error();
      auto b = Number(r, "'" + op + "'");
      if (!b) return b.error();
      Instr i(op == "+" ? Op::kAdd : op == "-" ? Op::kSub : op == "*" ? Op::kMul : Op::kDiv);
      i.dst = NewReg();
      i.a = a.value();
      i.b = b.value();
      code.push_back(i);
      return Value{kNum, i.dst, &n};
    }
    auto left = Compile(l);
    if (!left) return left.error();
    const Value lv = left.value();
    const bool text_left = lv.type == kTextField;
    const bool custom = IsCustom(lv);
    if (text_left && !custom && (op == "<" || op == "<=" || op == ">" || op == ">=")) {
      return At(n.line, n.column, "'" + op + "' compares numbers; " + lv.node->text + " is text");
    }
    // Text tests: a text field on the left, literal text on the right.
    if (text_left && (r.kind == Node::kString || (r.kind == Node::kList && r.kids[0].kind == Node::kString))) {
      if (op == "<" || op == "<=" || op == ">" || op == ">=") {
        return At(n.line, n.column, "'" + op + "' compares numbers; " + lv.node->text + " is text");
      }
      TextTest t;
      t.op = op == "==" ? TextOp::kEq : op == "!=" ? TextOp::kNe : op == "in" ? TextOp::kIn
           : op == "has_any" ? TextOp::kHasAny : op == "contains" ? TextOp::kContains
           : op == "starts_with" ? TextOp::kStartsWith : TextOp::kEndsWith;
      if (r.kind == Node::kList) {
        for (const Node& k : r.kids) {
          if (k.kind != Node::kString) return At(k.line, k.column, "this list mixes texts and numbers");
          t.values.push_back(Lower(k.text));
        }
      } else {
        t.values.push_back(Lower(r.text));
      }
      const auto f = LookupField(lv.node->text);
      if (f->src == Src::kTags && t.op != TextOp::kHasAny && t.op != TextOp::kContains && t.op != TextOp::kIn) {
        return At(n.line, n.column, "tags work with has_any, in and contains (a tag equal to the text)");
      }
      // "email ends_with .edu" is a question about the domain, which is a dictionary column: the
      // answer is looked up per distinct domain instead of tested per row.
      FieldRef ref = *f;
      if (ref.src == Src::kText && ref.field == Field::kEmail && t.op == TextOp::kEndsWith &&
          t.values[0].find('@') == std::string::npos) {
        ref.src = Src::kCategory;
      }
      tests.push_back(std::move(t));
      Instr i(custom ? Op::kCustomText : ref.src == Src::kText ? Op::kTextRow
              : ref.src == Src::kTags ? Op::kTags : Op::kLut);
      i.dst = NewReg();
      i.field = ref;
      i.test = static_cast<int>(tests.size() - 1);
      code.push_back(i);
      return Value{kBool, i.dst, &n};
    }
    if (text_left && !custom) {
      return At(r.line, r.column, "'" + op + "' on the text field " + lv.node->text +
                                      " needs text on its right, such as \"SaaS\"");
    }
    if (op == "in" || op == "has_any") {
      if (op == "has_any") return At(n.line, n.column, "has_any works on text fields and tags");
      if (lv.type != kNum && !custom) return At(l.line, l.column, "'in' needs a field on its left");
      Instr i(Op::kNumIn);
      for (const Node& k : r.kids) {
        if (k.kind != Node::kNumber) return At(k.line, k.column, "this list mixes numbers and texts");
        i.numbers.push_back(k.number);
      }
      i.a = custom ? CustomNumber(lv) : lv.reg;
      i.dst = NewReg();
      code.push_back(i);
      return Value{kBool, i.dst, &n};
    }
    if (op == "contains" || op == "starts_with" || op == "ends_with") {
      return At(n.line, n.column, "'" + op + "' works on text fields, with text on its right");
    }
    // Numeric comparison.
    if (lv.type != kNum && !custom) {
      return At(l.line, l.column, "'" + op + "' compares numbers, but " + What(lv) + " is not one");
    }
    const int a = custom ? CustomNumber(lv) : lv.reg;
    auto b = Number(r, "'" + op + "'");
    if (!b) return b.error();
    Instr i(op == "<" ? Op::kLt : op == "<=" ? Op::kLe : op == ">" ? Op::kGt : op == ">=" ? Op::kGe
            : op == "==" ? Op::kEq : Op::kNe);
    i.dst = NewReg();
    i.a = a;
    i.b = b.value();
    code.push_back(i);
    return Value{kBool, i.dst, &n};
  }

  // ---- Execution ----

  using Bound = RuleBinding;

  void Bind(const LeadStore& store, const ChannelMap& channels, Bound& b) const {
    b.luts.assign(code.size(), {});
    b.codes.assign(code.size(), -1);
    for (size_t k = 0; k < code.size(); ++k) {
      const Instr& i = code[k];
      if (i.op == Op::kAggregate && !i.agg->type_filter.empty()) {
        const auto c = i.agg->source == "events" ? store.event_types().Find(i.agg->type_filter)
                                                 : store.activity().touch_words.Find(i.agg->type_filter);
        b.codes[k] = c ? static_cast<int32_t>(*c) : -2;
      }
      if (i.op == Op::kTags) {  // has_any, in, contains: a tag equal to one of the values
        const TextTest& t = tests[i.test];
        auto& lut = b.luts[k];
        lut.resize(store.tag_dict().size());
        for (uint32_t c = 0; c < lut.size(); ++c) {
          const std::string tag = Lower(store.tag_dict().Get(c));
          lut[c] = std::find(t.values.begin(), t.values.end(), tag) != t.values.end();
        }
      }
      if (i.op != Op::kLut) continue;
      const TextTest& t = tests[i.test];
      auto& lut = b.luts[k];
      switch (i.field.src) {
        case Src::kCategory: {
          const LeadStore::CategoryColumn& col = ColumnOf(store, i.field);
          lut.resize(col.dict.size());
          for (uint32_t c = 0; c < lut.size(); ++c) lut[c] = t.Matches(col.dict.Get(c));
          break;
        }
        case Src::kStage:
          lut.resize(kStageCount);
          for (int s = 0; s < kStageCount; ++s) lut[s] = t.Matches(StageName(static_cast<Stage>(s)));
          break;
        case Src::kBant:
          lut.resize(4);
          for (int s = 0; s < 4; ++s) lut[s] = t.Matches(BantStatusName(static_cast<BantStatus>(s)));
          break;
        case Src::kDirection: {
          const auto& dict = store.Category(Field::kSource)->dict;
          lut.resize(dict.size());
          for (uint32_t c = 0; c < lut.size(); ++c) {
            lut[c] = t.Matches(DirectionName(channels.Find(dict.Get(c)).value_or(Direction::kUnknown)));
          }
          break;
        }
        case Src::kEmailKind: {
          const auto& dict = store.email_domains().dict;
          lut.resize(dict.size());
          for (uint32_t c = 0; c < lut.size(); ++c) {
            const std::string& d = dict.Get(c);
            lut[c] = t.Matches(d.empty() ? "" : IsFreeMailDomain(d) ? "free" : "company");
          }
          break;
        }
        default: break;
      }
    }
  }

  static const LeadStore::CategoryColumn& ColumnOf(const LeadStore& store, const FieldRef& f) {
    return f.field == Field::kEmail ? store.email_domains() : *store.Category(f.field);
  }

  // Fills the constant registers, which stay the same for every block of a run.
  void Prepare(std::vector<double>& regs) const {
    for (const Instr& in : code) {
      if (in.op == Op::kConst) std::fill_n(regs.data() + static_cast<size_t>(in.dst) * kBlock, kBlock, in.value);
    }
  }

  // Runs every instruction over rows [begin, begin + n). `ptr[r]` is where register r's values
  // for this block are: its own buffer, or straight into a number column (no copy).
  void Exec(const LeadStore& store, const Bound& bound, int64_t now, uint32_t begin, uint32_t n,
            std::vector<double>& regs, std::vector<const double*>& ptr) const {
    const auto R = [&regs](int r) { return regs.data() + static_cast<size_t>(r) * kBlock; };
    const double now_d = static_cast<double>(now);
    for (size_t k = 0; k < code.size(); ++k) {
      const Instr& in = code[k];
      double* d = R(in.dst);
      const double* a = ptr[in.a];
      const double* b = ptr[in.b];
      ptr[in.dst] = d;
      switch (in.op) {
        case Op::kConst: break;  // filled once by Prepare
        case Op::kNumberCol:
          ptr[in.dst] = store.Numbers(in.field.field)->data() + begin;
          break;
        case Op::kDerived: {
          const auto& act = store.activity();
          const uint32_t* off = (in.field.index == kTouchCount ? act.touch_offsets : act.event_offsets).data() + begin;
          switch (in.field.index) {
            case kTouchCount:
            case kEventCount:
              for (uint32_t i = 0; i < n; ++i) d[i] = static_cast<double>(off[i + 1] - off[i]);
              break;
            case kDaysSinceCreated: {
              const int64_t* c = store.created_at().data() + begin;
              for (uint32_t i = 0; i < n; ++i) d[i] = (now_d - static_cast<double>(c[i])) / kMsPerDay;
              break;
            }
            case kDaysSinceLastTouch: {
              const double* t = store.last_touch_at().data() + begin;
              for (uint32_t i = 0; i < n; ++i) d[i] = (now_d - t[i]) / kMsPerDay;
              break;
            }
            default: {
              const double* t = store.last_activity_at().data() + begin;
              for (uint32_t i = 0; i < n; ++i) d[i] = (now_d - t[i]) / kMsPerDay;
              break;
            }
          }
          break;
        }
        case Op::kLut: {
          const double* lut = bound.luts[k].data();
          if (in.field.src == Src::kStage) {
            const uint8_t* s = store.stages().data() + begin;
            for (uint32_t i = 0; i < n; ++i) d[i] = lut[s[i]];
          } else if (in.field.src == Src::kBant) {
            const auto* status = store.bant_status().data() + begin;
            for (uint32_t i = 0; i < n; ++i) d[i] = lut[status[i][in.field.index]];
          } else {
            const uint32_t* codes =
                (in.field.src == Src::kDirection ? store.Category(Field::kSource)->codes
                 : in.field.src == Src::kEmailKind ? store.email_domains().codes
                                                   : ColumnOf(store, in.field).codes).data() + begin;
            for (uint32_t i = 0; i < n; ++i) d[i] = lut[codes[i]];
          }
          break;
        }
        case Op::kTextRow: {
          const std::string* col = store.Texts(in.field.field)->data() + begin;
          for (uint32_t i = 0; i < n; ++i) d[i] = tests[in.test].Matches(col[i]);
          break;
        }
        case Op::kTags: {
          const double* wanted = bound.luts[k].data();
          const auto& act = store.activity();
          const size_t dict_size = bound.luts[k].size();
          if (dict_size <= 64) {  // every tag code fits the per-row bit set
            uint64_t mask = 0;
            for (size_t c = 0; c < dict_size; ++c) mask |= wanted[c] != 0 ? uint64_t{1} << c : 0;
            const uint64_t* bits = act.tag_bits.data() + begin;
            for (uint32_t i = 0; i < n; ++i) d[i] = (bits[i] & mask) != 0;
            break;
          }
          const uint32_t* off = act.tag_offsets.data() + begin;
          const uint32_t* codes = act.tag_codes.data();
          for (uint32_t i = 0; i < n; ++i) {
            bool any = false;
            for (uint32_t t = off[i]; t < off[i + 1]; ++t) any |= wanted[codes[t]] != 0;
            d[i] = any;
          }
          break;
        }
        case Op::kCustomNum:
          for (uint32_t i = 0; i < n; ++i) {
            const auto& c = store.custom()[begin + i];
            const auto it = c.is_object() ? c.find(in.field.name) : c.end();
            d[i] = c.is_object() && it != c.end() && it->is_number() ? it->get<double>() : kNaN;
          }
          break;
        case Op::kCustomText:
          for (uint32_t i = 0; i < n; ++i) {
            const auto& c = store.custom()[begin + i];
            const auto it = c.is_object() ? c.find(in.field.name) : c.end();
            std::string text;
            if (c.is_object() && it != c.end()) {
              text = it->is_string() ? it->get<std::string>() : ScalarText(*it);
            }
            d[i] = tests[in.test].Matches(text);
          }
          break;
        case Op::kAggregate: Aggregate(store, *in.agg, bound.codes[k], now, begin, n, d); break;
        case Op::kNeg: for (uint32_t i = 0; i < n; ++i) d[i] = -a[i]; break;
        case Op::kNot: for (uint32_t i = 0; i < n; ++i) d[i] = !(a[i] > 0.5); break;
        case Op::kAdd: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] + b[i]; break;
        case Op::kSub: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] - b[i]; break;
        case Op::kMul: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] * b[i]; break;
        case Op::kDiv: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] / b[i]; break;
        // NaN (a missing value) compares false both ways, so "not (x < 5)" is true for it.
        case Op::kLt: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] < b[i]; break;
        case Op::kLe: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] <= b[i]; break;
        case Op::kGt: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] > b[i]; break;
        case Op::kGe: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] >= b[i]; break;
        case Op::kEq: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] == b[i]; break;
        case Op::kNe: for (uint32_t i = 0; i < n; ++i) d[i] = a[i] == a[i] && b[i] == b[i] && a[i] != b[i]; break;
        case Op::kAnd: for (uint32_t i = 0; i < n; ++i) d[i] = (a[i] > 0.5) & (b[i] > 0.5); break;
        case Op::kOr: for (uint32_t i = 0; i < n; ++i) d[i] = (a[i] > 0.5) | (b[i] > 0.5); break;
        case Op::kNumIn:
          for (uint32_t i = 0; i < n; ++i) {
            d[i] = std::find(in.numbers.begin(), in.numbers.end(), a[i]) != in.numbers.end();
          }
          break;
      }
    }
  }

  // count, sum and days_since over one row's events or touches, from the flattened activity
  // index: a pass over plain arrays per block instead of a walk through each lead's vectors.
  static void Aggregate(const LeadStore& store, const Node& agg, int32_t code, int64_t now,
                        uint32_t begin, uint32_t n, double* d) {
    const int64_t since = agg.window_ms > 0 ? now - static_cast<int64_t>(agg.window_ms) : INT64_MIN;
    const bool days = agg.text == "days_since";
    const bool events = agg.source == "events";
    const auto& act = store.activity();
    if (code == -2) {  // the type never occurs in this store
      std::fill(d, d + n, days ? kNaN : 0.0);
      return;
    }
    const uint32_t* off = (events ? act.event_offsets : act.touch_offsets).data() + begin;
    const int64_t* at = (events ? act.event_at : act.touch_at).data();
    const uint32_t* type = events ? act.event_types.data() : act.touch_channel.data();
    const uint32_t* type2 = events ? act.event_types.data() : act.touch_outcome.data();
    const auto want = static_cast<uint32_t>(code);
    const bool any = code < 0;
    if (agg.text == "sum") {
      for (uint32_t i = 0; i < n; ++i) {
        double total = 0;
        const auto& list = store.events()[begin + i];
        for (const auto& e : list) {
          if ((!any && e.type != want) || e.at < since || e.at > now) continue;
          const nlohmann::json& props = store.props(e.props);
          if (!props.is_object()) continue;
          const auto it = props.find(agg.prop);
          if (it == props.end() || !it->is_number()) continue;
          const double v = it->get<double>();
          total += std::isfinite(v) ? std::clamp(v, -kMaxMagnitude, kMaxMagnitude) : 0;
        }
        d[i] = total;
      }
      return;
    }
    // days_since: items are newest first within a row, so the first match ends the row.
    // count: one flat, branch-free pass over the block's items, not a loop per row.
    const uint32_t* row = (events ? act.event_row : act.touch_row).data();
    const auto run = [&](auto matches) {
      if (days) {
        for (uint32_t i = 0; i < n; ++i) {
          int64_t latest = INT64_MIN;
          for (uint32_t k = off[i]; k < off[i + 1] && at[k] >= since; ++k) {
            if (at[k] <= now && matches(k)) {  // future-dated activity does not count yet
              latest = at[k];
              break;
            }
          }
          d[i] = latest == INT64_MIN ? kNaN : static_cast<double>(now - latest) / kMsPerDay;
        }
        return;
      }
      uint32_t counts[kBlock] = {};  // integer adds: a shorter chain than adding doubles in place
      for (uint32_t k = off[0]; k < off[n]; ++k) {
        counts[row[k] - begin] += matches(k) & (at[k] >= since) & (at[k] <= now);
      }
      for (uint32_t i = 0; i < n; ++i) d[i] = counts[i];
    };
    if (any) {
      run([](uint32_t) { return true; });
    } else if (events) {
      run([&](uint32_t k) { return type[k] == want; });
    } else {
      run([&](uint32_t k) { return (type[k] == want) | (type2[k] == want); });
    }
  }
};

RuleProgram::RuleProgram() : impl_(std::make_unique<Impl>()) {}
RuleProgram::RuleProgram(RuleProgram&&) noexcept = default;
RuleProgram& RuleProgram::operator=(RuleProgram&&) noexcept = default;
RuleProgram::~RuleProgram() = default;

Result<RuleProgram> RuleProgram::Compile(std::string_view text) {
  if (text.size() > kMaxRuleText) {
    return At(1, 1, "the rules are " + std::to_string(text.size()) + " bytes, more than the " +
                        std::to_string(kMaxRuleText) + " allowed");
  }
  auto tokens = Lex(text);
  if (!tokens) return tokens.error();
  Parser p(std::move(tokens.value()));
  RuleProgram prog;
  Impl& im = *prog.impl_;
  prog.groups_.push_back({"Rules", 0});
  std::vector<std::pair<std::string, int>> seen;  // label, line
  std::vector<Node> points_nodes;
  im.asts.reserve(2048);  // aggregate instructions keep pointers into these nodes
  size_t group = 0;
  bool in_group = false;
  bool total_limit_seen = false;
  const auto read_limit = [&p]() -> Result<double> {
    const Token t = p.Peek();
    if (t.kind != Tok::kNumber) return p.Expected("a number after 'limit'");
    p.Take();
    if (t.number <= 0) return At(t.line, t.column, "a limit must be greater than 0");
    return t.number;
  };
  for (;;) {
    const Token t = p.Peek();
    if (t.kind == Tok::kEnd) {
      if (in_group) return At(t.line, t.column, "expected '}' to close the group \"" + prog.groups_[group].name + "\"");
      break;
    }
    if (in_group && p.IsSym("}")) {
      p.Take();
      in_group = false;
      group = 0;
      continue;
    }
    if (p.IsWord("group")) {
      if (in_group) return At(t.line, t.column, "groups do not nest; close \"" + prog.groups_[group].name + "\" first");
      p.Take();
      auto name = p.Expect(Tok::kString, "", "the group's name in quotes");
      if (!name) return name.error();
      RuleGroup g{name.value().text, 0};
      for (const auto& existing : prog.groups_) {
        if (existing.name == g.name) return At(t.line, t.column, "a group named \"" + g.name + "\" already exists");
      }
      if (p.IsWord("limit")) {
        p.Take();
        auto l = read_limit();
        if (!l) return l.error();
        g.limit = l.value();
      }
      if (auto c = p.Expect(Tok::kSymbol, "{", "'{' to open the group"); !c) return c.error();
      prog.groups_.push_back(g);
      group = prog.groups_.size() - 1;
      in_group = true;
      continue;
    }
    if (p.IsWord("limit") && !in_group) {
      if (total_limit_seen) return At(t.line, t.column, "the total limit is already set");
      p.Take();
      auto l = read_limit();
      if (!l) return l.error();
      prog.total_limit_ = l.value();
      total_limit_seen = true;
      continue;
    }
    if (!p.IsWord("rule")) {
      return p.Expected(in_group ? "'rule' or '}'" : "'rule', 'group' or 'limit'");
    }
    p.Take();
    auto label = p.Expect(Tok::kString, "", "the rule's name in quotes, e.g. rule \"Decision maker\"");
    if (!label) return label.error();
    if (label.value().text.empty() || label.value().text.size() > 120) {
      return At(label.value().line, label.value().column, "a rule's name has 1 to 120 characters");
    }
    for (const auto& [l, line] : seen) {
      if (l == label.value().text) {
        return At(label.value().line, label.value().column,
                  "a rule named \"" + l + "\" already exists (line " + std::to_string(line) + ")");
      }
    }
    seen.emplace_back(label.value().text, t.line);
    if (auto w = p.Expect(Tok::kIdent, "when", "'when' and a condition"); !w) return w.error();
    auto cond = p.Expression();
    if (!cond) return cond.error();
    if (auto th = p.Expect(Tok::kIdent, "then", "'then' and the points, e.g. then +20"); !th) return th.error();
    auto pts = p.Expression();
    if (!pts) return pts.error();
    RuleInfo info{label.value().text, group, 0, t.line};
    if (p.IsWord("limit")) {
      p.Take();
      auto l = read_limit();
      if (!l) return l.error();
      info.limit = l.value();
    }
    if (prog.rules_.size() >= 1000) return At(t.line, t.column, "a rule set holds at most 1000 rules");
    if (im.asts.size() + 2 > im.asts.capacity()) return At(t.line, t.column, "too many rules");
    im.asts.push_back(std::move(cond.value()));
    const Node& cn = im.asts.back();
    im.asts.push_back(std::move(pts.value()));
    const Node& pn = im.asts.back();
    CompiledRule cr;
    auto c = im.Condition(cn, "'when'");
    if (!c) return c.error();
    cr.cond = c.value();
    auto v = im.Number(pn, "'then'");
    if (!v) return v.error();
    cr.points = v.value();
    for (const Instr& i : im.code) {
      if (i.dst == cr.points && i.op == Op::kConst) {
        cr.constant_points = true;
        cr.points_value = i.value;
      }
    }
    im.rules.push_back(cr);
    prog.rules_.push_back(std::move(info));
  }
  return prog;
}

Result<RuleProgram> RuleProgram::CompileCondition(std::string_view condition, std::string_view label) {
  std::string text = "rule \"";
  for (char c : label.substr(0, 100)) text += (c == '"' || c == '\\' || c == '\n') ? ' ' : c;
  text += "\" when ";
  const int column_shift = static_cast<int>(text.size());
  text += condition;
  text += "\nthen 1";
  auto prog = Compile(text);
  if (!prog) {
    Error e = prog.error();
    // Point at the user's condition, not at the wrapper.
    if (e.where.line == 1) e.where.column = std::max(1, e.where.column - column_shift);
    return e;
  }
  return prog;
}

void RuleProgram::Run(const LeadStore& store, const ChannelMap& channels, int64_t now_ms,
                      uint32_t begin, uint32_t end, std::vector<double>& out) const {
  Run(store, Bind(store, channels), now_ms, begin, end, out);
}

RuleBinding RuleProgram::Bind(const LeadStore& store, const ChannelMap& channels) const {
  RuleBinding b;
  impl_->Bind(store, channels, b);
  return b;
}

void RuleProgram::Run(const LeadStore& store, const RuleBinding& bound, int64_t now_ms,
                      uint32_t begin, uint32_t end, std::vector<double>& out) const {
  const size_t n = end - begin;
  out.resize(rules_.size() * n);  // every element is written below
  if (n == 0 || rules_.empty()) return;
  thread_local std::vector<double> regs;
  thread_local std::vector<const double*> ptr;
  const auto registers = static_cast<size_t>(std::max(impl_->registers, 1));
  regs.resize(registers * kBlock);
  ptr.assign(registers, regs.data());
  impl_->Prepare(regs);
  for (uint32_t at = begin; at < end; at += kBlock) {
    const uint32_t len = std::min(kBlock, end - at);
    impl_->Exec(store, bound, now_ms, at, len, regs, ptr);
    for (size_t r = 0; r < rules_.size(); ++r) {
      const CompiledRule& cr = impl_->rules[r];
      const double* cond = ptr[cr.cond];
      double* o = out.data() + r * n + (at - begin);
      if (cr.constant_points) {  // the common "then +20": a select, no checks
        const double p = std::isfinite(cr.points_value) ? std::clamp(cr.points_value, -kMaxMagnitude, kMaxMagnitude) : 0.0;
        for (uint32_t i = 0; i < len; ++i) o[i] = cond[i] > 0.5 ? p : 0.0;
        continue;
      }
      const double* pts = ptr[cr.points];
      for (uint32_t i = 0; i < len; ++i) {
        const double p = std::isfinite(pts[i]) ? std::clamp(pts[i], -kMaxMagnitude, kMaxMagnitude) : 0.0;
        o[i] = cond[i] > 0.5 ? p : 0.0;
      }
    }
  }
}

double RuleProgram::Limit(const double* points, size_t stride, std::vector<double>* after_rule,
                          std::vector<double>* group_cut, double* total_cut) const {
  const auto within = [](double v, double limit) { return limit > 0 ? std::clamp(v, -limit, limit) : v; };
  thread_local std::vector<double> group_sum;  // runs once per scored row: no allocation each time
  group_sum.assign(groups_.size(), 0.0);
  if (after_rule) after_rule->assign(rules_.size(), 0.0);
  for (size_t r = 0; r < rules_.size(); ++r) {
    const double p = within(points[r * stride], rules_[r].limit);
    if (after_rule) (*after_rule)[r] = p;
    group_sum[rules_[r].group] += p;
  }
  double total = 0;
  if (group_cut) group_cut->assign(groups_.size(), 0.0);
  for (size_t g = 0; g < groups_.size(); ++g) {
    const double kept = within(group_sum[g], groups_[g].limit);
    if (group_cut) (*group_cut)[g] = kept - group_sum[g];
    total += kept;
  }
  const double kept = within(total, total_limit_);
  if (total_cut) *total_cut = kept - total;
  return kept;
}

}  // namespace leadkit
