// store/s3: publishing staged files to S3 through a loopback listener that plays a tiny
// S3 (objects, multipart uploads) and checks each request's payload headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "aws_loopback.h"
#include "store/aws/payload_hash.h"
#include "store/s3/s3_store.h"
#include "test_util.h"

namespace eventlake::s3 {
namespace {

using ::testing::HasSubstr;
using testing::CannedReply;
using testing::CapturedRequest;
using testing::LoopbackServer;

std::string QueryValue(const std::string& target, const std::string& name) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return "";
  const std::string query = "&" + target.substr(q + 1);
  const size_t at = query.find("&" + name + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 2;
  return query.substr(start, query.find('&', start) - start);
}

// Objects by path ("/bucket/key" or "/key" when virtual-hosted); multipart uploads by id.
class FakeS3 {
 public:
  CannedReply Handle(const CapturedRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string path = r.target.substr(0, r.target.find('?'));
    const bool has_query = r.target.find('?') != std::string::npos;
    if (r.Header("x-amz-content-sha256") != aws::Sha256Hex(r.body)) return {400, "<Error><Code>XAmzContentSHA256Mismatch</Code></Error>"};
    if (!r.Header("content-md5").empty() && r.Header("content-md5") != aws::Md5Base64(r.body))
      return {400, "<Error><Code>BadDigest</Code></Error>"};
    if (fail_next_part_with > 0 && r.method == "PUT" && !QueryValue(r.target, "partNumber").empty()) {
      const int status = fail_next_part_with;
      fail_next_part_with = 0;
      return {status, "<Error><Code>" + std::string(status >= 500 ? "InternalError" : "InvalidArgument") + "</Code></Error>"};
    }
    if (r.method == "PUT" && !has_query) {
      objects[path] = r.body;
      return {200, "", {{"ETag", "\"" + aws::Sha256Hex(r.body).substr(0, 32) + "\""}}};
    }
    if (r.method == "HEAD") {
      auto it = objects.find(path);
      if (it == objects.end()) return {404};
      return {200, "", {{"X-Size", std::to_string(it->second.size())}}};
    }
    if (r.method == "POST" && r.target.find("?uploads=") != std::string::npos) {
      const std::string id = "upload-" + std::to_string(++next_upload_);
      uploads[id] = {};
      return {200, "<InitiateMultipartUploadResult><UploadId>" + id + "</UploadId></InitiateMultipartUploadResult>"};
    }
    const std::string id = QueryValue(r.target, "uploadId");
    if (r.method == "PUT" && uploads.count(id)) {
      const int part = std::stoi(QueryValue(r.target, "partNumber"));
      uploads[id][part] = r.body;
      return {200, "", {{"ETag", "\"etag-" + std::to_string(part) + "\""}}};
    }
    if (r.method == "POST" && uploads.count(id)) {
      complete_bodies.push_back(r.body);
      std::string whole;
      for (const auto& [n, bytes] : uploads[id]) whole += bytes;
      objects[path] = whole;
      uploads.erase(id);
      return {200, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"};
    }
    if (r.method == "DELETE" && !id.empty()) {
      aborted.push_back(id);
      uploads.erase(id);
      return {204};
    }
    return {400, "<Error><Code>Unexpected</Code></Error>"};
  }

  std::mutex mu_;
  std::map<std::string, std::string> objects;
  std::map<std::string, std::map<int, std::string>> uploads;
  std::vector<std::string> complete_bodies;
  std::vector<std::string> aborted;
  int fail_next_part_with = 0;

 private:
  int next_upload_ = 0;
};

class S3StoreTest : public ::testing::Test {
 protected:
  aws::AwsConfig Config(bool path_style = true) {
    aws::AwsConfig c;
    c.credentials = {"S3RVER", "S3RVER", ""};
    c.region = "us-east-1";
    c.s3_endpoint = path_style ? server_.Origin() : "http://s3.us-east-1.amazonaws.com";
    c.s3_path_style = path_style;
    return c;
  }
  S3StoreOptions Options() {
    S3StoreOptions o;
    o.multipart_threshold = 4096;
    o.part_size = 1000;
    o.parts_in_flight = 2;
    o.http.retry = {.max_attempts = 3, .base = std::chrono::milliseconds(1), .cap = std::chrono::milliseconds(2)};
    return o;
  }

  FakeS3 s3_;
  LoopbackServer server_{[this](const CapturedRequest& r) { return s3_.Handle(r); }};
  testing::TempDir dir_;
};

TEST(S3LocationTest, ParsesBucketAndPrefix) {
  Result<S3Location> a = ParseS3Url("s3://my-lake/events/prod/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->bucket, "my-lake");
  EXPECT_EQ(a->prefix, "events/prod");
  EXPECT_EQ(a->ObjectKey("event_type=a/x.jsonl"), "events/prod/event_type=a/x.jsonl");
  EXPECT_EQ(a->Describe(), "s3://my-lake/events/prod");
  Result<S3Location> b = ParseS3Url("s3://bucket");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->ObjectKey("k"), "k");
  EXPECT_FALSE(ParseS3Url("/local/path").ok());
  EXPECT_FALSE(ParseS3Url("s3://Bad_Bucket/x").ok());
  EXPECT_FALSE(ParseS3Url("s3://ab").ok());
  EXPECT_FALSE(ParseS3Url("s3://bucket/a//b").ok());
}

TEST(S3LocationTest, PathStyleAndVirtualHostedUrls) {
  aws::AwsConfig c;
  c.s3_endpoint = "http://127.0.0.1:4568";
  c.s3_path_style = true;
  EXPECT_EQ(ObjectUrl(c, "b", "p/event_type=a b/x.jsonl"), "http://127.0.0.1:4568/b/p/event_type%3Da%20b/x.jsonl");
  EXPECT_EQ(ObjectUrl(c, "b", "k", "uploads="), "http://127.0.0.1:4568/b/k?uploads=");
  c.s3_endpoint = "https://s3.eu-west-1.amazonaws.com";
  c.s3_path_style = false;
  EXPECT_EQ(ObjectUrl(c, "b", "k"), "https://b.s3.eu-west-1.amazonaws.com/k");
}

TEST_F(S3StoreTest, SinglePutWithPayloadChecksums) {
  S3ObjectStore store(Config(), {"lake", "events"}, Options());
  const std::string staged = dir_.Join("staging/s1");
  testing::WriteFile(staged, "{\"a\":1}\n");
  ASSERT_TRUE(store.Publish(staged, "event_type=account/event_date=2022-02-14/part-1.jsonl").ok());
  EXPECT_EQ(s3_.objects["/lake/events/event_type%3Daccount/event_date%3D2022-02-14/part-1.jsonl"], "{\"a\":1}\n");
  EXPECT_FALSE(testing::Exists(staged));  // removed once the object is in place
  const CapturedRequest put = server_.requests().back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.Header("content-type"), "application/x-ndjson");
  EXPECT_EQ(put.Header("x-amz-checksum-sha256"), aws::Sha256Base64("{\"a\":1}\n"));
  EXPECT_EQ(put.Header("content-md5"), aws::Md5Base64("{\"a\":1}\n"));
  EXPECT_THAT(put.Header("authorization"),
              HasSubstr("SignedHeaders=content-md5;content-type;host;x-amz-checksum-sha256;x-amz-content-sha256;"
                        "x-amz-date"));
  EXPECT_THAT(put.Header("authorization"), HasSubstr("/us-east-1/s3/aws4_request"));
  EXPECT_EQ(store.stats().objects, 1u);
}

TEST_F(S3StoreTest, PublishIsIdempotent) {
  S3ObjectStore store(Config(), {"lake", ""}, Options());
  const std::string staged = dir_.Join("s1");
  testing::WriteFile(staged, "same bytes");
  ASSERT_TRUE(store.Publish(staged, "k/part-1.jsonl").ok());
  // Recovery after a crash between upload and bookkeeping: the staged file is gone.
  ASSERT_TRUE(store.Publish(staged, "k/part-1.jsonl").ok());
  EXPECT_EQ(server_.requests().back().method, "HEAD");
  // Recovery before the staged file was removed: the same bytes again, same key.
  testing::WriteFile(staged, "same bytes");
  ASSERT_TRUE(store.Publish(staged, "k/part-1.jsonl").ok());
  EXPECT_EQ(s3_.objects["/lake/k/part-1.jsonl"], "same bytes");
  EXPECT_EQ(s3_.objects.size(), 1u);
}

TEST_F(S3StoreTest, BothMissingIsAnError) {
  S3ObjectStore store(Config(), {"lake", ""}, Options());
  Status s = store.Publish(dir_.Join("none"), "k/none.jsonl");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("both missing"));
}

TEST_F(S3StoreTest, MultipartAboveTheThreshold) {
  S3ObjectStore store(Config(), {"lake", "p"}, Options());
  std::string data;
  for (int i = 0; i < 5500; ++i) data.push_back(static_cast<char>('a' + i % 26));
  const std::string staged = dir_.Join("big");
  testing::WriteFile(staged, data);
  ASSERT_TRUE(store.Publish(staged, "t/big.parquet").ok());
  EXPECT_EQ(s3_.objects["/lake/p/t/big.parquet"], data);
  EXPECT_EQ(store.stats().multipart_uploads, 1u);
  ASSERT_EQ(s3_.complete_bodies.size(), 1u);
  EXPECT_THAT(s3_.complete_bodies[0], HasSubstr("<Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag></Part>"));
  EXPECT_THAT(s3_.complete_bodies[0], HasSubstr("<Part><PartNumber>6</PartNumber><ETag>\"etag-6\"</ETag></Part>"));
  // The create request used the valueless query written "uploads=" and was signed so.
  bool saw_create = false;
  for (const CapturedRequest& r : server_.requests()) {
    if (r.method == "POST" && r.target == "/lake/p/t/big.parquet?uploads=") saw_create = true;
    if (r.method == "PUT") {
      EXPECT_THAT(r.target, HasSubstr("?partNumber="));  // sorted: partNumber before uploadId
    }
  }
  EXPECT_TRUE(saw_create);
  EXPECT_FALSE(testing::Exists(staged));
}

TEST_F(S3StoreTest, AFailedPartIsRetried) {
  S3ObjectStore store(Config(), {"lake", ""}, Options());
  s3_.fail_next_part_with = 500;
  std::string data(4500, 'z');
  testing::WriteFile(dir_.Join("big"), data);
  ASSERT_TRUE(store.Publish(dir_.Join("big"), "big.bin").ok());
  EXPECT_EQ(s3_.objects["/lake/big.bin"], data);
  EXPECT_EQ(store.stats().retries, 1u);
  EXPECT_TRUE(s3_.aborted.empty());
}

TEST_F(S3StoreTest, ARejectedPartAbortsTheUpload) {
  S3ObjectStore store(Config(), {"lake", ""}, Options());
  s3_.fail_next_part_with = 400;
  testing::WriteFile(dir_.Join("big"), std::string(4500, 'z'));
  Status s = store.Publish(dir_.Join("big"), "big.bin");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("InvalidArgument"));
  EXPECT_EQ(s3_.aborted.size(), 1u);
  EXPECT_TRUE(testing::Exists(dir_.Join("big")));  // kept for the next attempt
  EXPECT_EQ(s3_.objects.count("/lake/big.bin"), 0u);
}

TEST_F(S3StoreTest, VirtualHostedAddressing) {
  S3StoreOptions o = Options();
  o.http.connect_to = {server_.ConnectTo("lake.s3.us-east-1.amazonaws.com")};
  S3ObjectStore store(Config(/*path_style=*/false), {"lake", "events"}, o);
  testing::WriteFile(dir_.Join("s1"), "v");
  ASSERT_TRUE(store.Publish(dir_.Join("s1"), "a b.jsonl").ok());
  const CapturedRequest put = server_.requests().back();
  EXPECT_EQ(put.Header("host"), "lake.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(put.target, "/events/a%20b.jsonl");
}

}  // namespace
}  // namespace eventlake::s3
