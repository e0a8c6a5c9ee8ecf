// store/aws HttpClient against a loopback listener: many requests in flight on reused
// connections, retries of 503/throttling/timeouts without holding up the others, and
// no retry for a failed condition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "aws_loopback.h"
#include "store/aws/http_client.h"
#include "store/aws/json_request.h"

namespace eventlake::aws {
namespace {

using std::chrono::milliseconds;
using testing::CannedReply;
using testing::CapturedRequest;
using testing::LoopbackServer;

Credentials Creds() { return {"AKIDEXAMPLE", "secret", ""}; }

HttpClientOptions FastRetries(size_t in_flight = 32) {
  HttpClientOptions o;
  o.max_in_flight = in_flight;
  o.retry = {.max_attempts = 4, .base = milliseconds(1), .cap = milliseconds(4)};
  o.random = [] { return 0.5; };
  return o;
}

HttpRequest Get(const LoopbackServer& server, const std::string& path) {
  HttpRequest r;
  r.url = server.Origin() + path;
  r.service = "dynamodb";
  return r;
}

TEST(HttpClientTest, ManyRequestsInFlightOnReusedConnections) {
  constexpr int kInFlight = 8;
  constexpr int kRequests = 64;
  LoopbackServer* self = nullptr;
  std::atomic<int> arrived{0};
  std::atomic<bool> reached{false};
  LoopbackServer server([&](const CapturedRequest& r) {
    // The first wave answers only once kInFlight requests are open at the same time: a
    // client that sent one at a time would never get there.
    if (arrived++ < kInFlight && self->WaitForInFlight(kInFlight)) reached = true;
    return CannedReply{200, "echo " + r.target};
  });
  self = &server;
  HttpClient client(Creds(), "us-east-1", FastRetries(kInFlight));
  std::vector<HttpRequest> batch;
  for (int i = 0; i < kRequests; ++i) batch.push_back(Get(server, "/r" + std::to_string(i)));
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  ASSERT_EQ(out.size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(out[i].status, 200);
    EXPECT_EQ(out[i].body, "echo /r" + std::to_string(i));  // responses in request order
  }
  EXPECT_TRUE(reached);
  EXPECT_EQ(server.peak_in_flight(), kInFlight);
  EXPECT_EQ(client.stats().peak_in_flight, static_cast<size_t>(kInFlight));
  // Connection reuse: never more connections than transfers in flight.
  EXPECT_LE(server.connections(), kInFlight);
  EXPECT_LE(client.stats().connections, static_cast<uint64_t>(kInFlight));
  EXPECT_EQ(client.stats().requests, static_cast<uint64_t>(kRequests));
  EXPECT_EQ(client.stats().retries, 0u);

  // A second batch on the same client opens no new connection.
  const int before = server.connections();
  std::vector<HttpRequest> again;
  for (int i = 0; i < kInFlight; ++i) again.push_back(Get(server, "/again"));
  for (const HttpResponse& r : client.Run(std::move(again))) EXPECT_EQ(r.status, 200);
  EXPECT_EQ(server.connections(), before);
}

TEST(HttpClientTest, A503IsRetriedThenSucceeds) {
  std::mutex mu;
  std::map<std::string, int> seen;
  LoopbackServer server([&](const CapturedRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (seen[r.target]++ == 0)
      return CannedReply{503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"};
    return CannedReply{200, "ok"};
  });
  HttpClient client(Creds(), "us-east-1", FastRetries());
  std::vector<HttpRequest> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(Get(server, "/k" + std::to_string(i)));
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  for (const HttpResponse& r : out) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok");
    EXPECT_EQ(r.retries, 1);
  }
  EXPECT_EQ(client.stats().retries, 10u);
  EXPECT_EQ(client.stats().attempts, 20u);
  EXPECT_EQ(server.requests().size(), 20u);
}

TEST(HttpClientTest, ThrottlingIsRetriedButAFailedConditionIsNot) {
  std::atomic<int> throttled{0};
  LoopbackServer server([&](const CapturedRequest& r) {
    if (r.Header("x-amz-target") == "DynamoDB_20120810.PutItem" && r.body.find("taken") != std::string::npos)
      return CannedReply{400,
                         R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                         R"("message":"The conditional request failed"})",
                         {{"Content-Type", "application/x-amz-json-1.0"}}};
    if (throttled++ < 2)
      return CannedReply{400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException"})"};
    return CannedReply{200, "{}"};
  });
  AwsConfig config;
  config.credentials = Creds();
  config.region = "us-east-1";
  config.dynamodb_endpoint = server.Origin();
  HttpClient client(config, FastRetries());
  std::vector<HttpRequest> batch;
  batch.push_back(MakeJsonRequest(config, Service::kDynamoDb, "PutItem", R"({"Item":"taken"})"));
  std::vector<HttpResponse> first = client.Run(std::move(batch));
  EXPECT_EQ(first[0].status, 400);
  EXPECT_EQ(first[0].error_code, "ConditionalCheckFailedException");
  EXPECT_EQ(first[0].retries, 0);

  std::vector<HttpRequest> second;
  second.push_back(MakeJsonRequest(config, Service::kDynamoDb, "PutItem", R"({"Item":"free"})"));
  std::vector<HttpResponse> out = client.Run(std::move(second));
  EXPECT_EQ(out[0].status, 200);
  EXPECT_EQ(out[0].retries, 2);
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(HttpClientTest, ATimeoutIsRetriedOnAFreshConnection) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](const CapturedRequest&) {
    if (calls++ == 0) return CannedReply::Hang();  // the first attempt never gets an answer
    return CannedReply{200, "late but fine"};
  });
  HttpClient client(Creds(), "us-east-1", FastRetries());
  HttpRequest req = Get(server, "/slow");
  req.timeout = milliseconds(150);
  std::vector<HttpRequest> batch;
  batch.push_back(std::move(req));
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  EXPECT_EQ(out[0].status, 200);
  EXPECT_EQ(out[0].body, "late but fine");
  EXPECT_EQ(out[0].retries, 1);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClientTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  LoopbackServer server([](const CapturedRequest&) { return CannedReply{500, R"({"__type":"InternalServerError"})"}; });
  HttpClient client(Creds(), "us-east-1", FastRetries());
  std::vector<HttpRequest> batch;
  batch.push_back(Get(server, "/down"));
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  EXPECT_EQ(out[0].status, 500);
  EXPECT_EQ(out[0].error_code, "InternalServerError");
  EXPECT_EQ(out[0].retries, 3);
  EXPECT_EQ(out[0].Describe(), "HTTP 500 InternalServerError");
}

TEST(HttpClientTest, ANetworkErrorIsReportedAfterRetries) {
  int port;
  {
    LoopbackServer gone;
    port = gone.port();
  }  // closed: connections are refused now
  HttpClient client(Creds(), "us-east-1", FastRetries());
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  std::vector<HttpRequest> batch;
  batch.push_back(std::move(req));
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  EXPECT_EQ(out[0].status, 0);
  EXPECT_FALSE(out[0].network_error.empty());
  EXPECT_EQ(out[0].retries, 3);
}

TEST(HttpClientTest, CallbacksMaySubmitFollowUps) {
  LoopbackServer server([](const CapturedRequest& r) { return CannedReply{200, r.target}; });
  HttpClient client(Creds(), "us-east-1", FastRetries());
  std::vector<std::string> order;
  client.Submit(Get(server, "/first"), [&](HttpResponse r) {
    order.push_back(r.body);
    client.Submit(Get(server, "/second"), [&](HttpResponse r2) { order.push_back(r2.body); });
  });
  client.Drain();
  EXPECT_THAT(order, ::testing::ElementsAre("/first", "/second"));
}

TEST(HttpClientTest, MethodsBodiesAndResponseHeaders) {
  LoopbackServer server([](const CapturedRequest& r) {
    return CannedReply{200, r.method + ":" + r.body, {{"ETag", "\"abc\""}, {"X-Amzn-RequestId", "rid"}}};
  });
  HttpClient client(Creds(), "us-east-1", FastRetries());
  std::vector<HttpRequest> batch;
  for (const char* m : {"GET", "PUT", "POST", "DELETE", "HEAD"}) {
    HttpRequest r = Get(server, "/m");
    r.method = m;
    if (std::string(m) == "PUT" || std::string(m) == "POST") r.body = std::string("body-") + m;
    batch.push_back(std::move(r));
  }
  std::vector<HttpResponse> out = client.Run(std::move(batch));
  EXPECT_EQ(out[0].body, "GET:");
  EXPECT_EQ(out[1].body, "PUT:body-PUT");
  EXPECT_EQ(out[2].body, "POST:body-POST");
  EXPECT_EQ(out[3].body, "DELETE:");
  EXPECT_EQ(out[4].body, "");
  EXPECT_EQ(out[4].status, 200);
  EXPECT_EQ(out[1].Header("etag"), "\"abc\"");
  EXPECT_EQ(out[1].Header("x-amzn-requestid"), "rid");
  const std::vector<CapturedRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 5u);
}

}  // namespace
}  // namespace eventlake::aws
