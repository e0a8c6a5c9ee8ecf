#include "bench/micro/fixture.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "decode/framer.h"
#include "decode/validate.h"
#include "dedup/deduplicator.h"
#include "dedup/memory/memory_dedup_store.h"
#include "gen/gen_command.h"

namespace eventlake::bench {
namespace {

constexpr uint64_t kDefaultRecords = 200000;
constexpr uint64_t kSeed = 42;
constexpr size_t kDedupBatch = 4096;
constexpr int64_t kWindowSeconds = 7 * 24 * 3600;  // ingest's and gen's default --dedup-window

uint64_t RecordCount() {
  const char* env = std::getenv("EVENTLAKE_BENCH_RECORDS");
  if (env == nullptr || *env == '\0') return kDefaultRecords;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(env, &end, 10);
  BenchCheck(end != nullptr && *end == '\0' && n > 0, "EVENTLAKE_BENCH_RECORDS wants a positive number");
  return n;
}

uint32_t Keep(std::string& arena, std::string_view s) {
  const auto pos = static_cast<uint32_t>(arena.size());
  arena.append(s);
  return pos;
}

std::string Count(uint64_t got, uint64_t want) {
  return "got " + std::to_string(got) + ", the generator expects " + std::to_string(want);
}

// The same records as `eventlake gen --count N --seed 42`.
void Generate(Fixture& f, uint64_t records) {
  gen::GenOptions options;
  options.count = records;
  options.seed = kSeed;
  gen::GenConfig config;
  if (auto error = gen::MakeGenConfig(options, &config)) BenchCheck(false, "gen config: " + *error);
  f.expected = gen::GenerateAll(config, f.text);
  f.ndjson_bytes = f.text.size();
  f.text.append(Framer::kPadding, '\0');
  BenchCheck(f.expected.blank_lines == 0, "the benchmark input has no blank lines");
  const std::string_view all(f.text.data(), f.ndjson_bytes);
  for (size_t pos = 0; pos < all.size();) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    f.lines.push_back(all.substr(pos, nl - pos));
    f.offsets.push_back(pos);
    pos = nl + 1;
  }
  BenchCheck(f.lines.size() == f.expected.records, "lines: " + Count(f.lines.size(), f.expected.records));
}

void ValidateAndDerive(Fixture& f) {
  Validator validator(ValidateOptions{});
  Verdict verdict;
  for (size_t i = 0; i < f.lines.size(); ++i) {
    validator.Check(f.lines[i], verdict);
    if (!verdict.ok) continue;
    const EventFields& v = verdict.fields;
    ValidEvent e;
    e.line = static_cast<uint32_t>(i);
    e.uuid_pos = Keep(f.arena, v.uuid);
    e.uuid_len = static_cast<uint16_t>(v.uuid.size());
    e.type_pos = Keep(f.arena, v.type);
    e.type_len = static_cast<uint16_t>(v.type.size());
    e.sub_pos = Keep(f.arena, v.subtype);
    e.sub_len = static_cast<uint16_t>(v.subtype.size());
    e.frac_pos = Keep(f.arena, v.fraction);
    e.frac_len = static_cast<uint16_t>(v.fraction.size());
    e.obj_off = static_cast<uint32_t>(v.object.data() - f.lines[i].data());
    e.obj_len = static_cast<uint32_t>(v.object.size());
    BenchCheck(e.obj_off + e.obj_len <= f.lines[i].size(), "the validated object lies in its line");
    e.seconds = v.seconds;
    Derive(v, e.derived);
    f.valid.push_back(e);
  }
  const uint64_t invalid = f.lines.size() - f.valid.size();
  BenchCheck(invalid == f.expected.invalid, "invalid records: " + Count(invalid, f.expected.invalid));
}

// First occurrence wins, decided by the real Deduplicator (memory store, nothing committed).
void Dedup(Fixture& f) {
  auto store = MakeMemoryDedupStore();
  Deduplicator dedup(*store, kWindowSeconds, 0);
  std::vector<DedupInput> in;
  std::vector<Decision> out(kDedupBatch);
  std::vector<Claim> claims(kDedupBatch);
  for (size_t start = 0; start < f.valid.size(); start += kDedupBatch) {
    const size_t n = std::min(kDedupBatch, f.valid.size() - start);
    in.clear();
    for (size_t i = start; i < start + n; ++i) {
      const ValidEvent& e = f.valid[i];
      in.push_back({f.Fields(e).uuid, e.seconds, Token{1, f.offsets[e.line]}});
    }
    BenchCheckOk(dedup.Decide(in, std::span(out).first(n), std::span(claims).first(n)), "dedup");
    for (size_t i = 0; i < n; ++i) {
      BenchCheck(out[i] != Decision::kAlreadyCommitted, "dedup: a fresh store has no committed claims");
      if (out[i] != Decision::kWrite) continue;
      f.valid[start + i].written = true;
      f.written.push_back(static_cast<uint32_t>(start + i));
      f.written_line_bytes += f.LineBytes(f.valid[start + i]);
    }
  }
  BenchCheck(f.written.size() == f.expected.written, "written events: " + Count(f.written.size(), f.expected.written));
}

}  // namespace

EventFields Fixture::Fields(const ValidEvent& e) const {
  const std::string_view a(arena);
  EventFields out;
  out.uuid = a.substr(e.uuid_pos, e.uuid_len);
  out.type = a.substr(e.type_pos, e.type_len);
  out.subtype = a.substr(e.sub_pos, e.sub_len);
  out.fraction = a.substr(e.frac_pos, e.frac_len);
  out.seconds = e.seconds;
  out.object = lines[e.line].substr(e.obj_off, e.obj_len);
  return out;
}

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto f = std::make_unique<Fixture>();
    const uint64_t records = RecordCount();
    Generate(*f, records);
    ValidateAndDerive(*f);
    Dedup(*f);
    std::fprintf(stderr,
                 "fixture: eventlake gen --count %llu --seed %llu: %zu bytes, %.0f bytes/line, %zu valid, %zu "
                 "written, %llu duplicates, %llu invalid\n",
                 static_cast<unsigned long long>(records), static_cast<unsigned long long>(kSeed), f->ndjson_bytes,
                 static_cast<double>(f->ndjson_bytes) / static_cast<double>(f->lines.size()), f->valid.size(),
                 f->written.size(), static_cast<unsigned long long>(f->expected.duplicates),
                 static_cast<unsigned long long>(f->expected.invalid));
    return f.release();  // lives for the whole process
  }();
  return *fixture;
}

void BenchCheck(bool ok, const std::string& message) {
  if (ok) return;
  std::fprintf(stderr, "eventlake_micro_bench: sanity check failed: %s\n", message.c_str());
  std::abort();
}

void BenchCheckOk(const Status& status, const std::string& what) {
  BenchCheck(status.ok(), what + ": " + status.message());
}

Result<ReadResult> MemorySource::Read(char* buf, size_t cap, int /*timeout_ms*/) {
  const size_t n = std::min(cap, bytes_.size() - pos_);
  std::memcpy(buf, bytes_.data() + pos_, n);
  pos_ += n;
  return ReadResult{n, pos_ == bytes_.size()};
}

Status MemorySource::Skip(uint64_t n) {
  pos_ += static_cast<size_t>(std::min<uint64_t>(n, bytes_.size() - pos_));
  return Status::Ok();
}

}  // namespace eventlake::bench
