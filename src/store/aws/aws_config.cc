#include "store/aws/aws_config.h"

#include <cstdlib>
#include <utility>

namespace eventlake::aws {
namespace {

std::optional<std::string> Get(const EnvLookup& env, const std::string& name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// Checks the scheme and drops trailing slashes; `source` names where the value came from.
Result<std::string> NormalizeEndpoint(std::string url, const std::string& source) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Status::Error(source + " must start with http:// or https:// (got \"" + url + "\")");
  while (url.size() > 8 && url.back() == '/') url.pop_back();
  const size_t host_start = url.find("://") + 3;
  if (url.size() == host_start) return Status::Error(source + " has no host (got \"" + url + "\")");
  if (url.find('/', host_start) != std::string::npos)
    return Status::Error(source + " must not have a path (got \"" + url + "\")");
  return url;
}

struct EndpointSpec {
  Service service;
  const char* env_suffix;                       // AWS_ENDPOINT_URL_<suffix>
  std::optional<std::string> AwsConfigOverrides::*flag;
  std::string AwsConfig::*field;
};

constexpr EndpointSpec kEndpoints[] = {
    {Service::kS3, "S3", &AwsConfigOverrides::s3_endpoint, &AwsConfig::s3_endpoint},
    {Service::kDynamoDb, "DYNAMODB", &AwsConfigOverrides::dynamodb_endpoint, &AwsConfig::dynamodb_endpoint},
    {Service::kKinesis, "KINESIS", &AwsConfigOverrides::kinesis_endpoint, &AwsConfig::kinesis_endpoint},
};

}  // namespace

std::string_view SigningName(Service service) {
  switch (service) {
    case Service::kS3:
      return "s3";
    case Service::kDynamoDb:
      return "dynamodb";
    case Service::kKinesis:
      return "kinesis";
  }
  return "";
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup MapEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const std::string& AwsConfig::Endpoint(Service service) const {
  switch (service) {
    case Service::kS3:
      return s3_endpoint;
    case Service::kDynamoDb:
      return dynamodb_endpoint;
    case Service::kKinesis:
      return kinesis_endpoint;
  }
  return s3_endpoint;
}

std::string MaskKeyId(std::string_view key_id) {
  const size_t shown = key_id.size() >= 8 ? 4 : 0;
  return std::string(key_id.substr(0, shown)) + "…(" + std::to_string(key_id.size()) + " chars)";
}

std::string AwsConfig::Describe() const {
  std::string out = "region=" + region + " access_key_id=" + MaskKeyId(credentials.access_key_id) +
                    " secret_access_key=**** session_token=" + (credentials.session_token.empty() ? "none" : "****") +
                    " s3=" + s3_endpoint + (s3_path_style ? " (path-style)" : " (virtual-hosted)") +
                    " dynamodb=" + dynamodb_endpoint + " kinesis=" + kinesis_endpoint;
  return out;
}

Result<AwsConfig> LoadAwsConfig(const EnvLookup& env, const AwsConfigOverrides& overrides) {
  AwsConfig config;
  std::optional<std::string> key_id = Get(env, "AWS_ACCESS_KEY_ID");
  if (!key_id) return Status::Error("AWS credentials: AWS_ACCESS_KEY_ID is not set");
  std::optional<std::string> secret = Get(env, "AWS_SECRET_ACCESS_KEY");
  if (!secret) return Status::Error("AWS credentials: AWS_SECRET_ACCESS_KEY is not set");
  config.credentials.access_key_id = *key_id;
  config.credentials.secret_access_key = *secret;
  config.credentials.session_token = Get(env, "AWS_SESSION_TOKEN").value_or("");

  if (overrides.region && !overrides.region->empty()) {
    config.region = *overrides.region;
  } else if (auto r = Get(env, "AWS_REGION")) {
    config.region = *r;
  } else if (auto d = Get(env, "AWS_DEFAULT_REGION")) {
    config.region = *d;
  } else {
    return Status::Error("AWS region: neither AWS_REGION nor AWS_DEFAULT_REGION is set");
  }
  for (char c : config.region) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return Status::Error("AWS region \"" + config.region + "\" is not a region name (like eu-west-1)");
  }

  std::optional<std::string> shared_flag = overrides.endpoint_url;
  std::optional<std::string> shared_env = Get(env, "AWS_ENDPOINT_URL");
  bool s3_overridden = false;
  for (const EndpointSpec& spec : kEndpoints) {
    const std::string var = std::string("AWS_ENDPOINT_URL_") + spec.env_suffix;
    std::optional<std::string> url;
    std::string source;
    if (const auto& flag = overrides.*spec.flag; flag && !flag->empty()) {
      url = flag;
      source = std::string("the ") + std::string(SigningName(spec.service)) + " endpoint flag";
    } else if (auto v = Get(env, var)) {
      url = v;
      source = var;
    } else if (shared_flag && !shared_flag->empty()) {
      url = shared_flag;
      source = "the endpoint flag";
    } else if (shared_env) {
      url = shared_env;
      source = "AWS_ENDPOINT_URL";
    }
    if (url) {
      Result<std::string> normalized = NormalizeEndpoint(*url, source);
      if (!normalized.ok()) return normalized.status();
      config.*spec.field = std::move(normalized).value();
      if (spec.service == Service::kS3) s3_overridden = true;
    } else {
      config.*spec.field =
          "https://" + std::string(SigningName(spec.service)) + "." + config.region + ".amazonaws.com";
    }
  }
  config.s3_path_style = overrides.s3_path_style.value_or(s3_overridden);
  return config;
}

}  // namespace eventlake::aws
