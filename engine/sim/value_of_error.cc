// The host's ValueOfError (engine/status.h).
#include <cstdio>
#include <cstdlib>

#include "engine/status.h"

namespace ttb {

void ValueOfError(Status s) {
  std::fprintf(stderr, "ttbench: value() of a Result that holds '%s'\n",
               StatusName(s));
  std::abort();
}

}  // namespace ttb
