'use strict';
// ali-oss 6.23.0 against `ossbridge serve`: the guide's SSE flows, errors, ranges and presigned
// URLs, with V1 and V4 (authorizationV4) signatures, in both addressing modes:
// - an IP endpoint, where ali-oss sends `/key` with `Host: <bucket>.oss-<region>.aliyuncs.com`;
// - a `localhost` endpoint with sldEnable, where it sends `/bucket/key` (path style).
// (sldEnable with an IP endpoint sends both `/bucket/key` and the bucket Host, which OSS itself
// reads as key `bucket/key`; that combination is an ali-oss misuse, not tested.)

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const OSS = require('ali-oss');
const { startServer } = require('./server');

const SSE = 'x-oss-server-side-encryption';
const SSE_KEY_ID = 'x-oss-server-side-encryption-key-id';
const SSE_DATA = 'x-oss-server-side-data-encryption';
const KMS_FORBIDDEN = 'This request is forbidden by kms.';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, 'ossbridge serve must exit 0 after SIGTERM');
});

function newBucketName() {
  return `nd-${crypto.randomBytes(8).toString('hex')}`;
}

function makeClient({ v4, sld, creds, bucket }) {
  const c = creds || server.principals.admin;
  return new OSS({
    endpoint: sld ? server.endpoint.replace('127.0.0.1', 'localhost') : server.endpoint,
    region: 'oss-cn-hangzhou',
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    stsToken: c.stsToken,
    authorizationV4: v4,
    sldEnable: sld,
    secure: false,
    bucket,
    timeout: 120000,
  });
}

function sseOf(headers) {
  return [headers[SSE], headers[SSE_KEY_ID], headers[SSE_DATA]];
}

async function expectError(promise, status, code) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.status, status, `status of ${err.code}: ${err.message}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.requestId, 'the error carries the request id');
    return err;
  }
  assert.fail(`expected ${status} ${code}, the call succeeded`);
}

function payload(size, seed) {
  // Deterministic bytes from a counter-mode hash.
  const out = Buffer.alloc(size);
  let off = 0;
  let i = 0;
  while (off < size) {
    const block = crypto.createHash('sha256').update(`${seed}:${i++}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

const OBJECT_CASES = [
  ['AES256', { [SSE]: 'AES256' }, ['AES256', undefined, undefined]],
  ['SM4', { [SSE]: 'SM4' }, ['SM4', undefined, undefined]],
  ['KMS-default', { [SSE]: 'KMS' }, ['KMS', 'DEFAULT', undefined]],
  ['KMS-named', { [SSE]: 'KMS', [SSE_KEY_ID]: 'NAMED' }, ['KMS', 'NAMED', undefined]],
  ['KMS-SM4', { [SSE]: 'KMS', [SSE_DATA]: 'SM4' }, ['KMS', 'DEFAULT', 'SM4']],
  ['KMS-named-SM4', { [SSE]: 'KMS', [SSE_KEY_ID]: 'NAMED', [SSE_DATA]: 'SM4' }, ['KMS', 'NAMED', 'SM4']],
];

function resolveHeaders(h) {
  const out = {};
  for (const [k, v] of Object.entries(h)) out[k] = v === 'NAMED' ? server.namedCmk : v;
  return out;
}

function assertSse(headers, expected, where) {
  const [alg, keyId, data] = sseOf(headers);
  assert.equal(alg, expected[0], `${where}: ${SSE}`);
  if (expected[1] === 'DEFAULT') {
    assert.ok(keyId && keyId !== server.namedCmk, `${where}: the default CMK id must be echoed`);
  } else {
    assert.equal(keyId, expected[1] === 'NAMED' ? server.namedCmk : expected[1], `${where}: ${SSE_KEY_ID}`);
  }
  assert.equal(data, expected[2], `${where}: ${SSE_DATA}`);
}

for (const v4 of [false, true]) {
  for (const sld of [false, true]) {
    const label = `ali-oss ${v4 ? 'V4' : 'V1'} ${sld ? 'path-style' : 'virtual-host'}`;

    describe(label, () => {
      let client;
      let bucket;

      before(async () => {
        bucket = newBucketName();
        client = makeClient({ v4, sld, bucket });
        await client.putBucket(bucket);
      });

      it('bucket rules of each kind round-trip', async () => {
        for (const rule of [
          { SSEAlgorithm: 'AES256' },
          { SSEAlgorithm: 'SM4' },
          { SSEAlgorithm: 'KMS' },
          { SSEAlgorithm: 'KMS', KMSMasterKeyID: server.namedCmk },
        ]) {
          const put = await client.putBucketEncryption(bucket, rule);
          assert.equal(put.status, 200);
          const got = await client.getBucketEncryption(bucket);
          assert.equal(got.encryption.SSEAlgorithm, rule.SSEAlgorithm);
          assert.equal(got.encryption.KMSMasterKeyID || undefined, rule.KMSMasterKeyID);
        }
        const del = await client.deleteBucketEncryption(bucket);
        assert.equal(del.status, 204);
        await expectError(client.getBucketEncryption(bucket), 404, 'NoSuchServerSideEncryptionRule');
      });

      for (const [id, headers, expected] of OBJECT_CASES) {
        it(`put/get/head with ${id}`, async () => {
          const data = payload(200_003, id);
          const key = `obj/${id}`;
          const put = await client.put(key, data, { headers: resolveHeaders(headers) });
          assert.equal(put.res.status, 200);
          assertSse(put.res.headers, expected, 'put');
          const got = await client.get(key);
          assert.ok(Buffer.compare(got.content, data) === 0, 'GetObject returns the plaintext');
          assertSse(got.res.headers, expected, 'get');
          const head = await client.head(key);
          assertSse(head.res.headers, expected, 'head');
          assert.equal(Number(head.res.headers['content-length']), data.length);
        });
      }

      it('bucket default is applied and the header wins over it', async () => {
        const b = newBucketName();
        await client.putBucket(b);
        await client.putBucketEncryption(b, { SSEAlgorithm: 'KMS', KMSMasterKeyID: server.namedCmk });
        client.useBucket(b);
        try {
          await client.put('by-default', Buffer.from('default rule'));
          assertSse((await client.head('by-default')).res.headers, ['KMS', 'NAMED', undefined], 'default');
          await client.put('by-header', Buffer.from('header'), { headers: { [SSE]: 'SM4' } });
          assertSse((await client.head('by-header')).res.headers, ['SM4', undefined, undefined], 'header');
        } finally {
          client.useBucket(bucket);
        }
      });

      it('copy onto itself encrypts an existing object, copy does not inherit SSE', async () => {
        const data = payload(100_000, 'copy');
        await client.put('existing', data);
        assertSse((await client.head('existing')).res.headers, [undefined, undefined, undefined], 'before');
        const copy = await client.copy('existing', 'existing', { headers: { [SSE]: 'KMS' } });
        assert.equal(copy.res.status, 200);
        assertSse((await client.head('existing')).res.headers, ['KMS', 'DEFAULT', undefined], 'after copy');
        assert.ok(Buffer.compare((await client.get('existing')).content, data) === 0);
        await client.copy('plain-copy', 'existing');
        assertSse((await client.head('plain-copy')).res.headers, [undefined, undefined, undefined], 'no inherit');
      });

      it('multipartUpload with SSE-KMS (ali-oss strips the SSE header from UploadPart)', async () => {
        const data = payload(3 * 102_400 + 999, 'mp');
        // Only x-oss-server-side-encryption: ali-oss strips that one header from UploadPart and
        // Complete, but would pass a key-id header on to them, which OSS refuses.
        const r = await client.multipartUpload('mp', data, {
          partSize: 102_400,
          parallel: 2,
          headers: { [SSE]: 'KMS' },
        });
        assert.equal(r.res.status, 200);
        assertSse((await client.head('mp')).res.headers, ['KMS', 'DEFAULT', undefined], 'multipart');
        assert.ok(Buffer.compare((await client.get('mp')).content, data) === 0);
      });

      it('a key-id header on UploadPart is InvalidArgument', async () => {
        const init = await client.initMultipartUpload('mp-bad', { headers: { [SSE]: 'AES256' } });
        assertSse(init.res.headers, ['AES256', undefined, undefined], 'initiate');
        const part = Buffer.alloc(1000, 1);
        await expectError(
          client.uploadPart('mp-bad', init.uploadId, 1, part, 0, part.length, { headers: { [SSE_KEY_ID]: 'x' } }),
          400,
          'InvalidArgument',
        );
        const ok = await client.uploadPart('mp-bad', init.uploadId, 1, part, 0, part.length);
        await expectError(
          client.completeMultipartUpload('mp-bad', init.uploadId, [{ number: 1, etag: ok.etag }], {
            headers: { [SSE_DATA]: 'SM4' },
          }),
          400,
          'InvalidArgument',
        );
        await client.completeMultipartUpload('mp-bad', init.uploadId, [{ number: 1, etag: ok.etag }]);
        assertSse((await client.head('mp-bad')).res.headers, ['AES256', undefined, undefined], 'complete');
      });

      it('append keeps the SSE of the first append', async () => {
        const a = payload(50_000, 'a1');
        const b = payload(60_000, 'a2');
        const first = await client.append('log', a, { headers: { [SSE]: 'SM4' } });
        assertSse(first.res.headers, ['SM4', undefined, undefined], 'append 0');
        const second = await client.append('log', b, { position: first.nextAppendPosition });
        assertSse(second.res.headers, ['SM4', undefined, undefined], 'append 1');
        assert.equal(Number(second.nextAppendPosition), a.length + b.length);
        assert.ok(Buffer.compare((await client.get('log')).content, Buffer.concat([a, b])) === 0);
      });

      it('ranged GETs of an SSE object match the plaintext', async () => {
        const data = payload(1_500_007, 'ranges');
        await client.put('ranged', data, { headers: { [SSE]: 'KMS', [SSE_DATA]: 'SM4' } });
        let seed = 12345;
        const rand = n => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        for (let i = 0; i < 60; i++) {
          let range;
          let want;
          if (i % 3 === 2) {
            const n = 1 + rand(data.length - 1);
            range = `bytes=-${n}`;
            want = data.subarray(data.length - n);
          } else {
            const a = rand(data.length);
            const b = i % 3 === 0 ? Math.min(data.length - 1, a + rand(300_000)) : data.length - 1;
            range = `bytes=${a}-${b}`;
            want = data.subarray(a, b + 1);
          }
          const r = await client.get('ranged', { headers: { Range: range } });
          assert.equal(r.res.status, 206, range);
          assert.ok(Buffer.compare(r.content, want) === 0, `range ${range}`);
        }
      });

      it('a presigned GET URL works with fetch', async () => {
        const data = payload(77_777, 'presign');
        const key = 'dir/presigned obj+&.bin';
        await client.put(key, data, { headers: { [SSE]: 'AES256' } });
        // ali-oss refuses to presign for an IP endpoint, so the presigning client names the
        // server `localhost` and uses path style (a browser could not resolve bucket.localhost).
        const signer = makeClient({ v4, sld: true, bucket });
        const url = v4 ? await signer.signatureUrlV4('GET', 300, {}, key) : signer.signatureUrl(key, { expires: 300 });
        assert.ok(url.includes(v4 ? 'x-oss-signature-version=OSS4-HMAC-SHA256' : 'Signature='), url);
        const r = await fetch(url);
        assert.equal(r.status, 200, await r.clone().text());
        assert.equal(r.headers.get(SSE), 'AES256');
        assert.ok(Buffer.compare(Buffer.from(await r.arrayBuffer()), data) === 0);
        const expired = v4 ? await signer.signatureUrlV4('GET', 1, {}, key) : signer.signatureUrl(key, { expires: 1 });
        await new Promise(res => setTimeout(res, 2200));
        const e = await fetch(expired);
        assert.equal(e.status, 403);
        assert.match(await e.text(), /<Code>AccessDenied<\/Code>/);
      });

      it('NoSuchKey, NoSuchBucket and a HEAD error', async () => {
        await expectError(client.get('missing'), 404, 'NoSuchKey');
        await expectError(client.head('missing'), 404, 'NoSuchKey');
        const other = makeClient({ v4, sld, bucket: newBucketName() });
        await expectError(other.get('k'), 404, 'NoSuchBucket');
      });

      it('an unknown algorithm is InvalidEncryptionAlgorithmError, a key id with AES256 InvalidArgument', async () => {
        await expectError(client.putBucketEncryption(bucket, { SSEAlgorithm: 'random' }), 400, 'InvalidEncryptionAlgorithmError');
        await expectError(
          client.putBucketEncryption(bucket, { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'test' }),
          400,
          'InvalidArgument',
        );
        await expectError(client.put('bad-alg', Buffer.from('x'), { headers: { [SSE]: 'AES128' } }), 400, 'InvalidEncryptionAlgorithmError');
      });

      it('a wrong secret is SignatureDoesNotMatch', async () => {
        const bad = makeClient({ v4, sld, bucket, creds: { ...server.principals.admin, accessKeySecret: 'wrong' } });
        await expectError(bad.put('k', Buffer.from('x')), 403, 'SignatureDoesNotMatch');
      });

      it('KMS objects are forbidden by kms for a user without kms:Decrypt and for anonymous readers', async () => {
        const b = newBucketName();
        await client.putBucket(b, { acl: 'public-read' });
        client.useBucket(b);
        try {
          await client.put('kms', Buffer.from('kms secret'), { headers: { [SSE]: 'KMS' } });
          await client.put('aes', Buffer.from('aes object'), { headers: { [SSE]: 'AES256' } });
        } finally {
          client.useBucket(bucket);
        }
        const noKms = makeClient({ v4, sld, bucket: b, creds: server.principals.noKms });
        const err = await expectError(noKms.get('kms'), 403, 'AccessDenied');
        assert.equal(err.message.split('\n')[0].trim(), KMS_FORBIDDEN);
        assert.equal((await noKms.get('aes')).content.toString(), 'aes object');
        const anon = await fetch(`${server.endpoint}/${b}/kms`);
        assert.equal(anon.status, 403);
        const body = await anon.text();
        assert.match(body, /<Code>AccessDenied<\/Code>/);
        assert.ok(body.includes(`<Message>${KMS_FORBIDDEN}</Message>`), body);
      });

      it('special keys: put, get, list by prefix, deleteMulti', async () => {
        const keys = ['sp/目录 ü.txt', 'sp/a+b=c&d', 'sp/percent%20x', "sp/q?#~!*'()", 'sp/<xml>&amp;'];
        for (const k of keys) {
          await client.put(k, Buffer.from(k), { headers: { [SSE]: 'SM4' } });
          assert.equal((await client.get(k)).content.toString(), k);
        }
        const listed = await client.list({ prefix: 'sp/', 'max-keys': 100 });
        assert.deepEqual(listed.objects.map(o => o.name).sort(), [...keys].sort());
        const del = await client.deleteMulti(keys, { quiet: false });
        assert.deepEqual([...del.deleted.map(d => d.Key)].sort(), [...keys].sort());
        const after = await client.list({ prefix: 'sp/' });
        assert.equal((after.objects || []).length, 0);
      });

      it('STS credentials work', async () => {
        const sts = makeClient({ v4, sld, bucket, creds: server.principals.sts });
        await sts.put('sts', Buffer.from('via sts'), { headers: { [SSE]: 'KMS' } });
        assert.equal((await sts.get('sts')).content.toString(), 'via sts');
      });
    });
  }
}
