#pragma once
// One eventlake at a time per lake: an flock on LAKE/_eventlake/lock, released by the
// kernel when the process ends however it ends.
#include <memory>
#include <string>

#include "core/status.h"

namespace eventlake {

class LakeLock {
 public:
  static Result<std::unique_ptr<LakeLock>> Acquire(const std::string& lake);
  ~LakeLock();

 private:
  explicit LakeLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace eventlake
