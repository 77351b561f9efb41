#include "engine/sim/coherence_checker.h"

#include <algorithm>

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

std::string Outcome(const WalkResult& w) {
  return w.ok()
             ? absl::StrFormat("-> %#x (permissions %#x)", w.pa, w.permissions)
             : absl::StrFormat("a %s fault", FaultKindName(w.fault.kind));
}

bool SameOutcome(const WalkResult& a, const WalkResult& b) {
  if (a.ok() != b.ok()) return false;
  if (!a.ok()) return a.fault.kind == b.fault.kind;
  return a.pa == b.pa && a.permissions == b.permissions;
}

// What completes a TLBI issued with that shareability.
const char* CompletingDsb(bool broadcast) {
  return broadcast ? "ish" : "nsh or ish";
}

}  // namespace

void CoherenceChecker::Record(std::string event) {
  if (history_.size() == kHistory) history_.pop_front();
  history_.push_back(std::move(event));
}

void CoherenceChecker::Record(const ArchEvent& e) {
  switch (e.kind) {
    case ArchEvent::Kind::kTlbi:
      tlbi_issuer_ = e.cpu;
      tlbi_broadcast_ = e.detail >= 8;
      tlbi_ = absl::StrFormat("tlbi %s%s %#x",
                              tlbi::OpName(static_cast<tlbi::Op>(e.detail % 8)),
                              tlbi_broadcast_ ? "is" : "", e.value);
      Record(absl::StrFormat("cpu%d %s", e.cpu, tlbi_));
      break;
    case ArchEvent::Kind::kDsb: {
      const auto barrier = static_cast<Barrier>(e.detail);
      Record(absl::StrFormat("cpu%d dsb %s", e.cpu, BarrierName(barrier)));
      // Every DSB completes the PE's earlier stores, to tables included.
      for (auto& [table, u] : unpublished_) {
        if (u.cpu == e.cpu) Snapshot(table, u.published);
      }
      // Only a DSB that orders loads and stores completes TLB maintenance:
      // ISH the issuer's broadcast and local TLBIs, NSH its local ones.
      if (barrier != Barrier::kIsh && barrier != Barrier::kNsh) break;
      auto completed = [&](const auto& p) {
        return p.issuer == e.cpu && (barrier == Barrier::kIsh || !p.broadcast);
      };
      std::erase_if(pending_leaves_, completed);
      std::erase_if(pending_walks_, completed);
      break;
    }
    case ArchEvent::Kind::kIsb:
      Record(absl::StrFormat("cpu%d isb", e.cpu));
      break;
    case ArchEvent::Kind::kTtbr0:
      Record(absl::StrFormat("cpu%d msr ttbr0_el1, %#x", e.cpu, e.value));
      break;
  }
}

void CoherenceChecker::Snapshot(PhysAddr table,
                                std::vector<Descriptor>& published) const {
  published.resize(regime_.granule_bytes() / sizeof(Descriptor));
  __builtin_memcpy(published.data(), pool_->Descriptors(table),
                   regime_.granule_bytes());
}

void CoherenceChecker::Writing(int cpu, PhysAddr table) {
  // Stores already pending stay with the PE that made them first: only
  // its DSB publishes them. A table handed out for writing and not yet
  // changed holds no store: it goes to the PE writing it now.
  auto [it, added] = unpublished_.try_emplace(table);
  if (!added) {
    Unpublished& u = it->second;
    if (u.cpu != cpu &&
        __builtin_memcmp(u.published.data(), pool_->Descriptors(table),
                         regime_.granule_bytes()) == 0) {
      u.cpu = cpu;
    }
    return;
  }
  Snapshot(table, it->second.published);
  it->second.cpu = cpu;
}

void CoherenceChecker::EndOperation() {
  std::erase_if(unpublished_, [&](const auto& entry) {
    return __builtin_memcmp(entry.second.published.data(),
                            pool_->Descriptors(entry.first),
                            regime_.granule_bytes()) == 0;
  });
}

bool CoherenceChecker::SeesUnpublished(PhysAddr root, VirtAddr va) const {
  return !unpublished_.empty() &&
         !SameOutcome(
             walker_.Walk(root, va, Access::kRead, El::kEl1),
             published_walker_.Walk(root, va, Access::kRead, El::kEl1));
}

Descriptor CoherenceChecker::Read(PhysAddr slot) const {
  const PhysAddr table = slot & ~(regime_.granule_bytes() - 1);
  const auto it = unpublished_.find(table);
  if (it != unpublished_.end()) {
    return it->second.published[(slot - table) / sizeof(Descriptor)];
  }
  Descriptor d;
  __builtin_memcpy(&d, pool_->Bytes(slot), sizeof(d));
  return d;
}

void CoherenceChecker::Removed(int cpu, const TlbEntry& entry) {
  pending_leaves_.push_back({entry, cpu, tlbi_issuer_, tlbi_broadcast_, tlbi_});
}

void CoherenceChecker::Removed(int cpu, const WalkEntry& entry) {
  pending_walks_.push_back({entry, cpu, tlbi_issuer_, tlbi_broadcast_, tlbi_});
}

void CoherenceChecker::Report(const std::string& what) {
  if (violations_.size() >= kMaxViolations) return;
  violations_.push_back(absl::StrCat(what, "\n  after:\n    ",
                                     absl::StrJoin(history_, "\n    ")));
}

std::string CoherenceChecker::Staleness(const TlbEntry& cached, VirtAddr va,
                                        PhysAddr root) const {
  // EL1 read is granted by every valid leaf, so the walk only fails when
  // there is no translation at all.
  const WalkResult now = walker_.Walk(root, va, Access::kRead, El::kEl1);
  if (!now.ok()) {
    return absl::StrFormat("cached -> %#x, but the tables now give a %s fault",
                           TranslatedBy(cached, va),
                           FaultKindName(now.fault.kind));
  }
  if (now.pa != TranslatedBy(cached, va)) {
    return absl::StrFormat("cached -> %#x, tables -> %#x",
                           TranslatedBy(cached, va), now.pa);
  }
  if ((cached.permissions & ~now.permissions) != 0) {
    return absl::StrFormat(
        "cached permissions %#x are more than the tables' %#x",
        cached.permissions, now.permissions);
  }
  return "";
}

bool CoherenceChecker::Covers(const TlbEntry& e, VirtAddr va, Asid asid) const {
  return (e.global || e.asid == asid) && e.Covers(va);
}

bool CoherenceChecker::Covers(const WalkEntry& e, VirtAddr va,
                              Asid asid) const {
  return e.asid == asid && va >= e.va_base &&
         va - e.va_base < regime_.level_bytes(e.level);
}

std::string CoherenceChecker::WalkStaleness(const WalkEntry& e, VirtAddr va,
                                            PhysAddr own_root) const {
  const WalkResult from_cache = walker_.Resume(
      WalkStart{static_cast<int8_t>(e.level + 1), e.next_table, e.table_attrs},
      va, Access::kRead, El::kEl1);
  const WalkResult full = walker_.Walk(own_root, va, Access::kRead, El::kEl1);
  if (SameOutcome(from_cache, full)) return "";
  return absl::StrFormat(
      "a walk resumed at level %d gives %s, a full walk from the process's "
      "root %s",
      e.level + 1, Outcome(from_cache), Outcome(full));
}

void CoherenceChecker::CheckAccess(int cpu, VirtAddr va, Asid asid,
                                   PhysAddr cpu_root, PhysAddr own_root,
                                   const Tlb& tlb) {
  if (cpu_root != own_root) {
    Report(absl::StrFormat(
        "wrong tables on cpu%d: va %#x translated through TTBR0 %#x, not the "
        "process's own root %#x",
        cpu, va, cpu_root, own_root));
  }
  if (SeesUnpublished(own_root, va)) {
    const WalkResult now = walker_.Walk(own_root, va, Access::kRead, El::kEl1);
    const WalkResult seen =
        published_walker_.Walk(own_root, va, Access::kRead, El::kEl1);
    Report(absl::StrFormat(
        "unpublished descriptor on cpu%d's walk of va %#x: the tables give "
        "%s, but a walk may not observe stores no DSB has completed yet, and "
        "without them gives %s (a table store reaches walks only after a DSB "
        "on the storing PE)",
        cpu, va, Outcome(now), Outcome(seen)));
  }
  // Every walk-cache entry that could start this walk, not only the one
  // the model picks: of several, hardware may use any.
  tlb.ForEachWalkEntry([&](const WalkEntry& e) {
    if (!Covers(e, va, asid)) return;
    const std::string stale = WalkStaleness(e, va, own_root);
    if (stale.empty()) return;
    Report(absl::StrFormat(
        "stale walk-cache entry on cpu%d for va %#x asid %d: %s (a table "
        "descriptor's change needs a TLBI that removes walks: not a "
        "last-level form)",
        cpu, va, asid, stale));
  });
  for (const Pending<TlbEntry>& p : pending_leaves_) {
    if (p.cpu != cpu || !Covers(p.entry, va, asid)) continue;
    const std::string stale = Staleness(p.entry, va, own_root);
    if (stale.empty()) continue;
    Report(absl::StrFormat(
        "possibly stale TLB hit on cpu%d: va %#x asid %d %s; the %s on cpu%d "
        "that removed it has not completed (TLBI completion needs a DSB %s "
        "on the issuing PE)",
        cpu, va, asid, stale, p.tlbi, p.issuer, CompletingDsb(p.broadcast)));
  }
  for (const Pending<WalkEntry>& p : pending_walks_) {
    if (p.cpu != cpu || !Covers(p.entry, va, asid)) continue;
    const std::string stale = WalkStaleness(p.entry, va, own_root);
    if (stale.empty()) continue;
    Report(absl::StrFormat(
        "possibly stale walk-cache entry on cpu%d for va %#x asid %d: %s; the "
        "%s on cpu%d that removed it has not completed (TLBI completion needs "
        "a DSB %s on the issuing PE)",
        cpu, va, asid, stale, p.tlbi, p.issuer, CompletingDsb(p.broadcast)));
  }
}

void CoherenceChecker::CheckHit(int cpu, const TlbEntry& hit, VirtAddr va,
                                uint32_t pid, PhysAddr own_root) {
  ++hits_checked_;
  const std::string stale = Staleness(hit, va, own_root);
  if (stale.empty()) return;
  if (hit.owner != pid) {
    Report(absl::StrFormat(
        "stale TLB hit on cpu%d: va %#x asid %d, cached for pid%d, used by "
        "pid%d: %s (another address space's entry: a switch left it, or a "
        "walk through the previous TTBR0 cached it before the ISB that makes "
        "a TTBR0 write take effect)",
        cpu, va, hit.asid, hit.owner, pid, stale));
    return;
  }
  if (hit.before_publication) {
    Report(absl::StrFormat(
        "stale TLB hit on cpu%d: va %#x asid %d %s, cached by a walk that read "
        "the tables before a DSB published a store (a TLBI must follow the "
        "DSB that publishes the store it is for)",
        cpu, va, hit.asid, stale));
    return;
  }
  Report(absl::StrFormat(
      "stale TLB hit on cpu%d: va %#x asid %d %s (a changed descriptor's old "
      "entries must go, by a TLBI after its store, before the page is used)",
      cpu, va, hit.asid, stale));
}

void CoherenceChecker::CheckFill(int cpu, const TlbEntry& leaf, VirtAddr va,
                                 PhysAddr own_root, bool speculative,
                                 const SimSystem& system) {
  const Tlb& tlb = system.tlb(cpu);
  const TlbEntry fill = tlb.Fitted(leaf, va);
  // A TLB conflict (Arm ARM: a TLB conflict abort, or CONSTRAINED
  // UNPREDICTABLE use of either): two entries that both match one
  // lookup, as an entry of another size over the same addresses does. An
  // entry no larger than a page can only meet one that covers `va`.
  auto conflict = [&](const TlbEntry& e) {
    if (!(e.global || e.asid == fill.asid) ||
        e.va_base >= fill.va_base + fill.bytes() ||
        fill.va_base >= e.va_base + e.bytes()) {
      return;
    }
    // FEAT_BBM level 2, as Linux uses it (BBML2_NOABORT): entries of two
    // sizes that translate alike may coexist without a conflict abort.
    if (bbm_level2_ && e.bytes() != fill.bytes() &&
        TranslatedBy(e, va) == TranslatedBy(fill, va)) {
      return;
    }
    // One descriptor cached at two sizes (a block splintered in one TLB
    // and whole in the other) is the core's own choice, not a conflict,
    // even across a change of permissions, which needs no
    // break-before-make: the size of the translation is the same.
    if (e.level == fill.level &&
        e.leaf.contiguous() == fill.leaf.contiguous() &&
        TranslatedBy(e, va) == TranslatedBy(fill, va)) {
      return;
    }
    Report(absl::StrFormat(
        "TLB conflict on cpu%d: a %#x-byte entry for va %#x asid %d is filled "
        "while a %#x-byte entry at %#x still matches (two matching entries: "
        "CONSTRAINED UNPREDICTABLE, or a TLB conflict abort)",
        cpu, fill.bytes(), fill.va_base, fill.asid, e.bytes(), e.va_base));
  };
  if (fill.bytes() > regime_.granule_bytes()) {
    tlb.ForEachEntry(conflict);
  } else if (const TlbEntry* e = tlb.Peek(va, fill.asid)) {
    conflict(*e);
  }
  if (leaf.leaf.contiguous()) CheckRun(cpu, leaf, own_root, speculative);
  if (fill.global && (fill.permissions & perm::kEl0Read) != 0) {
    Report(absl::StrFormat(
        "global user entry on cpu%d: va %#x has nG = 0, which matches every "
        "ASID, so neither a new ASID nor a TLBI by ASID removes it",
        cpu, fill.va_base));
  }
  for (int other = 0; other < system.cpu_count(); ++other) {
    if (other == cpu) continue;
    const TlbEntry* e = system.tlb(other).Peek(va, fill.asid);
    if (e != nullptr && e->owner == fill.owner &&
        TranslatedBy(*e, va) != TranslatedBy(fill, va)) {
      Report(absl::StrFormat(
          "two live translations of va %#x in asid %d: cpu%d caches -> %#x "
          "while cpu%d walks -> %#x",
          va, fill.asid, other, TranslatedBy(*e, va), cpu,
          TranslatedBy(fill, va)));
    }
  }
}

void CoherenceChecker::CheckRun(int cpu, const TlbEntry& run, PhysAddr own_root,
                                bool speculative) {
  // Arm ARM, "The Contiguous bit": every entry of a contiguous run has the bit
  // set, the same attributes, and output addresses that are one aligned run;
  // otherwise a TLB that caches the run may translate any of its pages
  // with any entry's attributes. A kernel changing the permissions of a
  // whole run writes its entries one by one and invalidates after (as
  // Linux's contpte write-protect does), so while it runs a walk may see
  // them differ; once it has returned they must not.
  constexpr uint64_t kPermissionBits =
      Descriptor().with_ap(Ap::kRo).with_software(0xF).bits();
  const uint64_t compared = ~Descriptor::kOutputAddressMask &
                            (speculative ? ~kPermissionBits : ~0ull);
  ++runs_checked_;
  const uint64_t page = regime_.level_bytes(run.level);
  for (VirtAddr va = run.va_base; va < run.va_base + run.bytes(); va += page) {
    // As the walk that filled the run may have seen the tables.
    const WalkResult w =
        published_walker_.Walk(own_root, va, Access::kRead, El::kEl1);
    const PhysAddr want = run.pa_base + (va - run.va_base);
    const char* wrong = !w.ok() || w.level != run.level
                            ? "is not a leaf of the run's level"
                        : !w.leaf.contiguous() ? "lacks the contiguous bit"
                        : ((w.leaf.bits() ^ run.leaf.bits()) & compared) != 0
                            ? "has other attributes"
                        : w.pa != want ? "breaks the run's output addresses"
                                       : nullptr;
    if (wrong == nullptr) continue;
    Report(absl::StrFormat(
        "misprogrammed contiguous run on cpu%d: the run at va %#x asid %d is "
        "cached as one entry, but its entry for va %#x %s",
        cpu, run.va_base, run.asid, va, wrong));
    return;
  }
}

void CoherenceChecker::CheckInvalidated(const TlbEntry& removed,
                                        const Translation& now) {
  if (!now.leaf.valid()) return;
  if (now.pa != removed.pa_base) {
    Report(absl::StrFormat(
        "break-before-make violated: va %#x asid %d (pid%d) was remapped %#x "
        "-> %#x while the old translation was still cached",
        removed.va_base, removed.asid, removed.owner, removed.pa_base, now.pa));
  } else if ((now.level != removed.level ||
              now.leaf.contiguous() != removed.leaf.contiguous()) &&
             !bbm_level2_) {
    // A block split into pages, or a change of the contiguous bit, changes
    // the size of what a TLB may cache: break-before-make (D8.14.1) unless
    // FEAT_BBM level 2.
    Report(absl::StrFormat(
        "break-before-make violated: va %#x asid %d (pid%d) changed size "
        "(level %d -> %d, contiguous bit %d -> %d) while the old entry was "
        "still cached, on a core without FEAT_BBM level 2",
        removed.va_base, removed.asid, removed.owner, removed.level, now.level,
        removed.leaf.contiguous() ? 1 : 0, now.leaf.contiguous() ? 1 : 0));
  }
}

bool CoherenceChecker::Reaches(const TlbEntry& e, PhysAddr frame) const {
  return frame >= e.pa_base && frame - e.pa_base < e.bytes();
}

void CoherenceChecker::CheckFreed(PhysAddr frame, FrameUse use,
                                  const SimSystem& system,
                                  const std::vector<Process*>& running) {
  const char* what = use == FrameUse::kTable ? "table" : "frame";
  unpublished_.erase(frame);
  for (int c = 0; c < system.cpu_count(); ++c) {
    const CpuState& s = system.cpu(c);
    if (s.ttbr0_root == frame || s.synced_root == frame) {
      Report(
          absl::StrFormat("%s %#x freed while cpu%d's TTBR0 still points at it",
                          what, frame, c));
    }
    if (running[c] == nullptr) continue;
    auto usable = [&](Asid asid, bool global) {
      return global || asid == s.asid || asid == s.synced_asid;
    };
    system.tlb(c).ForEachEntry([&](const TlbEntry& e) {
      if (usable(e.asid, e.global) && Reaches(e, frame)) {
        Report(absl::StrFormat(
            "%s %#x freed while cpu%d's TLB still maps va %#x asid %d to it "
            "(free only after the TLBI that removes it has completed)",
            what, frame, c, e.va_base, e.asid));
      }
    });
    system.tlb(c).ForEachWalkEntry([&](const WalkEntry& e) {
      if (usable(e.asid, false) && e.next_table == frame) {
        Report(absl::StrFormat(
            "%s %#x freed while cpu%d's walk cache still points at it for va "
            "%#x asid %d",
            what, frame, c, e.va_base, e.asid));
      }
    });
    for (const Pending<TlbEntry>& p : pending_leaves_) {
      if (p.cpu == c && usable(p.entry.asid, p.entry.global) &&
          Reaches(p.entry, frame)) {
        Report(absl::StrFormat(
            "%s %#x freed before the %s on cpu%d that removes va %#x from "
            "cpu%d has completed (no DSB %s since)",
            what, frame, p.tlbi, p.issuer, p.entry.va_base, c,
            CompletingDsb(p.broadcast)));
      }
    }
    for (const Pending<WalkEntry>& p : pending_walks_) {
      if (p.cpu == c && usable(p.entry.asid, false) &&
          p.entry.next_table == frame) {
        Report(absl::StrFormat(
            "%s %#x freed before the %s on cpu%d that removes the walks "
            "through it from cpu%d has completed (no DSB %s since)",
            what, frame, p.tlbi, p.issuer, c, CompletingDsb(p.broadcast)));
      }
    }
  }
}

}  // namespace ttb::sim
