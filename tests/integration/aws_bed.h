#pragma once
// What the tests against DynamoDB from the local AWS bed (tests/awsbed) share: the
// config the bed exports, the client options, and the fault proxy
// (tests/awsbed/fault_proxy.mjs) put in front of dynalite. Run the tests under
// `tests/awsbed/bed.sh run DIR -- TEST` (ctest does).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

#ifndef AWSBED_DIR
#error "AWSBED_DIR must point at tests/awsbed"
#endif

namespace eventlake::awsbed {

// The config bed.sh exports (AWS_ENDPOINT_URL_DYNAMODB and credentials); a test failure
// when it is missing.
inline aws::AwsConfig BedConfig() {
  Result<aws::AwsConfig> c = aws::LoadAwsConfig(aws::ProcessEnv());
  if (!c.ok() || std::getenv("AWS_ENDPOINT_URL_DYNAMODB") == nullptr) {
    ADD_FAILURE() << "run under tests/awsbed/bed.sh run DIR -- ... (" << c.status().message() << ")";
    return {};
  }
  return *c;
}

// Up to 8 attempts, quick backoff: the bed answers fast.
inline aws::HttpClientOptions BedHttp(size_t max_in_flight) {
  aws::HttpClientOptions h;
  h.max_in_flight = max_in_flight;
  h.retry = {.max_attempts = 8, .base = std::chrono::milliseconds(5), .cap = std::chrono::milliseconds(100)};
  return h;
}

// node fault_proxy.mjs in front of dynalite; stdin is a pipe held here, so the proxy
// exits when this process does, however it ends.
class FaultProxy {
 public:
  explicit FaultProxy(const std::string& target) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      const std::string script = std::string(AWSBED_DIR) + "/fault_proxy.mjs";
      execlp("node", "node", script.c_str(), "--target", target.c_str(), "--exit-on-stdin-eof",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    FILE* f = fdopen(out[0], "r");
    char line[1024];
    if (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) {
      const std::string s(line);
      const size_t at = s.find("\"url\":\"");
      if (s.rfind("ready ", 0) == 0 && at != std::string::npos) url_ = s.substr(at + 7, s.find('"', at + 7) - (at + 7));
    }
    if (f != nullptr) std::fclose(f);
  }
  ~FaultProxy() {
    if (stdin_ >= 0) close(stdin_);  // EOF: the proxy exits
    if (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, &status, 0);
      }
    }
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  const std::string& url() const { return url_; }
  // `direct` with its DynamoDB requests sent through the proxy.
  aws::AwsConfig InFrontOf(aws::AwsConfig direct) const {
    direct.dynamodb_endpoint = url_;
    return direct;
  }

  aws::HttpResponse Control(const std::string& method, const std::string& body = "") {
    aws::HttpClient client(aws::Credentials{}, "us-east-1");
    aws::HttpRequest r;
    r.method = method;
    r.url = url_ + "/__faults";
    r.body = body;
    std::vector<aws::HttpRequest> one;
    one.push_back(std::move(r));
    return std::move(client.Run(std::move(one)).front());
  }
  // A counter of the proxy's totals ("requests", "forwarded", "dropped", "injected", ...).
  int64_t Total(const char* name) {
    const aws::HttpResponse r = Control("GET");
    simdjson::dom::parser parser;
    int64_t n = -1;
    if (parser.parse(r.body)["totals"][name].get(n)) return -1;
    return n;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string url_;
};

}  // namespace eventlake::awsbed
