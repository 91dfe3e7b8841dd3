// Source channels and their direction: inbound (lead generation) or outbound (prospecting).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "leadkit/result.hpp"

namespace leadkit {

enum class Direction : uint8_t { kUnknown, kInbound, kOutbound };

std::string_view DirectionName(Direction d);
std::optional<Direction> ParseDirection(std::string_view name);

// The configurable mapping from channel name to direction. Starts with the field's usual channels;
// a workspace may add its own or redirect one. It also remembers which channel a source value
// written by a CRM stands for ("Direct Traffic", "Email Marketing"), as the user chose it when
// importing: the next import reads that value as that channel.
class ChannelMap {
 public:
  ChannelMap();  // the default channels

  std::optional<Direction> Find(std::string_view channel) const;
  // Names are lower_snake_case identifiers of at most 64 characters.
  Status Set(std::string_view channel, Direction direction);
  const std::map<std::string, Direction, std::less<>>& all() const { return channels_; }

  // A source value and the channel it stands for. Values compare by their letters and digits,
  // case-insensitively ("DIRECT_TRAFFIC" is "Direct Traffic"); `value` keeps the spelling last
  // given. The channel must exist; a value maps to one channel (setting it again moves it).
  struct SourceValue {
    std::string value;
    std::string channel;
  };
  Status SetValue(std::string_view value, std::string_view channel);
  // The channel a source value was mapped to, if it was.
  std::optional<std::string_view> FindValue(std::string_view value) const;
  const std::map<std::string, SourceValue, std::less<>>& values() const { return values_; }

  // {"webinar": "inbound", ..., "direct_traffic": {"direction": "inbound", "values": ["Direct
  // Traffic"]}}: a channel with source values mapped to it is an object, every other a direction.
  nlohmann::json ToJson() const;
  // Adds or redirects the channels of such an object; an entry {"values": [...]} without a
  // direction keeps the channel's. Errors name `path`.<channel>; nothing changes on an error.
  Status Apply(const nlohmann::json& doc, const std::string& path = "channels");

 private:
  std::map<std::string, Direction, std::less<>> channels_;
  std::map<std::string, SourceValue, std::less<>> values_;  // by SourceValueKey
};

bool IsIdentifier(std::string_view name);  // [a-z][a-z0-9_]*, up to 64 characters

// How a source value is compared: its ASCII letters lower-cased and its digits, nothing else
// ("Direct Traffic" → "directtraffic"). Other bytes (accented letters) are kept as they are.
std::string SourceValueKey(std::string_view value);

// What the app calls a channel: "website_form" → "Website form", "cold_email" → "Cold e-mail",
// "linkedin" → "LinkedIn"; a channel of the user's own reads as its words ("direct_traffic" →
// "Direct traffic").
std::string ChannelLabel(std::string_view channel);

// The channel name a source value would get as a channel of its own: "Direct Traffic" →
// "direct_traffic", "2024 Webinars" → "source_2024_webinars". "" when the value has no letter or
// digit.
std::string ChannelNameFor(std::string_view value);

}  // namespace leadkit
