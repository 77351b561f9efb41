#include "engine/walker.h"

namespace ttb {
namespace {

WalkResult Faulted(WalkResult r, FaultKind kind, int level) {
  r.fault = Fault{kind, static_cast<int8_t>(level)};
  r.level = static_cast<int8_t>(level);
  return r;
}

}  // namespace

WalkResult Walker::Walk(PhysAddr root, VirtAddr va, Access access,
                        El el) const {
  const int start = regime_.start_level();
  // An input address outside TTBR0's range is a level 0 Translation fault
  // (AArch64.S1Translate: the VA is checked before any descriptor is read).
  if (!regime_.contains(va)) return Faulted({}, FaultKind::kTranslation, 0);
  // A table base above the configured PA size is a level 0 Address size
  // fault ("level 0 or translation table base register").
  if (!regime_.pa_fits(root)) return Faulted({}, FaultKind::kAddressSize, 0);
  return Resume(WalkStart{static_cast<int8_t>(start), root, 0}, va, access, el);
}

WalkResult Walker::Resume(const WalkStart& start, VirtAddr va, Access access,
                          El el) const {
  WalkResult r;
  if (!regime_.contains(va)) return Faulted(r, FaultKind::kTranslation, 0);
  PhysAddr table = start.table;
  uint8_t attrs = start.table_attrs;
  for (int level = start.level; level <= 3; ++level) {
    const PhysAddr slot = table + regime_.index(va, level) * sizeof(Descriptor);
    if (!memory_->Contains(slot)) {
      return Faulted(r, FaultKind::kWalkExternalAbort, level);
    }
    Descriptor d;
    if (view_ != nullptr) {
      d = view_->Read(slot);
    } else {
      __builtin_memcpy(&d, memory_->Bytes(slot), sizeof(d));
    }
    ++r.reads;
    ++descriptor_reads_;

    if (!d.valid()) return Faulted(r, FaultKind::kTranslation, level);
    if (d.IsTable(level)) {
      // Address size check on the next-level table address, reported at
      // the level of the descriptor that holds it.
      if (!regime_.pa_fits(d.output_address())) {
        return Faulted(r, FaultKind::kAddressSize, level);
      }
      attrs |= table_attr::Of(d);
      // The next-level table address is bits [47:granule] (D8.3.1): with
      // a 16 or 64 KiB granule the bits below are RES0, not address.
      table = d.output_address() & ~(regime_.granule_bytes() - 1);
      r.steps[r.step_count++] =
          WalkStep{static_cast<int8_t>(level), table, attrs};
      continue;
    }
    // Bit 1 clear at level 3, or a block where the granule allows none, is
    // a reserved encoding that faults as invalid (Arm ARM D8.3.1).
    if (level == 3 ? !d.type_bit() : !regime_.block_allowed(level)) {
      return Faulted(r, FaultKind::kTranslation, level);
    }
    const uint64_t size = regime_.level_bytes(level);
    const PhysAddr oa = d.output_address() & ~(size - 1);
    // Fault priority within a leaf: address size, then access flag, then
    // permission (AArch64.S1Translate).
    if (!regime_.pa_fits(oa)) return Faulted(r, FaultKind::kAddressSize, level);
    r.leaf = d;
    r.permissions = EffectivePermissions(d, attrs);
    if (!d.af()) return Faulted(r, FaultKind::kAccessFlag, level);
    if (!(r.permissions & perm::Bit(access, el))) {
      return Faulted(r, FaultKind::kPermission, level);
    }
    r.level = static_cast<int8_t>(level);
    r.pa = oa | (va & (size - 1));
    return r;
  }
  // Unreachable: level 3 always ends the walk.
  return Faulted(r, FaultKind::kTranslation, 3);
}

}  // namespace ttb
