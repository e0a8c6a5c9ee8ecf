#include "store/aws/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>

#include "store/aws/payload_hash.h"

#ifndef EVENTLAKE_VERSION
#define EVENTLAKE_VERSION "dev"
#endif

namespace eventlake::aws {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool HasHeader(const HttpHeaders& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (Lower(name) == lower_name) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One request through its attempts; owns what curl points into while it runs.
struct Transfer {
  HttpRequest request;
  HttpClient::Callback done;
  HttpResponse response;
  int attempts = 0;
  Clock::time_point not_before;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::string auth_param;  // "aws:amz:<region>:<service>"
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  // A status line starts a new header block (after "100 Continue" or a redirect).
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos)
    t->response.headers.emplace_back(Lower(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  return size * n;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string HttpResponse::Describe() const {
  if (status == 0) return "network: " + network_error;
  std::string out = "HTTP " + std::to_string(status);
  if (!error_code.empty()) out += " " + error_code;
  return out;
}

struct HttpClient::Impl {
  Credentials credentials;
  std::string region;
  HttpClientOptions options;
  RetryPolicy policy;
  CURLM* multi = nullptr;
  curl_slist* connect_to = nullptr;
  std::vector<CURL*> idle_easies;
  std::deque<std::unique_ptr<Transfer>> ready;
  std::multimap<Clock::time_point, std::unique_ptr<Transfer>> backing_off;
  std::map<CURL*, std::unique_ptr<Transfer>> active;
  HttpClientStats stats;

  Impl(Credentials c, std::string r, HttpClientOptions o)
      : credentials(std::move(c)), region(std::move(r)), options(std::move(o)), policy(options.retry, options.random) {
    GlobalInit();
    options.max_in_flight = std::max<size_t>(1, options.max_in_flight);
    multi = curl_multi_init();
    // Keep one idle connection per possible transfer so a batch reuses them all.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_in_flight));
    for (const std::string& entry : options.connect_to) connect_to = curl_slist_append(connect_to, entry.c_str());
  }

  ~Impl() {
    for (auto& [easy, t] : active) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(t->header_list);
    }
    for (CURL* easy : idle_easies) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
    curl_slist_free_all(connect_to);
  }

  void Start(std::unique_ptr<Transfer> t) {
    CURL* easy;
    if (idle_easies.empty()) {
      easy = curl_easy_init();
    } else {
      easy = idle_easies.back();
      idle_easies.pop_back();
      curl_easy_reset(easy);
    }
    t->easy = easy;
    t->error[0] = '\0';
    Configure(*t);
    ++t->attempts;
    ++stats.attempts;
    curl_multi_add_handle(multi, easy);
    active.emplace(easy, std::move(t));
    stats.peak_in_flight = std::max(stats.peak_in_flight, active.size());
  }

  void Configure(Transfer& t) {
    CURL* e = t.easy;
    const HttpRequest& req = t.request;
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "eventlake/" EVENTLAKE_VERSION);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    if (connect_to != nullptr) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to);

    // Method and body. Bodies always go through POSTFIELDS: curl hashes that buffer for
    // the signature (a read callback would be signed as the empty payload).
    const bool has_body = !req.body.empty() || req.method == "POST" || req.method == "PUT";
    if (req.method == "GET" && !has_body) {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
      if (has_body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
      }
      if (req.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    // Headers: the caller's, then what signing needs. curl signs every header given here.
    curl_slist_free_all(t.header_list);
    t.header_list = nullptr;
    for (const auto& [name, value] : req.headers) {
      // "Name;" is curl's spelling of a header with an empty value.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
    }
    if (!req.service.empty()) {
      if (req.service == "s3" && !HasHeader(req.headers, "x-amz-content-sha256"))
        t.header_list = curl_slist_append(t.header_list, ("x-amz-content-sha256: " + Sha256Hex(req.body)).c_str());
      if (!credentials.session_token.empty() && !HasHeader(req.headers, "x-amz-security-token"))
        t.header_list =
            curl_slist_append(t.header_list, ("x-amz-security-token: " + credentials.session_token).c_str());
      t.auth_param = "aws:amz:" + region + ":" + req.service;
      curl_easy_setopt(e, CURLOPT_AWS_SIGV4, t.auth_param.c_str());
      curl_easy_setopt(e, CURLOPT_USERNAME, credentials.access_key_id.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, credentials.secret_access_key.c_str());
    }
    if (t.header_list != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
  }

  // A transfer left curl: retry it later or hand its response back.
  void Finish(CURL* easy, CURLcode result) {
    auto it = active.find(easy);
    if (it == active.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    stats.connections += static_cast<uint64_t>(std::max(0L, connects));
    HttpResponse& resp = t->response;
    if (result == CURLE_OK) {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp.status);
      resp.network_error.clear();
      resp.timed_out = false;
      resp.error_code = resp.ok() ? std::string() : AwsErrorCode(resp.body, resp.Header("x-amzn-errortype"));
    } else {
      resp.status = 0;
      resp.timed_out = result == CURLE_OPERATION_TIMEDOUT;
      resp.network_error = t->error[0] != '\0' ? std::string(t->error) : curl_easy_strerror(result);
      resp.error_code.clear();
    }
    curl_slist_free_all(t->header_list);
    t->header_list = nullptr;
    t->easy = nullptr;
    idle_easies.push_back(easy);

    const AttemptOutcome outcome{resp.status, resp.error_code};
    if (policy.Decide(outcome, t->attempts) == RetryDecision::kRetry) {
      const auto wait = policy.Backoff(t->attempts - 1);
      ++resp.retries;
      ++stats.retries;
      resp.body.clear();
      resp.headers.clear();
      t->not_before = Clock::now() + wait;
      backing_off.emplace(t->not_before, std::move(t));
      return;
    }
    ++stats.requests;
    HttpResponse final_response = std::move(t->response);
    Callback done = std::move(t->done);
    t.reset();
    if (done) done(std::move(final_response));
  }

  void Drain() {
    while (!ready.empty() || !backing_off.empty() || !active.empty()) {
      const auto now = Clock::now();
      while (!backing_off.empty() && backing_off.begin()->first <= now) {
        ready.push_back(std::move(backing_off.begin()->second));
        backing_off.erase(backing_off.begin());
      }
      while (active.size() < options.max_in_flight && !ready.empty()) {
        std::unique_ptr<Transfer> t = std::move(ready.front());
        ready.pop_front();
        Start(std::move(t));
      }
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
      }
      if (!ready.empty() && active.size() < options.max_in_flight) continue;
      // Wait for socket activity, or until the next backed-off retry is due.
      int timeout_ms = 1000;
      if (!backing_off.empty()) {
        const auto due = std::chrono::duration_cast<std::chrono::milliseconds>(backing_off.begin()->first -
                                                                                Clock::now());
        timeout_ms = static_cast<int>(std::clamp<int64_t>(due.count(), 0, timeout_ms));
      }
      if (active.empty() && ready.empty() && backing_off.empty()) break;
      curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
    }
  }
};

HttpClient::HttpClient(Credentials credentials, std::string region, HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(credentials), std::move(region), std::move(options))) {}

HttpClient::HttpClient(const AwsConfig& config, HttpClientOptions options)
    : HttpClient(config.credentials, config.region, std::move(options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::Submit(HttpRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->ready.push_back(std::move(t));
}

void HttpClient::Drain() { impl_->Drain(); }

std::vector<HttpResponse> HttpClient::Run(std::vector<HttpRequest> requests) {
  std::vector<HttpResponse> responses(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    Submit(std::move(requests[i]), [&responses, i](HttpResponse r) { responses[i] = std::move(r); });
  }
  Drain();
  return responses;
}

const HttpClientStats& HttpClient::stats() const { return impl_->stats; }

}  // namespace eventlake::aws
