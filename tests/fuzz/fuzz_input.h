// Reading a fuzzer's bytes as typed values, and the fuzz targets' one
// failure path: a message, then abort, which libFuzzer saves as a crash.
#ifndef TTBENCH_TESTS_FUZZ_FUZZ_INPUT_H_
#define TTBENCH_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ttb::fuzz {

// Hands out the input's bytes front to back; past the end, zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  template <typename T>
  T Take() {
    T value{};
    const size_t n = sizeof(T) < size_ ? sizeof(T) : size_;
    std::memcpy(&value, data_, n);
    data_ += n;
    size_ -= n;
    return value;
  }
  size_t remaining() const { return size_; }
  const uint8_t* rest() const { return data_; }

 private:
  const uint8_t* data_;
  size_t size_;
};

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property failed: %s\n", what.c_str());
  std::abort();
}

inline void Check(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

// A loader's error: one line, which names the file first.
inline void CheckLoaderError(const std::string& message,
                             const std::string& source) {
  Check(message.rfind(source + ": ", 0) == 0, "the error names the file");
  Check(message.find('\n') == std::string::npos, "the error is one line");
}

}  // namespace ttb::fuzz

#endif  // TTBENCH_TESTS_FUZZ_FUZZ_INPUT_H_
