'use strict';

// Client-side encryption through OSS.EncryptionClient (core cse::EncryptionClient):
// scenarios of core/tests/cse_client.rs — round trips in both modes, ranges, files and
// multipart, the stored bytes are ciphertext, the wrong key is a CryptoError.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, clientWithBucket, tmpDir, OSS } = require('./helpers.js');

let server;
let dir;
let keyA;
let keyB;
before(async () => {
  server = await startServer();
  dir = tmpDir();
  const pem = () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }),
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    };
  };
  keyA = { ...pem(), materialDescription: { owner: 'a' } };
  keyB = { ...pem(), materialDescription: { owner: 'b' } };
});
after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const mode of ['compatible', 'authenticated']) {
  test(`put/get whole and ranged, file and multipart round trips (${mode})`, async () => {
    const c = await clientWithBucket(server.url, `cse-${mode.slice(0, 4)}`);
    const ec = new OSS.EncryptionClient(c, { masterKey: keyA, mode });
    const plain = crypto.randomBytes(300000);

    const put = await ec.put('secret', plain, { meta: { tag: 'x' }, mime: 'application/x-secret' });
    assert.equal(put.res.status, 200);
    const raw = await c.get('secret');
    assert.notDeepEqual(raw.content.subarray(0, plain.length), plain, 'OSS stores ciphertext');
    const head = await c.head('secret');
    assert.equal(head.meta.tag, 'x');

    const got = await ec.get('secret');
    assert.deepEqual(got.content, plain);
    assert.equal(got.objectSize, plain.length);
    assert.equal(got.encrypted, true);
    assert.equal(got.authenticated, mode === 'authenticated');

    const ranged = await ec.get('secret', { headers: { Range: 'bytes=1000-70999' } });
    assert.deepEqual(ranged.content, plain.subarray(1000, 71000));
    const suffix = await ec.get('secret', { headers: { range: 'bytes=-10' } });
    assert.deepEqual(suffix.content, plain.subarray(plain.length - 10));

    const eh = await ec.head('secret');
    assert.equal(eh.objectSize, plain.length);
    assert.ok(eh.storedSize >= plain.length);

    // A file in parts, then decrypted into a file.
    const src = path.join(dir, `src-${mode}.bin`);
    const big = crypto.randomBytes(700 * 1024 + 5);
    fs.writeFileSync(src, big);
    const up = await ec.multipartUpload('big', src, { partSize: 256 * 1024, parallel: 3 });
    assert.equal(up.partCount, 3);
    assert.equal(up.size, big.length);
    const out = path.join(dir, `out-${mode}.bin`);
    const down = await ec.get('big', out, { partSize: 200 * 1024 });
    assert.equal(down.size, big.length);
    assert.deepEqual(fs.readFileSync(out), big);
  });
}

test('the wrong key is a CryptoError; decryption keys read older objects; plain objects are refused', async () => {
  const c = await clientWithBucket(server.url, 'cse-keys');
  const withA = new OSS.EncryptionClient(c, { masterKey: keyA });
  await withA.put('by-a', Buffer.from('written with key A'));

  const onlyB = new OSS.EncryptionClient(c, { masterKey: keyB });
  await assert.rejects(onlyB.get('by-a'), (err) => {
    assert.equal(err.name, 'CryptoError');
    assert.equal(err.kind, 'Crypto');
    return true;
  });
  const bReadsA = new OSS.EncryptionClient(c, { masterKey: keyB, decryptionKeys: [keyA] });
  assert.equal((await bReadsA.get('by-a')).content.toString(), 'written with key A');

  // A public key alone can write but not read.
  const writer = new OSS.EncryptionClient(c, { masterKey: { publicKey: keyA.publicKey, materialDescription: { owner: 'a' } } });
  await writer.put('by-public', Buffer.from('x'));
  await assert.rejects(writer.get('by-public'), /only a public key/);
  assert.equal((await withA.get('by-public')).content.toString(), 'x');

  await c.put('plain', Buffer.from('not encrypted'));
  await assert.rejects(withA.get('plain'), /no client-side encryption metadata/);
  const lenient = new OSS.EncryptionClient(c, { masterKey: keyA, allowUnencryptedReads: true });
  const plain = await lenient.get('plain');
  assert.equal(plain.content.toString(), 'not encrypted');
  assert.equal(plain.encrypted, false);

  // Tampered ciphertext in authenticated mode fails every read.
  const auth = new OSS.EncryptionClient(c, { masterKey: keyA, mode: 'authenticated' });
  await auth.put('tamper', crypto.randomBytes(100000));
  const stored = (await c.get('tamper')).content;
  stored[50000] ^= 1;
  const headers = Object.fromEntries(Object.entries((await c.head('tamper')).meta).map(([k, v]) => [`x-oss-meta-${k}`, v]));
  await c.put('tamper', stored, { headers });
  await assert.rejects(auth.get('tamper'), { name: 'CryptoError' });

  assert.throws(() => new OSS.EncryptionClient(c, {}), { name: 'ArgumentError' });
  assert.throws(() => new OSS.EncryptionClient(c, { masterKey: { publicKey: 'not a pem' } }), { name: 'ArgumentError' });
  assert.throws(() => new OSS.EncryptionClient(c, { masterKey: keyA, mode: 'fast' }), /mode "fast"/);
  await assert.rejects(withA.put('sse', Buffer.from('x'), { headers: { 'x-oss-server-side-encryption': 'KMS' } }), /server-side encryption headers do not apply/);
});
