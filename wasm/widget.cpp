// The website widget's slim module: one visitor scored by the core's rule language and decaying
// engagement, behind a small C API instead of embind so that neither embind nor a JSON parser is
// linked (web/widget/leadkit-widget.js calls it). Strings cross as NUL-terminated UTF-8 in
// memory from lk_alloc; lists of names as '\n'-joined text beside a Float64Array of numbers.
//
// A visitor's score is the app's with fit left out (a visitor is anonymous): engagement (0-100,
// decayed per event type as Engagement does) plus the rules' points after their limits, kept
// within 0-100, to the hundredth.
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "leadkit/engagement.hpp"
#include "leadkit/rules.hpp"
#include "leadkit/store.hpp"

namespace {

using leadkit::Engagement;

struct Widget {
  Engagement engagement = Engagement::Make({}, Engagement::Curve::kHalfLife, 30, {}, 100).value();
  leadkit::RuleProgram rules;
  leadkit::ChannelMap channels;
  leadkit::Lead visitor;
  leadkit::LeadStore store;
  leadkit::Error error;
  // [total, engagement, rule points after limits..., then engagement points per event type]
  std::vector<double> score;
  std::string text;  // the last string handed to JS
};

Widget& W() {
  static Widget* w = new Widget();  // never destroyed: the module lives as long as the page
  return *w;
}

std::vector<std::string_view> Lines(const char* text) {
  std::vector<std::string_view> out;
  std::string_view s = text ? text : "";
  while (!s.empty()) {
    const size_t nl = s.find('\n');
    out.push_back(s.substr(0, nl));
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
  }
  return out;
}

double Cents(double x) { return std::isfinite(x) ? static_cast<double>(std::llround(x * 100)) / 100 : 0; }

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void* lk_alloc(size_t bytes) { return std::malloc(bytes ? bytes : 1); }
EMSCRIPTEN_KEEPALIVE void lk_free(void* p) { std::free(p); }

// Compiles the rules and sets the engagement model. Returns 0, or 1 for a rule error (with line
// and column), 2 for an engagement error (with a path); the previous model then stays.
// `event_nums` holds points, cap and repeat for each '\n'-separated type, NaN where the config
// leaves one out (the default is kept, as Engagement::FromJson merges); curve is 0 none,
// 1 half-life, 2 linear, 3 steps (`steps` holds days and factor pairs).
EMSCRIPTEN_KEEPALIVE int lk_set_model(const char* rules, const char* event_types, const double* event_nums,
                                      int curve, double days, const double* steps, int step_count,
                                      double full_score_at) {
  Widget& w = W();
  auto program = leadkit::RuleProgram::Compile(rules ? rules : "");
  if (!program) {
    w.error = program.error();
    return 1;
  }
  const auto defaults = Engagement::DefaultEvents();
  std::vector<Engagement::EventRule> events;
  const auto types = Lines(event_types);
  for (size_t i = 0; i < types.size(); ++i) {
    Engagement::EventRule rule{std::string(types[i])};
    for (const auto& d : defaults) {
      if (d.type == rule.type) rule = d;
    }
    const double* v = event_nums + i * 3;
    if (!std::isnan(v[0])) rule.points = v[0];
    if (!std::isnan(v[1])) rule.cap = v[1];
    if (!std::isnan(v[2])) rule.repeat = v[2] >= 0 && v[2] <= 1e6 ? static_cast<uint32_t>(v[2]) : 1000001u;
    events.push_back(std::move(rule));
  }
  std::vector<Engagement::Step> step_list;
  for (int i = 0; i < step_count; ++i) step_list.push_back({steps[i * 2], steps[i * 2 + 1]});
  const Engagement::Curve curves[] = {Engagement::Curve::kNone, Engagement::Curve::kHalfLife,
                                      Engagement::Curve::kLinear, Engagement::Curve::kSteps};
  auto engagement = Engagement::Make(events, curves[std::clamp(curve, 0, 3)], days, std::move(step_list),
                                     full_score_at);
  if (!engagement) {
    w.error = engagement.error();
    return 2;
  }
  w.rules = std::move(program.value());
  w.engagement = std::move(engagement.value());
  return 0;
}

// The last error: message, path, line and column (-1 when not known).
EMSCRIPTEN_KEEPALIVE const char* lk_error_message() { return W().error.message.c_str(); }
EMSCRIPTEN_KEEPALIVE const char* lk_error_path() { return W().error.where.path.c_str(); }
EMSCRIPTEN_KEEPALIVE int lk_error_line() { return W().error.where.line; }
EMSCRIPTEN_KEEPALIVE int lk_error_column() { return W().error.where.column; }

// Starts the visitor over: their source channel and first visit, and no events.
EMSCRIPTEN_KEEPALIVE void lk_visitor(const char* source, double created_at_ms) {
  Widget& w = W();
  w.visitor = leadkit::Lead();
  w.visitor.id = "visitor";
  w.visitor.source = source && *source ? source : "unknown";
  w.visitor.created_at = w.visitor.updated_at = static_cast<int64_t>(created_at_ms);
}

// Adds one event, oldest first; `prop_names` ('\n'-separated) name the numbers in `prop_values`,
// which rules read with sum(events, "type", "name").
EMSCRIPTEN_KEEPALIVE void lk_event(const char* type, double at_ms, const char* prop_names,
                                   const double* prop_values) {
  leadkit::Event e{type ? type : "", static_cast<int64_t>(at_ms), nullptr};
  const auto names = Lines(prop_names);
  for (size_t i = 0; i < names.size(); ++i) e.props[std::string(names[i])] = prop_values[i];
  W().visitor.events.push_back(std::move(e));
}

// Scores the visitor at `now_ms`. Returns the array described at Widget::score; its length is
// 2 + lk_rule_count() + lk_event_type_count().
EMSCRIPTEN_KEEPALIVE const double* lk_score(double now_ms) {
  Widget& w = W();
  w.store.Clear();
  w.store.Upsert(w.visitor);
  const auto now = static_cast<int64_t>(now_ms);

  std::vector<double> by_type;
  w.engagement.PointsByType(w.store, 0, now, w.engagement.RuleOfCode(w.store), by_type);
  double engagement = 0;
  for (double points : by_type) engagement += points / w.engagement.full_score_at() * 100;
  engagement = std::clamp(engagement, 0.0, 100.0);

  std::vector<double> points, after_rule, group_cut;
  double total_cut = 0;
  w.rules.Run(w.store, w.channels, now, 0, 1, points);
  const double rules = w.rules.Limit(points.data(), 1, &after_rule, &group_cut, &total_cut);

  w.score.assign({Cents(std::clamp(engagement + rules, 0.0, 100.0)), Cents(engagement)});
  for (double p : after_rule) w.score.push_back(Cents(p));
  for (double p : by_type) w.score.push_back(Cents(p / w.engagement.full_score_at() * 100));
  return w.score.data();
}

EMSCRIPTEN_KEEPALIVE int lk_rule_count() { return static_cast<int>(W().rules.rules().size()); }
EMSCRIPTEN_KEEPALIVE const char* lk_rule_label(int i) { return W().rules.rules()[i].label.c_str(); }
EMSCRIPTEN_KEEPALIVE int lk_event_type_count() { return static_cast<int>(W().engagement.events().size()); }
EMSCRIPTEN_KEEPALIVE const char* lk_event_type(int i) { return W().engagement.events()[i].type.c_str(); }

}  // extern "C"
