#include "app/cat_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/status.h"
#include "encode/parquet/parquet_reader.h"
#include "sources/file/file_source.h"

namespace eventlake {
namespace {

namespace fs = std::filesystem;

bool IsDataFile(const fs::path& p) {
  const std::string name = p.filename().string();
  auto ends = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".parquet") || ends(".jsonl") || ends(".jsonl.gz") || ends(".jsonl.zst");
}

Status CatJsonLines(const std::string& path) {
  auto src = OpenFileSource(path);
  if (!src.ok()) return src.status();
  std::vector<char> buf(1 << 20);
  for (;;) {
    auto r = (*src)->Read(buf.data(), buf.size(), -1);
    if (!r.ok()) return r.status();
    if (r->eof) return Status::Ok();
    if (std::fwrite(buf.data(), 1, r->bytes, stdout) != r->bytes) return Status::Error("cannot write to stdout");
  }
}

Status CatFile(const fs::path& p) {
  if (p.extension() == ".parquet") return CatParquet(p.string(), stdout);
  return CatJsonLines(p.string());
}

Status CatPath(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Status::Error("cannot read " + path + ": no such file or directory");
  if (!fs::is_directory(st)) return CatFile(path);
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == "_eventlake" || name == "_errors")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && IsDataFile(it->path())) files.push_back(it->path());
  }
  if (ec) return Status::Error("cannot list " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) EL_RETURN_IF_ERROR(CatFile(f).Context(f.string()));
  return Status::Ok();
}

}  // namespace

int RunCat(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    if (Status s = CatPath(p); !s.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "eventlake cat: %s\n", s.message().c_str());
      return 1;
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int RunSchema(const std::string& path) {
  auto d = DescribeParquet(path);
  if (!d.ok()) {
    std::fprintf(stderr, "eventlake schema: %s\n", d.status().message().c_str());
    return 1;
  }
  std::fputs(d->c_str(), stdout);
  return 0;
}

}  // namespace eventlake
