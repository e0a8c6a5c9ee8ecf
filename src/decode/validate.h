#pragma once
// Validation of one NDJSON record against the event contract (DESIGN.md). A bad
// record is data: the answer is a Verdict, never an exception.
#include <simdjson.h>

#include <string>

#include "decode/verdict.h"

namespace eventlake {

struct ValidateOptions {
  int64_t min_created_at = 0;           // inclusive, Unix seconds
  int64_t max_created_at = 4102444800;  // exclusive (2100-01-01)
};

class Validator {
 public:
  explicit Validator(ValidateOptions options) : options_(options) {}
  // `line` must have Framer::kPadding readable bytes after it.
  void Check(std::string_view line, Verdict& out);

 private:
  void CheckSlow(std::string_view object, Verdict& out);
  bool CheckCreatedAt(double v, bool integral, int64_t iv, Verdict& out);
  void FromDom(simdjson::dom::object obj, std::string_view object, Verdict& out);

  ValidateOptions options_;
  simdjson::dom::parser parser_;
  simdjson::ondemand::parser od_parser_;
  std::string event_name_;  // event_name copy for the slow path
  std::string uuid_;        // uuid copy for the slow path
  char fraction_[40];
};

// Strict RFC 8259 syntax check of one JSON text (used only on the error path to tell
// trailing content and huge numbers apart from malformed JSON). Returns the length of
// the first complete value, or -1 when there is none.
long JsonValueLength(std::string_view text);

}  // namespace eventlake
