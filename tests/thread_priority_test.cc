// Per-thread nice values: the calling thread only, never raised.
#include "internal/thread_priority.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace logweave {
namespace {

int MyNice() { return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); }

TEST(ThreadPriorityTest, LowersOnlyTheCallingThread) {
  const int main_nice = MyNice();
  int inside = -100;
  std::thread t([&] {
    ASSERT_TRUE(LowerThisThreadsPriority(std::max(main_nice, 7)).ok());
    inside = MyNice();
  });
  t.join();
  EXPECT_EQ(inside, std::max(main_nice, 7));
  EXPECT_EQ(MyNice(), main_nice);
}

TEST(ThreadPriorityTest, NeverRaisesAPriority) {
  int after = -100;
  std::thread t([&] {
    ASSERT_TRUE(LowerThisThreadsPriority(12).ok());
    ASSERT_TRUE(LowerThisThreadsPriority(4).ok());  // would raise it: left at 12
    after = MyNice();
  });
  t.join();
  EXPECT_EQ(after, std::max(12, MyNice()));
}

TEST(ThreadPriorityTest, RejectsValuesOutsideZeroToNineteen) {
  EXPECT_EQ(LowerThisThreadsPriority(-1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LowerThisThreadsPriority(20).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace logweave
