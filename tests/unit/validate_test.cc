// decode/validate: every invalid-record reason, and what a valid record yields.
#include "decode/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/framer.h"

namespace eventlake {
namespace {

using ::testing::HasSubstr;

constexpr char kValid[] = R"({"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30})";

// Builds {"event_uuid":<uuid>,"event_name":<name>,"created_at":<created><extra>} from raw JSON texts.
std::string Event(std::string_view uuid, std::string_view name, std::string_view created, std::string_view extra = "") {
  return std::string(R"({"event_uuid":)") + std::string(uuid) + R"(,"event_name":)" + std::string(name) +
         R"(,"created_at":)" + std::string(created) + std::string(extra) + "}";
}

class ValidateTest : public ::testing::Test {
 protected:
  // The line lives inside a larger buffer: the validator may read kPadding bytes past it.
  // The padding is junk JSON so that reading it as data would change the verdict.
  const Verdict& Check(std::string_view line, ValidateOptions options = {}) {
    storage_ = std::string(line) + std::string(Framer::kPadding, '}');
    validator_ = std::make_unique<Validator>(options);
    validator_->Check(std::string_view(storage_.data(), line.size()), verdict_);
    return verdict_;
  }
  void ExpectInvalid(std::string_view line, Reason reason, std::string_view detail_part = "") {
    SCOPED_TRACE(std::string("line: ") + std::string(line));
    const Verdict& v = Check(line);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(ReasonName(v.reason), std::string(ReasonName(reason)));
    EXPECT_FALSE(v.detail.empty());
    if (!detail_part.empty()) {
      EXPECT_THAT(v.detail, HasSubstr(std::string(detail_part)));
    }
  }
  const Verdict& ExpectValid(std::string_view line) {
    SCOPED_TRACE(std::string("line: ") + std::string(line));
    const Verdict& v = Check(line);
    EXPECT_TRUE(v.ok) << ReasonName(v.reason) << ": " << v.detail;
    return v;
  }

  std::string storage_;
  std::unique_ptr<Validator> validator_;
  Verdict verdict_;
};

TEST_F(ValidateTest, ReasonNamesAreStable) {
  const std::vector<std::string> want = {
      "malformed_json", "not_an_object",           "missing_field",    "empty_field",   "wrong_type",
      "bad_event_name", "created_at_out_of_range", "trailing_content", "duplicate_key", "reserved_field",
      "invalid_utf8",   "record_too_large"};
  ASSERT_EQ(static_cast<int>(want.size()), kReasonCount);
  for (int i = 0; i < kReasonCount; ++i) EXPECT_EQ(ReasonName(static_cast<Reason>(i)), want[i]);
}

TEST_F(ValidateTest, ValidRecord) {
  const Verdict& v = ExpectValid(kValid);
  EXPECT_EQ(v.fields.uuid, "a1");
  EXPECT_EQ(v.fields.type, "account");
  EXPECT_EQ(v.fields.subtype, "created");
  EXPECT_EQ(v.fields.seconds, 1644838800);
  EXPECT_EQ(v.fields.fraction, "");
  EXPECT_EQ(v.fields.object, kValid);
  EXPECT_TRUE(v.detail.empty());
}

TEST_F(ValidateTest, SurroundingWhitespaceIsNotPartOfTheObject) {
  const std::string line = std::string(" \t") + kValid + "  \r";
  EXPECT_EQ(ExpectValid(line).fields.object, kValid);
}

TEST_F(ValidateTest, UuidEscapesAreDecoded) {
  EXPECT_EQ(ExpectValid(Event(R"("\u0061\u0031")", R"("account:created")", "1644838800")).fields.uuid, "a1");
  EXPECT_EQ(ExpectValid(Event(R"("a\"b\\c\/d")", R"("x:y")", "1")).fields.uuid, "a\"b\\c/d");
  EXPECT_EQ(ExpectValid(Event(R"("\u00e9\ud83d\ude00")", R"("x:y")", "1")).fields.uuid, "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST_F(ValidateTest, EventNameSplitsAtFirstColon) {
  const Verdict& v = ExpectValid(Event(R"("a2")", R"("payment:order:completed")", "1644838800.25"));
  EXPECT_EQ(v.fields.type, "payment");
  EXPECT_EQ(v.fields.subtype, "order:completed");
  const Verdict& w = ExpectValid(Event(R"("a2")", R"("a::")", "1"));
  EXPECT_EQ(w.fields.type, "a");
  EXPECT_EQ(w.fields.subtype, ":");
}

TEST_F(ValidateTest, EscapedColonInEventName) {
  const Verdict& v = ExpectValid(Event(R"("u")", R"("account\u003acreated")", "1"));
  EXPECT_EQ(v.fields.type, "account");
  EXPECT_EQ(v.fields.subtype, "created");
  // The same on the slow path (a number simdjson's DOM cannot hold forces it).
  const Verdict& w = ExpectValid(Event(R"("u")", R"("account\u003acreated")", "1", R"(,"big":1e400)"));
  EXPECT_EQ(w.fields.type, "account");
  EXPECT_EQ(w.fields.subtype, "created");
}

TEST_F(ValidateTest, FractionalCreatedAt) {
  const Verdict& v = ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.25"));
  EXPECT_EQ(v.fields.seconds, 1644838800);
  EXPECT_EQ(v.fields.fraction, "25");
  const Verdict& w = ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.0"));
  EXPECT_EQ(w.fields.seconds, 1644838800);
  EXPECT_EQ(w.fields.fraction, "");
  const Verdict& x = ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.10"));
  EXPECT_EQ(x.fields.fraction, "1");
  const Verdict& y = ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.123456"));
  EXPECT_EQ(y.fields.seconds, 1644838800);
  EXPECT_EQ(y.fields.fraction, "123456");
  const Verdict& z = ExpectValid(Event(R"("u")", R"("a:b")", "1.6448388e9"));
  EXPECT_EQ(z.fields.seconds, 1644838800);
  EXPECT_EQ(z.fields.fraction, "");
  const Verdict& h = ExpectValid(Event(R"("u")", R"("a:b")", "0.5"));
  EXPECT_EQ(h.fields.seconds, 0);
  EXPECT_EQ(h.fields.fraction, "5");
}

TEST_F(ValidateTest, FractionTruncatedToMicroseconds) {
  const Verdict& v = ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.1234567"));
  EXPECT_EQ(v.fields.seconds, 1644838800);
  EXPECT_EQ(v.fields.fraction, "123456");
  // Truncated, never rounded: the second (and so the date) stays. (.9999997 is the
  // closest double below the next second; .9999999 already parses as the next second.)
  const Verdict& w = ExpectValid(Event(R"("u")", R"("a:b")", "1644796799.9999997"));
  EXPECT_EQ(w.fields.seconds, 1644796799);
  EXPECT_EQ(w.fields.fraction, "999999");
  EXPECT_EQ(ExpectValid(Event(R"("u")", R"("a:b")", "1644838800.1000001")).fields.fraction, "1");
  const Verdict& z = ExpectValid(Event(R"("u")", R"("a:b")", "0.0000001"));
  EXPECT_EQ(z.fields.seconds, 0);
  EXPECT_EQ(z.fields.fraction, "");
}

TEST_F(ValidateTest, HugeNumbersInThePayloadAreStillValid) {
  const std::string line =
      Event(R"("\u0061\u0031")", R"("account:created")", "1644838800.5",
            R"(,"n":123456789012345678901234567890,"f":1e400,"neg":-123456789012345678901234567890)");
  const Verdict& v = ExpectValid(line);
  EXPECT_EQ(v.fields.uuid, "a1");
  EXPECT_EQ(v.fields.type, "account");
  EXPECT_EQ(v.fields.subtype, "created");
  EXPECT_EQ(v.fields.seconds, 1644838800);
  EXPECT_EQ(v.fields.fraction, "5");
  EXPECT_EQ(v.fields.object, line);
}

TEST_F(ValidateTest, CreatedAtBoundsAreInclusiveExclusive) {
  EXPECT_EQ(ExpectValid(Event(R"("u")", R"("a:b")", "0")).fields.seconds, 0);
  EXPECT_EQ(ExpectValid(Event(R"("u")", R"("a:b")", "4102444799")).fields.seconds, 4102444799);
  ExpectInvalid(Event(R"("u")", R"("a:b")", "4102444800"), Reason::kCreatedAtOutOfRange,
                "created_at 4102444800 is outside [0, 4102444800)");
  const ValidateOptions narrow{1000, 2000};
  EXPECT_FALSE(Check(Event(R"("u")", R"("a:b")", "999"), narrow).ok);
  EXPECT_TRUE(Check(Event(R"("u")", R"("a:b")", "1000"), narrow).ok);
  EXPECT_TRUE(Check(Event(R"("u")", R"("a:b")", "1999.5"), narrow).ok);
  EXPECT_FALSE(Check(Event(R"("u")", R"("a:b")", "999.5"), narrow).ok);
  EXPECT_FALSE(Check(Event(R"("u")", R"("a:b")", "2000"), narrow).ok);
  EXPECT_EQ(verdict_.reason, Reason::kCreatedAtOutOfRange);
}

TEST_F(ValidateTest, CreatedAtOutOfRange) {
  for (const char* created : {"-1", "-0.5", "1e12", "4102444800.5", "18446744073709551615", "9223372036854775807",
                              "-9223372036854775809", "123456789012345678901234567890", "1e400", "-1e400"}) {
    ExpectInvalid(Event(R"("u")", R"("a:b")", created), Reason::kCreatedAtOutOfRange);
  }
  ExpectInvalid(Event(R"("u")", R"("a:b")", "-1"), Reason::kCreatedAtOutOfRange, "created_at -1 is outside");
}

TEST_F(ValidateTest, MalformedJson) {
  for (const char* line :
       {"{", R"({"event_uuid":"a1")", R"({"a":})", "nope", "{'a':1}", R"({"a":1,})", R"({"a" 1})", R"({"a":01})",
        "{\"a\":\"x\ty\"}", R"({"a":"\x"})", R"({"a":tru})", R"({"a":[1,2})", "}", R"({"a":1)"}) {
    ExpectInvalid(line, Reason::kMalformedJson, "JSON");
  }
}

TEST_F(ValidateTest, NotAnObject) {
  for (const char* line : {"[1]", R"("x")", "42", "null", "true", "[]", R"([{"event_uuid":"a"}])"}) {
    ExpectInvalid(line, Reason::kNotAnObject, "not a JSON object");
  }
}

TEST_F(ValidateTest, MissingField) {
  ExpectInvalid(R"({"event_name":"a:b","created_at":1})", Reason::kMissingField, "event_uuid is missing");
  ExpectInvalid(R"({"event_uuid":"u","created_at":1})", Reason::kMissingField, "event_name is missing");
  ExpectInvalid(R"({"event_uuid":"u","event_name":"a:b"})", Reason::kMissingField, "created_at is missing");
  ExpectInvalid("{}", Reason::kMissingField, "event_uuid is missing");
  // Field names are exact: a near miss does not count.
  ExpectInvalid(R"({"Event_uuid":"u","event_name":"a:b","created_at":1})", Reason::kMissingField);
}

TEST_F(ValidateTest, EmptyField) {
  ExpectInvalid(Event(R"("")", R"("a:b")", "1"), Reason::kEmptyField, "event_uuid is empty");
}

TEST_F(ValidateTest, WrongType) {
  for (const char* uuid : {"5", "null", "true", "{}", R"(["a"])"})
    ExpectInvalid(Event(uuid, R"("a:b")", "1"), Reason::kWrongType, "event_uuid must be a string");
  for (const char* name : {"true", "5", "null", R"(["a:b"])"})
    ExpectInvalid(Event(R"("u")", name, "1"), Reason::kWrongType, "event_name must be a string");
  for (const char* created : {R"("1644838800")", "null", "true", "[]", "{}"})
    ExpectInvalid(Event(R"("u")", R"("a:b")", created), Reason::kWrongType, "created_at must be a number");
}

TEST_F(ValidateTest, BadEventName) {
  for (const char* name : {R"("ab")", R"(":b")", R"("a:")", R"(":")", R"("")", R"("accountcreated")"})
    ExpectInvalid(Event(R"("u")", name, "1"), Reason::kBadEventName, "type:subtype");
}

TEST_F(ValidateTest, TrailingContent) {
  const std::string valid = kValid;
  ExpectInvalid(valid + " x", Reason::kTrailingContent,
                "unexpected content after the JSON value at byte " + std::to_string(valid.size() + 1));
  ExpectInvalid(valid + "{}", Reason::kTrailingContent, "at byte " + std::to_string(valid.size()));
  ExpectInvalid(valid + " " + valid, Reason::kTrailingContent);
  ExpectInvalid(valid + ",", Reason::kTrailingContent);
  ExpectInvalid("[1] 2", Reason::kTrailingContent);
  ExpectInvalid(R"({"a":1}})", Reason::kTrailingContent);
}

TEST_F(ValidateTest, DuplicateKey) {
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", R"(,"event_uuid":"b")"), Reason::kDuplicateKey,
                "key \"event_uuid\" appears more than once");
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", R"(,"age":1,"age":2)"), Reason::kDuplicateKey, "\"age\"");
  // Keys compare after unescaping.
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", R"(,"x":1,"\u0078":2)"), Reason::kDuplicateKey);
  // Same on the slow path.
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", R"(,"x":1e400,"x":2)"), Reason::kDuplicateKey);
}

TEST_F(ValidateTest, DuplicateKeyAmongManyKeys) {
  std::string extra;
  for (int i = 0; i < 30; ++i) extra += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  ExpectValid(Event(R"("a")", R"("a:b")", "1", extra));
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", extra + R"(,"k17":0)"), Reason::kDuplicateKey, "\"k17\"");
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", extra + R"(,"created_at":2)"), Reason::kDuplicateKey);
  ExpectInvalid(Event(R"("a")", R"("a:b")", "1", extra + R"(,"k3":1e400)"), Reason::kDuplicateKey, "\"k3\"");
}

TEST_F(ValidateTest, ReservedField) {
  for (const char* key : {"event_type", "event_subtype", "created_datetime", "event_date"}) {
    const std::string extra = std::string(",\"") + key + "\":\"x\"";
    ExpectInvalid(Event(R"("a")", R"("a:b")", "1", extra), Reason::kReservedField,
                  std::string("field \"") + key + "\" is reserved");
    ExpectInvalid(Event(R"("a")", R"("a:b")", "1", extra + R"(,"f":1e400)"), Reason::kReservedField,
                  std::string("field \"") + key + "\" is reserved");
  }
}

TEST_F(ValidateTest, InvalidUtf8) {
  ExpectInvalid(Event("\"\xff\"", R"("a:b")", "1"), Reason::kInvalidUtf8, "UTF-8");
  ExpectInvalid(Event(R"("u")", "\"a:\xC3\"", "1"), Reason::kInvalidUtf8);
  ExpectInvalid(Event(R"("u")", R"("a:b")", "1", ",\"p\xED\xA0\x80\":1"), Reason::kInvalidUtf8);
  // An unpaired surrogate escape is no Unicode character: in the uuid or in the payload alike.
  ExpectInvalid(Event(R"("\ud800")", R"("a:b")", "1"), Reason::kInvalidUtf8, "surrogate");
  ExpectInvalid(Event(R"("u")", R"("a:b")", "1", R"(,"p":"x\udc00y")"), Reason::kInvalidUtf8, "surrogate");
  // A proper pair is fine.
  ExpectValid(Event(R"("u")", R"("a:b")", "1", R"(,"p":"\ud83d\ude00")"));
}

TEST_F(ValidateTest, VerdictIsResetBetweenChecks) {
  ExpectInvalid("[1]", Reason::kNotAnObject);
  const Verdict& v = ExpectValid(kValid);
  EXPECT_TRUE(v.detail.empty());
  ExpectInvalid(Event(R"("")", R"("a:b")", "1"), Reason::kEmptyField);
}

TEST_F(ValidateTest, DeepNestingDoesNotCrash) {
  ExpectInvalid(std::string(100000, '['), Reason::kMalformedJson);
  ExpectInvalid(std::string(100000, '{'), Reason::kMalformedJson);
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  ExpectInvalid(deep, Reason::kNotAnObject);
  // Deeper than the DOM parser allows, but valid JSON: the slow path skips the payload.
  const std::string line = Event(R"("a")", R"("a:b")", "1", ",\"d\":" + deep);
  EXPECT_EQ(ExpectValid(line).fields.object, line);
}

}  // namespace
}  // namespace eventlake
