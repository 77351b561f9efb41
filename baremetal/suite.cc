#include "baremetal/suite.h"

#include "baremetal/semihosting.h"

namespace ttb::baremetal {
namespace {

constexpr Suite kSuites[] = {
    {"quick", 1000, 500, {1, 16, 0}},
    {"default", 4000, 2000, {1, 16, 64}},
    {"full", 16000, 10000, {1, 16, 64}},
};

// Whether `text` contains "suite=<name>" ending at a space or the end.
bool Names(const char* text, const char* name) {
  for (const char* p = text; *p != '\0'; ++p) {
    const char* want = "suite=";
    const char* q = p;
    while (*want != '\0' && *q == *want) ++q, ++want;
    if (*want != '\0') continue;
    const char* n = name;
    while (*n != '\0' && *q == *n) ++q, ++n;
    if (*n == '\0' && (*q == '\0' || *q == ' ')) return true;
  }
  return false;
}

}  // namespace

const Suite& ChosenSuite() {
  char line[256];
  if (SemihostingCommandLine(line, sizeof(line))) {
    line[sizeof(line) - 1] = '\0';
    for (const Suite& s : kSuites) {
      if (Names(line, s.name)) return s;
    }
  }
  return kSuites[1];
}

}  // namespace ttb::baremetal
