#include "engine/status.h"

#include <gtest/gtest.h>

namespace ttb {
namespace {

TEST(Result, HoldsAValueOrAStatus) {
  const Result<int> seven = 7;
  EXPECT_TRUE(seven.ok());
  EXPECT_EQ(seven.value(), 7);
  const Result<int> none = Status::kNoMemory;
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.status(), Status::kNoMemory);
}

// Asking an error for its value stops the program, naming the error,
// instead of handing back a default-constructed value (pid 0, address 0).
TEST(ResultDeathTest, ValueOfAnErrorStopsWithItsName) {
  const Result<int> none = Status::kNoMemory;
  EXPECT_DEATH(static_cast<void>(none.value()),
               "value\\(\\) of a Result that holds 'no memory'");
}

}  // namespace
}  // namespace ttb
