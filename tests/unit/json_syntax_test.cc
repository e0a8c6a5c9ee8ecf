// decode/json_syntax: JsonValueLength, the strict syntax checker behind the error path.
#include <gtest/gtest.h>

#include <string>

#include "decode/validate.h"

namespace eventlake {
namespace {

TEST(JsonValueLengthTest, CompleteValues) {
  EXPECT_EQ(JsonValueLength("{}"), 2);
  EXPECT_EQ(JsonValueLength("[]"), 2);
  EXPECT_EQ(JsonValueLength("{ }"), 3);
  EXPECT_EQ(JsonValueLength("[ ]"), 3);
  EXPECT_EQ(JsonValueLength("0"), 1);
  EXPECT_EQ(JsonValueLength("-0.5e+10"), 8);
  EXPECT_EQ(JsonValueLength("1E5"), 3);
  EXPECT_EQ(JsonValueLength("true"), 4);
  EXPECT_EQ(JsonValueLength("false"), 5);
  EXPECT_EQ(JsonValueLength("null"), 4);
  EXPECT_EQ(JsonValueLength(R"("a\"b\\\/\b\f\n\r\t\u00e9")"), 26);
  const std::string obj = R"({"a":[1,2.5,{"b":null}],"c":{"d":"e"},"f":-1e-3})";
  EXPECT_EQ(JsonValueLength(obj), static_cast<long>(obj.size()));
  // Numbers of any size are syntax, not range.
  EXPECT_EQ(JsonValueLength("123456789012345678901234567890"), 30);
  EXPECT_EQ(JsonValueLength("1e400"), 5);
  // UTF-8 inside strings is passed over as bytes.
  EXPECT_EQ(JsonValueLength("\"\xC3\xA9\""), 4);
}

TEST(JsonValueLengthTest, WhitespaceAroundTheValueIsIncluded) {
  EXPECT_EQ(JsonValueLength("  1  "), 5);
  EXPECT_EQ(JsonValueLength("\t{ \"a\" : 1 }\r\n"), 14);
}

TEST(JsonValueLengthTest, StopsAfterTheFirstValue) {
  EXPECT_EQ(JsonValueLength("{} x"), 3);  // the trailing 'x' starts at byte 3
  EXPECT_EQ(JsonValueLength("{}{}"), 2);
  EXPECT_EQ(JsonValueLength("[1] 2"), 4);
  EXPECT_EQ(JsonValueLength("01"), 1);  // "0" then a stray "1"
  EXPECT_EQ(JsonValueLength("nullx"), 4);
  EXPECT_EQ(JsonValueLength(R"({"a":1}})"), 7);
}

TEST(JsonValueLengthTest, Invalid) {
  for (const char* bad :
       {"",         " ",          "{",     "[",       "}",           "]",         "[1,]",         "[,1]",     "{\"a\"}",
        "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}",   "[1 2]",     "{\"a\":1]",    "[1}",      "tru",
        "nul",      "True",       "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"", "1.",           ".5",       "1e",
        "1e+",      "-",          "+1",    "--1",     "\"a\nb\"",    "\"\t\"",    "{\"a\":[1,2}", "[\"a\",]", "{,}",
        "x"}) {
    EXPECT_EQ(JsonValueLength(bad), -1) << "input: '" << bad << "'";
  }
  EXPECT_EQ(JsonValueLength(std::string_view("\"a\0b\"", 5)), -1);  // raw control character
}

TEST(JsonValueLengthTest, DeepNestingIsIterative) {
  EXPECT_EQ(JsonValueLength(std::string(100000, '[')), -1);
  EXPECT_EQ(JsonValueLength(std::string(100000, '{')), -1);
  const std::string balanced = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(JsonValueLength(balanced), 200000);
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  objects += "1";
  objects += std::string(50000, '}');
  EXPECT_EQ(JsonValueLength(objects), static_cast<long>(objects.size()));
  EXPECT_EQ(JsonValueLength(objects.substr(0, objects.size() - 1)), -1);
}

}  // namespace
}  // namespace eventlake
