'use strict';

// Scenarios of core/tests/client_ops.rs for buckets, through ali-oss's API.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, bucketName } = require('./helpers.js');

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

function assertRes(res, status) {
  assert.equal(res.status, status);
  assert.equal(typeof res.headers, 'object');
  assert.ok(res.headers['x-oss-request-id'], 'res.headers has the request id');
  assert.equal(typeof res.rt, 'number');
  assert.equal(typeof res.size, 'number');
  assert.equal(res.requestUrls.length, 1);
  assert.ok(res.requestUrls[0].startsWith(server.url), res.requestUrls[0]);
}

for (const authorizationV4 of [false, true]) {
  test(`bucket encryption rules round trip (${authorizationV4 ? 'V4' : 'V1'})`, async () => {
    const c = client(server.url, { authorizationV4 });
    const name = bucketName('enc');
    const created = await c.putBucket(name);
    assertRes(created.res, 200);
    assert.equal(created.bucket, name);

    const listed = await c.listBuckets();
    assert.ok(listed.buckets.some((b) => b.name === name), JSON.stringify(listed.buckets));
    assertRes(listed.res, 200);
    assert.equal(typeof listed.owner.id, 'string');

    const info = await c.getBucketInfo(name);
    assert.equal(info.bucket.Name, name);
    assert.equal(info.encryption, null);
    assert.equal(info.bucket.ServerSideEncryptionRule.SSEAlgorithm, 'None');

    await assert.rejects(c.getBucketEncryption(name), (err) => {
      assert.equal(err.name, 'NoSuchServerSideEncryptionRuleError');
      assert.equal(err.code, 'NoSuchServerSideEncryptionRule');
      assert.equal(err.status, 404);
      assert.ok(err.requestId);
      return true;
    });

    // ali-oss's options object, plus KMSDataEncryption that ali-oss cannot send.
    const rules = [
      { SSEAlgorithm: 'AES256' },
      { SSEAlgorithm: 'KMS' },
      { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'guide-cmk-1' },
      { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'guide-cmk-2', KMSDataEncryption: 'SM4' },
      { SSEAlgorithm: 'SM4' },
    ];
    for (const rule of rules) {
      const put = await c.putBucketEncryption(name, rule);
      assert.equal(put.status, 200);
      assertRes(put.res, 200);
      const got = await c.getBucketEncryption(name);
      assert.equal(got.status, 200);
      assert.deepEqual(got.encryption, rule, `after setting ${JSON.stringify(rule)}`);
      const again = await c.getBucketInfo(name);
      assert.deepEqual(again.encryption, rule);
    }
    const del = await c.deleteBucketEncryption(name);
    assert.equal(del.status, 204);
    await assert.rejects(c.getBucketEncryption(name), { name: 'NoSuchServerSideEncryptionRuleError', status: 404 });

    // A rule OSS would reject or silently drop is refused before sending.
    await assert.rejects(c.putBucketEncryption(name, { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' }), {
      name: 'ArgumentError',
      kind: 'InvalidArgument',
    });
    await assert.rejects(c.putBucketEncryption(name, { SSEAlgorithm: 'DES' }), /unsupported server-side encryption algorithm/);

    await c.deleteBucket(name);
    await assert.rejects(c.getBucketInfo(name), { name: 'NoSuchBucketError', code: 'NoSuchBucket', status: 404 });
  });
}

test('putBucket with ACL and storage class; bucket default encryption applies to plain puts', async () => {
  const c = client(server.url);
  const name = bucketName('dflt');
  await c.putBucket(name, { acl: 'private', storageClass: 'Standard' });
  c.useBucket(name);
  assert.equal(c.getBucket(), name);
  await c.putBucketEncryption(name, { SSEAlgorithm: 'KMS', KMSDataEncryption: 'SM4' });
  const plain = await c.put('plain', Buffer.from('hello'));
  assert.equal(plain.serverSideEncryption, 'KMS');
  assert.equal(plain.serverSideDataEncryption, 'SM4');
  const head = await c.head('plain');
  assert.equal(head.serverSideEncryption, 'KMS');
  assert.equal(head.res.headers['x-oss-server-side-data-encryption'], 'SM4');
  // The request's header beats the bucket default.
  await c.put('aes', Buffer.from('hello'), { headers: { 'x-oss-server-side-encryption': 'AES256' } });
  assert.equal((await c.head('aes')).serverSideEncryption, 'AES256');
  await assert.rejects(c.putBucket('Bad_Bucket'), (err) => err.name === 'ArgumentError' && /Bad_Bucket/.test(err.message));
  await assert.rejects(c.putBucket(bucketName('acl'), { acl: 'world-writable' }), /unknown ACL/);
});

test('listBuckets filters by prefix and pages with max-keys', async () => {
  const c = client(server.url);
  const prefix = bucketName('page');
  for (const i of [1, 2, 3]) await c.putBucket(`${prefix}-${i}`);
  const first = await c.listBuckets({ prefix, 'max-keys': 2 });
  assert.equal(first.buckets.length, 2);
  assert.equal(first.isTruncated, true);
  const rest = await c.listBuckets({ prefix, marker: first.nextMarker, 'max-keys': 2 });
  assert.deepEqual(rest.buckets.map((b) => b.name), [`${prefix}-3`]);
  assert.equal(rest.isTruncated, false);
});
