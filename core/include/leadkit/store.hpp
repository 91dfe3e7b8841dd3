// The columnar lead store: one array per field (struct of arrays), categorical columns encoded
// against a dictionary, so filtering and sorting 100k leads are tight loops over plain arrays.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "leadkit/channel.hpp"
#include "leadkit/lead.hpp"
#include "leadkit/query.hpp"

namespace leadkit {

// Interns strings to dense codes; code 0 is always the empty string.
class Dictionary {
 public:
  Dictionary() { Intern(""); }
  uint32_t Intern(const std::string& value);
  // The same for a part of a string, through a reused buffer rather than a new string each time.
  uint32_t InternView(std::string_view value) {
    scratch_.assign(value);
    return Intern(scratch_);
  }
  std::optional<uint32_t> Find(const std::string& value) const;
  const std::string& Get(uint32_t code) const { return values_[code]; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::string> values_;
  std::unordered_map<std::string, uint32_t> codes_;
  std::string scratch_;
};

struct QueryResult {
  size_t total = 0;            // rows matching the filters
  std::vector<uint32_t> rows;  // the requested page, in order
};

class LeadStore {
 public:
  struct CategoryColumn {
    Dictionary dict;
    std::vector<uint32_t> codes;
  };
  // 16 bytes: props are interned (see props()), since most events of a workspace repeat a few
  // small objects ({"path": "/pricing"}), each of which would otherwise be a map of its own.
  struct StoredEvent {
    uint32_t type;   // a code of event_types()
    uint32_t props;  // an index into props(); 0 = none
    int64_t at;
  };

  // Events, touches and tags of all rows flattened into offset arrays (row r's items are
  // [offsets[r], offsets[r + 1]), events and touches newest first), so rules can count them in
  // one pass over plain arrays. Built on first use after a change and kept until the next one.
  struct ActivityIndex {
    std::vector<uint32_t> event_offsets, event_types, event_row;
    std::vector<int64_t> event_at;
    Dictionary touch_words;  // touch channels and outcomes
    std::vector<uint32_t> touch_offsets, touch_channel, touch_outcome, touch_row;
    std::vector<int64_t> touch_at;
    std::vector<uint32_t> tag_offsets, tag_codes;
    std::vector<uint64_t> tag_bits;  // bit c for each tag code c < 64, for one-step has_any tests
  };
  const ActivityIndex& activity() const;

  size_t size() const { return ids_.size(); }
  bool Contains(std::string_view id) const { return RowOf(id).has_value(); }
  std::optional<uint32_t> RowOf(std::string_view id) const;

  // Inserts, or replaces the lead with the same id.
  void Upsert(Lead lead);
  // The same for many leads, with distinct ids; they are moved from. With `props`, props[i][k]
  // is already the code (InternProps) of leads[i].events[k].props, which is then not read.
  void UpsertMany(std::span<Lead> leads, std::span<const std::vector<uint32_t>> props = {});
  // The code of an event props object in props(), stored now if it is new; 0 for null.
  uint32_t InternProps(nlohmann::json&& props);
  // Makes room for `rows` leads in total, so a bulk load does not regrow ~30 columns as it goes.
  void Reserve(size_t rows);
  bool Remove(std::string_view id);
  void Clear();

  std::optional<Lead> Get(std::string_view id) const;
  int64_t CreatedAt(uint32_t row) const { return created_at_[row]; }
  Lead GetRow(uint32_t row) const;

  // `derived` supplies the score and probability columns; without it (or without the column a
  // field needs) a filter on a derived field matches nothing and a sort by it keeps id order.
  QueryResult Query(const QuerySpec& spec, const ChannelMap& channels,
                    const DerivedColumns* derived = nullptr) const;
  // Every row matching `spec`'s filters and search; the first `first` of them in the query's
  // order (all of them when `first` >= the count), the rest in no particular order.
  std::vector<uint32_t> Ordered(const QuerySpec& spec, const ChannelMap& channels,
                                const DerivedColumns* derived, size_t first) const;
  // How many leads matching `spec`'s filters have each value of `field` (a category field, the
  // stage, the direction, or tags: how many leads carry each tag).
  std::map<std::string, size_t> CountBy(Field field, const QuerySpec& spec,
                                        const ChannelMap& channels,
                                        const DerivedColumns* derived = nullptr) const;
  // The sum of dealValue per stage among leads matching `spec`'s filters.
  std::map<std::string, double> DealValueByStage(const QuerySpec& spec, const ChannelMap& channels,
                                                 const DerivedColumns* derived = nullptr) const;

  // Read-only column access for the scoring engine, which runs its programs over these arrays.
  const CategoryColumn* Category(Field f) const;  // industry, title, country, region, source, currency
  const CategoryColumn& email_domains() const { return email_domain_; }  // the part after '@'
  const std::vector<std::string>* Texts(Field f) const;  // id, names, e-mail, phone, company, domain
  const std::vector<double>* Numbers(Field f) const;     // employees, revenue, deal value; NaN = missing
  const std::vector<uint8_t>& stages() const { return stage_; }
  const std::string& IdAt(uint32_t row) const { return ids_[row]; }
  const std::vector<int64_t>& created_at() const { return created_at_; }
  const std::vector<double>& last_touch_at() const { return last_touch_at_; }
  const std::vector<double>& last_activity_at() const { return last_activity_at_; }
  // The four BANT statuses alone, 4 bytes a row, for rules that test them.
  const std::vector<std::array<uint8_t, 4>>& bant_status() const { return bant_status_; }
  const Dictionary& tag_dict() const { return tag_dict_; }
  const std::vector<std::vector<uint32_t>>& tags() const { return tags_; }
  const Dictionary& event_types() const { return event_types_; }
  const std::vector<std::vector<StoredEvent>>& events() const { return events_; }
  // Every distinct event props object stored, by StoredEvent::props; [0] is null. Kept when the
  // events that use one are removed: it goes with the next load or compaction.
  const nlohmann::json& props(uint32_t code) const { return props_[code]; }
  const std::vector<nlohmann::json>& custom() const { return custom_; }
  const std::vector<std::vector<Touch>>& touches() const { return touches_; }
  const std::vector<std::vector<Transition>>& histories() const { return history_; }  // as recorded
  const std::vector<Enrollment>& cadences() const { return cadence_; }
  const std::vector<std::vector<Task>>& tasks() const { return tasks_; }
  const std::vector<double>& deal_values() const { return deal_value_; }

 private:
  template <typename F>
  void ForEachColumn(F&& f);  // every per-row vector, for moves and resizes
  void WriteRow(uint32_t row, Lead&& lead, const std::vector<uint32_t>* props = nullptr);
  void MoveRow(uint32_t from, uint32_t to);
  void PopRow();
  std::vector<uint32_t> Matching(const QuerySpec& spec, const ChannelMap& channels,
                                 const DerivedColumns* derived) const;
  const std::string* TextColumn(Field f, uint32_t row) const;
  double NumberAt(Field f, uint32_t row, const DerivedColumns* derived) const;  // NaN when missing

  std::unordered_map<std::string, uint32_t> row_of_;
  std::vector<std::string> ids_;
  std::vector<std::string> first_name_, last_name_, email_, phone_, company_, domain_;
  std::vector<std::string> stage_reason_, notes_;
  // Name, company, e-mail and phone per row, folded for search (AppendSearchParts), built by the
  // first search that reads it (an import of 100k leads should not pay for searches nobody
  // runs); "" until then.
  mutable std::vector<std::string> search_text_;
  const std::string& SearchText(uint32_t row) const;
  CategoryColumn industry_, title_, country_, region_, source_, currency_, email_domain_;
  std::vector<uint8_t> stage_;
  std::vector<double> employees_, annual_revenue_, deal_value_;  // NaN = missing
  std::vector<int64_t> created_at_, updated_at_;
  // BANT evidence, confidence and times, only for leads that have any (most have statuses
  // alone, and a full set of four criteria is 160 bytes under wasm): a row's slot in
  // bant_details_, 0 for none. Slots of removed or cleared rows are reused.
  std::vector<uint32_t> bant_detail_;
  std::vector<std::array<BantCriterion, 4>> bant_details_{std::array<BantCriterion, 4>{}};
  std::vector<uint32_t> bant_free_;
  void FreeBantDetail(uint32_t row);
  std::vector<std::array<uint8_t, 4>> bant_status_;
  std::vector<QualificationMap> qualification_;
  std::vector<Enrollment> cadence_;
  std::vector<std::vector<Task>> tasks_;
  Dictionary tag_dict_;
  std::vector<std::vector<uint32_t>> tags_;
  std::vector<nlohmann::json> custom_;
  Dictionary event_types_;
  std::vector<std::vector<StoredEvent>> events_;
  std::vector<nlohmann::json> props_{nlohmann::json()};
  std::vector<uint32_t> props_next_{0};  // the next code with the same hash; 0 ends the chain
  std::unordered_map<size_t, uint32_t> props_by_hash_;  // a props hash → its latest code
  std::vector<std::vector<Touch>> touches_;
  std::vector<std::vector<Transition>> history_;
  mutable std::optional<ActivityIndex> activity_;  // reset by every write
  // Derived when a row is written, so sorting by them costs nothing extra.
  std::vector<double> last_touch_at_, last_activity_at_;
};

}  // namespace leadkit
