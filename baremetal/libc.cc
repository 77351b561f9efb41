// The two library functions the compiler may emit calls to. Built with
// -fno-builtin so these loops are not turned back into calls to themselves.
// Aligned runs move 8 bytes at a time: frame copies dominate CoW faults.
#include <stddef.h>
#include <stdint.h>

extern "C" void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  size_t i = 0;
  if (((reinterpret_cast<uintptr_t>(d) | reinterpret_cast<uintptr_t>(s)) & 7) ==
      0) {
    for (; i + 8 <= n; i += 8) {
      *reinterpret_cast<uint64_t*>(d + i) =
          *reinterpret_cast<const uint64_t*>(s + i);
    }
  }
  for (; i < n; ++i) d[i] = s[i];
  return dst;
}

extern "C" void* memset(void* dst, int value, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  size_t i = 0;
  if ((reinterpret_cast<uintptr_t>(d) & 7) == 0) {
    const uint64_t word = 0x0101010101010101ull * static_cast<uint8_t>(value);
    for (; i + 8 <= n; i += 8) *reinterpret_cast<uint64_t*>(d + i) = word;
  }
  for (; i < n; ++i) d[i] = static_cast<uint8_t>(value);
  return dst;
}
