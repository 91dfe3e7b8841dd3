#include "leadkit/store.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "leadkit/profile.hpp"

namespace leadkit {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive (ASCII) three-way comparison; good enough for ordering names in a table.
int CompareNoCase(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = LowerAscii(a[i]), y = LowerAscii(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

}  // namespace

uint32_t Dictionary::Intern(const std::string& value) {
  const auto [it, inserted] = codes_.try_emplace(value, static_cast<uint32_t>(values_.size()));
  if (inserted) values_.push_back(value);
  return it->second;
}

std::optional<uint32_t> Dictionary::Find(const std::string& value) const {
  const auto it = codes_.find(value);
  if (it == codes_.end()) return std::nullopt;
  return it->second;
}

template <typename F>
void LeadStore::ForEachColumn(F&& f) {
  f(ids_);
  f(first_name_); f(last_name_); f(email_); f(phone_); f(company_); f(domain_);
  f(stage_reason_); f(notes_); f(search_text_);
  f(industry_.codes); f(title_.codes); f(email_domain_.codes); f(country_.codes); f(region_.codes); f(source_.codes); f(currency_.codes);
  f(stage_);
  f(employees_); f(annual_revenue_); f(deal_value_);
  f(created_at_); f(updated_at_);
  f(bant_detail_); f(bant_status_); f(qualification_); f(cadence_); f(tags_); f(custom_); f(events_); f(touches_); f(history_); f(tasks_);
  f(last_touch_at_); f(last_activity_at_);
}

std::optional<uint32_t> LeadStore::RowOf(std::string_view id) const {
  const auto it = row_of_.find(std::string(id));
  if (it == row_of_.end()) return std::nullopt;
  return it->second;
}

void LeadStore::Reserve(size_t rows) {
  ForEachColumn([rows](auto& col) { col.reserve(rows); });
  row_of_.reserve(rows);
}

const LeadStore::ActivityIndex& LeadStore::activity() const {
  if (activity_) return *activity_;
  ActivityIndex& a = activity_.emplace();
  const size_t n = ids_.size();
  a.event_offsets.reserve(n + 1);
  a.touch_offsets.reserve(n + 1);
  a.tag_offsets.reserve(n + 1);
  a.event_offsets.push_back(0);
  a.touch_offsets.push_back(0);
  a.tag_offsets.push_back(0);
  for (size_t r = 0; r < n; ++r) {
    // Newest first within a row, so a windowed count can stop at the first item that is too old.
    const auto newest_first = [](const auto& list) {
      std::vector<uint32_t> order(list.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return list[x].at > list[y].at; });
      return order;
    };
    for (uint32_t i : newest_first(events_[r])) {
      const StoredEvent& e = events_[r][i];
      a.event_types.push_back(e.type);
      a.event_at.push_back(e.at);
      a.event_row.push_back(static_cast<uint32_t>(r));
    }
    for (uint32_t i : newest_first(touches_[r])) {
      const Touch& t = touches_[r][i];
      a.touch_channel.push_back(a.touch_words.Intern(t.channel));
      a.touch_outcome.push_back(a.touch_words.Intern(t.outcome));
      a.touch_at.push_back(t.at);
      a.touch_row.push_back(static_cast<uint32_t>(r));
    }
    a.tag_codes.insert(a.tag_codes.end(), tags_[r].begin(), tags_[r].end());
    uint64_t bits = 0;
    for (uint32_t c : tags_[r]) bits |= c < 64 ? uint64_t{1} << c : 0;
    a.tag_bits.push_back(bits);
    a.event_offsets.push_back(static_cast<uint32_t>(a.event_types.size()));
    a.touch_offsets.push_back(static_cast<uint32_t>(a.touch_at.size()));
    a.tag_offsets.push_back(static_cast<uint32_t>(a.tag_codes.size()));
  }
  return a;
}

void LeadStore::Upsert(Lead lead) {
  activity_.reset();
  uint32_t row;
  if (const auto existing = RowOf(lead.id)) {
    row = *existing;
  } else {
    row = static_cast<uint32_t>(ids_.size());
    ForEachColumn([n = row + 1](auto& col) { col.resize(n); });
    row_of_.emplace(lead.id, row);
  }
  WriteRow(row, std::move(lead));
}

const std::string& LeadStore::SearchText(uint32_t row) const {
  std::string& search = search_text_[row];
  if (!search.empty()) return search;  // never empty once built: it holds a line break per part
  AppendSearchParts(search, first_name_[row], last_name_[row], company_[row], email_[row], phone_[row]);
  return search;
}

void LeadStore::UpsertMany(std::span<Lead> leads, std::span<const std::vector<uint32_t>> props) {
  activity_.reset();
  // Rows for the new leads are added with one resize per column, not one per lead: ~30 columns
  // times 100k calls was a fifth of an import under wasm.
  std::vector<uint32_t> rows(leads.size());
  size_t next = ids_.size();
  for (size_t i = 0; i < leads.size(); ++i) {
    const auto [it, fresh] = row_of_.emplace(leads[i].id, static_cast<uint32_t>(next));
    rows[i] = it->second;
    next += fresh;
  }
  if (next > ids_.size()) ForEachColumn([next](auto& col) { col.resize(next); });
  for (size_t i = 0; i < leads.size(); ++i) WriteRow(rows[i], std::move(leads[i]), props.empty() ? nullptr : &props[i]);
}

void LeadStore::WriteRow(uint32_t row, Lead&& lead, const std::vector<uint32_t>* props) {
  const auto opt = [](const auto& v) { return v ? static_cast<double>(*v) : kMissing; };
  search_text_[row].clear();  // built on the first search that needs it (SearchText)
  ids_[row] = std::move(lead.id);
  first_name_[row] = std::move(lead.first_name);
  last_name_[row] = std::move(lead.last_name);
  email_[row] = std::move(lead.email);
  phone_[row] = std::move(lead.phone);
  company_[row] = std::move(lead.company);
  title_.codes[row] = title_.dict.Intern(lead.title);
  const size_t at = email_[row].find('@');  // lead.email has been moved into the column
  email_domain_.codes[row] =
      email_domain_.dict.InternView(at == std::string::npos ? std::string_view() : std::string_view(email_[row]).substr(at + 1));
  domain_[row] = std::move(lead.domain);
  stage_reason_[row] = std::move(lead.stage_reason);
  notes_[row] = std::move(lead.notes);
  industry_.codes[row] = industry_.dict.Intern(lead.industry);
  country_.codes[row] = country_.dict.Intern(lead.country);
  region_.codes[row] = region_.dict.Intern(lead.region);
  source_.codes[row] = source_.dict.Intern(lead.source);
  currency_.codes[row] = currency_.dict.Intern(lead.currency);
  stage_[row] = static_cast<uint8_t>(lead.stage);
  employees_[row] = opt(lead.employees);
  annual_revenue_[row] = opt(lead.annual_revenue);
  deal_value_[row] = opt(lead.deal_value);
  created_at_[row] = lead.created_at;
  updated_at_[row] = lead.updated_at;
  for (size_t k = 0; k < 4; ++k) bant_status_[row][k] = static_cast<uint8_t>(lead.bant[k].status);
  const bool details = std::any_of(lead.bant.begin(), lead.bant.end(), [](const BantCriterion& c) {
    return !c.evidence.empty() || c.confidence || c.at != 0;
  });
  if (!details) {
    FreeBantDetail(row);
  } else {
    uint32_t& slot = bant_detail_[row];
    if (slot == 0 && !bant_free_.empty()) {
      slot = bant_free_.back();
      bant_free_.pop_back();
    } else if (slot == 0) {
      slot = static_cast<uint32_t>(bant_details_.size());
      bant_details_.emplace_back();
    }
    bant_details_[slot] = std::move(lead.bant);
  }
  qualification_[row] = std::move(lead.qualification);
  cadence_[row] = std::move(lead.cadence);
  tags_[row].clear();
  for (const std::string& t : lead.tags) tags_[row].push_back(tag_dict_.Intern(t));
  custom_[row] = std::move(lead.custom);
  double last_touch = kMissing, last_activity = kMissing;
  const auto later = [](double current, int64_t at) {
    return std::isnan(current) || static_cast<double>(at) > current ? static_cast<double>(at)
                                                                     : current;
  };
  events_[row].clear();
  events_[row].reserve(lead.events.size());
  for (size_t k = 0; k < lead.events.size(); ++k) {
    Event& e = lead.events[k];
    last_activity = later(last_activity, e.at);
    events_[row].push_back({event_types_.Intern(e.type), props ? (*props)[k] : InternProps(std::move(e.props)), e.at});
  }
  for (const Touch& t : lead.touches) {
    last_touch = later(last_touch, t.at);
    last_activity = later(last_activity, t.at);
  }
  touches_[row] = std::move(lead.touches);
  history_[row] = std::move(lead.history);
  tasks_[row] = std::move(lead.tasks);
  last_touch_at_[row] = last_touch;
  last_activity_at_[row] = last_activity;
}

void LeadStore::MoveRow(uint32_t from, uint32_t to) {
  ForEachColumn([from, to](auto& col) { col[to] = std::move(col[from]); });
  row_of_[ids_[to]] = to;
}

void LeadStore::PopRow() {
  ForEachColumn([](auto& col) { col.pop_back(); });
}

bool LeadStore::Remove(std::string_view id) {
  const auto row = RowOf(id);
  if (!row) return false;
  activity_.reset();
  row_of_.erase(std::string(id));
  const uint32_t last = static_cast<uint32_t>(ids_.size() - 1);
  FreeBantDetail(*row);
  if (*row != last) MoveRow(last, *row);  // swap-remove keeps the columns dense
  PopRow();
  return true;
}

void LeadStore::Clear() { *this = LeadStore(); }

void LeadStore::FreeBantDetail(uint32_t row) {
  if (bant_detail_[row] == 0) return;
  bant_details_[bant_detail_[row]] = {};
  bant_free_.push_back(bant_detail_[row]);
  bant_detail_[row] = 0;
}

uint32_t LeadStore::InternProps(nlohmann::json&& props) {
  if (props.is_null()) return 0;
  const size_t hash = std::hash<nlohmann::json>{}(props);
  uint32_t& latest = props_by_hash_[hash];
  for (uint32_t code = latest; code != 0; code = props_next_[code]) {
    if (props_[code] == props) return code;
  }
  const auto code = static_cast<uint32_t>(props_.size());
  props_.push_back(std::move(props));
  props_next_.push_back(latest);
  latest = code;
  return code;
}

std::optional<Lead> LeadStore::Get(std::string_view id) const {
  const auto row = RowOf(id);
  if (!row) return std::nullopt;
  return GetRow(*row);
}

Lead LeadStore::GetRow(uint32_t row) const {
  const auto opt_int = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(v)); };
  const auto opt_double = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
  Lead lead;
  lead.id = ids_[row];
  lead.first_name = first_name_[row];
  lead.last_name = last_name_[row];
  lead.email = email_[row];
  lead.phone = phone_[row];
  lead.company = company_[row];
  lead.title = title_.dict.Get(title_.codes[row]);
  lead.industry = industry_.dict.Get(industry_.codes[row]);
  lead.employees = opt_int(employees_[row]);
  lead.annual_revenue = opt_double(annual_revenue_[row]);
  lead.country = country_.dict.Get(country_.codes[row]);
  lead.region = region_.dict.Get(region_.codes[row]);
  lead.domain = domain_[row];
  lead.source = source_.dict.Get(source_.codes[row]);
  lead.stage = static_cast<Stage>(stage_[row]);
  lead.stage_reason = stage_reason_[row];
  if (const uint32_t slot = bant_detail_[row]) {
    lead.bant = bant_details_[slot];
  } else {
    for (size_t k = 0; k < 4; ++k) lead.bant[k].status = static_cast<BantStatus>(bant_status_[row][k]);
  }
  lead.qualification = qualification_[row];
  lead.deal_value = opt_double(deal_value_[row]);
  lead.currency = currency_.dict.Get(currency_.codes[row]);
  lead.notes = notes_[row];
  for (uint32_t t : tags_[row]) lead.tags.push_back(tag_dict_.Get(t));
  lead.custom = custom_[row];
  lead.created_at = created_at_[row];
  lead.updated_at = updated_at_[row];
  for (const StoredEvent& e : events_[row]) {
    lead.events.push_back({event_types_.Get(e.type), e.at, props_[e.props]});
  }
  lead.touches = touches_[row];
  lead.history = history_[row];
  lead.cadence = cadence_[row];
  lead.tasks = tasks_[row];
  return lead;
}

const std::string* LeadStore::TextColumn(Field f, uint32_t row) const {
  switch (f) {
    case Field::kId: return &ids_[row];
    case Field::kFirstName: return &first_name_[row];
    case Field::kLastName: return &last_name_[row];
    case Field::kEmail: return &email_[row];
    case Field::kPhone: return &phone_[row];
    case Field::kCompany: return &company_[row];
    case Field::kDomain: return &domain_[row];
    default: return nullptr;
  }
}

const LeadStore::CategoryColumn* LeadStore::Category(Field f) const {
  switch (f) {
    case Field::kIndustry: return &industry_;
    case Field::kTitle: return &title_;
    case Field::kCountry: return &country_;
    case Field::kRegion: return &region_;
    case Field::kSource: return &source_;
    case Field::kCurrency: return &currency_;
    default: return nullptr;
  }
}

const std::vector<std::string>* LeadStore::Texts(Field f) const {
  switch (f) {
    case Field::kId: return &ids_;
    case Field::kFirstName: return &first_name_;
    case Field::kLastName: return &last_name_;
    case Field::kEmail: return &email_;
    case Field::kPhone: return &phone_;
    case Field::kCompany: return &company_;
    case Field::kDomain: return &domain_;
    default: return nullptr;
  }
}

const std::vector<double>* LeadStore::Numbers(Field f) const {
  switch (f) {
    case Field::kEmployees: return &employees_;
    case Field::kAnnualRevenue: return &annual_revenue_;
    case Field::kDealValue: return &deal_value_;
    default: return nullptr;
  }
}

double LeadStore::NumberAt(Field f, uint32_t row, const DerivedColumns* derived) const {
  const auto from = [derived, row](const std::vector<double>* DerivedColumns::*column) {
    return derived && derived->*column ? (*(derived->*column))[row] : kMissing;
  };
  switch (f) {
    case Field::kEmployees: return employees_[row];
    case Field::kAnnualRevenue: return annual_revenue_[row];
    case Field::kDealValue: return deal_value_[row];
    case Field::kCreatedAt: return static_cast<double>(created_at_[row]);
    case Field::kUpdatedAt: return static_cast<double>(updated_at_[row]);
    case Field::kTouchCount: return static_cast<double>(touches_[row].size());
    case Field::kEventCount: return static_cast<double>(events_[row].size());
    case Field::kLastTouchAt: return last_touch_at_[row];
    case Field::kLastActivityAt: return last_activity_at_[row];
    case Field::kScore: return from(&DerivedColumns::total);
    case Field::kFit: return from(&DerivedColumns::fit);
    case Field::kEngagement: return from(&DerivedColumns::engagement);
    case Field::kProbability: return from(&DerivedColumns::probability);
    case Field::kGrade:
      return derived && derived->grade ? (*derived->grade)[row] : kMissing;
    default: return kMissing;
  }
}

namespace {

// For a category-like field, a code → rank table (sort order) and a code → selected table.
struct CodeTables {
  std::vector<double> rank;
  std::vector<char> selected;
};

}  // namespace

std::vector<uint32_t> LeadStore::Matching(const QuerySpec& spec, const ChannelMap& channels,
                                          const DerivedColumns* derived) const {
  std::vector<uint32_t> rows(ids_.size());
  for (uint32_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const auto keep = [&rows](auto&& pred) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](uint32_t r) { return !pred(r); }),
               rows.end());
  };
  for (const Filter& f : spec.filters) {
    switch (f.kind) {
      case FieldKind::kNumber:
      case FieldKind::kTime:
        if (!f.numbers.empty()) {
          keep([&](uint32_t r) {
            const double v = NumberAt(f.field, r, derived);
            return std::find(f.numbers.begin(), f.numbers.end(), v) != f.numbers.end();
          });
        } else {
          keep([&](uint32_t r) {
            const double v = NumberAt(f.field, r, derived);
            return v >= f.min && v <= f.max;  // false for NaN: a missing value matches no range
          });
        }
        break;
      case FieldKind::kText:
        keep([&](uint32_t r) {
          return std::find(f.any_of.begin(), f.any_of.end(), *TextColumn(f.field, r)) !=
                 f.any_of.end();
        });
        break;
      case FieldKind::kTagSet: {
        std::vector<uint32_t> wanted;
        for (const auto& t : f.any_of) {
          if (auto c = tag_dict_.Find(t)) wanted.push_back(*c);
        }
        keep([&](uint32_t r) {
          return std::any_of(tags_[r].begin(), tags_[r].end(), [&](uint32_t t) {
            return std::find(wanted.begin(), wanted.end(), t) != wanted.end();
          });
        });
        break;
      }
      case FieldKind::kCategory: {
        const auto wants = [&f](std::string_view v) {
          return std::find(f.any_of.begin(), f.any_of.end(), v) != f.any_of.end();
        };
        if (f.field == Field::kStage) {
          std::array<char, kStageCount> sel{};
          for (int s = 0; s < kStageCount; ++s) sel[s] = wants(StageName(static_cast<Stage>(s)));
          keep([&](uint32_t r) { return sel[stage_[r]] != 0; });
        } else if (f.field == Field::kGrade) {
          std::array<char, kGradeCount> sel{};
          for (int g = 0; g < kGradeCount; ++g) sel[g] = wants(GradeName(g));
          const std::vector<uint8_t>* grade = derived ? derived->grade : nullptr;
          keep([&](uint32_t r) { return grade && (*grade)[r] < kGradeCount && sel[(*grade)[r]] != 0; });
        } else {
          const bool direction = f.field == Field::kDirection;
          const CategoryColumn& col = direction ? source_ : *Category(f.field);
          std::vector<char> sel(col.dict.size());
          for (uint32_t c = 0; c < sel.size(); ++c) {
            sel[c] = direction ? wants(DirectionName(
                                     channels.Find(col.dict.Get(c)).value_or(Direction::kUnknown)))
                               : wants(col.dict.Get(c));
          }
          keep([&](uint32_t r) { return sel[col.codes[r]] != 0; });
        }
        break;
      }
    }
  }
  if (!spec.search.empty()) {
    keep([&](uint32_t r) { return MatchesSearch(spec, SearchText(r)); });
  }
  return rows;
}

QueryResult LeadStore::Query(const QuerySpec& spec, const ChannelMap& channels,
                             const DerivedColumns* derived) const {
  QueryResult result;
  if (spec.limit == 0) {
    result.total = Matching(spec, channels, derived).size();
    return result;
  }
  const std::vector<uint32_t> rows = Ordered(spec, channels, derived, spec.offset + spec.limit);
  result.total = rows.size();
  if (spec.offset >= rows.size()) return result;
  const size_t end = std::min(rows.size(), spec.offset + spec.limit);
  result.rows.assign(rows.begin() + spec.offset, rows.begin() + end);
  return result;
}

std::vector<uint32_t> LeadStore::Ordered(const QuerySpec& spec, const ChannelMap& channels,
                                         const DerivedColumns* derived, size_t first) const {
  std::vector<uint32_t> rows = Matching(spec, channels, derived);
  const size_t end = std::min(rows.size(), first);
  if (end == 0) return rows;

  const Field field = spec.sort.value_or(Field::kCreatedAt);
  const bool desc = spec.sort ? spec.descending : true;  // default: newest first
  const auto info = *std::find_if(AllFields().begin(), AllFields().end(),
                                  [field](const FieldInfo& i) { return i.field == field; });
  const auto by_id = [this](uint32_t a, uint32_t b) { return ids_[a] < ids_[b]; };

  if (info.kind == FieldKind::kText) {
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(end), rows.end(), [&](uint32_t a, uint32_t b) {
      const std::string& x = *TextColumn(field, a);
      const std::string& y = *TextColumn(field, b);
      if (x.empty() != y.empty()) return y.empty();  // missing last
      const int c = CompareNoCase(x, y);
      return c != 0 ? (desc ? c > 0 : c < 0) : by_id(a, b);
    });
  } else {
    // Every other kind sorts by a number per row: the value, or the rank of its category.
    std::vector<double> rank;  // per dictionary code, for category fields
    const CategoryColumn* col = nullptr;
    if (info.kind == FieldKind::kCategory && field != Field::kStage && field != Field::kGrade) {
      const bool direction = field == Field::kDirection;
      col = direction ? &source_ : Category(field);
      std::vector<uint32_t> order(col->dict.size());
      for (uint32_t c = 0; c < order.size(); ++c) order[c] = c;
      rank.assign(order.size(), kMissing);
      if (direction) {
        for (uint32_t c = 0; c < order.size(); ++c) {
          rank[c] = static_cast<double>(channels.Find(col->dict.Get(c)).value_or(Direction::kUnknown));
        }
      } else {
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
          return CompareNoCase(col->dict.Get(a), col->dict.Get(b)) < 0;
        });
        for (uint32_t i = 0; i < order.size(); ++i) {
          if (!col->dict.Get(order[i]).empty()) rank[order[i]] = i;
        }
      }
    }
    const auto key = [&](uint32_t r) -> double {
      if (field == Field::kStage) return stage_[r];
      if (col) return rank[col->codes[r]];
      return NumberAt(field, r, derived);  // grades by index: F lowest, A+ highest
    };
    // Sort (key, row) pairs held side by side rather than rows that point into the key column:
    // the scan over 100k candidates then reads memory in order. Stored numbers are finite, so
    // missing values become +inf after the direction is folded into the sign, and sort last.
    struct Keyed {
      double key;
      uint32_t row;
    };
    std::vector<Keyed> keyed(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const double k = key(rows[i]);
      keyed[i] = {std::isnan(k) ? std::numeric_limits<double>::infinity() : (desc ? -k : k), rows[i]};
    }
    std::partial_sort(keyed.begin(), keyed.begin() + end, keyed.end(), [&](const Keyed& a, const Keyed& b) {
      return a.key != b.key ? a.key < b.key : by_id(a.row, b.row);
    });
    for (size_t i = 0; i < end; ++i) rows[i] = keyed[i].row;
  }
  return rows;
}

// Both count by code first and name the codes after: a string and a map lookup per row cost
// 100k leads tens of milliseconds in wasm, on every summary the leads screen asks for.
std::map<std::string, size_t> LeadStore::CountBy(Field field, const QuerySpec& spec,
                                                 const ChannelMap& channels,
                                                 const DerivedColumns* derived) const {
  std::map<std::string, size_t> counts;
  const std::vector<uint32_t> rows = Matching(spec, channels, derived);
  if (field == Field::kStage) {
    std::array<size_t, kStageCount> n{};
    for (uint32_t r : rows) ++n[stage_[r]];
    for (int st = 0; st < kStageCount; ++st) {
      if (n[st]) counts[std::string(StageName(static_cast<Stage>(st)))] = n[st];
    }
    return counts;
  }
  if (field == Field::kTags) {
    std::vector<size_t> n(tag_dict_.size());
    for (uint32_t r : rows) {
      for (uint32_t code : tags_[r]) ++n[code];
    }
    for (size_t code = 0; code < n.size(); ++code) {
      if (n[code]) counts[tag_dict_.Get(static_cast<uint32_t>(code))] = n[code];
    }
    return counts;
  }
  const CategoryColumn& col = field == Field::kDirection ? source_ : *Category(field);
  std::vector<size_t> n(col.dict.size());
  for (uint32_t r : rows) ++n[col.codes[r]];
  for (size_t code = 0; code < n.size(); ++code) {
    if (!n[code]) continue;
    const std::string& value = col.dict.Get(static_cast<uint32_t>(code));
    if (field == Field::kDirection) {
      counts[std::string(DirectionName(channels.Find(value).value_or(Direction::kUnknown)))] += n[code];
    } else {
      counts[value] = n[code];
    }
  }
  return counts;
}

std::map<std::string, double> LeadStore::DealValueByStage(const QuerySpec& spec,
                                                          const ChannelMap& channels,
                                                          const DerivedColumns* derived) const {
  std::array<double, kStageCount> sum{};
  std::array<bool, kStageCount> seen{};
  for (uint32_t r : Matching(spec, channels, derived)) {
    const double v = deal_value_[r];
    sum[stage_[r]] += std::isnan(v) ? 0.0 : v;
    seen[stage_[r]] = true;
  }
  std::map<std::string, double> sums;
  for (int st = 0; st < kStageCount; ++st) {
    if (seen[st]) sums[std::string(StageName(static_cast<Stage>(st)))] = sum[st];
  }
  return sums;
}

}  // namespace leadkit
