#pragma once
// When to try an AWS request again, and how long to wait first: capped exponential
// backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff And
// Jitter": sleep = uniform(0, min(cap, base * 2^attempt))). Retried: throttling (HTTP
// 400 with a throttling error code, S3 503 SlowDown, 429), 5xx, and network errors or
// timeouts. Never retried: a failed condition (ConditionalCheckFailedException) or any
// other 4xx; those are answers, not accidents.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace eventlake::aws {

// The outcome of one attempt, as the retry policy sees it.
struct AttemptOutcome {
  long http_status = 0;         // 0 = no HTTP response (connection failed, timed out)
  std::string error_code;  // AWS error code ("ThrottlingException", "SlowDown"), may be empty
};

enum class RetryDecision { kDone, kRetry };

// The AWS error code of a response: the JSON `__type` (after any '#'), else the
// x-amzn-ErrorType header (before any ':'), else the XML <Code>. Empty when none.
std::string AwsErrorCode(std::string_view body, std::string_view amzn_error_type_header = {});

// True for the error codes the AWS SDKs treat as throttling.
bool IsThrottlingErrorCode(std::string_view code);

struct RetryOptions {
  int max_attempts = 8;  // first try included; 1 = never retry
  std::chrono::milliseconds base{25};
  std::chrono::milliseconds cap{5000};
};

class RetryPolicy {
 public:
  // A uniform random number in [0, 1); injected so tests know the jitter.
  using Random = std::function<double()>;

  explicit RetryPolicy(RetryOptions options = {}, Random random = {});

  // Whether this kind of outcome may be retried at all (ignores the attempt count).
  static bool IsRetryable(const AttemptOutcome& outcome);
  // attempts_made counts tries so far (1 after the first).
  RetryDecision Decide(const AttemptOutcome& outcome, int attempts_made) const;
  // The wait before retry number `retry` (0 for the first retry): full jitter under
  // min(cap, base * 2^retry).
  std::chrono::milliseconds Backoff(int retry) const;
  // The upper bound Backoff(retry) draws from.
  std::chrono::milliseconds BackoffCeiling(int retry) const;

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  Random random_;
};

// A synchronous retry loop for calls outside the batch client (control-plane calls at
// start-up). `attempt` returns its outcome; `sleep` waits (injected in tests). Returns
// the final outcome's attempt count; *retries gets the number of retries made.
using Sleeper = std::function<void(std::chrono::milliseconds)>;
Sleeper RealSleeper();
int RunWithRetries(const std::function<AttemptOutcome()>& attempt, const RetryPolicy& policy, const Sleeper& sleep,
                   int* retries);

}  // namespace eventlake::aws
