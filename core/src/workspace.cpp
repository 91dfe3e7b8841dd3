#include "leadkit/workspace.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_map>

#include "leadkit/iso_time.hpp"
#include "leadkit/json_doc.hpp"
#include "leadkit/dedupe.hpp"
#include "leadkit/model.hpp"

namespace leadkit {

using nlohmann::json;

namespace {

// The minute `ms` falls in, floored also before 1970: what query scores are computed at.
int64_t MinuteOf(int64_t ms) { return ms / 60'000 - (ms % 60'000 < 0 ? 1 : 0); }

// Accepts everything and remembers where parsing broke: used only after a failed parse, to tell
// the user where the JSON is malformed without exceptions.
struct ErrorFinder : nlohmann::json_sax<json> {
  size_t position = 0;
  std::string message;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string& token,
                   const nlohmann::detail::exception& ex) override {
    position = pos;
    message = ex.what();
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 5: ...";
    // keep what follows the location, which says what was expected.
    const auto colon = message.find(": ", message.find("parse error"));
    if (colon != std::string::npos) message = message.substr(colon + 2);
    if (!token.empty() && token.size() < 40) message += " (near '" + token + "')";
    return false;
  }
};

Status ApplyChannels(const json& mapping, ChannelMap& channels, const std::string& path) {
  return channels.Apply(mapping, path);
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

// Says where the JSON is malformed. nlohmann's wording names what was expected; when it accepts
// text that leadkit refuses (nesting deeper than JsonDoc::kMaxDepth), our own message is used.
LoadReport Malformed(std::string_view text, size_t offset, const std::string& message) {
  ErrorFinder finder;
  if (!json::sax_parse(text, &finder)) {
    offset = finder.position > 0 ? finder.position - 1 : 0;
  } else {
    finder.message = message;
  }
  LoadReport report;
  const auto [line, column] = LineAndColumn(text, offset);
  report.line = line;
  report.column = column;
  report.errors.push_back({"", "malformed JSON at line " + std::to_string(line) + ", column " +
                                   std::to_string(column) + ": " + finder.message});
  return report;
}

}  // namespace

LoadReport Workspace::Load(const json& doc, int64_t now_ms) { return LoadJson(doc.dump(), now_ms); }

bool Workspace::ReadBackupHeader(JsonValue root, ChannelMap& channels, Settings& settings,
                                 LoadReport& report) const {
  std::optional<ScoringModel>& model = settings.model;
  std::optional<Pipeline>& pipeline = settings.pipeline;
  const JsonValue format = root.find("format");
  if (!format || !format.is_string() || format.str() != "leadkit-workspace") {
    report.errors.push_back({"format", "expected an array of leads or a leadkit backup "
                                       "({\"format\": \"leadkit-workspace\", ...})"});
    return false;
  }
  const JsonValue version = root.find("version");
  if (!version || !version.is_integer() || version.number() > kBackupVersion ||
      version.number() < 1) {
    report.errors.push_back({"version", "this leadkit reads backup versions 1 to " +
                                            std::to_string(kBackupVersion)});
    return false;
  }
  if (const JsonValue ch = root.find("channels")) {
    if (auto s = ApplyChannels(ch.ToJson(), channels, "channels"); !s) {
      report.errors.push_back({s.error().where.path, s.error().message});
      return false;
    }
  }
  if (const JsonValue mj = root.find("model")) {
    auto m = ScoringModel::FromJson(mj.ToJson());
    if (!m) {
      const Error& e = m.error();
      report.errors.push_back({e.where.path.empty() ? "model.rules" : e.where.path, e.ToString()});
      return false;
    }
    model = std::move(m.value());
  }
  if (const JsonValue pj = root.find("pipeline")) {
    auto p = Pipeline::FromJson(pj.ToJson());
    if (!p) {
      const Error& e = p.error();
      report.errors.push_back({"pipeline" + (e.where.path.empty() ? "" : "." + e.where.path), e.message});
      return false;
    }
    pipeline = std::move(p.value());
  }
  if (const JsonValue pm = root.find("predictiveModel"); pm && !pm.is_null()) {
    // Parsed as the model's own hash reads numbers (nlohmann's), so the document keeps its hash.
    auto m = PredictiveModel::FromJson(json::parse(pm.raw(), nullptr, false));
    if (!m) {
      const Error& e = m.error();
      report.errors.push_back({"predictiveModel" + (e.where.path.empty() ? "" : "." + e.where.path), e.message});
      return false;
    }
    settings.predictive = std::make_shared<const PredictiveModel>(std::move(m.value()));
  }
  if (const JsonValue mj = root.find("mergeJournal"); mj && !mj.is_null()) {
    json doc = json::parse(mj.raw(), nullptr, false);
    if (auto j = MergeJournal::FromJson(doc); !j) {
      const Error& e = j.error();
      report.errors.push_back({"mergeJournal" + (e.where.path.empty() ? "" : "." + e.where.path), e.message});
      return false;
    }
    settings.journal = std::move(doc);
  }
  return true;
}

void Workspace::AdoptSettings(ChannelMap channels, Settings settings) {
  channels_ = std::move(channels);
  if (settings.model) {
    model_ = std::move(*settings.model);
    model_set_ = true;
  }
  if (settings.pipeline) pipeline_ = std::move(*settings.pipeline);
  if (settings.predictive) predictive_ = std::move(settings.predictive);
  if (settings.journal) journal_ = std::move(*settings.journal);
}

Result<json> Workspace::Merge(std::span<const std::string> ids, const json& choices, int64_t now_ms) {
  MergeJournal journal;
  if (!journal_.is_null()) journal = MergeJournal::FromJson(journal_).value();  // checked when set
  auto r = journal.Merge(*this, ids, choices, now_ms);
  if (r) journal_ = journal.ToJson();
  return r;
}

Result<json> Workspace::UndoMerge(std::string_view merge_id) {
  MergeJournal journal;
  if (!journal_.is_null()) journal = MergeJournal::FromJson(journal_).value();
  auto r = journal.Undo(*this, merge_id);
  if (r) journal_ = journal.ToJson();
  return r;
}

json Workspace::MergeJournalJson() const { return journal_.is_null() ? MergeJournal().ToJson() : journal_; }

Status Workspace::SetMergeJournal(const json& doc) {
  if (auto j = MergeJournal::FromJson(doc); !j) return j.error();
  journal_ = doc;
  return Ok{};
}

// Leads are read one at a time into a reused JsonDoc, so the load never holds the whole document
// as a tree: the text, the validated leads and one lead's nodes are all that is in memory.
LoadReport Workspace::LoadJson(std::string_view text, int64_t now_ms) {
  LoadReport report;
  size_t pos = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a UTF-8 byte order mark
  pos = SkipSpace(text, pos);
  ChannelMap channels = channels_;
  Settings settings;  // a backup's scoring model, pipeline and so on, adopted only if the load lands
  std::string_view leads_text = text;  // the text holding the array of leads
  size_t leads_pos = pos;
  if (pos < text.size() && text[pos] == '{') {
    JsonDoc top;
    if (!top.Parse(text, pos, 1)) return Malformed(text, top.error_offset(), top.error());
    if (pos = SkipSpace(text, pos); pos != text.size()) {
      return Malformed(text, pos, "unexpected text after the JSON value");
    }
    const JsonValue root = top.root();
    if (!ReadBackupHeader(root, channels, settings, report)) return report;
    const JsonValue leads = root.find("leads");
    if (!leads) {
      report.errors.push_back({"leads", "is required"});
      return report;
    }
    if (!leads.is_array()) {
      report.errors.push_back({"leads", "expected an array of leads, got " + DescribeJsonValue(leads)});
      return report;
    }
    leads_text = leads.raw();
    leads_pos = 0;
  } else if (pos >= text.size() || text[pos] != '[') {
    JsonDoc doc;
    if (!doc.ParseAll(text.substr(pos))) return Malformed(text, pos + doc.error_offset(), doc.error());
    report.errors.push_back({"leads", "expected an array of leads, got " + DescribeJsonValue(doc.root())});
    return report;
  }

  const size_t base = static_cast<size_t>(leads_text.data() - text.data());
  std::deque<Lead> parsed;  // grows without moving the leads already read
  std::unordered_map<std::string, size_t> first_seen;
  std::vector<size_t> needs_id;
  JsonDoc doc;
  pos = SkipSpace(leads_text, leads_pos + 1);
  bool more = pos >= leads_text.size() || leads_text[pos] != ']';
  if (!more) ++pos;
  for (size_t i = 0; more; ++i) {
    if (!doc.Parse(leads_text, pos)) return Malformed(text, base + doc.error_offset(), doc.error());
    const std::string path = "leads[" + std::to_string(i) + "]";
    const JsonValue lj = doc.root();
    auto lead = LeadFromJson(lj, path, channels, now_ms, report.errors);
    if (report.errors.size() > kMaxReportedIssues) {
      report.errors.resize(kMaxReportedIssues);
      report.errors.push_back({"", "stopped after " + std::to_string(kMaxReportedIssues) +
                                       " problems; fix these and load again"});
      return report;
    }
    pos = SkipSpace(leads_text, pos);
    if (pos < leads_text.size() && leads_text[pos] == ',') {
      ++pos;
    } else if (pos < leads_text.size() && leads_text[pos] == ']') {
      ++pos;
      more = false;
    } else {
      return Malformed(text, base + pos, "expected ',' or ']' after a lead");
    }
    if (!lead) continue;
    if (lead->id.empty()) {
      needs_id.push_back(parsed.size());
    } else if (auto [it, fresh] = first_seen.try_emplace(lead->id, i); !fresh) {
      report.errors.push_back({path + ".id", "duplicate id " + DescribeJsonValue(json(lead->id)) +
                                                 " (also at leads[" + std::to_string(it->second) + "])"});
      continue;
    }
    if (const auto row = store_.RowOf(lead->id); row && !lj.find("createdAt")) {
      lead->created_at = store_.CreatedAt(*row);  // an update keeps when the lead was created
    }
    parsed.push_back(std::move(*lead));
  }
  if (base == 0 && SkipSpace(text, pos) != text.size()) {
    return Malformed(text, SkipSpace(text, pos), "unexpected text after the JSON value");
  }
  if (!report.errors.empty()) return report;

  std::vector<std::string> batch_ids;
  for (const auto& [id, index] : first_seen) batch_ids.push_back(id);
  std::sort(batch_ids.begin(), batch_ids.end());
  for (size_t i : needs_id) parsed[i].id = NewId(batch_ids);

  AdoptSettings(std::move(channels), std::move(settings));
  store_.Reserve(store_.size() + parsed.size());
  for (Lead& lead : parsed) store_.Upsert(std::move(lead));
  report.loaded = parsed.size();
  ++revision_;
  return report;
}

std::string Workspace::NewId(const std::vector<std::string>& taken_in_batch) {
  for (;;) {
    std::string id = "lead-" + std::to_string(next_id_++);
    if (!store_.Contains(id) && !std::binary_search(taken_in_batch.begin(), taken_in_batch.end(), id)) {
      return id;
    }
  }
}

Result<std::string> Workspace::Upsert(const json& lj, int64_t now_ms) {
  std::vector<Issue> issues;
  auto lead = LeadFromJson(lj, "lead", channels_, now_ms, issues);
  if (!lead) return Error{issues.front().message, Location{issues.front().path}};
  if (lead->id.empty()) lead->id = NewId({});
  if (const auto row = store_.RowOf(lead->id)) {
    if (!lj.contains("createdAt")) lead->created_at = store_.CreatedAt(*row);
    if (!lj.contains("updatedAt")) lead->updated_at = std::max(now_ms, lead->created_at);
  }
  std::string id = lead->id;
  store_.Upsert(std::move(*lead));
  ++revision_;
  return id;
}

std::optional<json> Workspace::GetJson(std::string_view id) const {
  const auto lead = store_.Get(id);
  if (!lead) return std::nullopt;
  return LeadToJson(*lead, channels_);
}

Result<DerivedColumns> Workspace::Derive(const QuerySpec& q, const PredictiveModel* predictive,
                                         RowScores for_rows) const {
  bool scores = false, probability = false;  // read by a filter or the sort
  const auto needs = [&](Field f, const std::string& path) -> Status {
    if (IsScoreField(f) || f == Field::kProbability) {
      if (!q.now) {
        return MakeError("score, fit, engagement, grade and probability are computed at a time: "
                         "give the query's \"now\" (ms)", path);
      }
      if (f == Field::kProbability && !predictive) {
        return MakeError("no predictive model is set; train one and adopt it first", path);
      }
      (IsScoreField(f) ? scores : probability) = true;
    }
    return Ok{};
  };
  for (const Filter& f : q.filters) {
    const auto& all = AllFields();
    const auto info = std::find_if(all.begin(), all.end(), [&f](const FieldInfo& i) { return i.field == f.field; });
    if (auto s = needs(f.field, "filter." + std::string(info->name)); !s) return s.error();
  }
  if (q.sort) {
    if (auto s = needs(*q.sort, "sort.field"); !s) return s.error();
  }

  DerivedColumns out;
  if (!q.now) return out;
  const int64_t minute = MinuteOf(*q.now);
  DerivedCache& c = derived_;
  const bool scores_fresh =
      c.scores_valid && c.revision == revision_ && c.model_hash == model_.hash() && c.minute == minute;
  const bool probability_fresh = predictive && c.probability_valid && c.probability_revision == revision_ &&
                                 c.probability_hash == predictive->hash() && c.probability_minute == minute;
  // Rows only shown with their scores take the whole columns when asked to, or when they are at
  // hand; otherwise Query scores just the page it returns rather than every lead.
  if (for_rows == RowScores::kWhole || (for_rows == RowScores::kIfFresh && scores_fresh)) scores = true;
  if (predictive && (for_rows == RowScores::kWhole || (for_rows == RowScores::kIfFresh && probability_fresh))) {
    probability = true;
  }
  if (scores) {
    if (!scores_fresh) {
      const auto n = static_cast<uint32_t>(store_.size());
      std::vector<leadkit::Score> s;
      model_.ScoreRows(store_, channels_, minute * 60'000, 0, n, s);
      c.total.resize(n);
      c.fit.resize(n);
      c.engagement.resize(n);
      c.grade.resize(n);
      for (uint32_t r = 0; r < n; ++r) {
        c.total[r] = s[r].total;
        c.fit[r] = s[r].fit;
        c.engagement[r] = s[r].engagement;
        c.grade[r] = static_cast<uint8_t>(s[r].grade);
      }
      c.scores_valid = true;
      c.revision = revision_;
      c.model_hash = model_.hash();
      c.minute = minute;
    }
    out.total = &c.total;
    out.fit = &c.fit;
    out.engagement = &c.engagement;
    out.grade = &c.grade;
  }
  if (probability) {
    if (!probability_fresh) {
      std::vector<uint32_t> all(store_.size());
      for (uint32_t r = 0; r < all.size(); ++r) all[r] = r;
      const RawTable raw = LeadInputs(*this, all, minute * 60'000);
      std::vector<Prediction> p;
      predictive->Score(raw, all, false, p);
      c.probability.resize(all.size());
      for (size_t r = 0; r < all.size(); ++r) c.probability[r] = p[r].probability;
      c.probability_valid = true;
      c.probability_revision = revision_;
      c.probability_hash = predictive->hash();
      c.probability_minute = minute;
    }
    out.probability = &c.probability;
  }
  return out;
}

Result<json> Workspace::Query(const json& spec, const PredictiveModel* predictive) const {
  auto q = ParseQuery(spec);
  if (!q) return q.error();
  const QuerySpec& query = q.value();
  // Deep pages (a table scrolled past its first screens) slice whole columns, scored once for
  // the listing; the first screens score their own rows, so opening a workspace scores 100.
  const bool deep = query.limit > 0 && query.offset + query.limit > kOrderCacheFrom;
  auto d = Derive(query, predictive, deep ? RowScores::kWhole : RowScores::kIfFresh);
  if (!d) return d.error();
  const DerivedColumns& derived = d.value();
  QueryResult r;
  if (deep) {
    // Deep pages slice one full sort, kept while nothing it depends on changes.
    json terms = spec;
    for (const char* k : {"offset", "limit", "now", "view"}) terms.erase(k);
    std::string key = terms.dump() + '\n' + std::to_string(revision_) + '\n' + model_.hash();
    if (query.now) key += '\n' + std::to_string(MinuteOf(*query.now));
    if (predictive) key += '\n' + predictive->hash();
    if (order_.key != key) {
      order_.key.clear();  // no key while the rows are refilled: a throw leaves no stale match
      order_.rows = store_.Ordered(query, channels_, &derived, store_.size());
      order_.key = std::move(key);
    }
    r.total = order_.rows.size();
    if (query.offset < r.total) {
      const size_t end = std::min(r.total, query.offset + query.limit);
      r.rows.assign(order_.rows.begin() + static_cast<std::ptrdiff_t>(query.offset),
                    order_.rows.begin() + static_cast<std::ptrdiff_t>(end));
    }
  } else {
    r = store_.Query(query, channels_, &derived);
  }
  // The page's own scores when Derive left the columns out (nothing filtered or sorted by them).
  std::vector<leadkit::Score> page_scores;
  std::vector<Prediction> page_probability;
  const int64_t scored_at = query.now ? MinuteOf(*query.now) * 60'000 : 0;
  if (query.now && !derived.total) model_.ScoreEach(store_, channels_, scored_at, r.rows, page_scores);
  if (query.now && predictive && !derived.probability) {
    const RawTable raw = LeadInputs(*this, r.rows, scored_at);
    std::vector<uint32_t> at(r.rows.size());
    for (uint32_t i = 0; i < at.size(); ++i) at[i] = i;
    predictive->Score(raw, at, false, page_probability);
  }
  const auto score_json = [](double total, double fit, double engagement, int grade) {
    return json{{"total", total}, {"fit", fit}, {"engagement", engagement}, {"grade", GradeName(grade)}};
  };
  json rows = json::array();
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const uint32_t row = r.rows[i];
    json lead = LeadToJson(store_.GetRow(row), channels_, query.row_view ? LeadView::kRow : LeadView::kFull);
    if (derived.total) {
      lead["score"] = score_json((*derived.total)[row], (*derived.fit)[row], (*derived.engagement)[row],
                                 (*derived.grade)[row]);
    } else if (!page_scores.empty()) {
      const leadkit::Score& sc = page_scores[i];
      lead["score"] = score_json(sc.total, sc.fit, sc.engagement, static_cast<int>(sc.grade));
    }
    if (derived.probability) {
      lead["probability"] = (*derived.probability)[row];
    } else if (!page_probability.empty()) {
      lead["probability"] = page_probability[i].probability;
    }
    rows.push_back(std::move(lead));
  }
  return json{{"total", r.total}, {"rows", std::move(rows)}};
}

Result<json> Workspace::Summary(const json& spec, const PredictiveModel* predictive) const {
  auto q = ParseQuery(spec);
  if (!q) return q.error();
  auto d = Derive(q.value(), predictive, RowScores::kNone);
  if (!d) return d.error();
  const DerivedColumns* derived = &d.value();
  json out = json::object();
  out["byStage"] = store_.CountBy(Field::kStage, q.value(), channels_, derived);
  out["byDirection"] = store_.CountBy(Field::kDirection, q.value(), channels_, derived);
  out["bySource"] = store_.CountBy(Field::kSource, q.value(), channels_, derived);
  out["byTag"] = store_.CountBy(Field::kTags, q.value(), channels_, derived);
  out["valueByStage"] = store_.DealValueByStage(q.value(), channels_, derived);
  size_t total = 0;
  for (const auto& [stage, n] : out["byStage"].items()) total += n.get<size_t>();
  out["total"] = total;
  return out;
}

Status Workspace::SetScoringModel(const json& model) {
  auto m = ScoringModel::FromJson(model);
  if (!m) return m.error();
  model_ = std::move(m.value());
  model_set_ = true;
  return Ok{};
}

namespace {

json ScoreJson(const Score& s, const std::string& hash) {
  return {{"fit", s.fit}, {"engagement", s.engagement}, {"total", s.total},
          {"grade", GradeName(s.grade)}, {"matrix", s.matrix}, {"stage", StageName(s.stage)},
          {"modelHash", hash}};
}

}  // namespace

json Workspace::ScoreAll(int64_t now_ms) const {
  std::vector<leadkit::Score> scores;
  const auto n = static_cast<uint32_t>(store_.size());
  model_.ScoreRows(store_, channels_, now_ms, 0, n, scores);
  json ids = json::array(), fit = json::array(), eng = json::array(), total = json::array(),
       grade = json::array(), matrix = json::array(), stage = json::array();
  for (uint32_t r = 0; r < n; ++r) {
    ids.push_back(store_.IdAt(r));
    fit.push_back(scores[r].fit);
    eng.push_back(scores[r].engagement);
    total.push_back(scores[r].total);
    grade.push_back(GradeName(scores[r].grade));
    matrix.push_back(scores[r].matrix);
    stage.push_back(StageName(scores[r].stage));
  }
  return {{"modelHash", model_.hash()}, {"ids", std::move(ids)}, {"fit", std::move(fit)},
          {"engagement", std::move(eng)}, {"total", std::move(total)}, {"grade", std::move(grade)},
          {"matrix", std::move(matrix)}, {"stage", std::move(stage)}};
}

Result<json> Workspace::Score(std::string_view id, int64_t now_ms) const {
  const auto row = store_.RowOf(id);
  if (!row) return MakeError("no lead with id " + DescribeJsonValue(json(std::string(id))), "id", ErrorCode::kNotFound);
  std::vector<leadkit::Score> s;
  model_.ScoreRows(store_, channels_, now_ms, *row, *row + 1, s);
  return ScoreJson(s[0], model_.hash());
}

Result<json> Workspace::Explain(std::string_view id, int64_t now_ms) const {
  const auto row = store_.RowOf(id);
  if (!row) return MakeError("no lead with id " + DescribeJsonValue(json(std::string(id))), "id", ErrorCode::kNotFound);
  json out = json::array();
  for (const Contribution& c : model_.Explain(store_, channels_, now_ms, *row)) {
    out.push_back({{"kind", c.kind}, {"label", c.label}, {"points", c.points}});
  }
  return out;
}

Result<json> Workspace::WhatIf(const json& draft, int64_t now_ms) const {
  auto m = ScoringModel::FromJson(draft);
  if (!m) return m.error();
  std::vector<leadkit::Score> before, after;
  const auto n = static_cast<uint32_t>(store_.size());
  model_.ScoreRows(store_, channels_, now_ms, 0, n, before);
  m.value().ScoreRows(store_, channels_, now_ms, 0, n, after);
  constexpr size_t kMaxListed = 10'000;
  size_t changed = 0, grade_changed = 0, stage_changed = 0;
  json leads = json::array();
  const auto brief = [](const leadkit::Score& s) {
    return json{{"grade", GradeName(s.grade)}, {"stage", StageName(s.stage)}, {"total", s.total}};
  };
  for (uint32_t r = 0; r < n; ++r) {
    const bool g = before[r].grade != after[r].grade, st = before[r].stage != after[r].stage;
    grade_changed += g;
    stage_changed += st;
    if (!g && !st) continue;
    if (++changed <= kMaxListed) {
      leads.push_back({{"id", store_.IdAt(r)}, {"before", brief(before[r])}, {"after", brief(after[r])}});
    }
  }
  return json{{"modelHash", m.value().hash()}, {"scored", n}, {"changed", changed},
              {"gradeChanged", grade_changed}, {"stageChanged", stage_changed},
              {"leads", std::move(leads)}, {"truncated", changed > kMaxListed}};
}

json Workspace::BackupSettings() const {
  json out{{"format", "leadkit-workspace"}, {"version", kBackupVersion}, {"channels", channels_.ToJson()}};
  if (model_set_) out["model"] = model_.normalized();
  if (!pipeline_.source().empty()) out["pipeline"] = pipeline_.source();
  if (predictive_) out["predictiveModel"] = predictive_->document();
  if (!journal_.is_null()) out["mergeJournal"] = journal_;
  return out;
}

json Workspace::Export() const {
  json leads = json::array();
  for (uint32_t row = 0; row < store_.size(); ++row) {
    leads.push_back(LeadToJson(store_.GetRow(row), channels_));
  }
  json out = BackupSettings();
  out["leads"] = std::move(leads);
  return out;
}

std::string Workspace::ExportText() const {
  // The members in the order nlohmann's object keeps them (sorted), so the bytes equal Export().dump().
  std::string out = "{\"channels\":" + channels_.ToJson().dump() + ",\"format\":\"leadkit-workspace\",\"leads\":[";
  for (uint32_t row = 0; row < store_.size(); ++row) {
    if (row) out += ',';
    out += LeadToJson(store_.GetRow(row), channels_).dump();
  }
  out += ']';
  if (!journal_.is_null()) out += ",\"mergeJournal\":" + journal_.dump();
  if (model_set_) out += ",\"model\":" + model_.normalized().dump();
  if (!pipeline_.source().empty()) out += ",\"pipeline\":" + pipeline_.source().dump();
  if (predictive_) out += ",\"predictiveModel\":" + predictive_->document().dump();
  out += ",\"version\":" + std::to_string(kBackupVersion) + "}";
  return out;
}

Status Workspace::SetChannels(const json& mapping) {
  ChannelMap next = channels_;
  if (auto s = ApplyChannels(mapping, next, "channels"); !s) return s;
  channels_ = std::move(next);
  ++revision_;
  return Ok{};
}

void Workspace::ReplaceLeads(LeadBatch& batch) {
  store_.Clear();
  AddLeads(batch);
}

void Workspace::AddLeads(LeadBatch& batch) {
  std::vector<std::string> batch_ids;
  for (size_t i = 0; i < batch.size; ++i) {
    if (!batch[i].id.empty()) batch_ids.push_back(batch[i].id);
  }
  std::sort(batch_ids.begin(), batch_ids.end());
  store_.Reserve(store_.size() + batch.size);
  for (size_t i = 0; i < batch.size; ++i) {
    if (batch[i].id.empty()) batch[i].id = NewId(batch_ids);
  }
  for (size_t at = 0; at < batch.size; at += LeadBatch::kBlock) {
    const size_t n = std::min(LeadBatch::kBlock, batch.size - at);
    store_.UpsertMany(std::span<Lead>(&batch[at], n));
  }
  ++revision_;
}

bool Workspace::Remove(std::string_view id) {
  if (!store_.Remove(id)) return false;
  ++revision_;
  return true;
}

LoadReport Workspace::Restore(std::string_view backup_text, int64_t now_ms) {
  Workspace fresh;
  LoadReport report = fresh.LoadJson(backup_text, now_ms);
  if (!report.errors.empty()) return report;
  fresh.next_id_ = next_id_;
  fresh.revision_ = revision_ + 1;
  *this = std::move(fresh);
  return report;
}

}  // namespace leadkit
