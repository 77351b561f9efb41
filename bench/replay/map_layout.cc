#include "bench/replay/map_layout.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttb::bench {
namespace {

// User pages as the mapping allows them; nG = 1, as every user page.
Descriptor AttrsOf(PagePerms perms) {
  const Descriptor user = Descriptor::Page(0).with_ng(true).with_pxn(true);
  switch (perms) {
    case PagePerms::kReadWrite:
      return user.with_ap(Ap::kRw).with_uxn(true);
    case PagePerms::kReadOnly:
      return user.with_ap(Ap::kRo).with_uxn(true);
    case PagePerms::kReadExecute:
      return user.with_ap(Ap::kRo);
  }
  return user;
}

}  // namespace

absl::Status Failed(const std::string& what, Status s) {
  return absl::InternalError(absl::StrCat(what, " failed: ", StatusName(s)));
}

absl::Status MapLayout(sim::Machine& m, int cpu, sim::Pid pid,
                       const ReplayLayout& layout) {
  // Fresh frames come out of the pool in physical order; sorting them
  // makes that so whatever it handed out before.
  std::vector<PhysAddr> frames(layout.frames);
  for (PhysAddr& f : frames) {
    const Result<PhysAddr> frame = m.pool().Allocate(FrameUse::kData);
    if (!frame.ok()) {
      for (PhysAddr taken : frames) {
        if (taken != 0) m.pool().Release(taken);
      }
      return Failed("allocating the layout", frame.status());
    }
    f = frame.value();
  }
  std::sort(frames.begin(), frames.end());
  std::vector<PhysAddr> page_frames(layout.pages());
  for (uint64_t i = 0; i < layout.pages(); ++i) {
    page_frames[i] = frames[layout.frame_of[i]];
  }
  const std::vector<uint64_t> holes = layout.Holes();
  for (const LaidRun& run : layout.runs) {
    const Status s = m.MapFrames(cpu, pid, run.va, run.pages,
                                 &page_frames[run.first], AttrsOf(run.perms));
    if (s == Status::kOk) continue;
    // MapFrames took over this run's frames, but for kInvalidArgument;
    // the later runs' and the holes' are still these.
    const uint64_t kept =
        run.first + (s == Status::kInvalidArgument ? 0 : run.pages);
    for (uint64_t i = kept; i < layout.pages(); ++i) {
      m.pool().Release(page_frames[i]);
    }
    for (uint64_t hole : holes) m.pool().Release(frames[hole]);
    return Failed(absl::StrFormat("mapping %#x +%d pages", run.va, run.pages),
                  s);
  }
  for (uint64_t hole : holes) m.pool().Release(frames[hole]);
  return absl::OkStatus();
}

}  // namespace ttb::bench
