// ttbench's benchmark driver: `run` registers the suite's benchmarks and
// writes a Google Benchmark JSON result set (which compare.py reads
// unchanged) with a context block; `list` shows what can be run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "bench/capture/capture.h"
#include "bench/cli/baremetal_runner.h"
#include "bench/cli/host_info.h"
#include "bench/cli/profiles.h"
#include "bench/replay/replay_benchmarks.h"
#include "bench/report/report.h"
#include "bench/report/targets.h"
#include "bench/report/tune.h"
#include "bench/results/calibrate.h"
#include "bench/results/compare.h"
#include "bench/results/cost_model.h"
#include "bench/results/text_file.h"
#include "bench/results/validate.h"
#include "bench/trace/summary.h"
#include "bench/trace/trace.h"
#include "bench/workloads/suite.h"
#include "engine/walks/registry.h"
#include "variants/registry.h"

ABSL_FLAG(std::string, suite, "default",
          "quick (about 2 minutes), default (about 15) or full");
ABSL_FLAG(std::string, variants, "",
          "comma-separated strategies to run (default: all)");
ABSL_FLAG(std::string, filter, "", "regular expression of benchmark names");
// The profile a run models unless told otherwise.
constexpr char kDefaultProfile[] = "neoverse-n1";
ABSL_FLAG(std::string, profile, kDefaultProfile,
          "simulated machine: a cost model in --costs, which names its core "
          "(TLB sizes) and its PEs");
ABSL_FLAG(int32_t, cores, 0,
          "PEs in the inner-shareable domain, which broadcast TLBIs must "
          "reach (default: the profile's)");
ABSL_FLAG(bool, range_tlbi, false,
          "give the simulated core FEAT_TLBIRANGE (range TLBIs)");
ABSL_FLAG(std::string, cow_policy, "split",
          "what a CoW break inside a contiguous run or a block does: split "
          "it and copy the page written (Linux's way), or copy it whole "
          "(the *_copy_* families always copy)");
ABSL_FLAG(bool, bbm_level2, false,
          "give the simulated core FEAT_BBM level 2: runs and blocks split "
          "without the invalid step of break-before-make");
ABSL_FLAG(std::string, walk, "",
          "how forks walk the tables (`list` names the walks); empty: the "
          "default, the fastest measured");
ABSL_FLAG(int32_t, repetitions, 1, "repetitions of each benchmark");
ABSL_FLAG(std::string, out, TTB_SOURCE_DIR "/results",
          "directory that receives the results");
ABSL_FLAG(std::string, costs, TTB_SOURCE_DIR "/bench/costs",
          "directory of cost model files (<profile>.json)");
ABSL_FLAG(std::string, commit, "", "source commit, recorded in the results");
ABSL_FLAG(std::string, workload, "",
          "tune: the workload, named as in `list` without the strategy "
          "(fork_write/10pct/256MiB)");
ABSL_FLAG(std::string, range, "",
          "tune: LO:HI (doubling), LO:HI:+STEP or A,B,C (default: the "
          "tunable's choices, or doubling over its range)");
ABSL_FLAG(std::string, cost, "",
          "tune: TERM=LO:HI, one cost of the model to sweep, showing where "
          "the best value turns (tlbi.vale1is=5:500)");
ABSL_FLAG(int32_t, pid, 0, "capture: the process to record around its fork");
ABSL_FLAG(std::string, trigger, "",
          "capture: a shell command after which the process has forked");
ABSL_FLAG(std::string, report, "",
          "capture: a shell command printing key:value lines about the fork");
ABSL_FLAG(std::string, report_keys, "",
          "capture: comma-separated keys of --report to keep");
ABSL_FLAG(std::string, program, "",
          "capture: the program recorded, with its version");
ABSL_FLAG(std::string, program_command, "", "capture: how the program was run");
ABSL_FLAG(double, watch_seconds, 0,
          "capture: stop after this long with the child alive (a preforked "
          "worker); 0: when the child exits");
ABSL_FLAG(int32_t, resolution_us, 5000,
          "capture: microseconds between samples of the parent's pages");
ABSL_FLAG(bool, no_data, false,
          "replay: keep no data bytes (frames hold tables and metadata "
          "only), for a process larger than this host's memory");
ABSL_FLAG(int32_t, scale_gib, 0,
          "replay: the trace's address space repeated side by side to about "
          "this many GiB, its writes with each copy (0: as captured)");
ABSL_FLAG(std::string, image, "", "baremetal: the image to boot");
ABSL_FLAG(double, threshold, 0.05,
          "compare: a B/A time ratio above 1 + threshold is a regression");
ABSL_FLAG(std::string, fail_on, "",
          "compare: regex of benchmarks whose regression fails the run "
          "(default: all)");
ABSL_FLAG(std::string, qemu_cpu, "max",
          "baremetal: QEMU CPU model (max, cortex-a72, cortex-a57, ...)");
ABSL_FLAG(bool, kvm, false,
          "baremetal: run under KVM with -cpu host (on an arm64 Linux host)");
ABSL_FLAG(bool, allow_emulated, false,
          "calibrate, validate: accept a result set measured under QEMU TCG "
          "(its cycles are the emulator's)");
ABSL_FLAG(std::string, cwd, "",
          "the caller's directory: relative paths given on the command line "
          "(--out, --image, --costs and the files of report, compare and "
          "calibrate) are taken from it; ./ttbench passes it");
ABSL_FLAG(int32_t, timeout, 600,
          "baremetal: seconds before a guest that has not finished is killed");

namespace ttb::bench {
namespace {

using SimStrategy = Strategy<sim::SimArch>;

// Usage errors: one line, exit 2 (the ./ttbench wrapper maps Abseil's own
// flag-parse exit to 2 as well).
[[noreturn]] void Usage(const std::string& what) {
  std::cerr << "ttbench: " << what << "\n";
  std::exit(2);
}

std::vector<std::string> StrategyNames() {
  std::vector<std::string> names;
  for (SimStrategy* s : kStrategies<sim::SimArch>) names.push_back(s->name());
  return names;
}

// --profile (and --cores) as loaded from --costs, and the file as read
// when `document` is given; an unknown name or a bad file stops with its
// problem.
Profile ProfileFlag(nlohmann::json* document = nullptr) {
  absl::StatusOr<Profile> p =
      LoadProfile(absl::GetFlag(FLAGS_costs), absl::GetFlag(FLAGS_profile),
                  absl::GetFlag(FLAGS_cores), document);
  if (!p.ok()) Usage(std::string(p.status().message()));
  return *std::move(p);
}

Suite ParseSuite(const std::string& name) {
  if (name == "quick") return Suite::kQuick;
  if (name == "default") return Suite::kDefault;
  if (name == "full") return Suite::kFull;
  Usage(absl::StrCat("unknown suite '", name, "' (quick, default, full)"));
}

std::vector<SimStrategy*> ParseVariants(const std::string& list) {
  std::vector<SimStrategy*> chosen;
  if (list.empty()) {
    return {std::begin(kStrategies<sim::SimArch>),
            std::end(kStrategies<sim::SimArch>)};
  }
  for (const std::string& name :
       std::vector<std::string>(absl::StrSplit(list, ','))) {
    SimStrategy* s = FindStrategy<sim::SimArch>(name.c_str());
    if (s == nullptr) {
      Usage(absl::StrCat("unknown strategy '", name, "' (known: ",
                         absl::StrJoin(StrategyNames(), ", "), ")"));
    }
    // Twice would register the same benchmarks twice, which read back as
    // repetitions of one.
    if (std::find(chosen.begin(), chosen.end(), s) != chosen.end()) {
      Usage(absl::StrCat("strategy '", name, "' is named twice"));
    }
    chosen.push_back(s);
  }
  return chosen;
}

void List() {
  std::cout << "strategies:\n";
  for (SimStrategy* s : kStrategies<sim::SimArch>) {
    std::cout << "  " << s->name() << ": " << s->summary() << "\n";
    for (int i = 0; i < s->tunable_count(); ++i) {
      const Tunable* t = s->tunable(i);
      std::cout << "    " << t->name << " = " << t->default_value << " ["
                << t->min << ", " << t->max << "]: " << t->help << "\n";
    }
  }
  std::cout << "walks (--walk; the first is the default):\n";
  for (const TableWalk* w : kWalks) {
    std::cout << "  " << w->name() << ": " << w->summary() << "\n";
  }
  std::cout << "workloads:\n";
  for (const WorkloadFamily* f : WorkloadFamilies()) {
    std::cout << "  " << Shape(*f, true) << ": " << f->what << "\n";
  }
  std::cout << "  fork_floor_after_exit/<N>MiB: the floor of any lazy fork, "
               "timed as the forks are: after a child's exit\n"
               "  fork_floor/<N>MiB: the floor, its passes back to back\n"
               "  fork_floor_shared/<N>MiB: the floor back to back, with each "
               "frame's reference and the parent's descriptors written\n"
               "  engine/...: walker, TLB, simulated accesses per second\n"
               "  native/...: this host's own fork()\n";
  std::cout << "profiles (--profile; `ttbench costs PROFILE` shows the "
               "cost model):\n";
  ListProfiles(absl::GetFlag(FLAGS_costs), std::cout);
}

// Google Benchmark's console output, with a [done/total] prefix as
// progress for long runs.
class ProgressReporter : public benchmark::ConsoleReporter {
 public:
  ProgressReporter(size_t total, bool color)
      : benchmark::ConsoleReporter(color ? OO_Defaults : OO_Tabular),
        total_(total) {}
  // Called once per benchmark, with all its repetitions.
  void ReportRuns(const std::vector<Run>& runs) override {
    std::fprintf(stdout, "[%zu/%zu] ", ++done_, total_);
    benchmark::ConsoleReporter::ReportRuns(runs);
  }

 private:
  size_t total_;
  size_t done_ = 0;
};

// The partial result file, removed if the run is interrupted.
char g_partial[4096];

extern "C" void RemovePartialAndExit(int signal) {
  unlink(g_partial);
  _exit(128 + signal);
}

// A result file written under a hidden partial name and renamed only once
// complete; an interrupted run removes the partial file.
struct Output {
  std::filesystem::path final_path;
  std::filesystem::path partial;
};

Output PrepareOutput(const std::string& machine, const std::string& file) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(absl::GetFlag(FLAGS_out)) / machine;
  Output out{dir / file, dir / absl::StrCat(".", file, ".partial")};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !std::ofstream(out.partial)) {
    Usage(absl::StrCat("cannot write to ", dir.string(),
                       ec ? absl::StrCat(": ", ec.message()) : ""));
  }
  std::snprintf(g_partial, sizeof(g_partial), "%s", out.partial.c_str());
  std::signal(SIGINT, RemovePartialAndExit);
  std::signal(SIGTERM, RemovePartialAndExit);
  return out;
}

int Commit(const Output& out, const std::string& what) {
  std::error_code ec;
  std::filesystem::rename(out.partial, out.final_path, ec);
  if (ec) {
    std::filesystem::remove(out.partial, ec);
    std::cerr << "ttbench: cannot write " << out.final_path.string() << "\n";
    return 3;
  }
  std::cout << "ttbench: wrote " << out.final_path.string() << " (" << what
            << ")\n";
  return 0;
}

std::string Today() {
  const std::time_t now = std::time(nullptr);
  char day[16];
  std::strftime(day, sizeof(day), "%Y-%m-%d", std::gmtime(&now));
  return day;
}

// What every benchmark run shares: the host, the simulated core, its cost
// model and the repetitions, from the flags.
struct RunSetup {
  HostInfo host;
  SuiteOptions options;
  std::string profile;
  int repetitions = 1;
  std::unique_ptr<CostModel> costs;
};

RunSetup ParseRunFlags() {
  RunSetup setup;
  setup.host = HostInfo::Probe();
  Profile profile = ProfileFlag();
  setup.options.profile = profile.tlb;
  setup.profile = profile.costs.profile();
  setup.options.range_tlbi = absl::GetFlag(FLAGS_range_tlbi);
  setup.options.bbm_level2 = absl::GetFlag(FLAGS_bbm_level2);
  const std::string policy = absl::GetFlag(FLAGS_cow_policy);
  if (policy != "split" && policy != "copy") {
    Usage(absl::StrCat("unknown --cow_policy '", policy, "' (split, copy)"));
  }
  setup.options.cow_copies_whole = policy == "copy";
  if (const std::string walk = absl::GetFlag(FLAGS_walk); !walk.empty()) {
    setup.options.walk = FindWalk(walk.c_str());
    if (setup.options.walk == nullptr) {
      std::vector<std::string> names;
      for (const TableWalk* w : kWalks) names.push_back(w->name());
      Usage(absl::StrCat("unknown --walk '", walk, "' (",
                         absl::StrJoin(names, ", "), ")"));
    }
  }
  setup.repetitions = absl::GetFlag(FLAGS_repetitions);
  if (setup.repetitions < 1 || setup.repetitions > 100) {
    Usage(absl::StrCat("--repetitions must be 1 to 100, not ",
                       setup.repetitions));
  }
  setup.costs = std::make_unique<CostModel>(std::move(profile.costs));
  setup.options.costs = setup.costs.get();
  return setup;
}

// Runs the registered benchmarks that `filter` keeps (all when empty),
// writing them to `out` with ttbench's context. Returns the exit status.
int RunRegistered(
    const char* argv0, const RunSetup& setup, const Output& out,
    const std::string& filter, const std::string& min_time,
    const std::vector<std::pair<std::string, std::string>>& extra_context) {
  // How many benchmarks the filter keeps: none is an error, and the count
  // is the progress total.
  const std::regex keep(filter.empty() ? "." : filter);
  size_t total = 0;
  for (const std::string& name : RegisteredNames()) {
    total += std::regex_search(name, keep) ? 1 : 0;
  }
  if (total == 0) {
    std::error_code ec;
    std::filesystem::remove(out.partial, ec);
    Usage(absl::StrCat("no benchmark matches --filter '", filter, "'"));
  }

  std::vector<std::string> args = {
      argv0, absl::StrCat("--benchmark_out=", out.partial.string()),
      "--benchmark_out_format=json",
      absl::StrCat("--benchmark_repetitions=", setup.repetitions),
      absl::StrCat("--benchmark_min_time=", min_time)};
  if (setup.repetitions > 1)
    args.push_back("--benchmark_display_aggregates_only=true");
  if (!filter.empty())
    args.push_back(absl::StrCat("--benchmark_filter=", filter));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());

  const HostInfo& host = setup.host;
  benchmark::AddCustomContext("ttbench_profile", setup.profile);
  benchmark::AddCustomContext(kPesKey, absl::StrCat(setup.costs->pes()));
  benchmark::AddCustomContext(kCostsNoteKey, setup.costs->note());
  benchmark::AddCustomContext("ttbench_range_tlbi",
                              setup.options.range_tlbi ? "true" : "false");
  benchmark::AddCustomContext("ttbench_bbm_level2",
                              setup.options.bbm_level2 ? "true" : "false");
  benchmark::AddCustomContext(
      "ttbench_cow_policy", setup.options.cow_copies_whole ? "copy" : "split");
  benchmark::AddCustomContext(
      "ttbench_walk",
      (setup.options.walk != nullptr ? *setup.options.walk : DefaultWalk())
          .name());
  benchmark::AddCustomContext("ttbench_commit", absl::GetFlag(FLAGS_commit));
  for (const auto& [key, value] : extra_context) {
    benchmark::AddCustomContext(key, value);
  }
  benchmark::AddCustomContext("host_arch", host.arch);
  benchmark::AddCustomContext("host_kernel", host.kernel);
  benchmark::AddCustomContext("host_cpu", host.cpu);
  benchmark::AddCustomContext("compiler", host.compiler);
  benchmark::AddCustomContext("perf_counters", host.perf_unavailable.empty()
                                                   ? "available"
                                                   : host.perf_unavailable);
  if (!host.perf_unavailable.empty()) {
    std::cout << "ttbench: hardware counters unavailable: "
              << host.perf_unavailable << "\n";
  }
  ProgressReporter reporter(total, isatty(STDOUT_FILENO));
  const size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return Commit(out, absl::StrCat(ran, " benchmarks"));
}

// The report of a host result set, with the bare-metal result sets given,
// or else the newest of each machine beside it (results/<machine>/); one
// found that way that cannot be read is named and left out.
absl::StatusOr<std::string> HostReport(const std::string& result,
                                       std::vector<std::string> baremetal,
                                       const std::string& suite) {
  const bool found = baremetal.empty();
  if (found) {
    const std::filesystem::path results =
        std::filesystem::path(result).parent_path().parent_path();
    baremetal = NewestBaremetalResults(results.string(), suite);
  }
  std::vector<std::string> inputs = {result};
  inputs.insert(inputs.end(), baremetal.begin(), baremetal.end());
  absl::StatusOr<std::string> report =
      WriteReport(inputs, absl::GetFlag(FLAGS_costs), WorkloadFamilies());
  if (!report.ok() && found && !baremetal.empty()) {
    std::cout << "ttbench: report without bare-metal results: "
              << report.status().message() << "\n";
    report =
        WriteReport({result}, absl::GetFlag(FLAGS_costs), WorkloadFamilies());
  }
  return report;
}

// The suite's targets this run measured, one line each, as the report's
// Targets table has them.
void PrintTargets(const std::string& result) {
  const absl::StatusOr<Timings> timings = LoadTimings(result);
  if (!timings.ok()) return;
  for (const TargetCheck& c : CheckTargets(*timings)) {
    if (!c.met.has_value()) continue;
    std::cout << "ttbench: target " << (*c.met ? "met" : "missed") << ": "
              << absl::StrReplaceAll(c.target, {{"`", ""}}) << ": "
              << absl::StrReplaceAll(c.measured, {{"**", ""}, {"`", ""}})
              << "\n";
  }
}

// The suffix of a result file run with another profile or machine size
// than the default: a different answer, kept beside the default run's
// rather than over it.
std::string MachineSuffix(const RunSetup& setup) {
  if (setup.profile == kDefaultProfile && absl::GetFlag(FLAGS_cores) == 0) {
    return "";
  }
  return absl::StrCat("-", setup.profile,
                      absl::GetFlag(FLAGS_cores) == 0
                          ? ""
                          : absl::StrCat("-", setup.costs->pes(), "pes"));
}

using ReplayTraces = std::vector<std::shared_ptr<const ReplayTrace>>;

// Runs what is registered into `out`, with the provenance of the traces
// replayed, then writes its report.
int RunAndReport(const char* argv0, const RunSetup& setup, const Output& out,
                 const std::string& filter, const std::string& min_time,
                 const std::string& suite_name, const ReplayTraces& traces) {
  const std::string variants = absl::StrJoin(
      setup.options.strategies, ",",
      [](std::string* o, SimStrategy* s) { o->append(s->name()); });
  std::vector<std::pair<std::string, std::string>> context = {
      {"ttbench_suite", suite_name}, {"ttbench_variants", variants}};
  for (const auto& t : traces) {
    context.emplace_back(kTraceContextPrefix + t->name, t->provenance);
  }
  if (const int status =
          RunRegistered(argv0, setup, out, filter, min_time, context);
      status != 0) {
    return status;
  }
  // Replays alone have no bare-metal counterpart.
  const absl::StatusOr<std::string> report =
      suite_name == kReplayFamily
          ? WriteReport({out.final_path.string()}, absl::GetFlag(FLAGS_costs),
                        WorkloadFamilies())
          : HostReport(out.final_path.string(), {}, suite_name);
  if (!report.ok()) {
    std::cout << "ttbench: no report: " << report.status().message() << "\n";
    return 0;
  }
  WriteResultsIndex(absl::GetFlag(FLAGS_out)).IgnoreError();
  std::cout << "ttbench: wrote " << *report << "\n";
  PrintTargets(out.final_path.string());
  return 0;
}

std::shared_ptr<const ReplayTrace> ReplayTraceFrom(const std::string& path) {
  absl::StatusOr<std::shared_ptr<const ReplayTrace>> t = LoadReplayTrace(path);
  if (!t.ok()) Usage(std::string(t.status().message()));
  return *std::move(t);
}

int Run(const char* argv0) {
  RunSetup setup = ParseRunFlags();
  SuiteOptions& options = setup.options;
  const std::string suite_name = absl::GetFlag(FLAGS_suite);
  options.suite = ParseSuite(suite_name);
  options.strategies = ParseVariants(absl::GetFlag(FLAGS_variants));
  const std::string filter = absl::GetFlag(FLAGS_filter);
  try {
    std::regex check(filter);
  } catch (const std::regex_error& e) {
    Usage(absl::StrCat("--filter '", filter, "' is not a regex: ", e.what()));
  }
  // The committed traces' replays, but in the quick suite; a trace is read
  // only if the filter keeps one of its replays.
  ReplayTraces traces;
  if (options.suite != Suite::kQuick) {
    const std::regex keep(filter.empty() ? "." : filter);
    for (const std::string& path : TracesIn(TTB_SOURCE_DIR "/bench/traces")) {
      const bool kept =
          std::any_of(options.strategies.begin(), options.strategies.end(),
                      [&](SimStrategy* s) {
                        return std::regex_search(
                            absl::StrCat(kReplayFamily, "/", s->name(), "/",
                                         TraceName(path), "/manual_time"),
                            keep);
                      });
      if (kept) traces.push_back(ReplayTraceFrom(path));
    }
  }

  const Output out = PrepareOutput(
      setup.host.MachineName(),
      absl::StrCat(Today(), "-", suite_name, MachineSuffix(setup), ".json"));
  RegisterEngineBenchmarks(options);
  RegisterSimBenchmarks(options);
  RegisterReplayBenchmarks(options, traces);
  const ReplayTraces scaled = ScaledTraces(traces);
  RegisterReplayBenchmarks(options, scaled, /*keep_data=*/false);
  traces.insert(traces.end(), scaled.begin(), scaled.end());
  RegisterNativeBenchmarks(options);
  // Short measurements: the suite is sized for a 2-core VM.
  const std::string min_time = options.suite == Suite::kQuick ? "0.05" : "0.2";
  return RunAndReport(argv0, setup, out, filter, min_time, suite_name, traces);
}

// `replay TRACE`: the trace replayed under each strategy, and its report.
int ReplayCommand(const char* argv0, const std::string& path) {
  std::shared_ptr<const ReplayTrace> trace = ReplayTraceFrom(path);
  if (const int gib = absl::GetFlag(FLAGS_scale_gib); gib != 0) {
    if (gib < 0) Usage("--scale_gib must be positive");
    absl::StatusOr<std::shared_ptr<const ReplayTrace>> scaled =
        ScaledTrace(*trace, static_cast<uint64_t>(gib));
    if (!scaled.ok()) Usage(std::string(scaled.status().message()));
    trace = *std::move(scaled);
  }
  RunSetup setup = ParseRunFlags();
  setup.options.strategies = ParseVariants(absl::GetFlag(FLAGS_variants));
  const Output out = PrepareOutput(
      setup.host.MachineName(), absl::StrCat(Today(), "-replay-", trace->name,
                                             MachineSuffix(setup), ".json"));
  RegisterReplayBenchmarks(setup.options, {trace},
                           !absl::GetFlag(FLAGS_no_data));
  return RunAndReport(argv0, setup, out, "", "0", kReplayFamily, {trace});
}

// `tune STRATEGY.TUNABLE`: one benchmark per value of the tunable, on one
// workload, then the sweep's report.
int Tune(const char* argv0, const std::string& knob) {
  const size_t dot = knob.find('.');
  const std::string strategy_name = knob.substr(0, dot);
  SimStrategy* strategy = FindStrategy<sim::SimArch>(strategy_name.c_str());
  if (dot == std::string::npos || strategy == nullptr) {
    Usage(absl::StrCat("tune: '", knob,
                       "' is not STRATEGY.TUNABLE (strategies: ",
                       absl::StrJoin(StrategyNames(), ", "), ")"));
  }
  const std::string tunable_name = knob.substr(dot + 1);
  const Tunable* tunable = strategy->FindTunable(tunable_name.c_str());
  if (tunable == nullptr) {
    std::vector<std::string> known;
    for (int i = 0; i < strategy->tunable_count(); ++i) {
      known.push_back(
          absl::StrCat(strategy_name, ".", strategy->tunable(i)->name));
    }
    Usage(absl::StrCat(
        "tune: ", strategy_name, " has no tunable '", tunable_name, "' (",
        known.empty() ? "it has none"
                      : absl::StrCat("known: ", absl::StrJoin(known, ", ")),
        ")"));
  }
  const std::string workload_name = absl::GetFlag(FLAGS_workload);
  if (workload_name.empty()) Usage("tune: --workload is required");
  const absl::StatusOr<SimWorkload> workload = ParseSimWorkload(workload_name);
  if (!workload.ok()) Usage(std::string(workload.status().message()));
  const absl::StatusOr<std::vector<int64_t>> values =
      SweepValues(absl::GetFlag(FLAGS_range), *tunable);
  if (!values.ok()) Usage(std::string(values.status().message()));
  const std::string cost = absl::GetFlag(FLAGS_cost);
  if (!cost.empty()) {
    if (const auto sweep = ParseCostSweep(cost); !sweep.ok()) {
      Usage(std::string(sweep.status().message()));
    }
  }
  RunSetup setup = ParseRunFlags();

  std::string file_workload = workload->Name();
  std::replace(file_workload.begin(), file_workload.end(), '/', '-');
  const Output out = PrepareOutput(
      setup.host.MachineName(),
      absl::StrCat(Today(), "-tune-", knob, "-", file_workload, ".json"));
  for (const int64_t value : *values) {
    Register(
        TuneBenchmarkName(knob, value, workload->Name()),
        [&setup, strategy, tunable_name, value,
         w = *workload](benchmark::State& st) {
          if (const Status s =
                  strategy->SetTunable(tunable_name.c_str(), value);
              s != Status::kOk) {
            st.SkipWithError(StatusName(s));
            return;
          }
          RunSimWorkload(st, setup.options, strategy, w);
          strategy->ResetTunables();
        },
        /*manual_time=*/true)
        ->Unit(benchmark::kMicrosecond);
  }
  if (const int status = RunRegistered(
          argv0, setup, out, "", "0.2",
          {{kTuneKnobKey, knob},
           {kTuneDefaultKey, absl::StrCat(tunable->default_value)},
           {kTuneWorkloadKey, workload->Name()},
           {kTuneCostKey, cost}});
      status != 0) {
    return status;
  }
  const absl::StatusOr<TuneSummary> summary =
      WriteTuneReport(out.final_path.string(), *setup.costs);
  if (!summary.ok()) {
    std::cout << "ttbench: no report: " << summary.status().message() << "\n";
    return 0;
  }
  WriteResultsIndex(absl::GetFlag(FLAGS_out)).IgnoreError();
  std::cout << summary->text << "ttbench: wrote " << summary->report_path
            << "\n";
  return 0;
}

int Baremetal() {
  BaremetalOptions options;
  options.image = absl::GetFlag(FLAGS_image);
  options.qemu_cpu = absl::GetFlag(FLAGS_qemu_cpu);
  options.kvm = absl::GetFlag(FLAGS_kvm);
  options.timeout_seconds = absl::GetFlag(FLAGS_timeout);
  options.suite = absl::GetFlag(FLAGS_suite);
  ParseSuite(options.suite);  // Rejects unknown names.
  if (options.timeout_seconds < 1) Usage("--timeout must be at least 1 s");
  const std::string variants = absl::GetFlag(FLAGS_variants);
  if (!variants.empty()) {
    for (SimStrategy* s : ParseVariants(variants)) {
      options.variants.push_back(s->name());
    }
  }
  if (!std::filesystem::exists(options.image)) {
    Usage(absl::StrCat("no bare-metal image at '", options.image, "'"));
  }
  const HostInfo host = HostInfo::Probe();
  if (!options.kvm) {
    if (const absl::Status s = CheckQemuCpu(options.qemu_cpu); !s.ok()) {
      Usage(std::string(s.message()));
    }
  } else {
    // KVM runs the guest on this host's own cores (-cpu host): the image
    // is AArch64, so the host must be too.
    if (host.arch != "aarch64") {
      Usage(
          absl::StrCat("--kvm needs an arm64 host with /dev/kvm; this one "
                       "is ",
                       host.arch, " (drop --kvm to run under emulation)"));
    }
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
      Usage(absl::StrCat("--kvm needs /dev/kvm: ", std::strerror(errno)));
    }
  }
  const std::string machine =
      options.kvm ? absl::StrCat("kvm-", host.MachineName())
                  : absl::StrCat("qemu-virt-", options.qemu_cpu);
  const Output out = PrepareOutput(
      machine, absl::StrCat(Today(), "-baremetal-", options.suite, ".json"));
  std::cout << "ttbench: booting " << options.image << " on " << machine
            << "\n";
  absl::StatusOr<nlohmann::json> doc = RunBaremetal(options);
  if (!doc.ok()) {
    std::error_code ec;
    std::filesystem::remove(out.partial, ec);
    std::cerr << "ttbench: " << doc.status().message() << "\n";
    return 3;
  }
  (*doc)["context"]["date"] = Today();
  (*doc)["context"]["ttbench_commit"] = absl::GetFlag(FLAGS_commit);
  std::ofstream(out.partial) << doc->dump(2) << "\n";
  return Commit(out, absl::StrCat((*doc)["benchmarks"].size(), " entries"));
}

// A bare-metal result set as calibrate and validate read it; a file that
// cannot be read stops with its problem.
struct BaremetalRun {
  Timings timings;
  std::map<std::string, std::string> context;
  std::string source;  // The file's name, as figures and errors cite it.
};
BaremetalRun LoadBaremetalRun(const std::string& path) {
  BaremetalRun run;
  absl::StatusOr<Timings> timings = LoadTimings(path, &run.context);
  if (!timings.ok()) Usage(std::string(timings.status().message()));
  run.timings = *std::move(timings);
  run.source = std::filesystem::path(path).filename().string();
  return run;
}

// Writes <BAREMETAL.json's directory>/costs/<profile>.json: the profile's
// cost model with every figure the bare-metal run measured.
int CalibrateFrom(const std::string& path) {
  nlohmann::json base;
  const std::string profile = ProfileFlag(&base).costs.profile();
  const BaremetalRun run = LoadBaremetalRun(path);
  CalibrationInput input;
  input.baremetal = &run.timings;
  input.context = &run.context;
  input.source = run.source;
  input.base = &base;
  input.allow_emulated = absl::GetFlag(FLAGS_allow_emulated);
  const absl::StatusOr<Calibration> c = Calibrate(input);
  if (!c.ok()) Usage(std::string(c.status().message()));

  std::cout << "ttbench: " << profile << " cycles per event from " << path
            << "; replaced ranges:\n";
  for (const std::string& event : c->measured) {
    const nlohmann::json& was = base["costs"][event];
    std::cout << absl::StrFormat(
        "  %-28s %g..%g..%g -> %g\n", event, was["low"].get<double>(),
        was["typical"].get<double>(), was["high"].get<double>(),
        c->costs["costs"][event]["typical"].get<double>());
  }
  std::cout << "  kept (not measured by this run): "
            << absl::StrJoin(c->kept, ", ") << "\n";
  const std::filesystem::path dir =
      std::filesystem::path(path).parent_path() / "costs";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::filesystem::path out = dir / absl::StrCat(profile, ".json");
  if (const absl::Status s = WriteTextFile(out, c->costs.dump(2) + "\n");
      !s.ok()) {
    Usage(std::string(s.message()));
  }
  std::cout << "ttbench: wrote " << out.string()
            << "; use it with: ttbench run --profile " << profile << " --costs "
            << dir.string() << "\n";
  return 0;
}

// `validate BAREMETAL.json`: the cost model's predictions against the
// cycles a bare-metal run measured.
int ValidateFrom(const std::string& path) {
  const Profile profile = ProfileFlag();
  const BaremetalRun run = LoadBaremetalRun(path);
  ValidationInput input{&run.timings, &run.context, run.source, &profile.costs};
  input.allow_emulated = absl::GetFlag(FLAGS_allow_emulated);
  const absl::StatusOr<std::vector<Prediction>> p = Predict(input);
  if (!p.ok()) Usage(std::string(p.status().message()));
  std::cout << ValidationTable(*p, input);
  return 0;
}

// `capture OUT.ttrace.gz --pid P --trigger ... --done ...`: a trace of a
// live process around the fork --trigger makes it take.
int CaptureCommand(const std::string& path) {
  CaptureOptions o;
  o.pid = absl::GetFlag(FLAGS_pid);
  o.trigger = absl::GetFlag(FLAGS_trigger);
  o.report = absl::GetFlag(FLAGS_report);
  o.report_keys =
      absl::StrSplit(absl::GetFlag(FLAGS_report_keys), ',', absl::SkipEmpty());
  o.resolution_us = static_cast<uint64_t>(absl::GetFlag(FLAGS_resolution_us));
  const double watch = absl::GetFlag(FLAGS_watch_seconds);
  o.watch_us = static_cast<uint64_t>(watch * 1e6);
  if (o.pid <= 0 || o.trigger.empty() || absl::GetFlag(FLAGS_program).empty() ||
      absl::GetFlag(FLAGS_resolution_us) < 100 || !(watch >= 0) ||
      watch > 600) {
    Usage(
        "usage: ttbench capture OUT.ttrace.gz --pid P --trigger CMD --program "
        "'NAME VERSION' [--program_command CMD] [--report CMD --report_keys "
        "a,b] [--resolution_us N >= 100] [--watch_seconds S <= 600]");
  }
  const HostInfo host = HostInfo::Probe();
  o.provenance = {{"program", absl::GetFlag(FLAGS_program)},
                  {"command", absl::GetFlag(FLAGS_program_command).empty()
                                  ? absl::StrCat("pid ", o.pid)
                                  : absl::GetFlag(FLAGS_program_command)},
                  {"host", absl::StrCat(host.arch, " ", host.cpu)},
                  {"kernel", host.kernel},
                  {"date", Today()}};
  const absl::StatusOr<Trace> t = Capture(o);
  if (!t.ok()) {
    std::cerr << "ttbench: capture: " << t.status().message() << "\n";
    return 3;
  }
  if (const absl::Status s = WriteTrace(path, *t); !s.ok()) {
    Usage(std::string(s.message()));
  }
  std::cout << SummarizeTrace(*t) << "ttbench: wrote " << path << "\n";
  return 0;
}

// `trace TRACE`: what a captured trace holds.
int TraceCommand(const std::string& path) {
  const absl::StatusOr<Trace> t = LoadTrace(path);
  if (!t.ok()) Usage(std::string(t.status().message()));
  std::cout << SummarizeTrace(*t);
  return 0;
}

// The profile a host result set was run with (its context names it and
// the machine size), from --costs.
Profile ResultProfile(const std::map<std::string, std::string>& context) {
  int pes = 0;
  absl::SimpleAtoi(ContextValue(context, kPesKey, "0"), &pes);
  absl::StatusOr<Profile> p =
      LoadProfile(absl::GetFlag(FLAGS_costs),
                  ContextValue(context, "ttbench_profile", "neoverse-n1"), pes);
  if (!p.ok()) Usage(std::string(p.status().message()));
  return *std::move(p);
}

// compare's exit status when a benchmark regressed.
constexpr int kRegressionStatus = 3;

int CompareFiles(const std::string& path_a, const std::string& path_b) {
  std::map<std::string, std::string> context;
  const absl::StatusOr<Timings> a = LoadTimings(path_a, &context);
  if (!a.ok()) Usage(std::string(a.status().message()));
  const absl::StatusOr<Timings> b = LoadTimings(path_b);
  if (!b.ok()) Usage(std::string(b.status().message()));
  if (std::none_of(a->begin(), a->end(),
                   [&](const auto& entry) { return b->count(entry.first); })) {
    Usage(absl::StrCat(path_a, " and ", path_b,
                       " share no benchmark (a host and a bare-metal result "
                       "set?)"));
  }
  CompareOptions options;
  // A's events are charged with the model it was run with, when there is
  // one (bare-metal result sets name none).
  std::optional<Profile> profile;
  if (!ContextValue(context, "ttbench_profile", "").empty()) {
    profile = ResultProfile(context);
    options.costs = &profile->costs;
  }
  options.threshold = absl::GetFlag(FLAGS_threshold);
  options.fail_on = absl::GetFlag(FLAGS_fail_on);
  if (options.threshold < 0) Usage("--threshold must not be negative");
  try {
    std::regex check(options.fail_on);
  } catch (const std::regex_error& e) {
    Usage(absl::StrCat("--fail_on '", options.fail_on, "' is not a regex"));
  }
  const int regressions = Compare(*a, *b, options, std::cout);
  if (regressions == 0) return 0;
  std::cout << "ttbench: " << regressions << " benchmark"
            << (regressions == 1 ? "" : "s") << " regressed past +"
            << options.threshold * 100 << "%\n";
  // Not 1, which the wrapper reserves for flag-parse errors (bad input: 2).
  return kRegressionStatus;
}

// `report FILE...`: a tuning sweep's report, or a host report with the
// bare-metal result sets given (or the newest beside it).
int ReportCommand(const std::vector<std::string>& inputs) {
  if (inputs.empty()) {
    Usage("usage: ttbench report RESULT.json [BAREMETAL.json ...]");
  }
  std::map<std::string, std::string> context;
  if (LoadTimings(inputs[0], &context).ok() && context.count(kTuneKnobKey)) {
    if (inputs.size() > 1) {
      Usage(absl::StrCat(
          inputs[0], " is a tuning sweep, whose report takes no other file"));
    }
    const absl::StatusOr<TuneSummary> summary =
        WriteTuneReport(inputs[0], ResultProfile(context).costs);
    if (!summary.ok()) Usage(std::string(summary.status().message()));
    std::cout << summary->text << "ttbench: wrote " << summary->report_path
              << "\n";
    return 0;
  }
  const absl::StatusOr<std::string> report =
      HostReport(inputs[0], {inputs.begin() + 1, inputs.end()},
                 ContextValue(context, "ttbench_suite", "default"));
  if (!report.ok()) Usage(std::string(report.status().message()));
  WriteResultsIndex(absl::GetFlag(FLAGS_out)).IgnoreError();
  std::cout << "ttbench: wrote " << *report << "\n";
  return 0;
}

// Makes the paths the caller gave relative to its own directory (--cwd)
// absolute: the path flags and the operands (files of report, compare and
// calibrate; no other command takes paths). The flags' defaults are
// absolute, in the repository.
std::vector<std::string> ResolvePaths(std::vector<std::string> operands) {
  const std::string cwd = absl::GetFlag(FLAGS_cwd);
  if (cwd.empty()) return operands;
  auto resolve = [&](const std::string& p) {
    return p.empty() || p[0] == '/' ? p
                                    : (std::filesystem::path(cwd) / p).string();
  };
  for (absl::Flag<std::string>* flag :
       {&FLAGS_out, &FLAGS_image, &FLAGS_costs}) {
    absl::SetFlag(flag, resolve(absl::GetFlag(*flag)));
  }
  for (std::string& operand : operands) operand = resolve(operand);
  return operands;
}

}  // namespace
}  // namespace ttb::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "ttbench run [--suite ...] [--variants a,b] [--filter REGEX] "
      "[--profile NAME] [--repetitions N] [--out DIR]\n       ttbench list\n"
      "       ttbench baremetal --image ELF [--qemu_cpu max|cortex-a72|...] "
      "[--kvm] [--suite ...] [--variants a,b] [--out DIR]\n"
      "       ttbench report RESULT.json [BAREMETAL.json ...]\n"
      "       ttbench compare A.json B.json [--threshold 0.05] "
      "[--fail_on REGEX]\n"
      "       ttbench tune STRATEGY.TUNABLE --workload W [--range LO:HI] "
      "[--profile NAME] [--repetitions N] [--out DIR]\n"
      "       ttbench calibrate BAREMETAL.json [--profile NAME] "
      "[--allow_emulated]\n"
      "       ttbench costs [PROFILE] [--cores N]\n"
      "       ttbench validate BAREMETAL.json [--profile NAME] "
      "[--allow_emulated]\n"
      "       ttbench trace TRACE\n"
      "       ttbench replay TRACE [--variants a,b] [--profile NAME]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  const std::string command = positional.size() > 1 ? positional[1] : "";
  const bool takes_files = command == "report" || command == "compare" ||
                           command == "calibrate" || command == "validate" ||
                           command == "trace" || command == "capture" ||
                           command == "replay";
  // The files a command takes follow its name.
  const std::vector<std::string> operands = ttb::bench::ResolvePaths(
      takes_files
          ? std::vector<std::string>(positional.begin() + 2, positional.end())
          : std::vector<std::string>());
  if (command == "report") return ttb::bench::ReportCommand(operands);
  if (command == "compare") {
    if (operands.size() != 2) {
      ttb::bench::Usage("usage: ttbench compare A.json B.json");
    }
    return ttb::bench::CompareFiles(operands[0], operands[1]);
  }
  if (command == "calibrate") {
    if (operands.size() != 1) {
      ttb::bench::Usage(
          "usage: ttbench calibrate BAREMETAL.json [--profile NAME] "
          "[--allow_emulated]");
    }
    return ttb::bench::CalibrateFrom(operands[0]);
  }
  if (command == "validate") {
    if (operands.size() != 1) {
      ttb::bench::Usage(
          "usage: ttbench validate BAREMETAL.json [--profile NAME] "
          "[--costs DIR] [--allow_emulated]");
    }
    return ttb::bench::ValidateFrom(operands[0]);
  }
  if (command == "capture") {
    if (operands.size() != 1) {
      ttb::bench::Usage("usage: ttbench capture OUT.ttrace.gz --pid P ...");
    }
    return ttb::bench::CaptureCommand(operands[0]);
  }
  if (command == "trace") {
    if (operands.size() != 1) ttb::bench::Usage("usage: ttbench trace TRACE");
    return ttb::bench::TraceCommand(operands[0]);
  }
  if (command == "replay") {
    if (operands.size() != 1) {
      ttb::bench::Usage(
          "usage: ttbench replay TRACE [--variants a,b] [--profile NAME] "
          "[--no_data] [--scale_gib N]");
    }
    return ttb::bench::ReplayCommand(argv[0], operands[0]);
  }
  if (command == "tune") {
    if (positional.size() != 3) {
      ttb::bench::Usage(
          "usage: ttbench tune STRATEGY.TUNABLE --workload W [--range ...]");
    }
    return ttb::bench::Tune(argv[0], positional[2]);
  }
  if (command == "costs" && positional.size() <= 3) {
    if (positional.size() == 3) absl::SetFlag(&FLAGS_profile, positional[2]);
    ttb::bench::PrintCosts(ttb::bench::ProfileFlag().costs, std::cout);
    return 0;
  }
  if (positional.size() > 2) {
    ttb::bench::Usage(
        absl::StrCat("unexpected argument '", positional[2], "'"));
  }
  if (command == "list") {
    ttb::bench::List();
    return 0;
  }

  if (command == "run") return ttb::bench::Run(argv[0]);
  if (command == "baremetal") return ttb::bench::Baremetal();
  ttb::bench::Usage(
      "usage: ttbench run | list | costs [P] | baremetal | report R | "
      "compare A B | tune S.T | calibrate B | validate B | trace T | replay T "
      "(see "
      "--help)");
}
