#include "sources/kinesis/shard_discovery.h"

#include "store/aws/json_request.h"

namespace eventlake::kinesis {

Result<std::vector<ShardInfo>> ListAllShards(aws::HttpClient& client, const aws::AwsConfig& config,
                                             std::string_view stream, int max_results) {
  std::vector<ShardInfo> shards;
  std::string token;
  // A stream has at most a few thousand shards: a bound on pages catches a token loop.
  for (int page = 0; page < 100000; ++page) {
    std::vector<aws::HttpRequest> one;
    one.push_back(
        aws::MakeJsonRequest(config, aws::Service::kKinesis, "ListShards", ListShardsBody(stream, token, max_results)));
    aws::HttpResponse resp = std::move(client.Run(std::move(one)).front());
    if (!resp.ok()) return Status::Error("ListShards " + std::string(stream) + ": " + resp.Describe());
    auto parsed = ParseListShards(resp.body);
    if (!parsed.ok()) return parsed.status();
    for (ShardInfo& s : parsed->shards) shards.push_back(std::move(s));
    if (parsed->next_token.empty()) return shards;
    if (parsed->next_token == token) return Status::Error("ListShards: the same NextToken came back twice");
    token = std::move(parsed->next_token);
  }
  return Status::Error("ListShards: too many pages");
}

}  // namespace eventlake::kinesis
