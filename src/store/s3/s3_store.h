#pragma once
// The lake in S3 (or any S3-compatible store): publishing uploads the staged local file
// under prefix/key. One PUT below the multipart threshold, with the payload checked
// three ways (x-amz-content-sha256 signed, Content-MD5, x-amz-checksum-sha256); above
// it, CreateMultipartUpload / UploadPart (Content-MD5 each, several in flight) /
// CompleteMultipartUpload, aborted on failure. Idempotent: the same staged bytes go to
// the same key, so publishing twice (recovery) writes the same object. The staged file
// is removed once the object is in place; when it is gone, a HEAD tells whether an
// earlier publish finished.
#include <chrono>
#include <cstdint>
#include <memory>

#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"
#include "store/aws/uri.h"
#include "store/object_store.h"
#include "store/s3/s3_location.h"

namespace eventlake::s3 {

struct S3StoreOptions {
  uint64_t multipart_threshold = 16ull << 20;  // bytes; files this large or larger go multipart
  uint64_t part_size = 8ull << 20;             // S3 minimum is 5 MiB except for the last part
  size_t parts_in_flight = 4;                  // bounds memory: parts_in_flight * part_size
  std::chrono::milliseconds timeout{120000};   // per request attempt
  aws::HttpClientOptions http;
};

struct S3StoreStats {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t multipart_uploads = 0;
  uint64_t retries = 0;  // HTTP retries, for the run report
};

class S3ObjectStore : public ObjectStore {
 public:
  S3ObjectStore(aws::AwsConfig config, S3Location location, S3StoreOptions options = {});

  Status Publish(const std::string& staged_path, const std::string& key) override;
  std::string Describe() const override { return location_.Describe(); }
  const S3StoreStats& stats() const { return stats_; }

 private:
  Status PutSingle(const std::string& staged_path, const std::string& full_key, uint64_t size);
  Status PutMultipart(const std::string& staged_path, const std::string& full_key, uint64_t size);
  aws::HttpResponse RunOne(aws::HttpRequest request);
  aws::HttpRequest Request(const std::string& method, const std::string& full_key, const aws::QueryParams& query);

  aws::AwsConfig config_;
  S3Location location_;
  S3StoreOptions options_;
  aws::HttpClient http_;
  S3StoreStats stats_;
};

std::unique_ptr<ObjectStore> MakeS3ObjectStore(aws::AwsConfig config, S3Location location,
                                               S3StoreOptions options = {});

}  // namespace eventlake::s3
