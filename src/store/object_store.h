#pragma once
// Where published files live. Publishing takes a durable staged file (local disk) and
// makes it visible under its final key, all at once and idempotently: publishing the
// same staged file to the same key twice is harmless (recovery relies on that).
#include <string>

#include "core/status.h"

namespace eventlake {

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // staged_path: absolute local path; key: path relative to the lake root.
  // When the staged file is gone and the key exists, an earlier publish finished: Ok.
  virtual Status Publish(const std::string& staged_path, const std::string& key) = 0;
  // Human description ("/data/lake", "s3://bucket/prefix").
  virtual std::string Describe() const = 0;
};

}  // namespace eventlake
