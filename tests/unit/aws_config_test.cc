// store/aws config: credentials, region and endpoints from an injected environment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/aws/aws_config.h"

namespace eventlake::aws {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::map<std::string, std::string> Base() {
  return {{"AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"},
          {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
          {"AWS_REGION", "eu-west-1"}};
}

TEST(AwsConfigTest, DefaultsToThePublicEndpoints) {
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(Base()));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->s3_endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(c->dynamodb_endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(c->kinesis_endpoint, "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_EQ(c->Endpoint(Service::kKinesis), c->kinesis_endpoint);
  EXPECT_FALSE(c->s3_path_style);
  EXPECT_TRUE(c->credentials.session_token.empty());
}

TEST(AwsConfigTest, SessionTokenAndDefaultRegion) {
  auto env = Base();
  env.erase("AWS_REGION");
  env["AWS_DEFAULT_REGION"] = "us-west-2";
  env["AWS_SESSION_TOKEN"] = "FQoGZXIvYXdzEXAMPLE";
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "us-west-2");
  EXPECT_EQ(c->credentials.session_token, "FQoGZXIvYXdzEXAMPLE");
}

TEST(AwsConfigTest, AwsRegionWinsOverDefaultRegionAndAFlagWinsOverBoth) {
  auto env = Base();
  env["AWS_DEFAULT_REGION"] = "us-west-2";
  EXPECT_EQ(LoadAwsConfig(MapEnv(env))->region, "eu-west-1");
  AwsConfigOverrides flags;
  flags.region = "ap-south-1";
  EXPECT_EQ(LoadAwsConfig(MapEnv(env), flags)->region, "ap-south-1");
}

TEST(AwsConfigTest, ServiceEndpointThenSharedEndpointThenDefault) {
  auto env = Base();
  env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566/";
  env["AWS_ENDPOINT_URL_DYNAMODB"] = "http://127.0.0.1:8000";
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->dynamodb_endpoint, "http://127.0.0.1:8000");
  EXPECT_EQ(c->kinesis_endpoint, "http://127.0.0.1:4566");  // trailing slash dropped
  EXPECT_EQ(c->s3_endpoint, "http://127.0.0.1:4566");
  EXPECT_TRUE(c->s3_path_style);  // an S3-compatible endpoint: path-style by default
}

TEST(AwsConfigTest, FlagsOverrideTheEnvironment) {
  auto env = Base();
  env["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:1";
  AwsConfigOverrides flags;
  flags.s3_endpoint = "http://127.0.0.1:2";
  flags.endpoint_url = "http://127.0.0.1:3";
  flags.s3_path_style = false;
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env), flags);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->s3_endpoint, "http://127.0.0.1:2");
  EXPECT_EQ(c->kinesis_endpoint, "http://127.0.0.1:3");
  EXPECT_FALSE(c->s3_path_style);
}

TEST(AwsConfigTest, OnlyS3OverrideTurnsOnPathStyle) {
  auto env = Base();
  env["AWS_ENDPOINT_URL_KINESIS"] = "http://127.0.0.1:4567";
  EXPECT_FALSE(LoadAwsConfig(MapEnv(env))->s3_path_style);
  AwsConfigOverrides flags;
  flags.s3_path_style = true;
  EXPECT_TRUE(LoadAwsConfig(MapEnv(Base()), flags)->s3_path_style);
}

TEST(AwsConfigTest, MissingVariablesAreNamed) {
  for (const char* var : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
    auto env = Base();
    env.erase(var);
    Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
    ASSERT_FALSE(c.ok());
    EXPECT_THAT(c.status().message(), HasSubstr(var));
  }
  auto env = Base();
  env.erase("AWS_REGION");
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("AWS_REGION"));
  EXPECT_THAT(c.status().message(), HasSubstr("AWS_DEFAULT_REGION"));
}

TEST(AwsConfigTest, EmptyValuesCountAsUnset) {
  auto env = Base();
  env["AWS_SECRET_ACCESS_KEY"] = "";
  EXPECT_FALSE(LoadAwsConfig(MapEnv(env)).ok());
}

TEST(AwsConfigTest, BadEndpointsAndRegionsAreRejectedWithTheirSource) {
  auto env = Base();
  env["AWS_ENDPOINT_URL_KINESIS"] = "127.0.0.1:4567";
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("AWS_ENDPOINT_URL_KINESIS"));
  env = Base();
  env["AWS_ENDPOINT_URL"] = "http://host/path";
  EXPECT_FALSE(LoadAwsConfig(MapEnv(env)).ok());
  env = Base();
  env["AWS_REGION"] = "eu west 1";
  EXPECT_FALSE(LoadAwsConfig(MapEnv(env)).ok());
}

TEST(AwsConfigTest, DescribeNeverShowsTheSecretOrTheToken) {
  auto env = Base();
  env["AWS_SESSION_TOKEN"] = "FQoGZXIvYXdzEXAMPLETOKEN";
  Result<AwsConfig> c = LoadAwsConfig(MapEnv(env));
  ASSERT_TRUE(c.ok());
  const std::string d = c->Describe();
  EXPECT_THAT(d, Not(HasSubstr("wJalrXUtnFEMI")));
  EXPECT_THAT(d, Not(HasSubstr("FQoGZXIvYXdzEXAMPLETOKEN")));
  EXPECT_THAT(d, Not(HasSubstr("AKIAIOSFODNN7EXAMPLE")));
  EXPECT_THAT(d, HasSubstr("AKIA"));
  EXPECT_THAT(d, HasSubstr("eu-west-1"));
}

TEST(AwsConfigTest, SigningNames) {
  EXPECT_EQ(SigningName(Service::kS3), "s3");
  EXPECT_EQ(SigningName(Service::kDynamoDb), "dynamodb");
  EXPECT_EQ(SigningName(Service::kKinesis), "kinesis");
}

TEST(AwsConfigTest, ProcessEnvReadsTheRealEnvironment) {
  // Only reads; PATH is set in any test environment.
  EXPECT_TRUE(ProcessEnv()("PATH").has_value());
  EXPECT_FALSE(ProcessEnv()("EVENTLAKE_SURELY_UNSET_VARIABLE_42").has_value());
}

}  // namespace
}  // namespace eventlake::aws
