// Pools of JSON string bodies (already escaped) used by the payloads:
// accents, CJK, RTL, emoji (raw and as surrogate-pair escapes), quotes,
// backslashes and \n escapes.
#pragma once

#include <string_view>

namespace eventlake::gen {

// clang-format off

inline constexpr std::string_view kPersonNames[] = {
    "Anna Schmidt", "Ben O'Neil", "Chlo\xc3\xa9 Dubois", "Dmitri Ivanov",
    "\xc3\x89mile Zola", "Fatima Al-Sayed", "Giulia Rossi", "Hiroshi Tanaka",
    "Jos\xc3\xa9 Garc\xc3\xad" "a", "\xc5\x81ukasz Nowak", "Ma\xc3\xabll" "e Le Goff",
    "S\xc3\xb8ren Kierkegaard", "Zo\\u00eb \\\"Z\\\" Smith", "\xe6\x9d\x8e\xe9\x9b\xb7",
    "\xe3\x81\x95\xe3\x81\x8f\xe3\x82\x89 \xe4\xbd\x90\xe8\x97\xa4",
    "\xd0\x94\xd0\xb0\xd1\x80\xd1\x8c\xd1\x8f \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2\xd0\xb0",
    "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a", "Ng\xe1\xbb\x8d" "c Anh",
    "O\\u2019Brien", "Kai \xf0\x9f\x9a\x80", "Priya Patel", "Tom\\u00e1s \\ud83c\\udf89",
};

inline constexpr std::string_view kSlugs[] = {
    "anna", "ben", "chloe", "dmitri", "emile", "fatima", "giulia", "hiroshi",
    "jose", "lukasz", "maelle", "soren", "zoe", "li", "sakura", "priya",
};

inline constexpr std::string_view kCourseTitles[] = {
    "Intro to C++", "Statistik f\xc3\xbcr Anf\xc3\xa4nger",
    "Fran\xc3\xa7" "ais d\xc3\xa9" "butant", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e N5",
    "Data \\\"Lakes\\\" 101", "Back\\\\slash basics", "Line\\nbreaks \\t and tabs",
    "Caf\\u00e9 chemistry", "SQL \xe2\x80\x94 the good parts", "Algebra I",
};

inline constexpr std::string_view kAnswers[] = {
    "42", "Paris", "B", "true", "\xce\xbb x. x", "\xe6\x9d\xb1\xe4\xba\xac",
    "na\\u00efve", "x \\u003c y", "\\\"quoted\\\"", "", "  spaced  ", "\xf0\x9f\x91\x8d",
};

inline constexpr std::string_view kTags[] = {
    "grammar", "vocab", "math", "hard", "review", "b\xc3\xb6" "se", "\xe2\x9c\x93",
};

inline constexpr std::string_view kCities[] = {
    "Berlin", "M\xc3\xbcnchen", "S\xc3\xa3o Paulo", "\xe6\x9d\xb1\xe4\xba\xac",
    "Reykjav\xc3\xad" "k", "Z\\u00fcrich", "New York", "\xd8\xa7\xd9\x84\xd9\x82\xd8\xa7\xd9\x87\xd8\xb1\xd8\xa9",
};

inline constexpr std::string_view kUserAgents[] = {
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)",
    "okhttp/4.12.0", "curl/8.4.0", "Mozilla\\/5.0 (Windows NT 10.0; Win64; x64)",
};

inline constexpr std::string_view kPaths[] = {
    "/", "/courses", "/courses/cpp-101", "/lesson/L-00042", "/pricing",
    "/search?q=caf%C3%A9", "/account/settings", "/blog/2022/02/hello",
};

inline constexpr std::string_view kReasons[] = {
    "damaged", "not as described", "changed my mind", "doppelt gebucht",
    "\xe9\x87\x8d\xe8\xa4\x87\xe6\x94\xaf\xe6\x89\x95\xe3\x81\x84", "late \\u2013 very late",
};

// clang-format on

}  // namespace eventlake::gen
