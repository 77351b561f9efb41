#include "baremetal/micro_benchmarks.h"

#include "baremetal/clock.h"
#include "baremetal/hw_arch.h"
#include "engine/tlb_maintenance.h"

namespace ttb::baremetal {
namespace {

constexpr Asid kIdleAsid = 77;  // No process uses it.

// One TLBI and the DSB that completes it: a TLBI alone only starts work.
void TlbiBench(HwArch& arch, uint64_t iterations, const char* name, tlbi::Op op,
               Shareability sh) {
  const Barrier complete =
      sh == Shareability::kInner ? Barrier::kIsh : Barrier::kNsh;
  Bench(name, iterations, [&](uint64_t i) {
    const VirtAddr va = (3ull << 30) + ((i & 511) << 12);
    uint64_t operand = tlbi::VaOperand(va, kIdleAsid);
    if (op == tlbi::Op::kAside1) operand = tlbi::AsidOperand(kIdleAsid);
    if (op == tlbi::Op::kRvae1 || op == tlbi::Op::kRvale1) {
      operand = tlbi::RangeOperand(va, kIdleAsid, 7, 1);  // 512 pages.
    }
    arch.Tlbi(op, sh, operand);
    arch.Dsb(complete);
  });
}

}  // namespace

void RunMicroBenchmarks(FramePool& pool, uint64_t iterations) {
  HwArch arch;
  using tlbi::Op;
  constexpr auto kLocal = Shareability::kLocal;
  constexpr auto kInner = Shareability::kInner;
  TlbiBench(arch, iterations, "tlbi/vale1+dsb_nsh", Op::kVale1, kLocal);
  TlbiBench(arch, iterations, "tlbi/vale1is+dsb_ish", Op::kVale1, kInner);
  TlbiBench(arch, iterations, "tlbi/vae1+dsb_nsh", Op::kVae1, kLocal);
  TlbiBench(arch, iterations, "tlbi/vae1is+dsb_ish", Op::kVae1, kInner);
  TlbiBench(arch, iterations, "tlbi/aside1+dsb_nsh", Op::kAside1, kLocal);
  TlbiBench(arch, iterations, "tlbi/aside1is+dsb_ish", Op::kAside1, kInner);
  TlbiBench(arch, iterations, "tlbi/vmalle1+dsb_nsh", Op::kVmalle1, kLocal);
  TlbiBench(arch, iterations, "tlbi/vmalle1is+dsb_ish", Op::kVmalle1, kInner);
  if (arch.HasRangeTlbi()) {
    TlbiBench(arch, iterations, "tlbi/rvae1_512pages+dsb_nsh", Op::kRvae1,
              kLocal);
    TlbiBench(arch, iterations, "tlbi/rvae1is_512pages+dsb_ish", Op::kRvae1,
              kInner);
    TlbiBench(arch, iterations, "tlbi/rvale1is_512pages+dsb_ish", Op::kRvale1,
              kInner);
  }
  Bench("dsb/ish", iterations, [&](uint64_t) { arch.Dsb(Barrier::kIsh); });
  Bench("dsb/ishst", iterations, [&](uint64_t) { arch.Dsb(Barrier::kIshSt); });
  Bench("isb", iterations, [&](uint64_t) { arch.Isb(); });
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
