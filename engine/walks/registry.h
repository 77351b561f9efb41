// Every table-walk strategy, by name. Tests, benchmarks and reports iterate
// this list, so a new walk is one header and one line here.
#ifndef TTBENCH_ENGINE_WALKS_REGISTRY_H_
#define TTBENCH_ENGINE_WALKS_REGISTRY_H_

#include "engine/strategy.h"
#include "engine/walks/cursor.h"
#include "engine/walks/per_page.h"
#include "engine/walks/whole_table.h"

namespace ttb {

// Constant-initialised, as the fork strategies are: the bare-metal image
// links the same list. Walks hold no state.
template <typename W>
constinit inline W walk_instance{};

// The first is the default: the fastest the committed default run measured
// (results/, section "Table walks").
inline const TableWalk* const kWalks[] = {
    &walk_instance<WholeTableWalk>,
    &walk_instance<CursorWalk>,
    &walk_instance<PerPageWalk>,
};

constexpr int WalkCount() { return sizeof(kWalks) / sizeof(kWalks[0]); }

inline const TableWalk& DefaultWalk() { return *kWalks[0]; }

// nullptr when no walk has that name.
inline const TableWalk* FindWalk(const char* name) {
  for (const TableWalk* w : kWalks) {
    if (SameName(w->name(), name)) return w;
  }
  return nullptr;
}

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKS_REGISTRY_H_
