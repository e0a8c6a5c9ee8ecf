// eventlake: validate, enrich, deduplicate and land JSON events in a partitioned lake.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/cat_command.h"
#include "app/ingest.h"
#include "app/ingest_options.h"
#include "app/test_hooks.h"
#include "gen/gen_command.h"

#ifndef EVENTLAKE_VERSION
#define EVENTLAKE_VERSION "0.0.0"
#endif

namespace {
int Main(int argc, char** argv) {
  eventlake::InstallTestHooksFromEnv();
  CLI::App app{"eventlake " EVENTLAKE_VERSION
               ": validate, enrich, deduplicate and land JSON events in a partitioned lake"};
  app.set_version_flag("--version", EVENTLAKE_VERSION);
  app.require_subcommand(1);

  eventlake::IngestOptions ingest;
  CLI::App* ingest_cmd = app.add_subcommand("ingest", "Read NDJSON events into the lake, exactly once");
  eventlake::AddIngestOptions(*ingest_cmd, ingest);

  eventlake::gen::GenOptions gen;
  CLI::App* gen_cmd =
      app.add_subcommand("gen", "Generate realistic NDJSON events (deterministic, for demos and tests)");
  eventlake::gen::AddGenOptions(*gen_cmd, gen);

  std::vector<std::string> cat_paths;
  CLI::App* cat_cmd = app.add_subcommand("cat", "Print the events of lake files (Parquet or JSON lines) as JSON lines");
  cat_cmd->add_option("paths", cat_paths, "Files or directories (a lake: its data files, not _errors/ or _eventlake/)")
      ->required();
  std::string schema_path;
  CLI::App* schema_cmd = app.add_subcommand("schema", "Describe a Parquet file eventlake wrote");
  schema_cmd->add_option("file", schema_path, "A .parquet file")->required();

  const std::string first = argc > 1 ? argv[1] : "";
  if (!first.empty() && first[0] != '-' && first != "ingest" && first != "gen" && first != "cat" && first != "schema") {
    std::fprintf(
        stderr,
        "eventlake: unknown command '%s'; the commands are: ingest, gen, cat, schema. Run 'eventlake --help'.\n",
        argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (cat_cmd->parsed()) return eventlake::RunCat(cat_paths);
  if (schema_cmd->parsed()) return eventlake::RunSchema(schema_path);
  if (ingest_cmd->parsed()) {
    if (eventlake::Status s = eventlake::ValidateIngestOptions(ingest); !s.ok()) {
      std::fprintf(stderr, "eventlake ingest: %s\nRun 'eventlake ingest --help' for the options.\n",
                   s.message().c_str());
      return 2;
    }
    eventlake::RunReport report;
    return eventlake::RunIngest(ingest, report);
  }
  if (gen_cmd->parsed()) return eventlake::gen::RunGen(gen);
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  // Errors are values inside eventlake; what can still throw here is the allocator.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eventlake: fatal: %s\n", e.what());
    return 1;
  }
}
