// Status codes and a value-or-status result for the freestanding core, which
// has no exceptions. Both are [[nodiscard]]: an error cannot be dropped
// without a cast that says so.
#ifndef TTBENCH_ENGINE_STATUS_H_
#define TTBENCH_ENGINE_STATUS_H_

namespace ttb {

// Unformatted: clang-format 14 misreads the attribute and indents the
// enumerators as an initializer list.
// clang-format off
enum class [[nodiscard]] Status : unsigned char {
  kOk,
  kNoMemory,         // The frame pool could not supply a frame.
  kOutOfRange,       // An address outside the regime's input range.
  kAlreadyMapped,    // Map over a page that is already valid.
  kNotMapped,        // The operation needs a valid page that is not there.
  kBlockInPath,      // A block descriptor where a table was needed.
  kInvalidArgument,  // Misaligned address, zero length, bad configuration.
  kUnsupported,      // A legal architecture option this build does not model.
};
// clang-format on

constexpr const char* StatusName(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kNoMemory:
      return "no memory";
    case Status::kOutOfRange:
      return "address out of range";
    case Status::kAlreadyMapped:
      return "already mapped";
    case Status::kNotMapped:
      return "not mapped";
    case Status::kBlockInPath:
      return "block descriptor in path";
    case Status::kInvalidArgument:
      return "invalid argument";
    case Status::kUnsupported:
      return "unsupported";
  }
  return "unknown";
}

// Stops the program when value() is asked of a Result that holds an error:
// continuing would use a value that is not there. Each world defines it
// (the host prints the status and aborts; the bare-metal image reports it
// and exits failing).
[[noreturn]] void ValueOfError(Status s);

// A T or the Status that explains why there is none. T must be trivially
// default-constructible (addresses, pointers, small structs).
template <typename T>
class [[nodiscard]] Result {
 public:
  constexpr Result(T value) : value_(value), status_(Status::kOk) {}
  constexpr Result(Status status) : value_(), status_(status) {}

  constexpr bool ok() const { return status_ == Status::kOk; }
  constexpr Status status() const { return status_; }
  constexpr const T& value() const {
    if (!ok()) [[unlikely]] {
      ValueOfError(status_);
    }
    return value_;
  }

 private:
  T value_;
  Status status_;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_STATUS_H_
