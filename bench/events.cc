#include "bench/events.h"

#include "absl/strings/str_cat.h"

namespace ttb::bench {
namespace {

// Calls fn(name, value) for every counter; with no machine, values are 0.
template <typename Fn>
void ForEachCounter(sim::Machine* m, Fn&& fn) {
  const ArchCounters* a = m ? &m->system().counters() : nullptr;
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    const char* name = tlbi::OpName(static_cast<tlbi::Op>(op));
    fn(absl::StrCat("tlbi.", name), a ? a->tlbi[op][0] : 0);
    fn(absl::StrCat("tlbi.", name, "is"), a ? a->tlbi[op][1] : 0);
  }
  for (int b = 0; b < kBarrierCount; ++b) {
    fn(absl::StrCat("dsb.", BarrierName(static_cast<Barrier>(b))),
       a ? a->dsb[b] : 0);
  }
  fn("isb", a ? a->isb : 0);
  fn("ttbr0_writes", a ? a->ttbr0_writes : 0);
  const sim::MachineCounters* c = m ? &m->counters() : nullptr;
  fn("walks", c ? c->walks : 0);
  fn("descriptor_reads", m ? m->descriptor_reads() : 0);
  fn("tlb_hits", c ? c->tlb_hits : 0);
  fn("faults", c ? c->faults_handled + c->faults_delivered : 0);
  fn("context_switches", c ? c->context_switches : 0);
  fn("ipis", c ? c->ipis : 0);
  const FramePoolStats* p = m ? &m->pool().stats() : nullptr;
  fn("pages_copied", p ? p->copies : 0);
  fn("tables_allocated", p ? p->allocations - p->copies : 0);
  fn("frames_shared", p ? p->shares : 0);
}

}  // namespace

Events Events::Of(sim::Machine& m) {
  Events e;
  ForEachCounter(&m, [&](std::string name, uint64_t value) {
    e.values_[std::move(name)] = value;
  });
  return e;
}

const std::set<std::string>& Events::Names() {
  static const auto* names = [] {
    auto* set = new std::set<std::string>;
    ForEachCounter(nullptr,
                   [&](std::string name, uint64_t) { set->insert(name); });
    return set;
  }();
  return *names;
}

Events& Events::operator+=(const Events& other) {
  for (const auto& [name, value] : other.values_) values_[name] += value;
  return *this;
}

Events Events::operator-(const Events& other) const {
  Events d = *this;
  for (const auto& [name, value] : other.values_) d.values_[name] -= value;
  return d;
}

uint64_t Events::get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? 0 : it->second;
}

}  // namespace ttb::bench
