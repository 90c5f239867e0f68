'use strict';
// Starts `ossbridge serve` for the ali-oss suite: a free port, a temp data dir, a config with an
// admin, a user without kms:Decrypt and STS credentials, and a named CMK made beforehand.

const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const BINARY = process.env.OSSBRIDGE_BIN || path.join(REPO, 'target', 'release', 'ossbridge');

function secret() {
  return crypto.randomBytes(18).toString('base64url');
}

function principals() {
  const tag = () => crypto.randomBytes(6).toString('hex');
  return {
    admin: { accessKeyId: `LTAIadmin${tag()}`, accessKeySecret: secret() },
    noKms: { accessKeyId: `LTAInokms${tag()}`, accessKeySecret: secret() },
    sts: { accessKeyId: `STS.node${tag()}`, accessKeySecret: secret(), stsToken: `token-${secret()}` },
  };
}

function configToml(p) {
  return `[[users]]
name = "admin"
access_key_id = "${p.admin.accessKeyId}"
access_key_secret = "${p.admin.accessKeySecret}"
allow = ["oss:*", "kms:*"]

[[users]]
name = "nokms"
access_key_id = "${p.noKms.accessKeyId}"
access_key_secret = "${p.noKms.accessKeySecret}"
allow = ["oss:*", "kms:GenerateDataKey"]

[[sts]]
user = "admin"
access_key_id = "${p.sts.accessKeyId}"
access_key_secret = "${p.sts.accessKeySecret}"
security_token = "${p.sts.stsToken}"
expiration = "2099-01-01T00:00:00Z"
`;
}

async function startServer() {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run make build first`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ossbridge-node-'));
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(dataDir);
  const p = principals();
  const configPath = path.join(base, 'server.toml');
  fs.writeFileSync(configPath, configToml(p));
  const out = execFileSync(BINARY, ['kms', 'create-key', '--data-dir', dataDir, '--alias', 'alias/node-named'], {
    encoding: 'utf8',
  });
  const namedCmk = out.trim().split(/\s+/).pop();
  const log = fs.openSync(path.join(base, 'server.log'), 'a');
  const child = spawn(
    BINARY,
    ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, '--config', configPath],
    { stdio: ['ignore', 'pipe', log] },
  );
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ossbridge serve printed no address within 30s')), 30000);
    child.once('exit', code => reject(new Error(`ossbridge serve exited with ${code}`)));
    lines.once('line', line => {
      clearTimeout(timer);
      resolve(line);
    });
  });
  const m = /^listening on (http:\/\/[^\s]+)$/.exec(first);
  if (!m) throw new Error(`unexpected first line ${JSON.stringify(first)}`);
  lines.on('line', () => {}); // keep draining
  return {
    endpoint: m[1],
    dataDir,
    namedCmk,
    principals: p,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise(resolve => child.once('exit', code => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

module.exports = { startServer };
