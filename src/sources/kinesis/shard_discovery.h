#pragma once
// Every shard of a stream through paginated ListShards (a control-plane call at start and
// after a shard ends, so pages are fetched one after the other: each needs the last token).
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sources/kinesis/kinesis_api.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake::kinesis {

Result<std::vector<ShardInfo>> ListAllShards(aws::HttpClient& client, const aws::AwsConfig& config,
                                             std::string_view stream, int max_results = kMaxListShardsResults);

}  // namespace eventlake::kinesis
