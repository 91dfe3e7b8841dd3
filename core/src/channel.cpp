#include "leadkit/channel.hpp"

namespace leadkit {

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kInbound: return "inbound";
    case Direction::kOutbound: return "outbound";
    case Direction::kUnknown: break;
  }
  return "unknown";
}

std::optional<Direction> ParseDirection(std::string_view name) {
  if (name == "inbound") return Direction::kInbound;
  if (name == "outbound") return Direction::kOutbound;
  if (name == "unknown") return Direction::kUnknown;
  return std::nullopt;
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

ChannelMap::ChannelMap() {
  for (const char* in : {"website_form", "content_download", "webinar", "ebook", "whitepaper",
                         "organic_search", "paid_ads", "social", "event", "contest", "referral"}) {
    channels_.emplace(in, Direction::kInbound);
  }
  for (const char* out : {"cold_call", "cold_email", "linkedin", "in_person", "purchased_list"}) {
    channels_.emplace(out, Direction::kOutbound);
  }
  channels_.emplace("unknown", Direction::kUnknown);
}

std::optional<Direction> ChannelMap::Find(std::string_view channel) const {
  const auto it = channels_.find(channel);
  if (it == channels_.end()) return std::nullopt;
  return it->second;
}

Status ChannelMap::Set(std::string_view channel, Direction direction) {
  if (!IsIdentifier(channel)) {
    return MakeError("a channel name is lower_snake_case, 1 to 64 characters, got \"" +
                     std::string(channel.substr(0, 64)) + "\"");
  }
  channels_.insert_or_assign(std::string(channel), direction);
  return Ok{};
}

}  // namespace leadkit
