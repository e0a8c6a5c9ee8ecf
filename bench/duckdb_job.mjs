// The DuckDB side of the eventlake benchmark, and the checker for every benchmark output.
//
//   node bench/duckdb_job.mjs ingest   --input F --out DIR --format json|parquet --threads N
//                                      [--report FILE] [--temp-dir DIR]
//   node bench/duckdb_job.mjs check    --expected E.json --lake DIR --format json|parquet
//   node bench/duckdb_job.mjs diagnose --input F --expected E.json
//   node bench/duckdb_job.mjs version
//
// ingest   does eventlake's job in DuckDB SQL (parseSql, FIRSTS_SQL, WRITTEN, copySql): read the
//          NDJSON, drop the records that break the event contract, keep the first occurrence of
//          each event_uuid in file order, derive event_type, event_subtype, created_datetime and
//          event_date, and write a Hive-partitioned lake (event_type=T/event_date=D/) as JSON
//          lines or ZSTD Parquet. Prints (and writes to --report) read/written/duplicates/invalid.
// check    recomputes, from the data files of a lake (eventlake's or DuckDB's), the events and
//          the uuid_hash (XOR of FNV-1a-64 of the unescaped uuid bytes) of every partition and
//          compares them with the generator's expected outcome (eventlake gen --expected).
//          DuckDB lists the uuids (read_ndjson_objects: every line must parse; read_parquet);
//          the partition comes from the file's path; the hashing is done here. Exit status 1 on
//          any difference.
// diagnose (not timed) counts what DuckDB's JSON readers get wrong on this input.
//
// DuckDB comes from tests/interop/node_modules (bash tests/interop/run.sh --install-only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INTEROP = path.join(HERE, '..', 'tests', 'interop', 'package.json');

async function duckdb(threads, tempDir) {
  const resolved = createRequire(INTEROP).resolve('@duckdb/node-api');
  const { DuckDBInstance } = await import(pathToFileURL(resolved).href);
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(threads),
    // Where an in-memory database spills when over its memory limit (default: ./.tmp).
    ...(tempDir ? { temp_directory: tempDir } : {}),
    // Required for correctness: CREATE TABLE AS from the reader must keep file order (rowid).
    preserve_insertion_order: 'true',
    // Everything needed (json, parquet) is built in; never download.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const run = async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  const close = () => { conn.closeSync(); instance.closeSync(); };
  return { conn, run, close };
}

const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument: ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function need(args, ...names) {
  for (const n of names) if (args[n] === undefined) throw new Error(`missing --${n}`);
}

// ---------------------------------------------------------------------------------------------
// The job.
// ---------------------------------------------------------------------------------------------

// DuckDB's JSON reader parses with yyjson's ALLOW_TRAILING_COMMAS | ALLOW_INF_AND_NAN, so
// '{"a":1,}' and '{"a":NaN}' (malformed for the contract) come back as valid JSON. This macro
// finds them exactly: strip the string literals, then a ',' before '}'/']' is a trailing comma
// and any letter other than e/E outside true/false/null is NaN/Inf/Infinity. The first, cheap
// regexp keeps the expensive one off the lines that cannot have either (CASE evaluates THEN
// only for the rows that need it; an AND in a SELECT list would evaluate both sides).
const LENIENT_MACRO = String.raw`
CREATE TEMP MACRO lenient_json(t) AS
  CASE WHEN regexp_matches(t, ',\s*[\]}]|[Nn][Aa][Nn]|[Ii][Nn][Ff]')
       THEN regexp_matches(
              regexp_replace(regexp_replace(t, '"(?:[^"\\]|\\.)*"', '""', 'g'), 'true|false|null', '', 'g'),
              ',\s*[\]}]|[A-DF-Za-df-z]')
       ELSE false END`;

// One row per input line, in file order (rowid), with `ok` = the record meets the contract.
function parseSql(input, maxCreatedAt) {
  return String.raw`
CREATE TEMP TABLE lines AS
WITH src AS (
  -- One row per line; ignore_errors gives NULL for a line yyjson cannot parse (malformed JSON,
  -- invalid UTF-8, content after the object). The text comes back trimmed of whitespace.
  SELECT json::VARCHAR AS record,
         json_keys(json) AS keys,
         -- one parse for the three required fields and the four reserved names (top level)
         json_extract(json, ['$.event_uuid', '$.event_name', '$.created_at', '$.event_type',
                             '$.event_subtype', '$.created_datetime', '$.event_date']) AS f
  FROM read_ndjson_objects(${lit(input)}, ignore_errors = true)
), fields AS (
  SELECT record, keys, f,
         json_type(f[1]) AS uuid_type, f[1] ->> '$' AS event_uuid,   -- ->> unescapes
         json_type(f[2]) AS name_type, f[2] ->> '$' AS event_name,
         json_type(f[3]) AS ts_type, TRY_CAST(f[3] AS DOUBLE) AS created_at
  FROM src
)
SELECT
  CASE  -- one rule per WHEN, cheap ones first; NULL (field missing) counts as broken
    WHEN NOT coalesce(starts_with(record, '{'), false) THEN false          -- unparsed, not an object
    WHEN f[4] IS NOT NULL OR f[5] IS NOT NULL OR f[6] IS NOT NULL OR f[7] IS NOT NULL THEN false
    WHEN NOT coalesce(uuid_type = 'VARCHAR' AND event_uuid <> '', false) THEN false
    WHEN NOT coalesce(name_type = 'VARCHAR' AND strpos(event_name, ':') > 1
                      AND strpos(event_name, ':') < length(event_name), false) THEN false
    WHEN NOT coalesce(ts_type IN ('UBIGINT', 'BIGINT', 'DOUBLE')
                      AND created_at >= 0 AND created_at < ${maxCreatedAt}, false) THEN false  -- [0, now+1d)
    WHEN list_unique(keys) <> len(keys) THEN false                          -- duplicate key
    WHEN lenient_json(record) THEN false                                    -- NaN/Inf, trailing comma
    ELSE true
  END AS ok,
  record, event_uuid, event_name,
  substr(event_name, 1, strpos(event_name, ':') - 1) AS event_type,
  substr(event_name, strpos(event_name, ':') + 1) AS event_subtype,
  created_at
FROM fields`;
}

// The first occurrence of each uuid among the valid records, in file order.
const FIRSTS_SQL = `
CREATE TEMP TABLE firsts AS
SELECT min(rowid) AS first_row FROM lines WHERE ok GROUP BY event_uuid`;

// Derived columns of the written events (event_date = UTC date of floor(created_at)).
const WRITTEN = `
SELECT *,
  make_timestamp(CAST(round(created_at * 1000000) AS BIGINT)) AS created_ts,
  CAST(DATE '1970-01-01' + CAST(floor(created_at / 86400) AS INTEGER) AS DATE) AS event_date
FROM lines
WHERE rowid IN (SELECT first_row FROM firsts)`;

function copySql(format, out) {
  if (format === 'parquet') {
    // Contract fields and derived fields as columns; the whole record (every input field) as
    // one JSON column (eventlake makes a typed column of each payload field instead: DuckDB
    // would need a schema inferred up front for that). Hive columns come from the path.
    return `
COPY (
  SELECT event_uuid, event_name, created_at, event_subtype,
         to_timestamp(created_at) AS created_datetime,  -- TIMESTAMPTZ: isAdjustedToUTC, like eventlake's
         CAST(record AS JSON) AS record,
         event_type, event_date
  FROM (${WRITTEN})
) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (event_type, event_date))`;
  }
  // JSON lines like eventlake's: the record as it came without its closing brace (and the
  // whitespace before it), plus the three derived fields. Written as one unquoted text column:
  // QUOTE '' turns quoting off entirely.
  return String.raw`
COPY (
  SELECT regexp_replace(record, '[ \t\r]*}$', '')
           || ',"event_type":' || to_json(event_type)
           || ',"event_subtype":' || to_json(event_subtype)
           || ',"created_datetime":"'
           || regexp_replace(strftime(created_ts, '%Y-%m-%dT%H:%M:%S.%f'), '\.?0+$', '')
           || 'Z"}' AS line,
         event_type, event_date
  FROM (${WRITTEN})
) TO ${lit(out)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER E'\x01',
                  PARTITION_BY (event_type, event_date), FILE_EXTENSION 'jsonl')`;
}

async function ingest(args) {
  need(args, 'input', 'out', 'format', 'threads');
  if (!['json', 'parquet'].includes(args.format)) throw new Error(`--format json|parquet, not ${args.format}`);
  const maxCreatedAt = Math.floor(Date.now() / 1000) + 86400;
  const db = await duckdb(args.threads, args['temp-dir']);
  try {
    const t0 = performance.now();
    const stages = {};
    const stage = async (name, sql) => {
      const start = performance.now();
      await db.run(sql);
      stages[name] = Number(((performance.now() - start) / 1000).toFixed(3));
    };
    await db.run(LENIENT_MACRO);
    await stage('parse_validate_s', parseSql(path.resolve(args.input), maxCreatedAt));
    await stage('dedup_s', FIRSTS_SQL);
    await stage('write_s', copySql(args.format, path.resolve(args.out)));
    const elapsed = (performance.now() - t0) / 1000;
    const [c] = await db.run(`
      SELECT count(*) AS read, count_if(ok) AS valid, (SELECT count(*) FROM firsts) AS written FROM lines`);
    const read = Number(c.read);
    const valid = Number(c.valid);
    const written = Number(c.written);
    const report = {
      tool: 'duckdb', format: args.format, threads: Number(args.threads),
      read, written, duplicates: valid - written, invalid: read - valid, elapsed_s: elapsed, ...stages,
    };
    if (args.report) fs.writeFileSync(args.report, JSON.stringify(report) + '\n');
    console.error(`duckdb: ${JSON.stringify(report)}`);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The check.
// ---------------------------------------------------------------------------------------------

// FNV-1a 64 over bytes, on two 32-bit halves: h = (h ^ byte) * 0x100000001b3 mod 2^64, and
// h * 0x100000001b3 = h * 0x1b3 + (h << 40). Partitions keeps the XOR of the uuid hashes.
class Partitions {
  constructor() { this.map = new Map(); }

  add(partition, uuid) {
    let p = this.map.get(partition);
    if (!p) this.map.set(partition, (p = { events: 0, hi: 0, lo: 0 }));
    let hi = 0xcbf29ce4;
    let lo = 0x84222325;
    // The UTF-8 bytes of the uuid: its chars when all are ASCII (the usual case).
    let ascii = true;
    for (let i = 0; i < uuid.length && ascii; i++) ascii = uuid.charCodeAt(i) < 0x80;
    const bytes = ascii ? uuid : Buffer.from(uuid, 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      lo = (lo ^ (ascii ? bytes.charCodeAt(i) : bytes[i])) >>> 0;
      const loMul = lo * 0x1b3; // < 2^41: exact
      hi = (Math.imul(hi, 0x1b3) + Math.floor(loMul / 0x100000000) + (lo << 8)) >>> 0;
      lo = loMul >>> 0;
    }
    p.events++;
    p.hi = (p.hi ^ hi) >>> 0;
    p.lo = (p.lo ^ lo) >>> 0;
  }

  // Differences from the expected outcome, one line each (empty when equal).
  diff(expected) {
    const out = [];
    const hex = (p) => p.hi.toString(16).padStart(8, '0') + p.lo.toString(16).padStart(8, '0');
    const keys = new Set([...this.map.keys(), ...Object.keys(expected)]);
    for (const k of [...keys].sort()) {
      const got = this.map.get(k);
      const want = expected[k];
      const gotHash = got ? hex(got) : '-';
      if (!got || !want || got.events !== want.events || gotHash !== want.uuid_hash) {
        out.push(`${k}: got ${got ? got.events : 0} events hash ${gotHash}, `
          + `expected ${want ? want.events : 0} events hash ${want ? want.uuid_hash : '-'}`);
      }
    }
    return out;
  }
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p)); else out.push(p);
  }
  return out;
}

// Per data file (LAKE/event_type=T/event_date=D/*): its records n, how many are well-formed
// events of its partition (good), and their unescaped event_uuids as JSON strings (canonical:
// yyjson escapes '\n'), one a line, so that one value per file crosses from DuckDB to
// JavaScript, not one per event. JSON lines: each line must parse as an object with a string
// event_uuid and the path's event_type. Parquet: a non-null event_uuid.
function uuidsSql(lake, format) {
  const opts = "hive_partitioning = true, hive_types = {'event_type': 'VARCHAR', 'event_date': 'VARCHAR'}, filename = true";
  const rows = format === 'parquet'
    ? `SELECT filename, event_uuid AS uuid
       FROM read_parquet(${lit(path.join(lake, 'event_type=*', 'event_date=*', '*.parquet'))}, ${opts})`
    : `SELECT filename,
              CASE WHEN starts_with(json::VARCHAR, '{') AND starts_with(f[1], '"') AND f[2] = to_json(event_type)
                   THEN f[1] ->> '$' END AS uuid
       FROM (SELECT *, json_extract(json, ['$.event_uuid', '$.event_type']) AS f
             FROM read_ndjson_objects(${lit(path.join(lake, 'event_type=*', 'event_date=*', '*.jsonl*'))},
                                      ignore_errors = true, ${opts}))`;
  return `SELECT filename, count(*) AS n, count(uuid) AS good, string_agg(to_json(uuid), chr(10)) AS uuids
          FROM (${rows}) GROUP BY filename`;
}

async function check(args) {
  need(args, 'expected', 'lake', 'format');
  const expected = JSON.parse(fs.readFileSync(args.expected, 'utf8'));
  const lake = path.resolve(args.lake);
  const suffix = args.format === 'parquet' ? /\.parquet$/ : /\.jsonl(\.gz|\.zst)?$/;
  const problems = [];
  const dataFiles = new Map(); // path -> partition "type/date" (values decoded from the path)
  for (const file of walk(lake)) {
    const rel = path.relative(lake, file);
    if (rel.startsWith('_')) continue; // _errors/, _eventlake/
    const m = /^event_type=([^/]+)\/event_date=(\d{4}-\d\d-\d\d)\/[^/]+$/.exec(rel);
    if (!m || !suffix.test(rel)) problems.push(`unexpected file in the lake: ${rel}`);
    else dataFiles.set(file, `${decodeURIComponent(m[1])}/${m[2]}`);
  }
  const parts = new Partitions();
  let codecs = '';
  if (dataFiles.size) {
    const db = await duckdb(os.cpus().length); // the check is not timed: use every core
    try {
      if (args.format === 'parquet') {
        const glob = path.join(lake, 'event_type=*', 'event_date=*', '*.parquet');
        const rows = await db.run(`SELECT string_agg(DISTINCT compression, ',') AS c FROM parquet_metadata(${lit(glob)})`);
        codecs = ` (Parquet codecs: ${rows[0].c})`;
      }
      for (const r of await db.run(uuidsSql(lake, args.format))) {
        const partition = dataFiles.get(r.filename);
        dataFiles.delete(r.filename);
        if (!partition) { problems.push(`DuckDB read a file the check did not list: ${r.filename}`); continue; }
        const bad = Number(r.n) - Number(r.good);
        if (bad) problems.push(`${r.filename}: ${bad} records are not well-formed events of this partition`);
        for (const u of r.uuids ? r.uuids.split('\n') : []) {
          parts.add(partition, u.includes('\\') ? JSON.parse(u) : u.slice(1, -1));
        }
      }
    } finally {
      db.close();
    }
  }
  // A file with no record at all gives no row above.
  for (const f of dataFiles.keys()) if (fs.statSync(f).size > 0) problems.push(`${f}: not read`);
  problems.push(...parts.diff(expected.partitions));
  let total = 0;
  for (const p of parts.map.values()) total += p.events;
  if (total !== expected.written) problems.push(`${total} events in the lake, expected ${expected.written}`);
  if (problems.length) {
    console.log(`MISMATCH ${args.lake}: ${problems.length} problem(s)`);
    for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
    process.exitCode = 1;
  } else {
    console.log(`OK ${total} events in ${parts.map.size} partitions match the expected outcome${codecs}`);
  }
}

// ---------------------------------------------------------------------------------------------
// What DuckDB's readers get wrong on this input (not timed; reported in results.md).
// ---------------------------------------------------------------------------------------------
async function diagnose(args) {
  need(args, 'input', 'expected');
  const expected = JSON.parse(fs.readFileSync(args.expected, 'utf8'));
  const maxCreatedAt = Math.floor(Date.now() / 1000) + 86400;
  const input = path.resolve(args.input);
  const db = await duckdb(os.cpus().length);
  try {
    await db.run(LENIENT_MACRO);
    const [objects] = await db.run(`
      SELECT count(*) AS lines, count(json) AS parsed, count_if(lenient_json(json::VARCHAR)) AS lenient
      FROM read_ndjson_objects(${lit(input)}, ignore_errors = true)`);
    // The obvious query: read_json with typed columns and ignore_errors, then the contract's
    // value rules. Typed columns coerce ("12345" for 12345, 1644838800 for "1644838800") and
    // cannot see duplicate or reserved keys.
    const [naive] = await db.run(`
      SELECT count(*) AS valid, count(DISTINCT event_uuid) AS uuids
      FROM read_json(${lit(input)}, format = 'newline_delimited', ignore_errors = true,
                     columns = {event_uuid: 'VARCHAR', event_name: 'VARCHAR', created_at: 'DOUBLE'})
      WHERE event_uuid <> '' AND strpos(event_name, ':') > 1 AND strpos(event_name, ':') < length(event_name)
        AND created_at >= 0 AND created_at < ${maxCreatedAt}`);
    const n = (v) => Number(v);
    const validExpected = expected.written + expected.duplicates;
    const out = {
      records: expected.records,
      invalid_expected: expected.invalid,
      read_ndjson_objects_rows: n(objects.lines),
      read_ndjson_objects_unparsed: n(objects.lines) - n(objects.parsed),
      accepted_only_by_lenient_parser: n(objects.lenient),
      naive_read_json_valid: n(naive.valid),
      naive_read_json_valid_expected: validExpected,
      naive_read_json_unique_uuids: n(naive.uuids),
      written_expected: expected.written,
    };
    console.log(JSON.stringify(out));
  } finally {
    db.close();
  }
}

async function version() {
  const db = await duckdb(1);
  try {
    const [r] = await db.run('SELECT version() AS v');
    console.log(r.v);
  } finally {
    db.close();
  }
}

const [cmd, ...rest] = process.argv.slice(2);
const commands = { ingest, check, diagnose, version };
if (!commands[cmd]) {
  console.error('usage: duckdb_job.mjs ingest|check|diagnose|version [--name value ...] (see the header)');
  process.exit(2);
}
try {
  await commands[cmd](parseArgs(rest));
} catch (e) {
  console.error(`duckdb_job.mjs ${cmd}: ${e.stack || e.message}`);
  process.exit(2);
}
