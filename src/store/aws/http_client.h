#pragma once
// HTTP for the AWS APIs on one curl multi handle: many requests in flight (a limit,
// 32 by default), connections kept and reused, every request signed by libcurl's
// SigV4 (CURLOPT_AWS_SIGV4 "aws:amz:<region>:<service>", always with region and
// service), and retried per RetryPolicy without holding up the others. The interface
// works on batches: Run() a vector of requests, or Submit() with a callback and
// Drain(); there is no blocking call per request.
//
// Signing rules kept here (AWS-TESTBED.md): bodies go through CURLOPT_POSTFIELDS (a
// streamed body is signed as empty), PUT is CUSTOMREQUEST "PUT" + POSTFIELDS, S3
// requests carry x-amz-content-sha256 (curl signs it but does not add it), a session
// token is sent and signed as x-amz-security-token, and no empty "Expect:" is added.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/aws/aws_config.h"
#include "store/aws/retry.h"

namespace eventlake::aws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  // Path and query already canonical (uri.h): curl signs them as written.
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // whole attempt, connect included
  // SigV4 signing name ("s3", "dynamodb", "kinesis"); empty sends the request unsigned.
  std::string service;
};

struct HttpResponse {
  long status = 0;             // 0 = no HTTP response: see network_error
  HttpHeaders headers;         // names lower-cased, in arrival order
  std::string body;
  std::string network_error;   // curl's reason when status == 0
  bool timed_out = false;
  std::string error_code;      // AWS error code of a non-2xx answer ("ThrottlingException")
  int retries = 0;             // attempts made beyond the first; add these up for the report

  bool ok() const { return status >= 200 && status <= 299; }
  // First value of a header (lower-case name), empty when absent.
  std::string_view Header(std::string_view lower_name) const;
  // "HTTP 400 ThrottlingException" / "network: Operation timed out ..." for messages.
  std::string Describe() const;
};

struct HttpClientOptions {
  size_t max_in_flight = 32;
  std::chrono::milliseconds connect_timeout{5000};
  RetryOptions retry;
  RetryPolicy::Random random;  // jitter source; default: seeded mt19937_64
  // CURLOPT_CONNECT_TO entries ("example.amazonaws.com:80:127.0.0.1:41234"): send a
  // host's requests elsewhere while signing its real name. For tests and pinning.
  std::vector<std::string> connect_to;
};

struct HttpClientStats {
  uint64_t requests = 0;     // finished (success or final failure)
  uint64_t attempts = 0;
  uint64_t retries = 0;
  uint64_t connections = 0;  // new connections opened (reuse keeps this low)
  size_t peak_in_flight = 0;
};

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;

  HttpClient(Credentials credentials, std::string region, HttpClientOptions options = {});
  HttpClient(const AwsConfig& config, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues a request; `done` runs inside Drain() with the final response (after any
  // retries). A callback may Submit() more requests.
  void Submit(HttpRequest request, Callback done);
  // Runs until every submitted request has finished.
  void Drain();
  // Submit + Drain for a batch; responses in request order.
  std::vector<HttpResponse> Run(std::vector<HttpRequest> requests);

  const HttpClientStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventlake::aws
