// encode/parquet: events -> MakeParquetEncoder -> file -> CatParquet gives the events back
// (every codec, many row groups, conflicts, nulls, unicode, extremes); the footer's schema;
// determinism; Add() refusing post-row-group type changes; buffered_bytes; corrupt files.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdio.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "decode/validate.h"
#include "encode/parquet/file_reader.h"
#include "encode/parquet/parquet_encoder.h"
#include "encode/parquet/parquet_reader.h"
#include "test_util.h"
#include "transform/derive.h"

namespace eventlake {
namespace {

using parquet::LogicalType;
using parquet::Repetition;
using parquet::Type;

class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    data += bytes;
    return Status::Ok();
  }
  std::string data;
};

// Lines go through the real validator and transform, as in the pipeline.
class Writer {
 public:
  explicit Writer(const ParquetOptions& o = {}) : encoder_(MakeParquetEncoder(o)), validator_(ValidateOptions{}) {}
  bool Add(std::string_view line) {
    std::string padded(line);
    padded.append(64, ' ');  // the readable bytes simdjson needs after the object
    Verdict v;
    validator_.Check(std::string_view(padded.data(), line.size()), v);
    EXPECT_TRUE(v.ok) << v.detail << ": " << line;
    Derived d;
    Derive(v.fields, d);
    return encoder_->Add(v.fields, d);
  }
  std::string Finish() {
    StringSink sink;
    const Status s = encoder_->Finish(sink);
    EXPECT_TRUE(s.ok()) << s.message();
    return sink.data;
  }
  Encoder& encoder() { return *encoder_; }

 private:
  std::unique_ptr<Encoder> encoder_;
  Validator validator_;
};

std::string WriteAll(const std::vector<std::string>& lines, const ParquetOptions& o = {}) {
  Writer w(o);
  for (const auto& l : lines) EXPECT_TRUE(w.Add(l)) << l;
  return w.Finish();
}

Status CatBytes(const std::string& bytes, std::string* out) {
  testing::TempDir dir;
  const std::string path = dir.Join("f.parquet");
  testing::WriteFile(path, bytes);
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  Status s = CatParquet(path, f);
  fclose(f);
  out->assign(buf, len);
  free(buf);
  return s;
}

std::vector<std::string> CatLines(const std::string& bytes) {
  std::string text;
  const Status s = CatBytes(bytes, &text);
  EXPECT_TRUE(s.ok()) << s.message();
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  return lines;
}

// A JSON value with object keys sorted and numbers as the shortest double text (integers
// that fit int64 exactly), so that equal JSON compares equal however it was written.
void Canon(simdjson::dom::element e, std::string& out) {
  char buf[32];
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      std::map<std::string, std::string> fields;
      for (auto [k, v] : e.get_object()) Canon(v, fields[std::string(k)]);
      out.push_back('{');
      for (const auto& [k, v] : fields) out.append(k).append(":").append(v).append(",");
      out.push_back('}');
      return;
    }
    case simdjson::dom::element_type::ARRAY:
      out.push_back('[');
      for (auto v : e.get_array()) {
        Canon(v, out);
        out.push_back(',');
      }
      out.push_back(']');
      return;
    case simdjson::dom::element_type::INT64:
      out.append(buf, std::to_chars(buf, buf + 32, int64_t(e.get_int64())).ptr);
      return;
    case simdjson::dom::element_type::UINT64:
      out.append(buf, std::to_chars(buf, buf + 32, double(uint64_t(e.get_uint64()))).ptr);
      return;
    case simdjson::dom::element_type::DOUBLE: {
      const double d = e.get_double();
      if (std::abs(d) < 1e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
        out.append(buf, std::to_chars(buf, buf + 32, static_cast<int64_t>(d)).ptr);
      } else {
        out.append(buf, std::to_chars(buf, buf + 32, d).ptr);
      }
      return;
    }
    case simdjson::dom::element_type::STRING:
      out += "\"" + std::string(e.get_string().value()) + "\"";
      return;
    case simdjson::dom::element_type::BOOL:
      out += bool(e.get_bool()) ? "true" : "false";
      return;
    case simdjson::dom::element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

std::string Canonical(std::string_view json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  const auto err = p.parse(simdjson::padded_string(json)).get(e);
  EXPECT_FALSE(err) << simdjson::error_message(err) << ": [" << json << "]";
  std::string out;
  if (!err) Canon(e, out);
  return out;
}

// What `eventlake cat` should give for an input line: the input without its null fields,
// plus event_subtype and created_datetime.
std::string Expected(const std::string& line) {
  simdjson::dom::parser p;
  simdjson::dom::object obj = p.parse(simdjson::padded_string(line)).get_object();
  std::string out = "{";
  for (auto [k, v] : obj)
    if (!v.is_null()) out += "\"" + std::string(k) + "\":" + simdjson::minify(v) + ",";
  ValidateOptions vo;
  Validator validator(vo);
  std::string padded = line + std::string(64, ' ');
  Verdict verdict;
  validator.Check(std::string_view(padded.data(), line.size()), verdict);
  Derived d;
  Derive(verdict.fields, d);
  out += "\"event_subtype\":\"" + std::string(verdict.fields.subtype) + "\",\"created_datetime\":\"" +
         std::string(d.datetime_view()) + "\"}";
  return Canonical(out);
}

void ExpectRoundTrip(const std::vector<std::string>& lines, const std::string& file) {
  const auto got = CatLines(file);
  ASSERT_EQ(got.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(Canonical(got[i]), Expected(lines[i])) << "row " << i;
}

std::vector<std::string> VarietyEvents() {
  std::vector<std::string> v = {
      R"({"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30,"name":"Zoë 🚀 日本語","vip":true,"score":1.5,"tags":["a","b"],"addr":{"city":"Berlin","zip":"10115"},"mixed":"text","nullish":null})",
      R"({"event_uuid":"a2","event_name":"payment:order:completed","created_at":1644838800.25,"age":null,"name":"","vip":false,"score":-2.5e-3,"mixed":42,"big":9223372036854775807,"small":-9223372036854775808})",
      R"({"event_uuid":"\u0061\u0033","event_name":"user:renamed","created_at":1644883199.75,"name":"line1\nline2\t\"q\" \\ \u00e9\ud83d\ude00 \u0001","score":1e300,"mixed":{"k":[1,2,{"z":null}]},"uint":18446744073709551615})",
      R"({"event_uuid":"a4","event_name":"x:y","created_at":0,"age":-1,"mixed":true,"score":3,"empty_obj":{},"empty_arr":[],"unicode_key_é":"v","k\u0065y":"escaped key"})",
      R"({"event_uuid":"a5","event_name":"x:y:z","created_at":4102444799,"mixed":null,"vip":null,"age":1,"score":-0.0,"nullish":null})",
  };
  v.push_back(R"({"event_uuid":"large","event_name":"blob:put","created_at":1700000000,"large":")" +
              std::string(100000, 'L') + R"(","name":")" + std::string(70, 'z') + "\"}");
  for (int i = 0; i < 3000; ++i) {
    std::string s = R"({"event_uuid":"gen-)" + std::to_string(i) + R"(","event_name":"type)" + std::to_string(i % 3) +
                    ":sub" + std::to_string(i % 5) + R"(","created_at":)" + std::to_string(1700000000 + i) +
                    R"(,"age":)" + std::to_string(i % 90) + R"(,"name":"user )" + std::to_string(i % 40) + "\"";
    if (i % 4 == 0) s += R"(,"vip":)" + std::string(i % 8 == 0 ? "true" : "false");
    if (i % 10 == 0) s += R"(,"score":)" + std::to_string(i) + ".125";
    if (i > 2500) s += R"(,"late_field":"only late")";
    s += "}";
    v.push_back(s);
  }
  return v;
}

class CodecTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CodecTest, VarietyRoundTripsOneRowGroup) {
  ParquetOptions o;
  o.compression = GetParam();
  o.page_bytes = 8192;  // many pages
  const auto lines = VarietyEvents();
  const std::string file = WriteAll(lines, o);
  ExpectRoundTrip(lines, file);
}

TEST_P(CodecTest, ManyRowGroupsAndSmallDictionaries) {
  ParquetOptions o;
  o.compression = GetParam();
  o.row_group_bytes = 4096;
  o.page_bytes = 512;
  o.dictionary_bytes = 256;  // falls back to PLAIN inside most chunks
  std::vector<std::string> lines;
  for (const auto& l : VarietyEvents())
    if (l.find("gen-") != std::string::npos) lines.push_back(l);  // the type-stable ones
  const std::string file = WriteAll(lines, o);
  parquet::ParquetFile pf;
  ASSERT_TRUE(parquet::ParseParquetFile(file, &pf).ok());
  EXPECT_GT(pf.meta.row_groups.size(), 20u);
  ExpectRoundTrip(lines, file);
}

TEST_P(CodecTest, Deterministic) {
  ParquetOptions o;
  o.compression = GetParam();
  o.row_group_bytes = 64 << 10;
  const auto lines = VarietyEvents();
  EXPECT_EQ(WriteAll(lines, o), WriteAll(lines, o));
}

INSTANTIATE_TEST_SUITE_P(Parquet, CodecTest,
                         ::testing::Values(Compression::kNone, Compression::kSnappy, Compression::kGzip,
                                           Compression::kZstd));

TEST(ParquetRoundTripTest, ExactCatOutput) {
  const std::string file = WriteAll({
      R"({"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30})",
      R"({"event_uuid":"a2","event_name":"payment:order:completed","created_at":1644838800.25,"o":{ "a" : [1, 2] }})",
      R"({"event_uuid":"a3","event_name":"n:big","created_at":86399,"n":123456789012345678901234567890,"inf":1e400})",
  });
  const auto lines = CatLines(file);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            R"({"event_uuid":"a1","event_name":"account:created","event_subtype":"created","created_at":1644838800,)"
            R"("created_datetime":"2022-02-14T11:40:00Z","age":30})");
  // The nested value is the exact input text; created_at became DOUBLE for the whole file.
  EXPECT_EQ(lines[1],
            R"({"event_uuid":"a2","event_name":"payment:order:completed","event_subtype":"order:completed",)"
            R"("created_at":1644838800.25,"created_datetime":"2022-02-14T11:40:00.25Z","o":{ "a" : [1, 2] }})");
  // Past int64: DOUBLE. Past any double: its JSON text.
  EXPECT_EQ(lines[2], R"({"event_uuid":"a3","event_name":"n:big","event_subtype":"big","created_at":86399,)"
                      R"("created_datetime":"1970-01-01T23:59:59Z","n":1.2345678901234568e+29,"inf":1e400})");
}

TEST(ParquetRoundTripTest, ConflictingFieldBecomesJsonText) {
  const auto lines = CatLines(WriteAll({
      R"({"event_uuid":"1","event_name":"a:b","created_at":1,"m":"x \"q\""})",
      R"({"event_uuid":"2","event_name":"a:b","created_at":1,"m":1.50})",
      R"({"event_uuid":"3","event_name":"a:b","created_at":1,"m":false})",
  }));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find(R"("m":"x \"q\""})"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("m":1.50})"), std::string::npos) << lines[1];  // the number's own text
  EXPECT_NE(lines[2].find(R"("m":false})"), std::string::npos) << lines[2];
}

TEST(ParquetRoundTripTest, WideningToJsonTextKeepsEveryNumberAsWritten) {
  // int -> double -> JSON text inside one row group: the int64 max, 1.50 and 1E2 keep their
  // text (a double would print 9.223372036854776e+18, 1.5, 100).
  const auto lines = CatLines(WriteAll({
      R"({"event_uuid":"1","event_name":"a:b","created_at":1,"n":9223372036854775807})",
      R"({"event_uuid":"2","event_name":"a:b","created_at":1,"n":0.5})",
      R"({"event_uuid":"3","event_name":"a:b","created_at":1,"n":1.50})",
      R"({"event_uuid":"4","event_name":"a:b","created_at":1,"n":1E2})",
      R"({"event_uuid":"5","event_name":"a:b","created_at":1,"n":18446744073709551615})",
      R"({"event_uuid":"6","event_name":"a:b","created_at":1,"n":"text"})",
  }));
  ASSERT_EQ(lines.size(), 6u);
  const char* want[] = {"9223372036854775807", "0.5", "1.50", "1E2", "18446744073709551615", "\"text\""};
  for (size_t i = 0; i < 6; ++i)
    EXPECT_NE(lines[i].find(std::string("\"n\":") + want[i] + "}"), std::string::npos) << lines[i];
}

TEST(ParquetRoundTripTest, FractionalCreatedAtKeepsItsDigits) {
  // The validator keeps 6 fraction digits (created_datetime is microseconds); created_at is the
  // number as written.
  const auto lines = CatLines(WriteAll({
      R"({"event_uuid":"1","event_name":"a:b","created_at":1644883202.1234567})",
      R"({"event_uuid":"2","event_name":"a:b","created_at":1644883203})",
  }));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("created_at":1644883202.1234567,"created_datetime":"2022-02-15T00:00:02.123456Z")"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find(R"("created_at":1644883203,"created_datetime":"2022-02-15T00:00:03Z")"), std::string::npos)
      << lines[1];
}

TEST(ParquetRoundTripTest, FractionFromCreatedDatetimeWhenFieldsLackIt) {
  // The pipeline may hand over EventFields without `fraction`; created_datetime has it.
  std::string obj = R"({"event_uuid":"u","event_name":"a:b","created_at":1644838800.5})";
  const size_t n = obj.size();
  obj.append(64, ' ');
  EventFields f;
  f.uuid = "u";
  f.type = "a";
  f.subtype = "b";
  f.seconds = 1644838800;
  f.object = std::string_view(obj.data(), n);
  Derived d;
  EventFields with_fraction = f;
  with_fraction.fraction = "5";
  Derive(with_fraction, d);
  auto enc = MakeParquetEncoder({});
  ASSERT_TRUE(enc->Add(f, d));
  StringSink sink;
  ASSERT_TRUE(enc->Finish(sink).ok());
  const auto lines = CatLines(sink.data);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("created_at":1644838800.5,"created_datetime":"2022-02-14T11:40:00.5Z")"),
            std::string::npos)
      << lines[0];
}

TEST(ParquetSchemaTest, FooterDescribesEveryColumnKind) {
  const std::string file = WriteAll(VarietyEvents());
  parquet::ParquetFile pf;
  ASSERT_TRUE(parquet::ParseParquetFile(file, &pf).ok());
  const auto& m = pf.meta;
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.created_by, "eventlake version 0.1.0");
  EXPECT_EQ(m.num_rows, 3006);
  EXPECT_EQ(static_cast<size_t>(m.column_orders), pf.columns());
  std::map<std::string, const parquet::SchemaElement*> by_name;
  std::vector<std::string> names;
  for (size_t i = 0; i < pf.columns(); ++i) {
    by_name[pf.column(i).name] = &pf.column(i);
    names.push_back(pf.column(i).name);
  }
  const std::vector<std::string> want_first = {
      "event_uuid", "event_name", "event_subtype", "created_at", "created_datetime", "age", "name",  "vip",
      "score",      "tags",       "addr",          "mixed",      "nullish",          "big", "small", "uint"};
  ASSERT_GE(names.size(), want_first.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 16), want_first);
  EXPECT_EQ(by_name.count("event_type"), 0u);
  EXPECT_EQ(by_name.count("event_date"), 0u);
  auto check = [&](const char* name, Type type, Repetition rep, LogicalType::Kind logical, int converted) {
    SCOPED_TRACE(name);
    ASSERT_EQ(by_name.count(name), 1u);
    const auto& e = *by_name[name];
    EXPECT_EQ(e.type, type);
    EXPECT_EQ(e.repetition, rep);
    EXPECT_EQ(e.logical.kind, logical);
    EXPECT_EQ(e.converted_type.value_or(-1), converted);
  };
  using K = LogicalType::Kind;
  check("event_uuid", Type::kByteArray, Repetition::kRequired, K::kString, 0);
  check("event_subtype", Type::kByteArray, Repetition::kRequired, K::kString, 0);
  check("created_at", Type::kDouble, Repetition::kRequired, K::kNone, -1);
  check("created_datetime", Type::kInt64, Repetition::kRequired, K::kTimestamp, 10);
  EXPECT_TRUE(by_name["created_datetime"]->logical.utc);
  EXPECT_EQ(by_name["created_datetime"]->logical.unit, 2);
  check("age", Type::kInt64, Repetition::kOptional, K::kNone, -1);
  check("name", Type::kByteArray, Repetition::kOptional, K::kString, 0);
  check("vip", Type::kBoolean, Repetition::kOptional, K::kNone, -1);
  check("score", Type::kDouble, Repetition::kOptional, K::kNone, -1);  // int values promoted
  check("tags", Type::kByteArray, Repetition::kOptional, K::kJson, 19);
  check("mixed", Type::kByteArray, Repetition::kOptional, K::kJson, 19);     // string/int/object/bool
  check("nullish", Type::kByteArray, Repetition::kOptional, K::kUnknown, -1);  // only ever null: NullType
  check("uint", Type::kDouble, Repetition::kOptional, K::kNone, -1);
  check("key", Type::kByteArray, Repetition::kOptional, K::kString, 0);  // unescaped key name
  // Statistics: null counts always, string bounds only up to 64 bytes.
  const auto& cols = m.row_groups[0].columns;
  for (size_t i = 0; i < cols.size(); ++i) EXPECT_TRUE(cols[i].statistics.null_count.has_value()) << names[i];
  EXPECT_FALSE(cols[6].statistics.max_value.has_value());  // the max name is 70 bytes long
  EXPECT_FALSE(cols[6].statistics.min_value.has_value());
  EXPECT_EQ(cols[0].statistics.min_value, "a1");
  EXPECT_EQ(cols[0].statistics.max_value, "large");
}

TEST(ParquetSchemaTest, IntegralCreatedAtStaysInt64AndEmptyFileIsValid) {
  parquet::ParquetFile pf;
  ASSERT_TRUE(
      parquet::ParseParquetFile(WriteAll({R"({"event_uuid":"1","event_name":"a:b","created_at":1.0})"}), &pf).ok());
  EXPECT_EQ(pf.column(3).type, Type::kInt64);
  const std::string empty = WriteAll({});
  ASSERT_TRUE(parquet::ParseParquetFile(empty, &pf).ok());
  EXPECT_EQ(pf.meta.num_rows, 0);
  EXPECT_EQ(pf.columns(), 5u);
  EXPECT_TRUE(CatLines(empty).empty());
}

TEST(ParquetEncoderTest, AddRefusesTypeChangesAfterARowGroup) {
  ParquetOptions o;
  o.row_group_bytes = 1;  // every event finishes its row group
  Writer w(o);
  auto ev = [](const std::string& uuid, const std::string& rest) {
    return R"({"event_uuid":")" + uuid + R"(","event_name":"a:b","created_at":)" + rest + "}";
  };
  ASSERT_TRUE(w.Add(ev("1", R"(1,"x":1,"s":"str","d":1.5,"n":null)")));
  EXPECT_FALSE(w.Add(ev("2", R"(1,"x":1.5)")));                  // int -> double promotion
  EXPECT_FALSE(w.Add(ev("3", R"(1,"x":"one")")));                // int -> JSON text
  EXPECT_FALSE(w.Add(ev("4", R"(1,"s":2)")));                    // string -> JSON text
  EXPECT_FALSE(w.Add(ev("5", R"(1.5)")));                        // created_at int -> double
  EXPECT_FALSE(w.Add(ev("6", R"(1,"new":1,"x":{})")));           // nothing of a refused event is kept
  EXPECT_TRUE(w.Add(ev("7", R"(2,"x":null,"d":2,"new":[1])")));  // nulls, int into double, new column
  EXPECT_TRUE(w.Add(ev("8", R"(3,"n":"now a string")")));        // "n" held only nulls so far
  EXPECT_FALSE(w.Add(ev("9", R"(3,"n":5)")));
  EXPECT_GT(w.encoder().buffered_bytes(), 0u);
  const std::string file = w.Finish();
  ExpectRoundTrip({ev("1", R"(1,"x":1,"s":"str","d":1.5,"n":null)"), ev("7", R"(2,"x":null,"d":2,"new":[1])"),
                   ev("8", R"(3,"n":"now a string")")},
                  file);
  parquet::ParquetFile pf;
  ASSERT_TRUE(parquet::ParseParquetFile(file, &pf).ok());
  EXPECT_EQ(pf.meta.row_groups.size(), 3u);
  EXPECT_EQ(pf.columns(), 10u);  // new is there, "6"'s fields are not beyond it
  // The encoder is empty again: the refused event starts the next file.
  EXPECT_TRUE(w.Add(ev("2", R"(1,"x":1.5)")));
  ExpectRoundTrip({ev("2", R"(1,"x":1.5)")}, w.Finish());
}

TEST(ParquetEncoderTest, BufferedBytesIsHonest) {
  Writer w;
  const size_t empty = w.encoder().buffered_bytes();
  size_t input = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string l = R"({"event_uuid":"uuid-)" + std::to_string(i) +
                          R"(-0123456789abcdef","event_name":"a:b","created_at":1700000000,"text":")" +
                          std::string(100, static_cast<char>('a' + i % 26)) + "\"}";
    input += l.size();
    ASSERT_TRUE(w.Add(l));
  }
  const size_t full = w.encoder().buffered_bytes();
  EXPECT_GE(full, input * 7 / 10);  // the strings alone are ~80% of the input
  EXPECT_LE(full, input * 4);
  w.Finish();
  EXPECT_LE(w.encoder().buffered_bytes(), empty);

  // Finished row groups are held compressed and still counted.
  ParquetOptions o;
  o.row_group_bytes = 16 << 10;
  Writer small(o);
  for (int i = 0; i < 2000; ++i)
    ASSERT_TRUE(small.Add(R"({"event_uuid":")" + std::to_string(i) + R"(","event_name":"a:b","created_at":1,"r":")" +
                          std::to_string(i * 7919 % 1000003) + "\"}"));
  const size_t held = small.encoder().buffered_bytes();
  const std::string file = small.Finish();
  EXPECT_GE(held, file.size() / 2);
  EXPECT_LE(held, file.size() * 8);
}

TEST(ParquetReaderTest, CorruptFilesFailCleanly) {
  ParquetOptions o;
  o.row_group_bytes = 8 << 10;
  o.compression = Compression::kNone;
  std::vector<std::string> lines;
  for (const auto& l : VarietyEvents()) {
    if (l.size() < 2000) lines.push_back(l);
    if (lines.size() > 300) break;
  }
  const std::string good = WriteAll(lines, o);
  std::string out;
  ASSERT_TRUE(CatBytes(good, &out).ok());
  EXPECT_FALSE(CatBytes("", &out).ok());
  EXPECT_FALSE(CatBytes("PAR1PAR1", &out).ok());
  EXPECT_FALSE(CatBytes(std::string("PAR1\xff\xff\xff\x7fPAR1", 12), &out).ok());
  for (size_t n = 0; n < good.size(); n += 97) EXPECT_FALSE(CatBytes(good.substr(0, n), &out).ok()) << n;
  std::mt19937 rng(7);
  int failures = 0;
  for (int i = 0; i < 400; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    failures += CatBytes(bad, &out).ok() ? 0 : 1;  // must return, either way
    testing::TempDir dir;
    testing::WriteFile(dir.Join("x.parquet"), bad);
    DescribeParquet(dir.Join("x.parquet")).status().PermitUnchecked();
  }
  EXPECT_GT(failures, 200);  // page CRCs catch data damage; metadata checks catch the rest
}

TEST(ParquetReaderTest, DescribeListsColumnsAndRowGroups) {
  testing::TempDir dir;
  ParquetOptions o;
  o.compression = Compression::kSnappy;
  testing::WriteFile(dir.Join("f.parquet"), WriteAll(VarietyEvents(), o));
  auto described = DescribeParquet(dir.Join("f.parquet"));
  ASSERT_TRUE(described.ok()) << described.status().message();
  std::string squashed;  // runs of spaces as one, so the checks ignore column widths
  for (char c : *described)
    if (c != ' ' || squashed.empty() || squashed.back() != ' ') squashed.push_back(c);
  const std::string* text = &squashed;
  EXPECT_NE(text->find("3006 rows, 1 row group(s)"), std::string::npos) << *text;
  EXPECT_NE(text->find("created by eventlake version 0.1.0"), std::string::npos);
  EXPECT_NE(text->find("created_datetime INT64 TIMESTAMP(MICROS,UTC) REQUIRED"), std::string::npos) << *text;
  EXPECT_NE(text->find("mixed BYTE_ARRAY JSON OPTIONAL"), std::string::npos) << *text;
  EXPECT_NE(text->find("SNAPPY PLAIN,RLE,RLE_DICTIONARY"), std::string::npos) << *text;
  EXPECT_FALSE(DescribeParquet(dir.Join("missing.parquet")).ok());
}

}  // namespace
}  // namespace eventlake
