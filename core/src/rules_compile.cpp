// The compiler: statements (rule, group, limit) and their expressions, type-checked against the
// field catalog and turned into a register program for rules_vm.cpp.
#include "rules_internal.hpp"

namespace leadkit {
using namespace rules_detail;

namespace {

// Where an expression starts, for messages about the whole of it.
const Node& Start(const Node& n) {
  return n.kind == Node::kBinary ? Start(n.kids[0]) : n;
}

}  // namespace

Result<RuleProgram::Impl::Value> RuleProgram::Impl::Compile(const Node& n) {
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

bool RuleProgram::Impl::IsCustom(const Value& v) {
  return v.type == kTextField && v.node->text.rfind("custom.", 0) == 0;
}

int RuleProgram::Impl::CustomNumber(const Value& v) {
  Instr i(Op::kCustomNum);
  i.dst = NewReg();
  i.field = *LookupField(v.node->text);
  code.push_back(i);
  return i.dst;
}

Result<int> RuleProgram::Impl::Number(const Node& n, std::string_view context) {
  auto v = Compile(n);
  if (!v) return v.error();
  if (v.value().type == kNum) return v.value().reg;
  if (IsCustom(v.value())) return CustomNumber(v.value());
  return At(Start(n).line, Start(n).column,
            std::string(context) + " needs a number, but " + What(v.value()) + " is not one");
}

Result<int> RuleProgram::Impl::Condition(const Node& n, std::string_view context) {
  auto v = Compile(n);
  if (!v) return v.error();
  if (v.value().type == kBool) return v.value().reg;
  return At(Start(n).line, Start(n).column, std::string(context) + " needs a condition (true or false), but " +
                                                What(v.value()) + " is not one");
}

std::string RuleProgram::Impl::What(const Value& v) {
  switch (v.type) {
    case kNum: return v.node->kind == Node::kField ? "the field " + v.node->text : "a number";
    case kBool: return "a condition";
    case kTextField: return "the text field " + v.node->text;
    case kStr: return "the text \"" + v.node->text.substr(0, 40) + "\"";
    case kList: return "a list";
  }
  return "this";
}

Result<RuleProgram::Impl::Value> RuleProgram::Impl::CompileBinary(const Node& n) {
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

}  // namespace leadkit
