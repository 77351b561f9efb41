#include "bench/results/workload.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/walks/registry.h"

namespace ttb::bench {
namespace {

constexpr const char* kLayouts[] = {"dense", "sparse", "aged"};
constexpr const char* kWriters[] = {"child_first_write", "parent_first_write",
                                    "second_write"};

// "{whole_table,cursor,per_page}": the registry's walks.
std::string WalkNames() {
  std::vector<std::string> names;
  for (const TableWalk* w : kWalks) names.push_back(w->name());
  return absl::StrCat("{", absl::StrJoin(names, ","), "}");
}

// How each parameter is spelt in a name, in error messages.
std::string Shape(Param p) {
  switch (p) {
    case Param::kLayout:
      return "{dense,sparse,aged}";
    case Param::kPercent:
      return "<k>pct";
    case Param::kWriter:
      return "{child_first_write,parent_first_write,second_write}";
    case Param::kCpus:
      return "<n>cpus";
    case Param::kSize:
      return "<N>MiB";
    case Param::kGranule:
      return "{4,16,64}KiB";
    case Param::kWalk:
      return WalkNames();
    case Param::kNone:
      break;
  }
  return "";
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

// Index of `text` in `names`, or -1.
template <size_t N>
int IndexOf(const char* const (&names)[N], absl::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<int>(i);
  }
  return -1;
}

// Reads one parameter into `w`; the error says what it must be.
absl::Status ParseParam(Param p, absl::string_view text, SimWorkload& w) {
  uint64_t n = 0;
  switch (p) {
    case Param::kLayout:
      if (const int i = IndexOf(kLayouts, text); i >= 0) {
        w.layout = static_cast<Layout>(i);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          "the layout must be dense, sparse or aged");
    case Param::kPercent:
      if (ParseNumber(text, "pct", 0, 100, n)) {
        w.percent = static_cast<int>(n);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError("k must be 0 to 100, as <k>pct");
    case Param::kWriter:
      if (const int i = IndexOf(kWriters, text); i >= 0) {
        w.writer = static_cast<Writer>(i);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError("unknown writer");
    case Param::kCpus:
      // The simulated machine has at most 32 CPUs.
      if (ParseNumber(text, "cpus", 1, 32, n)) {
        w.cpus = static_cast<int>(n);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          "the CPU count must be 1 to 32, as <n>cpus");
    case Param::kSize: {
      const uint64_t max = w.family->keeps_data
                               ? SimWorkload::kMaxMiB
                               : SimWorkload::kMaxMiBWithoutData;
      if (ParseNumber(text, "MiB", 1, max, n)) {
        w.mib = n;
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          absl::StrCat("the size must be 1 to ", max, " MiB, as <N>MiB"));
    }
    case Param::kGranule:
      if (ParseNumber(text, "KiB", 1, 64, n) &&
          std::find(std::begin(kGranulesKiB), std::end(kGranulesKiB), n) !=
              std::end(kGranulesKiB)) {
        w.granule_kib = static_cast<unsigned>(n);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          "the granule must be 4KiB, 16KiB or 64KiB");
    case Param::kWalk:
      w.walk = FindWalk(std::string(text).c_str());
      if (w.walk != nullptr) return absl::OkStatus();
      return absl::InvalidArgumentError(
          absl::StrCat("the walk must be one of ", WalkNames()));
    case Param::kNone:
      break;
  }
  return absl::InvalidArgumentError("unexpected part");
}

std::string Format(Param p, const SimWorkload& w) {
  switch (p) {
    case Param::kLayout:
      return LayoutName(w.layout);
    case Param::kPercent:
      return absl::StrCat(w.percent, "pct");
    case Param::kWriter:
      return kWriters[static_cast<int>(w.writer)];
    case Param::kCpus:
      return absl::StrCat(w.cpus, "cpus");
    case Param::kSize:
      return absl::StrCat(w.mib, "MiB");
    case Param::kGranule:
      return absl::StrCat(w.granule_kib, "KiB");
    case Param::kWalk:
      return w.walk != nullptr ? w.walk->name() : DefaultWalk().name();
    case Param::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string Shape(const WorkloadFamily& f, bool with_strategy) {
  std::string shape = f.name;
  if (with_strategy) shape += "/<strategy>";
  for (Param p : f.params) {
    if (p != Param::kNone) absl::StrAppend(&shape, "/", Shape(p));
  }
  return shape;
}

const char* LayoutName(Layout layout) {
  return kLayouts[static_cast<int>(layout)];
}

std::string SimWorkload::Name() const { return BenchmarkName(""); }

std::string SimWorkload::BenchmarkName(absl::string_view strategy) const {
  std::vector<std::string> parts = {family->name};
  if (!strategy.empty()) parts.emplace_back(strategy);
  for (Param p : family->params) {
    if (p != Param::kNone) parts.push_back(Format(p, *this));
  }
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<SimWorkload> SimWorkload::Parse(absl::string_view name,
                                               const Families& families) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  SimWorkload w;
  w.family = FindFamily(families, parts[0]);
  if (w.family == nullptr) {
    std::vector<std::string> shapes;
    for (const WorkloadFamily* f : families) shapes.push_back(Shape(*f, false));
    return absl::InvalidArgumentError(
        absl::StrCat("unknown workload '", name,
                     "' (known: ", absl::StrJoin(shapes, ", "), ")"));
  }
  const WorkloadFamily& f = *w.family;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "workload '", name, "': ", why, " (expected ", Shape(f, false), ")"));
  };
  size_t next = 1;
  for (Param p : f.params) {
    if (p == Param::kNone) continue;
    if (next >= parts.size()) return bad("wrong number of parts");
    if (const absl::Status s = ParseParam(p, parts[next++], w); !s.ok()) {
      return bad(s.message());
    }
  }
  if (next != parts.size()) return bad("wrong number of parts");
  return w;
}

const WorkloadFamily* FindFamily(const Families& families,
                                 absl::string_view name) {
  for (const WorkloadFamily* f : families) {
    if (name == f->name) return f;
  }
  return nullptr;
}

}  // namespace ttb::bench
