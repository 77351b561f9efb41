// cursor: each page looked up in VA order through a TableCursor, which
// keeps the path of tables the last lookup went through: the next page of
// the same table costs only its own entry, and one in the next table
// re-reads only the levels that changed.
#ifndef TTBENCH_ENGINE_WALKS_CURSOR_H_
#define TTBENCH_ENGINE_WALKS_CURSOR_H_

#include "engine/walks/va_order.h"

namespace ttb {

class CursorWalk final : public VaOrderWalk {
 public:
  constexpr CursorWalk() : VaOrderWalk(/*keep_path=*/true) {}
  const char* name() const override { return "cursor"; }
  const char* summary() const override {
    return "each page looked up in VA order by a cursor that keeps its "
           "path; only changed levels are re-read";
  }
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_WALKS_CURSOR_H_
