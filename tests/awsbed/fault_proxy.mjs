// Fault-injecting HTTP proxy in front of ONE emulator endpoint (node built-ins only).
//
//   node fault_proxy.mjs --target http://127.0.0.1:PORT [--rules JSON|@FILE] [--port 0]
//                        [--exit-on-stdin-eof]   (exit when stdin closes: tie it to its parent)
//
// Point a client's endpoint at the proxy instead of the emulator. Requests are forwarded with
// their method, path, headers (rawHeaders: same names, case, order and values, Host included, so
// SigV4 signatures stay valid) and body unchanged; responses come back unchanged apart from the
// hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, ...) that belong to each hop.
// Listens on 127.0.0.1 (port 0 = a free port) and prints one line on stdout when listening:
//   ready {"port":N,"url":"http://127.0.0.1:N","pid":P,"target":"..."}
//
// Control endpoint (never forwarded):
//   GET    /__faults          {"rules":[...each with matched/injected counters], "totals":{...}}
//   POST   /__faults          body {"rules":[...]} or [...]: replace the rules (counters restart)
//   POST   /__faults?append=1 add rules to the current ones
//   DELETE /__faults          remove all rules (totals kept); GET/POST ...?reset=1 also zero totals
//
// A rule: {"match": {...}, "skip": K, "times": T, "nth": N, ...action}
//   match (all given fields must hold; {} or missing matches every request):
//     "target": "DynamoDB_20120810.PutItem" or just "PutItem" (X-Amz-Target, full or operation)
//     "method": "PUT"
//     "path":   a regular expression tested against the request URL (path + query string)
//     "header": {"name": "regex"} tested against request header values
//   which matching requests are hit: skip the first K (default 0), then hit T (default 1; -1 =
//   every one after that). "nth": N is shorthand for skip N-1, times 1 (the Nth match, 1-based).
//   Every rule counts the requests it matched, even when an earlier rule took the request; the
//   first rule whose turn it is acts.
//   action (one of):
//     "status": S, "body": "..." | {...}, "headers": {...}   answer instead of forwarding
//     "preset": NAME [, "message": "..."]                     a canned AWS error (see PRESETS)
//     "delay_request_ms": D    wait D ms, then forward (the emulator sees the request late)
//     "delay_response_ms": D   forward, wait D ms after the emulator answered, then relay (the
//                              operation took effect but the client may time out first)
//     "drop": true             destroy the client connection without an answer (network error)
//     "drop_after_forward": true  forward, then destroy the connection instead of relaying
import http from 'node:http';
import fs from 'node:fs';

const PRESETS = {
  'dynamodb-throttle': {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded. (injected)',
    },
  },
  'dynamodb-request-limit': {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: {
      __type: 'com.amazonaws.dynamodb.v20120810#RequestLimitExceeded',
      message: 'Throughput exceeds the current throughput limit for your account. (injected)',
    },
  },
  'dynamodb-500': {
    status: 500,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected)' },
  },
  'dynamodb-503': {
    status: 503,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: { __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'Service unavailable (injected)' },
  },
  'kinesis-expired-iterator': {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: { __type: 'ExpiredIteratorException', message: 'Iterator expired. (injected)' },
  },
  'kinesis-throughput-exceeded': {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard. (injected)' },
  },
  'kinesis-500': {
    status: 500,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: { __type: 'InternalFailure', message: 'Internal service failure (injected)' },
  },
  's3-500': {
    status: 500,
    headers: { 'content-type': 'application/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again. (injected)</Message><RequestId>FAULTPROXY</RequestId></Error>',
  },
  's3-slowdown': {
    status: 503,
    headers: { 'content-type': 'application/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate. (injected)</Message><RequestId>FAULTPROXY</RequestId></Error>',
  },
};

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
]);

function parseArgs(argv) {
  const out = { target: null, rules: [], port: 0 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--target') out.target = next();
    else if (a === '--port') out.port = Number(next());
    else if (a === '--exit-on-stdin-eof') out.exitOnStdinEof = true;
    else if (a === '--rules') {
      let text = next();
      if (text.startsWith('@')) text = fs.readFileSync(text.slice(1), 'utf8');
      out.rules = normalizeRules(JSON.parse(text));
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!out.target) throw new Error('--target http://HOST:PORT is required');
  return out;
}

function normalizeRules(spec) {
  const list = Array.isArray(spec) ? spec : spec && Array.isArray(spec.rules) ? spec.rules : null;
  if (!list) throw new Error('rules must be an array or {"rules": [...]}');
  return list.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw new Error(`rule ${i} is not an object`);
    const rule = { ...r };
    if (rule.nth != null) {
      rule.skip = Number(rule.nth) - 1;
      rule.times = 1;
    }
    rule.skip = Number(rule.skip ?? 0);
    rule.times = Number(rule.times ?? 1);
    rule.match = rule.match || {};
    if (rule.preset && !PRESETS[rule.preset]) throw new Error(`rule ${i}: unknown preset ${rule.preset}`);
    const actions = ['status', 'preset', 'delay_request_ms', 'delay_response_ms', 'drop', 'drop_after_forward']
      .filter((k) => rule[k] != null && rule[k] !== false);
    if (actions.length !== 1) throw new Error(`rule ${i}: give exactly one action (${actions.join(', ') || 'none'})`);
    rule._path = rule.match.path != null ? new RegExp(rule.match.path) : null;
    rule._headers = Object.entries(rule.match.header || {}).map(([k, v]) => [k.toLowerCase(), new RegExp(v)]);
    rule.matched = 0;
    rule.injected = 0;
    return rule;
  });
}

function publicRule(r) {
  const { _path, _headers, ...rest } = r;
  return rest;
}

function matches(rule, req) {
  const m = rule.match;
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  if (m.target) {
    const t = req.headers['x-amz-target'] || '';
    if (t !== m.target && t.slice(t.indexOf('.') + 1) !== m.target) return false;
  }
  if (rule._path && !rule._path.test(req.url)) return false;
  for (const [name, re] of rule._headers) if (!re.test(req.headers[name] ?? '')) return false;
  return true;
}

const opts = (() => {
  try {
    return parseArgs(process.argv);
  } catch (err) {
    console.error(`fault_proxy: ${err.message}`);
    process.exit(2);
  }
})();
const target = new URL(opts.target);
let rules = opts.rules;
const zeroTotals = () => ({ requests: 0, forwarded: 0, injected: 0, delayed: 0, dropped: 0, upstream_errors: 0 });
let totals = zeroTotals();
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pickRule(req) {
  let chosen = null;
  for (const rule of rules) {
    if (!matches(rule, req)) continue;
    const idx = rule.matched++;
    if (chosen) continue;
    if (idx >= rule.skip && (rule.times < 0 || idx < rule.skip + rule.times)) chosen = rule;
  }
  return chosen;
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function control(req, res, url) {
  if (url.searchParams.get('reset') === '1') totals = zeroTotals();
  if (req.method === 'GET') return sendJson(res, 200, { rules: rules.map(publicRule), totals });
  if (req.method === 'DELETE') {
    rules = [];
    return sendJson(res, 200, { rules: [], totals });
  }
  if (req.method === 'POST' || req.method === 'PUT') {
    try {
      const text = await readBody(req);
      const fresh = normalizeRules(JSON.parse(text || '[]'));
      rules = url.searchParams.get('append') === '1' ? rules.concat(fresh) : fresh;
      return sendJson(res, 200, { rules: rules.map(publicRule), totals });
    } catch (err) {
      return sendJson(res, 400, { error: err.message });
    }
  }
  return sendJson(res, 405, { error: 'GET, POST or DELETE' });
}

function inject(req, res, rule) {
  const preset = rule.preset ? PRESETS[rule.preset] : {};
  const status = rule.status ?? preset.status;
  let body = rule.body ?? preset.body ?? '';
  if (rule.preset && rule.message && typeof body === 'object') body = { ...body, message: rule.message };
  if (typeof body === 'object') body = JSON.stringify(body);
  const headers = { ...(preset.headers || {}), ...(rule.headers || {}) };
  headers['content-length'] = Buffer.byteLength(body);
  headers['x-amzn-requestid'] = headers['x-amzn-requestid'] || 'FAULTPROXY';
  // Drain the request body first so the connection stays usable for keep-alive.
  req.resume();
  const done = () => {
    res.writeHead(status, headers);
    res.end(body);
  };
  if (req.complete) done();
  else req.once('end', done);
}

function relayHeaders(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

function forward(req, res, { delayResponseMs = 0, dropAfter = false } = {}) {
  totals.forwarded++;
  const up = http.request({
    agent,
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: req.rawHeaders, // unchanged, Host included
    setHost: false,
  });
  let finished = false;
  const fail = (err) => {
    if (finished) return;
    finished = true;
    totals.upstream_errors++;
    if (!res.headersSent) {
      const body = `fault_proxy: upstream error: ${err.message}\n`;
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else res.destroy();
  };
  up.on('error', fail);
  up.on('response', async (ur) => {
    if (delayResponseMs > 0) await sleep(delayResponseMs);
    if (dropAfter) {
      finished = true;
      ur.resume();
      req.socket.destroy();
      return;
    }
    if (res.destroyed) {
      finished = true;
      ur.resume();
      return;
    }
    res.writeHead(ur.statusCode, ur.statusMessage, relayHeaders(ur.rawHeaders));
    ur.pipe(res);
    ur.on('end', () => { finished = true; });
    ur.on('error', fail);
  });
  // Client went away (e.g. its timeout fired): abandon the upstream exchange too.
  res.on('close', () => {
    if (!res.writableFinished && !finished) {
      finished = true;
      up.destroy();
    }
  });
  req.pipe(up);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://proxy');
  if (url.pathname === '/__faults') return control(req, res, url);
  totals.requests++;
  const rule = pickRule(req);
  if (!rule) return forward(req, res);
  rule.injected++;
  if (rule.status != null || rule.preset) {
    totals.injected++;
    return inject(req, res, rule);
  }
  if (rule.drop) {
    totals.dropped++;
    req.socket.destroy();
    return;
  }
  if (rule.drop_after_forward) {
    totals.dropped++;
    return forward(req, res, { dropAfter: true });
  }
  totals.delayed++;
  if (rule.delay_request_ms != null) {
    req.pause();
    await sleep(Number(rule.delay_request_ms));
    if (req.socket.destroyed) return;
    return forward(req, res);
  }
  return forward(req, res, { delayResponseMs: Number(rule.delay_response_ms) });
});
server.keepAliveTimeout = 60000;
server.on('clientError', (err, socket) => socket.destroy());

server.listen(opts.port, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`ready ${JSON.stringify({ port, url: `http://127.0.0.1:${port}`, pid: process.pid, target: opts.target })}\n`);
});
if (opts.exitOnStdinEof) {
  // The parent holds our stdin open; when it exits (even by SIGKILL) stdin ends and so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
