#include "store/aws/json_request.h"

#include <utility>

namespace eventlake::aws {

std::string_view JsonTargetPrefix(Service service) {
  switch (service) {
    case Service::kDynamoDb:
      return "DynamoDB_20120810";
    case Service::kKinesis:
      return "Kinesis_20131202";
    case Service::kS3:
      break;
  }
  return "";
}

std::string_view JsonContentType(Service service) {
  return service == Service::kDynamoDb ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
}

HttpRequest MakeJsonRequest(const AwsConfig& config, Service service, std::string_view operation, std::string body) {
  HttpRequest req;
  req.method = "POST";
  req.url = config.Endpoint(service) + "/";
  req.headers.emplace_back("Content-Type", std::string(JsonContentType(service)));
  req.headers.emplace_back("X-Amz-Target", std::string(JsonTargetPrefix(service)) + "." + std::string(operation));
  req.body = std::move(body);
  req.service = std::string(SigningName(service));
  return req;
}

}  // namespace eventlake::aws
