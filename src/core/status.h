#pragma once
// Errors as values (DuckDB/Redpanda style): Status for "did it work", Result<T> for
// "the value or why not". Nothing on the hot path throws.
#include <string>
#include <utility>
#include <variant>

namespace eventlake {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return message_.empty(); }
  const std::string& message() const { return message_; }
  // Adds context in front: "reading x: <message>".
  Status Context(const std::string& what) const { return ok() ? *this : Status(what + ": " + message_); }
  // Ignoring a Status is written out so it can be searched (RocksDB's PermitUncheckedError).
  void PermitUnchecked() const {}

 private:
  explicit Status(std::string message) : message_(std::move(message)) {
    if (message_.empty()) message_ = "unknown error";
  }
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &std::get<T>(v_); }
  T& operator*() & { return std::get<T>(v_); }

 private:
  std::variant<T, Status> v_;
};

#define EL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::eventlake::Status el_status_ = (expr); \
    if (!el_status_.ok()) return el_status_; \
  } while (0)

}  // namespace eventlake
