#include "baremetal/walker_check.h"

#include "baremetal/console.h"
#include "baremetal/mmu.h"
#include "baremetal/sysreg.h"
#include "engine/walker.h"

namespace ttb::baremetal {
namespace {

// xorshift64: repeatable across runs and emulators.
class Random {
 public:
  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Percent(uint64_t p) { return Below(100) < p; }

 private:
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

struct AtOp {
  Access access;
  El el;
  const char* name;
};
constexpr AtOp kOps[] = {{Access::kRead, El::kEl1, "s1e1r"},
                         {Access::kWrite, El::kEl1, "s1e1w"},
                         {Access::kRead, El::kEl0, "s1e0r"},
                         {Access::kWrite, El::kEl0, "s1e0w"}};

uint64_t Translate(int op, VirtAddr va) {
  switch (op) {
    case 0:
      asm volatile("at s1e1r, %0" : : "r"(va));
      break;
    case 1:
      asm volatile("at s1e1w, %0" : : "r"(va));
      break;
    case 2:
      asm volatile("at s1e0r, %0" : : "r"(va));
      break;
    default:
      asm volatile("at s1e0w, %0" : : "r"(va));
      break;
  }
  asm volatile("isb" ::: "memory");
  return TTB_READ_SYSREG(par_el1);
}

// An output address: usually inside the PA size, sometimes beyond it (an
// Address size fault), aligned to `bytes`.
PhysAddr OutputAddress(Random& rng, uint64_t bytes) {
  const uint64_t limit = rng.Percent(4) ? 1ull << 47 : 1ull << 39;
  const PhysAddr pa = rng.Below(limit) & ~(bytes - 1);
  return limit > (1ull << 39) ? pa | (1ull << 40) : pa;
}

// Random table attributes, mostly none.
Descriptor TableAttributes(Random& rng, Descriptor d) {
  if (rng.Percent(20)) d = d.with_ap_table(static_cast<ApTable>(rng.Below(4)));
  if (rng.Percent(15)) d = d.with_uxn_table(true);
  if (rng.Percent(15)) d = d.with_pxn_table(true);
  return d;
}

Descriptor Leaf(Random& rng, const Regime& r, int level) {
  if (rng.Percent(4)) return Descriptor::Invalid();
  if (level == 3 && rng.Percent(3)) return Descriptor(0x1);  // Reserved.
  const PhysAddr oa = OutputAddress(rng, r.level_bytes(level));
  Descriptor d = level == 3 ? Descriptor::Page(oa) : Descriptor::Block(oa);
  return d.with_attr_index(1)
      .with_sh(Sh::kInner)
      .with_ap(static_cast<Ap>(rng.Below(4)))
      .with_uxn(rng.Percent(40))
      .with_pxn(rng.Percent(40))
      .with_ng(rng.Percent(50))
      .with_af(!rng.Percent(10));
}

}  // namespace

WalkerCheckResult RunWalkerCheck(FramePool& pool, const Regime& r,
                                 uint64_t cases) {
  Random rng;
  WalkerCheckResult result;
  const Walker walker(r, pool);
  const int start = r.start_level();
  for (uint64_t c = 0; c < cases; ++c) {
    // One root per case with the kernel's mapping, and a path of up to two
    // more tables to a leaf at level 1, 2 or 3.
    PhysAddr frames[4];
    int frame_count = 0;
    const PhysAddr root = pool.Allocate(FrameUse::kTable).value();
    frames[frame_count++] = root;
    InstallKernelMapping(pool.Descriptors(root), r);
    const VirtAddr first = FirstFreeVa(r);
    const VirtAddr va = first + rng.Below((1ull << r.va_bits) - first) / 8 * 8;
    // No leaves above the granule's first block level: Arm ARM D8.3.1 makes
    // a level-0 block (4 KiB granule) and a level-1 block (16 and 64 KiB)
    // reserved, a Translation fault, without FEAT_LPA2 (or FEAT_LPA for
    // 64 KiB), as the walker and its unit tests have it; but QEMU 7.2 takes
    // any non-table descriptor above level 3 as a block, on every CPU model
    // (a 512 GiB, 64 GiB or 4 TiB block), so the two cannot agree on it.
    const int first_leaf =
        start > KernelBlockLevel(r) ? start : KernelBlockLevel(r);
    const int leaf_level =
        first_leaf + static_cast<int>(rng.Below(4 - first_leaf));
    PhysAddr table = root;
    bool ended = false;
    for (int level = start; level < leaf_level && !ended; ++level) {
      Descriptor d;
      if (rng.Percent(3)) {
        ended = true;  // An invalid table entry: Translation fault here.
      } else if (rng.Percent(2)) {
        d = TableAttributes(rng, Descriptor::Table(1ull << 41));
        ended = true;  // Next table beyond the PA size.
      } else {
        const PhysAddr next = pool.Allocate(FrameUse::kTable).value();
        frames[frame_count++] = next;
        d = TableAttributes(rng, Descriptor::Table(next));
      }
      pool.Descriptors(table)[r.index(va, level)] = d;
      table = d.output_address();
    }
    if (!ended) {
      pool.Descriptors(table)[r.index(va, leaf_level)] =
          Leaf(rng, r, leaf_level);
    }

    UseRegime(r, root);
    for (int op = 0; op < 4; ++op) {
      const uint64_t par = Translate(op, va);
      const WalkResult w = walker.Walk(root, va, kOps[op].access, kOps[op].el);
      const bool mmu_faulted = par & 1;
      const uint64_t fst = (par >> 1) & 0x3F;
      const bool same = mmu_faulted
                            ? !w.ok() && fst == w.fault.dfsc()
                            : w.ok() && (par & 0x0000'FFFF'FFFF'F000ull) ==
                                            (w.pa & ~0xFFFull);
      ++result.translations;
      result.faults += mmu_faulted ? 1 : 0;
      if (!same) {
        if (++result.mismatches <= 8) {
          Print("mismatch: case ");
          PrintDec(c);
          Print(" at ");
          Print(kOps[op].name);
          Print(" va ");
          PrintHex(va);
          Print(" PAR_EL1 ");
          PrintHex(par);
          Print(" walker ");
          Print(w.ok() ? "pa " : "dfsc ");
          PrintHex(w.ok() ? w.pa : w.fault.dfsc());
          Print("\n");
        }
      }
    }
    UseBootTables();
    for (int i = 0; i < frame_count; ++i) pool.Release(frames[i]);
    ++result.cases;
  }
  return result;
}

}  // namespace ttb::baremetal
