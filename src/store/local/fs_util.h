#pragma once
// Durable local file helpers shared by staging, publishing and reports.
#include <string>
#include <string_view>

#include "core/status.h"
#include "encode/encoder.h"

namespace eventlake {

// mkdir -p, fsyncing each parent whose entries changed.
Status MakeDirs(const std::string& path);
Status FsyncDir(const std::string& path);
// Removes every file directly in `dir` (staged files nobody committed).
Status RemoveFilesIn(const std::string& dir);
// Writes `bytes` to `path` (replacing it) and fsyncs it.
Status WriteFileDurably(const std::string& path, std::string_view bytes);

// A buffered, fsync-on-close file writer.
class FileSink final : public ByteSink {
 public:
  static Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  Status Write(std::string_view bytes) override;
  // Flushes, fsyncs and closes. Must be called for the file to count as written.
  Status Close();
  uint64_t bytes_written() const { return written_; }

 private:
  FileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status FlushBuffer();
  int fd_;
  std::string path_;
  std::string buf_;
  uint64_t written_ = 0;
};

}  // namespace eventlake
