// Duplicate leads: finding likely duplicates (blocking on candidate keys, then scoring pairs),
// previewing a merge field by field, merging and undoing merges.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"
#include "leadkit/workspace.hpp"

namespace leadkit {

// Similarity rules. A pair's similarity is the strongest of:
// - sameEmail: the same e-mail after normalising (case, "mailto:", a "+tag" on any domain, dots
//   of a Gmail address), 1.0;
// - samePhone: the same phone digits (7 or more; a country code or trunk "0" missing on one side
//   still matches), 0.9, unless both leads name a person and the names are under 0.8 alike (a
//   shared switchboard);
// - sameDomain: the same company domain (the lead's domain, else its e-mail's, never a free-mail
//   domain) with a similar person name: the name similarity; two company-only leads: 0.95;
// - similarCompany: company names alike after dropping case, punctuation, accents and legal
//   suffixes (edit-distance ratio of at least 0.85), with a similar person name: the lower of
//   the two; two company-only leads: the company similarity.
// Person names compare first and last name separately by Jaro-Winkler and take the lower (so
// "John Smith" and "Jane Smith" differ); an initial matches its name; a name known on one side
// only counts 0.9 of its similarity.
inline constexpr double kDefaultMinSimilarity = 0.85;
inline constexpr size_t kDefaultDuplicateLimit = 500;

// The matching building blocks, normalising as the rules above compare.
// Lower-case ASCII letters and digits, Latin-1 accents folded ("María" → "maria"), apostrophes
// dropped, anything else one space.
std::string FoldForMatching(std::string_view text);
// Folded, the legal form dropped (Inc, Ltd, GmbH, LLC, S.A., ...) and a leading "the":
// "The ACME, Inc." → "acme".
std::string NormalizeCompanyName(std::string_view company);
// gmail.com, outlook.com, yahoo.com and other addresses anyone can get: not a company.
bool IsFreeMailDomain(std::string_view domain);
// The mailbox an address reaches: NormalizeEmail, a "+tag" dropped, Gmail's dots dropped.
std::string CanonicalEmail(std::string_view email);
// NormalizePhone's digits without "+" or a trunk "0"; "" when fewer than 7 digits.
std::string CanonicalPhoneDigits(std::string_view phone);
// One number written with and without its country code: one set of digits ends the other.
bool PhoneDigitsMatch(std::string_view a, std::string_view b);
// Jaro-Winkler similarity, 0 to 1, of the first 64 bytes of each.
double JaroWinkler(std::string_view a, std::string_view b);
// 1 - Levenshtein distance / longer length; a result certain to be under `floor` may be 0.
double EditSimilarity(std::string_view a, std::string_view b, double floor = 0.0);

// Groups of likely duplicates among the workspace's leads:
// {groups: [{ids, similarity, reasons: [{rule, field, ids, values, similarity}]}], total,
//  truncated, comparedPairs}. A group is a connected component of pairs at least `minSimilarity` alike; its
// similarity is the weakest link of its strongest spanning tree (the level at which the group
// first holds together), and its reasons are that tree's links. Ids are oldest first; groups
// are sorted by similarity, then size, descending. Options: {minSimilarity (0 to 1, default
// 0.85), limit (groups returned, default 500), ids (only these leads)}. A bad option is an error
// whose path names it.
Result<nlohmann::json> FindDuplicates(const Workspace& ws, const nlohmann::json& options);

// What merging `ids` would give, without changing anything:
// {survivor, fields: [{field, values: [{id, value}], chosen, conflict}], merged: <lead JSON>}.
// The survivor (whose id the merged lead keeps) is the oldest lead unless `choices.survivor`
// names another. Each field takes the survivor's value when it has one, else the first among the
// others, most recently updated first; `choices.fields` picks a lead per field, e.g.
// {"phone": "lead-7", "custom.plan": "lead-9", "bant.budget": "lead-7"}. Stage brings its reason
// and dealValue its currency. BANT criteria default to the better-known status (met or not met
// over partly over unknown) with its evidence. Tags are united; events, touches and stage history
// are all kept, in time order; createdAt is the earliest. Only fields some lead has are listed.
Result<nlohmann::json> PreviewMerge(const Workspace& ws, std::span<const std::string> ids,
                                    const nlohmann::json& choices);

// The merges done in one workspace, with what each replaced, so they can be undone. The caller
// keeps it beside the workspace and persists it with ToJson.
class MergeJournal {
 public:
  // Merges as PreviewMerge shows, stamping the merged lead updated at `now_ms`: the merged lead
  // replaces the survivor and the others are removed. Returns {mergeId, survivor, removed, lead}.
  // Nothing changes, in the workspace or the journal, when it fails.
  Result<nlohmann::json> Merge(Workspace& ws, std::span<const std::string> ids,
                               const nlohmann::json& choices, int64_t now_ms);

  // Puts back exactly the leads a merge replaced. Refused (changing nothing) when the merge id is
  // unknown or already undone, when a removed lead's id is in use again, or when the merged lead
  // was changed since (edited, merged again or removed): undoing would silently lose that change,
  // so the later change must be undone or reverted first. Returns {mergeId, survivor, restored}.
  Result<nlohmann::json> Undo(Workspace& ws, std::string_view merge_id);

  size_t size() const { return entries_.size(); }

  // {format: "leadkit-merge-journal", version: 1, nextId, merges: [{mergeId, at, survivor,
  // removed, before: [lead JSON, ...], merged: <lead JSON>, undone}]}.
  nlohmann::json ToJson() const;
  static Result<MergeJournal> FromJson(const nlohmann::json& j);

 private:
  struct Entry {
    std::string id;
    int64_t at = 0;
    std::string survivor;
    std::vector<std::string> removed;
    std::vector<nlohmann::json> before;  // every merged lead as it was, survivor first
    nlohmann::json merged;               // the merged lead as stored
    bool undone = false;
  };
  std::vector<Entry> entries_;
  uint64_t next_id_ = 1;
};

}  // namespace leadkit
