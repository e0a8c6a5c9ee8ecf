#include "app/lake_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace eventlake {

Result<std::unique_ptr<LakeLock>> LakeLock::Acquire(const std::string& lake) {
  const std::string path = lake + "/_eventlake/lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error("cannot open lock file " + path + ": " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    const ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
    close(fd);
    std::string holder = n > 0 ? " (pid " + std::string(pid, static_cast<size_t>(n)) + ")" : "";
    while (!holder.empty() && (holder.back() == '\n')) holder.pop_back();
    return Status::Error("lake " + lake + " is in use by another eventlake" + holder +
                         "; wait for it to finish or use another --lake");
  }
  const std::string me = std::to_string(getpid());
  if (ftruncate(fd, 0) == 0) {
    ssize_t ignored = pwrite(fd, me.data(), me.size(), 0);
    (void)ignored;  // the pid is informational only
  }
  return std::unique_ptr<LakeLock>(new LakeLock(fd));
}

LakeLock::~LakeLock() { close(fd_); }

}  // namespace eventlake
