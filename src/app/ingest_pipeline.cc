#include "app/ingest_pipeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "core/hash.h"
#include "core/json_write.h"
#include "core/sync_point.h"
#include "core/time_util.h"
#include "decode/dead_letter.h"
#include "partition/partition_key.h"
#include "sources/file/file_source.h"
#include "sources/prefix_source.h"
#include "transform/derive.h"

namespace eventlake {

namespace {
constexpr uint64_t kTailBytes = 4096;
constexpr char kErrorsKey[] = "_errors";
}  // namespace

IngestPipeline::IngestPipeline(const IngestOptions& options, StateDb& state, Deduplicator& dedup, Committer& committer,
                               RunReport& report, int64_t start_us)
    : o_(options),
      state_(state),
      dedup_(dedup),
      committer_(committer),
      report_(report),
      start_us_(start_us),
      buffers_(options.flush, EncoderFactoryFor(options)),
      epochs_(std::make_unique<EpochWorker>(committer, options.threads > 1)) {}

Status IngestPipeline::Run() {
  for (uint32_t i = 0; i < o_.inputs.size(); ++i) EL_RETURN_IF_ERROR(ProcessInput(i));
  EL_RETURN_IF_ERROR(MaybeFlush(true));
  EL_RETURN_IF_ERROR(FinishEpochs(epochs_->TakeDone(/*all=*/true)));
  if (o_.show_progress) std::fputs("\r\033[K", stderr);
  return Status::Ok();
}

uint64_t IngestPipeline::TailHash(const SourceState& s, uint64_t offset) const {
  if (!s.verifiable || offset == 0) return 0;
  const int fd = open(s.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[kTailBytes];
  const uint64_t len = std::min(offset, kTailBytes);
  const ssize_t n = pread(fd, buf, len, static_cast<off_t>(offset - len));
  close(fd);
  if (n != static_cast<ssize_t>(len)) return 0;
  return Fnv1a64({buf, static_cast<size_t>(len)}) | 1;  // never 0: 0 means "not verifiable"
}

Status IngestPipeline::ProcessInput(uint32_t index) {
  const std::string& path = o_.inputs[index];
  auto opened = OpenFileSource(path);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Source> raw = std::move(opened.value());
  auto first = ReadFirstLine(*raw, o_.max_record_bytes + 2);
  if (!first.ok()) return first.status();
  std::string_view first_line = *first;
  first_line = first_line.substr(0, first_line.find('\n'));

  SourceState s;
  s.path = path;
  s.id = Fnv1a64(first_line, Fnv1a64(path + '\0'));
  s.verifiable = path != "-" && raw->raw_size().has_value() && !raw->compressed();
  const bool resumable = path != "-" && raw->raw_size().has_value();
  std::unique_ptr<Source> source = MakePrefixSource(std::move(first.value()), std::move(raw));

  uint64_t start_offset = 0, start_line = 0;
  if (auto ckpt = state_.GetCheckpoint(s.id); ckpt && resumable) {
    const bool tail_ok =
        !s.verifiable || (*source->raw_size() >= ckpt->offset && TailHash(s, ckpt->offset) == ckpt->tail_hash);
    if (tail_ok) dedup_.RaiseWatermark(ckpt->watermark);
    if (tail_ok && ckpt->offset == 0) {
      s.dlq_upto = ckpt->dlq_upto;  // nothing to skip, but dead letters before this are committed
    } else if (tail_ok) {
      Status skip = source->Skip(ckpt->offset);
      if (!skip.ok()) return skip.Context("resuming " + path);
      start_offset = ckpt->offset;
      start_line = ckpt->line_no;
      s.dlq_upto = ckpt->dlq_upto;
      report_.resumed_bytes += ckpt->offset;
      if (!o_.quiet)
        std::fprintf(stderr, "eventlake: %s: resuming at line %llu (byte %llu) from the last commit\n", path.c_str(),
                     static_cast<unsigned long long>(start_line) + 1, static_cast<unsigned long long>(start_offset));
    } else if (!o_.quiet) {
      std::fprintf(stderr,
                   "eventlake: %s changed since its last checkpoint; reading it from the start (events already in the "
                   "lake are still dropped as duplicates)\n",
                   path.c_str());
    }
  }
  s.read_offset = start_offset;
  s.read_line = start_line;
  s.dlq_committed = s.dlq_upto;
  s.read_watermark = dedup_.watermark();
  sources_.push_back(s);

  Framer framer(*source, o_.read_bytes, o_.max_record_bytes, start_offset, start_line);
  BatchReader reader(framer, ValidateOptions{o_.min_created, o_.max_created}, o_.threads - 1);
  for (;;) {
    const int64_t now = MonoMicros();
    const int64_t deadline = buffers_.NextAgeDeadline();
    int timeout_ms = 1000;
    if (deadline != INT64_MAX) timeout_ms = static_cast<int>(std::clamp<int64_t>((deadline - now) / 1000 + 1, 0, 1000));
    CheckedBatch* checked = reader.Next(timeout_ms);
    if (checked == nullptr) {  // nothing arrived in time: only age-based flushes are due
      EL_RETURN_IF_ERROR(MaybeFlush(false));
      Progress(*source, false);
      continue;
    }
    if (!checked->status.ok()) return checked->status.Context("reading " + path);
    const bool eof = checked->batch.eof;
    Status processed = ProcessBatch(*checked, index);
    reader.Release(checked);
    EL_RETURN_IF_ERROR(processed);
    EL_RETURN_IF_ERROR(MaybeFlush(false));
    SyncPoint("batch:done");
    Progress(*source, false);
    if (eof) break;
  }
  return Status::Ok();
}

void IngestPipeline::DeadLetter(const Line& line, Reason reason, const std::string& detail, const SourceState& src) {
  ++report_.invalid;
  ++report_.invalid_by_reason[static_cast<int>(reason)];
  if (!errors_) {
    errors_ = std::make_unique<Buffer>();
    errors_->key = kErrorsKey;
    errors_->encoder = std::make_unique<JsonlEncoder>(o_.errors_compression);
    errors_->opened_us = MonoMicros();
  }
  FormatDeadLetter(dlq_line_, reason, detail, {src.path, {}, line.line_no, line.offset}, line.bytes,
                   line.too_large ? line.full_size : line.bytes.size());
  static_cast<JsonlEncoder&>(*errors_->encoder).AddLine(dlq_line_);
  ++errors_->events;
}

Status IngestPipeline::ProcessBatch(const CheckedBatch& checked, uint32_t index) {
  SourceState& src = sources_[index];
  const LineBatch& batch = checked.batch;
  report_.blank_lines += batch.blank_lines;
  const int64_t recv_us = MonoMicros();
  const int64_t recv_wall_s = WallMicros() / 1000000;
  // Every line in order: too large, rejected, or a record for the dedupe decision.
  size_t next_reject = 0;
  for (uint32_t i = 0; i < batch.lines.size(); ++i) {
    const Line& line = batch.lines[i];
    ++report_.read;
    report_.input_bytes += line.full_size + 1;
    const bool rejected = next_reject < checked.rejects.size() && checked.rejects[next_reject].line == i;
    if (!line.too_large && !rejected) continue;
    if (line.offset < src.dlq_upto) {
      ++report_.already_committed;
    } else if (line.too_large) {
      DeadLetter(line, Reason::kRecordTooLarge,
                 "the record is " + std::to_string(line.full_size) + " bytes; the limit is " +
                     std::to_string(o_.max_record_bytes) + " (--max-record-size)",
                 src);
    } else {
      DeadLetter(line, checked.rejects[next_reject].reason, checked.rejects[next_reject].detail, src);
    }
    next_reject += rejected;
  }
  const std::vector<CheckedRecord>& records = checked.records;
  auto view = [&checked](uint32_t pos, uint32_t len) { return checked.view(pos, len); };
  dedup_in_.clear();
  for (const CheckedRecord& r : records)
    dedup_in_.push_back({view(r.uuid_pos, r.uuid_len), r.seconds, {src.id, batch.lines[r.line].offset}});
  decisions_.resize(records.size());
  claims_.resize(records.size());
  EL_RETURN_IF_ERROR(dedup_.Decide(dedup_in_, decisions_, claims_));

  for (size_t i = 0; i < records.size(); ++i) {
    if (decisions_[i] == Decision::kDuplicate) {
      ++report_.duplicates;
      continue;
    }
    if (decisions_[i] == Decision::kAlreadyCommitted) {
      ++report_.already_committed;
      continue;
    }
    const CheckedRecord& p = records[i];
    const Line& line = batch.lines[p.line];
    EventFields f;
    f.uuid = view(p.uuid_pos, p.uuid_len);
    f.type = view(p.type_pos, p.type_len);
    f.subtype = view(p.sub_pos, p.sub_len);
    f.seconds = p.seconds;
    // The fraction's digits live on in created_datetime ("...:SS.fffZ").
    const std::string_view dt = p.derived.datetime_view();
    f.fraction = dt.size() > 21 ? dt.substr(20, dt.size() - 21) : std::string_view();
    f.object = p.object;
    if (f.type != last_type_ || p.derived.date_view() != last_date_) {
      last_type_.assign(f.type);
      last_date_.assign(p.derived.date_view());
      key_ = PartitionPath(last_type_, last_date_);
    }
    Buffer* b = &buffers_.Get(key_, recv_us);
    if (!b->encoder->Add(f, p.derived)) {
      // The file's schema is fixed and this event conflicts: finish the file, start anew.
      std::vector<std::unique_ptr<Buffer>> one;
      one.push_back(buffers_.Take(key_));
      EL_RETURN_IF_ERROR(Flush(std::move(one), /*with_errors=*/false));
      b = &buffers_.Get(key_, recv_us);
      if (!b->encoder->Add(f, p.derived)) return Status::Error("an event does not fit an empty file (encoder bug)");
    }
    b->claims.Add(f.uuid, dedup_.hash(i), claims_[i]);
    b->NoteSource(index, line.offset, line.line_no, dedup_.watermark_before(i));
    b->NoteReceived(recv_us, recv_wall_s, p.seconds);
    ++report_.written;
  }
  src.read_offset = batch.end_offset;
  src.read_line = batch.end_line_no;
  src.read_watermark = dedup_.watermark();
  return Status::Ok();
}

Status IngestPipeline::MaybeFlush(bool all) {
  EL_RETURN_IF_ERROR(FinishEpochs(epochs_->TakeDone(/*all=*/false)));
  const int64_t now = MonoMicros();
  std::vector<std::unique_ptr<Buffer>> due = buffers_.TakeDue(now, all);
  const bool errors_due = errors_ && (all || errors_->encoder->buffered_bytes() >= o_.flush.max_bytes ||
                                      now - errors_->opened_us >= o_.flush.max_age_us);
  if (due.empty() && !errors_due) return Status::Ok();
  return Flush(std::move(due), /*with_errors=*/true);
}

Status IngestPipeline::Flush(std::vector<std::unique_ptr<Buffer>> due, bool with_errors) {
  // Dead letters ride along with every epoch at a batch boundary: then a checkpoint
  // also covers them (dlq_upto). Mid-batch flushes leave them for the next epoch.
  if (with_errors && errors_) due.push_back(std::move(errors_));

  std::vector<std::pair<uint64_t, Checkpoint>> checkpoints;
  // The watermark as of the earliest checkpoint: what a resume starts from.
  int64_t safe_watermark = dedup_.watermark();
  for (uint32_t i = 0; i < sources_.size(); ++i) {
    SourceState& s = sources_[i];
    Checkpoint c{s.read_offset, s.read_line, s.read_offset, 0, s.read_watermark};
    buffers_.ForEach([&](const Buffer& b) {
      for (const auto& m : b.first_marks)
        if (m.source == i && m.offset < c.offset) {
          c.offset = m.offset;
          c.line_no = m.line_no - 1;
          c.watermark = m.watermark;
        }
    });
    safe_watermark = std::min(safe_watermark, c.watermark);
    c.tail_hash = TailHash(s, c.offset);
    if (!with_errors) c.dlq_upto = s.dlq_committed;
    s.dlq_committed = c.dlq_upto;
    checkpoints.emplace_back(s.id, c);
  }

  auto job = std::make_unique<EpochJob>();
  job->buffers = std::move(due);
  job->checkpoints = std::move(checkpoints);
  job->watermark = safe_watermark;
  return FinishEpochs(epochs_->Submit(std::move(job)));
}

Status IngestPipeline::FinishEpochs(std::vector<std::unique_ptr<EpochJob>> done) {
  for (const auto& job : done) {
    if (!job->status.ok()) return job->status;
    committer_.Settle(job->buffers, job->watermark);
    ++report_.epochs;
    for (const EpochFile& f : job->result.files) report_.AddFile(f.partition, f.events, f.bytes);
    for (const auto& b : job->buffers) report_.AddCommitted(*b, job->commit_us, job->commit_wall_us);
    SyncPoint("epoch:done");
  }
  return Status::Ok();
}

void IngestPipeline::Progress(Source& source, bool force) {
  if (!o_.show_progress) return;
  const int64_t now = MonoMicros();
  if (!force && now - last_progress_us_ < 500000) return;
  last_progress_us_ = now;
  const double secs = static_cast<double>(now - start_us_) / 1e6;
  const double rate = secs > 0 ? static_cast<double>(report_.read) / secs : 0;
  if (auto size = source.raw_size(); size && *size > 0) {
    std::fprintf(stderr, "\r\033[K%s: %llu records, %.0f/s, %.1f%%", source.name().c_str(),
                 static_cast<unsigned long long>(report_.read), rate,
                 100.0 * static_cast<double>(source.raw_consumed()) / static_cast<double>(*size));
  } else {
    std::fprintf(stderr, "\r\033[K%s: %llu records, %.0f/s", source.name().c_str(),
                 static_cast<unsigned long long>(report_.read), rate);
  }
}

}  // namespace eventlake
