// The bare-metal kernel's EL0 workload (baremetal/user_program.S), replayed
// on the simulated machine: one CPU, the image's regime, the same mappings,
// the same order of context switches. Prints one line per strategy in the
// image's format, so the two worlds' counts can be compared line by line.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/names.h"
#include "engine/sim/machine.h"
#include "reference_model.h"
#include "variants/registry.h"

namespace ttb {
namespace {

constexpr VirtAddr kText = 0x8000'0000;
constexpr VirtAddr kData = 0x1'0000'0000;
constexpr VirtAddr kStack = 0x2'0000'0000;
constexpr uint64_t kDataPages = 64;

std::string Run(Strategy<sim::SimArch>& strategy, bool range_tlbi) {
  sim::MachineConfig config;
  config.regime = Regime{12, 39, 40};  // As baremetal/mmu.h.
  config.range_tlbi = range_tlbi;
  config.memory_bytes = 64ull << 20;
  auto m = *sim::Machine::Create(config, strategy);
  const sim::Pid parent = m->Spawn(0).value();
  bool ok =
      m->Map(0, parent, kText, 1,
             testing::PageAttrs(testing::Perm::kReadExec)) == Status::kOk &&
      m->Map(0, parent, kData, kDataPages,
             testing::PageAttrs(testing::Perm::kReadWrite)) == Status::kOk &&
      m->Map(0, parent, kStack, 4,
             testing::PageAttrs(testing::Perm::kReadWrite)) == Status::kOk;
  auto page = [](uint64_t i) { return kData + i * 4096; };
  // Reads page i's first byte, expects `want`, writes `value`, reads it back.
  auto visit = [&](sim::Pid pid, uint64_t i, uint8_t want, uint8_t value) {
    uint8_t byte = 0;
    ok &= m->Read(0, pid, page(i), {&byte, 1}).ok && byte == want;
    ok &= m->Write(0, pid, page(i), {&value, 1}).ok;
    ok &= m->Read(0, pid, page(i), {&byte, 1}).ok && byte == value;
  };
  m->Run(0, parent);
  for (uint64_t i = 0; i < kDataPages; ++i) {
    const auto v = static_cast<uint8_t>(i);
    ok &= m->Write(0, parent, page(i), {&v, 1}).ok;
  }
  const sim::Pid child = m->Fork(0, parent).value();
  m->Run(0, child);  // The parent waits: the child runs.
  for (uint64_t i = 0; i < kDataPages; ++i) visit(child, i, uint8_t(i), 0xAA);
  m->Exit(0, child);
  m->Run(0, parent);
  for (uint64_t i = 0; i < kDataPages; ++i) visit(parent, i, uint8_t(i), 0x55);
  m->Exit(0, parent);

  const ArchCounters& a = m->system().counters();
  std::string line = absl::StrCat(
      "{\"event\":\"fork_test\",\"strategy\":\"", strategy.name(),
      "\",\"status\":", ok ? 0 : 1, ",\"faults\":",
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
  const bool range = argc > 1 && std::strcmp(argv[1], "--range_tlbi") == 0;
  for (ttb::Strategy<ttb::sim::SimArch>* s :
       ttb::kStrategies<ttb::sim::SimArch>) {
    std::printf("%s\n", ttb::Run(*s, range).c_str());
  }
}
