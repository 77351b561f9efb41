#include "bench/report/report.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/report/report_context.h"
#include "bench/report/sections.h"
#include "bench/report/targets.h"
#include "bench/results/text_file.h"

namespace ttb::bench {
namespace {

namespace fs = std::filesystem;

// The sections of a suite's run, after the header.
absl::Status AppendSuiteSections(const ReportContext& r, std::string& md) {
  absl::StrAppend(&md, SummarySection(r),
                  TargetsSection(CheckTargets(r.h.all)));
  using Section = absl::StatusOr<std::string> (*)(const ReportContext&);
  auto add = [&](Section section) -> absl::Status {
    absl::StatusOr<std::string> text = section(r);
    if (!text.ok()) return text.status();
    md += *text;
    return absl::OkStatus();
  };
  if (absl::Status s = add(ForkLatencySection); !s.ok()) return s;
  md += WalkSection(r);
  md += ForkResumeSection(r);
  for (Section section : {ForkWriteSection, CowFaultSection}) {
    if (absl::Status s = add(section); !s.ok()) return s;
  }
  md += GranuleSection(r);
  if (absl::Status s = add(CostSplitSection); !s.ok()) return s;
  md += OtherFamiliesSection(r);
  return absl::OkStatus();
}

// The report's Markdown and plots; every file it writes is added to
// `written`, so a failure can remove them.
absl::StatusOr<std::string> WriteReportFiles(
    const std::vector<std::string>& inputs, const std::string& costs_dir,
    const Families& families, std::vector<fs::path>& written) {
  if (inputs.empty()) return absl::InvalidArgumentError("no result file given");
  const WorkloadFamily* fork = FindFamily(families, "fork");
  if (fork == nullptr) {
    return absl::InvalidArgumentError("the workload registry has no fork");
  }
  absl::StatusOr<HostResults> loaded = LoadHost(inputs[0], *fork);
  if (!loaded.ok()) return loaded.status();
  const std::string profile =
      ContextValue(loaded->context, "ttbench_profile", "neoverse-n1");
  absl::StatusOr<CostModel> costs =
      CostModel::Load(absl::StrCat(costs_dir, "/", profile, ".json"));
  if (!costs.ok()) return costs.status();
  // The cost split charges this run's events with `costs`; the run's own
  // modelled cycles used the model it names.
  if (const std::string used = ContextValue(loaded->context, kCostsNoteKey, "");
      !used.empty() && used != costs->note()) {
    return absl::InvalidArgumentError(absl::StrCat(
        inputs[0], " was modelled with other cost figures than ", costs_dir,
        "/", profile, ".json (give report the --costs the run was given)"));
  }
  // Broadcasts are charged for the machine size the run modelled.
  if (int pes = 0;
      absl::SimpleAtoi(ContextValue(loaded->context, kPesKey, ""), &pes) &&
      pes >= 1) {
    costs->set_pes(pes);
  }
  const ReportContext r(*loaded, *costs, inputs[0], families, written);

  std::string md = HeaderSection(r);
  // A set of replays alone (`ttbench replay`) has only their section.
  if (r.h.sizes.empty() && inputs.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        inputs[0], " holds replays alone, which no bare-metal run repeats"));
  }
  if (!r.h.sizes.empty()) {
    if (absl::Status s = AppendSuiteSections(r, md); !s.ok()) return s;
  }
  md += ReplaySection(r);
  for (size_t i = 1; i < inputs.size(); ++i) {
    absl::StatusOr<std::string> bm = BaremetalSection(r, inputs[i]);
    if (!bm.ok()) return bm.status();
    md += *bm;
  }
  const fs::path out = r.dir / r.Written(".md");
  if (absl::Status s = WriteTextFile(out, md); !s.ok()) return s;
  return out.string();
}

}  // namespace

absl::StatusOr<std::string> WriteReport(const std::vector<std::string>& inputs,
                                        const std::string& costs_dir,
                                        const Families& families) {
  std::vector<fs::path> written;
  absl::StatusOr<std::string> report =
      WriteReportFiles(inputs, costs_dir, families, written);
  if (!report.ok()) {
    // Nothing half-written: remove whatever this report had made so far.
    std::error_code ec;
    for (const fs::path& f : written) fs::remove(f, ec);
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
