// A workspace's pipeline settings as one versionable JSON document: the qualification framework
// in use (and any of the user's own), the lifecycle's allowed moves, stage guards and reason lists,
// and the outbound cadences. Members left out keep their defaults.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "leadkit/cadence.hpp"
#include "leadkit/lifecycle.hpp"
#include "leadkit/qualification.hpp"
#include "leadkit/result.hpp"

namespace leadkit {

class Pipeline {
 public:
  Pipeline();
  // {framework, frameworks: [...], transitions: {stage: [stage, ...]}, guards: {stage: {...}},
  //  reasons: {lost: [{key, label}], disqualified: [...]}, cadences: [...]}. Errors name the path.
  static Result<Pipeline> FromJson(const nlohmann::json& doc);
  // Every member, defaults filled in: what a settings screen shows and a backup stores.
  nlohmann::json ToJson() const;
  const nlohmann::json& source() const { return source_; }  // as given; {} for the defaults

  const Framework& framework() const { return frameworks_[active_]; }
  const Framework* FindFramework(std::string_view key) const;
  const std::vector<Framework>& frameworks() const { return frameworks_; }
  const Lifecycle& lifecycle() const { return lifecycle_; }
  const Cadence* FindCadence(std::string_view key) const;
  const std::vector<Cadence>& cadences() const { return cadences_; }

 private:
  std::vector<Framework> frameworks_;  // built-ins, then the user's (same key replaces)
  size_t active_ = 0;
  Lifecycle lifecycle_;
  std::vector<Cadence> cadences_;
  nlohmann::json source_ = nlohmann::json::object();
};

}  // namespace leadkit
