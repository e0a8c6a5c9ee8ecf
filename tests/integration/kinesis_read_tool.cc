// Reads a whole Kinesis stream with sources/kinesis (StreamReader) until it is caught up,
// for the integration test and the throughput measurement against the AWS test bed.
// Endpoint and credentials come from the environment (AWS_ENDPOINT_URL_KINESIS, ...).
//
//   kinesis_read_tool --stream NAME [--start trim_horizon|latest|at_timestamp:SECS] [--limit N]
//                     [--events FILE] [--max-seconds S]
//
// --events writes one JSON line per event in hand-out order:
//   {"shard":..,"seq":..,"line":N,"arrival":T,"data":"<base64 of the event bytes>"}
// The last line of stdout is a JSON summary (records, events, timings, counters).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "core/json_write.h"
#include "sources/kinesis/record_events.h"
#include "sources/kinesis/stream_reader.h"

using namespace eventlake;
using namespace eventlake::kinesis;

namespace {

int Usage(const char* why) {
  std::fprintf(stderr, "kinesis_read_tool: %s\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ShardReaderOptions options;
  StartPosition start = StartPosition::TrimHorizon();
  std::string events_path;
  double max_seconds = 120;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--stream") {
      options.stream = next();
    } else if (arg == "--limit") {
      options.limit = std::stoi(next());
    } else if (arg == "--events") {
      events_path = next();
    } else if (arg == "--max-seconds") {
      max_seconds = std::stod(next());
    } else if (arg == "--start") {
      const std::string v = next();
      if (v == "trim_horizon") {
        start = StartPosition::TrimHorizon();
      } else if (v == "latest") {
        start = StartPosition::Latest();
      } else if (v.rfind("at_timestamp:", 0) == 0) {
        start = StartPosition::AtTimestamp(std::stod(v.substr(13)));
      } else {
        return Usage("--start: trim_horizon, latest or at_timestamp:SECS");
      }
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
  }
  if (options.stream.empty()) return Usage("--stream is required");
  auto config = aws::LoadAwsConfig(aws::ProcessEnv());
  if (!config.ok()) return Usage(config.status().message().c_str());

  aws::HttpClientOptions client_options;
  client_options.retry.base = std::chrono::milliseconds(10);
  aws::HttpClient client(config.value(), client_options);
  const auto t0 = std::chrono::steady_clock::now();
  auto reader = StreamReader::Open(client, config.value(), options, start);
  if (!reader.ok()) {
    std::fprintf(stderr, "kinesis_read_tool: %s\n", reader.status().message().c_str());
    return 1;
  }
  std::ofstream events;
  if (!events_path.empty()) events.open(events_path);
  uint64_t records = 0, event_count = 0, errors = 0, rounds = 0;
  auto last_record = t0;
  std::string line;
  while (!(*reader)->CaughtUp()) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (elapsed > max_seconds) {
      std::fprintf(stderr, "kinesis_read_tool: not caught up after %.0f s\n", max_seconds);
      return 1;
    }
    const auto wait = (*reader)->NextReadIn();
    if (wait > std::chrono::milliseconds(0)) {
      std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(50)));
      continue;
    }
    ReadBatch batch = (*reader)->Poll();
    ++rounds;
    if (!batch.status.ok()) {
      ++errors;
      std::fprintf(stderr, "kinesis_read_tool: %s (retried next round)\n", batch.status.message().c_str());
    }
    for (const ShardBatch& s : batch.shards) {
      records += s.records.size();
      if (!s.records.empty()) last_record = std::chrono::steady_clock::now();
      for (const KinesisRecord& r : s.records) {
        for (const EventSlice& e : SplitRecordEvents(r.data)) {
          ++event_count;
          if (!events.is_open()) continue;
          line.clear();
          line += "{\"shard\":";
          AppendJsonString(line, s.shard_id);
          line += ",\"seq\":";
          AppendJsonString(line, r.sequence_number);
          line += ",\"line\":" + std::to_string(e.line_index);
          char arrival[48];
          std::snprintf(arrival, sizeof arrival, ",\"arrival\":%.3f", r.approximate_arrival);
          line += arrival;
          line += ",\"data\":\"";
          AppendBase64(line, e.bytes);
          line += "\"}\n";
          events << line;
        }
      }
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  uint64_t expired = 0, iterators = 0, calls = 0, retries = 0;
  for (const ShardProgress& p : (*reader)->Progress()) {
    expired += p.expired_iterators;
    iterators += p.iterator_requests;
    calls += p.get_records_calls;
    retries += p.retries;
  }
  const double total_s = std::chrono::duration<double>(t1 - t0).count();
  const double read_s = std::chrono::duration<double>(last_record - t0).count();
  std::printf(
      "{\"records\":%llu,\"events\":%llu,\"seconds\":%.3f,\"seconds_to_last_record\":%.3f,"
      "\"records_per_s\":%.1f,\"rounds\":%llu,\"errors\":%llu,\"get_records\":%llu,\"iterator_requests\":%llu,"
      "\"expired_iterators\":%llu,\"retries\":%llu,\"shard_list_refreshes\":%llu,\"peak_in_flight\":%zu,"
      "\"shards\":%zu,\"finished_shards\":%zu}\n",
      static_cast<unsigned long long>(records), static_cast<unsigned long long>(event_count), total_s, read_s,
      read_s > 0 ? records / read_s : 0.0, static_cast<unsigned long long>(rounds),
      static_cast<unsigned long long>(errors), static_cast<unsigned long long>(calls),
      static_cast<unsigned long long>(iterators), static_cast<unsigned long long>(expired),
      static_cast<unsigned long long>(retries), static_cast<unsigned long long>((*reader)->shard_list_refreshes()),
      client.stats().peak_in_flight, (*reader)->graph().shards().size(), (*reader)->finished().size());
  return errors == 0 ? 0 : 3;
}
