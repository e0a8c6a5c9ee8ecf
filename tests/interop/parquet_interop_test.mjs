// Parquet interop test: ingest a crafted NDJSON input with `--format parquet`, once per codec
// (zstd, snappy, gzip, none), and read EVERY column of EVERY file back with three independent
// readers, value by value against the input events:
//   * DuckDB      read_parquet(glob, hive_partitioning, union_by_name, hive_types) (+ parquet_schema,
//                 parquet_metadata)
//   * hyparquet   (pure JS) with hyparquet-compressors (fzstd, hysnappy, its own gunzip)
//   * parquet-wasm (arrow-rs compiled to wasm) -> Arrow IPC -> apache-arrow tableFromIPC
// and `eventlake cat FILE` must print the rows the readers see. Per codec: a lake with
// --row-group-size 64KiB --page-size 4KiB (several row groups), one with the defaults (dictionary
// fallback), and a copy of the first (byte-identical files). Plus: the user query over files that
// type one field differently.
//
// Run: tests/interop/run.sh   (or: cd tests/interop && node --test parquet_interop_test.mjs)
// Env: EVENTLAKE_BIN            eventlake binary (default build/eventlake of this checkout)
//
// The schema rules the expectations follow (src/encode/parquet/README.md):
//   event_uuid, event_name, event_subtype  BYTE_ARRAY STRING, REQUIRED
//   created_at                             INT64, or DOUBLE when a value in the file has a non-zero
//                                          fraction (1644838803.0 is integral), REQUIRED
//   created_datetime                       INT64 TIMESTAMP(MICROS, UTC), REQUIRED
//   payload fields, first-seen order       OPTIONAL; string -> STRING, integer (fits int64) -> INT64,
//                                          other numbers -> DOUBLE (ints promoted when a file mixes
//                                          them), boolean -> BOOLEAN, object/array -> BYTE_ARRAY JSON
//                                          (its JSON text), conflicting JSON types -> JSON text of
//                                          each value; JSON null and absent -> null
//   event_type and event_date are not columns: they come from the hive path.
//
// JSON.parse would round 9223372036854775807 to a double, so every JSON text here (the input, JSON
// columns, `eventlake cat` output) goes through parseJson below: integer literals become BigInt.
// Numbers inside JSON values are compared as exact values (2.0 == 2, 1e300 == its integer digits,
// 9.223372036854776e18 != 9223372036854775807).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DuckDBInstance, DuckDBTimestampTZValue, DuckDBTimestampValue, DuckDBDateValue } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import * as parquetWasm from 'parquet-wasm/node';
import { tableFromIPC } from 'apache-arrow';

const BIN = process.env.EVENTLAKE_BIN || new URL('../../build/eventlake', import.meta.url).pathname;

// ---------------------------------------------------------------------------------------------
// JSON with exact integers
// ---------------------------------------------------------------------------------------------

// JSON text -> JS value; integer literals (no fraction, no exponent) become BigInt, other numbers
// Number. With top=true the text must be an object and the result is its members in order:
// [{ key, value, raw }] (raw = the member's JSON text).
function parseJson(text, top = false) {
  let i = 0;
  const fail = (m) => { throw new SyntaxError(`parseJson: ${m} at ${i}: ${text.slice(Math.max(0, i - 20), i + 40)}`); };
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const NUM = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const str = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    return JSON.parse(text.slice(start, ++i));
  };
  const set = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  const members = (onMember) => {
    if (text[i++] !== '{') fail('expected {');
    ws();
    if (text[i] === '}') { i++; return; }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected key');
      const k = str();
      ws();
      if (text[i++] !== ':') fail('expected :');
      ws();
      const start = i;
      const v = value();
      onMember(k, v, text.slice(start, i));
      ws();
      if (text[i] === ',') { i++; continue; }
      if (text[i++] === '}') return;
      fail('expected , or }');
    }
  };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') { const o = {}; members((k, v) => set(o, k, v)); return o; }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === ']') return a;
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (!m) fail('unexpected character');
    i = NUM.lastIndex;
    return m[1] || m[2] ? Number(m[0]) : BigInt(m[0]);
  }
  ws();
  let out;
  if (top) { out = []; members((key, v, raw) => out.push({ key, value: v, raw })); } else out = value();
  ws();
  if (i !== text.length) fail('trailing content');
  return out;
}

// JS value (BigInt allowed) -> JSON text, for generated input lines.
function toJson(v) {
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

// A JSON value with its numbers as exact values: integral numbers -> BigInt (exact for any double).
function canon(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}

// For messages: BigInt as 123n, long strings shortened.
function show(v) {
  return JSON.stringify(v, (k, x) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'string' && x.length > 60) return `${x.slice(0, 40)}…(${x.length} chars)`;
    if (x === undefined) return '<undefined>';
    return x;
  });
}

// ---------------------------------------------------------------------------------------------
// The input: one line per event, all valid and unique. Partitions (type / date):
//   scalars / 2022-02-14       every scalar kind, int64 extremes, exponents, unicode, empty strings,
//                              nested JSON, always-null field, late field; integral created_at -> INT64
//   mixed types/ü / 2022-02-15  int+double promotion, JSON-type conflicts, fractional created_at -> DOUBLE
//                              (escaped hive value, multi-colon subtype)
//   bigstr / 2022-02-14        100 KB strings (ASCII, multi-byte) and a 100 KB JSON object
//   many / 2022-02-17          3000 events: several row groups with --row-group-size 64KiB; a column
//                              null for whole row groups, a column first seen in a late row group
//   dict / 2022-02-18          1200 distinct 1000-byte strings: the dictionary (1 MiB) falls back to PLAIN
// A payload field name has the same JSON type in every partition it appears in, so DuckDB's
// union_by_name does not cast it (created_at aside: BIGINT + DOUBLE -> DOUBLE).
// ---------------------------------------------------------------------------------------------
const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;

const HAND = [
  // scalars: every created_at integral (the ".0" one too) -> INT64 created_at.
  String.raw`{"event_uuid":"s1","event_name":"scalars:all","created_at":1644838800,"note":"first","str":"plain ascii","uni":"Zoë 🚀 日本語 \"quoted\" \\ back \/ slash","esc":"caf\u00e9 \ud83d\ude00 tab\tnl\n","empty":"","i64max":9223372036854775807,"i64min":-9223372036854775808,"small":-7,"dbl_big":1e300,"dbl_neg":-2.5e-10,"dbl_whole":2.0,"dbl_exp":1E2,"u64":18446744073709551615,"flag":true,"obj":{"a":[1,{"b":null}],"u":"ü","n":-9223372036854775808,"d":1.5e-7},"arr":[1,"two",null,true,1.5,{}],"always_null":null}`,
  String.raw`{"event_uuid":"s2","event_name":"scalars:all","created_at":1644838801,"str":"","uni":"🎉👍🏽 é","esc":"","empty":"","i64max":0,"i64min":-1,"small":0,"dbl_big":-1.7976931348623157e308,"dbl_neg":5e-324,"dbl_whole":-0.5,"dbl_exp":3.25,"u64":1,"flag":false,"obj":{},"arr":[],"always_null":null,"note":"second"}`,
  String.raw`{"event_uuid":"s3","event_name":"scalars:other:sub","created_at":1644838802,"str":null,"obj":null,"arr":null,"flag":null,"late":"appears late","always_null":null}`,
  String.raw`{"event_uuid":"s4 ünï","event_name":"scalars:all","created_at":1644838803.0,"note":"nul \u0000 and ctrl \u001f","flag":true,"i64max":9223372036854775806}`,
  // mixed types/ü: created_at fractional in some events -> DOUBLE for the whole file.
  String.raw`{"event_uuid":"m1","event_name":"mixed types/ü:order:placed:v2","created_at":1644883200.5,"note":"m","num_mix":1,"conflict":1,"conflict_lossy":9223372036854775807,"str_conflict":"caf\u00e9 \"q\" 🚀","bool_str":true}`,
  String.raw`{"event_uuid":"m2","event_name":"mixed types/ü:x","created_at":1644883201,"num_mix":2.5,"conflict":"one","conflict_lossy":0.5,"str_conflict":"plain","bool_str":"yes"}`,
  String.raw`{"event_uuid":"m3","event_name":"mixed types/ü:x","created_at":1644969599.999999,"num_mix":9223372036854775807,"conflict":true,"conflict_lossy":"text","str_conflict":42,"bool_str":null}`,
  String.raw`{"event_uuid":"m4","event_name":"mixed types/ü:x","created_at":1644883202.1234567,"num_mix":-3,"conflict":{"k":[1,"caf\u00e9",null],"big":-9223372036854775808},"conflict_lossy":null}`,
  String.raw`{"event_uuid":"m5","event_name":"mixed types/ü:x","created_at":1644883203.25,"conflict":[1,2.5e-3,"🚀"],"num_mix":null,"str_conflict":""}`,
  String.raw`{"event_uuid":"m6","event_name":"mixed types/ü:x","created_at":1644883204,"conflict":null}`,
  String.raw`{"event_uuid":"m7","event_name":"mixed types/ü:x","created_at":1644883205,"conflict":1.5e300,"str_conflict":{"nested":"ü"}}`,
  String.raw`{"event_uuid":"m8","event_name":"mixed types/ü:x","created_at":1644883206.5,"conflict":-9223372036854775808,"conflict_lossy":-2.5e-10}`,
];

function generated() {
  const lines = [];
  // bigstr: each event alone fills a 64 KiB row group; later events add columns (allowed).
  const bigAscii = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join('');
  const bigUni = '日本語🚀é'.repeat(6700); // 100,500 UTF-8 bytes
  const bigJson = { items: Array.from({ length: 2000 }, (_, i) => ({ i: BigInt(i), s: `item ${i} ü`, d: i / 8 })), n: I64_MIN };
  lines.push(toJson({ event_uuid: 'b1', event_name: 'bigstr:x', created_at: 1644840000, note: 'b', big_ascii: bigAscii }));
  lines.push(toJson({ event_uuid: 'b2', event_name: 'bigstr:x', created_at: 1644840001, big_uni: bigUni, big_ascii: null }));
  lines.push(toJson({ event_uuid: 'b3', event_name: 'bigstr:x', created_at: 1644840002, big_json: bigJson }));
  lines.push(toJson({ event_uuid: 'b4', event_name: 'bigstr:x', created_at: 1644840003, big_ascii: '', big_uni: 'ü', big_json: { small: true } }));
  // many: 3000 events (~600 KB), fractional created_at everywhere (DOUBLE from the first row group).
  const labels = ['alpha', 'beta', 'gamma ü', 'delta 🚀', ''];
  for (let i = 0; i < 3000; i++) {
    const e = { event_uuid: `r${String(i).padStart(4, '0')}`, event_name: `many:${labels[i % 5] || 'none'}`, created_at: 1645056000 + i + 0.25 };
    e.seq = BigInt(i);
    e.label = labels[i % 5];
    e.ratio = i / 7;
    e.odd = i % 2 === 1;
    e.maybe = i % 3 === 0 ? null : BigInt(i) * 1000000007n;
    if (i < 200 || i >= 2000) e.gap_col = `gap ${i}`; // no value at all in the middle row groups
    e.text = `row ${i} ${'é'.repeat(i % 50)}${'x'.repeat(60)}`;
    if (i >= 2800) e.late_col = BigInt(-i); // first seen after several row groups were finished
    lines.push(toJson(e));
  }
  // dict: 1200 distinct 1000-byte values (> the 1 MiB dictionary) and a low-cardinality column.
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  for (let i = 0; i < 1200; i++) {
    let token = `${String(i).padStart(5, '0')}:`;
    while (token.length < 1000) token += String.fromCharCode(48 + (rnd() % 75));
    lines.push(toJson({ event_uuid: `d${i}`, event_name: 'dict:x', created_at: 1645142400 + i, token, kind: i % 2 ? 'odd' : 'even' }));
  }
  return lines;
}

const LINES = [...HAND, ...generated()];

// Shown by the diagnostics test (zstd, small row groups): [uuid, columns].
const TRICKY = [
  ['s1', ['created_at', 'uni', 'esc', 'empty', 'i64max', 'i64min', 'dbl_big', 'dbl_neg', 'dbl_whole', 'dbl_exp', 'u64', 'obj', 'arr', 'always_null']],
  ['s3', ['str', 'late', 'i64max']],
  ['s4 ünï', ['created_at', 'note']],
  ['m1', ['created_at', 'num_mix', 'conflict', 'conflict_lossy', 'str_conflict', 'bool_str']],
  ['m3', ['created_at', 'created_datetime', 'num_mix', 'conflict', 'str_conflict']],
  ['m4', ['created_at', 'created_datetime', 'conflict']],
  ['m7', ['conflict', 'str_conflict']],
  ['m8', ['conflict', 'conflict_lossy']],
];

// Input line -> expected event.
function eventOf(line, index) {
  const members = parseJson(line, true);
  const get = (k) => members.find((m) => m.key === k);
  const uuid = get('event_uuid').value;
  const name = get('event_name').value;
  const createdRaw = get('created_at').raw;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(createdRaw);
  assert.ok(m, `test input: created_at ${createdRaw} must be a plain decimal`);
  const fraction = m[2] ?? '';
  const colon = name.indexOf(':');
  const seconds = BigInt(m[1]);
  return {
    index,
    uuid,
    name,
    type: name.slice(0, colon),
    subtype: name.slice(colon + 1),
    createdRaw,
    fractional: /[1-9]/.test(fraction),
    micros: seconds * 1000000n + BigInt((fraction + '000000').slice(0, 6)),
    date: new Date(Number(seconds) * 1000).toISOString().slice(0, 10),
    payload: members.filter((x) => !['event_uuid', 'event_name', 'created_at'].includes(x.key)),
  };
}

const EVENTS = LINES.map(eventOf);
const BY_UUID = new Map(EVENTS.map((e) => [e.uuid, e]));
assert.equal(BY_UUID.size, EVENTS.length, 'test input: uuids must be unique');
const partKey = (type, date) => `${type}\u0000${date}`;
const PARTITIONS = new Map(); // partKey -> events in input order
for (const e of EVENTS) {
  const k = partKey(e.type, e.date);
  if (!PARTITIONS.has(k)) PARTITIONS.set(k, []);
  PARTITIONS.get(k).push(e);
}

// What a JSON value is (the rules above).
function kindOf(v) {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return v >= I64_MIN && v <= I64_MAX ? 'int' : 'double';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  return 'json';
}
function mergeKinds(a, b) {
  if (b === 'null' || a === b) return a;
  if (a === 'null') return b;
  if ((a === 'int' && b === 'double') || (a === 'double' && b === 'int')) return 'double';
  return 'json';
}

// The file's expected columns [{ name, kind }] for its events (in file order).
function expectedColumns(events) {
  const cols = [
    { name: 'event_uuid', kind: 'string', required: true },
    { name: 'event_name', kind: 'string', required: true },
    { name: 'event_subtype', kind: 'string', required: true },
    { name: 'created_at', kind: events.some((e) => e.fractional) ? 'double' : 'int', required: true },
    { name: 'created_datetime', kind: 'timestamp', required: true },
  ];
  const payload = new Map();
  for (const e of events) {
    for (const { key, value } of e.payload) payload.set(key, mergeKinds(payload.get(key) ?? 'null', kindOf(value)));
  }
  for (const [name, kind] of payload) cols.push({ name, kind, required: false });
  return cols;
}

// Expected value of column `col` for event `e`, in the comparison form:
// string | BigInt (INT64, timestamp micros) | number (DOUBLE) | boolean | null | { json: canon(value) }.
function expectedValue(col, e) {
  switch (col.name) {
    case 'event_uuid': return e.uuid;
    case 'event_name': return e.name;
    case 'event_subtype': return e.subtype;
    case 'created_at': return col.kind === 'int' ? BigInt(e.createdRaw.replace(/\.0*$/, '')) : Number(e.createdRaw);
    case 'created_datetime': return e.micros;
    default: break;
  }
  const m = e.payload.find((x) => x.key === col.name);
  const v = m ? m.value : null;
  if (v === null) return null;
  switch (col.kind) {
    case 'double': return Number(v);
    case 'json': return { json: canon(v) };
    default: return v;
  }
}

// A reader's value -> the comparison form, given the expected column kind.
function fromReader(kind, v) {
  if (v === null || v === undefined) return null;
  if (kind === 'json') {
    if (typeof v !== 'string') return { notText: v };
    try { return { json: canon(parseJson(v)) }; } catch { return { invalidJson: v }; }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;
const CODECS = { zstd: 'ZSTD', snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' };

function run(args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 << 20 });
  assert.equal(r.error, undefined, `spawn ${BIN}: ${r.error}`);
  assert.equal(r.status, 0, `eventlake ${args.join(' ').slice(0, 300)} exited ${r.status}\n${r.stderr}`);
  return r.stdout;
}

function ingest(lake, input, extraArgs) {
  const report = `${lake}.report.json`;
  run(['ingest', '--lake', lake, '--format', 'parquet', '--dedup', 'memory', '--min-created-at', '0',
    '--max-created-at', '2100-01-01', '--progress', 'never', '-q', '--report', report, ...extraArgs, input]);
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
const dataFiles = (lake) => walk(lake).filter((f) => !path.relative(lake, f).startsWith('_')).sort();

// Collects mismatches so one assertion reports all of them (file, column, row, expected, got).
function problems() {
  const list = [];
  return {
    add: (msg) => list.push(msg),
    same(where, exp, got) { if (!isDeepStrictEqual(exp, got)) list.push(`${where}: expected ${show(exp)}, got ${show(got)}`); },
    check(what) {
      assert.equal(list.length, 0, `${what}: ${list.length} mismatch(es)\n  ${list.slice(0, 40).join('\n  ')}${list.length > 40 ? '\n  …' : ''}`);
    },
  };
}

// The type each reader must report for a column kind (null-only columns: any type, OPTIONAL).
const HYPARQUET_TYPE = {
  string: { type: 'BYTE_ARRAY', logical: 'STRING' },
  int: { type: 'INT64', logical: undefined },
  double: { type: 'DOUBLE', logical: undefined },
  bool: { type: 'BOOLEAN', logical: undefined },
  json: { type: 'BYTE_ARRAY', logical: 'JSON' },
  timestamp: { type: 'INT64', logical: 'TIMESTAMP' },
};
const ARROW_TYPE = { string: 'Utf8', int: 'Int64', double: 'Float64', bool: 'Bool', json: 'Utf8', timestamp: 'Timestamp<MICROSECOND, UTC>' };
const DUCKDB_TYPE = { string: 'VARCHAR', int: 'BIGINT', double: 'DOUBLE', bool: 'BOOLEAN', json: 'JSON', timestamp: 'TIMESTAMP WITH TIME ZONE' };

// Readers. Each returns { columns: [name in file order], rows: [{ name: value }] } plus its own schema view.
async function readHyparquet(file) {
  const buf = fs.readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = parquetMetadata(ab);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const rows = await parquetReadObjects({
    file: ab, metadata, compressors,
    // Timestamps as their raw microseconds (the default is a millisecond Date); JSON as its text.
    parsers: { timestampFromMicroseconds: (us) => us, jsonFromBytes: (b) => b && decoder.decode(b) },
  });
  return { metadata, columns: metadata.schema.slice(1).map((s) => s.name), rows };
}

function readParquetWasm(file) {
  const wasmTable = parquetWasm.readParquet(new Uint8Array(fs.readFileSync(file)));
  const table = tableFromIPC(wasmTable.intoIPCStream());
  const columns = table.schema.fields.map((f) => f.name);
  const rows = Array.from({ length: table.numRows }, () => ({}));
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name);
    const isTs = String(field.type).startsWith('Timestamp');
    let r = 0;
    for (const d of vec.data) {
      for (let j = 0; j < d.length; j++, r++) {
        // apache-arrow's get() turns timestamps into (fractional) milliseconds: read the int64s.
        rows[r][field.name] = !d.getValid(j) ? null : isTs ? d.values[d.offset + j] : vec.get(r);
      }
    }
  }
  return { fields: table.schema.fields, columns, rows };
}

async function readParquetWasmMeta(file) {
  const pf = await parquetWasm.ParquetFile.fromFile(new Blob([fs.readFileSync(file)]));
  const meta = pf.metadata();
  return meta.rowGroups().map((rg) => ({ rows: rg.numRows(), encodings: rg.columns().map((c) => ({ path: c.columnPath().join('.'), encodings: c.encodings() })) }));
}

// `eventlake cat FILE`: JSON lines, parsed with exact integers.
function readCat(file) {
  return run(['cat', file]).split('\n').filter((l) => l !== '').map((l) => Object.fromEntries(parseJson(l, true).map((m) => [m.key, m.value])));
}

const rfcMicros = (s) => {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(s);
  if (!m) return { notRfc3339Micros: s };
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0'));
};

let instance;
let conn;
async function duck(sql) {
  return (await conn.runAndReadAll(sql)).getRowObjects();
}
const duckValue = (v) => {
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return v.micros;
  if (v instanceof DuckDBDateValue) return v.toString();
  return v;
};
const HIVE_OPTS = "hive_partitioning=true, union_by_name=true, hive_types={'event_type':'VARCHAR','event_date':'DATE'}";
const parquetGlob = (lake) => `${lake}/event_type=*/event_date=*/*.parquet`;

let tmp;
before(async () => {
  assert.ok(fs.existsSync(BIN), `eventlake binary not found at ${BIN} (set EVENTLAKE_BIN)`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eventlake-parquet-'));
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

// ---------------------------------------------------------------------------------------------
// One lake: every file, every column, every reader.
// ---------------------------------------------------------------------------------------------

// The lake's files with their partition and expected events/columns.
function lakeModel(lake) {
  const files = dataFiles(lake).map((f) => {
    const rel = path.relative(lake, f).split(path.sep);
    assert.equal(rel.length, 3, `data file at unexpected depth: ${f}`);
    assert.ok(rel[0].startsWith('event_type=') && rel[1].startsWith('event_date='), f);
    assert.match(rel[2], /^part-.*\.parquet$/, f);
    const type = decodeURIComponent(rel[0].slice('event_type='.length));
    const date = rel[1].slice('event_date='.length);
    return { file: f, type, date, key: partKey(type, date) };
  });
  const byPart = new Map();
  for (const f of files) byPart.set(f.key, [...(byPart.get(f.key) ?? []), f]);
  return { files, byPart };
}

function describeLake(codec, variant, getLake) {
  const codecName = CODECS[codec];
  let model;
  const cache = new Map();
  const once = (key, fn) => { if (!cache.has(key)) cache.set(key, fn()); return cache.get(key); };

  // Which events a file holds: its partition's events when the partition is one file (the normal
  // case for this input); else the uuids DuckDB read from it, so the other checks still run.
  async function fileEvents(f) {
    const parts = model.byPart.get(f.key);
    if (parts.length === 1) return PARTITIONS.get(f.key) ?? [];
    const got = await duck(`SELECT event_uuid FROM read_parquet(${lit(f.file)}) ORDER BY file_row_number`);
    return got.map((r) => BY_UUID.get(r.event_uuid)).filter(Boolean).sort((a, b) => a.index - b.index);
  }

  // Compares one reader's rows/columns with the expectation of each file.
  async function compareReader(label, read, typeCheck) {
    const p = problems();
    for (const f of model.files) {
      const where = `${label} ${path.relative(getLake(), f.file)}`;
      const events = await fileEvents(f);
      const cols = expectedColumns(events);
      const got = await read(f.file);
      p.same(`${where}: columns`, cols.map((c) => c.name), got.columns);
      typeCheck?.(p, where, cols, got);
      p.same(`${where}: rows (event_uuid in file order)`, events.map((e) => e.uuid), got.rows.map((r) => r.event_uuid));
      const byUuid = new Map(got.rows.map((r) => [r.event_uuid, r]));
      for (const e of events) {
        const row = byUuid.get(e.uuid);
        if (!row) continue;
        for (const c of cols) {
          p.same(`${where}: event ${show(e.uuid)} column ${c.name} (${c.kind})`, expectedValue(c, e), fromReader(c.kind, row[c.name]));
        }
      }
    }
    p.check(label);
  }

  describe(`${variant}`, () => {
    before(() => { model = lakeModel(getLake()); });

    test('files: one per partition, hive path = every event\'s type and date, no hive columns in the file', async () => {
      const p = problems();
      const expectedParts = [...PARTITIONS.keys()].sort();
      p.same('partitions', expectedParts, [...model.byPart.keys()].sort());
      for (const [k, files] of model.byPart) {
        if (files.length !== 1) p.add(`partition ${show(k)}: ${files.length} files (${files.map((f) => path.basename(f.file)).join(', ')}), expected 1`);
      }
      for (const f of model.files) {
        const { metadata } = await once(`hy:${f.file}`, () => readHyparquet(f.file));
        const names = metadata.schema.slice(1).map((s) => s.name);
        if (names.includes('event_type') || names.includes('event_date')) p.add(`${f.file}: has a hive column ${names}`);
      }
      p.check('lake layout');
    });

    test('DuckDB read_parquet(glob, hive_partitioning, union_by_name, hive_types): every value, hive columns', async (t) => {
      const lake = getLake();
      const src = `read_parquet(${lit(parquetGlob(lake))}, ${HIVE_OPTS}, filename=true, file_row_number=true)`;
      const schema = await duck(`DESCRIBE SELECT * FROM ${src}`);
      const globTypes = Object.fromEntries(schema.map((r) => [r.column_name, r.column_type]));
      const got = await duck(`SELECT * FROM ${src} ORDER BY filename, file_row_number`);
      const p = problems();
      p.same('hive column types', ['VARCHAR', 'DATE'], [globTypes.event_type, globTypes.event_date]);
      p.same('row count', EVENTS.length, got.length);
      const byFile = new Map();
      for (const r of got) byFile.set(r.filename, [...(byFile.get(r.filename) ?? []), r]);
      for (const f of model.files) {
        const where = `DuckDB ${path.relative(lake, f.file)}`;
        const events = await fileEvents(f);
        const cols = expectedColumns(events);
        // The file's own schema as DuckDB maps it.
        const fileSchema = await duck(`SELECT name, duckdb_type, repetition_type FROM parquet_schema(${lit(f.file)}) WHERE num_children IS NULL`);
        p.same(`${where}: columns`, cols.map((c) => c.name), fileSchema.map((s) => s.name));
        for (const c of cols) {
          const s = fileSchema.find((x) => x.name === c.name);
          if (!s) continue;
          if (c.kind !== 'null') p.same(`${where}: type of ${c.name}`, DUCKDB_TYPE[c.kind], s.duckdb_type);
          p.same(`${where}: repetition of ${c.name}`, c.required ? 'REQUIRED' : 'OPTIONAL', s.repetition_type);
        }
        const rows = byFile.get(f.file) ?? [];
        p.same(`${where}: rows (event_uuid in file order)`, events.map((e) => e.uuid), rows.map((r) => r.event_uuid));
        const byUuid = new Map(rows.map((r) => [r.event_uuid, r]));
        const own = new Set(cols.map((c) => c.name));
        for (const e of events) {
          const r = byUuid.get(e.uuid);
          if (!r) continue;
          const w = `${where}: event ${show(e.uuid)}`;
          p.same(`${w} hive event_type`, e.type, r.event_type);
          p.same(`${w} hive event_date`, e.date, duckValue(r.event_date));
          for (const c of cols) {
            let exp = expectedValue(c, e);
            // union_by_name widens BIGINT created_at to DOUBLE when another file has DOUBLE.
            if (typeof exp === 'bigint' && globTypes[c.name] === 'DOUBLE') exp = Number(exp);
            p.same(`${w} column ${c.name} (${c.kind})`, exp, fromReader(c.kind, duckValue(r[c.name])));
          }
          for (const [k, v] of Object.entries(r)) {
            if (!own.has(k) && !['event_type', 'event_date', 'filename', 'file_row_number'].includes(k) && v !== null) {
              p.add(`${w}: column ${k} of another file is ${show(duckValue(v))}, expected NULL`);
            }
          }
        }
      }
      t.diagnostic(`glob schema: ${schema.map((r) => `${r.column_name} ${r.column_type}`).join(', ').slice(0, 400)}`);
      p.check('DuckDB');
    });

    test('hyparquet: every value of every column; types and codec from the footer', async () => {
      await compareReader('hyparquet', async (file) => {
        const r = await once(`hy:${file}`, () => readHyparquet(file));
        return r;
      }, (p, where, cols, got) => {
        for (const c of cols) {
          const s = got.metadata.schema.find((x) => x.name === c.name);
          if (!s) continue;
          p.same(`${where}: repetition of ${c.name}`, c.required ? 'REQUIRED' : 'OPTIONAL', s.repetition_type);
          if (c.kind === 'null') continue;
          const want = HYPARQUET_TYPE[c.kind];
          p.same(`${where}: type of ${c.name}`, want, { type: s.type, logical: s.logical_type?.type });
          if (c.kind === 'timestamp') p.same(`${where}: ${c.name} unit/utc`, ['MICROS', true], [s.logical_type?.unit, s.logical_type?.isAdjustedToUTC]);
        }
        for (const [g, rg] of got.metadata.row_groups.entries()) {
          for (const ch of rg.columns) {
            if (ch.meta_data.codec !== codecName) p.add(`${where}: row group ${g} column ${ch.meta_data.path_in_schema}: codec ${ch.meta_data.codec}, expected ${codecName}`);
          }
        }
      });
    });

    test('parquet-wasm -> Arrow (tableFromIPC): every value of every column; Arrow types', async () => {
      await compareReader('parquet-wasm', (file) => once(`pw:${file}`, () => readParquetWasm(file)), (p, where, cols, got) => {
        for (const c of cols) {
          const fld = got.fields.find((x) => x.name === c.name);
          if (!fld) continue;
          p.same(`${where}: nullable ${c.name}`, !c.required, fld.nullable);
          if (c.kind !== 'null') p.same(`${where}: Arrow type of ${c.name}`, ARROW_TYPE[c.kind], String(fld.type));
        }
      });
    });

    test('eventlake cat FILE prints the rows the readers see', async () => {
      const p = problems();
      for (const f of model.files) {
        const where = `cat ${path.relative(getLake(), f.file)}`;
        const cat = readCat(f.file);
        const events = await fileEvents(f);
        const cols = expectedColumns(events);
        const hy = await once(`hy:${f.file}`, () => readHyparquet(f.file));
        const pw = await once(`pw:${f.file}`, () => readParquetWasm(f.file));
        const dd = await duck(`SELECT * FROM read_parquet(${lit(f.file)}) ORDER BY file_row_number`);
        // A reader's row in cat's form: null columns left out, JSON columns inlined, timestamps as µs.
        const asCat = (row) => {
          const o = {};
          for (const c of cols) {
            const v = duckValue(row[c.name]);
            if (v === null || v === undefined) continue;
            if (c.kind === 'json') o[c.name] = fromReader('json', v).json ?? { invalidJson: v };
            else o[c.name] = canon(v);
          }
          return o;
        };
        const catForm = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'created_datetime' && typeof v === 'string' ? rfcMicros(v) : canon(v)]));
        const catRows = cat.map(catForm);
        for (const [label, rows] of [['hyparquet', hy.rows], ['parquet-wasm', pw.rows], ['DuckDB', dd]]) {
          p.same(`${where} vs ${label}: row count`, rows.length, catRows.length);
          for (let i = 0; i < Math.min(rows.length, catRows.length); i++) {
            const want = asCat(rows[i]);
            if (!isDeepStrictEqual(want, catRows[i])) {
              const keys = [...new Set([...Object.keys(want), ...Object.keys(catRows[i])])];
              for (const k of keys) p.same(`${where} vs ${label}: row ${i} (${show(want.event_uuid)}) ${k}`, want[k], catRows[i][k]);
            }
          }
        }
      }
      p.check('eventlake cat');
    });

    if (codec === 'zstd' && variant.includes('64KiB')) {
      test('diagnostics: the tricky values as each reader returns them (raw, before comparison)', async (t) => {
        for (const [uuid, cols] of TRICKY) {
          const e = BY_UUID.get(uuid);
          const f = model.files.find((x) => x.key === partKey(e.type, e.date));
          const hy = (await once(`hy:${f.file}`, () => readHyparquet(f.file))).rows.find((r) => r.event_uuid === uuid);
          const pw = (await once(`pw:${f.file}`, () => readParquetWasm(f.file))).rows.find((r) => r.event_uuid === uuid);
          const [dd] = await duck(`SELECT * FROM read_parquet(${lit(f.file)}) WHERE event_uuid = ${lit(uuid)}`);
          const cat = readCat(f.file).find((r) => r.event_uuid === uuid);
          for (const c of cols) {
            const input = e.payload.find((m) => m.key === c)?.raw ?? (c === 'created_at' ? e.createdRaw : '(absent)');
            t.diagnostic(`${uuid}.${c}: input ${input.slice(0, 60)} | DuckDB ${show(duckValue(dd?.[c]))} | hyparquet ${show(hy?.[c])}`
              + ` | parquet-wasm ${show(pw?.[c])} | cat ${show(cat?.[c])}`);
          }
        }
      });
    }

    if (variant.includes('64KiB')) {
      test('several row groups: DuckDB parquet_metadata, hyparquet and parquet-wasm agree', async (t) => {
        const f = model.files.find((x) => x.type === 'many');
        const md = await duck(`SELECT row_group_id::INT AS g, any_value(row_group_num_rows)::INT AS n FROM parquet_metadata(${lit(f.file)}) GROUP BY ALL ORDER BY g`);
        t.diagnostic(`many: ${md.length} row groups, rows ${md.map((r) => r.n).join(',')}`);
        assert.ok(md.length >= 3, `expected several row groups, DuckDB sees ${md.length}`);
        assert.equal(md.reduce((s, r) => s + r.n, 0), PARTITIONS.get(f.key).length);
        const hy = await once(`hy:${f.file}`, () => readHyparquet(f.file));
        assert.deepEqual(hy.metadata.row_groups.map((g) => Number(g.num_rows)), md.map((r) => r.n), 'hyparquet row groups');
        const pw = await readParquetWasmMeta(f.file);
        assert.deepEqual(pw.map((g) => g.rows), md.map((r) => r.n), 'parquet-wasm row groups');
        // gap_col has no value in some row groups, late_col none before its first one: those chunks are all nulls.
        const nulls = await duck(`SELECT path_in_schema AS c, list(stats_null_count::INT = row_group_num_rows::INT ORDER BY row_group_id) AS all_null
          FROM parquet_metadata(${lit(f.file)}) WHERE path_in_schema IN ('gap_col', 'late_col') GROUP BY ALL ORDER BY c`);
        t.diagnostic(`all-null chunks: ${show(nulls.map((r) => [r.c, r.all_null.items]))}`);
      });
    } else {
      test('dictionary fallback: the 1 MiB dictionary overflows, later pages PLAIN (all readers read them above)', async (t) => {
        const f = model.files.find((x) => x.type === 'dict');
        const hy = await once(`hy:${f.file}`, () => readHyparquet(f.file));
        assert.equal(hy.metadata.row_groups.length, 1);
        const chunk = hy.metadata.row_groups[0].columns.find((c) => c.meta_data.path_in_schema.join('.') === 'token').meta_data;
        const stats = Object.fromEntries(chunk.encoding_stats.map((s) => [`${s.page_type}/${s.encoding}`, s.count]));
        t.diagnostic(`token chunk: encodings ${chunk.encodings}, pages ${show(stats)}`);
        assert.ok(stats['DICTIONARY_PAGE/PLAIN'] >= 1, 'a dictionary page');
        assert.ok(stats['DATA_PAGE/RLE_DICTIONARY'] >= 1, 'dictionary-encoded data pages');
        assert.ok(stats['DATA_PAGE/PLAIN'] >= 1, 'PLAIN data pages after the fallback');
        const [md] = await duck(`SELECT encodings, dictionary_page_offset FROM parquet_metadata(${lit(f.file)}) WHERE path_in_schema = 'token'`);
        assert.match(md.encodings, /PLAIN/);
        assert.match(md.encodings, /RLE_DICTIONARY/);
        assert.notEqual(md.dictionary_page_offset, null);
        const pw = await readParquetWasmMeta(f.file);
        const enc = pw[0].encodings.find((c) => c.path === 'token').encodings;
        t.diagnostic(`parquet-wasm token encodings: ${show(enc)}`);
        assert.ok(enc.length >= 2, `parquet-wasm sees one encoding only: ${show(enc)}`);
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The user query over files whose types for one field differ (each file typed by its own events):
// union_by_name has to unify them, and the lake must still read cleanly (DESIGN.md).
// ---------------------------------------------------------------------------------------------
test('DuckDB user query: INT64 in one file and only nulls in another reads back as BIGINT', async () => {
  // A field that is null in every event of a file is written with the UNKNOWN (NullType)
  // logical type, so union_by_name takes the type from the files that have values.
  const dir = fs.mkdtempSync(path.join(tmp, 'nullfiles-'));
  const lines = [
    String.raw`{"event_uuid":"n1","event_name":"as_int:x","created_at":1644838800,"f":9223372036854775807}`,
    String.raw`{"event_uuid":"n2","event_name":"as_null:x","created_at":1644838800,"f":null}`,
    String.raw`{"event_uuid":"n3","event_name":"as_absent:x","created_at":1644838800,"g":1}`,
  ];
  const input = path.join(dir, 'events.ndjson');
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const lake = path.join(dir, 'lake');
  ingest(lake, input, []);
  const got = await duck(`SELECT event_uuid, typeof(f) AS t, f::VARCHAR AS f FROM read_parquet(${lit(parquetGlob(lake))}, ${HIVE_OPTS}) ORDER BY event_uuid`);
  assert.deepEqual(got.map((r) => [r.event_uuid, r.t, r.f]),
    [['n1', 'BIGINT', '9223372036854775807'], ['n2', 'BIGINT', null], ['n3', 'BIGINT', null]]);
});

test('DuckDB user query: a field that is STRING in one file and JSON in another (known DuckDB limitation)', async () => {
  // DuckDB's union_by_name merges VARCHAR and JSON into JSON and then fails to cast the
  // plain strings. Documented in README.md with the workaround checked here: query the
  // event types apart (one schema each).
  const dir = fs.mkdtempSync(path.join(tmp, 'mixedfiles-'));
  const lines = [
    String.raw`{"event_uuid":"x1","event_name":"as_string:x","created_at":1644838800,"f":"plain text"}`,
    String.raw`{"event_uuid":"x2","event_name":"as_json:x","created_at":1644838800,"f":{"o":[1,"ü"]}}`,
    String.raw`{"event_uuid":"x5","event_name":"as_conflict:x","created_at":1644838800,"f":"text"}`,
    String.raw`{"event_uuid":"x6","event_name":"as_conflict:x","created_at":1644838800,"f":[true]}`,
  ];
  const input = path.join(dir, 'events.ndjson');
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const lake = path.join(dir, 'lake');
  ingest(lake, input, []);
  await assert.rejects(
    duck(`SELECT f FROM read_parquet(${lit(parquetGlob(lake))}, ${HIVE_OPTS})`),
    /Conversion Error|Malformed JSON/,
    'if DuckDB starts reading this mix, drop the limitation from README.md');
  const perType = async (type) => (await duck(
    `SELECT event_uuid, f::VARCHAR AS f FROM read_parquet(${lit(path.join(lake, `event_type=${type}`, '*', '*.parquet'))}) ORDER BY 1`))
    .map((r) => [r.event_uuid, r.f]);
  assert.deepEqual(await perType('as_string'), [['x1', 'plain text']]);
  assert.deepEqual((await perType('as_json')).map(([u, f]) => [u, canon(parseJson(f))]), [['x2', canon({ o: [1, 'ü'] })]]);
  assert.deepEqual(await perType('as_conflict'), [['x5', '"text"'], ['x6', '[true]']]);
});

// ---------------------------------------------------------------------------------------------
// Per codec: a lake with small row groups and pages, one with the defaults, and a second copy of
// the first for the determinism check.
// ---------------------------------------------------------------------------------------------
for (const codec of Object.keys(CODECS)) {
  describe(`parquet lake, --compression ${codec}`, () => {
    const lakes = {};
    before(() => {
      const dir = fs.mkdtempSync(path.join(tmp, `${codec}-`));
      const input = path.join(dir, 'events.ndjson');
      fs.writeFileSync(input, LINES.join('\n') + '\n');
      const small = ['--compression', codec, '--row-group-size', '64KiB', '--page-size', '4KiB'];
      for (const [name, args] of [['small', small], ['small2', small], ['default', ['--compression', codec]]]) {
        lakes[name] = path.join(dir, name);
        const report = ingest(lakes[name], input, args);
        assert.equal(report.written, EVENTS.length, `${name}: written`);
        assert.equal(report.invalid, 0, `${name}: invalid`);
      }
    });

    describeLake(codec, '--row-group-size 64KiB --page-size 4KiB', () => lakes.small);
    describeLake(codec, 'default row group and page size', () => lakes.default);

    test('determinism: the same input into two lakes gives byte-identical Parquet files', () => {
      const rel = (lake) => dataFiles(lake).map((f) => path.relative(lake, f));
      const a = rel(lakes.small);
      assert.deepEqual(rel(lakes.small2), a);
      for (const f of a) {
        assert.ok(fs.readFileSync(path.join(lakes.small, f)).equals(fs.readFileSync(path.join(lakes.small2, f))), `${f} differs`);
      }
    });
  });
}
