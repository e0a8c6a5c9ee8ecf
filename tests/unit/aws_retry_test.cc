// store/aws retries: what is retried, and the capped full-jitter backoff, with an
// injected random source and sleeper (nothing sleeps).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/aws/retry.h"

namespace eventlake::aws {
namespace {

using std::chrono::milliseconds;

AttemptOutcome Http(long status, std::string code = "") { return {status, std::move(code)}; }

TEST(RetryTest, ErrorCodesFromJsonHeaderAndXml) {
  EXPECT_EQ(AwsErrorCode(R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"x"})"),
            "ThrottlingException");
  EXPECT_EQ(AwsErrorCode(R"({"__type": "ProvisionedThroughputExceededException"})"),
            "ProvisionedThroughputExceededException");
  EXPECT_EQ(AwsErrorCode("", "ConditionalCheckFailedException:http://internal.amazon.com/"),
            "ConditionalCheckFailedException");
  EXPECT_EQ(AwsErrorCode("<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>m</Message></Error>"),
            "SlowDown");
  EXPECT_EQ(AwsErrorCode("not an error body"), "");
}

TEST(RetryTest, ThrottlingIsRetried) {
  for (const char* code : {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                            "LimitExceededException", "TooManyRequestsException", "SlowDown"}) {
    EXPECT_TRUE(RetryPolicy::IsRetryable(Http(400, code))) << code;
  }
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(503, "SlowDown")));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(429)));
}

TEST(RetryTest, ServerAndNetworkErrorsAreRetried) {
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(500, "InternalServerError")));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(502)));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(504)));
  EXPECT_TRUE(RetryPolicy::IsRetryable(Http(0)));  // connection refused, reset, timed out
}

TEST(RetryTest, AFailedConditionIsNeverRetried) {
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(400, "ConditionalCheckFailedException")));
  // Not even when it arrives with a status that would otherwise be retried.
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(500, "ConditionalCheckFailedException")));
  RetryPolicy policy;
  EXPECT_EQ(policy.Decide(Http(400, "ConditionalCheckFailedException"), 1), RetryDecision::kDone);
}

TEST(RetryTest, OtherClientErrorsAreFinal) {
  for (const char* code : {"ValidationException", "ResourceNotFoundException", "ExpiredIteratorException",
                           "AccessDeniedException", ""}) {
    EXPECT_FALSE(RetryPolicy::IsRetryable(Http(400, code))) << code;
  }
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(403, "SignatureDoesNotMatch")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(404, "NoSuchKey")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(412, "PreconditionFailed")));
  EXPECT_FALSE(RetryPolicy::IsRetryable(Http(200)));
}

TEST(RetryTest, AttemptsAreCapped) {
  RetryPolicy policy({.max_attempts = 3, .base = milliseconds(10), .cap = milliseconds(100)});
  EXPECT_EQ(policy.Decide(Http(503), 1), RetryDecision::kRetry);
  EXPECT_EQ(policy.Decide(Http(503), 2), RetryDecision::kRetry);
  EXPECT_EQ(policy.Decide(Http(503), 3), RetryDecision::kDone);
}

TEST(RetryTest, CeilingDoublesUpToTheCap) {
  RetryPolicy policy({.max_attempts = 10, .base = milliseconds(25), .cap = milliseconds(1000)});
  EXPECT_EQ(policy.BackoffCeiling(0), milliseconds(25));
  EXPECT_EQ(policy.BackoffCeiling(1), milliseconds(50));
  EXPECT_EQ(policy.BackoffCeiling(2), milliseconds(100));
  EXPECT_EQ(policy.BackoffCeiling(5), milliseconds(800));
  EXPECT_EQ(policy.BackoffCeiling(6), milliseconds(1000));
  EXPECT_EQ(policy.BackoffCeiling(1000), milliseconds(1000));  // no overflow for huge counts
}

TEST(RetryTest, FullJitterSpansZeroToTheCeiling) {
  double r = 0;
  RetryPolicy policy({.max_attempts = 10, .base = milliseconds(100), .cap = milliseconds(1000)}, [&] { return r; });
  r = 0.0;
  EXPECT_EQ(policy.Backoff(3), milliseconds(0));
  r = 0.5;
  EXPECT_EQ(policy.Backoff(3), milliseconds(400));
  r = 0.999999;
  EXPECT_EQ(policy.Backoff(3), milliseconds(799));
  r = 0.5;
  EXPECT_EQ(policy.Backoff(20), milliseconds(500));  // capped ceiling
}

TEST(RetryTest, DefaultJitterStaysInRange) {
  RetryPolicy policy({.max_attempts = 10, .base = milliseconds(10), .cap = milliseconds(80)});
  for (int i = 0; i < 1000; ++i) {
    const auto d = policy.Backoff(i % 6);
    EXPECT_GE(d, milliseconds(0));
    EXPECT_LE(d, policy.BackoffCeiling(i % 6));
  }
}

TEST(RetryTest, RunWithRetriesSleepsTheBackoffsAndCountsRetries) {
  std::vector<milliseconds> slept;
  RetryPolicy policy({.max_attempts = 5, .base = milliseconds(100), .cap = milliseconds(300)}, [] { return 0.5; });
  std::vector<AttemptOutcome> script = {Http(400, "ThrottlingException"), Http(500), Http(0), Http(200)};
  size_t next = 0;
  int retries = -1;
  const int attempts = RunWithRetries([&] { return script[next++]; }, policy,
                                      [&](milliseconds d) { slept.push_back(d); }, &retries);
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(retries, 3);
  EXPECT_THAT(slept, ::testing::ElementsAre(milliseconds(50), milliseconds(100), milliseconds(150)));
}

TEST(RetryTest, RunWithRetriesStopsAtAConditionFailure) {
  RetryPolicy policy({}, [] { return 0.0; });
  int calls = 0, retries = -1;
  RunWithRetries(
      [&] {
        ++calls;
        return Http(400, "ConditionalCheckFailedException");
      },
      policy, [](milliseconds) { FAIL() << "must not sleep"; }, &retries);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(retries, 0);
}

TEST(RetryTest, RunWithRetriesGivesUpAfterMaxAttempts) {
  RetryPolicy policy({.max_attempts = 4, .base = milliseconds(1), .cap = milliseconds(2)}, [] { return 0.0; });
  int calls = 0, retries = 0;
  RunWithRetries(
      [&] {
        ++calls;
        return Http(503, "SlowDown");
      },
      policy, [](milliseconds) {}, &retries);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(retries, 3);
}

}  // namespace
}  // namespace eventlake::aws
