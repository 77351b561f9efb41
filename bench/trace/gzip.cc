#include "bench/trace/gzip.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"

namespace ttb::bench {
namespace {

// windowBits 15 with 16 added: a gzip header and trailer, not zlib's.
constexpr int kGzipWindow = 15 + 16;

}  // namespace

std::string Gzip(std::string_view text) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindow, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);  // The bound leaves room for all of it.
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

absl::StatusOr<std::string> Gunzip(std::string_view bytes, size_t limit) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b) {
    return absl::InvalidArgumentError("not gzip");
  }
  z_stream z{};
  inflateInit2(&z, kGzipWindow);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[1 << 16];
  int rc = Z_OK;
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
    if (out.size() > limit) {
      inflateEnd(&z);
      return absl::InvalidArgumentError(
          absl::StrCat("inflates past ", limit, " bytes"));
    }
    if (rc == Z_STREAM_END) {
      // Concatenated members (gzip -c a b) follow one another.
      if (z.avail_in == 0) break;
      inflateReset(&z);
      continue;
    }
    if (rc != Z_OK) break;
    if (z.avail_in == 0 && z.avail_out != 0) {
      rc = Z_BUF_ERROR;  // The input ended inside the stream.
      break;
    }
  }
  inflateEnd(&z);
  if (rc == Z_STREAM_END) return out;
  return absl::InvalidArgumentError(rc == Z_BUF_ERROR ? "truncated gzip"
                                                      : "corrupt gzip");
}

}  // namespace ttb::bench
