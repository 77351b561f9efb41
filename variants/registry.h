// Every strategy, by name. Tests, benchmarks and reports iterate this list,
// so a new strategy is one header and one line here.
#ifndef TTBENCH_VARIANTS_REGISTRY_H_
#define TTBENCH_VARIANTS_REGISTRY_H_

#include "variants/asid_tagged.h"
#include "variants/async_fork.h"
#include "variants/batched_tlbi.h"
#include "variants/eager_copy.h"
#include "variants/lazy_cow.h"
#include "variants/linux_fork.h"
#include "variants/shared_tables.h"
#include "variants/untagged.h"

namespace ttb {

// One instance of each strategy per Arch, constant-initialised (no heap, no
// guarded statics), so the bare-metal image links the same list. Instances
// hold only tunables and scratch space: use one machine at a time each.
template <typename S>
constinit inline S strategy_instance{};

template <Arch A>
inline Strategy<A>* const kStrategies[] = {
    &strategy_instance<EagerCopy<A>>,   &strategy_instance<LazyCow<A>>,
    &strategy_instance<BatchedTlbi<A>>, &strategy_instance<AsidTagged<A>>,
    &strategy_instance<Untagged<A>>,    &strategy_instance<SharedTables<A>>,
    &strategy_instance<LinuxFork<A>>,   &strategy_instance<AsyncFork<A>>,
};

template <Arch A>
constexpr int StrategyCount() {
  return sizeof(kStrategies<A>) / sizeof(kStrategies<A>[0]);
}

// nullptr when no strategy has that name.
template <Arch A>
Strategy<A>* FindStrategy(const char* name) {
  for (Strategy<A>* s : kStrategies<A>) {
    if (SameName(s->name(), name)) return s;
  }
  return nullptr;
}

}  // namespace ttb

#endif  // TTBENCH_VARIANTS_REGISTRY_H_
