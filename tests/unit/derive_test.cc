// transform/derive: created_datetime and event_date from the validated fields.
#include "transform/derive.h"

#include <gtest/gtest.h>

#include <string>

#include "decode/validate.h"

namespace eventlake {
namespace {

Derived DeriveFrom(int64_t seconds, std::string_view fraction) {
  EventFields f;
  f.seconds = seconds;
  f.fraction = fraction;
  Derived d;
  Derive(f, d);
  return d;
}

TEST(DeriveTest, IntegralSeconds) {
  const Derived d = DeriveFrom(1644838800, "");
  EXPECT_EQ(d.datetime_view(), "2022-02-14T11:40:00Z");
  EXPECT_EQ(d.date_view(), "2022-02-14");
  EXPECT_EQ(d.datetime_len, 20);
}

TEST(DeriveTest, FractionKeptAsGiven) {
  EXPECT_EQ(DeriveFrom(1644838800, "25").datetime_view(), "2022-02-14T11:40:00.25Z");
  EXPECT_EQ(DeriveFrom(1644838800, "5").datetime_view(), "2022-02-14T11:40:00.5Z");
  EXPECT_EQ(DeriveFrom(1644838800, "123456").datetime_view(), "2022-02-14T11:40:00.123456Z");
  EXPECT_EQ(DeriveFrom(1644838800, "25").date_view(), "2022-02-14");
}

TEST(DeriveTest, CalendarEdges) {
  EXPECT_EQ(DeriveFrom(0, "").datetime_view(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(DeriveFrom(951868799, "").datetime_view(), "2000-02-29T23:59:59Z");
  EXPECT_EQ(DeriveFrom(951868799, "").date_view(), "2000-02-29");
  EXPECT_EQ(DeriveFrom(4102444799, "9").datetime_view(), "2099-12-31T23:59:59.9Z");
  EXPECT_EQ(DeriveFrom(4102444799, "").date_view(), "2099-12-31");
  EXPECT_EQ(DeriveFrom(1644796799, "").date_view(), "2022-02-13");  // one second before midnight
  EXPECT_EQ(DeriveFrom(1644796800, "").date_view(), "2022-02-14");
}

TEST(DeriveTest, OverlongFractionIsCutToFit) {
  const std::string digits(100, '7');
  const Derived d = DeriveFrom(1644838800, digits);
  ASSERT_EQ(d.datetime_len, sizeof(d.datetime));
  EXPECT_EQ(d.datetime_view(), "2022-02-14T11:40:00." + std::string(43, '7') + "Z");
}

TEST(DeriveTest, FromValidatedRecords) {
  Validator validator{ValidateOptions{}};
  Verdict v;
  for (const auto& [created, want] : {std::pair{"1644838800", "2022-02-14T11:40:00Z"},
                                      {"1644838800.25", "2022-02-14T11:40:00.25Z"},
                                      {"1644838800.0", "2022-02-14T11:40:00Z"},
                                      {"1644796799.999", "2022-02-13T23:59:59.999Z"}}) {
    std::string storage = std::string(R"({"event_uuid":"u","event_name":"a:b","created_at":)") + created + "}";
    const size_t n = storage.size();
    storage.append(64, ' ');
    validator.Check(std::string_view(storage.data(), n), v);
    ASSERT_TRUE(v.ok) << v.detail;
    Derived d;
    Derive(v.fields, d);
    EXPECT_EQ(d.datetime_view(), want) << created;
    EXPECT_EQ(d.date_view(), std::string_view(want).substr(0, 10));
  }
}

}  // namespace
}  // namespace eventlake
