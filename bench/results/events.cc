#include "bench/results/events.h"

namespace ttb::bench {
namespace {

// Names() by name: its index.
const std::map<std::string, size_t, std::less<>>& IndexOfName() {
  static const auto* index = [] {
    auto* map = new std::map<std::string, size_t, std::less<>>;
    for (size_t i = 0; i < Events::Names().size(); ++i) {
      (*map)[Events::Names()[i]] = i;
    }
    return map;
  }();
  return *index;
}

}  // namespace

const std::vector<std::string>& Events::Names() {
  static const auto* names = [] {
    auto* list = new std::vector<std::string>(kAllEventCount);
    for (int op = 0; op < tlbi::kOpCount; ++op) {
      for (const bool inner : {false, true}) {
        const auto o = static_cast<tlbi::Op>(op);
        (*list)[TlbiEventIndex(o, inner)] = TlbiEventName(o, inner).c_str();
      }
    }
    for (int b = 0; b < kBarrierCount; ++b) {
      (*list)[DsbEventIndex(static_cast<Barrier>(b))] =
          DsbEventName(static_cast<Barrier>(b)).c_str();
    }
    for (int e = 0; e < kEventCount; ++e) {
      (*list)[EventIndex(static_cast<Event>(e))] =
          EventName(static_cast<Event>(e));
    }
    return list;
  }();
  return *names;
}

bool Events::Known(std::string_view name) {
  return IndexOfName().count(name) != 0;
}

Events& Events::operator+=(const Events& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  for (const auto& [name, value] : other.added_) added_[name] += value;
  return *this;
}

Events Events::operator-(const Events& other) const {
  Events d = *this;
  for (size_t i = 0; i < counts_.size(); ++i) d.counts_[i] -= other.counts_[i];
  for (const auto& [name, value] : other.added_) d.added_[name] -= value;
  return d;
}

uint64_t Events::get(std::string_view name) const {
  const auto& index = IndexOfName();
  if (auto it = index.find(name); it != index.end()) {
    return counts_[it->second];
  }
  auto it = added_.find(name);
  return it == added_.end() ? 0 : it->second;
}

}  // namespace ttb::bench
