#include "leadkit/channel.hpp"

#include <algorithm>

#include "leadkit/lead.hpp"

namespace leadkit {

using nlohmann::json;

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

std::string SourceValueKey(std::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string ChannelLabel(std::string_view channel) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"website_form", "Website form"}, {"content_download", "Content download"},
      {"webinar", "Webinar"}, {"ebook", "E-book"}, {"whitepaper", "Whitepaper"},
      {"organic_search", "Organic search"}, {"paid_ads", "Paid ads"}, {"social", "Social"},
      {"event", "Event"}, {"contest", "Contest"}, {"referral", "Referral"},
      {"cold_call", "Cold call"}, {"cold_email", "Cold e-mail"}, {"linkedin", "LinkedIn"},
      {"in_person", "In person"}, {"purchased_list", "Purchased list"}, {"unknown", "Unknown"},
      {"seo", "SEO"}};
  for (const auto& [name, label] : kLabels) {
    if (name == channel) return std::string(label);
  }
  std::string out(channel);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string ChannelNameFor(std::string_view value) {
  std::string out;
  bool gap = false;
  for (unsigned char c : value) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      gap = !out.empty();
      continue;
    }
    if (gap) out.push_back('_');
    gap = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  if (out.empty()) return out;
  if (out[0] < 'a' || out[0] > 'z') out = "source_" + out;
  if (out.size() > 64) out.resize(64);
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
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

Status ChannelMap::SetValue(std::string_view value, std::string_view channel) {
  if (!Find(channel)) return MakeError("unknown channel \"" + std::string(channel.substr(0, 64)) + "\"");
  std::string key = SourceValueKey(value);
  if (key.empty() || value.size() > 256) {
    return MakeError("a source value has 1 to 256 bytes with a letter or digit, got \"" +
                     std::string(value.substr(0, 64)) + "\"");
  }
  values_.insert_or_assign(std::move(key), SourceValue{std::string(value), std::string(channel)});
  return Ok{};
}

std::optional<std::string_view> ChannelMap::FindValue(std::string_view value) const {
  if (values_.empty()) return std::nullopt;
  const auto it = values_.find(SourceValueKey(value));
  if (it == values_.end()) return std::nullopt;
  return std::string_view(it->second.channel);
}

json ChannelMap::ToJson() const {
  json out = json::object();
  for (const auto& [name, dir] : channels_) out[name] = DirectionName(dir);
  for (const auto& [key, v] : values_) {
    json& entry = out[v.channel];
    if (entry.is_string()) entry = json{{"direction", entry}, {"values", json::array()}};
    entry["values"].push_back(v.value);
  }
  return out;
}

Status ChannelMap::Apply(const json& doc, const std::string& path) {
  if (!doc.is_object()) {
    return MakeError("expected an object of channel: direction, got " + DescribeJsonValue(doc), path);
  }
  ChannelMap next = *this;
  for (const auto& [name, entry] : doc.items()) {
    const std::string p = path + "." + name.substr(0, 64);
    const json* dir = &entry;
    const json* values = nullptr;
    if (entry.is_object()) {
      for (const auto& [key, member] : entry.items()) {
        if (key != "direction" && key != "values") {
          return MakeError("unknown member \"" + key.substr(0, 64) + "\"; a channel has a direction and values",
                           p);
        }
      }
      const auto d = entry.find("direction");
      dir = d == entry.end() ? nullptr : &*d;
      const auto v = entry.find("values");
      if (v != entry.end()) values = &*v;
    }
    if (dir) {
      const auto d = dir->is_string() ? ParseDirection(dir->get_ref<const std::string&>()) : std::nullopt;
      if (!d) return MakeError("expected \"inbound\", \"outbound\" or \"unknown\", got " + DescribeJsonValue(*dir), p);
      if (auto s = next.Set(name, *d); !s) return Error{s.error().message, Location{p}};
    } else if (!next.Find(name)) {
      return MakeError("a new channel needs a direction: \"inbound\", \"outbound\" or \"unknown\"",
                       p + ".direction");
    }
    if (values) {
      if (!values->is_array()) {
        return MakeError("expected an array of source values, got " + DescribeJsonValue(*values), p + ".values");
      }
      for (size_t i = 0; i < values->size(); ++i) {
        const json& v = (*values)[i];
        const std::string vp = p + ".values[" + std::to_string(i) + "]";
        if (!v.is_string()) return MakeError("expected a source value as text, got " + DescribeJsonValue(v), vp);
        if (auto s = next.SetValue(v.get_ref<const std::string&>(), name); !s) {
          return Error{s.error().message, Location{vp}};
        }
      }
    }
  }
  *this = std::move(next);
  return Ok{};
}

}  // namespace leadkit
