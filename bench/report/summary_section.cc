// The summary: each question answered by modelled cycles at the typical
// costs, with how far across the cost ranges the answer holds (reach.h).
// First the process that writes 10% of its pages after fork, every
// strategy beside the winner; then one line per other workload. Host time
// measures the simulator, so it answers nothing here.
#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/sections.h"
#include "bench/results/noise.h"
#include "bench/results/reach.h"
#include "engine/names.h"

namespace ttb::bench {
namespace {

// A question of the summary: its label, and its benchmark for a strategy.
struct Question {
  std::string label;
  std::function<std::string(const std::string&)> of;
  // A CoW fault: only strategies that take it compete (eager copy paid at
  // fork).
  bool cow = false;
};

std::string Named(const std::string& s) {
  return s == kLinuxReference ? absl::StrCat("`", s, "` (Linux reference)")
                              : absl::StrCat("`", s, "`");
}

// The strategies that ran `q`, cheapest first at typical costs.
std::vector<std::string> Ranked(const ReportContext& r, const Question& q) {
  std::vector<std::pair<double, std::string>> ranked;
  for (const std::string& s : r.h.strategies) {
    const double cycles = r.Cycles(q.of(s));
    if (cycles < 0 || (q.cow && r.h.Counter(q.of(s), "faults") < 1)) continue;
    ranked.emplace_back(cycles, s);
  }
  std::stable_sort(
      ranked.begin(), ranked.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (const auto& entry : ranked) names.push_back(entry.second);
  return names;
}

// "`winner` costs less than `rival`": level with it, holding across every
// cost range, or turned by some cost; `text` says which in words.
struct Against {
  enum class Kind { kLevel, kHolds, kTurns } kind;
  std::string text;
};

Against Compare(const ReportContext& r, const Question& q,
                const std::string& winner, const std::string& rival) {
  const std::vector<double> a = r.Coefficients(q.of(winner));
  const std::vector<double> b = r.Coefficients(q.of(rival));
  if (a == b) return {Against::Kind::kLevel, "the same modelled work"};
  // Within 0.1% the two differ by amortised crumbs (a fork's share of a
  // CoW fault's iterations), not by what the workload does.
  if (ModelledLevel(r.costs.Cycles(a), r.costs.Cycles(b))) {
    return {Against::Kind::kLevel, "level: within 0.1% at typical costs"};
  }
  const Reach reach = VerdictReach(r.costs, a, b);
  if (reach.typical_margin <= 0) {
    return {Against::Kind::kLevel, "level at typical costs"};
  }
  return {reach.holds() ? Against::Kind::kHolds : Against::Kind::kTurns,
          DescribeReach(r.costs, reach)};
}

// "12.3 M modelled cycles (12.1 M on the forking PE)".
std::string CyclesOf(const ReportContext& r, const std::string& benchmark) {
  return absl::StrCat(
      CyclesCell(r.Cycles(benchmark)), " modelled cycles (",
      CyclesCell(r.Cycles(benchmark, CostPoint::kTypical, true)),
      " on the forking PE)");
}

// The main question, with a row per strategy.
std::string Recommendation(const ReportContext& r) {
  const Question q = {
      absl::StrCat("A ", r.big_label,
                   " process that writes 10% of its pages after fork"),
      [&r](const std::string& s) {
        return r.Name("fork_write", s, {.mib = r.big, .percent = 10});
      }};
  const std::vector<std::string> ranked = Ranked(r, q);
  if (ranked.empty()) return "";
  const std::string& best = ranked[0];
  const double best_cycles = r.Cycles(q.of(best));
  std::vector<std::vector<std::string>> rows;
  int held = 0;
  std::vector<std::string> level;  // Those the ranking cannot tell apart.
  for (const std::string& s : ranked) {
    const std::string b = q.of(s);
    const Against against = s == best ? Against{Against::Kind::kLevel, "-"}
                                      : Compare(r, q, best, s);
    held += against.kind == Against::Kind::kHolds;
    if (s != best && against.kind == Against::Kind::kLevel) {
      level.push_back(Named(s));
    }
    rows.push_back({Named(s), CyclesCell(r.Cycles(b)),
                    CyclesCell(r.Cycles(b, CostPoint::kTypical, true)),
                    best_cycles > 0
                        ? absl::StrFormat("%.2f", r.Cycles(b) / best_cycles)
                        : "-",
                    against.text, s == best ? "-" : Extra(r.h, q.of(best), b),
                    absl::StrCat(Ms(r.h.Ns(b)), " ms")});
  }
  return absl::StrCat(
      "- **", q.label, ": use `", best, "`",
      level.empty() ? ""
                    : absl::StrCat(", or as well ", absl::StrJoin(level, ", "),
                                   " (level with it)"),
      "**: ", CyclesOf(r, q.of(best)),
      " for fork, the writes and the child's exit (",
      EventSummary(r.h, q.of(best)),
      "). Its lead holds across every cost "
      "range against ",
      held, " of the ", ranked.size() - 1,
      " others; the table says where it turns against the rest.\n\n",
      Table({"strategy", "modelled cycles", "on the forking PE",
             absl::StrCat("x `", best, "`"),
             absl::StrCat("`", best, "` costs less"), "what it does more",
             "host time (simulator)"},
            rows));
}

// The other workloads of the summary.
std::vector<Question> OtherQuestions(const ReportContext& r) {
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
       },
       true},
      {"parent/child ping-pong on one CPU",
       [&r](const std::string& s) { return r.Name("pingpong", s, {}); }},
      {"fork while the parent runs on 4 CPUs",
       [&r](const std::string& s) {
         return r.Name("smp_fork", s, {.mib = 64, .cpus = 4});
       }},
  };
}

// One line per other workload: its winner, how far its lead holds, and
// the Linux reference's figure.
std::string WinnerLines(const ReportContext& r) {
  std::string md;
  for (const Question& q : OtherQuestions(r)) {
    const std::vector<std::string> ranked = Ranked(r, q);
    if (ranked.empty()) continue;
    const std::string& best = ranked[0];
    std::vector<std::string> same, holds, turns;
    for (size_t i = 1; i < ranked.size(); ++i) {
      const Against against = Compare(r, q, best, ranked[i]);
      if (against.kind == Against::Kind::kLevel) {
        same.push_back(Named(ranked[i]));
      } else if (against.kind == Against::Kind::kHolds) {
        holds.push_back(Named(ranked[i]));
      } else {
        turns.push_back(
            absl::StrCat("against ", Named(ranked[i]), ", ", against.text));
      }
    }
    std::string line = absl::StrCat("- ", q.label, ": `", best, "`, ",
                                    CyclesOf(r, q.of(best)));
    if (!same.empty()) {
      absl::StrAppend(&line,
                      "; level with it (the same modelled work, or "
                      "within 0.1%): ",
                      absl::StrJoin(same, ", "));
    }
    if (!holds.empty()) {
      absl::StrAppend(&line, "; cheaper across every cost range than ",
                      absl::StrJoin(holds, ", "));
    }
    if (!turns.empty())
      absl::StrAppend(&line, "; ", absl::StrJoin(turns, "; "));
    if (best != kLinuxReference) {
      const double linux = r.Cycles(q.of(kLinuxReference));
      if (linux >= 0) {
        absl::StrAppend(&line, ". `", kLinuxReference, "`: ", CyclesCell(linux),
                        " cycles");
      }
    }
    md += line + ".\n";
  }
  return md;
}

}  // namespace

std::string SummarySection(const ReportContext& r) {
  return absl::StrCat(
      "## Summary\n\nBy modelled cycles at typical costs on ", r.costs.pes(),
      " PEs; each verdict says whether it holds for every cost in the "
      "model's ranges or which cost, moved alone, turns it.\n\n",
      Recommendation(r), "\n", WinnerLines(r), "\n");
}

}  // namespace ttb::bench
