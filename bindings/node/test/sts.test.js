'use strict';

// stsToken: temporary credentials from the server's [[sts]] config sign every call (V1 and V4,
// presigned URLs too); a wrong or expired token is the service's error.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, client, bucketName, ACCESS_KEY_ID, ACCESS_KEY_SECRET } = require('./helpers.js');

const STS = { accessKeyId: 'STS.NODETEST', accessKeySecret: 'sts-node-secret', stsToken: 'CAISnodeToken+/==' };
const EXPIRED = { accessKeyId: 'STS.NODEOLD', accessKeySecret: 'sts-old-secret', stsToken: 'CAISoldToken' };

let server;
let configDir;
before(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ossbridge-node-sts-'));
  const config = path.join(configDir, 'server.toml');
  fs.writeFileSync(
    config,
    `[[users]]
name = "admin"
access_key_id = "${ACCESS_KEY_ID}"
access_key_secret = "${ACCESS_KEY_SECRET}"

[[sts]]
access_key_id = "${STS.accessKeyId}"
access_key_secret = "${STS.accessKeySecret}"
security_token = "${STS.stsToken}"
user = "admin"

[[sts]]
access_key_id = "${EXPIRED.accessKeyId}"
access_key_secret = "${EXPIRED.accessKeySecret}"
security_token = "${EXPIRED.stsToken}"
user = "admin"
expiration = "2020-01-01T00:00:00Z"
`
  );
  server = await startServer({}, ['--config', config]);
});
after(async () => {
  await server.stop();
  fs.rmSync(configDir, { recursive: true, force: true });
});

for (const authorizationV4 of [false, true]) {
  test(`stsToken signs calls and presigned URLs (${authorizationV4 ? 'V4' : 'V1'})`, async () => {
    const name = bucketName('sts');
    const c = client(server.url, { ...STS, authorizationV4, bucket: name });
    await c.putBucket(name);
    await c.put('k', Buffer.from('temporary'), { headers: { 'x-oss-server-side-encryption': 'AES256' } });
    assert.equal((await c.get('k')).content.toString(), 'temporary');
    const got = await fetch(c.signatureUrl('k', { expires: 60 }));
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'temporary');

    await assert.rejects(client(server.url, { ...STS, stsToken: 'CAISwrong', authorizationV4 }).listBuckets(), {
      name: 'InvalidSecurityTokenError',
      status: 403,
    });
    await assert.rejects(client(server.url, { ...EXPIRED, authorizationV4 }).listBuckets(), {
      name: 'SecurityTokenExpiredError',
      status: 403,
    });
  });
}
