#include "bench/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/report/plot.h"
#include "bench/report/targets.h"
#include "bench/results/compare.h"
#include "bench/results/cost_model.h"
#include "bench/results/latency.h"
#include "bench/results/text_file.h"
#include "engine/names.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;

constexpr char kLogLog[] = "set logscale xy\n";

uint64_t MiB(const std::string& size) {  // "1024MiB" -> 1024.
  return std::strtoull(size.c_str(), nullptr, 10);
}

std::string Ms(double ns) { return absl::StrFormat("%.3f", ns / 1e6); }
std::string Us(double ns) { return absl::StrFormat("%.2f", ns / 1e3); }

// Orders benchmark names part by part, numbers by value: "fork/dense/1MiB"
// before "fork/dense/16MiB", "10pct" before "50pct".
bool NameLess(absl::string_view a, absl::string_view b) {
  const std::vector<absl::string_view> pa = absl::StrSplit(a, '/');
  const std::vector<absl::string_view> pb = absl::StrSplit(b, '/');
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    uint64_t na = 0, nb = 0;
    const size_t da = pa[i].find_first_not_of("0123456789");
    const size_t db = pb[i].find_first_not_of("0123456789");
    if (da != 0 && db != 0 && absl::SimpleAtoi(pa[i].substr(0, da), &na) &&
        absl::SimpleAtoi(pb[i].substr(0, db), &nb) && na != nb) {
      return na < nb;
    }
    if (pa[i] != pb[i]) return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}
std::string Whole(double v) { return absl::StrFormat("%.0f", v); }
// Events per iteration: whole where they are (a fork's), else to three
// figures (a CoW fault's share of the table copy every 512 writes).
std::string Count(double v) {
  return v >= 10 || v == std::floor(v) ? Whole(v) : absl::StrFormat("%.3g", v);
}
// Fewer events than one in a thousand iterations are a rare event (an
// ASID rollover) or the benchmark's start, not what its workload does.
constexpr double kNoEvent = 1e-3;

// The host result set, indexed the ways the report reads it.
struct HostResults {
  Timings all;
  std::map<std::string, std::string> context;
  std::vector<std::string> strategies;  // In registry order.
  std::vector<uint64_t> sizes;          // fork/<s>/dense/<N>MiB sizes.

  const Measured* Find(const std::vector<std::string>& parts) const {
    return FindByParts(all, parts);
  }
  double Ns(const std::vector<std::string>& parts) const {
    const Measured* m = Find(parts);
    return m == nullptr ? -1 : Median(m->ns);
  }
  double Counter(const std::vector<std::string>& parts,
                 const std::string& counter) const {
    const Measured* m = Find(parts);
    return m == nullptr ? 0 : m->Counter(counter);
  }
};

absl::StatusOr<HostResults> LoadHost(const std::string& path) {
  HostResults h;
  absl::StatusOr<Timings> all = LoadTimings(path, &h.context);
  if (!all.ok()) return all.status();
  if (ContextValue(h.context, "ttbench_world", "") == "baremetal") {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": a bare-metal result set; give it after a host one (ttbench "
        "report HOST.json ",
        fs::path(path).filename().string(), ")"));
  }
  h.all = *std::move(all);
  std::set<uint64_t> sizes;
  for (const auto& [name, m] : h.all) {
    const std::vector<std::string> p = NameParts(name);
    if (p.size() == 4 && p[0] == "fork" && p[2] == "dense") {
      if (std::find(h.strategies.begin(), h.strategies.end(), p[1]) ==
          h.strategies.end()) {
        h.strategies.push_back(p[1]);
      }
      sizes.insert(MiB(p[3]));
    }
  }
  if (h.strategies.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": no fork/<strategy>/dense/<size> benchmarks to "
                     "report on (a ttbench run result set?)"));
  }
  h.sizes.assign(sizes.begin(), sizes.end());
  return h;
}

// Cycles each event kind contributes, per strategy (stacked bars).
absl::Status CostSplitPlot(
    const std::string& svg, const std::string& title,
    const std::vector<std::string>& strategies,
    const std::vector<std::string>& kinds,
    const std::map<std::string, std::map<std::string, double>>& cycles) {
  std::string script =
      PlotHeader(svg, title, "", "% of the strategy's modelled cycles");
  script +=
      "set style data histograms\nset style histogram rowstacked\n"
      "set style fill solid 0.85 border -1\nset boxwidth 0.7\n"
      "set key outside right top\nset yrange [0:100]\n";
  // Enough distinct colours for every event kind.
  constexpr const char* kColours[] = {
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
      "#8c6d31", "#843c39", "#7b4173", "#3182bd"};
  for (size_t i = 0; i < kinds.size(); ++i) {
    absl::StrAppend(&script, "set linetype ", i + 1, " lc rgb '",
                    kColours[i % std::size(kColours)], "'\n");
  }
  // No header row: the series take their titles from `kinds` below.
  script += "set xtics rotate by -20\n$d << EOD\n";
  for (const std::string& s : strategies) {
    script += s;
    // A strategy without the fork at this size has no bar.
    static const std::map<std::string, double> kNone;
    const auto found = cycles.find(s);
    const auto& by_kind = found == cycles.end() ? kNone : found->second;
    double total = 0;
    for (const auto& [kind, c] : by_kind) total += c;
    for (const std::string& k : kinds) {
      auto it = by_kind.find(k);
      absl::StrAppend(
          &script, " ",
          it == by_kind.end() || total == 0 ? 0.0 : 100 * it->second / total);
    }
    script += "\n";
  }
  script += "EOD\n";
  std::vector<std::string> plots;
  for (size_t i = 0; i < kinds.size(); ++i) {
    plots.push_back(absl::StrCat("$d using ", i + 2, i == 0 ? ":xtic(1)" : "",
                                 " title ", Quoted(kinds[i])));
  }
  absl::StrAppend(&script, "plot ", absl::StrJoin(plots, ", "), "\n");
  return Plot(script);
}

// The events a summary names: TLB maintenance by kind, barriers, TTBR0
// writes, IPIs, walks, faults, copies, tables and shared frames. Not
// totals, per-walk reads and hits, nor counters that are not events
// (latencies, cycles, sizes).
bool SummarisedEvent(const std::string& key) {
  return key.rfind("tlbi.", 0) == 0 || key.rfind("dsb.", 0) == 0 ||
         key == "isb" || key == "ttbr0_writes" || key == "ipis" ||
         key == "walks" || key == "faults" || key == "pages_copied" ||
         key == "tables_allocated" || key == "frames_shared";
}

// "262144 tlbi.vale1, 262144 dsb.ish, ..." from a benchmark's counters.
std::string EventSummary(const HostResults& h,
                         const std::vector<std::string>& parts) {
  std::vector<std::string> said;
  const Measured* m = h.Find(parts);
  if (m == nullptr) return "";
  for (const auto& [key, value] : m->counters) {
    if (SummarisedEvent(key) && value > kNoEvent) {
      said.push_back(absl::StrCat(Count(value), " ", key));
    }
  }
  return said.empty() ? "no TLB maintenance, copies or faults"
                      : absl::StrJoin(said, ", ");
}

}  // namespace

namespace {

// What `rival` does that `winner` does not, for the same workload:
// "262144 more tlbi.vale1, 262144 more isb".
std::string Extra(const HostResults& h, const std::vector<std::string>& winner,
                  const std::vector<std::string>& rival) {
  const Measured* w = h.Find(winner);
  const Measured* r = h.Find(rival);
  if (w == nullptr || r == nullptr) return "";
  std::vector<std::string> more;
  for (const auto& [key, value] : r->counters) {
    if (!SummarisedEvent(key)) continue;
    const double diff = value - w->Counter(key);
    if (diff > kNoEvent) {
      more.push_back(absl::StrCat(Count(diff), " more ", key));
    }
  }
  return more.empty() ? "no event more often" : absl::StrJoin(more, ", ");
}

// Draws `series` into dir/svg and returns the Markdown that shows it,
// or "" when there was nothing to draw (a result set without those
// measurements, such as modelled cycles).
absl::StatusOr<std::string> OptionalPlot(
    const fs::path& dir, const std::string& svg, const std::string& alt,
    const std::string& title, const std::string& xlabel,
    const std::string& ylabel, const std::string& extra, const Series& series) {
  const absl::Status s =
      LinePlot((dir / svg).string(), title, xlabel, ylabel, extra, series);
  if (absl::IsNotFound(s)) return std::string();
  if (!s.ok()) return s;
  return absl::StrCat("![", alt, "](", svg, ")\n\n");
}

absl::StatusOr<std::string> WriteReportFiles(
    const std::vector<std::string>& inputs, const std::string& costs_dir) {
  if (inputs.empty()) return absl::InvalidArgumentError("no result file given");
  absl::StatusOr<HostResults> loaded = LoadHost(inputs[0]);
  if (!loaded.ok()) return loaded.status();
  const HostResults& h = *loaded;
  const std::string profile =
      ContextValue(h.context, "ttbench_profile", "neoverse-n1");
  absl::StatusOr<CostModel> costs =
      CostModel::Load(absl::StrCat(costs_dir, "/", profile, ".json"));
  if (!costs.ok()) return costs.status();
  // The cost split below charges this run's events with `costs`; the run's
  // own modelled cycles used the model it names.
  if (const std::string used = ContextValue(h.context, kCostsNoteKey, "");
      !used.empty() && used != costs->note()) {
    return absl::InvalidArgumentError(absl::StrCat(
        inputs[0], " was modelled with other cost figures than ", costs_dir,
        "/", profile, ".json (give report the --costs the run was given)"));
  }

  const fs::path json(inputs[0]);
  const fs::path dir = json.parent_path();
  const std::string stem = json.stem().string();
  const uint64_t big = h.sizes.back();
  const std::string big_size = absl::StrCat(big, "MiB");
  const std::string big_label = big % 1024 == 0
                                    ? absl::StrCat(big / 1024, " GiB")
                                    : absl::StrCat(big, " MiB");
  std::string md = absl::StrCat(
      "# ttbench report: ", stem, "\n\n",
      "Host: ", ContextValue(h.context, "host_cpu"), ", ",
      ContextValue(h.context, "host_kernel"), "; simulated core: ", profile,
      ContextValue(h.context, "ttbench_range_tlbi") == "true"
          ? " with FEAT_TLBIRANGE"
          : "",
      "; commit ", ContextValue(h.context, "ttbench_commit"),
      ". Generated by `ttbench report ", json.filename().string(),
      "` from that one run: compare figures as ratios within it.\n\n"
      "Host times are the simulator's on this machine; modelled cycles are "
      "its event counts times the cost model `",
      profile, ".json`. ", costs->note(), "\n\n");

  // Summary first: what a reader came for.
  // The fastest strategy that ran the workload and `competes`.
  auto fastest = [&](auto&& parts_of, auto&& competes) {
    std::string best;
    double best_ns = 0;
    for (const std::string& s : h.strategies) {
      const double ns = h.Ns(parts_of(s));
      if (ns > 0 && competes(s) && (best.empty() || ns < best_ns)) {
        best = s, best_ns = ns;
      }
    }
    return std::make_pair(best, best_ns);
  };
  auto everyone = [](const std::string&) { return true; };
  md += "## Summary\n\n";
  // Host time cannot rank two strategies HostTimesLevel finds level: by a
  // U test over repetitions, or within 5% from one run.
  auto repetitions = [&](const std::vector<std::string>& a,
                         const std::vector<std::string>& b) {
    const Measured* ma = h.Find(a);
    const Measured* mb = h.Find(b);
    return ma == nullptr || mb == nullptr
               ? size_t{0}
               : std::min(ma->ns.size(), mb->ns.size());
  };
  auto host_level = [&](const std::vector<std::string>& a,
                        const std::vector<std::string>& best) {
    const Measured* ma = h.Find(a);
    const Measured* mb = h.Find(best);
    return ma != nullptr && mb != nullptr && HostTimesLevel(ma->ns, mb->ns);
  };
  // Nor can it rank strategies whose events cost the same to within 0.1%
  // of modelled cycles: the simulated machine did the same work, and what
  // remains is the simulator's noise.
  auto level_with = [&](const std::vector<std::string>& a,
                        const std::vector<std::string>& best) {
    const double cycles = h.Counter(a, "modelled_cycles");
    const double best_cycles = h.Counter(best, "modelled_cycles");
    return host_level(a, best) || ModelledLevel(cycles, best_cycles);
  };
  const std::string k10 = "10pct";
  auto fork_write = [&](const std::string& s, const std::string& k) {
    return std::vector<std::string>{"fork_write", s, k, big_size};
  };
  // The other workloads of the summary, one line each.
  const std::vector<std::pair<
      std::string, std::function<std::vector<std::string>(const std::string&)>>>
      workloads = {
          {absl::StrCat("fork of ", big_label),
           [&](const std::string& s) {
             return std::vector<std::string>{"fork", s, "dense", big_size};
           }},
          {absl::StrCat("fork of ", big_label,
                        " while the parent's text is in the TLB, then the "
                        "parent runs its text (`fork_resume`)"),
           [&](const std::string& s) {
             return std::vector<std::string>{"fork_resume", s, big_size};
           }},
          {"CoW fault, the child's first write",
           [](const std::string& s) {
             return std::vector<std::string>{"cow_fault", s,
                                             "child_first_write"};
           }},
          {"parent/child ping-pong on one CPU",
           [](const std::string& s) {
             return std::vector<std::string>{"pingpong", s};
           }},
          {"fork while the parent runs on 4 CPUs",
           [](const std::string& s) {
             return std::vector<std::string>{"smp_fork", s, "4cpus", "64MiB"};
           }},
      };
  if (const auto [best, ns] = fastest(
          [&](const std::string& s) { return fork_write(s, k10); }, everyone);
      !best.empty()) {
    auto tied_with_best = [&](const std::string& s) {
      return s == best || level_with(fork_write(s, k10), fork_write(best, k10));
    };
    // What tells the level strategies apart: the other workloads of this
    // run on which one of them is clearly dearer than the best of them, in
    // host time and in the simulated work (modelled cycles) alike.
    std::vector<std::string> apart;
    std::set<std::string> dearer_elsewhere;
    for (const auto& [label, parts_of] : workloads) {
      const auto [first, first_ns] = fastest(parts_of, tied_with_best);
      if (first.empty()) continue;
      for (const std::string& s : h.strategies) {
        if (s == first || !tied_with_best(s) || h.Ns(parts_of(s)) <= 0 ||
            level_with(parts_of(s), parts_of(first)) ||
            h.Counter(parts_of(s), "modelled_cycles") <=
                h.Counter(parts_of(first), "modelled_cycles")) {
          continue;
        }
        dearer_elsewhere.insert(s);
        apart.push_back(
            absl::StrFormat("    - %s: `%s` takes %.2fx as long as `%s`: %s.\n",
                            label, s, h.Ns(parts_of(s)) / first_ns, first,
                            Extra(h, parts_of(first), parts_of(s))));
      }
    }
    // The recommendation: the level strategies no other workload finds
    // dearer (all of them, if every one is dearer somewhere).
    std::vector<std::string> use, level_but_dearer;
    for (const std::string& s : h.strategies) {
      if (!tied_with_best(s)) continue;
      (dearer_elsewhere.count(s) ? level_but_dearer : use)
          .push_back(absl::StrCat("`", s, "`"));
    }
    if (use.empty()) use.swap(level_but_dearer);
    std::string why;
    if (use.size() > 1) {
      why = absl::StrCat(" (the same modelled cycles to 0.1%, or ",
                         HostLevelRule(repetitions(fork_write(best, k10),
                                                   fork_write(best, k10))),
                         ": this run cannot rank them)");
    }
    if (!level_but_dearer.empty()) {
      absl::StrAppend(&why, "; ", absl::StrJoin(level_but_dearer, ", "),
                      level_but_dearer.size() == 1 ? " is" : " are",
                      " as fast here but dearer elsewhere, below");
    }
    md += absl::StrCat(
        "- **A ", big_label,
        " process that writes 10% of its pages after fork: use ",
        use.size() == 1 ? use[0] : absl::StrJoin(use, " or "), "**", why, ". ",
        Ms(ns), " ms for fork, the writes and the child's exit with `", best,
        "` (", EventSummary(h, fork_write(best, k10)), "). Against it:\n");
    for (const std::string& s : h.strategies) {
      if (s == best) continue;
      const double ratio = h.Ns(fork_write(s, k10)) / ns;
      // Level by host time says so with its rule; level only by the
      // modelled cycles, that the gap is noise.
      const std::string level =
          host_level(fork_write(s, k10), fork_write(best, k10))
              ? absl::StrCat(" (",
                             HostLevelRule(repetitions(fork_write(s, k10),
                                                       fork_write(best, k10))),
                             ")")
          : tied_with_best(s)
              ? " (the same simulated work to 0.1%: the gap is host noise)"
              : "";
      md += absl::StrFormat(
          "  - `%s` takes %.2fx as long%s: %s.\n", s, ratio, level,
          Extra(h, fork_write(best, k10), fork_write(s, k10)));
    }
    if (!apart.empty()) {
      md += absl::StrCat(
          "  - Between the level strategies, the other workloads of this run "
          "decide:\n",
          absl::StrJoin(apart, ""));
    }
  }
  for (const auto& [label, parts_of] : workloads) {
    // In the CoW fault only strategies that take the fault compete: eager
    // copy paid at fork.
    const bool cow = label.rfind("CoW", 0) == 0;
    auto competes = [&](const std::string& s) {
      return !cow || h.Counter(parts_of(s), "faults") >= 1;
    };
    const auto [best, ns] = fastest(parts_of, competes);
    if (best.empty()) continue;
    std::vector<std::string> peers;
    for (const std::string& s : h.strategies) {
      if (s != best && h.Ns(parts_of(s)) > 0 && competes(s) &&
          level_with(parts_of(s), parts_of(best))) {
        peers.push_back(absl::StrCat("`", s, "`"));
      }
    }
    md += absl::StrCat("- ", label, ": `", best, "` (", Us(ns),
                       " us: ", EventSummary(h, parts_of(best)), ")",
                       peers.empty()
                           ? ""
                           : absl::StrCat("; level with it in this run: ",
                                          absl::StrJoin(peers, ", ")),
                       ".\n");
  }
  md += "\n";
  md += TargetsSection(CheckTargets(h.all));

  // Fork latency against size.
  Series time_series, cycle_series;
  std::vector<std::vector<std::string>> fork_rows;
  for (const std::string& s : h.strategies) {
    Points t, c;
    std::vector<std::string> row = {s};
    for (uint64_t mib : h.sizes) {
      const std::vector<std::string> p = {"fork", s, "dense",
                                          absl::StrCat(mib, "MiB")};
      t.emplace_back(mib, h.Ns(p) / 1e6);
      c.emplace_back(mib, h.Counter(p, "modelled_cycles"));
      row.push_back(Us(h.Ns(p)));
    }
    time_series.emplace_back(s, t);
    cycle_series.emplace_back(s, c);
    fork_rows.push_back(row);
  }
  {
    Points native;
    std::vector<std::string> row = {"native fork() (this host)"};
    for (uint64_t mib : h.sizes) {
      const double ns = h.Ns({"native", "fork", absl::StrCat(mib, "MiB")});
      native.emplace_back(mib, ns / 1e6);
      row.push_back(ns > 0 ? Us(ns) : "-");
    }
    time_series.emplace_back("native fork() (this host)", native);
    fork_rows.push_back(row);
    for (const auto& [name, label] :
         {std::pair{"fork_floor_after_exit",
                    "floor (read + write descriptors) after a child's exit"},
          std::pair{"fork_floor", "floor, back to back"},
          std::pair{"fork_floor_shared",
                    "floor + references + parent's descriptors, back to "
                    "back"}}) {
      std::vector<std::string> floor_row = {label};
      bool measured = false;  // Result sets older than a floor lack it.
      for (uint64_t mib : h.sizes) {
        const double ns = h.Ns({name, absl::StrCat(mib, "MiB")});
        floor_row.push_back(ns > 0 ? Us(ns) : "-");
        measured |= ns > 0;
      }
      if (measured) fork_rows.push_back(floor_row);
    }
  }
  const std::string fork_svg = stem + "-fork-latency.svg";
  const std::string cycles_svg = stem + "-fork-cycles.svg";
  if (absl::Status s =
          LinePlot((dir / fork_svg).string(), "Fork latency (host time)",
                   "resident size (MiB)", "ms", kLogLog, time_series);
      !s.ok()) {
    return s;
  }
  const absl::StatusOr<std::string> cycles_plot =
      OptionalPlot(dir, cycles_svg, "modelled cycles", "Fork: modelled cycles",
                   "resident size (MiB)", "cycles", kLogLog, cycle_series);
  if (!cycles_plot.ok()) return cycles_plot.status();
  std::vector<std::string> header = {"strategy"};
  // Microseconds: a small fork or floor is a few thousandths of a ms.
  for (uint64_t mib : h.sizes) header.push_back(absl::StrCat(mib, " MiB (us)"));
  md +=
      absl::StrCat("## Fork latency against resident size\n\n![fork latency](",
                   fork_svg, ")\n\n", *cycles_plot, Table(header, fork_rows));

  // Fork, then resume: the refill a whole-ASID flush costs.
  {
    std::vector<std::vector<std::string>> rows;
    for (const std::string& s : h.strategies) {
      std::vector<std::string> row = {s};
      for (uint64_t mib : h.sizes) {
        const double ns = h.Ns({"fork_resume", s, absl::StrCat(mib, "MiB")});
        row.push_back(ns > 0 ? Ms(ns) : "-");
      }
      const std::vector<std::string> big = {"fork_resume", s, big_size};
      row.push_back(Count(h.Counter(big, "walks")));
      row.push_back(Whole(h.Counter(big, "modelled_cycles")));
      rows.push_back(row);
    }
    std::vector<std::string> header = {"strategy"};
    for (uint64_t mib : h.sizes) {
      header.push_back(absl::StrCat(mib, " MiB (ms)"));
    }
    header.push_back(absl::StrCat("walks after fork (", big_size, ")"));
    header.push_back(absl::StrCat("modelled cycles (", big_size, ")"));
    md += absl::StrCat(
        "## Fork, then the parent runs again\n\n"
        "The parent's 512 pages of read-only text are in the TLB when it "
        "forks; after the fork it reads each once, and the child exits. Fork "
        "write-protects none of the text, so a strategy that invalidates page "
        "by page keeps it cached, while one that drops the whole ASID (or "
        "moves the parent to a new one) walks for each page again: the cost "
        "a fork-only benchmark does not see.\n\n",
        Table(header, rows));
  }

  // Fork + write k%.
  const std::vector<std::string> ks = {"0pct", "1pct", "10pct", "50pct",
                                       "100pct"};
  Series fw, fw_cycles;
  std::vector<std::vector<std::string>> fw_rows;
  for (const std::string& s : h.strategies) {
    Points pts, cycles;
    std::vector<std::string> row = {s};
    for (const std::string& k : ks) {
      const double ns = h.Ns(fork_write(s, k));
      const double x = std::strtod(k.c_str(), nullptr);
      pts.emplace_back(x, ns / 1e6);
      cycles.emplace_back(x, h.Counter(fork_write(s, k), "modelled_cycles"));
      row.push_back(ns > 0 ? Ms(ns) : "-");
    }
    fw.emplace_back(s, pts);
    fw_cycles.emplace_back(s, cycles);
    fw_rows.push_back(row);
  }
  const std::string fw_svg = stem + "-fork-write.svg";
  const std::string fw_cycles_svg = stem + "-fork-write-cycles.svg";
  const std::string fw_title =
      absl::StrCat("Fork, then the parent writes k% (", big_label, ")");
  absl::Status fw_plot = LinePlot((dir / fw_svg).string(), fw_title,
                                  "k (% of pages written)", "ms", "", fw);
  if (!fw_plot.ok() && !absl::IsNotFound(fw_plot)) return fw_plot;
  if (fw_plot.ok()) {  // Else the run measured no fork + write.
    const absl::StatusOr<std::string> fw_cycles_plot = OptionalPlot(
        dir, fw_cycles_svg, "modelled cycles", fw_title + ": modelled cycles",
        "k (% of pages written)", "cycles", "", fw_cycles);
    if (!fw_cycles_plot.ok()) return fw_cycles_plot.status();
    const std::vector<std::string> crossings = DescribeCrossings(fw, fw_cycles);
    md += absl::StrCat(
        "## Fork, then write k% of the pages (", big_size,
        ")\n\n"
        "The snapshot pattern of Redis BGSAVE: the parent keeps writing while "
        "its child lives, then the child exits.\n\n![fork + write k%](",
        fw_svg, ")\n\n", *fw_cycles_plot,
        Table({"strategy", "0%", "1%", "10%", "50%", "100%"}, fw_rows),
        crossings.empty()
            ? "No two strategies' curves clearly cross between the measured "
              "k.\n\n"
            : absl::StrCat(
                  "Crossovers (a crossing in host time only comes from the "
                  "simulator's own costs or host noise, one in modelled "
                  "cycles only from the cost model): ",
                  absl::StrJoin(crossings, "; "), ".\n\n"));
  }

  // CoW faults.
  std::vector<std::vector<std::string>> cow_rows;
  for (const std::string& s : h.strategies) {
    cow_rows.push_back({s, Us(h.Ns({"cow_fault", s, "child_first_write"})),
                        Us(h.Ns({"cow_fault", s, "parent_first_write"})),
                        Us(h.Ns({"cow_fault", s, "second_write"}))});
  }
  const double native_cow = h.Ns({"native", "cow_fault", "child_first_write"});
  cow_rows.push_back({"native (this host's kernel)",
                      native_cow > 0 ? Us(native_cow) : "-", "-", "-"});
  md += absl::StrCat("## CoW fault latency\n\nMean per write (us):\n\n",
                     Table({"strategy", "child's first write",
                            "parent's first write", "second write (no fault)"},
                           cow_rows));
  // The distribution of the child's first write, from the percentiles each
  // benchmark recorded over all its writes.
  Series cow_curves;
  std::vector<std::vector<std::string>> cow_pct_rows;
  // The host kernel's faults are not counted: its column says "-".
  auto distribution = [&](const std::string& label,
                          const std::vector<std::string>& parts,
                          bool simulated) {
    Points curve;
    std::vector<std::string> row = {
        label,
        simulated ? absl::StrFormat("%.2f", h.Counter(parts, "faults")) : "-"};
    for (double p : kLatencyPercentiles) {
      const double ns = h.Counter(parts, LatencyCounter(p));
      if (ns > 0) curve.emplace_back(ns / 1e3, p);
      if (p == 50 || p == 90 || p == 99 || p == 99.9) {
        row.push_back(ns > 0 ? Us(ns) : "-");
      }
    }
    if (curve.empty()) return;
    cow_curves.emplace_back(label, curve);
    cow_pct_rows.push_back(row);
  };
  for (const std::string& s : h.strategies) {
    distribution(s, {"cow_fault", s, "child_first_write"}, true);
  }
  distribution("native (this host's kernel)",
               {"native", "cow_fault", "child_first_write"}, false);
  if (!cow_curves.empty()) {
    const std::string cow_svg = stem + "-cow-fault.svg";
    if (absl::Status s = LinePlot(
            (dir / cow_svg).string(),
            "CoW fault: the child's first write to a shared page",
            "latency (us)", "percentile of writes",
            "set logscale x\nset yrange [0:100]\nset key right bottom\n",
            cow_curves);
        !s.ok()) {
      return s;
    }
    md += absl::StrCat(
        "Distribution of the child's first write (us), over every write the "
        "benchmark timed; a strategy with 0 faults per write copied the page "
        "at fork:\n\n![CoW fault latency distribution](",
        cow_svg, ")\n\n",
        Table({"strategy", "faults per write", "p50", "p90", "p99", "p99.9"},
              cow_pct_rows));
  }

  // Cost split.
  std::map<std::string, std::map<std::string, double>> split;
  std::set<std::string> kinds;
  std::vector<std::vector<std::string>> split_rows;
  for (const std::string& s : h.strategies) {
    const Measured* m = h.Find({"fork", s, "dense", big_size});
    if (m == nullptr) continue;
    for (const auto& [event, per] : costs->cycles_per_event()) {
      if (m->Counter(event) > kNoEvent && per > 0) {
        split[s][event] = m->Counter(event) * per;
        kinds.insert(event);
      }
    }
  }
  const std::vector<std::string> kind_list(kinds.begin(), kinds.end());
  if (!kind_list.empty()) {  // Else the run counted no events of a fork.
    for (const std::string& s : h.strategies) {
      std::vector<std::string> row = {s};
      for (const std::string& k : kind_list) {
        row.push_back(Whole(split[s].count(k) ? split[s][k] : 0));
      }
      split_rows.push_back(row);
    }
    const std::string split_svg = stem + "-cost-split.svg";
    if (absl::Status s =
            CostSplitPlot((dir / split_svg).string(),
                          absl::StrCat("Fork of ", big_label,
                                       ": where the modelled cycles go"),
                          h.strategies, kind_list, split);
        !s.ok()) {
      return s;
    }
    std::vector<std::string> split_header = {"strategy"};
    split_header.insert(split_header.end(), kind_list.begin(), kind_list.end());
    md += absl::StrCat("## Where a fork of ", big_size,
                       " spends its modelled cycles\n\n![cost split](",
                       split_svg, ")\n\n", Table(split_header, split_rows));
  }

  // Bare metal: the strategies' workloads as a strategy x workload table,
  // then the instructions and micro-operations the image timed.
  for (size_t i = 1; i < inputs.size(); ++i) {
    std::map<std::string, std::string> context;
    absl::StatusOr<Timings> bm = LoadTimings(inputs[i], &context);
    if (!bm.ok()) return bm.status();
    if (ContextValue(context, "ttbench_world", "") != "baremetal") {
      return absl::InvalidArgumentError(
          absl::StrCat(inputs[i],
                       ": not a bare-metal result set (ttbench baremetal "
                       "writes them); only the first file is a host one"));
    }
    auto said = [&](const char* key) { return ContextValue(context, key); };
    std::vector<std::string> workloads;  // "fork/dense/1MiB"
    std::map<std::string, std::map<std::string, double>> by_strategy;
    std::vector<std::vector<std::string>> op_rows;
    for (const auto& [name, m] : *bm) {
      if (name.rfind("el0_workload", 0) == 0) continue;
      std::vector<std::string> parts = NameParts(name);
      const bool strategy_run =
          parts.size() >= 3 &&
          std::find(h.strategies.begin(), h.strategies.end(), parts[1]) !=
              h.strategies.end();
      if (!strategy_run) {
        op_rows.push_back({name, absl::StrFormat("%.1f", Median(m.ns))});
        continue;
      }
      const std::string strategy = parts[1];
      parts.erase(parts.begin() + 1);
      const std::string workload = absl::StrJoin(parts, "/");
      if (std::find(workloads.begin(), workloads.end(), workload) ==
          workloads.end()) {
        workloads.push_back(workload);
      }
      by_strategy[strategy][workload] = Median(m.ns);
    }
    std::sort(workloads.begin(), workloads.end(), NameLess);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [strategy, times] : by_strategy) {
      std::vector<std::string> row = {strategy};
      for (const std::string& w : workloads) {
        row.push_back(times.count(w) ? Us(times.at(w)) : "-");
      }
      rows.push_back(row);
    }
    std::vector<std::string> header = {"strategy"};
    for (const std::string& w : workloads) {
      header.push_back(absl::StrCat("`", w, "` (us)"));
    }
    md += absl::StrCat(
        "## Bare metal: ", said("qemu_cpu"), " (",
        fs::path(inputs[i]).filename().string(), ")\n\n",
        "The same strategies on a real MMU: CPU ", said("qemu_cpu"), ", MIDR ",
        said("midr"), ", commit ", said("ttbench_commit"), ". ",
        ContextValue(context, "timing", ""),
        ". The walker agreed with the MMU on ", said("walker_translations"),
        " translations (", said("walker_mismatches"), " mismatches).\n\n",
        Table(header, rows),
        "\nInstructions and operations alone, a TLBI with the DSB that "
        "completes it (`*",
        kTlbiBatch, "`: ", kTlbiBatch,
        " TLBIs before one DSB), in ns per iteration:\n\n",
        Table({"operation", "ns"}, op_rows));
  }

  const fs::path out = dir / (stem + ".md");
  if (absl::Status s = WriteTextFile(out, md); !s.ok()) return s;
  return out.string();
}

}  // namespace

absl::StatusOr<std::string> WriteReport(const std::vector<std::string>& inputs,
                                        const std::string& costs_dir) {
  absl::StatusOr<std::string> report = WriteReportFiles(inputs, costs_dir);
  if (!report.ok() && !inputs.empty()) {
    // Nothing half-written: remove whatever this report had made so far.
    const fs::path json(inputs[0]);
    const std::string stem = json.stem().string();
    std::error_code ec;
    for (const char* suffix : {"-fork-latency.svg", "-fork-cycles.svg",
                               "-fork-write.svg", "-fork-write-cycles.svg",
                               "-cow-fault.svg", "-cost-split.svg", ".md"}) {
      fs::remove(json.parent_path() / (stem + suffix), ec);
    }
  }
  return report;
}

std::vector<std::string> NewestBaremetalResults(const std::string& results_dir,
                                                const std::string& suite) {
  // Per machine directory (results/<machine>/, one level down, nothing
  // deeper), the newest bare-metal result set, and of one day's, the given
  // suite's first. Names start with the date.
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::directory_iterator machine(results_dir, ec), end;
       !ec && machine != end; machine.increment(ec)) {
    if (!machine->is_directory()) continue;
    std::optional<std::tuple<std::string, bool, std::string>> newest;
    std::error_code inner;
    for (fs::directory_iterator e(machine->path(), inner); !inner && e != end;
         e.increment(inner)) {
      const std::string name = e->path().filename().string();
      const size_t at = name.find("-baremetal-");
      if (e->path().extension() != ".json" || at == std::string::npos) {
        continue;
      }
      const auto key = std::make_tuple(
          name.substr(0, at),
          name.substr(at) == absl::StrCat("-baremetal-", suite, ".json"), name);
      if (!newest || *newest < key) newest = key;
    }
    if (newest) {
      paths.push_back((machine->path() / std::get<2>(*newest)).string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

absl::Status WriteResultsIndex(const std::string& results_dir) {
  std::vector<fs::path> reports;
  // increment(ec), not ++: a directory that cannot be read ends the scan
  // instead of throwing.
  std::error_code ec;
  for (fs::recursive_directory_iterator
           e(results_dir, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && e != end; e.increment(ec)) {
    if (e->path().extension() == ".md" && e->path().filename() != "README.md") {
      reports.push_back(e->path());
    }
  }
  std::sort(reports.begin(), reports.end(),
            [](const fs::path& a, const fs::path& b) {
              return a.filename().string() > b.filename().string();
            });
  std::string suites, sweeps;
  for (const fs::path& r : reports) {
    const std::string rel = fs::relative(r, results_dir).string();
    const bool sweep =
        r.filename().string().find("-tune-") != std::string::npos;
    absl::StrAppend(sweep ? &sweeps : &suites, "- [", rel, "](", rel, ")\n");
  }
  std::string md =
      "# Results\n\nEach directory holds the result sets (Google Benchmark "
      "JSON) of one kind of machine; each report sits beside the result set it "
      "was made from. Made by `ttbench report`.\n\n";
  if (!suites.empty()) absl::StrAppend(&md, "## Suites\n\n", suites, "\n");
  if (!sweeps.empty()) {
    absl::StrAppend(&md, "## Tuning sweeps (`ttbench tune`)\n\n", sweeps, "\n");
  }
  return WriteTextFile(fs::path(results_dir) / "README.md", md);
}

}  // namespace ttb::bench
