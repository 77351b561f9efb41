#include "bench/workload.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ttb::bench {
namespace {

struct Family {
  SimWorkload::Kind kind;
  const char* name;
  const char* shape;  // For error messages.
};

constexpr Family kFamilies[] = {
    {SimWorkload::Kind::kFork, "fork", "fork/{dense,sparse}/<N>MiB"},
    {SimWorkload::Kind::kForkExit, "fork_exit", "fork_exit/<N>MiB"},
    {SimWorkload::Kind::kForkResume, "fork_resume", "fork_resume/<N>MiB"},
    {SimWorkload::Kind::kForkWrite, "fork_write", "fork_write/<k>pct/<N>MiB"},
    {SimWorkload::Kind::kCowFault, "cow_fault",
     "cow_fault/{child_first_write,parent_first_write,second_write}"},
    {SimWorkload::Kind::kPingPong, "pingpong", "pingpong"},
    {SimWorkload::Kind::kSmpFork, "smp_fork", "smp_fork/<n>cpus/<N>MiB"},
};

constexpr const char* kWriters[] = {"child_first_write", "parent_first_write",
                                    "second_write"};

const Family& FamilyOf(SimWorkload::Kind kind) {
  for (const Family& f : kFamilies) {
    if (f.kind == kind) return f;
  }
  return kFamilies[0];
}

// "<digits><suffix>" within [lo, hi].
bool ParseNumber(absl::string_view text, absl::string_view suffix, uint64_t lo,
                 uint64_t hi, uint64_t& out) {
  if (!absl::ConsumeSuffix(&text, suffix) || text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, &out) && out >= lo && out <= hi;
}

}  // namespace

std::string SimWorkload::Name() const { return BenchmarkName(""); }

std::string SimWorkload::BenchmarkName(absl::string_view strategy) const {
  std::vector<std::string> parts = {FamilyOf(kind).name};
  if (!strategy.empty()) parts.emplace_back(strategy);
  const std::string size = absl::StrCat(mib, "MiB");
  switch (kind) {
    case Kind::kFork:
      parts.push_back(layout == Layout::kDense ? "dense" : "sparse");
      parts.push_back(size);
      break;
    case Kind::kForkExit:
    case Kind::kForkResume:
      parts.push_back(size);
      break;
    case Kind::kForkWrite:
      parts.push_back(absl::StrCat(percent, "pct"));
      parts.push_back(size);
      break;
    case Kind::kCowFault:
      parts.push_back(kWriters[static_cast<int>(writer)]);
      break;
    case Kind::kPingPong:
      break;
    case Kind::kSmpFork:
      parts.push_back(absl::StrCat(cpus, "cpus"));
      parts.push_back(size);
      break;
  }
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<SimWorkload> SimWorkload::Parse(absl::string_view name) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  const Family* family = nullptr;
  for (const Family& f : kFamilies) {
    if (parts[0] == f.name) family = &f;
  }
  if (family == nullptr) {
    std::vector<std::string> shapes;
    for (const Family& f : kFamilies) shapes.emplace_back(f.shape);
    return absl::InvalidArgumentError(
        absl::StrCat("unknown workload '", name,
                     "' (known: ", absl::StrJoin(shapes, ", "), ")"));
  }
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "workload '", name, "': ", why, " (expected ", family->shape, ")"));
  };
  SimWorkload w;
  w.kind = family->kind;
  auto size = [&](absl::string_view text) {
    return ParseNumber(text, "MiB", 1, kMaxMiB, w.mib);
  };
  const std::string size_error =
      absl::StrCat("the size must be 1 to ", kMaxMiB, " MiB, as <N>MiB");
  const size_t want = w.kind == Kind::kPingPong     ? 1
                      : w.kind == Kind::kForkExit   ? 2
                      : w.kind == Kind::kForkResume ? 2
                      : w.kind == Kind::kCowFault   ? 2
                                                    : 3;
  if (parts.size() != want) return bad("wrong number of parts");
  uint64_t n = 0;
  switch (w.kind) {
    case Kind::kFork:
      if (parts[1] != "dense" && parts[1] != "sparse") {
        return bad("the layout must be dense or sparse");
      }
      w.layout = parts[1] == "dense" ? Layout::kDense : Layout::kSparse;
      if (!size(parts[2])) return bad(size_error);
      break;
    case Kind::kForkExit:
    case Kind::kForkResume:
      if (!size(parts[1])) return bad(size_error);
      break;
    case Kind::kForkWrite:
      if (!ParseNumber(parts[1], "pct", 0, 100, n)) {
        return bad("k must be 0 to 100, as <k>pct");
      }
      w.percent = static_cast<int>(n);
      if (!size(parts[2])) return bad(size_error);
      break;
    case Kind::kCowFault: {
      bool found = false;
      for (int i = 0; i < 3; ++i) {
        if (parts[1] == kWriters[i]) {
          w.writer = static_cast<Writer>(i);
          found = true;
        }
      }
      if (!found) return bad("unknown writer");
      break;
    }
    case Kind::kPingPong:
      break;
    case Kind::kSmpFork:
      // The simulated machine has at most 32 CPUs.
      if (!ParseNumber(parts[1], "cpus", 1, 32, n)) {
        return bad("the CPU count must be 1 to 32, as <n>cpus");
      }
      w.cpus = static_cast<int>(n);
      if (!size(parts[2])) return bad(size_error);
      break;
  }
  return w;
}

}  // namespace ttb::bench
