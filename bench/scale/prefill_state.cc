// Fills a lake's RocksDB dedup state with N live claims on random uuids, the way epoch
// commits would have left them (same keys, same values, the same column family and
// options), so `bench/scale.sh` can measure ingest against a state of 1M or 50M uuids
// without first ingesting 50M events.
//
//   eventlake_prefill_state LAKE N [SEED]
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "dedup/dedup_store.h"
#include "state/state_db.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s LAKE N [SEED]\n", argv[0]);
    return 2;
  }
  const std::string lake = argv[1];
  const uint64_t n = std::strtoull(argv[2], nullptr, 10);
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 7;
  std::filesystem::create_directories(lake + "/_eventlake/state");
  auto state = eventlake::StateDb::Open({.path = lake + "/_eventlake/state"});
  if (!state.ok()) {
    std::fprintf(stderr, "%s\n", state.status().message().c_str());
    return 1;
  }
  eventlake::StateDb& db = **state;
  std::mt19937_64 rng(seed);
  char uuid[40];
  // Never expire: these claims stay live for the whole measurement.
  const eventlake::Claim claim{INT64_MAX / 2, {seed, 0}};
  const std::string value = eventlake::EncodeClaim(claim);
  // Written as one sorted table file and ingested, as a compaction would leave it: the
  // uuids are spread evenly over the key space in increasing order (the first 16 hex
  // digits), with random low bits; v4-shaped, and none equals a generator uuid.
  rocksdb::Options options(db.db()->GetDBOptions(), db.db()->GetOptions(db.claims()));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, db.claims());
  const std::string sst = lake + "/_eventlake/prefill.sst";
  rocksdb::Status st = writer.Open(sst);
  const uint64_t step = n > 0 ? UINT64_MAX / n : 0;
  for (uint64_t i = 0; st.ok() && i < n; ++i) {
    const uint64_t a = i * step + rng() % std::max<uint64_t>(step, 1), b = rng();
    std::snprintf(uuid, sizeof(uuid), "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-b%03" PRIx64 "-%012" PRIx64, a >> 32,
                  (a >> 16) & 0xffff, a & 0xffff, (b >> 48) & 0xfff, b & uint64_t{0xffffffffffff});
    st = writer.Put(eventlake::ClaimKey(uuid), value);
  }
  if (st.ok()) st = writer.Finish();
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  if (st.ok()) st = db.db()->IngestExternalFile(db.claims(), {sst}, ingest);
  if (!st.ok()) {
    std::fprintf(stderr, "prefill: %s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("%" PRIu64 " claims in %s/_eventlake/state\n", n, lake.c_str());
  return 0;
}
