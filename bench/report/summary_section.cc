// The summary: for a process that writes 10% of its pages after fork, the
// strategies to use and what their rivals do more; then each other
// workload's winner and the strategies one run cannot rank against it.
#include <functional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"
#include "bench/results/noise.h"

namespace ttb::bench {
namespace {

// A workload of the summary: its label, and its benchmark for a strategy.
struct Workload {
  std::string label;
  std::function<std::string(const std::string&)> of;
};

// Rankings within one run.
class Ranking {
 public:
  explicit Ranking(const HostResults& h) : h_(h) {}

  // The fastest strategy that ran `w` and `competes`, with its time.
  template <typename Competes>
  std::pair<std::string, double> Fastest(const Workload& w,
                                         Competes&& competes) const {
    std::string best;
    double best_ns = 0;
    for (const std::string& s : h_.strategies) {
      const double ns = h_.Ns(w.of(s));
      if (ns > 0 && competes(s) && (best.empty() || ns < best_ns)) {
        best = s, best_ns = ns;
      }
    }
    return {best, best_ns};
  }
  size_t Repetitions(const std::string& a, const std::string& b) const {
    const Measured* ma = h_.Find(a);
    const Measured* mb = h_.Find(b);
    return ma == nullptr || mb == nullptr
               ? size_t{0}
               : std::min(ma->ns.size(), mb->ns.size());
  }
  // Host time cannot rank two benchmarks HostTimesLevel finds level: by a
  // U test over repetitions, or within 5% from one run.
  bool HostLevel(const std::string& a, const std::string& best) const {
    const Measured* ma = h_.Find(a);
    const Measured* mb = h_.Find(best);
    return ma != nullptr && mb != nullptr && HostTimesLevel(ma->ns, mb->ns);
  }
  // Nor can it rank benchmarks whose events cost the same to within 0.1%
  // of modelled cycles: the simulated machine did the same work, and what
  // remains is the simulator's noise.
  bool Level(const std::string& a, const std::string& best) const {
    return HostLevel(a, best) ||
           ModelledLevel(h_.Counter(a, "modelled_cycles"),
                         h_.Counter(best, "modelled_cycles"));
  }

 private:
  const HostResults& h_;
};

// The other workloads of the summary, one line each.
std::vector<Workload> OtherWorkloads(const ReportContext& r) {
  return {
      {absl::StrCat("fork of ", r.big_label),
       [&r](const std::string& s) { return r.DenseFork(s, r.big); }},
      {absl::StrCat("fork of ", r.big_label,
                    " while the parent's text is in the TLB, then the parent "
                    "runs its text (`fork_resume`)"),
       [&r](const std::string& s) {
         return r.Name("fork_resume", s, {.mib = r.big});
       }},
      {"CoW fault, the child's first write",
       [&r](const std::string& s) {
         return r.Name("cow_fault", s, {.writer = Writer::kChild});
       }},
      {"parent/child ping-pong on one CPU",
       [&r](const std::string& s) { return r.Name("pingpong", s, {}); }},
      {"fork while the parent runs on 4 CPUs",
       [&r](const std::string& s) {
         return r.Name("smp_fork", s, {.mib = 64, .cpus = 4});
       }},
  };
}

// What tells the strategies `tied` (level on the main workload) apart: the
// other workloads on which one of them is clearly dearer than the best of
// them, in host time and in simulated work alike. Adds each such strategy
// to `dearer`.
std::vector<std::string> WhatSetsApart(
    const ReportContext& r, const Ranking& rank,
    const std::vector<Workload>& others,
    const std::function<bool(const std::string&)>& tied,
    std::set<std::string>& dearer) {
  const HostResults& h = r.h;
  std::vector<std::string> apart;
  for (const Workload& w : others) {
    const auto [first, first_ns] = rank.Fastest(w, tied);
    if (first.empty()) continue;
    for (const std::string& s : h.strategies) {
      if (s == first || !tied(s) || h.Ns(w.of(s)) <= 0 ||
          rank.Level(w.of(s), w.of(first)) ||
          h.Counter(w.of(s), "modelled_cycles") <=
              h.Counter(w.of(first), "modelled_cycles")) {
        continue;
      }
      dearer.insert(s);
      apart.push_back(absl::StrFormat(
          "    - %s: `%s` takes %.2fx as long as `%s`: %s.\n", w.label, s,
          h.Ns(w.of(s)) / first_ns, first, Extra(h, w.of(first), w.of(s))));
    }
  }
  return apart;
}

// The recommendation for a process that writes 10% of its pages after
// fork, with every rival's ratio and what it does more.
std::string Recommendation(const ReportContext& r, const Ranking& rank,
                           const std::vector<Workload>& others) {
  const HostResults& h = r.h;
  const Workload main = {"", [&r](const std::string& s) {
                           return r.Name("fork_write", s,
                                         {.mib = r.big, .percent = 10});
                         }};
  const auto [best, ns] =
      rank.Fastest(main, [](const std::string&) { return true; });
  if (best.empty()) return "";
  const auto tied = [&](const std::string& s) {
    return s == best || rank.Level(main.of(s), main.of(best));
  };
  std::set<std::string> dearer;
  const std::vector<std::string> apart =
      WhatSetsApart(r, rank, others, tied, dearer);
  // The level strategies no other workload finds dearer (all of them, if
  // every one is dearer somewhere).
  std::vector<std::string> use, level_but_dearer;
  for (const std::string& s : h.strategies) {
    if (!tied(s)) continue;
    (dearer.count(s) ? level_but_dearer : use)
        .push_back(absl::StrCat("`", s, "`"));
  }
  if (use.empty()) use.swap(level_but_dearer);
  std::string why;
  if (use.size() > 1) {
    why = absl::StrCat(
        " (the same modelled cycles to 0.1%, or ",
        HostLevelRule(rank.Repetitions(main.of(best), main.of(best))),
        ": this run cannot rank them)");
  }
  if (!level_but_dearer.empty()) {
    absl::StrAppend(&why, "; ", absl::StrJoin(level_but_dearer, ", "),
                    level_but_dearer.size() == 1 ? " is" : " are",
                    " as fast here but dearer elsewhere, below");
  }
  std::string md = absl::StrCat(
      "- **A ", r.big_label,
      " process that writes 10% of its pages after fork: use ",
      use.size() == 1 ? use[0] : absl::StrJoin(use, " or "), "**", why, ". ",
      Ms(ns), " ms for fork, the writes and the child's exit with `", best,
      "` (", EventSummary(h, main.of(best)), "). Against it:\n");
  for (const std::string& s : h.strategies) {
    if (s == best) continue;
    // Level by host time says so with its rule; level only by the
    // modelled cycles, that the gap is noise.
    const std::string level =
        rank.HostLevel(main.of(s), main.of(best))
            ? absl::StrCat(
                  " (",
                  HostLevelRule(rank.Repetitions(main.of(s), main.of(best))),
                  ")")
        : tied(s) ? " (the same simulated work to 0.1%: the gap is host noise)"
                  : "";
    md += absl::StrFormat("  - `%s` takes %.2fx as long%s: %s.\n", s,
                          h.Ns(main.of(s)) / ns, level,
                          Extra(h, main.of(best), main.of(s)));
  }
  if (!apart.empty()) {
    md += absl::StrCat(
        "  - Between the level strategies, the other workloads of this run "
        "decide:\n",
        absl::StrJoin(apart, ""));
  }
  return md;
}

// One line per other workload: its winner, and who is level with it.
std::string WinnerLines(const ReportContext& r, const Ranking& rank,
                        const std::vector<Workload>& others) {
  const HostResults& h = r.h;
  std::string md;
  for (const Workload& w : others) {
    // In the CoW fault only strategies that take the fault compete: eager
    // copy paid at fork.
    const bool cow = w.label.rfind("CoW", 0) == 0;
    auto competes = [&](const std::string& s) {
      return !cow || h.Counter(w.of(s), "faults") >= 1;
    };
    const auto [best, ns] = rank.Fastest(w, competes);
    if (best.empty()) continue;
    std::vector<std::string> peers;
    for (const std::string& s : h.strategies) {
      if (s != best && h.Ns(w.of(s)) > 0 && competes(s) &&
          rank.Level(w.of(s), w.of(best))) {
        peers.push_back(absl::StrCat("`", s, "`"));
      }
    }
    md += absl::StrCat("- ", w.label, ": `", best, "` (", Us(ns),
                       " us: ", EventSummary(h, w.of(best)), ")",
                       peers.empty()
                           ? ""
                           : absl::StrCat("; level with it in this run: ",
                                          absl::StrJoin(peers, ", ")),
                       ".\n");
  }
  return md;
}

}  // namespace

std::string SummarySection(const ReportContext& r) {
  const Ranking rank(r.h);
  const std::vector<Workload> others = OtherWorkloads(r);
  return absl::StrCat("## Summary\n\n", Recommendation(r, rank, others),
                      WinnerLines(r, rank, others), "\n");
}

}  // namespace ttb::bench
