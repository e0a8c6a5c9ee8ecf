#include "store/local/local_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/local/fs_util.h"

namespace eventlake {
namespace {

class LocalObjectStore final : public ObjectStore {
 public:
  explicit LocalObjectStore(std::string root) : root_(std::move(root)) {}

  Status Publish(const std::string& staged_path, const std::string& key) override {
    const std::string final_path = root_ + "/" + key;
    const std::string dir = final_path.substr(0, final_path.find_last_of('/'));
    struct stat st {};
    if (stat(staged_path.c_str(), &st) != 0) {
      if (stat(final_path.c_str(), &st) == 0) return Status::Ok();  // published before a crash
      return Status::Error("staged file " + staged_path + " and its target " + final_path + " are both missing");
    }
    EL_RETURN_IF_ERROR(MakeDirs(dir));
    if (std::rename(staged_path.c_str(), final_path.c_str()) != 0)
      return Status::Error("cannot publish " + final_path + ": " + std::strerror(errno));
    return FsyncDir(dir);
  }

  std::string Describe() const override { return root_; }

 private:
  std::string root_;
};

}  // namespace

std::unique_ptr<ObjectStore> MakeLocalObjectStore(const std::string& root) {
  return std::make_unique<LocalObjectStore>(root);
}

}  // namespace eventlake
