#include "bench/results/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace ttb::bench {

namespace fs = std::filesystem;

absl::Status WriteTextFile(const fs::path& path, const std::string& contents) {
  const fs::path partial =
      path.parent_path() /
      absl::StrCat(".", path.filename().string(), ".partial");
  std::error_code ignored;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) {
      const std::string reason = std::strerror(errno);
      fs::remove(partial, ignored);
      return absl::InternalError(
          absl::StrCat("cannot write ", path.string(), ": ", reason));
    }
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) {
    fs::remove(partial, ignored);
    return absl::InternalError(
        absl::StrCat("cannot write ", path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace ttb::bench
