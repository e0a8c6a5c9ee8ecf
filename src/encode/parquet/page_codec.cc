#include "encode/parquet/page_codec.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace eventlake::parquet {

namespace {

constexpr int kZstdLevel = 3;

struct ZstdCCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

Status Gzip(std::string_view in, std::string& out) {
  z_stream zs{};
  // windowBits 15+16: a gzip member; zlib writes mtime 0, so the bytes are reproducible.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::Error("gzip: init failed");
  const size_t start = out.size();
  out.resize(start + deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data() + start);
  zs.avail_out = static_cast<uInt>(out.size() - start);
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? Status::Ok() : Status::Error("gzip: deflate failed");
}

Status Gunzip(std::string_view in, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::Error("gzip: init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  // One spare byte tells "exactly the promised size" from "more than promised".
  const size_t want = out.size();
  out.resize(want + 1);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && zs.avail_out == 1;
  inflateEnd(&zs);
  out.resize(want);
  return ok ? Status::Ok() : Status::Error("gzip: corrupt page or wrong uncompressed size");
}

}  // namespace

Codec CodecFor(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return Codec::kGzip;
    case Compression::kZstd:
      return Codec::kZstd;
    case Compression::kSnappy:
      return Codec::kSnappy;
    default:
      return Codec::kUncompressed;
  }
}

const char* CodecName(Codec codec) {
  switch (codec) {
    case Codec::kUncompressed:
      return "UNCOMPRESSED";
    case Codec::kSnappy:
      return "SNAPPY";
    case Codec::kGzip:
      return "GZIP";
    case Codec::kZstd:
      return "ZSTD";
  }
  return "UNKNOWN";
}

Status CompressPage(Codec codec, std::string_view in, std::string& out) {
  switch (codec) {
    case Codec::kUncompressed:
      out.append(in);
      return Status::Ok();
    case Codec::kGzip:
      return Gzip(in, out);
    case Codec::kSnappy: {
      const size_t start = out.size();
      out.resize(start + snappy::MaxCompressedLength(in.size()));
      size_t n = 0;
      snappy::RawCompress(in.data(), in.size(), out.data() + start, &n);
      out.resize(start + n);
      return Status::Ok();
    }
    case Codec::kZstd: {
      // One context per thread: creating one per page would dominate small pages.
      static thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxFree> cctx(ZSTD_createCCtx());
      if (cctx == nullptr) return Status::Error("zstd: out of memory");
      const size_t start = out.size();
      out.resize(start + ZSTD_compressBound(in.size()));
      const size_t n =
          ZSTD_compressCCtx(cctx.get(), out.data() + start, out.size() - start, in.data(), in.size(), kZstdLevel);
      if (ZSTD_isError(n)) {
        out.resize(start);
        return Status::Error(std::string("zstd: ") + ZSTD_getErrorName(n));
      }
      out.resize(start + n);
      return Status::Ok();
    }
  }
  return Status::Error("unknown codec");
}

Status DecompressPage(Codec codec, std::string_view in, size_t uncompressed_size, std::string& out) {
  out.clear();
  switch (codec) {
    case Codec::kUncompressed:
      if (in.size() != uncompressed_size) return Status::Error("uncompressed page: size does not match its header");
      out.assign(in);
      return Status::Ok();
    case Codec::kGzip:
      // Deflate expands at most ~1032:1; a larger promise is a corrupt header.
      if (uncompressed_size > in.size() * 1032 + 64) return Status::Error("gzip: implausible page size");
      out.resize(uncompressed_size);
      return Gunzip(in, out);
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != uncompressed_size)
        return Status::Error("snappy: corrupt page or wrong uncompressed size");
      out.resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out.data())) return Status::Error("snappy: corrupt page");
      return Status::Ok();
    }
    case Codec::kZstd: {
      const unsigned long long n = ZSTD_getFrameContentSize(in.data(), in.size());
      if (n == ZSTD_CONTENTSIZE_ERROR) return Status::Error("zstd: corrupt page");
      if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != uncompressed_size)
        return Status::Error("zstd: page size does not match its header");
      if (n == ZSTD_CONTENTSIZE_UNKNOWN && uncompressed_size > in.size() * 32768ULL + 65536)
        return Status::Error("zstd: implausible page size");
      out.resize(uncompressed_size);
      const size_t got = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(got)) return Status::Error(std::string("zstd: ") + ZSTD_getErrorName(got));
      if (got != uncompressed_size) return Status::Error("zstd: page size does not match its header");
      return Status::Ok();
    }
  }
  return Status::Error("unsupported compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace eventlake::parquet
