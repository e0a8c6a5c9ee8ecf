// Exit 0 when ./node_modules matches ./package-lock.json: npm's hidden lockfile (written by
// npm ci/install) holds exactly the packages of package-lock.json that apply to this platform,
// at the same version and integrity. Used by tests/interop/run.sh and tests/awsbed/bed.sh to
// run `npm ci` only when needed.
import fs from "node:fs";

if (!fs.existsSync("node_modules/.package-lock.json")) process.exit(1);
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
const glibc = Boolean(process.report?.getReport?.().header?.glibcVersionRuntime);
const libc = process.platform === "linux" ? (glibc ? "glibc" : "musl") : undefined;
const fits = (e) => (!e.os || e.os.includes(process.platform)) && (!e.cpu || e.cpu.includes(process.arch))
  && (!e.libc || !libc || e.libc.includes(libc));
const same = (a, b) => a.version === b.version && a.integrity === b.integrity;
for (const [k, e] of Object.entries(lock)) {
  if (k === "" || !k.startsWith("node_modules/")) continue;
  const wanted = !e.optional || fits(e);
  if (wanted && !(have[k] && same(have[k], e))) process.exit(1);
  if (!wanted && have[k] && !same(have[k], e)) process.exit(1);
  if (wanted && !fs.existsSync(k)) process.exit(1);
}
for (const k of Object.keys(have)) if (!lock[k]) process.exit(1);
