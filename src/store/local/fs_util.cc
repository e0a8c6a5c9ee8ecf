#include "store/local/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace eventlake {

Status RemoveFilesIn(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status::Error("cannot read " + dir + ": " + std::strerror(errno));
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (unlink((dir + "/" + name).c_str()) != 0) {
      closedir(d);
      return Status::Error("cannot remove uncommitted staged file " + dir + "/" + name + ": " + std::strerror(errno));
    }
  }
  closedir(d);
  return Status::Ok();
}
namespace {
Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno));
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

Status FsyncDir(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", path);
  const int rc = fsync(fd);
  const int e = errno;
  close(fd);
  if (rc != 0) {
    errno = e;
    return Errno("cannot fsync directory", path);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::Error(path + " exists and is not a directory");
  }
  const std::string parent = Parent(path);
  if (parent != path) EL_RETURN_IF_ERROR(MakeDirs(parent));
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Errno("cannot create directory", path);
  return FsyncDir(parent);
}

Status WriteFileDurably(const std::string& path, std::string_view bytes) {
  auto sink = FileSink::Create(path);
  if (!sink.ok()) return sink.status();
  EL_RETURN_IF_ERROR((*sink)->Write(bytes));
  return (*sink)->Close();
}

Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", path);
  return std::unique_ptr<FileSink>(new FileSink(fd, path));
}

FileSink::~FileSink() {
  if (fd_ >= 0) close(fd_);
}

Status FileSink::FlushBuffer() {
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write", path_);
    done += static_cast<size_t>(n);
  }
  buf_.clear();
  return Status::Ok();
}

Status FileSink::Write(std::string_view bytes) {
  written_ += bytes.size();
  if (buf_.size() + bytes.size() > (1 << 20)) {
    EL_RETURN_IF_ERROR(FlushBuffer());
    if (bytes.size() > (1 << 20)) {
      buf_.assign(bytes);
      return FlushBuffer();
    }
  }
  buf_.append(bytes);
  return Status::Ok();
}

Status FileSink::Close() {
  EL_RETURN_IF_ERROR(FlushBuffer());
  if (fsync(fd_) != 0) return Errno("cannot fsync", path_);
  const int rc = close(fd_);
  fd_ = -1;
  if (rc != 0) return Errno("cannot close", path_);
  return Status::Ok();
}

}  // namespace eventlake
