// The rule language's expressions, by precedence from loosest: or, and, not, comparisons and
// text matches (in, has_any, contains, starts_with, ends_with), + -, * /, unary minus, then
// numbers, texts, lists, fields, parentheses and the aggregates count, sum and days_since.
#include <array>

#include "rules_internal.hpp"

namespace leadkit::rules_detail {

Result<Node> Parser::Or() {
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

Result<Node> Parser::And() {
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

Result<Node> Parser::Not() {
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

Result<Node> Parser::Compare() {
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

Result<Node> Parser::Sum() {
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

Result<Node> Parser::Term() {
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

Result<Node> Parser::Unary() {
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

Result<Node> Parser::List() {
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

Result<Node> Parser::Primary() {
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

Result<Node> Parser::Aggregate() {
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

Node Parser::Binary(const std::string& op, const Token& at, Node a, Node b) {
  Node n(Node::kBinary);
  n.text = op;
  n.line = at.line;
  n.column = at.column;
  n.kids.push_back(std::move(a));
  n.kids.push_back(std::move(b));
  return n;
}

}  // namespace leadkit::rules_detail
