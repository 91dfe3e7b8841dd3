// Finding likely duplicates. Each lead gets a few candidate keys (its e-mail, phone, company
// domain or company name paired with a name prefix, ...); only leads sharing a key are compared,
// so the cost grows with the number of leads, not its square.
#include "leadkit/dedupe.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "leadkit/coerce.hpp"
#include "leadkit/query.hpp"

namespace leadkit {
namespace {

using nlohmann::json;

constexpr double kPhoneSimilarity = 0.9;
constexpr double kCompanyOnlyDomainSimilarity = 0.95;
constexpr double kCompanyMatch = 0.85;    // company names at least this alike count as one company
constexpr double kNamesConflict = 0.8;    // person names less alike than this are two people
constexpr double kOneSidedName = 0.9;     // a name part known on one side only proves less
constexpr double kInitialMatch = 0.9;     // "J" against "John"
constexpr size_t kMinPhoneDigits = 7;
// A key shared by more leads than this (a big company's domain, a shared switchboard) is not
// compared all against all: its leads are sorted by name and each is compared with the next
// kWindow, which keeps chains of true duplicates connected at a linear cost.
constexpr size_t kMaxBlock = 64;
constexpr size_t kWindow = 12;
constexpr size_t kMaxKeys = 8;  // candidate keys per lead (AddKeys)

uint64_t Fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ull) {
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

// What one lead is compared by, normalised once. Pairs are read in random order, so the fields
// every comparison reads come first and e-mail and domain are compared by hash (confirmed on
// the text only when the hashes agree): a comparison then touches few cache lines.
struct Prepared {
  uint32_t row = 0;
  uint64_t email_hash = 0, domain_hash = 0;  // 0: none
  std::string first, last, phone;
  std::string_view company, domain;  // normalised, held by the Preparer's caches
  std::string email;
  bool person() const { return !first.empty() || !last.empty(); }
};

uint64_t HashOrZero(std::string_view s) { return s.empty() ? 0 : Fnv1a(s) | 1; }

bool SameEmail(const Prepared& a, const Prepared& b) {
  return a.email_hash != 0 && a.email_hash == b.email_hash && a.email == b.email;
}
bool SameDomain(const Prepared& a, const Prepared& b) {
  return a.domain_hash != 0 && a.domain_hash == b.domain_hash && a.domain == b.domain;
}

// Prepares leads, normalising each distinct company and domain once: a workspace names the
// same few thousand companies over and over.
class Preparer {
 public:
  explicit Preparer(const LeadStore& store) : store_(store) {}

  Prepared operator()(uint32_t row) {
    const auto text = [this, row](Field f) -> const std::string& { return (*store_.Texts(f))[row]; };
    Prepared p;
    p.row = row;
    const std::string& email = text(Field::kEmail);
    p.email = CanonicalEmail(email);
    p.email_hash = HashOrZero(p.email);
    p.phone = CanonicalPhoneDigits(text(Field::kPhone));
    const std::string& domain = text(Field::kDomain);
    const size_t at = email.rfind('@');
    p.domain = Memo(domains_, !domain.empty() || at == std::string::npos
                                  ? std::string_view(domain) : std::string_view(email).substr(at + 1),
                    [](std::string_view d) {
                      std::string host = DomainFromUrl(d);
                      if (host.empty()) host = d;
                      return IsFreeMailDomain(host) ? std::string() : host;
                    });
    p.domain_hash = HashOrZero(p.domain);
    p.company = Memo(companies_, text(Field::kCompany), NormalizeCompanyName);
    p.first = FoldForMatching(text(Field::kFirstName));
    p.last = FoldForMatching(text(Field::kLastName));
    if (p.last.empty()) {  // "John Smith" typed into one column
      if (const size_t space = p.first.rfind(' '); space != std::string::npos) {
        p.last = p.first.substr(space + 1);
        p.first.resize(space);
      }
    }
    return p;
  }

 private:
  using Cache = std::unordered_map<std::string_view, std::string>;  // views into the store
  template <typename F>
  static const std::string& Memo(Cache& cache, std::string_view raw, F&& normalize) {
    auto [it, fresh] = cache.try_emplace(raw);
    if (fresh) it->second = normalize(raw);
    return it->second;
  }
  const LeadStore& store_;
  Cache companies_, domains_;
};

double FirstNameSimilarity(std::string_view a, std::string_view b) {
  if (a.size() == 1 || b.size() == 1) return a[0] == b[0] ? kInitialMatch : 0.0;
  return JaroWinkler(a, b);
}

// The lower of the first- and last-name similarities (either order, for "Smith John"); nullopt
// when no part of the name is known on both sides.
std::optional<double> NameSimilarity(const Prepared& a, const Prepared& b) {
  const bool firsts = !a.first.empty() && !b.first.empty();
  const bool lasts = !a.last.empty() && !b.last.empty();
  if (firsts && lasts) {
    const double direct = std::min(FirstNameSimilarity(a.first, b.first), JaroWinkler(a.last, b.last));
    const double swapped = std::min(JaroWinkler(a.first, b.last), JaroWinkler(a.last, b.first));
    return std::max(direct, swapped);
  }
  if (firsts) return kOneSidedName * FirstNameSimilarity(a.first, b.first);
  if (lasts) return kOneSidedName * JaroWinkler(a.last, b.last);
  return std::nullopt;
}

// One pair's evidence; a rule's similarity is 0 when it does not apply.
struct PairScore {
  double email = 0, phone = 0, domain = 0, company = 0;
  std::optional<double> name;
  double company_names = 0;  // similarity of the company names, for the reason
  double best() const { return std::max({email, phone, domain, company}); }
};

// Rules that cannot reach `floor` are not worked out (a company is not compared for two people
// whose names are already too far apart).
PairScore ScorePair(const Prepared& a, const Prepared& b, double floor) {
  PairScore s;
  if (SameEmail(a, b)) s.email = 1.0;
  const bool people = a.person() && b.person();
  const bool no_people = !a.person() && !b.person();
  if (people) s.name = NameSimilarity(a, b);
  const bool conflict = people && s.name.value_or(0.0) < kNamesConflict;
  if (!conflict && PhoneDigitsMatch(a.phone, b.phone)) s.phone = kPhoneSimilarity;
  if (SameDomain(a, b)) {
    if (people && s.name) s.domain = *s.name;
    if (no_people) s.domain = kCompanyOnlyDomainSimilarity;
  }
  const bool company_can_count = people ? s.name.value_or(0.0) >= floor : no_people;
  if (company_can_count && !a.company.empty() && !b.company.empty()) {
    s.company_names = EditSimilarity(a.company, b.company, kCompanyMatch);
    if (s.company_names >= kCompanyMatch) s.company = people ? std::min(s.company_names, *s.name) : s.company_names;
  }
  return s;
}

// Candidate keys of one lead; leads sharing one are compared. Hash collisions only add pairs to
// compare, never a match.
void AddKeys(const Prepared& p, uint32_t index, std::vector<std::pair<uint64_t, uint32_t>>& keys) {
  const auto add = [&](std::string_view kind, std::string_view a, std::string_view b = {}) {
    keys.emplace_back(Fnv1a(b, Fnv1a("|", Fnv1a(a, Fnv1a(kind)))), index);
  };
  if (!p.email.empty()) add("e", p.email);
  if (!p.phone.empty()) add("p", std::string_view(p.phone).substr(p.phone.size() - kMinPhoneDigits));
  for (const auto& [kind, org] : {std::pair<std::string_view, std::string_view>{"d", p.domain},
                                  {"c", p.company}}) {
    if (org.empty()) continue;
    if (!p.person()) {
      add(kind, org);
      continue;
    }
    if (!p.last.empty()) add(kind, org, std::string_view(p.last).substr(0, 2));
    if (!p.first.empty()) add(std::string(kind) + "f", org, std::string_view(p.first).substr(0, 2));
  }
  // The same person with the company spelt differently: exact name, company's first letter.
  if (!p.last.empty() && !p.first.empty() && !p.company.empty()) {
    add("n", p.last, p.first.substr(0, 1) + std::string(p.company.substr(0, 1)));
  }
  if (!p.person() && p.company.size() >= 2) add("o", std::string_view(p.company).substr(0, 2));
}

// Calls visit(a, b) for each pair of leads (indexes into `leads`) sharing a key, once: a pair
// sharing several keys is visited in the block of the smallest, which saves collecting and
// sorting every pair to drop repeats. Returns how many pairs were visited.
template <typename Visit>
size_t ForEachCandidatePair(const std::vector<Prepared>& leads, Visit&& visit) {
  std::vector<std::pair<uint64_t, uint32_t>> keys;
  keys.reserve(leads.size() * 6);
  for (uint32_t i = 0; i < leads.size(); ++i) AddKeys(leads[i], i, keys);
  std::sort(keys.begin(), keys.end());

  // Each lead's keys of blocks compared in full, ascending (AddKeys gives at most kMaxKeys).
  std::vector<std::array<uint64_t, kMaxKeys>> own(leads.size());
  std::vector<uint8_t> own_count(leads.size(), 0);
  for (size_t start = 0, end = 0; start < keys.size(); start = end) {
    while (end < keys.size() && keys[end].first == keys[start].first) ++end;
    if (end - start > kMaxBlock) continue;
    for (size_t k = start; k < end; ++k) {
      const uint32_t i = keys[k].second;
      if (own_count[i] == 0 || own[i][own_count[i] - 1] != keys[k].first) own[i][own_count[i]++] = keys[k].first;
    }
  }
  const auto seen_before = [&](uint32_t a, uint32_t b, uint64_t key) {
    for (size_t x = 0, y = 0; x < own_count[a] && y < own_count[b];) {
      const uint64_t ka = own[a][x], kb = own[b][y];
      if (ka >= key || kb >= key) return false;
      if (ka == kb) return true;
      if (ka < kb) ++x;
      else ++y;
    }
    return false;
  };

  size_t visited = 0;
  std::vector<uint32_t> block;
  for (size_t start = 0, end = 0; start < keys.size(); start = end) {
    while (end < keys.size() && keys[end].first == keys[start].first) ++end;
    const uint64_t key = keys[start].first;
    block.clear();
    for (size_t k = start; k < end; ++k) {
      if (block.empty() || block.back() != keys[k].second) block.push_back(keys[k].second);
    }
    const bool full = block.size() <= kMaxBlock;
    if (!full) {
      std::sort(block.begin(), block.end(), [&leads](uint32_t a, uint32_t b) {
        const Prepared &x = leads[a], &y = leads[b];
        return std::tie(x.last, x.first, x.row) < std::tie(y.last, y.first, y.row);
      });
    }
    for (size_t i = 0; i < block.size(); ++i) {
      const size_t last = full ? block.size() : std::min(block.size(), i + kWindow + 1);
      for (size_t j = i + 1; j < last; ++j) {
        // A pair in a full block of a smaller key was visited there; one sharing a full block
        // of a larger key is visited there even when met in a window here.
        if (seen_before(block[i], block[j], full ? key : ~uint64_t{0})) continue;
        ++visited;
        visit(block[i], block[j]);
      }
    }
  }
  return visited;
}

struct Options {
  double min_similarity = kDefaultMinSimilarity;
  size_t limit = kDefaultDuplicateLimit;
  std::optional<std::vector<uint32_t>> rows;
};

Result<Options> ParseOptions(const LeadStore& store, const json& j) {
  Options o;
  if (j.is_null()) return o;
  if (!j.is_object()) return MakeError("expected an object of options, got " + DescribeJsonValue(j), "options");
  for (const auto& [key, value] : j.items()) {
    const std::string path = "options." + key;
    if (key == "minSimilarity") {
      if (!value.is_number() || !(value.get<double>() > 0 && value.get<double>() <= 1)) {
        return MakeError("minSimilarity must be a number above 0 and at most 1, got " +
                             DescribeJsonValue(value), path);
      }
      o.min_similarity = value.get<double>();
    } else if (key == "limit") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1) {
        return MakeError("limit must be a whole number of groups, at least 1, got " +
                             DescribeJsonValue(value), path);
      }
      o.limit = value.get<size_t>();
    } else if (key == "ids") {
      if (!value.is_array()) {
        return MakeError("ids must be an array of lead ids, got " + DescribeJsonValue(value), path);
      }
      std::vector<uint32_t> rows;
      for (size_t i = 0; i < value.size(); ++i) {
        const json& id = value[i];
        const auto row = id.is_string() ? store.RowOf(id.get<std::string>()) : std::nullopt;
        if (!row) {
          return MakeError((id.is_string() ? "unknown lead id " : "expected a lead id, got ") +
                               DescribeJsonValue(id), path + "[" + std::to_string(i) + "]");
        }
        rows.push_back(*row);
      }
      std::sort(rows.begin(), rows.end());
      rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      o.rows = std::move(rows);
    } else {
      return MakeError("unknown option \"" + key + "\"; options are minSimilarity, limit and ids", path);
    }
  }
  return o;
}

double Rounded(double x) { return std::round(x * 1000) / 1000; }

// The reasons one link of a group stands on: every rule that reached the threshold.
void AddReasons(const LeadStore& store, const Prepared& a, const Prepared& b, double min_similarity,
                json& reasons) {
  const PairScore s = ScorePair(a, b, min_similarity);
  const json ids = {store.IdAt(a.row), store.IdAt(b.row)};
  const auto add = [&](const char* rule, const char* field, json values, double similarity) {
    reasons.push_back({{"rule", rule}, {"field", field}, {"ids", ids},
                       {"values", std::move(values)}, {"similarity", Rounded(similarity)}});
  };
  const auto raw = [&store, &a, &b](Field f) {
    return json{(*store.Texts(f))[a.row], (*store.Texts(f))[b.row]};
  };
  if (s.email >= min_similarity) add("sameEmail", "email", raw(Field::kEmail), 1.0);
  if (s.phone >= min_similarity) add("samePhone", "phone", raw(Field::kPhone), 1.0);
  if (s.domain >= min_similarity) {
    add("sameDomain", "domain", json{std::string(a.domain), std::string(b.domain)}, 1.0);
  }
  if (s.company >= min_similarity) add("similarCompany", "company", raw(Field::kCompany), s.company_names);
  if (s.name && (s.domain >= min_similarity || s.company >= min_similarity)) {
    const auto full = [&store](uint32_t row) {
      const std::string& f = (*store.Texts(Field::kFirstName))[row];
      const std::string& l = (*store.Texts(Field::kLastName))[row];
      return f.empty() || l.empty() ? f + l : f + " " + l;
    };
    add("similarName", "name", json{full(a.row), full(b.row)}, *s.name);
  }
}

struct Link {
  double similarity;
  uint32_t a, b;
};

uint32_t FindRoot(std::vector<uint32_t>& parent, uint32_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

}  // namespace

Result<json> FindDuplicates(const Workspace& ws, const json& options) {
  const LeadStore& store = ws.store();
  auto parsed = ParseOptions(store, options);
  if (!parsed) return parsed.error();
  const Options& o = parsed.value();

  Preparer prepare(store);
  std::vector<Prepared> leads;
  if (o.rows) {
    leads.reserve(o.rows->size());
    for (uint32_t row : *o.rows) leads.push_back(prepare(row));
  } else {
    leads.reserve(store.size());
    for (uint32_t row = 0; row < store.size(); ++row) leads.push_back(prepare(row));
  }

  std::vector<Link> links;
  const size_t compared = ForEachCandidatePair(leads, [&](uint32_t a, uint32_t b) {
    const double sim = ScorePair(leads[a], leads[b], o.min_similarity).best();
    if (sim >= o.min_similarity) links.push_back({sim, a, b});
  });
  // Kruskal: strongest links first, so each group's tree is its strongest spanning tree and the
  // last link that joined it is the weakest one the group needs.
  std::stable_sort(links.begin(), links.end(),
                   [](const Link& x, const Link& y) { return x.similarity > y.similarity; });
  std::vector<uint32_t> parent(leads.size());
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<Link> tree;
  for (const Link& l : links) {
    const uint32_t ra = FindRoot(parent, l.a), rb = FindRoot(parent, l.b);
    if (ra == rb) continue;
    parent[rb] = ra;
    tree.push_back(l);
  }

  struct Group {
    std::vector<uint32_t> members;
    std::vector<Link> links;
    double similarity = 1.0;
  };
  std::vector<Group> groups;
  std::vector<int32_t> group_of(leads.size(), -1);
  for (const Link& l : tree) {
    const uint32_t root = FindRoot(parent, l.a);
    if (group_of[root] < 0) {
      group_of[root] = static_cast<int32_t>(groups.size());
      groups.emplace_back();
    }
    Group& g = groups[static_cast<size_t>(group_of[root])];
    g.links.push_back(l);
    g.similarity = std::min(g.similarity, l.similarity);
  }
  for (uint32_t i = 0; i < leads.size(); ++i) {
    const int32_t g = group_of[FindRoot(parent, i)];
    if (g >= 0) groups[static_cast<size_t>(g)].members.push_back(i);
  }
  const auto oldest_first = [&](uint32_t x, uint32_t y) {
    const uint32_t rx = leads[x].row, ry = leads[y].row;
    return std::pair(store.CreatedAt(rx), std::string_view(store.IdAt(rx))) <
           std::pair(store.CreatedAt(ry), std::string_view(store.IdAt(ry)));
  };
  for (Group& g : groups) std::sort(g.members.begin(), g.members.end(), oldest_first);
  std::sort(groups.begin(), groups.end(), [&](const Group& x, const Group& y) {
    if (x.similarity != y.similarity) return x.similarity > y.similarity;
    if (x.members.size() != y.members.size()) return x.members.size() > y.members.size();
    return oldest_first(x.members.front(), y.members.front());
  });

  json out_groups = json::array();
  for (size_t i = 0; i < groups.size() && i < o.limit; ++i) {
    const Group& g = groups[i];
    json ids = json::array();
    for (uint32_t m : g.members) ids.push_back(store.IdAt(leads[m].row));
    json reasons = json::array();
    for (const Link& l : g.links) AddReasons(store, leads[l.a], leads[l.b], o.min_similarity, reasons);
    out_groups.push_back({{"ids", std::move(ids)}, {"similarity", Rounded(g.similarity)},
                          {"reasons", std::move(reasons)}});
  }
  return json{{"groups", std::move(out_groups)},
              {"total", groups.size()},
              {"truncated", groups.size() > o.limit},
              {"comparedPairs", compared}};
}

}  // namespace leadkit
