#include "encode/jsonl/jsonl_encoder.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <vector>

#include "core/json_write.h"

namespace eventlake {

namespace {
constexpr size_t kFirstChunk = 16 << 10;
constexpr size_t kChunk = 1 << 20;
}  // namespace

std::string& JsonlEncoder::Tail() {
  if (chunks_.empty() || chunks_.back().size() >= chunk_target_) {
    // Chunks start small and double up to 1 MiB: with thousands of partitions each
    // buffer holds what it has, not a megabyte (which the budget would flush at once).
    chunk_target_ = chunks_.empty() ? kFirstChunk : std::min(kChunk, chunk_target_ * 2);
    chunks_.emplace_back();
    chunks_.back().reserve(chunk_target_ + 4096);
  }
  return chunks_.back();
}

size_t JsonlEncoder::buffered_bytes() const {
  size_t n = 0;
  for (const auto& c : chunks_) n += c.capacity();
  return n;
}

bool JsonlEncoder::Add(const EventFields& f, const Derived& d) {
  std::string& buf = Tail();
  // f.object is a trimmed, validated object: drop its '}' (and the space before it).
  std::string_view obj = f.object.substr(0, f.object.size() - 1);
  while (!obj.empty() && (obj.back() == ' ' || obj.back() == '\t' || obj.back() == '\r' || obj.back() == '\n'))
    obj.remove_suffix(1);
  buf.append(obj);
  buf.append(",\"event_type\":");
  AppendJsonString(buf, f.type);
  buf.append(",\"event_subtype\":");
  AppendJsonString(buf, f.subtype);
  buf.append(",\"created_datetime\":\"");
  buf.append(d.datetime_view());
  buf.append("\"}\n");
  return true;
}

void JsonlEncoder::AddLine(std::string_view line) {
  std::string& buf = Tail();
  buf.append(line);
  buf.push_back('\n');
}

std::string_view JsonlEncoder::extension() const {
  switch (compression_) {
    case Compression::kGzip:
      return ".jsonl.gz";
    case Compression::kZstd:
      return ".jsonl.zst";
    default:
      return ".jsonl";
  }
}

Status JsonlEncoder::Finish(ByteSink& sink) {
  Status s = WriteCompressed(chunks_, compression_, sink);
  std::vector<std::string>().swap(chunks_);
  return s;
}

Status WriteCompressed(const std::vector<std::string>& parts, Compression compression, ByteSink& sink) {
  if (compression == Compression::kNone) {
    for (const auto& p : parts) EL_RETURN_IF_ERROR(sink.Write(p));
    return Status::Ok();
  }
  std::vector<char> out(1 << 20);
  if (compression == Compression::kZstd) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    if (cctx == nullptr) return Status::Error("zstd: out of memory");
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    size_t total = 0;
    for (const auto& p : parts) total += p.size();
    ZSTD_CCtx_setPledgedSrcSize(cctx, total);
    Status st;
    for (size_t k = 0; k <= parts.size() && st.ok(); ++k) {
      const bool last = k == parts.size();
      ZSTD_inBuffer in{last ? nullptr : parts[k].data(), last ? 0 : parts[k].size(), 0};
      for (;;) {
        ZSTD_outBuffer o{out.data(), out.size(), 0};
        const size_t rc = ZSTD_compressStream2(cctx, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(rc)) {
          st = Status::Error(std::string("zstd: ") + ZSTD_getErrorName(rc));
          break;
        }
        st = sink.Write({out.data(), o.pos});
        if (!st.ok()) break;
        if (last ? rc == 0 : in.pos == in.size) break;
      }
    }
    ZSTD_freeCCtx(cctx);
    return st;
  }
  if (compression != Compression::kGzip) return Status::Error("JSON lines support none, gzip or zstd compression");
  z_stream zs{};
  // windowBits 15+16: gzip wrapper; mtime 0 in the header keeps output deterministic.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Error("gzip: init failed");
  Status st;
  for (size_t k = 0; k <= parts.size() && st.ok(); ++k) {
    const bool last = k == parts.size();
    zs.next_in = last ? nullptr : reinterpret_cast<Bytef*>(const_cast<char*>(parts[k].data()));
    zs.avail_in = last ? 0 : static_cast<uInt>(parts[k].size());
    for (;;) {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      const int rc = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        st = Status::Error("gzip: deflate failed");
        break;
      }
      st = sink.Write({out.data(), out.size() - zs.avail_out});
      if (!st.ok()) break;
      if (last ? rc == Z_STREAM_END : (zs.avail_in == 0 && zs.avail_out != 0)) break;
    }
  }
  deflateEnd(&zs);
  return st;
}

}  // namespace eventlake
