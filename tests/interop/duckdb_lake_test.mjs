// DuckDB interop test: ingest a varied NDJSON input with the eventlake binary (once per
// output compression) and read the lake back with DuckDB, checking it value by value.
//
// Run: tests/interop/run.sh   (or: cd tests/interop && npm ci && node --test)
// Env: EVENTLAKE_BIN            eventlake binary (default build/eventlake of this checkout)
//
// What DuckDB does with the lake (verified with DuckDB 1.1.3, 1.3.2 and 1.5.6, see README.md):
//  * hive_partitioning=true: a path key (event_type=, event_date=) that is also a JSON field
//    gives ONE column, filled from the PATH; the JSON field's value is silently dropped.
//  * hive partition values are URL-decoded (%XX) before use, so eventlake's escaping round-trips:
//    event_type=a%20b reads back as "a b", %2E.%2Fevil as "../evil", %2541 as "%41".
//  * a raw value "NULL"/"null" (any case; and, in 1.5, __HIVE_DEFAULT_PARTITION__) is read as SQL
//    NULL; the check happens before URL-decoding, so "%4EULL" reads back as the string "NULL".
//  * hive values are type-autocast: if every event_type looks like an integer the column
//    becomes BIGINT. Pass hive_types={'event_type': 'VARCHAR'} to keep the true strings.
//  * read_json infers the schema from the first 32 files only (maximum_sample_files): a payload
//    field that appears only in later files is silently dropped. union_by_name=true reads the
//    schema of every file.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';

const BIN = process.env.EVENTLAKE_BIN || new URL('../../build/eventlake', import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------
// The input. Each entry is one input line (raw text) and its expected outcome.
// ---------------------------------------------------------------------------------------------
const W = 'written';
const D = 'duplicate';
const bad = (reason) => ({ invalid: reason });

// Event types whose partition value has to be escaped (or must survive unescaped).
const ESCAPE_TYPES = [
  'a b', 'x/y', '../evil', '%41', '_under', '.dot', 'ü-type',
  'k=v', 'q?*[1]', 'a+b', 'tab\there', 'back\\slash', '💥', 'UPPER lower', 'événement',
];

const INPUT = [
  // The DESIGN.md examples.
  [String.raw`{"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30}`, W],
  [String.raw`{"event_uuid":"a2","event_name":"payment:order:completed","created_at":1644838800.25,"amount":12.5,"currency":"EUR"}`, W],
  [String.raw`{"event_uuid":"\u0061\u0031","event_name":"account:created","created_at":1644838800,"age":99}`, D],
  // Unicode strings with JSON escapes; near midnight UTC.
  [String.raw`{"event_uuid":"ü-1","event_name":"user:renamed","created_at":1644883199.75,"display_name":"Zoë 🚀 日本語 \"quoted\" \\ back","bio":"line1\nline2\ttab \u00e9\ud83d\ude00"}`, W],
  [String.raw`{"event_uuid":"\u00fc-1","event_name":"user:renamed","created_at":1644883200}`, D],
  [String.raw`{"event_uuid":"\u65e5-9","event_name":"user:renamed","created_at":1644883200,"display_name":"escaped uuid, unique"}`, W],
  // Nested objects, arrays, explicit null.
  [String.raw`{"event_uuid":"o1","event_name":"order:placed","created_at":1644883200,"cart":{"items":[{"sku":"SKU-1","qty":2,"price":9.99},{"sku":"SKU-2","qty":1,"price":0.5}],"coupon":null,"shipping":{"country":"DE","express":true}},"tags":["a","b"]}`, W],
  // Scalars of many kinds; a date-looking string; created_at on the first day of the epoch.
  [String.raw`{"event_uuid":"n1","event_name":"metrics:sample","created_at":86399.5,"count":1234567890123,"delta":-7,"zero":0,"ratio":0.1,"ok":false,"day":"2022-01-01"}`, W],
  [String.raw`{"event_uuid":"e0","event_name":"epoch:zero","created_at":0}`, W],
  [String.raw`{"event_uuid":"f1","event_name":"future:edge","created_at":4102444799}`, W],
  // Multi-colon subtype, eighth-second fraction, a ".0" that is a whole second.
  [String.raw`{"event_uuid":"p1","event_name":"payment:refund:partial:x","created_at":1644838800.125}`, W],
  [String.raw`{"event_uuid":"d0","event_name":"account:created","created_at":1644838800.0}`, W],
  // Event types that need escaping.
  ...ESCAPE_TYPES.map((t, i) => [
    JSON.stringify({ event_uuid: `t-${i}`, event_name: `${t}:sub:${i}`, created_at: 1644900000 + i, n: i }),
    W,
  ]),
  // Duplicates: an exact repeat, and a uuid reused by a different event type (must not appear).
  [JSON.stringify({ event_uuid: 't-0', event_name: `${ESCAPE_TYPES[0]}:sub:0`, created_at: 1644900000, n: 0 }), D],
  [String.raw`{"event_uuid":"t-1","event_name":"other:thing","created_at":1644838800}`, D],
  // A blank line: skipped, counted, not a dead letter.
  ['', 'blank'],
  // Invalid lines: one dead letter each, with this reason.
  [String.raw`{"event_uuid":"bad1","event_name":"accountcreated","created_at":1644838800}`, bad('bad_event_name')],
  [String.raw`{"event_uuid":"bad2","event_name":"account:created","created_at":"1644838800"}`, bad('wrong_type')],
  [String.raw`{"event_uuid":"bad3","event_name":"account:created","created_at":1644838800} trailing`, bad('trailing_content')],
  [String.raw`{"event_uuid":"","event_name":"a:b","created_at":1644838800}`, bad('empty_field')],
  [String.raw`{"event_name":"a:b","created_at":1644838800}`, bad('missing_field')],
  [String.raw`[1,2,3]`, bad('not_an_object')],
  [String.raw`{"event_uuid":"bad7","event_name":`, bad('malformed_json')],
  [String.raw`{"event_uuid":"bad8","event_name":"a:b","created_at":1644838800,"event_type":"forged"}`, bad('reserved_field')],
  [String.raw`{"event_uuid":"bad9","event_name":":b","created_at":1644838800}`, bad('bad_event_name')],
  [String.raw`{"event_uuid":"bad10","event_name":"a:b","created_at":4102444800}`, bad('created_at_out_of_range')],
  [String.raw`{"event_uuid":"bad11","event_name":"a:b","created_at":1,"created_at":2}`, bad('duplicate_key')],
];

const DERIVED = ['event_type', 'event_subtype', 'created_datetime'];
const CONTRACT = ['event_uuid', 'event_name', 'created_at'];

// Expected lake content, derived from INPUT (and the labels cross-checked against the contract).
function expectedFromInput() {
  const written = new Map(); // uuid -> expected output record (ordered keys)
  const invalid = new Map(); // 1-based line number -> { reason, raw }
  let duplicates = 0;
  let blank = 0;
  INPUT.forEach(([line, outcome], i) => {
    if (outcome === 'blank') { blank++; return; }
    if (outcome === W || outcome === D) {
      const obj = JSON.parse(line);
      const uuid = obj.event_uuid;
      assert.equal(written.has(uuid), outcome === D, `input label of line ${i + 1} (${uuid})`);
      if (outcome === D) { duplicates++; return; }
      const colon = obj.event_name.indexOf(':');
      written.set(uuid, {
        ...obj,
        event_type: obj.event_name.slice(0, colon),
        event_subtype: obj.event_name.slice(colon + 1),
        created_datetime: rfc3339(obj.created_at),
      });
      return;
    }
    invalid.set(i + 1, { reason: outcome.invalid, raw: line });
  });
  return { written, invalid, duplicates, blank, read: INPUT.length - blank };
}

// created_at (seconds; the test only uses binary-exact fractions) -> RFC 3339 UTC per DESIGN.md.
function rfc3339(seconds) {
  const whole = Math.floor(seconds);
  const base = new Date(whole * 1000).toISOString().replace(/\.000Z$/, '');
  const frac = seconds - whole;
  return frac === 0 ? `${base}Z` : `${base}.${String(frac).slice(2)}Z`;
}
const utcDate = (seconds) => new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;

function ingest(lake, inputs, extraArgs = []) {
  const report = path.join(path.dirname(lake), `${path.basename(lake)}.report.json`);
  const args = ['ingest', '--lake', lake, '--min-created-at', '0', '--max-created-at', '2100-01-01',
    '--progress', 'never', '-q', '--report', report, ...extraArgs, ...inputs];
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.error, undefined, `spawn ${BIN}: ${r.error}`);
  assert.equal(r.status, 0, `eventlake ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
  return JSON.parse(fs.readFileSync(report, 'utf8'));
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p)); else out.push(p);
  }
  return out;
}

// Drop null-valued object keys, recursively. DuckDB reads JSON objects as STRUCTs whose fields
// are the union over all records, so an absent nested key and an explicit null look the same.
function stripNulls(v) {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]));
  }
  return v;
}

// "event_type=a%20b" -> ["event_type", "a%20b"] for the partition segments of a data file path.
function partitionOf(lake, file) {
  const rel = path.relative(lake, file).split(path.sep);
  assert.equal(rel.length, 3, `data file at unexpected depth: ${file}`);
  const [t, d] = rel;
  assert.ok(t.startsWith('event_type=') && d.startsWith('event_date='), file);
  return { typeDir: t.slice('event_type='.length), dateDir: d.slice('event_date='.length) };
}

let instance;
let conn;
async function rows(sql) {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

// The query we tell users to run: hive columns on; event_type kept a string even when every
// type looks numeric (autocast test below); the schema taken from every file, not only the
// first 32 sampled ones (sampling test below).
const USER_OPTS = "format='newline_delimited', hive_partitioning=true, union_by_name=true, "
  + "hive_types={'event_type': 'VARCHAR', 'event_date': 'DATE'}";
// The bare query from DESIGN.md, with no hive_types.
const BARE_OPTS = "format='newline_delimited', hive_partitioning=true";
const dataGlob = (lake) => `${lake}/event_type=*/event_date=*/*.jsonl*`;

let tmp;
before(async () => {
  assert.ok(fs.existsSync(BIN), `eventlake binary not found at ${BIN} (set EVENTLAKE_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventlake-interop-'));
  // No extension downloads (JSON support is built in); stay light on the shared machine.
  instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  conn = await instance.connect();
});

after(() => {
  conn?.closeSync();
  instance?.closeSync();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('DuckDB version', async (t) => {
  const [{ v }] = await rows('SELECT version() AS v');
  t.diagnostic(`DuckDB ${v} (@duckdb/node-api, bindings ${duckdbVersion()})`);
  assert.match(v, /^v1\./);
});

// ---------------------------------------------------------------------------------------------
// The main round trip, once per output compression.
// ---------------------------------------------------------------------------------------------
const SUFFIX = { none: '.jsonl', gzip: '.jsonl.gz', zstd: '.jsonl.zst' };

for (const compression of ['none', 'gzip', 'zstd']) {
  describe(`lake written with --compression ${compression}`, () => {
    const exp = expectedFromInput();
    let lake;
    let input;
    let report;

    before(() => {
      const dir = fs.mkdtempSync(path.join(tmp, `${compression}-`));
      input = path.join(dir, 'events.ndjson');
      fs.writeFileSync(input, INPUT.map(([l]) => l).join('\n') + '\n');
      lake = path.join(dir, 'lake');
      report = ingest(lake, [input], ['--compression', compression]);
    });

    test('run report balances', () => {
      assert.equal(report.written, exp.written.size);
      assert.equal(report.duplicates, exp.duplicates);
      assert.equal(report.invalid, exp.invalid.size);
      assert.equal(report.read, report.written + report.duplicates + report.invalid);
      assert.equal(report.blank_lines, exp.blank);
      assert.equal(report.check?.balanced, true);
    });

    test('files on disk: every data file in a decodable partition with the right suffix', () => {
      const files = walk(lake);
      const data = files.filter((f) => !path.relative(lake, f).startsWith('_'));
      assert.ok(data.length > 0);
      for (const f of data) {
        assert.ok(f.endsWith(SUFFIX[compression]), `unexpected file ${f}`);
        const { typeDir, dateDir } = partitionOf(lake, f);
        // Only ASCII in the escaped form except UTF-8 letters; no raw '/', '%' or leading dot.
        assert.doesNotMatch(typeDir, /^[._]|[/\\ ]/, typeDir);
        assert.match(dateDir, /^\d{4}-\d\d-\d\d$/);
      }
      // The exclusion check below is only meaningful if these exist.
      assert.ok(files.some((f) => path.relative(lake, f).startsWith(`_errors${path.sep}`)), 'no _errors/ files');
      assert.ok(files.some((f) => path.relative(lake, f).startsWith(`_eventlake${path.sep}`)), 'no _eventlake/ files');
    });

    for (const [label, opts] of [['user query (hive_types)', USER_OPTS], ['bare hive_partitioning=true', BARE_OPTS]]) {
      test(`DuckDB read_json, ${label}: exact events, columns and hive partitions`, async (t) => {
        const src = `read_json(${lit(dataGlob(lake))}, ${opts}, filename=true)`;

        // Schema: each hive key is ONE column (no event_type_1 etc.), typed as users expect.
        const schema = await rows(`DESCRIBE SELECT * FROM ${src}`);
        const types = Object.fromEntries(schema.map((r) => [r.column_name, r.column_type]));
        t.diagnostic(`schema: ${JSON.stringify(types)}`);
        for (const c of ['event_uuid', 'event_name', 'event_type', 'event_subtype']) assert.equal(types[c], 'VARCHAR', c);
        assert.equal(types.event_date, 'DATE');
        assert.equal(types.created_datetime, 'TIMESTAMP');
        assert.equal(types.created_at, 'DOUBLE');
        assert.equal(schema.filter((r) => /^event_(type|date)/.test(r.column_name)).length, 2, 'hive columns duplicated');

        const got = await rows(`
          SELECT event_uuid, event_type, event_subtype, event_name, created_at,
                 epoch_us(created_datetime)::VARCHAR AS created_us,
                 event_date::VARCHAR AS event_date, filename, to_json(j)::VARCHAR AS row_json
          FROM ${src} AS j ORDER BY event_uuid`);

        // Exactly the unique valid events, nothing from _errors/ or _eventlake/.
        assert.deepEqual(got.map((r) => r.event_uuid).sort(), [...exp.written.keys()].sort());
        for (const r of got) {
          const rel = path.relative(lake, r.filename);
          assert.ok(rel.startsWith('event_type='), `read a file outside the data partitions: ${rel}`);
        }

        const known = new Set([...CONTRACT, ...DERIVED, 'event_date', 'filename']);
        for (const r of got) {
          const e = exp.written.get(r.event_uuid);
          const where = `event ${r.event_uuid}`;
          assert.equal(r.event_type, e.event_type, `${where}: event_type`);
          assert.equal(r.event_subtype, e.event_subtype, `${where}: event_subtype`);
          assert.equal(r.event_name, e.event_name, `${where}: event_name`);
          assert.equal(r.created_at, e.created_at, `${where}: created_at`);
          assert.equal(r.created_us, String(Math.round(e.created_at * 1e6)), `${where}: created_datetime`);
          assert.equal(r.event_date, utcDate(e.created_at), `${where}: event_date (hive)`);

          // The hive values come from the path, URL-decoded: the path must encode the true values.
          const { typeDir, dateDir } = partitionOf(lake, r.filename);
          assert.equal(decodeURIComponent(typeDir), e.event_type, `${where}: ${typeDir}`);
          assert.equal(dateDir, utcDate(e.created_at), `${where}: ${dateDir}`);

          // Payload, value by value (JSON types as DuckDB read them, rendered back to JSON).
          const row = JSON.parse(r.row_json);
          for (const [k, v] of Object.entries(e)) {
            if (known.has(k)) continue;
            assert.deepEqual(stripNulls(row[k]), stripNulls(v), `${where}: payload field ${k}`);
          }
          // Columns that other events have must be NULL here.
          for (const [k, v] of Object.entries(row)) {
            if (!known.has(k) && !(k in e)) assert.equal(v, null, `${where}: foreign column ${k}`);
          }
        }
      });
    }

    test('raw records (read_ndjson_objects): every input field kept, derived fields appended', async () => {
      const got = await rows(`
        SELECT json::VARCHAR AS json, event_type AS hive_type, filename
        FROM read_ndjson_objects(${lit(dataGlob(lake))}, hive_partitioning=true, filename=true)`);
      assert.equal(got.length, exp.written.size);
      for (const r of got) {
        const rec = JSON.parse(r.json);
        const e = exp.written.get(rec.event_uuid);
        assert.ok(e, `unexpected record ${r.json}`);
        // Same keys in the same order (input fields, then the three derived ones), same values.
        assert.deepEqual(Object.keys(rec), Object.keys(e), `key order of ${rec.event_uuid}`);
        assert.deepEqual(rec, e, `record ${rec.event_uuid}`);
        assert.equal(r.hive_type, e.event_type, `hive event_type of ${rec.event_uuid}`);
      }
    });

    test('dead letters read back with DuckDB: one per invalid line, with its reason', async () => {
      // Dead letters use the same compression as the data (.jsonl, .jsonl.gz, .jsonl.zst).
      const got = await rows(`
        SELECT reason, source, line::BIGINT::VARCHAR AS line, raw, filename
        FROM read_json(${lit(`${lake}/_errors/*.jsonl*`)}, format='newline_delimited', filename=true)
        ORDER BY line::BIGINT`);
      assert.equal(got.length, exp.invalid.size);
      for (const r of got) {
        assert.ok(r.filename.endsWith(SUFFIX[compression]), r.filename);
        const e = exp.invalid.get(Number(r.line));
        assert.ok(e, `dead letter for line ${r.line} which is not an invalid line`);
        assert.equal(r.reason, e.reason, `reason for line ${r.line}: ${e.raw}`);
        assert.equal(r.raw, e.raw, `raw bytes of line ${r.line}`);
        assert.equal(r.source, input);
      }
      assert.deepEqual(got.map((r) => Number(r.line)), [...exp.invalid.keys()]);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// DuckDB's hive semantics on a hand-made lake (no eventlake): the facts the design relies on.
// ---------------------------------------------------------------------------------------------
describe('DuckDB hive partition semantics', () => {
  let root;
  const DIRS = ['a%20b', 'x%2Fy', '%2E.%2Fevil', '%2541', '%5Funder', '%2Edot', 'ü-type', 'a+b', '%4EULL', 'NULL', 'null', 'Null'];
  before(() => {
    root = fs.mkdtempSync(path.join(tmp, 'hive-'));
    for (const d of DIRS) {
      const p = path.join(root, `event_type=${d}`, 'event_date=2022-02-14');
      fs.mkdirSync(p, { recursive: true });
      // The file's own event_type/event_date disagree with the path on purpose.
      fs.writeFileSync(path.join(p, 'p.jsonl'), JSON.stringify({ dir: d, event_type: 'FROM_JSON', event_date: '1999-01-01' }) + '\n');
    }
  });
  const glob = () => lit(`${root}/event_type=*/event_date=*/*.jsonl`);

  test('path value wins over a same-named JSON field, with every option set; one column', async (t) => {
    const variants = {
      'hive_partitioning=true': 'hive_partitioning=true',
      'hive_partitioning (auto-detected)': '',
      'hive_partitioning=true, union_by_name=true': 'hive_partitioning=true, union_by_name=true',
      'hive_partitioning=true, hive_types_autocast=false': 'hive_partitioning=true, hive_types_autocast=false',
      "hive_types={'event_type':'VARCHAR'}": "hive_types={'event_type': 'VARCHAR'}",
    };
    for (const [name, opts] of Object.entries(variants)) {
      const sql = `SELECT * FROM read_json(${glob()}, format='newline_delimited'${opts ? ', ' + opts : ''}) WHERE dir = 'a%20b'`;
      const got = await rows(sql);
      t.diagnostic(`${name}: ${JSON.stringify(got)}`);
      assert.deepEqual(Object.keys(got[0]), ['dir', 'event_type', 'event_date'], name);
      assert.equal(got[0].event_type, 'a b', name);
      assert.equal(got[0].event_date, '2022-02-14', name);
    }
    // Only hive_partitioning=false shows the JSON values (and then there is no path column).
    const off = await rows(`SELECT * FROM read_json(${glob()}, format='newline_delimited', hive_partitioning=false) WHERE dir = 'a%20b'`);
    assert.deepEqual(off, [{ dir: 'a%20b', event_type: 'FROM_JSON', event_date: '1999-01-01' }]);
  });

  test('partition values are URL-decoded; NULL/null (before decoding) is SQL NULL', async (t) => {
    const got = await rows(`SELECT dir, event_type FROM read_json(${glob()}, format='newline_delimited', hive_partitioning=true) ORDER BY dir`);
    const m = Object.fromEntries(got.map((r) => [r.dir, r.event_type]));
    t.diagnostic(JSON.stringify(m));
    assert.deepEqual(m, {
      'a%20b': 'a b', 'x%2Fy': 'x/y', '%2E.%2Fevil': '../evil', '%2541': '%41', '%5Funder': '_under',
      '%2Edot': '.dot', 'ü-type': 'ü-type', 'a+b': 'a+b', '%4EULL': 'NULL',
      NULL: null, null: null, Null: null,
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Edge cases where what a DuckDB user sees depends on eventlake's choices.
// ---------------------------------------------------------------------------------------------
describe('event types and timestamps at the edge of DuckDB hive/JSON reading', () => {
  let dir;
  before(() => { dir = fs.mkdtempSync(path.join(tmp, 'edge-')); });

  function lakeOf(name, events) {
    const input = path.join(dir, `${name}.ndjson`);
    fs.writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const lake = path.join(dir, name);
    ingest(lake, [input], ['--dedup', 'memory']);
    return lake;
  }

  test('all-numeric event types: hive autocast makes event_type BIGINT unless hive_types says VARCHAR', async () => {
    const lake = lakeOf('numeric', [
      { event_uuid: 'n1', event_name: '2024:x', created_at: 1644838800 },
      { event_uuid: 'n2', event_name: '42:x', created_at: 1644838800 },
    ]);
    const bare = await rows(`SELECT event_uuid, event_type, typeof(event_type) AS t FROM read_json(${lit(dataGlob(lake))}, ${BARE_OPTS}) ORDER BY 1`);
    assert.deepEqual(bare.map((r) => r.t), ['BIGINT', 'BIGINT'], 'DuckDB behaviour changed: bare query no longer autocasts');
    const user = await rows(`SELECT event_uuid, event_type, typeof(event_type) AS t FROM read_json(${lit(dataGlob(lake))}, ${USER_OPTS}) ORDER BY 1`);
    assert.deepEqual(user, [{ event_uuid: 'n1', event_type: '2024', t: 'VARCHAR' }, { event_uuid: 'n2', event_type: '42', t: 'VARCHAR' }]);
  });

  test('a payload field only in files past the 32 sampled ones: dropped by the bare query, kept with union_by_name', async (t) => {
    const events = [];
    for (let i = 0; i < 40; i++) events.push({ event_uuid: `m${i}`, event_name: `t${String(i).padStart(2, '0')}:x`, created_at: 1644838800 });
    events.push({ event_uuid: 'late', event_name: 'zz:x', created_at: 1644838800, late_field: 'hello' });
    const lake = lakeOf('sampling', events);
    const q = (opts) => `SELECT to_json(j)::VARCHAR AS r FROM read_json(${lit(dataGlob(lake))}, ${opts}) AS j WHERE event_uuid = 'late'`;
    const bare = JSON.parse((await rows(q(BARE_OPTS)))[0].r);
    t.diagnostic(`bare query, late record: ${JSON.stringify(bare)}`);
    const user = JSON.parse((await rows(q(USER_OPTS)))[0].r);
    assert.equal(user.late_field, 'hello');
  });

  describe('event type spelled NULL / null', () => {
    let lake;
    before(() => {
      lake = lakeOf('nulltype', [
        { event_uuid: 'u1', event_name: 'NULL:x', created_at: 1644838800 },
        { event_uuid: 'u2', event_name: 'null:x', created_at: 1644838800 },
        { event_uuid: 'u3', event_name: 'Null:x', created_at: 1644838800 },
        { event_uuid: 'u4', event_name: '__HIVE_DEFAULT_PARTITION__:x', created_at: 1644838800 },
      ]);
    });

    test('the true type is always available from the record itself (read_ndjson_objects)', async () => {
      const got = await rows(`SELECT json->>'event_uuid' AS u, json->>'event_type' AS true_type
        FROM read_ndjson_objects(${lit(dataGlob(lake))}, hive_partitioning=true) ORDER BY 1`);
      assert.deepEqual(got.map((r) => r.true_type), ['NULL', 'null', 'Null', '__HIVE_DEFAULT_PARTITION__']);
    });

    test('the event_type column shows the true type',
      async () => {
        const got = await rows(`SELECT event_uuid, event_type FROM read_json(${lit(dataGlob(lake))}, ${USER_OPTS}) ORDER BY 1`);
        assert.deepEqual(got.map((r) => r.event_type), ['NULL', 'null', 'Null', '__HIVE_DEFAULT_PARTITION__']);
      });
  });

  test('sub-microsecond created_at keeps created_datetime a TIMESTAMP DuckDB can read',
    async (t) => {
      const events = [];
      for (let i = 0; i < 40; i++) events.push({ event_uuid: `s${i}`, event_name: `t${String(i).padStart(2, '0')}:x`, created_at: 1644838800.25 });
      const lake = lakeOf('subus', events);
      // Appended as text so the literal keeps its digits.
      const input = path.join(dir, 'subus2.ndjson');
      fs.writeFileSync(input, '{"event_uuid":"z1","event_name":"zz:x","created_at":1644838800.1234567}\n');
      ingest(lake, [input], ['--dedup', 'memory']);
      const q = (opts) => `SELECT event_uuid, typeof(created_datetime) AS t, created_datetime::VARCHAR AS dt
        FROM read_json(${lit(dataGlob(lake))}, ${opts}) WHERE event_type = 'zz'`;
      const bare = await conn.runAndReadAll(q(BARE_OPTS)).then((r) => JSON.stringify(r.getRowObjectsJson()), (e) => `error: ${e.message}`);
      t.diagnostic(`bare query: ${bare.split('\n')[0]}`);
      const got = await rows(q(USER_OPTS));
      t.diagnostic(`user query: ${JSON.stringify(got)}`);
      assert.equal(got.length, 1);
      assert.equal(got[0].t, 'TIMESTAMP');
      assert.match(got[0].dt, /^2022-02-14 11:40:00\.12345[67]$/); // truncated or rounded to µs
    });
});
