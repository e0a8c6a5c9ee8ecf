#include "store/aws/retry.h"

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <thread>

namespace eventlake::aws {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The throttling codes of the AWS SDKs (aws-sdk-js-v3 service-error-classification),
// plus S3's RequestTimeout, which they treat as transient.
constexpr std::array<std::string_view, 16> kThrottlingCodes = {
    "BandwidthLimitExceeded",  "EC2ThrottledException", "LimitExceededException",
    "PriorThrottledException", "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",    "RequestThrottled",      "RequestThrottledException",
    "SlowDown",                "ThrottledException",    "Throttling",
    "ThrottlingException",     "TooManyRequestsException", "TransactionInProgressException",
    "RequestTimeout",          "RequestTimeoutException"};

// The string value of `"key":"value"` in a flat JSON object, without a JSON parser:
// AWS error bodies are small and `__type` holds no escapes.
std::string_view JsonStringField(std::string_view body, std::string_view key) {
  // Built by appends: GCC 12 misreports `"\"" + std::string(...)` under -Wrestrict.
  std::string quoted(1, '"');
  quoted.append(key).push_back('"');
  size_t at = body.find(quoted);
  if (at == std::string_view::npos) return {};
  at = body.find(':', at + quoted.size());
  if (at == std::string_view::npos) return {};
  at = body.find('"', at + 1);
  if (at == std::string_view::npos) return {};
  const size_t end = body.find('"', at + 1);
  if (end == std::string_view::npos) return {};
  return body.substr(at + 1, end - at - 1);
}

std::string_view XmlElement(std::string_view body, std::string_view name) {
  std::string open(1, '<');
  open.append(name).push_back('>');
  std::string close("</");
  close.append(name).push_back('>');
  size_t at = body.find(open);
  if (at == std::string_view::npos) return {};
  at += open.size();
  const size_t end = body.find(close, at);
  if (end == std::string_view::npos) return {};
  return body.substr(at, end - at);
}

}  // namespace

std::string AwsErrorCode(std::string_view body, std::string_view amzn_error_type_header) {
  std::string_view type = JsonStringField(body, "__type");
  if (!type.empty()) {
    const size_t hash = type.rfind('#');
    return std::string(hash == std::string_view::npos ? type : type.substr(hash + 1));
  }
  if (!amzn_error_type_header.empty()) {
    return std::string(amzn_error_type_header.substr(0, amzn_error_type_header.find(':')));
  }
  return std::string(XmlElement(body, "Code"));
}

bool IsThrottlingErrorCode(std::string_view code) {
  if (code.empty()) return false;
  for (std::string_view t : kThrottlingCodes) {
    if (code == t) return true;
  }
  // Namespaced codes ("com.amazonaws.kinesis#ProvisionedThroughputExceededException")
  // are stripped by AwsErrorCode; the suffix check covers other spellings.
  return EndsWith(code, "ThrottlingException") || EndsWith(code, "ProvisionedThroughputExceededException");
}

RetryPolicy::RetryPolicy(RetryOptions options, Random random) : options_(options), random_(std::move(random)) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
  options_.max_attempts = std::max(1, options_.max_attempts);
}

bool RetryPolicy::IsRetryable(const AttemptOutcome& outcome) {
  // A failed condition is the store's answer; retrying cannot change it.
  if (EndsWith(outcome.error_code, "ConditionalCheckFailedException")) return false;
  if (outcome.http_status == 0) return true;  // network error or timeout
  if (outcome.http_status == 429) return true;
  if (outcome.http_status >= 500 && outcome.http_status <= 599) return true;
  // Throttling arrives as 400 with an error code (DynamoDB, Kinesis); other 4xx are final.
  if (outcome.http_status == 400) return IsThrottlingErrorCode(outcome.error_code);
  return false;
}

RetryDecision RetryPolicy::Decide(const AttemptOutcome& outcome, int attempts_made) const {
  if (attempts_made >= options_.max_attempts) return RetryDecision::kDone;
  return IsRetryable(outcome) ? RetryDecision::kRetry : RetryDecision::kDone;
}

std::chrono::milliseconds RetryPolicy::BackoffCeiling(int retry) const {
  const int shift = std::clamp(retry, 0, 30);
  const int64_t base = std::max<int64_t>(0, options_.base.count());
  const int64_t cap = std::max<int64_t>(0, options_.cap.count());
  // base * 2^shift without overflow: stop doubling once past the cap.
  int64_t ceiling = base;
  for (int i = 0; i < shift && ceiling < cap; ++i) ceiling *= 2;
  return std::chrono::milliseconds(std::min(ceiling, cap));
}

std::chrono::milliseconds RetryPolicy::Backoff(int retry) const {
  const double r = std::clamp(random_(), 0.0, 1.0);
  const auto ceiling = BackoffCeiling(retry).count();
  auto ms = static_cast<int64_t>(r * static_cast<double>(ceiling));
  return std::chrono::milliseconds(std::min<int64_t>(ms, ceiling));
}

Sleeper RealSleeper() {
  return [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

int RunWithRetries(const std::function<AttemptOutcome()>& attempt, const RetryPolicy& policy, const Sleeper& sleep,
                   int* retries) {
  int made = 0;
  for (;;) {
    const AttemptOutcome outcome = attempt();
    ++made;
    if (policy.Decide(outcome, made) == RetryDecision::kDone) break;
    sleep(policy.Backoff(made - 1));
  }
  if (retries != nullptr) *retries = made - 1;
  return made;
}

}  // namespace eventlake::aws
