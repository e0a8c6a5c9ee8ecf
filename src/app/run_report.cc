#include "app/run_report.h"

#include <fmt/format.h>

#include "core/json_write.h"

namespace eventlake {

void RunReport::AddFile(const std::string& partition, uint64_t events, uint64_t bytes) {
  PartitionTotals& t = partitions[partition];
  t.events += events;
  t.bytes += bytes;
  t.files += 1;
  file_bytes.Add(static_cast<double>(bytes));
  if (bytes < (1 << 20)) ++small_files;
}

void RunReport::AddCommitted(const Buffer& b, int64_t commit_us, int64_t commit_wall_us) {
  for (const auto& [recv, n] : b.receive_runs) latency_ms.Add(static_cast<double>(commit_us - recv) / 1000.0, n);
  // Lag at commit = lag at receive + time spent buffered (per buffer, from its first receive).
  if (b.lag_at_receive.count() > 0)
    lag_s.MergeShifted(b.lag_at_receive, static_cast<double>(commit_wall_us - b.first_receive_wall_us) / 1e6);
}

std::string RunReport::CheckText() const {
  std::string s = fmt::format("read {} {} written {} + duplicates {} + invalid {}", read,
                              Balanced() ? "==" : "!=", written, duplicates, invalid);
  if (already_committed > 0) s += fmt::format(" + already_committed {}", already_committed);
  return s;
}

std::string RunReport::ToJson() const {
  std::string j = "{";
  j += "\"lake\":";
  AppendJsonString(j, lake);
  j += ",\"inputs\":[";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i) j += ",";
    AppendJsonString(j, inputs[i]);
  }
  j += "]";
  j += fmt::format(",\"ok\":{}", ok ? "true" : "false");
  if (!ok) {
    j += ",\"error\":";
    AppendJsonString(j, error);
  }
  j += fmt::format(
      ",\"read\":{},\"written\":{},\"duplicates\":{},\"invalid\":{},\"already_committed\":{},\"blank_lines\":{}", read,
      written, duplicates, invalid, already_committed, blank_lines);
  j += ",\"check\":{\"balanced\":";
  j += Balanced() ? "true" : "false";
  j += ",\"text\":";
  AppendJsonString(j, CheckText());
  j += "}";
  j += fmt::format(",\"duplicate_rate\":{:.6f},\"invalid_rate\":{:.6f}",
                   read ? static_cast<double>(duplicates) / static_cast<double>(read) : 0.0,
                   read ? static_cast<double>(invalid) / static_cast<double>(read) : 0.0);
  j += ",\"invalid_by_reason\":{";
  bool first = true;
  for (int i = 0; i < kReasonCount; ++i) {
    if (invalid_by_reason[i] == 0) continue;
    j += fmt::format("{}\"{}\":{}", first ? "" : ",", ReasonName(static_cast<Reason>(i)), invalid_by_reason[i]);
    first = false;
  }
  j += "},\"partitions\":[";
  first = true;
  for (const auto& [key, t] : partitions) {
    j += first ? "{\"path\":" : ",{\"path\":";
    AppendJsonString(j, key);
    j += fmt::format(",\"events\":{},\"bytes\":{},\"files\":{}}}", t.events, t.bytes, t.files);
    first = false;
  }
  j += "]";
  auto hist = [&](const char* name, const Histogram& h, const char* unit) {
    j += fmt::format(
        ",\"{}\":{{\"unit\":\"{}\",\"count\":{},\"p50\":{:.3f},\"p90\":{:.3f},\"p99\":{:.3f},\"max\":{:.3f}}}", name,
        unit, h.count(), h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99), h.max());
  };
  hist("processing_latency", latency_ms, "ms");
  hist("event_time_lag", lag_s, "s");
  hist("file_size", file_bytes, "bytes");
  j += fmt::format(",\"small_files\":{}", small_files);
  j += fmt::format(",\"files_published\":{},\"epochs\":{},\"recovered_files\":{},\"http_retries\":{}",
                   file_bytes.count(), epochs, recovered_files, http_retries);
  j += fmt::format(",\"input_bytes\":{},\"resumed_bytes\":{}", input_bytes, resumed_bytes);
  if (aws.used) {
    j += fmt::format(
        ",\"aws\":{{\"retries\":{{\"kinesis\":{},\"dynamodb\":{},\"s3\":{}}},\"expired_iterators\":{},"
        "\"leases_taken\":{},\"leases_lost\":{},\"replayed_epochs\":{},\"shards_finished\":{},"
        "\"claims\":{{\"won\":{},\"won_expired\":{},\"won_own_token\":{},\"lost\":{}}},"
        "\"claim_requests\":{{\"put\":{},\"update\":{},\"get\":{}}}}}",
        aws.kinesis_retries, aws.dynamodb_retries, aws.s3_retries, aws.expired_iterators, aws.leases_taken,
        aws.leases_lost, aws.replayed_epochs, aws.shards_finished, aws.claims_won, aws.claims_won_expired,
        aws.claims_won_own_token, aws.claims_lost, aws.claim_puts, aws.claim_updates, aws.claim_gets);
  }
  j += fmt::format(",\"elapsed_s\":{:.3f},\"events_per_s\":{:.1f},\"mb_per_s\":{:.2f}", elapsed_s,
                   elapsed_s > 0 ? static_cast<double>(read) / elapsed_s : 0.0,
                   elapsed_s > 0 ? static_cast<double>(input_bytes) / 1e6 / elapsed_s : 0.0);
  j += "}\n";
  return j;
}

std::string RunReport::Summary() const {
  std::string s;
  s +=
      fmt::format("eventlake: {} records in {:.2f}s ({:.0f}/s): {} written, {} duplicates, {} invalid", read, elapsed_s,
                  elapsed_s > 0 ? static_cast<double>(read) / elapsed_s : 0.0, written, duplicates, invalid);
  if (already_committed) s += fmt::format(", {} already committed by an interrupted run", already_committed);
  if (blank_lines) s += fmt::format(", {} blank lines skipped", blank_lines);
  s += "\n";
  if (invalid) {
    s += "  invalid:";
    for (int i = 0; i < kReasonCount; ++i)
      if (invalid_by_reason[i]) s += fmt::format(" {} {}", ReasonName(static_cast<Reason>(i)), invalid_by_reason[i]);
    s += " (see _errors/)\n";
  }
  uint64_t data_partitions = partitions.size() - (partitions.count("_errors") ? 1 : 0);
  s += fmt::format("  {} files in {} partitions; processing latency p50 {:.0f} ms, p99 {:.0f} ms\n", file_bytes.count(),
                   data_partitions, latency_ms.Quantile(0.5), latency_ms.Quantile(0.99));
  if (small_files > 10 && small_files * 2 > file_bytes.count())
    s += fmt::format(
        "  note: {} of {} files are under 1 MiB; a larger --flush-age or --flush-size makes fewer, larger files\n",
        small_files, file_bytes.count());
  if (aws.used)
    s += fmt::format(
        "  aws: {} leases taken, {} lost, {} epochs replayed; retries kinesis {} dynamodb {} s3 {}; {} expired "
        "iterators\n",
        aws.leases_taken, aws.leases_lost, aws.replayed_epochs, aws.kinesis_retries, aws.dynamodb_retries,
        aws.s3_retries, aws.expired_iterators);
  s += fmt::format("  check: {} {}\n", CheckText(), Balanced() ? "(ok)" : "(MISMATCH)");
  return s;
}

}  // namespace eventlake
