#include "gen/event_catalog.h"

#include <algorithm>

#include "gen/payload.h"

namespace eventlake::gen {
namespace {

using PayloadFn = void (*)(uint32_t, Rng&, RecordBuilder&);

struct SubtypeSpec {
  std::string_view name;
  uint32_t weight;
};

struct TypeSpec {
  std::string_view name;
  uint32_t weight;
  PayloadFn payload;
  SubtypeSpec subtypes[3];
};

// Subtype lists end at the first empty name.
constexpr TypeSpec kBuiltins[EventCatalog::kBuiltinTypes] = {
    {"account", 15, AddAccountPayload, {{"created", 4}, {"updated", 5}, {"deleted", 1}}},
    {"lesson", 20, AddLessonPayload, {{"started", 5}, {"completed", 4}, {"", 0}}},
    {"payment", 10, AddPaymentPayload, {{"order:completed", 6}, {"refund:issued", 1}, {"", 0}}},
    {"quiz", 15, AddQuizPayload, {{"answered", 1}, {"", 0}, {"", 0}}},
    {"page", 30, AddPagePayload, {{"viewed", 1}, {"", 0}, {"", 0}}},
    {"session", 10, AddSessionPayload, {{"started", 1}, {"ended", 1}, {"", 0}}},
};

// Synthetic types: uniform subtypes, one with a second ':'.
constexpr std::string_view kSyntheticSubtypes[] = {"created", "updated", "step:done"};

uint32_t PickWeighted(const SubtypeSpec (&subtypes)[3], Rng& rng) {
  uint32_t total = 0;
  for (const SubtypeSpec& s : subtypes) total += s.weight;
  auto roll = static_cast<uint32_t>(rng.Below(total));
  for (uint32_t i = 0; i < 3; ++i) {
    if (roll < subtypes[i].weight) return i;
    roll -= subtypes[i].weight;
  }
  return 0;
}

}  // namespace

EventCatalog::EventCatalog(uint32_t type_count) : type_count_(type_count) {
  type_names_.reserve(type_count);
  for (uint32_t t = 0; t < type_count; ++t) {
    if (t < kBuiltinTypes) {
      type_names_.emplace_back(kBuiltins[t].name);
      builtin_weight_total_ += kBuiltins[t].weight;
    } else {
      std::string name = std::to_string(t);
      if (name.size() < 4) name.insert(0, 4 - name.size(), '0');
      type_names_.push_back("type" + name);
    }
  }
}

std::string_view EventCatalog::SubtypeName(const EventChoice& choice) const {
  if (choice.type < kBuiltinTypes) {
    return kBuiltins[choice.type].subtypes[choice.subtype].name;
  }
  return kSyntheticSubtypes[choice.subtype];
}

EventChoice EventCatalog::Pick(Rng& rng) const {
  EventChoice choice;
  if (type_count_ > kBuiltinTypes) {
    // Uniform over all types so every partition gets traffic.
    choice.type = static_cast<uint32_t>(rng.Below(type_count_));
  } else {
    auto roll = static_cast<uint32_t>(rng.Below(builtin_weight_total_));
    while (roll >= kBuiltins[choice.type].weight) {
      roll -= kBuiltins[choice.type].weight;
      ++choice.type;
    }
  }
  if (choice.type < kBuiltinTypes) {
    choice.subtype = PickWeighted(kBuiltins[choice.type].subtypes, rng);
  } else {
    choice.subtype = static_cast<uint32_t>(rng.Below(std::size(kSyntheticSubtypes)));
  }
  return choice;
}

void EventCatalog::AppendEventName(const EventChoice& choice, std::string& out) const {
  out.append(type_names_[choice.type]);
  out.push_back(':');
  out.append(SubtypeName(choice));
}

void EventCatalog::AddPayload(const EventChoice& choice, Rng& rng, RecordBuilder& b) const {
  if (choice.type < kBuiltinTypes) {
    kBuiltins[choice.type].payload(choice.subtype, rng, b);
  } else {
    AddSyntheticPayload(choice.subtype, rng, b);
  }
}

}  // namespace eventlake::gen
