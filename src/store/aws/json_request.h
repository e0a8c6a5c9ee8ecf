#pragma once
// Requests for the AWS JSON protocols: POST / with X-Amz-Target "<prefix>.<Operation>"
// and Content-Type application/x-amz-json-1.0 (DynamoDB) or -1.1 (Kinesis), signed for
// the service's signing name, the body sent as given.
#include <string>
#include <string_view>

#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake::aws {

// "DynamoDB_20120810" / "Kinesis_20131202"; empty for S3 (not a JSON service).
std::string_view JsonTargetPrefix(Service service);
// "application/x-amz-json-1.0" / "application/x-amz-json-1.1".
std::string_view JsonContentType(Service service);

// operation: "PutItem", "GetRecords", ...; body: the JSON document.
HttpRequest MakeJsonRequest(const AwsConfig& config, Service service, std::string_view operation, std::string body);

}  // namespace eventlake::aws
