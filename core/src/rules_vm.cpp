// The VM: binds a compiled program to one store's dictionaries, then runs it over a block of
// rows at a time, one instruction over the whole block.
#include <charconv>
#include <cmath>

#include "leadkit/iso_time.hpp"
#include "rules_internal.hpp"

namespace leadkit {
using namespace rules_detail;

namespace {

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

const LeadStore::CategoryColumn& ColumnOf(const LeadStore& store, const FieldRef& f) {
  return f.field == Field::kEmail ? store.email_domains() : *store.Category(f.field);
}

// count, sum and days_since over one row's events or touches, from the flattened activity
// index: a pass over plain arrays per block instead of a walk through each lead's vectors.
void Aggregate(const LeadStore& store, const Node& agg, int32_t code, int64_t now,
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

}  // namespace

void RuleProgram::Impl::Bind(const LeadStore& store, const ChannelMap& channels, RuleBinding& b) const {
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

void RuleProgram::Impl::Prepare(std::vector<double>& regs) const {
  for (const Instr& in : code) {
    if (in.op == Op::kConst) std::fill_n(regs.data() + static_cast<size_t>(in.dst) * kBlock, kBlock, in.value);
  }
}

void RuleProgram::Impl::Exec(const LeadStore& store, const RuleBinding& bound, int64_t now,
                             uint32_t begin, uint32_t n, std::vector<double>& regs,
                             std::vector<const double*>& ptr) const {
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
