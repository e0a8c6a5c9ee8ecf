// One AWS emulator in this process, bound to 127.0.0.1 on a free port (port 0).
//
//   node [--openssl-legacy-provider] emulator.mjs kinesis|dynamodb|s3 [--dir DIR]
//
// When listening, writes ONE line `ready {"service":..,"port":..,"pid":..}` to fd 3 if it is open
// (bed.mjs passes a pipe there), otherwise to stdout, and closes that fd. Nothing else is written
// to fd 3/stdout afterwards, so the launcher can go away. Errors go to stderr (bed.mjs points it at
// DIR/<service>.log). SIGTERM/SIGINT exit 0 at once.
//
// Settings are the fast ones for tests: streams/tables leave CREATING/DELETING/UPDATING after
// 10 ms, kinesalite's shard limit (counted over all streams) is raised to 10000, s3rver is silent
// and stores objects under DIR/s3 (path-style addressing only; accepts only access key S3RVER).
// s3rver needs node's --openssl-legacy-provider: it encrypts ListObjectsV2 continuation tokens
// with DES, and without the flag every truncated listing page fails with a 500.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';
const STATE_MS = 10;

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const service = process.argv[2];
const dir = arg('--dir', process.cwd());

function announce(port) {
  const line = `ready ${JSON.stringify({ service, port, pid: process.pid })}\n`;
  let fd = 3;
  try {
    fs.fstatSync(3);
  } catch {
    fd = 1;
  }
  fs.writeSync(fd, line);
  if (fd === 3) fs.closeSync(3);
}

// node closes idle keep-alive connections after 5 s by default; a client that reuses a pooled
// connection just as the server closes it sees a reset. Keep them for 60 s instead.
const KEEPALIVE_MS = 60000;

function listenHttp(server) {
  server.keepAliveTimeout = KEEPALIVE_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

async function main() {
  let port;
  if (service === 'kinesis') {
    const kinesalite = require('kinesalite');
    const server = kinesalite({
      createStreamMs: STATE_MS,
      deleteStreamMs: STATE_MS,
      updateStreamMs: STATE_MS,
      shardLimit: 10000,
    });
    await listenHttp(server);
    port = server.address().port;
  } else if (service === 'dynamodb') {
    const dynalite = require('dynalite');
    const server = dynalite({
      createTableMs: STATE_MS,
      deleteTableMs: STATE_MS,
      updateTableMs: STATE_MS,
    });
    await listenHttp(server);
    port = server.address().port;
  } else if (service === 's3') {
    const S3rver = require('s3rver');
    const directory = path.join(dir, 's3');
    fs.mkdirSync(directory, { recursive: true });
    const s3 = new S3rver({
      address: HOST,
      port: 0,
      silent: true,
      directory,
      vhostBuckets: false, // path-style only: Host is never taken for a bucket name
    });
    const addr = await s3.run();
    s3.httpServer.keepAliveTimeout = KEEPALIVE_MS;
    port = addr.port;
  } else {
    console.error(`usage: emulator.mjs kinesis|dynamodb|s3 [--dir DIR] (got ${service})`);
    process.exit(2);
  }
  announce(port);
}

// Everything is in memory or scratch files under DIR: nothing to flush, so stop at once (a
// graceful server.close() would wait for clients' keep-alive connections).
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

main().catch((err) => {
  console.error(`emulator ${service}: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
