// per_page: the seed kernel's walk. Every page of the parent is looked up
// from the root, and so is the child's slot for it: in a 48-bit regime four
// descriptor reads per page on the parent's side and three on the child's,
// however many pages share a table.
#ifndef TTBENCH_ENGINE_WALKS_PER_PAGE_H_
#define TTBENCH_ENGINE_WALKS_PER_PAGE_H_

#include "engine/walks/va_order.h"

namespace ttb {

class PerPageWalk final : public VaOrderWalk {
 public:
  constexpr PerPageWalk() : VaOrderWalk(/*keep_path=*/false) {}
  const char* name() const override { return "per_page"; }
  const char* summary() const override {
    return "the seed's: each page looked up from the root, in parent and "
           "child";
  }
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKS_PER_PAGE_H_
