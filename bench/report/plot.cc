#include "bench/report/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ttb::bench {

absl::Status Plot(const std::string& script) {
  // gnuplot's messages go to a file, so a failure can say what it was.
  std::string log_template =
      (std::filesystem::temp_directory_path() / "ttbench-gnuplot-XXXXXX")
          .string();
  char* log_path = log_template.data();
  const int log_fd = mkstemp(log_path);
  if (log_fd < 0)
    return absl::UnavailableError("cannot create a temporary file");
  close(log_fd);
  FILE* gnuplot =
      popen(absl::StrCat("gnuplot >'", log_path, "' 2>&1").c_str(), "w");
  if (gnuplot == nullptr) {
    std::remove(log_path);
    return absl::UnavailableError("cannot run gnuplot");
  }
  std::fputs(script.c_str(), gnuplot);
  const int status = pclose(gnuplot);
  std::ifstream log(log_path);
  std::string line, error;
  while (std::getline(log, line)) {
    // gnuplot marks the failing script line as "line N: what went wrong".
    const size_t at = line.find("line ");
    if (at != std::string::npos && line.find("warning") == std::string::npos) {
      error = std::string(absl::StripAsciiWhitespace(line.substr(at)));
    }
  }
  std::remove(log_path);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::UnavailableError(
        "gnuplot is not installed (Debian: gnuplot-nox)");
  }
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("gnuplot failed: ", error.empty() ? "no message" : error));
  }
  return absl::OkStatus();
}

std::string Quoted(const std::string& text) {
  std::string q = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string PlotHeader(const std::string& svg, const std::string& title,
                       const std::string& xlabel, const std::string& ylabel) {
  return absl::StrFormat(
      "set terminal svg size 720,420 dynamic noenhanced font 'sans,11'\n"
      "set output %s\nset title %s\nset xlabel %s\nset ylabel %s\n"
      "set key left top\nset grid\n",
      Quoted(svg), Quoted(title), Quoted(xlabel), Quoted(ylabel));
}

absl::Status LinePlot(const std::string& svg, const std::string& title,
                      const std::string& xlabel, const std::string& ylabel,
                      const std::string& extra, const Series& series) {
  std::string script = PlotHeader(svg, title, xlabel, ylabel) + extra;
  std::vector<std::string> plots;
  for (size_t i = 0; i < series.size(); ++i) {
    std::string data;
    for (const auto& [x, y] : series[i].second) {
      if (y > 0) absl::StrAppend(&data, x, " ", y, "\n");
    }
    if (data.empty()) continue;  // Not measured in this run.
    absl::StrAppend(&script, "$d", i, " << EOD\n", data, "EOD\n");
    plots.push_back(absl::StrCat("$d", i, " with linespoints lw 2 title ",
                                 Quoted(series[i].first)));
  }
  if (plots.empty()) {
    return absl::NotFoundError(absl::StrCat("nothing to plot in ", svg));
  }
  absl::StrAppend(&script, "plot ", absl::StrJoin(plots, ", "), "\n");
  return Plot(script);
}

std::string Table(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string t = "| " + absl::StrJoin(header, " | ") + " |\n|";
  for (size_t i = 0; i < header.size(); ++i) t += " --- |";
  t += "\n";
  for (const auto& r : rows) t += "| " + absl::StrJoin(r, " | ") + " |\n";
  return t + "\n";
}

std::optional<double> Crossing(const Points& a, const Points& b,
                               double min_gap) {
  // The difference at each x both curves measured, and its sign where it
  // is clear: closer than the gap, one run cannot say which is above.
  struct Sample {
    double x, d;
    int clear;  // +1 a above b, -1 below, 0 too close to tell.
  };
  std::vector<Sample> samples;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double ya = a[i].second, yb = b[i].second;
    if (ya <= 0 || yb <= 0) continue;  // Not measured.
    const double d = ya - yb;
    const int clear = std::fabs(d) <= min_gap * std::max(ya, yb) ? 0
                      : d > 0                                    ? 1
                                                                 : -1;
    samples.push_back({a[i].first, d, clear});
  }
  // The first clear side, then the first sample clearly on the other side;
  // the curves cross at the last change of sign between the two.
  int side = 0;
  size_t from = 0;
  for (size_t j = 0; j < samples.size(); ++j) {
    if (samples[j].clear == 0) continue;
    if (side == 0) {
      side = samples[j].clear;
      from = j;
      continue;
    }
    if (samples[j].clear == side) {
      from = j;
      continue;
    }
    // samples[from] and samples[j] lie on opposite sides: some k between
    // changes sign.
    auto sign = [](double d) { return (d > 0) - (d < 0); };
    for (size_t k = j; k > from; --k) {
      const Sample& lo = samples[k - 1];
      const Sample& hi = samples[k];
      if (sign(lo.d) == sign(hi.d)) continue;
      if (hi.d == 0) return hi.x;
      if (lo.d == 0) return lo.x;
      return lo.x + lo.d / (lo.d - hi.d) * (hi.x - lo.x);
    }
  }
  return std::nullopt;
}

namespace {

// Whether two curves of modelled cycles are the same simulated work at
// every x both measured, and both measured some.
bool SameEverywhere(const Points& a, const Points& b) {
  bool measured = false;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double ya = a[i].second, yb = b[i].second;
    if (ya <= 0 || yb <= 0) continue;
    if (!ModelledLevel(ya, yb)) return false;
    measured = true;
  }
  return measured;
}

}  // namespace

std::vector<std::string> DescribeCrossings(const Series& host,
                                           const Series& modelled) {
  std::vector<std::string> out;
  for (size_t i = 0; i < host.size() && i < modelled.size(); ++i) {
    for (size_t j = i + 1; j < host.size() && j < modelled.size(); ++j) {
      if (SameEverywhere(modelled[i].second, modelled[j].second)) {
        continue;  // The same simulated work: any host crossing is noise.
      }
      const std::optional<double> h =
          Crossing(host[i].second, host[j].second, 0.1);
      const std::optional<double> m =
          Crossing(modelled[i].second, modelled[j].second, kModelledNoise);
      const std::string pair =
          absl::StrFormat("`%s` and `%s`", host[i].first, host[j].first);
      // Modelled cycles decide; host time is the simulator's speed.
      if (h && m) {
        out.push_back(absl::StrFormat(
            "%s cross at k = %.1f%% in modelled cycles (host time: %.1f%%)",
            pair, *m, *h));
      } else if (m) {
        out.push_back(absl::StrFormat(
            "%s cross at k = %.1f%% in modelled cycles only", pair, *m));
      } else if (h) {
        out.push_back(absl::StrFormat(
            "%s cross at k = %.1f%% in host time only", pair, *h));
      }
    }
  }
  return out;
}

}  // namespace ttb::bench
