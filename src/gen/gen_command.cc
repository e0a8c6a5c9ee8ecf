#include "gen/gen_command.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

namespace eventlake::gen {
namespace {

constexpr size_t kChunkBytes = 4 << 20;

struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != stdout) std::fclose(file);
  }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

int Fail(std::string_view message) {
  std::fprintf(stderr, "eventlake gen: %.*s\n", static_cast<int>(message.size()), message.data());
  return 2;
}

std::string SystemError(std::string_view what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

std::optional<std::string> ParseDurationFlag(std::string_view flag, const std::string& text, int64_t* out) {
  const auto value = ParseDuration(text);
  if (!value) {
    return std::string(flag) + ": expected seconds or a number with suffix s/m/h/d/w, got '" + text + "'";
  }
  *out = *value;
  return std::nullopt;
}

bool WriteAll(std::FILE* file, const std::string& bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
}

}  // namespace

void AddGenOptions(CLI::App& sub, GenOptions& o) {
  sub.add_option("--count", o.count, "Number of records (non-blank lines) to generate")->required();
  sub.add_option("--seed", o.seed, "Seed; same seed and options give byte-identical output")->capture_default_str();
  sub.add_option("--output", o.output, "NDJSON output file ('-' or absent: stdout)");
  sub.add_option("--expected", o.expected,
                 "Write the expected ingest outcome (counts, invalid reasons, "
                 "per-partition events and uuid hash) as JSON to this file");
  sub.add_option("--expected-uuids", o.expected_uuids,
                 "Write one line 'uuid<TAB>type<TAB>date' per written event, in input order");
  sub.add_option("--types", o.types, "Number of event types; 6 are built in, more are synthetic (type0006, ...)")
      ->capture_default_str();
  sub.add_option("--start", o.start, "Time of the first event: Unix seconds or YYYY-MM-DD (UTC)")
      ->capture_default_str();
  sub.add_option("--span", o.span, "Event time advances linearly over this span (seconds, or N with s/m/h/d/w)")
      ->capture_default_str();
  sub.add_option("--duplicate-rate", o.duplicate_rate,
                 "Fraction of records reusing the uuid of an earlier valid record")
      ->capture_default_str();
  sub.add_option("--far-duplicate-share", o.far_duplicate_share,
                 "Share of duplicates copying from anywhere in the past (the rest: from the "
                 "last 100 records)")
      ->capture_default_str();
  sub.add_option("--invalid-rate", o.invalid_rate,
                 "Fraction of invalid records, each with exactly one contract violation")
      ->capture_default_str();
  sub.add_option("--huge-rate", o.huge_rate, "Fraction of records larger than --max-record-size (record_too_large)")
      ->capture_default_str();
  sub.add_option("--max-record-size", o.max_record_size, "Ingest's record size limit in bytes (must match ingest)")
      ->capture_default_str();
  sub.add_option("--late-rate", o.late_rate, "Fraction of events whose created_at lies behind the stream time")
      ->capture_default_str();
  sub.add_option("--max-lateness", o.max_lateness, "Maximum lateness of late events (duration)")->capture_default_str();
  sub.add_option("--blank-rate", o.blank_rate, "Chance of a whitespace-only line before each record (extra to --count)")
      ->capture_default_str();
  sub.add_option("--window", o.window,
                 "Dedup window used for the expected outcome (must match ingest "
                 "--dedup-window; duration)")
      ->capture_default_str();
}

std::optional<std::string> MakeGenConfig(const GenOptions& o, GenConfig* config) {
  GenConfig c;
  c.count = o.count;
  c.seed = o.seed;
  c.types = o.types;
  const auto start = ParseStartTime(o.start);
  if (!start) return "--start: expected Unix seconds or YYYY-MM-DD, got '" + o.start + "'";
  c.start = *start;
  if (auto e = ParseDurationFlag("--span", o.span, &c.span)) return e;
  if (auto e = ParseDurationFlag("--max-lateness", o.max_lateness, &c.max_lateness)) return e;
  if (auto e = ParseDurationFlag("--window", o.window, &c.window)) return e;
  c.duplicate_rate = o.duplicate_rate;
  c.far_duplicate_share = o.far_duplicate_share;
  c.invalid_rate = o.invalid_rate;
  c.huge_rate = o.huge_rate;
  c.max_record_size = o.max_record_size;
  c.late_rate = o.late_rate;
  c.blank_rate = o.blank_rate;
  if (auto e = CheckGenConfig(c)) return e;
  const bool to_stdout = o.output.empty() || o.output == "-";
  if ((!o.expected.empty() && (o.expected == o.output || o.expected == "-")) ||
      (!o.expected_uuids.empty() &&
       (o.expected_uuids == o.output || o.expected_uuids == o.expected || o.expected_uuids == "-")) ||
      (to_stdout && (o.expected == "-" || o.expected_uuids == "-"))) {
    return std::string("--output, --expected and --expected-uuids must be different files");
  }
  *config = c;
  return std::nullopt;
}

int RunGen(const GenOptions& o) {
  GenConfig config;
  if (auto error = MakeGenConfig(o, &config)) return Fail(*error);

  const auto open = [](const std::string& path) { return File(std::fopen(path.c_str(), "wb")); };
  File output(o.output.empty() || o.output == "-" ? stdout : std::fopen(o.output.c_str(), "wb"));
  if (!output) return Fail(SystemError("cannot open", o.output));
  File expected, expected_uuids;
  if (!o.expected.empty() && !(expected = open(o.expected))) {
    return Fail(SystemError("cannot open", o.expected));
  }
  if (!o.expected_uuids.empty() && !(expected_uuids = open(o.expected_uuids))) {
    return Fail(SystemError("cannot open", o.expected_uuids));
  }

  Generator generator(config);
  std::string lines, uuids;
  lines.reserve(kChunkBytes + (config.huge_rate > 0 ? config.max_record_size * 2 : 1 << 16));
  std::string* uuids_sink = expected_uuids ? &uuids : nullptr;
  const std::string output_name = output.get() == stdout ? "stdout" : o.output;
  while (!generator.done()) {
    lines.clear();
    uuids.clear();
    generator.Generate(lines, uuids_sink, kChunkBytes);
    if (!WriteAll(output.get(), lines)) return Fail(SystemError("cannot write", output_name));
    if (uuids_sink && !WriteAll(expected_uuids.get(), uuids)) {
      return Fail(SystemError("cannot write", o.expected_uuids));
    }
  }
  if (std::fflush(output.get()) != 0) return Fail(SystemError("cannot write", output_name));
  if (expected && (!WriteAll(expected.get(), generator.outcome().ToJson()) || std::fclose(expected.release()) != 0)) {
    return Fail(SystemError("cannot write", o.expected));
  }
  if (expected_uuids && std::fclose(expected_uuids.release()) != 0) {
    return Fail(SystemError("cannot write", o.expected_uuids));
  }
  if (output.get() != stdout && std::fclose(output.release()) != 0) {
    return Fail(SystemError("cannot write", output_name));
  }
  return 0;
}

}  // namespace eventlake::gen
