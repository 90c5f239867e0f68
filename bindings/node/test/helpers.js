'use strict';

// Starts `ossbridge serve` on 127.0.0.1:0 with a fresh data dir for one test file.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const crypto = require('node:crypto');

const OSS = require('..');

const ACCESS_KEY_ID = 'LTAI5tNODETEST';
const ACCESS_KEY_SECRET = 'node-test-secret-0123456789abcdef';
const REGION = 'cn-hangzhou';
/** CMK aliases created in every test server's local KMS. */
const TEST_KEYS = ['cmk-node', 'cmk-copy', 'cmk-mpu'];
const BIN = process.env.OSSBRIDGE_BIN || path.resolve(__dirname, '../../../target/release/ossbridge');

/** Starts a server; resolves to {url, dataDir, keys: {alias: keyId}, stop()}. */
async function startServer(extraEnv = {}, extraArgs = []) {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run \`make build\` first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ossbridge-node-'));
  const keys = {};
  for (const alias of TEST_KEYS) {
    const out = execFileSync(BIN, ['kms', 'create-key', '--alias', alias, '--data-dir', dataDir], { encoding: 'utf8' });
    keys[alias] = out.trim().split('\n').pop().trim();
  }
  const child = spawn(
    BIN,
    ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, ...(extraArgs.length ? extraArgs : ['--access-key-id', ACCESS_KEY_ID, '--access-key-secret', ACCESS_KEY_SECRET])],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...extraEnv } }
  );
  const url = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('ossbridge serve did not print its address within 20 s')), 20000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line from ossbridge serve: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`ossbridge serve exited with ${code}`)));
  });
  return {
    url,
    dataDir,
    keys,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function client(url, options = {}) {
  return new OSS({ region: REGION, endpoint: url, accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET, ...options });
}

/** A fresh bucket name with a readable prefix. */
function bucketName(prefix) {
  return `${prefix}-${crypto.randomBytes(5).toString('hex')}`;
}

/** A client bound to a new bucket. */
async function clientWithBucket(url, prefix, options = {}) {
  const name = bucketName(prefix);
  const c = client(url, { ...options, bucket: name });
  await c.putBucket(name);
  return c;
}

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ossbridge-node-files-'));
}

module.exports = { ACCESS_KEY_ID, ACCESS_KEY_SECRET, REGION, OSS, startServer, client, bucketName, clientWithBucket, tmpDir };
