#pragma once
// Which shards of a stream may be read now. Resharding closes shards and opens children:
// a split gives one parent two children, a merge gives one child two parents (parent +
// adjacent parent). Records of a key stay in order only if every parent is drained
// before its child is read, so a child becomes readable once all its parents are
// finished. A parent that ListShards no longer returns (trimmed past retention) counts
// as finished.
#include <set>
#include <string>
#include <vector>

#include "sources/kinesis/kinesis_api.h"

namespace eventlake::kinesis {

class ShardGraph {
 public:
  explicit ShardGraph(std::vector<ShardInfo> shards);

  // Shards not in `finished` whose parents are all finished (or unknown), in shard id order.
  std::vector<std::string> Readable(const std::set<std::string>& finished) const;
  // The parents of a shard that this graph knows (0, 1 or 2).
  std::vector<std::string> KnownParents(const std::string& shard_id) const;
  std::vector<std::string> Children(const std::string& shard_id) const;
  // Closed shards: with a LATEST start there is nothing left to read in them.
  std::vector<std::string> ClosedShards() const;
  const ShardInfo* Find(const std::string& shard_id) const;
  const std::vector<ShardInfo>& shards() const { return shards_; }

 private:
  std::vector<ShardInfo> shards_;  // sorted by shard id
};

}  // namespace eventlake::kinesis
