#include "app/claim_round.h"

#include <algorithm>

#include "core/sync_point.h"
#include "core/time_util.h"
#include "decode/framer.h"
#include "sources/kinesis/record_events.h"

namespace eventlake {

ClaimRound::ClaimRound(const IngestOptions& options, dynamodb::DynamoDbClaimStore& claims)
    : o_(options), claims_(claims), validator_(ValidateOptions{options.min_created, options.max_created}) {}

Status ClaimRound::Run(kinesis::ReadBatch& round, const std::function<ShardWork*(const std::string&)>& shard_of) {
  const int64_t now_us = MonoMicros();
  const int64_t wall_s = WallMicros() / 1000000;
  pending_.clear();
  for (kinesis::ShardBatch& sb : round.shards) {
    ShardWork* held = shard_of(sb.shard_id);
    if (held == nullptr) continue;
    ShardWork& w = *held;
    for (kinesis::KinesisRecord& rec : sb.records) {
      const size_t n = rec.data.size();
      rec.data.append(Framer::kPadding, '\0');  // simdjson reads past the end
      const std::string_view data(rec.data.data(), n);
      for (const kinesis::EventSlice& e : kinesis::SplitRecordEvents(data)) {
        ++w.counts.read;
        w.counts.input_bytes += e.bytes.size() + 1;
        if (e.bytes.size() > o_.max_record_bytes) {
          w.DeadLetter(Reason::kRecordTooLarge,
                       "the event is " + std::to_string(e.bytes.size()) + " bytes; the limit is " +
                           std::to_string(o_.max_record_bytes) + " (--max-record-size)",
                       rec.sequence_number, e.line_index, e.bytes.substr(0, o_.max_record_bytes), e.bytes.size());
          continue;
        }
        Verdict v;
        validator_.Check(e.bytes, v);
        if (!v.ok) {
          w.DeadLetter(v.reason, v.detail, rec.sequence_number, e.line_index, e.bytes, e.bytes.size());
          continue;
        }
        PendingEvent& p = pending_.emplace_back();
        p.shard = &w;
        p.uuid.assign(v.fields.uuid);
        p.type.assign(v.fields.type);
        p.subtype.assign(v.fields.subtype);
        p.seconds = v.fields.seconds;
        p.object = v.fields.object;
        Derive(v.fields, p.derived);
        p.token = kinesis::SourceToken(sb.shard_id, rec.sequence_number, e.line_index);
        w.watermark = std::max(w.watermark, p.seconds);
        p.watermark = w.watermark;
        p.expires_at = w.watermark + o_.window_seconds;
      }
      w.TakeRecord(rec.sequence_number, now_us);
    }
    if (sb.shard_ended) w.ended = true;
  }
  if (pending_.empty()) return Status::Ok();
  // Every claim of the round at once, pipelined; same uuid twice resolved in input order.
  requests_.clear();
  for (const PendingEvent& p : pending_) requests_.push_back({p.uuid, p.token, p.expires_at, p.watermark});
  outcomes_.assign(requests_.size(), dynamodb::ClaimOutcome::kLost);
  EL_RETURN_IF_ERROR(claims_.Claim(requests_, outcomes_).Context("claiming uuids in " + o_.dedup));
  SyncPoint("stream:claimed");
  for (size_t i = 0; i < pending_.size(); ++i) {
    const PendingEvent& p = pending_[i];
    if (!dynamodb::Won(outcomes_[i])) {
      ++p.shard->counts.duplicates;
      continue;
    }
    EventFields f;
    f.uuid = p.uuid;
    f.type = p.type;
    f.subtype = p.subtype;
    f.seconds = p.seconds;
    const std::string_view dt = p.derived.datetime_view();
    f.fraction = dt.size() > 21 ? dt.substr(20, dt.size() - 21) : std::string_view();
    f.object = p.object;
    p.shard->Write(f, p.derived, now_us, wall_s);
  }
  return Status::Ok();
}

}  // namespace eventlake
