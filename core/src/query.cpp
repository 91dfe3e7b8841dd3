#include "leadkit/query.hpp"

#include <cmath>
#include <utility>

#include "leadkit/iso_time.hpp"
#include "leadkit/lead.hpp"
#include "leadkit/profile.hpp"

namespace leadkit {

using nlohmann::json;

const std::vector<FieldInfo>& AllFields() {
  static const std::vector<FieldInfo> kFields = {
      {Field::kId, "id", FieldKind::kText},
      {Field::kFirstName, "firstName", FieldKind::kText},
      {Field::kLastName, "lastName", FieldKind::kText},
      {Field::kEmail, "email", FieldKind::kText},
      {Field::kPhone, "phone", FieldKind::kText},
      {Field::kCompany, "company", FieldKind::kText},
      {Field::kTitle, "title", FieldKind::kCategory},
      {Field::kIndustry, "industry", FieldKind::kCategory},
      {Field::kEmployees, "employees", FieldKind::kNumber},
      {Field::kAnnualRevenue, "annualRevenue", FieldKind::kNumber},
      {Field::kCountry, "country", FieldKind::kCategory},
      {Field::kRegion, "region", FieldKind::kCategory},
      {Field::kDomain, "domain", FieldKind::kText},
      {Field::kSource, "source", FieldKind::kCategory},
      {Field::kDirection, "direction", FieldKind::kCategory},
      {Field::kStage, "stage", FieldKind::kCategory},
      {Field::kDealValue, "dealValue", FieldKind::kNumber},
      {Field::kCurrency, "currency", FieldKind::kCategory},
      {Field::kCreatedAt, "createdAt", FieldKind::kTime},
      {Field::kUpdatedAt, "updatedAt", FieldKind::kTime},
      {Field::kTags, "tags", FieldKind::kTagSet},
      {Field::kTouchCount, "touchCount", FieldKind::kNumber},
      {Field::kEventCount, "eventCount", FieldKind::kNumber},
      {Field::kLastTouchAt, "lastTouchAt", FieldKind::kTime},
      {Field::kLastActivityAt, "lastActivityAt", FieldKind::kTime},
      {Field::kScore, "score", FieldKind::kNumber},
      {Field::kFit, "fit", FieldKind::kNumber},
      {Field::kEngagement, "engagement", FieldKind::kNumber},
      {Field::kGrade, "grade", FieldKind::kCategory},
      {Field::kProbability, "probability", FieldKind::kNumber},
  };
  return kFields;
}

bool IsScoreField(Field f) {
  return f == Field::kScore || f == Field::kFit || f == Field::kEngagement || f == Field::kGrade;
}

std::optional<FieldInfo> FindField(std::string_view name) {
  for (const FieldInfo& f : AllFields()) {
    if (f.name == name) return f;
  }
  return std::nullopt;
}

namespace {

std::string KnownFieldNames() {
  std::string out;
  for (const FieldInfo& f : AllFields()) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

std::optional<double> NumberOrTime(const json& v, FieldKind kind) {
  if (kind == FieldKind::kTime && v.is_string()) {
    if (auto t = ParseIsoTime(v.get_ref<const std::string&>())) return static_cast<double>(*t);
    return std::nullopt;
  }
  if (v.is_number() && std::isfinite(v.get<double>())) return v.get<double>();
  return std::nullopt;
}

Result<Filter> ParseFilter(const FieldInfo& info, const json& v, const std::string& path) {
  Filter f{info.field, info.kind, {}, {}};
  const bool numeric = info.kind == FieldKind::kNumber || info.kind == FieldKind::kTime;
  const char* expected_scalar = numeric ? (info.kind == FieldKind::kTime
                                               ? "an ISO 8601 timestamp"
                                               : "a number")
                                        : "a string";
  if (numeric && v.is_object()) {
    for (const auto& [key, bound] : v.items()) {
      if (key != "min" && key != "max") {
        return MakeError("expected {min, max}, got key \"" + key.substr(0, 64) + "\"", path);
      }
      const auto n = NumberOrTime(bound, info.kind);
      if (!n) {
        return MakeError(std::string("expected ") + expected_scalar + ", got " +
                             DescribeJsonValue(bound), path + "." + key);
      }
      (key == "min" ? f.min : f.max) = *n;
    }
    return f;
  }
  const json values = v.is_array() ? v : json::array({v});
  for (size_t i = 0; i < values.size(); ++i) {
    const json& one = values[i];
    const std::string p = v.is_array() ? path + "[" + std::to_string(i) + "]" : path;
    if (numeric) {
      const auto n = NumberOrTime(one, info.kind);
      if (!n) {
        return MakeError(std::string("expected ") + expected_scalar + " or {min, max}, got " +
                             DescribeJsonValue(one), p);
      }
      f.numbers.push_back(*n);
    } else {
      if (!one.is_string()) {
        return MakeError("expected a string, got " + DescribeJsonValue(one), p);
      }
      const auto& s = one.get_ref<const std::string&>();
      if (info.field == Field::kStage && !ParseStage(s)) {
        return MakeError("unknown stage \"" + s.substr(0, 64) + "\"", p);
      }
      if (info.field == Field::kGrade && !ParseGrade(s)) {
        return MakeError("unknown grade \"" + s.substr(0, 64) + "\"; grades: A+, A, A-, B+, B, B-, "
                         "C+, C, C-, D+, D, D-, F", p);
      }
      f.any_of.push_back(info.field == Field::kStage ? std::string(StageName(*ParseStage(s))) : s);
    }
  }
  if (f.numbers.size() == 1) {  // equality is a degenerate range, the fastest test in the store
    f.min = f.max = f.numbers[0];
    f.numbers.clear();
  }
  return f;
}

// Letters folded to what a search compares: [first, last] code points → replacement, or to
// `lower` + (c - first) when replacement is null (a plain lower-casing of a run of capitals).
struct FoldRange {
  char32_t first, last;
  const char* replacement;
  char32_t lower = 0;
};
constexpr FoldRange kFolds[] = {
    {0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"}, {0xC8, 0xCB, "e"}, {0xCC, 0xCF, "i"},
    {0xD0, 0xD0, "d"}, {0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"}, {0xD8, 0xD8, "o"}, {0xD9, 0xDC, "u"},
    {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"}, {0xDF, 0xDF, "ss"}, {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"},
    {0xE7, 0xE7, "c"}, {0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"}, {0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"}, {0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"}, {0xFE, 0xFE, "th"},
    {0xFF, 0xFF, "y"}, {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},
    {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"},
    {0x132, 0x133, "ij"}, {0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"},
    {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"},
    {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}, {0x218, 0x219, "s"},
    {0x21A, 0x21B, "t"},
    {0x300, 0x36F, ""},  // combining diacritical marks: the accents of decomposed (NFD) text
    {0x386, 0x386, "α"}, {0x388, 0x388, "ε"}, {0x389, 0x389, "η"}, {0x38A, 0x38A, "ι"},
    {0x38C, 0x38C, "ο"}, {0x38E, 0x38E, "υ"}, {0x38F, 0x38F, "ω"}, {0x390, 0x390, "ι"},
    {0x391, 0x3A9, nullptr, 0x3B1}, {0x3AA, 0x3AA, "ι"}, {0x3AB, 0x3AB, "υ"}, {0x3AC, 0x3AC, "α"},
    {0x3AD, 0x3AD, "ε"}, {0x3AE, 0x3AE, "η"}, {0x3AF, 0x3AF, "ι"}, {0x3B0, 0x3B0, "υ"},
    {0x3C2, 0x3C2, "σ"}, {0x3CA, 0x3CA, "ι"}, {0x3CB, 0x3CB, "υ"}, {0x3CC, 0x3CC, "ο"},
    {0x3CD, 0x3CD, "υ"}, {0x3CE, 0x3CE, "ω"},
    {0x400, 0x40F, nullptr, 0x450}, {0x410, 0x42F, nullptr, 0x430},
};

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The two-byte UTF-8 sequence at text[i] as a code point, with its length; length 0 when it is
// not one (every fold above is below U+0800, so longer sequences are copied as they are).
std::pair<char32_t, size_t> DecodeShort(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if ((b & 0xE0) == 0xC0 && b >= 0xC2 && i + 1 < text.size() && (byte(i + 1) & 0xC0) == 0x80) {
    return {static_cast<char32_t>(((b & 0x1F) << 6) | (byte(i + 1) & 0x3F)), 2};
  }
  return {0, 0};
}

bool IsSearchSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsPhonePunctuation(char c) { return c == '+' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/'; }

// The words of a folded search, each with its digits alone when it is written like a phone number.
void SplitSearch(const std::string& folded, QuerySpec& q) {
  size_t i = 0;
  while (i < folded.size()) {
    while (i < folded.size() && IsSearchSpace(folded[i])) ++i;
    size_t end = i;
    while (end < folded.size() && !IsSearchSpace(folded[end])) ++end;
    if (end == i) break;
    std::string word = folded.substr(i, end - i);
    std::string digits;
    bool phone_like = true;
    for (char c : word) {
      if (c >= '0' && c <= '9') digits += c;
      else if (!IsPhonePunctuation(c)) phone_like = false;
    }
    q.search += (q.search.empty() ? "" : " ") + word;
    q.search_words.push_back(std::move(word));
    q.search_digits.push_back(phone_like ? digits : std::string());
    i = end;
  }
}

}  // namespace

void AppendFoldedForSearch(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      ++i;
      continue;
    }
    const auto [code, length] = DecodeShort(text, i);
    const FoldRange* fold = nullptr;
    if (length) {
      for (const FoldRange& r : kFolds) {
        if (code >= r.first && code <= r.last) { fold = &r; break; }
      }
    }
    if (!fold) {
      out += c;  // a byte of anything not folded, copied as it is, valid or not
      ++i;
      continue;
    }
    if (fold->replacement) out += fold->replacement;
    else AppendUtf8(out, fold->lower + (code - fold->first));
    i += length;
  }
}

std::string FoldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendFoldedForSearch(out, text);
  return out;
}

void AppendSearchParts(std::string& out, std::string_view first_name, std::string_view last_name,
                       std::string_view company, std::string_view email, std::string_view phone) {
  for (const std::string_view part : {first_name, last_name, company, email, phone}) {
    AppendFoldedForSearch(out, part);
    out += '\n';
  }
  for (char c : phone) {
    if (c >= '0' && c <= '9') out += c;
  }
  out += '\n';
}

bool MatchesSearch(const QuerySpec& spec, std::string_view text) {
  for (size_t w = 0; w < spec.search_words.size(); ++w) {
    if (text.find(spec.search_words[w]) != std::string_view::npos) continue;
    const std::string& digits = spec.search_digits[w];
    if (digits.empty() || text.find(digits) == std::string_view::npos) return false;
  }
  return true;
}

Result<QuerySpec> ParseQuery(const json& j) {
  QuerySpec q;
  if (j.is_null()) return q;
  if (!j.is_object()) return MakeError("expected a query object, got " + DescribeJsonValue(j), "query");
  for (const auto& [key, v] : j.items()) {
    if (key == "filter") {
      if (v.is_null()) continue;
      if (!v.is_object()) return MakeError("expected an object, got " + DescribeJsonValue(v), "filter");
      for (const auto& [name, value] : v.items()) {
        const auto info = FindField(name);
        if (!info) {
          return MakeError("unknown field \"" + name.substr(0, 64) + "\"; fields: " +
                               KnownFieldNames(), "filter." + name.substr(0, 64));
        }
        if (value.is_null()) continue;
        auto f = ParseFilter(*info, value, "filter." + name);
        if (!f) return f.error();
        q.filters.push_back(std::move(f).value());
      }
    } else if (key == "search") {
      if (v.is_null()) continue;
      if (!v.is_string() || v.get_ref<const std::string&>().size() > 256) {
        return MakeError("expected a string of at most 256 bytes, got " + DescribeJsonValue(v), "search");
      }
      SplitSearch(FoldForSearch(v.get_ref<const std::string&>()), q);
    } else if (key == "sort") {
      if (v.is_null()) continue;
      const json* field = v.is_object() && v.contains("field") ? &v["field"] : nullptr;
      if (!field || !field->is_string()) {
        return MakeError("expected {field, order}, got " + DescribeJsonValue(v), "sort");
      }
      const auto info = FindField(field->get_ref<const std::string&>());
      if (!info || info->kind == FieldKind::kTagSet) {
        return MakeError("cannot sort by \"" + field->get_ref<const std::string&>().substr(0, 64) +
                             "\"; fields: " + KnownFieldNames(), "sort.field");
      }
      q.sort = info->field;
      if (v.contains("order")) {
        const json& order = v["order"];
        if (order != "asc" && order != "desc") {
          return MakeError("expected \"asc\" or \"desc\", got " + DescribeJsonValue(order), "sort.order");
        }
        q.descending = order == "desc";
      }
    } else if (key == "now") {
      if (v.is_null()) continue;
      if (!v.is_number() || !std::isfinite(v.get<double>()) || std::abs(v.get<double>()) > 8.64e15) {
        return MakeError("expected a time in ms since 1970, got " + DescribeJsonValue(v), "now");
      }
      q.now = static_cast<int64_t>(std::floor(v.get<double>()));
    } else if (key == "offset" || key == "limit") {
      if (v.is_null()) continue;
      if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
          (key == "limit" && v.get<int64_t>() > static_cast<int64_t>(kMaxQueryLimit))) {
        return MakeError("expected an integer from 0" +
                             std::string(key == "limit" ? " to " + std::to_string(kMaxQueryLimit) : "") +
                             ", got " + DescribeJsonValue(v), key);
      }
      (key == "offset" ? q.offset : q.limit) = v.get<size_t>();
    } else if (key == "view") {
      if (v.is_null()) continue;
      if (v != "row" && v != "full") {
        return MakeError("expected \"row\" or \"full\", got " + DescribeJsonValue(v), "view");
      }
      q.row_view = v == "row";
    } else {
      return MakeError("unknown query key \"" + key.substr(0, 64) +
                           "\"; expected filter, search, sort, offset, limit, now or view", key.substr(0, 64));
    }
  }
  return q;
}

}  // namespace leadkit
