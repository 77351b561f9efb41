#include "bench/events.h"

#include "absl/strings/str_cat.h"

namespace ttb::bench {
namespace {

// Calls fn(name, value) for every counter, in one fixed order; `name` is
// a callable making the counter's name, so snapshots build no strings.
// With no machine, values are 0.
template <typename Fn>
void ForEachCounter(sim::Machine* m, Fn&& fn) {
  auto is = [](const char* s) { return [s] { return std::string(s); }; };
  const ArchCounters* a = m ? &m->system().counters() : nullptr;
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    const char* name = tlbi::OpName(static_cast<tlbi::Op>(op));
    fn([name] { return absl::StrCat("tlbi.", name); }, a ? a->tlbi[op][0] : 0);
    fn([name] { return absl::StrCat("tlbi.", name, "is"); },
       a ? a->tlbi[op][1] : 0);
  }
  for (int b = 0; b < kBarrierCount; ++b) {
    const char* name = BarrierName(static_cast<Barrier>(b));
    fn([name] { return absl::StrCat("dsb.", name); }, a ? a->dsb[b] : 0);
  }
  fn(is("isb"), a ? a->isb : 0);
  fn(is("ttbr0_writes"), a ? a->ttbr0_writes : 0);
  const sim::MachineCounters* c = m ? &m->counters() : nullptr;
  fn(is("walks"), c ? c->walks : 0);
  fn(is("descriptor_reads"), m ? m->descriptor_reads() : 0);
  fn(is("tlb_hits"), c ? c->tlb_hits : 0);
  fn(is("faults"), c ? c->faults_handled + c->faults_delivered : 0);
  fn(is("context_switches"), c ? c->context_switches : 0);
  fn(is("ipis"), c ? c->ipis : 0);
  const FramePoolStats* p = m ? &m->pool().stats() : nullptr;
  fn(is("pages_copied"), p ? p->copies : 0);
  fn(is("tables_allocated"), p ? p->allocations - p->copies : 0);
  fn(is("frames_shared"), p ? p->shares : 0);
}

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

Events Events::Of(sim::Machine& m) {
  Events e;
  size_t i = 0;
  ForEachCounter(&m, [&](auto&&, uint64_t value) { e.machine_[i++] = value; });
  return e;
}

const std::vector<std::string>& Events::Names() {
  static const auto* names = [] {
    auto* list = new std::vector<std::string>;
    ForEachCounter(nullptr,
                   [&](auto&& name, uint64_t) { list->push_back(name()); });
    return list;
  }();
  return *names;
}

bool Events::Known(std::string_view name) {
  return IndexOfName().count(name) != 0;
}

Events& Events::operator+=(const Events& other) {
  for (size_t i = 0; i < machine_.size(); ++i) machine_[i] += other.machine_[i];
  for (const auto& [name, value] : other.added_) added_[name] += value;
  return *this;
}

Events Events::operator-(const Events& other) const {
  Events d = *this;
  for (size_t i = 0; i < machine_.size(); ++i)
    d.machine_[i] -= other.machine_[i];
  for (const auto& [name, value] : other.added_) d.added_[name] -= value;
  return d;
}

uint64_t Events::get(std::string_view name) const {
  const auto& index = IndexOfName();
  if (auto it = index.find(name); it != index.end()) {
    return machine_[it->second];
  }
  auto it = added_.find(name);
  return it == added_.end() ? 0 : it->second;
}

}  // namespace ttb::bench
