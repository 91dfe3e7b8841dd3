#include "leadkit/sample.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "leadkit/iso_time.hpp"
#include "leadkit/lead.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

class Rng {  // splitmix64: tiny, fast and identical everywhere
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  size_t Below(size_t n) { return static_cast<size_t>(Unit() * static_cast<double>(n)); }
  bool Chance(double p) { return Unit() < p; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) { return items[Below(N)]; }
  // Index drawn with the given integer weights.
  template <size_t N>
  size_t Weighted(const std::array<int, N>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = static_cast<int>(Below(static_cast<size_t>(total)));
    for (size_t i = 0; i < N; ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return N - 1;
  }

 private:
  uint64_t state_;
};

constexpr std::array<std::string_view, 40> kFirst = {
    "Ana", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Keiko", "Liam", "Maya", "Nikhil", "Olivia", "Pablo", "Quinn", "Rosa", "Samir", "Tara",
    "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri",
    "Emeka", "Freya", "Gustavo", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Noor"};
constexpr std::array<std::string_view, 40> kLast = {
    "Okafor", "Schmidt", "Nguyen", "Garcia", "Rossi", "Kowalski", "Tanaka", "Dubois", "Silva",
    "Johansson", "Patel", "Murphy", "Haddad", "Novak", "Fischer", "Moreau", "Costa", "Larsen",
    "Kim", "Ibrahim", "Clarke", "Bauer", "Romano", "Mendes", "Yilmaz", "Chen", "Walsh", "Jansen",
    "Ortiz", "Berg", "Ahmed", "Lindqvist", "Sato", "Keller", "Adeyemi", "Hughes", "Varga",
    "Petrov", "Lopez", "Shah"};
constexpr std::array<std::string_view, 24> kCompanyStem = {
    "Helix", "Brightline", "Cobalt", "Meridian", "Summit", "Lumen", "Harbor", "Vertex",
    "Quill", "Ironwood", "Pioneer", "Atlas", "Nimbus", "Orchid", "Granite", "Sable",
    "Tidewater", "Keystone", "Juniper", "Redwood", "Northwind", "Silverline", "Beacon", "Alder"};
struct Industry {
  std::string_view name;
  std::array<std::string_view, 3> suffixes;
  int weight;
};
constexpr std::array<Industry, 10> kIndustries = {{
    {"SaaS", {"Software", "Cloud", "Labs"}, 22},
    {"Fintech", {"Pay", "Capital", "Ledger"}, 12},
    {"Healthcare", {"Health", "Care", "Medical"}, 10},
    {"Manufacturing", {"Industries", "Manufacturing", "Works"}, 11},
    {"Retail", {"Retail", "Goods", "Market"}, 9},
    {"Logistics", {"Logistics", "Freight", "Transport"}, 8},
    {"Education", {"Learning", "Academy", "Education"}, 6},
    {"Media", {"Media", "Studios", "Publishing"}, 6},
    {"Professional services", {"Partners", "Consulting", "Advisory"}, 10},
    {"Real estate", {"Properties", "Estates", "Realty"}, 6},
}};
struct Place {
  std::string_view country, region, phone_prefix;
  int weight;
};
constexpr std::array<Place, 12> kPlaces = {{
    {"United States", "North America", "+1 555", 30}, {"Canada", "North America", "+1 555", 6},
    {"United Kingdom", "EMEA", "+44 20 7946", 12},   {"Germany", "EMEA", "+49 30 9016", 10},
    {"France", "EMEA", "+33 1 7091", 7},             {"Netherlands", "EMEA", "+31 20 794", 5},
    {"Sweden", "EMEA", "+46 8 4650", 3},             {"Australia", "APAC", "+61 2 9012", 6},
    {"Singapore", "APAC", "+65 6012", 3},            {"India", "APAC", "+91 22 6012", 8},
    {"Brazil", "LATAM", "+55 11 3012", 6},           {"Mexico", "LATAM", "+52 55 5012", 4},
}};
struct Role {
  std::string_view title;
  int weight;
};
constexpr std::array<Role, 18> kRoles = {{
    {"CEO", 5},        {"Founder", 5},           {"VP Sales", 6},        {"VP Marketing", 5},
    {"CFO", 3},        {"CTO", 4},               {"Head of Growth", 5},  {"Head of Operations", 4},
    {"Director of Sales", 6}, {"Marketing Director", 5}, {"Sales Manager", 9},
    {"Marketing Manager", 9}, {"Operations Manager", 7}, {"Account Executive", 7},
    {"Marketing Specialist", 6}, {"Business Analyst", 6}, {"Software Engineer", 5}, {"Student", 3},
}};
struct Source {
  std::string_view name;
  bool inbound;
  int weight;
};
constexpr std::array<Source, 16> kSources = {{
    {"website_form", true, 10}, {"content_download", true, 9}, {"webinar", true, 8},
    {"ebook", true, 4},         {"whitepaper", true, 4},      {"organic_search", true, 8},
    {"paid_ads", true, 7},      {"social", true, 5},          {"event", true, 4},
    {"contest", true, 1},       {"referral", true, 5},        {"cold_call", false, 9},
    {"cold_email", false, 14},  {"linkedin", false, 11},      {"in_person", false, 2},
    {"purchased_list", false, 3},
}};
// new, nurturing, mql, sql, opportunity, customer, lost, disqualified
constexpr std::array<int, kStageCount> kStageWeights = {28, 22, 15, 10, 8, 6, 5, 6};
constexpr std::array<std::string_view, 5> kLostReasons = {
    "Chose a competitor", "No budget this year", "Bad timing: revisit next quarter",
    "Went silent after the proposal", "Price too high"};
constexpr std::array<std::string_view, 5> kDisqualifiedReasons = {
    "Not ICP: company too small", "No need for the product", "No authority to buy",
    "Student or job seeker", "Unresponsive after 9 touches"};
constexpr std::array<std::string_view, 6> kTags = {"priority", "partner",  "event-lead",
                                                   "renewal",  "champion", "competitor-user"};
constexpr std::array<std::string_view, 3> kWebmail = {"gmail.com", "outlook.com", "yahoo.com"};
constexpr std::array<std::string_view, 7> kInboundEvents = {
    "page_view", "page_view", "page_view", "pricing_view", "content_download", "email_open",
    "email_click"};
constexpr std::array<std::string_view, 3> kSampleChannels = {"email", "linkedin", "call"};

std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (c >= 'a' && c <= 'z') out += c;
  }
  return out;
}

}  // namespace

json SampleLeads(size_t count, uint64_t seed, int64_t now_ms) {
  Rng rng(seed);
  json leads = json::array();
  std::array<int, kIndustries.size()> industry_w{};
  for (size_t i = 0; i < kIndustries.size(); ++i) industry_w[i] = kIndustries[i].weight;
  std::array<int, kPlaces.size()> place_w{};
  for (size_t i = 0; i < kPlaces.size(); ++i) place_w[i] = kPlaces[i].weight;
  std::array<int, kRoles.size()> role_w{};
  for (size_t i = 0; i < kRoles.size(); ++i) role_w[i] = kRoles[i].weight;
  std::array<int, kSources.size()> source_w{};
  for (size_t i = 0; i < kSources.size(); ++i) source_w[i] = kSources[i].weight;

  for (size_t n = 0; n < count; ++n) {
    json l = json::object();
    char id[24];
    std::snprintf(id, sizeof id, "L%06zu", n + 1);
    l["id"] = id;
    const std::string first(rng.Pick(kFirst)), last(rng.Pick(kLast));
    const Industry& industry = kIndustries[rng.Weighted(industry_w)];
    // Two statements: the order of two draws in one expression is unspecified, and g++ and clang
    // chose differently, so native and wasm made different companies from the same seed.
    const std::string stem(rng.Pick(kCompanyStem));
    const std::string company = stem + " " + std::string(rng.Pick(industry.suffixes));
    const Place& place = kPlaces[rng.Weighted(place_w)];
    const Role& role = kRoles[rng.Weighted(role_w)];
    const Source& source = kSources[rng.Weighted(source_w)];
    const auto stage = static_cast<Stage>(rng.Weighted(kStageWeights));
    const std::string domain = Slug(company) + ".com";
    const auto employees = static_cast<int64_t>(std::round(std::exp(std::log(2.0) + rng.Unit() * std::log(10000.0))));

    l["firstName"] = first;
    l["lastName"] = last;
    const bool webmail = source.inbound && rng.Chance(0.15);
    l["email"] = Slug(first) + "." + Slug(last) + "@" +
                 (webmail ? std::string(rng.Pick(kWebmail)) : domain);
    if (rng.Chance(0.7)) {
      l["phone"] = std::string(place.phone_prefix) + " " + std::to_string(1000 + rng.Below(9000));
    }
    l["company"] = company;
    l["title"] = role.title;
    l["industry"] = industry.name;
    l["employees"] = employees;
    l["annualRevenue"] = std::round(employees * (80'000 + rng.Unit() * 170'000) / 1000) * 1000;
    l["country"] = place.country;
    l["region"] = place.region;
    l["domain"] = domain;
    l["source"] = source.name;
    l["stage"] = StageName(stage);
    if (stage == Stage::kLost) l["stageReason"] = rng.Pick(kLostReasons);
    if (stage == Stage::kDisqualified) l["stageReason"] = rng.Pick(kDisqualifiedReasons);

    const int stage_i = static_cast<int>(stage);
    const bool advanced = stage_i >= static_cast<int>(Stage::kSql) && stage != Stage::kDisqualified;
    json bant = json::object();
    for (auto key : kBantKeys) {
      std::string_view status = "unknown";
      if (advanced) status = rng.Chance(0.8) ? "met" : "partly";
      else if (stage == Stage::kMql) status = rng.Chance(0.4) ? "partly" : "unknown";
      else if (stage == Stage::kDisqualified && rng.Chance(0.3)) status = "not_met";
      bant[std::string(key)] = {{"status", status}};
    }
    l["bant"] = std::move(bant);
    if (advanced) {
      l["dealValue"] = std::round((4'000 + std::sqrt(static_cast<double>(employees)) * 900 * (0.5 + rng.Unit())) / 500) * 500;
      l["currency"] = "USD";
    }
    json tags = json::array();
    if (rng.Chance(0.25)) tags.push_back(rng.Pick(kTags));
    if (source.name == "event") tags.push_back("event-lead");
    l["tags"] = std::move(tags);
    if (rng.Chance(0.1)) l["notes"] = "Asked about " + std::string(rng.Chance(0.5) ? "pricing for " : "an integration with ") + "their " + std::string(industry.name) + " stack.";

    const int64_t age_days = 1 + static_cast<int64_t>(rng.Below(240));
    const int64_t created = now_ms - age_days * kMsPerDay - static_cast<int64_t>(rng.Below(86'400)) * 1000;
    int64_t latest = created;
    const auto at_after = [&](int64_t from) {  // a moment between `from` and now
      return from + static_cast<int64_t>(rng.Unit() * static_cast<double>(now_ms - from) * 0.5);
    };
    json events = json::array();
    const size_t event_count = source.inbound ? 1 + rng.Below(12) : rng.Below(3);
    int64_t t = created;
    for (size_t e = 0; e < event_count; ++e) {
      t = at_after(t);
      json ev = {{"type", rng.Pick(kInboundEvents)}, {"at", FormatIsoTime(t)}};
      if (ev["type"] == "page_view") ev["props"] = {{"path", rng.Chance(0.5) ? "/features" : "/blog"}};
      events.push_back(std::move(ev));
    }
    if (advanced) events.push_back({{"type", "meeting_booked"}, {"at", FormatIsoTime(t = at_after(t))}});
    latest = std::max(latest, t);
    l["events"] = std::move(events);

    json touches = json::array();
    const size_t touch_count = !source.inbound ? 1 + rng.Below(9) : (advanced ? 1 + rng.Below(3) : 0);
    t = created;
    for (size_t k = 0; k < touch_count; ++k) {
      t = at_after(t);
      const std::string_view channel = kSampleChannels[k % kSampleChannels.size()];
      std::string_view outcome = channel == "call" ? (rng.Chance(0.6) ? "no_answer" : "voicemail") : "sent";
      if (k + 1 == touch_count && (advanced || rng.Chance(0.2))) outcome = advanced ? "meeting_booked" : "replied";
      touches.push_back({{"channel", channel}, {"outcome", outcome}, {"at", FormatIsoTime(t)}});
    }
    latest = std::max(latest, t);
    l["touches"] = std::move(touches);

    // Stage history: the path the lead most plausibly took to where it is now.
    json history = json::array();
    std::vector<Stage> path;
    if (stage == Stage::kLost || stage == Stage::kDisqualified) {
      const int reached = static_cast<int>(rng.Below(stage == Stage::kLost ? 5 : 3));
      for (int s = 1; s <= reached; ++s) path.push_back(static_cast<Stage>(s));
      path.push_back(stage);
    } else {
      for (int s = 1; s <= stage_i; ++s) path.push_back(static_cast<Stage>(s));
    }
    Stage from = Stage::kNew;
    t = created;
    for (Stage to : path) {
      t = at_after(t);
      json h = {{"at", FormatIsoTime(t)}, {"from", StageName(from)}, {"to", StageName(to)}, {"actor", "demo"}};
      if (to == stage && l.contains("stageReason")) h["reason"] = l["stageReason"];
      history.push_back(std::move(h));
      from = to;
    }
    latest = std::max(latest, t);
    l["history"] = std::move(history);
    l["createdAt"] = FormatIsoTime(created);
    l["updatedAt"] = FormatIsoTime(latest);
    leads.push_back(std::move(l));
  }
  return leads;
}

}  // namespace leadkit
