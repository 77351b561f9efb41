// The plain model the simulated machine is checked against: per process, a
// map from page to bytes and permissions. No tables, no TLBs, no sharing:
// fork copies everything, so it is right by construction.
#ifndef TTBENCH_TESTS_REFERENCE_MODEL_H_
#define TTBENCH_TESTS_REFERENCE_MODEL_H_

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <span>
#include <vector>

#include "engine/descriptor.h"
#include "engine/fault.h"

namespace ttb::testing {

enum class Perm : uint8_t { kReadWrite, kReadOnly, kReadExec };

// The user page descriptor for a permission: EL0 access, not global.
inline Descriptor PageAttrs(Perm perm) {
  const Descriptor user = Descriptor::Page(0).with_ng(true).with_pxn(true);
  switch (perm) {
    case Perm::kReadWrite:
      return user.with_ap(Ap::kRw).with_uxn(true);
    case Perm::kReadOnly:
      return user.with_ap(Ap::kRo).with_uxn(true);
    case Perm::kReadExec:
      return user.with_ap(Ap::kRo);
  }
  return user;
}

class ReferenceModel {
 public:
  // Pages of `page_bytes`: the machine's granule.
  explicit ReferenceModel(uint64_t page_bytes) : page_(page_bytes) {}

  bool Alive(int proc) const { return procs_.count(proc) != 0; }
  void Spawn(int proc) { procs_[proc]; }
  void Exit(int proc) { procs_.erase(proc); }
  void Fork(int parent, int child) { procs_[child] = procs_.at(parent); }
  bool Mapped(int proc, uint64_t page) const {
    return procs_.at(proc).count(page) != 0;
  }
  // How many pages `proc` maps in [lo, hi), and the `n`th of them (n less
  // than that count), without copying the page list.
  uint64_t PageCount(int proc, uint64_t lo, uint64_t hi) const {
    const auto& space = procs_.at(proc);
    return std::distance(space.lower_bound(lo), space.lower_bound(hi));
  }
  uint64_t PageAt(int proc, uint64_t lo, uint64_t n) const {
    return std::next(procs_.at(proc).lower_bound(lo), n)->first;
  }

  // False, changing nothing, when any page of the range is mapped.
  bool Map(int proc, uint64_t va, uint64_t pages, Perm perm) {
    auto& space = procs_.at(proc);
    for (uint64_t i = 0; i < pages; ++i) {
      if (space.count(va + i * page_)) return false;
    }
    for (uint64_t i = 0; i < pages; ++i) {
      space[va + i * page_] = Page{perm, {}};
    }
    return true;
  }
  void Unmap(int proc, uint64_t va, uint64_t pages) {
    for (uint64_t i = 0; i < pages; ++i) procs_.at(proc).erase(va + i * page_);
  }

  // Each returns the fault the access takes (kNone when it completes);
  // bytes before the faulting page are moved, as on the machine.
  FaultKind Read(int proc, uint64_t va, std::span<uint8_t> out) {
    return Walk(proc, va, out.size(), Access::kRead,
                [&](Page& p, uint64_t off, uint64_t done, uint64_t n) {
                  if (p.bytes.empty()) {
                    std::memset(out.data() + done, 0, n);
                  } else {
                    std::memcpy(out.data() + done, p.bytes.data() + off, n);
                  }
                });
  }
  FaultKind Write(int proc, uint64_t va, std::span<const uint8_t> in) {
    return Walk(proc, va, in.size(), Access::kWrite,
                [&](Page& p, uint64_t off, uint64_t done, uint64_t n) {
                  if (p.bytes.empty()) p.bytes.resize(page_, 0);
                  std::memcpy(p.bytes.data() + off, in.data() + done, n);
                });
  }
  FaultKind Execute(int proc, uint64_t va, uint64_t bytes) {
    return Walk(proc, va, bytes, Access::kExecute,
                [](Page&, uint64_t, uint64_t, uint64_t) {});
  }

 private:
  struct Page {
    Perm perm;
    // Empty until first written: all zero. Most pages never are, and a
    // fork copies every page's bytes.
    std::vector<uint8_t> bytes;
  };

  static bool Allows(Perm perm, Access access) {
    switch (access) {
      case Access::kRead:
        return true;
      case Access::kWrite:
        return perm == Perm::kReadWrite;
      case Access::kExecute:
        return perm == Perm::kReadExec;
    }
    return false;
  }

  template <typename Move>
  FaultKind Walk(int proc, uint64_t va, uint64_t bytes, Access access,
                 Move&& move) {
    auto& space = procs_.at(proc);
    uint64_t done = 0;
    while (done < bytes) {
      const uint64_t at = va + done;
      const uint64_t off = at % page_;
      const uint64_t n = std::min(bytes - done, page_ - off);
      auto it = space.find(at - off);
      if (it == space.end()) return FaultKind::kTranslation;
      if (!Allows(it->second.perm, access)) return FaultKind::kPermission;
      move(it->second, off, done, n);
      done += n;
    }
    return FaultKind::kNone;
  }

  uint64_t page_;
  std::map<int, std::map<uint64_t, Page>> procs_;
};

}  // namespace ttb::testing

#endif  // TTBENCH_TESTS_REFERENCE_MODEL_H_
