#include "program.h"

#include <algorithm>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ttb::testing {
namespace {

constexpr int kMaxProcesses = 6;

// Where programs map, in the regime's own units so that every granule
// meets the same structure: a small window; one that straddles the
// boundary between two last-level tables; one under another entry of the
// level above (another level-2 table, or with a level-2 root another
// last-level table far away); and, now and then, one whole last-level
// table in one Map (or Unmap), which fork shares as one run
// (FramePool::ShareRun) when its frames are consecutive. With 4 KiB pages:
// 0x10000, 0x3F'0000 (across 4 MiB), 256 GiB and 0x60'0000.
struct Window {
  uint64_t base;
  uint64_t pages;
};
struct Windows {
  uint64_t page;
  Window small[3];
  Window table;
  // One level-2 contiguous run of blocks, with 4 KiB pages only (32 MiB;
  // the larger granules' runs are 1 and 16 GiB); else empty.
  Window block_run;
};
Windows WindowsOf(const Regime& r) {
  const uint64_t page = r.granule_bytes();
  const uint64_t leaf_table = r.level_bytes(2);  // What one maps.
  const int above = r.start_level() <= 1 ? 1 : 2;
  const uint64_t far =
      r.level_bytes(above) * std::min<uint64_t>(256, r.entries_at(above) / 2);
  const uint64_t run = leaf_table * r.contiguous_entries(2);
  return {page,
          {{16 * page, 24}, {2 * leaf_table - 16 * page, 32}, {far, 16}},
          {3 * leaf_table, r.entries_per_table()},
          {2 * run, r.granule_shift == 12 ? run / page : 0}};
}

const char* KindName(Op::Kind k) {
  constexpr const char* kNames[] = {"map",  "unmap",  "write",
                                    "read", "exec",   "fork",
                                    "exit", "switch", "background"};
  return kNames[static_cast<int>(k)];
}

std::vector<uint8_t> Bytes(const Op& op) {
  std::vector<uint8_t> bytes(op.length);
  for (uint32_t i = 0; i < op.length; ++i) {
    bytes[i] = static_cast<uint8_t>(op.fill * 31 + i * 7 + 1);
  }
  return bytes;
}

}  // namespace

std::string Op::ToString() const {
  switch (kind) {
    case Kind::kMap:
      return absl::StrFormat(
          "cpu%d map p%d %#x +%d pages %s%s%s", cpu, proc, va, length,
          perm == Perm::kReadWrite  ? "rw"
          : perm == Perm::kReadOnly ? "ro"
                                    : "rx",
          contiguous ? " contiguous" : "", blocks ? " blocks" : "");
    case Kind::kUnmap:
      return absl::StrFormat("cpu%d unmap p%d %#x +%d pages", cpu, proc, va,
                             length);
    case Kind::kFork:
      return absl::StrFormat("cpu%d fork p%d -> p%d", cpu, proc, child);
    case Kind::kExit:
      return absl::StrFormat("cpu%d exit p%d", cpu, proc);
    case Kind::kSwitch:
      return absl::StrFormat("cpu%d switch to p%d", cpu, proc);
    case Kind::kBackground:
      return absl::StrFormat("cpu%d background p%d", cpu, proc);
    default:
      return absl::StrFormat("cpu%d %s p%d %#x +%d", cpu, KindName(kind), proc,
                             va, length);
  }
}

std::string RunStats::ToString() const {
  return absl::StrFormat(
      "%d operations: %d forks, %d background steps, %d faults handled, %d "
      "frames copied, %d TLB "
      "hits checked, %d contiguous runs checked, %d blocks mapped, %d runs "
      "of blocks mapped, %d TLBIs, %d ASID rollovers",
      ops, forks, background_steps, faults_handled, frames_copied, hits_checked,
      runs_checked, blocks_mapped, block_runs_mapped, tlbis, asid_rollovers);
}

std::vector<Op> GenerateProgram(uint64_t seed, int count,
                                const ProgramConfig& config) {
  std::mt19937_64 rng(seed);
  auto below = [&](uint64_t n) { return rng() % n; };
  const Windows windows = WindowsOf(config.regime);
  const uint64_t page = windows.page;
  const Window& table = windows.table;
  const Window& block_run = config.blocks ? windows.block_run : Window{0, 0};
  const uint64_t block_pages = config.regime.entries_per_table();
  const unsigned run = config.regime.contiguous_entries(3);
  // Tracks what is mapped, to aim the accesses.
  ReferenceModel shadow(page);
  shadow.Spawn(0);
  std::vector<int> live = {0};
  // The process each CPU last ran: programs mostly stay on it, as a
  // scheduler's time slice does, so TLBs get to hit.
  std::vector<int> current(config.cpus, 0);
  int next_child = 1;
  std::vector<Op> ops;
  ops.reserve(count);

  auto random_page = [&](int proc) -> uint64_t {
    // One in eight accesses tries a page of the run of blocks, so its
    // thousands of pages, when mapped, do not crowd out the rest.
    const uint64_t run_lo = block_run.pages == 0 ? ~0ull : block_run.base;
    const uint64_t run_hi =
        block_run.pages == 0 ? ~0ull : run_lo + block_run.pages * page;
    if (block_run.pages != 0 && below(8) == 0) {
      const uint64_t va = run_lo + below(block_run.pages) * page;
      if (shadow.Mapped(proc, va)) return va;
    }
    // A quarter of the rest go to the table window, so its many pages do
    // not crowd out the small windows' collisions.
    const uint64_t lo = table.base;
    const uint64_t hi = lo + table.pages * page;
    const uint64_t below_table = shadow.PageCount(proc, 0, lo);
    const uint64_t in_table = shadow.PageCount(proc, lo, hi);
    const uint64_t between = shadow.PageCount(proc, hi, run_lo);
    const uint64_t others =
        below_table + between + shadow.PageCount(proc, run_hi, ~0ull);
    const bool to_table = in_table != 0 && (others == 0 || below(4) == 0);
    const uint64_t mapped = to_table ? in_table : others;
    if (mapped != 0 && below(100) < 85) {
      const uint64_t n = below(mapped);
      if (to_table) return shadow.PageAt(proc, lo, n);
      if (n < below_table) return shadow.PageAt(proc, 0, n);
      // Above the table window, past the run of blocks.
      const uint64_t k = n - below_table;
      return k < between ? shadow.PageAt(proc, hi, k)
                         : shadow.PageAt(proc, run_hi, k - between);
    }
    const Window& w = windows.small[below(std::size(windows.small))];
    return w.base + below(w.pages) * page;
  };

  while (static_cast<int>(ops.size()) < count) {
    Op op{};
    op.cpu = static_cast<int>(below(config.cpus));
    if (std::find(live.begin(), live.end(), current[op.cpu]) == live.end() ||
        below(100) < 10) {
      current[op.cpu] = live[below(live.size())];
    }
    op.proc = current[op.cpu];
    const uint64_t roll = below(100);
    if (roll < 10) {
      const Window& w = windows.small[below(std::size(windows.small))];
      op.kind = Op::Kind::kMap;
      op.length = 1 + below(6);
      op.va = w.base + below(w.pages - op.length + 1) * page;
      // As often as one in 40 Maps with 4 KiB pages, less often with
      // larger tables, so that every granule's programs fork, unmap and
      // check about as many pages.
      bool whole_run = false;
      if (below(40 * table.pages / 512) == 0) {
        op.length = table.pages;
        op.va = table.base;
        // Most of them one level-2 block, for forks to share and CoW
        // breaks and unmaps to split.
        op.blocks = config.blocks && below(4) != 0;
        // Now and then the run of blocks instead, for its CoW breaks and
        // unmaps to take apart.
        if (block_run.pages != 0 && below(16) == 0) {
          op.length = static_cast<uint32_t>(block_run.pages);
          op.va = block_run.base;
          op.blocks = true;
          whole_run = true;
        }
      } else if (below(4) == 0) {
        // One aligned contiguous run in the table window, sometimes with a
        // page after it, so that unmaps and CoW breaks split runs.
        op.length = run + below(2);
        op.va = table.base + below(table.pages / run) * run * page;
        if (op.va + op.length * page > table.base + table.pages * page) {
          op.length = run;
        }
      }
      op.contiguous = whole_run || below(2) == 0;
      op.perm = static_cast<Perm>(below(10) < 7 ? 0 : 1 + below(2));
      shadow.Map(op.proc, op.va, op.length, op.perm);
    } else if (roll < 14) {
      op.kind = Op::Kind::kUnmap;
      op.va = random_page(op.proc);
      op.length = 1 + below(3);
      const uint64_t run_end = block_run.base + block_run.pages * page;
      if (block_run.pages != 0 && below(4) == 0 &&
          shadow.PageCount(op.proc, block_run.base, run_end) != 0) {
        // One block of the run of blocks, or all of it: soon, as every
        // eager fork copies it while it lasts.
        const bool all = below(2) == 0;
        op.va = block_run.base + (all ? 0
                                      : below(block_run.pages / block_pages) *
                                            block_pages * page);
        op.length = static_cast<uint32_t>(all ? block_run.pages : block_pages);
      } else if (below(8) == 0) {
        // Whole, so that a later Map can fill it again.
        op.va = table.base;
        op.length = table.pages;
      }
      shadow.Unmap(op.proc, op.va, op.length);
    } else if (roll < 50) {
      op.kind = Op::Kind::kWrite;
      op.length = 1 + below(48);
      op.va = random_page(op.proc) +
              (below(8) == 0 ? page - 8 : below(page - op.length));
      op.fill = static_cast<uint8_t>(rng());
      std::vector<uint8_t> bytes = Bytes(op);
      shadow.Write(op.proc, op.va, bytes);
    } else if (roll < 80) {
      op.kind = Op::Kind::kRead;
      op.length = 1 + below(48);
      op.va = random_page(op.proc) + below(page - op.length);
    } else if (roll < 83) {
      op.kind = Op::Kind::kExecute;
      op.length = 4;
      op.va = random_page(op.proc) + below(page / 4) * 4;
    } else if (roll < 90) {
      if (static_cast<int>(live.size()) >= kMaxProcesses) continue;
      op.kind = Op::Kind::kFork;
      op.child = next_child++;
      shadow.Fork(op.proc, op.child);
      live.push_back(op.child);
    } else if (roll < 94) {
      if (op.proc == 0) continue;  // Keep one process alive.
      op.kind = Op::Kind::kExit;
      shadow.Exit(op.proc);
      live.erase(std::find(live.begin(), live.end(), op.proc));
    } else if (roll < 97) {
      op.kind = Op::Kind::kSwitch;
    } else {
      op.kind = Op::Kind::kBackground;
    }
    ops.push_back(op);
  }
  return ops;
}

bool AShortProgramFails(Strategy<sim::SimArch>& strategy) {
  // Pages only: the seed kernel maps no blocks.
  const ProgramConfig configs[] = {
      {1, Regime::Va39(), false, true, false, /*blocks=*/false},
      {2, Regime::Va48(), true, true, false, /*blocks=*/false}};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    for (const ProgramConfig& config : configs) {
      if (RunProgram(GenerateProgram(seed, 400, config), config, strategy)) {
        return true;
      }
    }
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, const Failure& f) {
  return os << f.message;
}

std::optional<Failure> RunProgram(const std::vector<Op>& ops,
                                  const ProgramConfig& config,
                                  Strategy<sim::SimArch>& strategy,
                                  RunStats* stats) {
  sim::MachineConfig mc;
  mc.cpus = config.cpus;
  mc.regime = config.regime;
  mc.range_tlbi = config.range_tlbi;
  // Room for a table window's Map, and the run of blocks, in each of
  // several processes, with room to copy: host memory is committed only as
  // frames are first used.
  const uint64_t frames =
      std::max<uint64_t>(16384, 8 * config.regime.entries_per_table()) +
      8 * WindowsOf(config.regime).block_run.pages;
  mc.memory_bytes = frames * config.regime.granule_bytes();
  mc.check_coherence = true;
  mc.speculate = config.speculate;
  mc.cow_copies_runs = config.cow_copies_runs;
  mc.walk = config.walk;
  auto created = sim::Machine::Create(mc, strategy);
  if (!created.ok()) return Failure{0, std::string(created.status().message())};
  sim::Machine& m = **created;
  ReferenceModel ref(config.regime.granule_bytes());
  std::map<int, sim::Pid> pid;  // Logical process -> machine pid.
  pid[0] = m.Spawn(0).value();
  ref.Spawn(0);

  auto fault_name = [](bool ok, FaultKind k) {
    return ok ? "no fault" : FaultKindName(k);
  };
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const auto fail = [&](const auto&... what) {
      return Failure{
          i, absl::StrCat("op ", i, " (", op.ToString(), "): ", what...)};
    };
    if (!ref.Alive(op.proc)) continue;  // Shrinking removed its fork.
    const sim::Pid p = pid.at(op.proc);
    switch (op.kind) {
      case Op::Kind::kMap: {
        const bool ref_ok = ref.Map(op.proc, op.va, op.length, op.perm);
        const Descriptor attrs =
            PageAttrs(op.perm).with_contiguous(op.contiguous);
        const Status s = op.blocks
                             ? m.MapBlocks(op.cpu, p, op.va, op.length, attrs)
                             : m.Map(op.cpu, p, op.va, op.length, attrs);
        if (s == Status::kOk && op.blocks && stats != nullptr &&
            m.process(p)->space.BlockAt(op.va) != nullptr) {
          ++stats->blocks_mapped;
          if (m.process(p)->space.BlockRunAt(op.va) != nullptr) {
            ++stats->block_runs_mapped;
          }
        }
        if ((s == Status::kOk) != ref_ok) {
          return fail("machine says ", StatusName(s), ", reference ",
                      ref_ok ? "ok" : "already mapped");
        }
        break;
      }
      case Op::Kind::kUnmap: {
        ref.Unmap(op.proc, op.va, op.length);
        if (const Status s = m.Unmap(op.cpu, p, op.va, op.length);
            s != Status::kOk) {
          return fail("unmap failed: ", StatusName(s));
        }
        break;
      }
      case Op::Kind::kWrite: {
        const std::vector<uint8_t> bytes = Bytes(op);
        const FaultKind want = ref.Write(op.proc, op.va, bytes);
        const sim::AccessResult got = m.Write(op.cpu, p, op.va, bytes);
        if (got.ok != (want == FaultKind::kNone) ||
            (!got.ok && got.fault.kind != want) || got.out_of_memory) {
          return fail(
              "machine: ", fault_name(got.ok, got.fault.kind),
              ", reference: ", fault_name(want == FaultKind::kNone, want));
        }
        break;
      }
      case Op::Kind::kRead:
      case Op::Kind::kExecute: {
        std::vector<uint8_t> want_bytes(op.length), got_bytes(op.length);
        const bool read = op.kind == Op::Kind::kRead;
        const FaultKind want = read ? ref.Read(op.proc, op.va, want_bytes)
                                    : ref.Execute(op.proc, op.va, op.length);
        const sim::AccessResult got =
            read ? m.Read(op.cpu, p, op.va, got_bytes)
                 : m.Execute(op.cpu, p, op.va, op.length);
        if (got.ok != (want == FaultKind::kNone) ||
            (!got.ok && got.fault.kind != want)) {
          return fail(
              "machine: ", fault_name(got.ok, got.fault.kind),
              ", reference: ", fault_name(want == FaultKind::kNone, want));
        }
        if (got.ok && got_bytes != want_bytes) {
          return fail("read different bytes than the reference");
        }
        break;
      }
      case Op::Kind::kFork: {
        const Result<sim::Pid> child = m.Fork(op.cpu, p);
        if (!child.ok()) {
          return fail("fork failed: ", StatusName(child.status()));
        }
        ref.Fork(op.proc, op.child);
        pid[op.child] = child.value();
        break;
      }
      case Op::Kind::kExit:
        ref.Exit(op.proc);
        m.Exit(op.cpu, p);
        break;
      case Op::Kind::kSwitch:
        m.Run(op.cpu, p);
        break;
      case Op::Kind::kBackground:
        // Invisible to the process: the reference model has nothing to do.
        if (const Result<bool> r = m.Background(op.cpu, p); !r.ok()) {
          return fail("background step failed: ", StatusName(r.status()));
        }
        break;
    }
    if (!m.checker()->violations().empty()) {
      return fail("coherence checker: ", m.checker()->violations().front());
    }
    if (m.counters().livelocks != 0) {
      return fail(
          "an access kept faulting after its fault "
          "was handled");
    }
  }
  if (stats != nullptr) {
    stats->ops += ops.size();
    stats->forks += m.counters().forks;
    stats->background_steps += m.counters().background_steps;
    stats->faults_handled += m.counters().faults_handled;
    stats->frames_copied += m.pool().stats().copies;
    stats->hits_checked += m.checker()->hits_checked();
    stats->runs_checked += m.checker()->runs_checked();
    stats->asid_rollovers += m.asids().rollovers();
    stats->tlbis += m.system().counters().tlbi_total();
  }
  for (const auto& [logical, machine_pid] : pid) m.Exit(0, machine_pid);
  if (m.pool().frames_in_use() != 0 || m.pool().stats().invalid_releases != 0) {
    return Failure{
        ops.size(),
        absl::StrFormat("after every exit the pool still holds %d frames "
                        "(%d invalid releases)",
                        m.pool().frames_in_use(),
                        m.pool().stats().invalid_releases)};
  }
  return std::nullopt;
}

std::vector<Op> Shrink(std::vector<Op> ops, const ProgramConfig& config,
                       Strategy<sim::SimArch>& strategy,
                       std::chrono::seconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  // Whether `fewer` still fails; if so it becomes `ops`, cut after the
  // operation that failed: nothing after it can matter.
  auto keep_if_failing = [&](std::vector<Op> fewer) {
    const std::optional<Failure> failure = RunProgram(fewer, config, strategy);
    if (!failure.has_value()) return false;
    if (failure->op + 1 < fewer.size()) fewer.resize(failure->op + 1);
    ops = std::move(fewer);
    return true;
  };
  if (!keep_if_failing(ops)) return ops;
  for (size_t chunk = ops.size() / 2; chunk >= 1; chunk /= 2) {
    for (size_t start = 0; start < ops.size();) {
      if (std::chrono::steady_clock::now() > deadline) return ops;
      std::vector<Op> fewer(ops.begin(), ops.begin() + start);
      fewer.insert(fewer.end(),
                   ops.begin() + std::min(ops.size(), start + chunk),
                   ops.end());
      if (!keep_if_failing(std::move(fewer))) start += chunk;
    }
  }
  return ops;
}

}  // namespace ttb::testing
