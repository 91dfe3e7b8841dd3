#include "leadkit/json_doc.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace leadkit {
namespace {

using Type = JsonValue::Type;

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                             1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                             1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the valid UTF-8 sequence starting at s[0] (a non-ASCII lead byte), or 0.
size_t Utf8Sequence(const unsigned char* s, size_t avail) {
  const unsigned char c = s[0];
  size_t n;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
  else return 0;
  if (avail < n) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

// ---- JsonValue ----

bool JsonValue::is_integer() const {
  if (!is_number()) return false;
  return raw().find_first_of(".eE") == std::string_view::npos;
}

std::string_view JsonValue::raw() const {
  const auto& n = doc_->nodes_[index_];
  return n.type == Type::kNumber || n.shallow ? doc_->text_.substr(n.offset, n.length)
                                              : std::string_view();
}

std::string_view JsonValue::source() const {
  const auto& n = doc_->nodes_[index_];
  if (n.type == Type::kString) {  // offset/length hold the decoded bytes; quote them back
    return n.in_arena ? std::string_view() : doc_->text_.substr(n.offset - 1, n.length + 2);
  }
  return doc_->text_.substr(n.offset, n.length);
}

nlohmann::json JsonValue::ToJson() const {
  if (doc_->nodes_[index_].shallow) {
    JsonDoc sub;
    if (!sub.ParseAll(raw())) return nullptr;  // cannot happen: the text was checked once already
    return sub.root().ToJson();
  }
  switch (type()) {
    case Type::kNull: return nullptr;
    case Type::kFalse: return false;
    case Type::kTrue: return true;
    case Type::kNumber: {
      const std::string_view r = raw();
      if (is_integer() && r.size() < 19) return std::strtoll(std::string(r).c_str(), nullptr, 10);
      return number();
    }
    case Type::kString: return std::string(str());
    case Type::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (auto c = children(); !c.done(); c.next()) out.push_back(c.value().ToJson());
      return out;
    }
    case Type::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (auto c = children(); !c.done(); c.next()) out[std::string(c.key().str())] = c.value().ToJson();
      return out;
    }
  }
  return nullptr;
}

// ---- JsonDoc ----

bool JsonDoc::Fail(std::string message) {
  if (error_.empty()) {
    error_ = std::move(message);
    error_offset_ = pos_;
  }
  return false;
}

void JsonDoc::SkipSpace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
    ++pos_;
  }
}

uint32_t JsonDoc::Push(Type type) {
  nodes_.push_back(Node{type});
  return static_cast<uint32_t>(nodes_.size() - 1);
}

bool JsonDoc::Parse(std::string_view text, size_t& pos, int shallow_depth) {
  text_ = text;
  shallow_depth_ = shallow_depth;
  pos_ = pos;
  nodes_.clear();
  arena_.clear();
  error_.clear();
  error_offset_ = 0;
  if (text.size() >= UINT32_MAX) return Fail("the text is larger than 4 GB");
  const bool ok = Value(0);
  pos = pos_;
  return ok;
}

bool JsonDoc::ParseAll(std::string_view text) {
  size_t pos = 0;
  if (!Parse(text, pos)) return false;
  SkipSpace();
  if (pos_ != text.size()) return Fail("unexpected text after the JSON value");
  return true;
}

bool JsonDoc::Value(int depth) {
  SkipSpace();
  if (pos_ >= text_.size()) return Fail("unexpected end of input; expected a value");
  const char c = text_[pos_];
  const auto literal = [&](std::string_view word, Type type) {
    if (text_.substr(pos_, word.size()) != word) return Fail("invalid literal; expected a value");
    const uint32_t i = Push(type);
    nodes_[i].end = i + 1;
    nodes_[i].offset = static_cast<uint32_t>(pos_);
    nodes_[i].length = static_cast<uint32_t>(word.size());
    pos_ += word.size();
    return true;
  };
  switch (c) {
    case 'n': return literal("null", Type::kNull);
    case 't': return literal("true", Type::kTrue);
    case 'f': return literal("false", Type::kFalse);
    case '"': return String();
    case '[':
    case '{': {
      if (depth >= kMaxDepth) return Fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
      const bool object = c == '{';
      const char close = object ? '}' : ']';
      const uint32_t self = Push(object ? Type::kObject : Type::kArray);
      const size_t start = pos_, arena_size = arena_.size();
      nodes_[self].offset = static_cast<uint32_t>(start);
      ++pos_;
      SkipSpace();
      uint32_t count = 0;
      if (pos_ < text_.size() && text_[pos_] == close) {
        ++pos_;
      } else {
        for (;;) {
          if (object) {
            SkipSpace();
            if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected a member name in quotes");
            if (!String()) return false;
            SkipSpace();
            if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected ':' after a member name");
            ++pos_;
          }
          if (!Value(depth + 1)) return false;
          ++count;
          SkipSpace();
          if (pos_ >= text_.size()) return Fail(std::string("unexpected end of input; expected ',' or '") + close + "'");
          if (text_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (text_[pos_] == close) {
            ++pos_;
            break;
          }
          return Fail(std::string("expected ',' or '") + close + "'");
        }
      }
      nodes_[self].count = count;
      nodes_[self].length = static_cast<uint32_t>(pos_ - start);
      if (depth >= shallow_depth_) {
        nodes_.resize(self + 1);
        arena_.resize(arena_size);
        nodes_[self].shallow = true;
      }
      nodes_[self].end = static_cast<uint32_t>(nodes_.size());
      return true;
    }
    default:
      if (c == '-' || IsDigit(c)) return Number();
      return Fail("unexpected character; expected a value");
  }
}

bool JsonDoc::String() {
  const size_t start = ++pos_;  // past the opening quote
  const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
  const size_t n = text_.size();
  // Fast path: plain ASCII and valid UTF-8 without escapes is referenced in place.
  size_t i = start;
  for (;;) {
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') ++i;
    if (i < n && s[i] >= 0x80) {
      const size_t len = Utf8Sequence(s + i, n - i);
      if (len == 0) {
        pos_ = i;
        return Fail("invalid UTF-8 in a string");
      }
      i += len;
      continue;
    }
    break;
  }
  if (i >= n) {
    pos_ = n;
    return Fail("unexpected end of input inside a string");
  }
  const uint32_t self = Push(Type::kString);
  if (s[i] == '"') {
    nodes_[self].end = self + 1;
    nodes_[self].offset = static_cast<uint32_t>(start);
    nodes_[self].length = static_cast<uint32_t>(i - start);
    pos_ = i + 1;
    return true;
  }
  // Slow path: decode escapes into the arena.
  const size_t arena_start = arena_.size();
  arena_.append(text_.data() + start, i - start);
  while (true) {
    if (i >= n) {
      pos_ = n;
      return Fail("unexpected end of input inside a string");
    }
    const unsigned char c = s[i];
    if (c == '"') break;
    if (c < 0x20) {
      pos_ = i;
      return Fail("control character in a string; escape it, e.g. \\n");
    }
    if (c >= 0x80) {
      const size_t len = Utf8Sequence(s + i, n - i);
      if (len == 0) {
        pos_ = i;
        return Fail("invalid UTF-8 in a string");
      }
      arena_.append(text_.data() + i, len);
      i += len;
      continue;
    }
    if (c != '\\') {
      arena_ += static_cast<char>(c);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      pos_ = n;
      return Fail("unexpected end of input inside a string");
    }
    const char e = static_cast<char>(s[i + 1]);
    i += 2;
    switch (e) {
      case '"': arena_ += '"'; break;
      case '\\': arena_ += '\\'; break;
      case '/': arena_ += '/'; break;
      case 'b': arena_ += '\b'; break;
      case 'f': arena_ += '\f'; break;
      case 'n': arena_ += '\n'; break;
      case 'r': arena_ += '\r'; break;
      case 't': arena_ += '\t'; break;
      case 'u': {
        const auto hex4 = [&](size_t at, uint32_t& out) {
          if (at + 4 > n) return false;
          out = 0;
          for (size_t k = 0; k < 4; ++k) {
            const int h = HexValue(static_cast<char>(s[at + k]));
            if (h < 0) return false;
            out = out * 16 + static_cast<uint32_t>(h);
          }
          return true;
        };
        uint32_t cp;
        if (!hex4(i, cp)) {
          pos_ = i;
          return Fail("\\u must be followed by four hex digits");
        }
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (i + 1 >= n || s[i] != '\\' || s[i + 1] != 'u' || !hex4(i + 2, low) || low < 0xDC00 ||
              low > 0xDFFF) {
            pos_ = i;
            return Fail("a high surrogate \\u escape must be followed by a low one");
          }
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          pos_ = i;
          return Fail("a low surrogate \\u escape without a high one");
        }
        AppendUtf8(arena_, cp);
        break;
      }
      default:
        pos_ = i - 2;  // the backslash
        return Fail("invalid escape in a string");
    }
  }
  nodes_[self].end = self + 1;
  nodes_[self].in_arena = true;
  nodes_[self].offset = static_cast<uint32_t>(arena_start);
  nodes_[self].length = static_cast<uint32_t>(arena_.size() - arena_start);
  pos_ = i + 1;
  return true;
}

bool JsonDoc::Number() {
  const size_t start = pos_;
  const char* s = text_.data();
  const size_t n = text_.size();
  size_t i = start;
  const bool negative = s[i] == '-';
  if (negative) ++i;
  uint64_t mantissa = 0;
  int digits = 0, exponent = 0;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (i < n && IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) {
      if (digits < 19) mantissa = mantissa * 10 + static_cast<uint64_t>(s[i] - '0');
      else ++exponent;
      if (mantissa != 0) ++digits;
      ++i;
    }
  } else {
    pos_ = i;
    return Fail("expected a digit");
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !IsDigit(s[i])) {
      pos_ = i;
      return Fail("expected a digit after the decimal point");
    }
    while (i < n && IsDigit(s[i])) {
      if (digits < 19) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(s[i] - '0');
        --exponent;
        if (mantissa != 0) ++digits;
      }
      ++i;
    }
  }
  bool exact = digits <= 15;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    if (i >= n || !IsDigit(s[i])) {
      pos_ = i;
      return Fail("expected a digit in the exponent");
    }
    int e = 0;
    while (i < n && IsDigit(s[i])) {
      if (e < 100000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    exponent += exp_negative ? -e : e;
  }
  double value;
  if (exact && exponent >= -22 && exponent <= 22) {
    // Both operands are exact doubles, so one IEEE operation rounds correctly (Clinger).
    value = static_cast<double>(mantissa);
    value = exponent < 0 ? value / kPow10[-exponent] : value * kPow10[exponent];
  } else {
    value = std::strtod(std::string(s + start, i - start).c_str(), nullptr);
  }
  const uint32_t self = Push(Type::kNumber);
  nodes_[self].end = self + 1;
  nodes_[self].offset = static_cast<uint32_t>(start);
  nodes_[self].length = static_cast<uint32_t>(i - start);
  nodes_[self].number = negative ? -value : value;
  pos_ = i;
  return true;
}

std::pair<int, int> LineAndColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;  // count characters, not UTF-8 continuation bytes
    }
  }
  return {line, column};
}

}  // namespace leadkit
