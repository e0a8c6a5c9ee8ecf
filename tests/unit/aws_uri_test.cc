// store/aws helpers: RFC 3986 key encoding, canonical query strings, the AWS JSON
// request shape and the payload digests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/aws/json_request.h"
#include "store/aws/payload_hash.h"
#include "store/aws/uri.h"

namespace eventlake::aws {
namespace {

TEST(UriTest, S3KeysKeepSlashesAndEncodeTheRest) {
  EXPECT_EQ(EncodeS3Key("event_type=account/event_date=2022-02-14/part-1.jsonl"),
            "event_type%3Daccount/event_date%3D2022-02-14/part-1.jsonl");
  EXPECT_EQ(EncodeS3Key("a b+c"), "a%20b%2Bc");
  EXPECT_EQ(EncodeS3Key("test$file.text"), "test%24file.text");
  EXPECT_EQ(EncodeS3Key("-._~AZaz09"), "-._~AZaz09");
  EXPECT_EQ(EncodeS3Key("caf\xC3\xA9/\xE1\x88\xB4"), "caf%C3%A9/%E1%88%B4");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(EncodeS3Key("%2F"), "%252F");                                      // a literal percent
  EXPECT_EQ(EncodeS3Key("q?x#y&z"), "q%3Fx%23y%26z");
}

TEST(UriTest, QueryValuesEncodeSlashes) { EXPECT_EQ(UriEncode("a/b", false), "a%2Fb"); }

TEST(UriTest, CanonicalQuerySortsAndEncodes) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"uploadId", "a/b+c"}, {"partNumber", "10"}}), "partNumber=10&uploadId=a%2Fb%2Bc");
  EXPECT_EQ(CanonicalQuery({{"prefix", "event_type=a b/"}, {"list-type", "2"}, {"continuation-token", "x=="}}),
            "continuation-token=x%3D%3D&list-type=2&prefix=event_type%3Da%20b%2F");
  // Upper case sorts before lower case (byte order), equal names by value.
  EXPECT_EQ(CanonicalQuery({{"b", "1"}, {"B", "2"}, {"a", "z"}, {"a", "y"}}), "B=2&a=y&a=z&b=1");
}

TEST(JsonRequestTest, DynamoDbIsJson10) {
  AwsConfig config;
  config.region = "eu-west-1";
  config.dynamodb_endpoint = "http://127.0.0.1:8000";
  HttpRequest r = MakeJsonRequest(config, Service::kDynamoDb, "PutItem", R"({"TableName":"t"})");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:8000/");
  EXPECT_EQ(r.service, "dynamodb");
  EXPECT_EQ(r.body, R"({"TableName":"t"})");
  EXPECT_THAT(r.headers, ::testing::UnorderedElementsAre(
                             std::pair<std::string, std::string>("Content-Type", "application/x-amz-json-1.0"),
                             std::pair<std::string, std::string>("X-Amz-Target", "DynamoDB_20120810.PutItem")));
}

TEST(JsonRequestTest, KinesisIsJson11) {
  AwsConfig config;
  config.kinesis_endpoint = "https://kinesis.eu-west-1.amazonaws.com";
  HttpRequest r = MakeJsonRequest(config, Service::kKinesis, "GetRecords", "{}");
  EXPECT_EQ(r.url, "https://kinesis.eu-west-1.amazonaws.com/");
  EXPECT_EQ(r.service, "kinesis");
  EXPECT_THAT(r.headers, ::testing::UnorderedElementsAre(
                             std::pair<std::string, std::string>("Content-Type", "application/x-amz-json-1.1"),
                             std::pair<std::string, std::string>("X-Amz-Target", "Kinesis_20131202.GetRecords")));
}

TEST(PayloadHashTest, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha256Hex);
  EXPECT_EQ(Sha256Hex("Welcome to Amazon S3."), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(Sha256Base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
}

}  // namespace
}  // namespace eventlake::aws
