'use strict';

// ossbridge (Node addon) vs ali-oss against the same local `ossbridge serve`, in one run.
// Each (client, scenario) runs in its own child process so peak RSS (getrusage maxrss) is
// that scenario's alone. Prints a table; asserts nothing about speed.
//
//   node bench/node_bench.js SERVER_URL [--big-mib 256] [--small-count 1000] [--repeat 3]
//
// Scenarios: put/get of one large object from/into a Buffer, and put/get of many 4 KiB
// objects (16 in flight), each after one warm-up request. "RSS over payload" is peak RSS minus the RSS before the call,
// minus the payload the caller holds afterwards (the downloaded Buffer), i.e. what the
// client itself needed. "Max event-loop stall" is the longest the JS thread was blocked during
// the call (perf_hooks.monitorEventLoopDelay): work done on the JS thread shows up there.

const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const MiB = 1 << 20;
const ACCESS_KEY_ID = process.env.OSS_ACCESS_KEY_ID || 'LTAI5tBENCH';
const ACCESS_KEY_SECRET = process.env.OSS_ACCESS_KEY_SECRET || 'bench-secret-0123456789';
const NODE_DIR = path.resolve(__dirname, '../bindings/node');

function makeClient(kind, url, bucket) {
  if (kind === 'ossbridge') {
    const OSS = require(NODE_DIR);
    return new OSS({ endpoint: url, region: 'cn-hangzhou', accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, bucket });
  }
  const AliOSS = require(path.join(NODE_DIR, 'node_modules/ali-oss'));
  return new AliOSS({
    endpoint: url,
    region: 'oss-cn-hangzhou',
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    bucket,
    secure: false,
    timeout: 600000,
  });
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

/** Child: runs one scenario and prints {seconds, bytes, rssOver} as JSON. */
async function child(kind, scenario, url, bucket, bigMiB, smallCount) {
  const c = makeClient(kind, url, bucket);
  const big = `big-${bigMiB}`;
  const smallKeys = Array.from({ length: smallCount }, (_, i) => `small/${kind}/${i}`);
  let payload = null;
  let held = 0;
  if (scenario === 'put-big') payload = crypto.randomBytes(bigMiB * MiB);
  if (scenario === 'put-small') payload = crypto.randomBytes(4096);
  // One small request first: connection set-up and lazy initialisation are not throughput.
  await c.put(`warmup/${kind}`, Buffer.from('warm-up'));
  global.gc?.();
  const before = process.memoryUsage.rss();
  // How long the JS thread was blocked at worst while the transfer ran.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = process.hrtime.bigint();
  let bytes = 0;
  if (scenario === 'put-big') {
    await c.put(big, payload);
    bytes = payload.length;
  } else if (scenario === 'get-big') {
    const r = await c.get(big);
    bytes = r.content.length;
    held = bytes;
  } else if (scenario === 'put-small') {
    await pool(smallKeys, 16, (k) => c.put(k, payload));
    bytes = smallCount * 4096;
  } else if (scenario === 'get-small') {
    const contents = [];
    await pool(smallKeys, 16, async (k) => contents.push((await c.get(k)).content));
    bytes = contents.reduce((s, b) => s + b.length, 0);
    held = bytes;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  loop.disable();
  const peak = process.resourceUsage().maxRSS * 1024;
  const loopMaxMs = loop.max / 1e6;
  process.stdout.write(JSON.stringify({ seconds, bytes, rssOver: Math.max(0, peak - before - held), loopMaxMs }));
}

function runChild(kind, scenario, url, bucket, bigMiB, smallCount) {
  const out = execFileSync(process.execPath, [__filename, '--child', kind, scenario, url, bucket, String(bigMiB), String(smallCount)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, OSS_ACCESS_KEY_ID: ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET },
  });
  return JSON.parse(out);
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  if (process.argv[2] === '--child') {
    const [kind, scenario, url, bucket, bigMiB, smallCount] = process.argv.slice(3);
    return child(kind, scenario, url, bucket, Number(bigMiB), Number(smallCount));
  }
  const url = process.argv[2];
  if (!url) throw new Error('usage: node bench/node_bench.js SERVER_URL [--big-mib N] [--small-count N] [--repeat N]');
  const bigMiB = arg('--big-mib', 256);
  const smallCount = arg('--small-count', 1000);
  const repeat = arg('--repeat', 3);
  const bucket = `node-bench-${crypto.randomBytes(4).toString('hex')}`;
  await makeClient('ossbridge', url, bucket).putBucket(bucket);

  const scenarios = [
    ['put-big', `put ${bigMiB} MiB`],
    ['get-big', `get ${bigMiB} MiB`],
    ['put-small', `put ${smallCount} x 4 KiB`],
    ['get-small', `get ${smallCount} x 4 KiB`],
  ];
  const rows = [];
  for (const [scenario, label] of scenarios) {
    const results = {};
    for (const kind of ['ali-oss', 'ossbridge']) {
      // Best of `repeat` runs for throughput; the largest RSS seen.
      let best = null;
      let rss = 0;
      let loopMax = 0;
      for (let i = 0; i < repeat; i++) {
        const r = runChild(kind, scenario, url, bucket, bigMiB, smallCount);
        if (!best || r.seconds < best.seconds) best = r;
        rss = Math.max(rss, r.rssOver);
        loopMax = Math.max(loopMax, r.loopMaxMs);
      }
      results[kind] = { ...best, rssOver: rss, loopMaxMs: loopMax };
    }
    rows.push({ label, ...results });
  }

  // The server's own ceiling for the large object: curl with presigned URLs, same repeats.
  const curl = curlCeiling(url, bucket, bigMiB, repeat);

  const mibs = (r) => r.bytes / MiB / r.seconds;
  const small = (label) => label.includes('4 KiB');
  const fmtRate = (label, r) => (small(label) ? `${(r.bytes / 4096 / r.seconds).toFixed(0)} obj/s` : `${mibs(r).toFixed(0)} MiB/s`);
  const header = [
    'scenario',
    'ali-oss',
    'ossbridge',
    'speed-up',
    'ali-oss RSS over payload',
    'ossbridge RSS over payload',
    'ali-oss max event-loop stall',
    'ossbridge max event-loop stall',
  ];
  const lines = rows.map((row) => [
    row.label,
    fmtRate(row.label, row['ali-oss']),
    fmtRate(row.label, row.ossbridge),
    `${(row['ali-oss'].seconds / row.ossbridge.seconds).toFixed(2)}x`,
    `${(row['ali-oss'].rssOver / MiB).toFixed(0)} MiB`,
    `${(row.ossbridge.rssOver / MiB).toFixed(0)} MiB`,
    `${row['ali-oss'].loopMaxMs.toFixed(0)} ms`,
    `${row.ossbridge.loopMaxMs.toFixed(0)} ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const where = process.env.NODE_BENCH_DATA_DIR ? `, server data in ${process.env.NODE_BENCH_DATA_DIR}` : '';
  console.log(`Node clients against ossbridge serve (${url}${where}), best of ${repeat}; node ${process.version}, ali-oss 6.23.0`);
  console.log(fmt(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(fmt(l));
  if (curl) {
    console.log(`server ceiling (curl, presigned URLs, best of ${repeat}): put ${bigMiB} MiB ${curl.put.toFixed(0)} MiB/s, get ${bigMiB} MiB ${curl.get.toFixed(0)} MiB/s`);
  }
}

/** Best put/get MiB/s of curl for the large object, or null without curl. */
function curlCeiling(url, bucket, bigMiB, repeat) {
  const fs = require('node:fs');
  const os = require('node:os');
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'node-bench-curl-'));
  try {
    const file = path.join(dir, 'big.bin');
    fs.writeFileSync(file, crypto.randomBytes(bigMiB * MiB));
    const c = makeClient('ossbridge', url, bucket);
    const putUrl = c.signatureUrl('curl-big', { method: 'PUT', expires: 3600 });
    const getUrl = c.signatureUrl('curl-big', { expires: 3600 });
    const speed = (args) => Number(execFileSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{speed_upload} %{speed_download}', ...args], { encoding: 'utf8' }).trim().split(' ').map(Number).find((v) => v > 0)) / MiB;
    let put = 0;
    let get = 0;
    for (let i = 0; i < repeat; i++) {
      put = Math.max(put, speed(['-T', file, putUrl]));
      get = Math.max(get, speed([getUrl]));
    }
    return { put, get };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
