// The rule language's parts, shared by its translation units and nothing else:
//   rules_lexer.cpp    text → tokens
//   rules_parser.cpp   tokens → expression trees
//   rules_fields.cpp   the field catalog: names a rule may use, and where each is read from
//   rules_compile.cpp  rule sets → a register program, type-checked
//   rules_vm.cpp       binding a program to a store, and running it a block of rows at a time
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <span>

#include "leadkit/rules.hpp"

namespace leadkit::rules_detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr uint32_t kBlock = 1024;  // rows per pass of one instruction: registers stay in cache
inline constexpr size_t kMaxRuleText = 256 * 1024;
inline constexpr double kMaxMagnitude = 1e12;  // event property values and points beyond this are clamped

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// An error at a 1-based line and column.
Error At(int line, int column, std::string message);

// ---- Tokens ----

enum class Tok { kEnd, kIdent, kString, kNumber, kDuration, kSymbol };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;   // identifier, decoded string, or symbol
  double number = 0;  // number, or a duration in milliseconds
  int line = 1, column = 1;
};

// How a token reads in an error message: "the text \"SaaS\"", "'when'", ...
std::string Describe(const Token& t);

// The tokens of `src`, ending with one of kind kEnd.
Result<std::vector<Token>> Lex(std::string_view src);

// ---- Expression trees ----

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

// Reads expressions from a token list. The statements around them (rule, group, limit) are read
// by RuleProgram::Compile with the token helpers below.
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
  Result<Node> Or();
  Result<Node> And();
  Result<Node> Not();
  Result<Node> Compare();
  Result<Node> Sum();
  Result<Node> Term();
  Result<Node> Unary();
  Result<Node> List();
  Result<Node> Primary();
  Result<Node> Aggregate();
  static Node Binary(const std::string& op, const Token& at, Node a, Node b);

  std::vector<Token> t_;
  size_t p_ = 0;
  int depth_ = 0;
};

// ---- Fields ----

enum class Src : uint8_t {
  kNumber,     // a double column
  kDerived,    // computed per row: counts and days since
  kText,       // a string per row
  kCategory,   // a dictionary column
  kStage,      // the stage enum
  kDirection,  // from the source channel
  kBant,       // a BANT status
  kEmailKind,  // "free" or "company", from the e-mail domain
  kTags,
  kCustom,
};

struct FieldRef {
  Src src;
  Field field = Field::kId;
  int index = 0;          // derived kind or BANT criterion
  std::string name = {};  // custom field name
  bool numeric = false;
};

enum Derived { kTouchCount, kEventCount, kDaysSinceCreated, kDaysSinceLastTouch, kDaysSinceLastActivity };

std::optional<FieldRef> LookupField(const std::string& name);
// Every field name a rule may use (custom.<key> aside), in the catalog's order.
struct RuleField {
  struct Where {
    Src src;
    Field field = Field::kId;
    int index = 0;  // derived kind or BANT criterion
    bool numeric = false;
  };
  std::string_view name;
  Where where;
};
std::span<const RuleField> RuleFields();
bool IsFreeMailDomain(std::string_view domain);

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
  int test = -1;  // index into tests
  FieldRef field{Src::kNumber};
  const Node* agg = nullptr;    // kAggregate: owned by Impl::asts
  std::vector<double> numbers;  // kNumIn
};

struct CompiledRule {
  int cond = -1, points = -1;  // registers
  bool constant_points = false;
  double points_value = 0;
};

}  // namespace leadkit::rules_detail

namespace leadkit {

// A compiled program: the compiler (rules_compile.cpp) writes it, the VM (rules_vm.cpp) runs it.
struct RuleProgram::Impl {
  using Node = rules_detail::Node;
  using Instr = rules_detail::Instr;
  using TextTest = rules_detail::TextTest;
  using CompiledRule = rules_detail::CompiledRule;
  using FieldRef = rules_detail::FieldRef;

  std::vector<Node> asts;  // kept: aggregate instructions point into them
  std::vector<Instr> code;
  std::vector<TextTest> tests;
  std::vector<CompiledRule> rules;
  int registers = 0;

  // ---- Compiling (rules_compile.cpp) ----

  enum Type { kNum, kBool, kTextField, kStr, kList };
  struct Value {
    Type type;
    int reg = -1;
    const Node* node = nullptr;
  };

  int NewReg() { return registers++; }
  Result<Value> Compile(const Node& n);
  Result<Value> CompileBinary(const Node& n);
  // A numeric register for `n`, or an error saying a number was expected.
  Result<int> Number(const Node& n, std::string_view context);
  Result<int> Condition(const Node& n, std::string_view context);
  // A custom field used as a number: read per row, NaN where it is not one.
  int CustomNumber(const Value& v);
  static bool IsCustom(const Value& v);
  static std::string What(const Value& v);

  // ---- Running (rules_vm.cpp) ----

  void Bind(const LeadStore& store, const ChannelMap& channels, RuleBinding& b) const;
  // Fills the constant registers, which stay the same for every block of a run.
  void Prepare(std::vector<double>& regs) const;
  // Runs every instruction over rows [begin, begin + n). `ptr[r]` is where register r's values
  // for this block are: its own buffer, or straight into a number column (no copy).
  void Exec(const LeadStore& store, const RuleBinding& bound, int64_t now, uint32_t begin, uint32_t n,
            std::vector<double>& regs, std::vector<const double*>& ptr) const;
};

}  // namespace leadkit
