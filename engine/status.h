// Status codes and a value-or-status result for the freestanding core, which
// has no exceptions.
#ifndef TTBENCH_ENGINE_STATUS_H_
#define TTBENCH_ENGINE_STATUS_H_

namespace ttb {

enum class Status : unsigned char {
  kOk,
  kNoMemory,         // The frame pool could not supply a frame.
  kOutOfRange,       // An address outside the regime's input range.
  kAlreadyMapped,    // Map over a page that is already valid.
  kNotMapped,        // The operation needs a valid page that is not there.
  kBlockInPath,      // A block descriptor where a table was needed.
  kInvalidArgument,  // Misaligned address, zero length, bad configuration.
  kUnsupported,      // A legal architecture option this build does not model.
};

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

// A T or the Status that explains why there is none. T must be trivially
// default-constructible (addresses, pointers, small structs).
template <typename T>
class Result {
 public:
  constexpr Result(T value) : value_(value), status_(Status::kOk) {}
  constexpr Result(Status status) : value_(), status_(status) {}

  constexpr bool ok() const { return status_ == Status::kOk; }
  constexpr Status status() const { return status_; }
  constexpr const T& value() const { return value_; }

 private:
  T value_;
  Status status_;
};

}  // namespace ttb

#endif  // TTBENCH_ENGINE_STATUS_H_
