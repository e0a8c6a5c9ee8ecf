#include "sources/prefix_source.h"

#include <algorithm>
#include <cstring>

namespace eventlake {
namespace {

class PrefixSource final : public Source {
 public:
  PrefixSource(std::string prefix, std::unique_ptr<Source> rest) : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  Result<ReadResult> Read(char* buf, size_t cap, int timeout_ms) override {
    if (pos_ < prefix_.size()) {
      const size_t n = std::min(cap, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, n);
      pos_ += n;
      return ReadResult{n, false};
    }
    return rest_->Read(buf, cap, timeout_ms);
  }
  Status Skip(uint64_t n) override {
    const uint64_t from_prefix = std::min<uint64_t>(n, prefix_.size() - pos_);
    pos_ += from_prefix;
    return n > from_prefix ? rest_->Skip(n - from_prefix) : Status::Ok();
  }
  const std::string& name() const override { return rest_->name(); }
  uint64_t raw_consumed() const override { return rest_->raw_consumed(); }
  std::optional<uint64_t> raw_size() const override { return rest_->raw_size(); }
  bool compressed() const override { return rest_->compressed(); }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<Source> rest_;
};

}  // namespace

std::unique_ptr<Source> MakePrefixSource(std::string prefix, std::unique_ptr<Source> rest) {
  return std::make_unique<PrefixSource>(std::move(prefix), std::move(rest));
}

Result<std::string> ReadFirstLine(Source& source, size_t limit) {
  std::string out;
  char buf[65536];
  while (out.size() < limit) {
    auto r = source.Read(buf, std::min(sizeof(buf), limit - out.size()), -1);
    if (!r.ok()) return r.status();
    out.append(buf, r->bytes);
    if (r->eof || std::memchr(buf, '\n', r->bytes) != nullptr) break;
  }
  return out;
}

}  // namespace eventlake
