#include "baremetal/micro_benchmarks.h"

#include "baremetal/clock.h"
#include "baremetal/hw_arch.h"
#include "engine/names.h"
#include "engine/tlb_maintenance.h"

namespace ttb::baremetal {
namespace {

constexpr Asid kIdleAsid = 77;  // No process uses it.

// `count` TLBIs and the one DSB that completes them: a TLBI alone only
// starts work. Named as TlbiBenchmarkName says; range forms cover 512
// pages.
void TlbiBench(HwArch& arch, uint64_t iterations, tlbi::Op op, Shareability sh,
               int count = 1) {
  const bool inner = sh == Shareability::kInner;
  const bool range = op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1;
  const Name name = TlbiBenchmarkName(op, inner, count);
  const char* const name_part = name.c_str();
  const Barrier complete = inner ? Barrier::kIsh : Barrier::kNsh;
  const uint64_t t0 = Ticks();
  const uint64_t c0 = Cycles();
  for (uint64_t i = 0; i < iterations; ++i) {
    for (int k = 0; k < count; ++k) {
      const VirtAddr va = (3ull << 30) + (((i * count + k) & 511) << 12);
      uint64_t operand = tlbi::VaOperand(va, kIdleAsid);
      if (op == tlbi::Op::kAside1) operand = tlbi::AsidOperand(kIdleAsid);
      if (range) operand = tlbi::RangeOperand(va, kIdleAsid, 7, 1);
      arch.Tlbi(op, sh, operand);
    }
    arch.Dsb(complete);
  }
  const uint64_t c1 = Cycles();
  const uint64_t t1 = Ticks();
  PrintBench(&name_part, 1, iterations, t1 - t0, c1 - c0);
}

}  // namespace

void RunMicroBenchmarks(FramePool& pool, uint64_t iterations) {
  HwArch arch;
  using tlbi::Op;
  constexpr auto kLocal = Shareability::kLocal;
  constexpr auto kInner = Shareability::kInner;
  // Freestanding: arrays, as there is no std::initializer_list.
  constexpr Op kLocalOps[] = {Op::kVale1, Op::kVae1, Op::kAside1, Op::kVmalle1};
  constexpr Op kInnerOps[] = {Op::kVale1,  Op::kVae1,   Op::kVaae1,
                              Op::kVaale1, Op::kAside1, Op::kVmalle1};
  for (Op op : kLocalOps) TlbiBench(arch, iterations, op, kLocal);
  for (Op op : kInnerOps) TlbiBench(arch, iterations, op, kInner);
  TlbiBench(arch, iterations, Op::kVale1, kLocal, kTlbiBatch);
  TlbiBench(arch, iterations, Op::kVale1, kInner, kTlbiBatch);
  if (arch.HasRangeTlbi()) {
    TlbiBench(arch, iterations, Op::kRvae1, kLocal);
    TlbiBench(arch, iterations, Op::kRvae1, kInner);
    TlbiBench(arch, iterations, Op::kRvale1, kInner);
  }
  Bench("dsb/ish", iterations, [&](uint64_t) { arch.Dsb(Barrier::kIsh); });
  Bench("dsb/ishst", iterations, [&](uint64_t) { arch.Dsb(Barrier::kIshSt); });
  Bench("dsb/nsh", iterations, [&](uint64_t) { arch.Dsb(Barrier::kNsh); });
  Bench("dsb/nshst", iterations, [&](uint64_t) { arch.Dsb(Barrier::kNshSt); });
  Bench("isb", iterations, [&](uint64_t) { arch.Isb(); });
  // The same value back: the translation regime does not change.
  const uint64_t ttbr0 = TTB_READ_SYSREG(ttbr0_el1);
  Bench("ttbr0/write", iterations,
        [&](uint64_t) { TTB_WRITE_SYSREG(ttbr0_el1, ttbr0); });
  // A table is allocated zeroed; released, it must be zeroed again.
  Bench("table/allocate_release", iterations / 4, [&](uint64_t) {
    pool.Release(pool.Allocate(FrameUse::kTable).value());
  });
  const PhysAddr a = pool.Allocate(FrameUse::kData).value();
  const PhysAddr b = pool.Allocate(FrameUse::kData).value();
  Bench("copy/4KiB", iterations / 4, [&](uint64_t) {
    __builtin_memcpy(pool.Bytes(b), pool.Bytes(a), 4096);
  });
  pool.Release(a);
  pool.Release(b);
  Bench("exception/brk_round_trip", iterations, [](uint64_t) {
    asm volatile("brk #0" ::: "memory");
  });
}

}  // namespace ttb::baremetal
