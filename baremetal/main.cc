// The bare-metal image's kernel: identifies the CPU, turns on the MMU over
// the kernel's identity mapping, then runs its checks and reports each as
// one line on the UART. The exit status is 0 when every check passed.
#include "baremetal/clock.h"
#include "baremetal/console.h"
#include "baremetal/kernel.h"
#include "baremetal/micro_benchmarks.h"
#include "baremetal/mmu.h"
#include "baremetal/semihosting.h"
#include "baremetal/suite.h"
#include "baremetal/sysreg.h"
#include "baremetal/walker_check.h"
#include "engine/frame_pool.h"
#include "engine/table.h"

extern "C" char __image_end[];

namespace ttb::baremetal {
namespace {

// QEMU is started with -m 256M: RAM is [0x4000_0000, 0x5000_0000).
constexpr uintptr_t kRamEnd = 0x5000'0000;
// The top of RAM, kept out of the 4 KiB pool: the walker check's tables in
// a larger granule come from a pool of that granule's frames made here.
constexpr uintptr_t kGranulePoolBytes = 4 << 20;
constexpr uintptr_t kGranulePoolBase = kRamEnd - kGranulePoolBytes;

Table kernel_root;
FramePool pool;

// The walker check in regime `r`, one line; returns its mismatches.
uint64_t CheckWalker(FramePool& frames, const Regime& r, uint64_t cases) {
  const WalkerCheckResult w = RunWalkerCheck(frames, r, cases);
  Print("{\"event\":\"walker_check\",\"granule_kib\":");
  PrintDec(r.granule_bytes() >> 10);
  Print(",\"va_bits\":");
  PrintDec(r.va_bits);
  Print(",\"cases\":");
  PrintDec(w.cases);
  Print(",\"translations\":");
  PrintDec(w.translations);
  Print(",\"faults\":");
  PrintDec(w.faults);
  Print(",\"mismatches\":");
  PrintDec(w.mismatches);
  Print("}\n");
  return w.mismatches;
}

}  // namespace
}  // namespace ttb::baremetal

using namespace ttb;
using namespace ttb::baremetal;

extern "C" [[noreturn]] void unexpected_exception() {
  // The UART may not be mapped in the current tables or regime.
  UseBootTables();
  Print("unexpected exception: ESR_EL1 ");
  PrintHex(TTB_READ_SYSREG(esr_el1));
  Print(" ELR_EL1 ");
  PrintHex(TTB_READ_SYSREG(elr_el1));
  Print(" FAR_EL1 ");
  PrintHex(TTB_READ_SYSREG(far_el1));
  Print("\n");
  semihosting_exit(3);
}

// The image's ValueOfError (engine/status.h): an error event, then a
// failing exit.
[[noreturn]] void ttb::ValueOfError(Status s) {
  Print("{\"event\":\"error\",\"what\":\"value() of a Result that holds ");
  Print(StatusName(s));
  Print("\"}\n");
  semihosting_exit(4);
}

extern "C" uint64_t kernel_main() {
  const uint64_t midr = TTB_READ_SYSREG(midr_el1);
  const uint64_t isar0 = TTB_READ_SYSREG(id_aa64isar0_el1);
  Print("{\"event\":\"boot\",\"el\":");
  PrintDec(TTB_READ_SYSREG(CurrentEL) >> 2);
  Print(",\"midr\":\"");
  PrintHex(midr);
  // ID_AA64ISAR0_EL1.TLB, bits 59:56: 2 means FEAT_TLBIRANGE.
  Print("\",\"tlbi_range\":");
  Print(((isar0 >> 56) & 0xF) >= 2 ? "true" : "false");
  Print(",\"pmu\":");
  Print(EnableCycleCounter() ? "true" : "false");
  Print(",\"cntfrq\":");
  PrintDec(TTB_READ_SYSREG(cntfrq_el0));
  Print(",\"granules_kib\":[");
  const char* separator = "";
  constexpr unsigned kGranuleShifts[] = {12, 14, 16};
  for (unsigned shift : kGranuleShifts) {
    if (!HasGranule(shift)) continue;
    Print(separator);
    PrintDec(1u << (shift - 10));
    separator = ",";
  }
  Print("]}\n");

  const Suite& suite = ChosenSuite();
  Print("{\"event\":\"suite\",\"name\":\"");
  Print(suite.name);
  Print("\"}\n");
  const auto root = reinterpret_cast<PhysAddr>(&kernel_root);
  InstallKernelMapping(kernel_root.entries);
  EnableMmu(root);

  const auto start = reinterpret_cast<uintptr_t>(__image_end);
  if (pool.Init(__image_end, start, kGranulePoolBase - start, 12, false) !=
      Status::kOk) {
    Print("{\"event\":\"error\",\"what\":\"frame pool\"}\n");
    return 2;
  }
  Print("{\"event\":\"mmu\",\"frames\":");
  PrintDec(pool.capacity());
  Print("}\n");

  uint64_t mismatches = 0;
  constexpr Regime kRegimes[] = {kRegime, kRegime48, kRegime16K, kRegime64K,
                                 kRegime64K48};
  for (const Regime& regime : kRegimes) {
    if (!HasGranule(regime.granule_shift)) continue;
    if (regime.granule_shift == 12) {
      mismatches += CheckWalker(pool, regime, suite.walker_cases);
      continue;
    }
    FramePool frames;
    if (frames.Init(reinterpret_cast<void*>(kGranulePoolBase), kGranulePoolBase,
                    kGranulePoolBytes, regime.granule_shift,
                    false) != Status::kOk) {
      Print("{\"event\":\"error\",\"what\":\"granule frame pool\"}\n");
      return 2;
    }
    mismatches += CheckWalker(frames, regime, suite.walker_cases);
  }
  RunMicroBenchmarks(pool, suite.micro_iterations);
  // The processes' pools, one granule at a time, take over this one's
  // memory.
  RunForkTests(start, kGranulePoolBase - start, mismatches == 0 ? 0 : 1);
}
