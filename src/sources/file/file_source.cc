#include "sources/file/file_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace eventlake {
namespace {

enum class Codec { kNone, kGzip, kZstd };

class FileSource final : public Source {
 public:
  FileSource(int fd, bool owns_fd, std::string name, std::optional<uint64_t> size, bool pollable)
      : fd_(fd), owns_fd_(owns_fd), name_(std::move(name)), size_(size), pollable_(pollable) {}
  ~FileSource() override {
    if (codec_ == Codec::kGzip) inflateEnd(&zs_);
    if (zstd_ != nullptr) ZSTD_freeDStream(zstd_);
    if (owns_fd_) close(fd_);
  }

  Status Init() {
    in_.resize(1 << 20);
    // Sniff the codec from the first bytes: a short first read is fine, we keep what we got.
    while (in_len_ < 4) {
      auto r = ReadRaw(in_.data() + in_len_, in_.size() - in_len_, -1);
      if (!r.ok()) return r.status();
      if (r->eof) break;
      in_len_ += r->bytes;
    }
    const auto* b = reinterpret_cast<const unsigned char*>(in_.data());
    if (in_len_ >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
      codec_ = Codec::kGzip;
      std::memset(&zs_, 0, sizeof(zs_));
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) return Status::Error("zlib init failed");
    } else if (in_len_ >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
      codec_ = Codec::kZstd;
      zstd_ = ZSTD_createDStream();
      if (zstd_ == nullptr) return Status::Error("zstd init failed");
      ZSTD_initDStream(zstd_);
    }
    return Status::Ok();
  }

  Result<ReadResult> Read(char* buf, size_t cap, int timeout_ms) override {
    if (codec_ == Codec::kNone) {
      if (in_pos_ < in_len_) {
        const size_t n = std::min(cap, in_len_ - in_pos_);
        std::memcpy(buf, in_.data() + in_pos_, n);
        in_pos_ += n;
        return ReadResult{n, false};
      }
      return ReadRaw(buf, cap, timeout_ms);
    }
    for (;;) {
      if (in_pos_ == in_len_ && !raw_eof_) {
        auto r = ReadRaw(in_.data(), in_.size(), timeout_ms);
        if (!r.ok()) return r.status();
        in_pos_ = 0;
        in_len_ = r->bytes;
        if (r->eof) raw_eof_ = true;
        if (r->bytes == 0 && !r->eof) return ReadResult{0, false};
      }
      if (in_pos_ == in_len_ && raw_eof_) {
        if (!frame_done_)
          return Status::Error(name_ + ": compressed input ends in the middle of a frame (truncated file?)");
        return ReadResult{0, true};
      }
      auto produced = Decompress(buf, cap);
      if (!produced.ok()) return produced.status();
      if (*produced > 0) return ReadResult{*produced, false};
    }
  }

  Status Skip(uint64_t n) override {
    if (codec_ == Codec::kNone && size_) {
      // Regular file: use what the sniff buffered, then seek instead of reading.
      const size_t buffered = std::min<uint64_t>(n, in_len_ - in_pos_);
      in_pos_ += buffered;
      n -= buffered;
      if (n == 0) return Status::Ok();
      if (lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) return Errno("seeking in");
      raw_consumed_ += n;
      return Status::Ok();
    }
    std::vector<char> scratch(1 << 20);
    while (n > 0) {
      auto r = Read(scratch.data(), std::min<uint64_t>(n, scratch.size()), -1);
      if (!r.ok()) return r.status();
      if (r->eof) return Status::Error(name_ + ": input is shorter than its checkpoint");
      n -= r->bytes;
    }
    return Status::Ok();
  }

  const std::string& name() const override { return name_; }
  uint64_t raw_consumed() const override { return raw_consumed_; }
  std::optional<uint64_t> raw_size() const override { return size_; }
  bool compressed() const override { return codec_ != Codec::kNone; }

 private:
  Status Errno(const char* what) const {
    return Status::Error(std::string(what) + " " + name_ + ": " + std::strerror(errno));
  }

  Result<ReadResult> ReadRaw(char* buf, size_t cap, int timeout_ms) {
    if (pollable_ && timeout_ms >= 0) {
      pollfd p{fd_, POLLIN, 0};
      const int pr = poll(&p, 1, timeout_ms);
      if (pr == 0) return ReadResult{0, false};
      if (pr < 0 && errno != EINTR) return Errno("waiting for");
      if (pr < 0) return ReadResult{0, false};
    }
    for (;;) {
      const ssize_t n = read(fd_, buf, cap);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Errno("reading");
      raw_consumed_ += static_cast<uint64_t>(n);
      return ReadResult{static_cast<size_t>(n), n == 0};
    }
  }

  Result<size_t> Decompress(char* out, size_t cap) {
    if (codec_ == Codec::kGzip) {
      if (frame_done_) {
        // A new gzip member follows (concatenated .gz files are valid gzip).
        if (inflateReset(&zs_) != Z_OK) return Status::Error(name_ + ": gzip reset failed");
        frame_done_ = false;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      zs_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(out);
      zs_.avail_out = static_cast<uInt>(cap);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_len_ - zs_.avail_in;
      if (rc == Z_STREAM_END) {
        frame_done_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Error(name_ + ": corrupt gzip data (" + (zs_.msg ? zs_.msg : "inflate failed") + ")");
      }
      return cap - zs_.avail_out;
    }
    ZSTD_inBuffer in{in_.data() + in_pos_, in_len_ - in_pos_, 0};
    ZSTD_outBuffer o{out, cap, 0};
    const size_t rc = ZSTD_decompressStream(zstd_, &o, &in);
    if (ZSTD_isError(rc)) return Status::Error(name_ + ": corrupt zstd data (" + ZSTD_getErrorName(rc) + ")");
    in_pos_ += in.pos;
    frame_done_ = rc == 0;
    return o.pos;
  }

  int fd_;
  bool owns_fd_;
  std::string name_;
  std::optional<uint64_t> size_;
  bool pollable_;
  Codec codec_ = Codec::kNone;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_len_ = 0;
  bool raw_eof_ = false;
  bool frame_done_ = true;  // between frames: end of input here is clean
  uint64_t raw_consumed_ = 0;
  z_stream zs_{};
  ZSTD_DStream* zstd_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<Source>> OpenFileSource(const std::string& path) {
  const bool is_stdin = path == "-";
  const int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error("cannot open input " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    if (!is_stdin) close(fd);
    return Status::Error("cannot stat input " + path + ": " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) close(fd);
    return Status::Error("input " + path + " is a directory; pass the files inside it");
  }
  const bool regular = S_ISREG(st.st_mode);
  auto src = std::make_unique<FileSource>(fd, !is_stdin, path,
                                          regular ? std::optional<uint64_t>(st.st_size) : std::nullopt, !regular);
  if (regular) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (Status s = src->Init(); !s.ok()) return s;
  return std::unique_ptr<Source>(std::move(src));
}

}  // namespace eventlake
