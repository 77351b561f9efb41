#include "engine/sim/coherence_checker.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ttb::sim {
namespace {

constexpr size_t kHistory = 24;
constexpr size_t kMaxViolations = 16;

PhysAddr TranslatedBy(const TlbEntry& e, VirtAddr va) {
  return e.pa_base + (va - e.va_base);
}

}  // namespace

void CoherenceChecker::Record(std::string event) {
  if (history_.size() == kHistory) history_.pop_front();
  history_.push_back(std::move(event));
}

void CoherenceChecker::Record(const ArchEvent& e) {
  switch (e.kind) {
    case ArchEvent::Kind::kTlbi:
      Record(absl::StrFormat("cpu%d tlbi %s%s %#x", e.cpu,
                             tlbi::OpName(static_cast<tlbi::Op>(e.detail % 8)),
                             e.detail >= 8 ? "is" : "", e.value));
      break;
    case ArchEvent::Kind::kDsb:
      Record(absl::StrFormat("cpu%d dsb %s", e.cpu,
                             BarrierName(static_cast<Barrier>(e.detail))));
      break;
    case ArchEvent::Kind::kIsb:
      Record(absl::StrFormat("cpu%d isb", e.cpu));
      break;
    case ArchEvent::Kind::kTtbr0:
      Record(absl::StrFormat("cpu%d msr ttbr0_el1, %#x", e.cpu, e.value));
      break;
  }
}

void CoherenceChecker::Report(const std::string& what) {
  if (violations_.size() >= kMaxViolations) return;
  violations_.push_back(absl::StrCat(what, "\n  after:\n    ",
                                     absl::StrJoin(history_, "\n    ")));
}

void CoherenceChecker::CheckHit(int cpu, const TlbEntry& hit, VirtAddr va,
                                PhysAddr root) {
  ++hits_checked_;
  // EL1 read is granted by every valid leaf, so the walk only fails when
  // there is no translation at all.
  const WalkResult now = walker_.Walk(root, va, Access::kRead, El::kEl1);
  if (!now.ok()) {
    Report(absl::StrFormat(
        "stale TLB hit on cpu%d: va %#x asid %d cached -> %#x, but the tables "
        "now give a %s fault",
        cpu, va, hit.asid, TranslatedBy(hit, va),
        FaultKindName(now.fault.kind)));
  } else if (now.pa != TranslatedBy(hit, va)) {
    Report(absl::StrFormat(
        "stale TLB hit on cpu%d: va %#x asid %d cached -> %#x, tables -> %#x",
        cpu, va, hit.asid, TranslatedBy(hit, va), now.pa));
  } else if ((hit.permissions & ~now.permissions) != 0) {
    Report(absl::StrFormat(
        "stale TLB hit on cpu%d: va %#x asid %d cached permissions %#x are "
        "more than the tables' %#x",
        cpu, va, hit.asid, hit.permissions, now.permissions));
  }
}

void CoherenceChecker::CheckFill(int cpu, const TlbEntry& fill,
                                 const SimSystem& system) {
  for (int other = 0; other < system.cpu_count(); ++other) {
    if (other == cpu) continue;
    const TlbEntry* e = system.tlb(other).Peek(fill.va_base, fill.asid);
    if (e != nullptr && e->owner == fill.owner &&
        TranslatedBy(*e, fill.va_base) != fill.pa_base) {
      Report(absl::StrFormat(
          "two live translations of va %#x in asid %d: cpu%d caches -> %#x "
          "while cpu%d walks -> %#x",
          fill.va_base, fill.asid, other, TranslatedBy(*e, fill.va_base), cpu,
          fill.pa_base));
    }
  }
}

void CoherenceChecker::CheckInvalidated(const TlbEntry& removed,
                                        Descriptor now) {
  if (now.valid() && now.output_address() != removed.pa_base) {
    Report(absl::StrFormat(
        "break-before-make violated: va %#x asid %d (pid%d) was remapped %#x "
        "-> %#x while the old translation was still cached",
        removed.va_base, removed.asid, removed.owner, removed.pa_base,
        now.output_address()));
  }
}

}  // namespace ttb::sim
