#include "baremetal/console.h"

#include "engine/names.h"

namespace ttb::baremetal {
namespace {

volatile uint32_t* const kUart =
    reinterpret_cast<volatile uint32_t*>(0x09000000);
constexpr unsigned kData = 0x00 / 4;
constexpr unsigned kFlags = 0x18 / 4;
constexpr uint32_t kTransmitFull = 1 << 5;

void Put(char c) {
  while (kUart[kFlags] & kTransmitFull) {
  }
  kUart[kData] = static_cast<uint32_t>(c);
}

}  // namespace

void Print(const char* text) {
  for (; *text != '\0'; ++text) {
    if (*text == '\n') Put('\r');
    Put(*text);
  }
}

void PrintHex(uint64_t value) {
  Put('0');
  Put('x');
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    const unsigned digit = (value >> shift) & 0xF;
    started = started || digit != 0 || shift == 0;
    if (started)
      Put(static_cast<char>(digit < 10 ? '0' + digit : 'a' + digit - 10));
  }
}

void PrintDec(uint64_t value) { Print((Name() << value).c_str()); }

}  // namespace ttb::baremetal
