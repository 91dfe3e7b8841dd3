// Source channels and their direction: inbound (lead generation) or outbound (prospecting).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "leadkit/result.hpp"

namespace leadkit {

enum class Direction : uint8_t { kUnknown, kInbound, kOutbound };

std::string_view DirectionName(Direction d);
std::optional<Direction> ParseDirection(std::string_view name);

// The configurable mapping from channel name to direction. Starts with the field's usual channels;
// a workspace may add its own or redirect one.
class ChannelMap {
 public:
  ChannelMap();  // the default channels

  std::optional<Direction> Find(std::string_view channel) const;
  // Names are lower_snake_case identifiers of at most 64 characters.
  Status Set(std::string_view channel, Direction direction);
  const std::map<std::string, Direction, std::less<>>& all() const { return channels_; }

 private:
  std::map<std::string, Direction, std::less<>> channels_;
};

bool IsIdentifier(std::string_view name);  // [a-z][a-z0-9_]*, up to 64 characters

}  // namespace leadkit
