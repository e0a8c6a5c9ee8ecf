#include "encode/jsonl/jsonl_encoder.h"

#include <zlib.h>
#include <zstd.h>

#include <vector>

#include "core/json_write.h"

namespace eventlake {

bool JsonlEncoder::Add(const EventFields& f, const Derived& d) {
  // f.object is a trimmed, validated object: drop its '}' (and the space before it).
  std::string_view obj = f.object.substr(0, f.object.size() - 1);
  while (!obj.empty() && (obj.back() == ' ' || obj.back() == '\t' || obj.back() == '\r' || obj.back() == '\n'))
    obj.remove_suffix(1);
  buf_.append(obj);
  buf_.append(",\"event_type\":");
  AppendJsonString(buf_, f.type);
  buf_.append(",\"event_subtype\":");
  AppendJsonString(buf_, f.subtype);
  buf_.append(",\"created_datetime\":\"");
  buf_.append(d.datetime_view());
  buf_.append("\"}\n");
  return true;
}

void JsonlEncoder::AddLine(std::string_view line) {
  buf_.append(line);
  buf_.push_back('\n');
}

std::string_view JsonlEncoder::extension() const {
  switch (compression_) {
    case Compression::kGzip: return ".jsonl.gz";
    case Compression::kZstd: return ".jsonl.zst";
    default: return ".jsonl";
  }
}

Status JsonlEncoder::Finish(ByteSink& sink) {
  Status s = WriteCompressed(buf_, compression_, sink);
  std::string().swap(buf_);
  return s;
}

Status WriteCompressed(std::string_view data, Compression compression, ByteSink& sink) {
  if (compression == Compression::kNone) return sink.Write(data);
  std::vector<char> out(1 << 20);
  if (compression == Compression::kZstd) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    if (cctx == nullptr) return Status::Error("zstd: out of memory");
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setPledgedSrcSize(cctx, data.size());
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    Status st;
    for (;;) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      const size_t rc = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
      if (ZSTD_isError(rc)) {
        st = Status::Error(std::string("zstd: ") + ZSTD_getErrorName(rc));
        break;
      }
      st = sink.Write({out.data(), o.pos});
      if (!st.ok() || rc == 0) break;
    }
    ZSTD_freeCCtx(cctx);
    return st;
  }
  z_stream zs{};
  // windowBits 15+16: gzip wrapper; mtime 0 in the header keeps output deterministic.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Error("gzip: init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  Status st;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    rc = deflate(&zs, Z_FINISH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      st = Status::Error("gzip: deflate failed");
      break;
    }
    st = sink.Write({out.data(), out.size() - zs.avail_out});
    if (!st.ok()) break;
  }
  deflateEnd(&zs);
  return st;
}

}  // namespace eventlake
