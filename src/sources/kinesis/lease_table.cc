#include "sources/kinesis/lease_table.h"

#include <algorithm>
#include <utility>

#include "store/aws/dynamodb_table.h"
#include "store/aws/json_request.h"

namespace eventlake::kinesis {

LeaseTable::LeaseTable(const aws::AwsConfig& config, aws::HttpClient& client, LeaseTableOptions options)
    : config_(config), client_(client), options_(std::move(options)) {}

aws::HttpRequest LeaseTable::Request(std::string_view operation, std::string body) const {
  aws::HttpRequest req = aws::MakeJsonRequest(config_, aws::Service::kDynamoDb, operation, std::move(body));
  req.timeout = options_.request_timeout;
  return req;
}

aws::HttpResponse LeaseTable::Call(std::string_view operation, std::string body) {
  std::vector<aws::HttpRequest> one;
  one.push_back(Request(operation, std::move(body)));
  aws::HttpResponse resp = std::move(client_.Run(std::move(one)).front());
  retries_ += static_cast<uint64_t>(resp.retries);
  return resp;
}

// The owner's writes need an owner to condition on.
Status LeaseTable::CheckHeld(std::string_view operation, const Lease& lease) const {
  if (lease.owner.empty()) return Status::Error(What(operation, lease) + ": the lease has no owner");
  return Status::Ok();
}

std::string LeaseTable::What(std::string_view operation, const Lease& lease) const {
  return "lease " + std::string(operation) + " of '" + LeaseKey(lease.stream, lease.shard_id) + "' in table '" +
         options_.table + "'";
}

Status LeaseTable::EnsureTable() {
  aws::DynamoDbTableSpec spec;
  spec.table = options_.table;
  spec.hash_key = std::string(kLeaseKeyAttr);
  spec.create = options_.create_table;
  spec.request_timeout = options_.request_timeout;
  spec.poll_interval = options_.poll_interval;
  spec.table_wait = options_.table_wait;
  spec.sleep = options_.sleep;
  aws::DynamoDbTableOutcome outcome;
  const Status s = aws::EnsureDynamoDbTable(client_, config_, spec, &outcome);
  retries_ += outcome.retries;
  return s.Context("lease table");
}

Result<std::vector<Lease>> LeaseTable::List(std::string_view stream) {
  std::vector<Lease> leases;
  std::string start;
  do {
    const aws::HttpResponse resp =
        Call("Scan", ScanLeasesBody(options_.table, stream, start, options_.scan_page_limit));
    const std::string what = "lease Scan of stream '" + std::string(stream) + "' in table '" + options_.table + "'";
    if (!resp.ok()) return Status::Error(what + ": " + aws::DescribeDynamoDbError(resp));
    Result<LeasePage> page = ParseScanLeases(resp.body, stream);
    if (!page.ok()) return page.status().Context(what);
    if (!start.empty() && page->last_key == start) return Status::Error(what + ": LastEvaluatedKey did not move");
    for (Lease& l : page->leases) leases.push_back(std::move(l));
    start = std::move(page->last_key);
  } while (!start.empty());
  std::sort(leases.begin(), leases.end(), [](const Lease& a, const Lease& b) { return a.shard_id < b.shard_id; });
  return leases;
}

Result<bool> LeaseTable::Create(const Lease& lease) {
  return ReadConditionalAnswer(Call("PutItem", CreateLeaseBody(options_.table, lease)), What("Create", lease));
}

Result<bool> LeaseTable::Take(Lease& lease, std::string_view new_owner) {
  if (new_owner.empty()) return Status::Error(What("Take", lease) + ": empty worker id");
  const aws::HttpResponse resp = Call("UpdateItem", TakeLeaseBody(options_.table, lease, new_owner));
  Result<bool> done = ReadConditionalAnswer(resp, What("Take", lease));
  if (!done.ok() || !*done) return done;
  Result<Lease> stored = ParseLeaseAttributes(resp.body);
  if (!stored.ok()) return stored.status().Context(What("Take", lease));
  lease = std::move(*stored);
  return true;
}

std::vector<Result<bool>> LeaseTable::Renew(std::span<Lease* const> leases) {
  std::vector<Result<bool>> out(leases.size(), Result<bool>(false));
  for (size_t i = 0; i < leases.size(); ++i) {
    Lease& lease = *leases[i];
    if (Status held = CheckHeld("Renew", lease); !held.ok()) {
      out[i] = held;
      continue;
    }
    client_.Submit(Request("UpdateItem", RenewLeaseBody(options_.table, lease)),
                   [this, &out, &lease, i](const aws::HttpResponse& resp) {
                     retries_ += static_cast<uint64_t>(resp.retries);
                     out[i] = ReadConditionalAnswer(resp, What("Renew", lease));
                     if (out[i].ok() && *out[i]) ++lease.counter;
                   });
  }
  client_.Drain();
  return out;
}

Result<bool> LeaseTable::RecordIntent(Lease& lease, std::string_view first_sequence, std::string_view last_sequence) {
  EL_RETURN_IF_ERROR(CheckHeld("RecordIntent", lease));
  Result<bool> done =
      ReadConditionalAnswer(Call("UpdateItem", RecordIntentBody(options_.table, lease, first_sequence, last_sequence)),
                            What("RecordIntent", lease));
  if (done.ok() && *done) {
    lease.intent_first = last_sequence.empty() ? std::string() : std::string(first_sequence);
    lease.intent_last = std::string(last_sequence);
  }
  return done;
}

Result<bool> LeaseTable::Checkpoint(Lease& lease, std::string_view sequence, int64_t watermark, bool finished) {
  EL_RETURN_IF_ERROR(CheckHeld("Checkpoint", lease));
  Result<bool> done = ReadConditionalAnswer(
      Call("UpdateItem", CheckpointLeaseBody(options_.table, lease, sequence, watermark, finished)),
      What("Checkpoint", lease));
  if (done.ok() && *done) {
    lease.checkpoint = std::string(sequence);
    lease.watermark = watermark;
    lease.finished = finished;
    ++lease.epoch;
    lease.intent_first.clear();
    lease.intent_last.clear();
  }
  return done;
}

Result<bool> LeaseTable::Release(Lease& lease) {
  EL_RETURN_IF_ERROR(CheckHeld("Release", lease));
  Result<bool> done =
      ReadConditionalAnswer(Call("UpdateItem", ReleaseLeaseBody(options_.table, lease)), What("Release", lease));
  if (done.ok() && *done) {
    lease.owner.clear();
    ++lease.counter;
  }
  return done;
}

}  // namespace eventlake::kinesis
