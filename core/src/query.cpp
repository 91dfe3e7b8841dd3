#include "leadkit/query.hpp"

#include <cmath>

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

}  // namespace

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
      for (char c : v.get_ref<const std::string&>()) {
        q.search += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
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
