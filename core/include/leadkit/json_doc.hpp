// A read-only JSON value parsed in one pass into a flat array of nodes. Loading 100k leads through
// nlohmann's tree of std::maps cost 4.5 s natively; reading one lead at a time into a reused node
// array and validating from there costs a fraction of that. nlohmann/json stays the format for
// everything small (queries, models, replies); this is only the bulk-load path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace leadkit {

class JsonDoc;

// A value inside a JsonDoc; cheap to copy, valid while the document and its source text live.
class JsonValue {
 public:
  enum class Type : uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

  JsonValue() = default;
  explicit operator bool() const { return doc_ != nullptr; }  // false for "not found"

  inline Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kTrue || type() == Type::kFalse; }
  bool is_number() const { return type() == Type::kNumber; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }
  // A number written without fraction or exponent, e.g. 40 but not 40.0.
  bool is_integer() const;

  inline std::string_view str() const;  // the decoded string, for kString
  inline double number() const;         // for kNumber
  // The source text of a number, e.g. "1.50", or of a container read shallowly (see Parse).
  std::string_view raw() const;
  // The value's whole source text, e.g. a props object as written, for size limits.
  std::string_view source() const;
  inline size_t size() const;  // elements of an array, members of an object

  // Array elements and object members are visited in order through a cursor.
  class Cursor {
   public:
    bool done() const { return index_ >= end_; }
    inline void next();
    JsonValue key() const { return JsonValue(doc_, index_); }  // objects only
    JsonValue value() const { return JsonValue(doc_, object_ ? index_ + 1 : index_); }
   private:
    friend class JsonValue;
    const JsonDoc* doc_ = nullptr;
    uint32_t index_ = 0, end_ = 0;
    bool object_ = false;
  };
  inline Cursor children() const;
  inline JsonValue find(std::string_view key) const;  // an object's member, or a false value

  nlohmann::json ToJson() const;

 private:
  friend class JsonDoc;
  JsonValue(const JsonDoc* doc, uint32_t index) : doc_(doc), index_(index) {}
  const JsonDoc* doc_ = nullptr;
  uint32_t index_ = 0;
};

class JsonDoc {
 public:
  // Parses the one value that starts at `pos` (after optional whitespace) and moves `pos` past it.
  // On malformed input returns false, with error() and error_offset() set. The document keeps
  // pointers into `text`, which must outlive it; earlier contents are replaced. Arrays and objects
  // nested `shallow_depth` levels down are checked but kept only as their source text (raw()),
  // so a 100 MB backup can be validated without holding every lead as nodes.
  bool Parse(std::string_view text, size_t& pos, int shallow_depth = kMaxDepth + 1);
  // Parses `text` as exactly one value with nothing but whitespace after it.
  bool ParseAll(std::string_view text);

  JsonValue root() const { return JsonValue(this, 0); }
  const std::string& error() const { return error_; }
  size_t error_offset() const { return error_offset_; }

  static constexpr int kMaxDepth = 128;

 private:
  friend class JsonValue;
  struct Node {
    JsonValue::Type type;
    bool in_arena = false;  // string bytes were unescaped into arena_, not read from the text
    bool shallow = false;   // a container kept as source text only
    uint32_t end = 0;       // index one past this node's subtree
    uint32_t count = 0;     // elements or members
    uint32_t offset = 0, length = 0;  // string bytes, or the value's source text
    double number = 0;
  };

  bool Value(int depth);
  bool String();
  bool Number();
  bool Fail(std::string message);
  void SkipSpace();
  uint32_t Push(JsonValue::Type type);

  std::string_view text_;
  size_t pos_ = 0;
  int shallow_depth_ = kMaxDepth + 1;
  std::vector<Node> nodes_;
  std::string arena_;
  std::string error_;
  size_t error_offset_ = 0;
};

// Hot accessors are inline: loading 100k leads calls them tens of millions of times.
JsonValue::Type JsonValue::type() const { return doc_->nodes_[index_].type; }

std::string_view JsonValue::str() const {
  const auto& n = doc_->nodes_[index_];
  if (n.type != Type::kString) return {};
  return n.in_arena ? std::string_view(doc_->arena_).substr(n.offset, n.length)
                    : doc_->text_.substr(n.offset, n.length);
}

double JsonValue::number() const { return doc_->nodes_[index_].number; }

size_t JsonValue::size() const { return doc_->nodes_[index_].count; }

JsonValue::Cursor JsonValue::children() const {
  Cursor c;
  c.doc_ = doc_;
  c.index_ = index_ + 1;
  c.end_ = doc_->nodes_[index_].end;  // scalars and shallow containers have no child nodes
  c.object_ = doc_->nodes_[index_].type == Type::kObject;
  return c;
}

void JsonValue::Cursor::next() { index_ = doc_->nodes_[object_ ? index_ + 1 : index_].end; }

JsonValue JsonValue::find(std::string_view key) const {
  if (!is_object()) return {};
  for (auto c = children(); !c.done(); c.next()) {
    if (c.key().str() == key) return c.value();
  }
  return {};
}

// The 1-based line and column of byte `offset` in `text`, counting characters, not bytes.
std::pair<int, int> LineAndColumn(std::string_view text, size_t offset);

}  // namespace leadkit
