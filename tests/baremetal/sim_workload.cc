// The bare-metal kernel's EL0 workload (baremetal/user_program.S), replayed
// on the simulated machine: one CPU, the image's layouts (regime and
// mapping), the same order of context switches. Prints one line per layout
// and strategy in the image's format, so the two worlds' counts can be
// compared line by line.
//   sim_workload [--range_tlbi] --granules_kib=4,16,64
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "baremetal/layouts.h"
#include "engine/names.h"
#include "engine/sim/machine.h"
#include "reference_model.h"
#include "variants/registry.h"

namespace ttb {
namespace {

using baremetal::Layout;

// The layout's data as the image maps it (baremetal/kernel.cc).
bool MapData(sim::Machine& m, sim::Pid pid, const Layout& layout) {
  return baremetal::MapLayoutData(
      layout, testing::PageAttrs(testing::Perm::kReadWrite),
      m.process(pid)->space,
      [&](VirtAddr va, uint64_t pages, Descriptor attrs) {
        return m.Map(0, pid, va, pages, attrs);
      },
      [&](VirtAddr va, uint64_t pages, Descriptor attrs) {
        return m.MapBlocks(0, pid, va, pages, attrs);
      });
}

std::string Run(const Layout& layout, Strategy<sim::SimArch>& strategy,
                bool range_tlbi) {
  const Regime& r = layout.regime;
  sim::MachineConfig config;
  config.regime = r;
  config.range_tlbi = range_tlbi;
  config.memory_bytes = 256ull << 20;  // QEMU's -m 256M.
  auto m = *sim::Machine::Create(config, strategy);
  const sim::Pid parent = m->Spawn(0).value();
  bool ok =
      m->Map(0, parent, baremetal::TextVa(r), 1,
             testing::PageAttrs(testing::Perm::kReadExec)) == Status::kOk &&
      MapData(*m, parent, layout) &&
      m->Map(0, parent, baremetal::StackVa(r), baremetal::kStackPages,
             testing::PageAttrs(testing::Perm::kReadWrite)) == Status::kOk;
  const uint64_t pages = layout.data_pages;
  auto page = [&](uint64_t i) {
    return baremetal::DataVa(r) + (i << r.granule_shift);
  };
  // Reads page i's first byte, expects `want`, writes `value`, reads it back.
  auto visit = [&](sim::Pid pid, uint64_t i, uint8_t want, uint8_t value) {
    uint8_t byte = 0;
    ok &= m->Read(0, pid, page(i), {&byte, 1}).ok && byte == want;
    ok &= m->Write(0, pid, page(i), {&value, 1}).ok;
    ok &= m->Read(0, pid, page(i), {&byte, 1}).ok && byte == value;
  };
  m->Run(0, parent);
  for (uint64_t i = 0; i < pages; ++i) {
    const auto v = static_cast<uint8_t>(i);
    ok &= m->Write(0, parent, page(i), {&v, 1}).ok;
  }
  const sim::Pid child = m->Fork(0, parent).value();
  m->Run(0, child);  // The parent waits: the child runs.
  // As the image's switch does: the child's background work, all of it.
  for (Result<bool> step = true; step.ok() && step.value();) {
    step = m->Background(0, child);
  }
  for (uint64_t i = 0; i < pages; ++i) visit(child, i, uint8_t(i), 0xAA);
  m->Exit(0, child);
  m->Run(0, parent);
  for (uint64_t i = 0; i < pages; ++i) visit(parent, i, uint8_t(i), 0x55);
  m->Exit(0, parent);

  const ArchCounters& a = m->system().counters();
  std::string line = absl::StrCat(
      "{\"event\":\"fork_test\",\"granule_kib\":", r.granule_bytes() >> 10,
      ",\"mapping\":\"", baremetal::MappingName(layout.mapping),
      "\",\"strategy\":\"", strategy.name(), "\",\"status\":", ok ? 0 : 1,
      ",\"faults\":",
      m->counters().faults_handled + m->counters().faults_delivered,
      ",\"pages_copied\":", m->pool().stats().copies,
      ",\"frames_shared\":", m->pool().stats().shares);
  for (int op = 0; op < tlbi::kOpCount; ++op) {
    for (int sh = 0; sh < 2; ++sh) {
      if (a.tlbi[op][sh] == 0) continue;
      absl::StrAppend(&line, ",\"",
                      TlbiEventName(static_cast<tlbi::Op>(op), sh == 1).c_str(),
                      "\":", a.tlbi[op][sh]);
    }
  }
  return line + "}";
}

}  // namespace
}  // namespace ttb

int main(int argc, char** argv) {
  bool range = false;
  std::vector<uint64_t> granules_kib;
  for (int i = 1; i < argc; ++i) {
    constexpr const char* kGranules = "--granules_kib=";
    if (std::strcmp(argv[i], "--range_tlbi") == 0) {
      range = true;
    } else if (std::strncmp(argv[i], kGranules, std::strlen(kGranules)) == 0) {
      for (const absl::string_view kib :
           absl::StrSplit(argv[i] + std::strlen(kGranules), ',')) {
        uint64_t n = 0;
        if (!absl::SimpleAtoi(kib, &n)) {
          std::fprintf(stderr, "not a granule size in KiB: %s\n", argv[i]);
          return 2;
        }
        granules_kib.push_back(n);
      }
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      return 2;
    }
  }
  for (const ttb::baremetal::Layout& layout : ttb::baremetal::kLayouts) {
    const uint64_t kib = layout.regime.granule_bytes() >> 10;
    if (std::find(granules_kib.begin(), granules_kib.end(), kib) ==
        granules_kib.end()) {
      continue;
    }
    for (ttb::Strategy<ttb::sim::SimArch>* s :
         ttb::kStrategies<ttb::sim::SimArch>) {
      std::printf("%s\n", ttb::Run(layout, *s, range).c_str());
    }
  }
}
