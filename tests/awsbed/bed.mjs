// Starts the local AWS test bed: kinesalite, dynalite and s3rver, one child process each (each
// emulator is a single-threaded node server; separate processes let them use both cores), bound to
// 127.0.0.1 on ports the kernel picks. Use it through bed.sh:
//
//   node bed.mjs DIR
//
// Waits until every emulator has announced its port on its ready pipe (no sleeps, no port
// probing), then writes, each atomically (tmp + rename), in this order:
//   DIR/pids      one PID per line (what bed.sh stop kills)
//   DIR/bed.env   KEY=VALUE lines: endpoints, credentials, region
//   DIR/bed.json  {"services": {"kinesis": {"endpoint", "port", "pid"}, ...}, "env": {...}}
// and prints `ready DIR/bed.json` on stdout and exits 0, leaving the emulators running. bed.json
// existing means the bed is up. On any failure it kills what it started, prints the emulators'
// logs (DIR/<service>.log) to stderr and exits 1.
//
// The emulators stay in the caller's process group (not detached), so an interrupt or a
// `timeout` aimed at the test run's group takes them down too.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVICES = ['kinesis', 'dynamodb', 's3'];
const READY_DEADLINE_MS = Number(process.env.AWSBED_READY_TIMEOUT_MS || 60000);

if (process.argv.length !== 3) {
  console.error('usage: node bed.mjs DIR');
  process.exit(2);
}
const dir = path.resolve(process.argv[2]);
fs.mkdirSync(dir, { recursive: true });
if (fs.existsSync(path.join(dir, 'bed.json'))) {
  console.error(`bed.mjs: ${dir}/bed.json exists: a bed is already running there (bed.sh stop ${dir})`);
  process.exit(1);
}

function writeAtomic(file, text) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function startOne(service) {
  const log = fs.openSync(path.join(dir, `${service}.log`), 'w');
  const nodeArgs = service === 's3' ? ['--openssl-legacy-provider'] : [];
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(here, 'emulator.mjs'), service, '--dir', dir],
    { cwd: here, stdio: ['ignore', log, log, 'pipe'] },
  );
  fs.closeSync(log);
  const ready = new Promise((resolve, reject) => {
    let buf = '';
    const pipe = child.stdio[3];
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      if (!line.startsWith('ready ')) return reject(new Error(`${service}: unexpected line ${line}`));
      resolve(JSON.parse(line.slice(6)));
    });
    pipe.on('error', () => {});
    child.once('error', (err) => reject(new Error(`${service}: spawn failed: ${err.message}`)));
    child.once('exit', (code, sig) => reject(new Error(`${service}: exited (${sig || code}) before ready`)));
  });
  return { service, child, ready };
}

const started = SERVICES.map(startOne);
let deadline;
try {
  const timeout = new Promise((_, reject) => {
    deadline = setTimeout(() => reject(new Error(`not ready after ${READY_DEADLINE_MS} ms`)), READY_DEADLINE_MS);
  });
  const infos = await Promise.race([Promise.all(started.map((s) => s.ready)), timeout]);
  clearTimeout(deadline);

  const services = {};
  for (const info of infos) {
    services[info.service] = { endpoint: `http://127.0.0.1:${info.port}`, port: info.port, pid: info.pid };
  }
  const env = {
    AWS_ENDPOINT_URL_KINESIS: services.kinesis.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: services.dynamodb.endpoint,
    AWS_ENDPOINT_URL_S3: services.s3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER', // the only key s3rver accepts; the other two accept any
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    EVENTLAKE_AWSBED_DIR: dir,
  };
  writeAtomic(path.join(dir, 'pids'), infos.map((i) => `${i.pid}\n`).join(''));
  writeAtomic(path.join(dir, 'bed.env'), Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
  writeAtomic(path.join(dir, 'bed.json'), `${JSON.stringify({ dir, services, env }, null, 2)}\n`);
  for (const s of started) {
    s.child.stdio[3].destroy();
    s.child.unref();
  }
  process.stdout.write(`ready ${path.join(dir, 'bed.json')}\n`);
  process.exit(0);
} catch (err) {
  clearTimeout(deadline);
  console.error(`bed.mjs: ${err.message}`);
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }
  for (const service of SERVICES) {
    const log = path.join(dir, `${service}.log`);
    const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim() : '';
    if (text) console.error(`--- ${log}\n${text}`);
  }
  process.exit(1);
}
