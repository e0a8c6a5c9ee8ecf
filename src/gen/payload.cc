#include "gen/payload.h"

#include <string>
#include <string_view>

#include "gen/json_text.h"
#include "gen/payload_text.h"

namespace eventlake::gen {
namespace {

void AddInt(RecordBuilder& b, std::string_view key, int64_t value) {
  AppendInt(b.Begin(key), value);
  b.EndField();
}

void AddFixed(RecordBuilder& b, std::string_view key, int64_t scaled, int decimals) {
  AppendFixed(b.Begin(key), scaled, decimals);
  b.EndField();
}

void AddString(RecordBuilder& b, std::string_view key, std::string_view body) {
  AppendQuoted(b.Begin(key), body);
  b.EndField();
}

void AddBool(RecordBuilder& b, std::string_view key, bool value) { b.Add(key, value ? "true" : "false"); }

void AppendHexId(std::string& out, std::string_view prefix, Rng& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  out.append(prefix);
  uint64_t bits = rng.Next();
  for (int i = 0; i < digits; ++i, bits >>= 4) out.push_back(kHex[bits & 0xf]);
  out.push_back('"');
}

void AddHexId(RecordBuilder& b, std::string_view key, std::string_view prefix, Rng& rng, int digits) {
  AppendHexId(b.Begin(key), prefix, rng, digits);
  b.EndField();
}

void AddUserId(RecordBuilder& b, Rng& rng) { AddInt(b, "user_id", rng.Between(1, 9'999'999)); }

void AppendTagArray(std::string& out, Rng& rng, int max_count) {
  out.push_back('[');
  const auto count = static_cast<int>(rng.Below(static_cast<uint64_t>(max_count) + 1));
  for (int i = 0; i < count; ++i) {
    if (i > 0) out.push_back(',');
    AppendQuoted(out, rng.Pick(kTags));
  }
  out.push_back(']');
}

}  // namespace

void AddAccountPayload(uint32_t subtype, Rng& rng, RecordBuilder& b) {
  AddUserId(b, rng);
  if (subtype == 0) {  // created
    std::string& email = b.Begin("email");
    email.push_back('"');
    email.append(rng.Pick(kSlugs));
    email.push_back('.');
    AppendUint(email, rng.Below(10000));
    email.append(rng.Chance(0.8) ? "@example.com\"" : "@example.org\"");
    b.EndField();
    AddString(b, "name", rng.Pick(kPersonNames));
    if (rng.Chance(0.2)) {
      b.Add("age", "null");
    } else {
      AddInt(b, "age", rng.Between(16, 80));
    }
    static constexpr std::string_view kPlans[] = {"free", "plus", "pro", "team"};
    AddString(b, "plan", rng.Pick(kPlans));
    AddBool(b, "opt_in", rng.Chance(0.35));
    if (rng.Chance(0.3)) {
      std::string& signup = b.Begin("signup");
      static constexpr std::string_view kSources[] = {"web", "ios", "android"};
      signup.append("{\"source\":");
      AppendQuoted(signup, rng.Pick(kSources));
      signup.append(rng.Chance(0.7) ? ",\"campaign\":null}" : ",\"campaign\":\"spring\"}");
      b.EndField();
    }
  } else if (subtype == 1) {  // updated
    std::string& changes = b.Begin("changes");
    const uint64_t count = rng.Chance(0.8) ? 1 : 2;
    changes.push_back('[');
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) changes.push_back(',');
      if (rng.Chance(0.5)) {
        const int64_t age = rng.Between(16, 79);
        changes.append("{\"field\":\"age\",\"old\":");
        AppendInt(changes, age);
        changes.append(",\"new\":");
        AppendInt(changes, age + 1);
        changes.push_back('}');
      } else {
        changes.append("{\"field\":\"name\",\"old\":");
        AppendQuoted(changes, rng.Pick(kPersonNames));
        changes.append(",\"new\":");
        AppendQuoted(changes, rng.Pick(kPersonNames));
        changes.push_back('}');
      }
    }
    changes.push_back(']');
    b.EndField();
    static constexpr std::string_view kActors[] = {"self", "admin", "support"};
    AddString(b, "actor", rng.Pick(kActors));
  } else {  // deleted
    static constexpr std::string_view kWhy[] = {"null", "\"user_request\"", "\"gdpr\"", "\"fraud\""};
    b.Add("reason", rng.Pick(kWhy));
    AddBool(b, "hard_delete", rng.Chance(0.5));
    AddInt(b, "retention_days", 30);
  }
}

void AddLessonPayload(uint32_t subtype, Rng& rng, RecordBuilder& b) {
  AddUserId(b, rng);
  std::string& lesson = b.Begin("lesson_id");
  lesson.append("\"L-");
  AppendUint(lesson, 10000 + rng.Below(90000));
  lesson.push_back('"');
  b.EndField();
  if (subtype == 0) {  // started
    std::string& course = b.Begin("course");
    static constexpr std::string_view kLevels[] = {"beginner", "intermediate", "advanced"};
    course.append("{\"id\":");
    AppendUint(course, rng.Below(5000));
    course.append(",\"title\":");
    AppendQuoted(course, rng.Pick(kCourseTitles));
    if (rng.Chance(0.3)) {
      course.append(",\"level\":");
      AppendQuoted(course, rng.Pick(kLevels));
    }
    course.push_back('}');
    b.EndField();
    static constexpr std::string_view kDevices[] = {"ios", "android", "web", "tv"};
    AddString(b, "device", rng.Pick(kDevices));
  } else {  // completed
    AddFixed(b, "duration_s", rng.Between(50, 36000), 1);
    AddFixed(b, "score", rng.Between(0, 1000), 3);
    AddBool(b, "passed", rng.Chance(0.8));
    if (rng.Chance(0.2)) AddInt(b, "attempts", rng.Between(1, 5));
  }
}

void AddPaymentPayload(uint32_t subtype, Rng& rng, RecordBuilder& b) {
  AddHexId(b, "order_id", "o_", rng, 10);
  static constexpr std::string_view kCurrencies[] = {"EUR", "USD", "GBP", "JPY"};
  if (subtype == 0) {  // order:completed
    AddUserId(b, rng);
    std::string& items = b.Begin("items");
    const auto count = rng.Chance(0.7) ? 1 : 2 + rng.Below(2);
    int64_t total = 0;
    items.push_back('[');
    for (uint64_t i = 0; i < count; ++i) {
      const int64_t qty = rng.Between(1, 3);
      const int64_t cents = rng.Between(99, 19999);
      total += qty * cents;
      items.append(i > 0 ? ",{\"sku\":\"S" : "{\"sku\":\"S");
      AppendUint(items, rng.Below(100000));
      items.append("\",\"qty\":");
      AppendInt(items, qty);
      items.append(",\"price\":");
      AppendFixed(items, cents, 2);
      items.push_back('}');
    }
    items.push_back(']');
    b.EndField();
    AddFixed(b, "amount", total, 2);
    AddString(b, "currency", rng.Pick(kCurrencies));
    if (rng.Chance(0.3)) b.Add("coupon", rng.Chance(0.6) ? "null" : "\"WELCOME10\"");
  } else {  // refund:issued
    AddFixed(b, "amount", rng.Between(99, 49999), 2);
    AddString(b, "currency", rng.Pick(kCurrencies));
    AddString(b, "reason", rng.Pick(kReasons));
    AddBool(b, "partial", rng.Chance(0.25));
  }
}

void AddQuizPayload(uint32_t /*subtype*/, Rng& rng, RecordBuilder& b) {
  AddUserId(b, rng);
  AddInt(b, "quiz_id", rng.Between(1, 20000));
  AddString(b, "answer", rng.Pick(kAnswers));
  AddBool(b, "correct", rng.Chance(0.6));
  AddInt(b, "time_ms", rng.Between(200, 60000));
  if (rng.Chance(0.5)) {
    AppendTagArray(b.Begin("tags"), rng, 2);
    b.EndField();
  } else if (rng.Chance(0.3)) {
    b.Add("confidence", "null");
  } else {
    AddFixed(b, "confidence", rng.Between(0, 100), 2);
  }
}

void AddPagePayload(uint32_t /*subtype*/, Rng& rng, RecordBuilder& b) {
  AddHexId(b, "session_id", "s_", rng, 12);
  AddString(b, "url", rng.Pick(kPaths));
  if (rng.Chance(0.3)) {
    b.Add("referrer", rng.Chance(0.5) ? "null" : "\"https://www.google.com/\"");
  }
  AddInt(b, "duration_ms", rng.Between(0, 600000));
  if (rng.Chance(0.3)) {
    std::string& viewport = b.Begin("viewport");
    viewport.append("{\"w\":");
    AppendInt(viewport, rng.Between(320, 3840));
    viewport.append(",\"h\":");
    AppendInt(viewport, rng.Between(480, 2160));
    viewport.push_back('}');
    b.EndField();
  } else {
    AddFixed(b, "scroll", rng.Between(0, 100), 2);
  }
  if (rng.Chance(0.02)) {
    // Reserved names are only reserved at the top level.
    b.Add("context", "{\"event_type\":\"ui\",\"event_date\":\"2001-01-01\"}");
  }
  if (rng.Chance(0.05)) {
    // Beyond double precision: must survive as written.
    AddInt(b, "trace_id", 9007199254740993 + static_cast<int64_t>(rng.Below(1000) * 2));
  }
}

void AddSessionPayload(uint32_t subtype, Rng& rng, RecordBuilder& b) {
  AddHexId(b, "session_id", "s_", rng, 12);
  AddUserId(b, rng);
  if (subtype == 0) {  // started
    std::string& ip = b.Begin("ip");
    ip.append("\"10.");
    for (int i = 0; i < 3; ++i) {
      AppendUint(ip, rng.Below(256));
      ip.push_back(i < 2 ? '.' : '"');
    }
    b.EndField();
    if (rng.Chance(0.5)) AddString(b, "user_agent", rng.Pick(kUserAgents));
    std::string& geo = b.Begin("geo");
    geo.append("{\"lat\":");
    AppendFixed(geo, rng.Between(-900000, 900000), 4);
    geo.append(",\"lon\":");
    AppendFixed(geo, rng.Between(-1800000, 1800000), 4);
    geo.append(",\"city\":");
    AppendQuoted(geo, rng.Pick(kCities));
    if (rng.Chance(0.3)) {
      static constexpr std::string_view kAccuracy[] = {"1.5e2", "2E-3", "-0.0", "3.25E+1"};
      geo.append(",\"accuracy_m\":");
      geo.append(rng.Pick(kAccuracy));
    }
    geo.push_back('}');
    b.EndField();
  } else {  // ended
    AddInt(b, "duration_s", rng.Between(1, 7200));
    AddInt(b, "events", rng.Between(0, 500));
    AddBool(b, "crashed", rng.Chance(0.02));
    b.Add("exit_page", rng.Chance(0.5) ? "null" : "\"/\"");
  }
}

void AddSyntheticPayload(uint32_t /*subtype*/, Rng& rng, RecordBuilder& b) {
  AddInt(b, "n", rng.Between(-1000000, 1000000));
  AddFixed(b, "v", rng.Between(-100000, 100000), 3);
  AddString(b, "s", rng.Pick(kCourseTitles));
  AddBool(b, "ok", rng.Chance(0.5));
  AppendTagArray(b.Begin("tags"), rng, 2);
  b.EndField();
  std::string& nested = b.Begin("nested");
  nested.append("{\"a\":[1,2,{\"b\":null}],\"depth\":{\"x\":{\"y\":");
  nested.append(rng.Chance(0.5) ? "true" : "[]");
  nested.append("}}}");
  b.EndField();
}

}  // namespace eventlake::gen
