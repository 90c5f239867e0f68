'use strict';

// Every error class, shaped as ali-oss shapes errors: err.name = code + 'Error' with code,
// status, requestId, hostId, ecCode for service errors; own names for client-side failures.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const util = require('node:util');
const { startServer, client, clientWithBucket, tmpDir, OSS, ACCESS_KEY_ID, ACCESS_KEY_SECRET } = require('./helpers.js');

let server;
let dir;
before(async () => {
  server = await startServer({ OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX: '.corrupt' });
  dir = tmpDir();
});
after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An HTTP server on 127.0.0.1:0 answering every request with `handler`. */
async function fakeServer(handler) {
  const s = http.createServer(handler);
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${s.address().port}`, close: () => new Promise((r) => s.close(r)) };
}

test('service errors carry name, code, status, requestId, hostId, ecCode', async () => {
  const c = await clientWithBucket(server.url, 'err');
  await assert.rejects(c.get('missing'), (err) => {
    assert.ok(err instanceof OSS.OssError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'NoSuchKeyError');
    assert.equal(err.code, 'NoSuchKey');
    assert.equal(err.status, 404);
    assert.match(err.requestId, /^[0-9A-F]{24}$/);
    assert.equal(typeof err.hostId, 'string');
    assert.equal(typeof err.ecCode, 'string');
    assert.equal(err.kind, 'Service');
    assert.match(err.message, /does not exist/);
    assert.match(err.stack, /NoSuchKeyError/);
    return true;
  });
  // HEAD has no body: the code comes from x-oss-err, as ali-oss synthesises it.
  await assert.rejects(c.head('missing'), { name: 'NoSuchKeyError', code: 'NoSuchKey', status: 404 });
  await assert.rejects(client(server.url, { bucket: 'no-such-bucket-here' }).put('k', Buffer.from('x')), {
    name: 'NoSuchBucketError',
    status: 404,
  });

  const wrongSecret = client(server.url, { accessKeySecret: 'wrong-secret' });
  await assert.rejects(wrongSecret.listBuckets(), (err) => {
    assert.equal(err.name, 'SignatureDoesNotMatchError');
    assert.equal(err.status, 403);
    assert.ok(err.details.StringToSign, 'every <Error> element is kept');
    return true;
  });
  await assert.rejects(client(server.url, { accessKeyId: 'LTAI5tUNKNOWN' }).listBuckets(), {
    name: 'InvalidAccessKeyIdError',
    status: 403,
  });

  // A non-last part below 100 KiB.
  const up = await c.initMultipartUpload('small-parts');
  const p1 = await c.uploadPart('small-parts', up.uploadId, 1, Buffer.alloc(1000));
  const p2 = await c.uploadPart('small-parts', up.uploadId, 2, Buffer.alloc(1000));
  await assert.rejects(
    c.completeMultipartUpload('small-parts', up.uploadId, [
      { number: 1, etag: p1.etag },
      { number: 2, etag: p2.etag },
    ]),
    { name: 'EntityTooSmallError', status: 400 }
  );
});

test('a service error without a code is an UnknownError with its status', async () => {
  const fake = await fakeServer((req, res) => {
    res.writeHead(500, { 'x-oss-request-id': 'FAKE-RID' });
    res.end();
  });
  try {
    await assert.rejects(client(fake.url, { retryMax: 0 }).listBuckets(), (err) => {
      assert.equal(err.name, 'UnknownError');
      assert.equal(err.status, 500);
      assert.equal(err.requestId, 'FAKE-RID');
      return true;
    });
  } finally {
    await fake.close();
  }
});

test('retryMax: 5xx answers are retried that many times, then surface', async () => {
  let calls = 0;
  const fake = await fakeServer((req, res) => {
    calls++;
    if (calls % 3 !== 0) {
      res.writeHead(503, { 'content-type': 'application/xml', 'x-oss-request-id': `RID-${calls}` });
      res.end('<Error><Code>ServiceUnavailable</Code><Message>busy</Message><RequestId>R</RequestId></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/xml', 'x-oss-request-id': 'OK' });
    res.end('<ListAllMyBucketsResult><Owner><ID>1</ID><DisplayName>d</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>');
  });
  try {
    const listed = await client(fake.url, { retryMax: 2 }).listBuckets();
    assert.equal(calls, 3, 'two retries, then success');
    assert.deepEqual(listed.buckets, []);
    calls = 0;
    await assert.rejects(client(fake.url, { retryMax: 0 }).listBuckets(), { name: 'ServiceUnavailableError', status: 503 });
    assert.equal(calls, 1, 'retryMax 0 sends once');
  } finally {
    await fake.close();
  }
});

test('bad input is an ArgumentError naming what was wrong', async () => {
  const c = await clientWithBucket(server.url, 'arg');
  await assert.rejects(c.putBucket('Bad_Bucket'), (err) => err.name === 'ArgumentError' && err.kind === 'InvalidArgument' && /Bad_Bucket/.test(err.message));
  await assert.rejects(c.put('/abs', Buffer.from('x')), /\/abs/);
  await assert.rejects(c.put('k', Buffer.from('x'), { headers: { 'bad header': 'v' } }), /invalid header name/);
  await assert.rejects(c.put('k', Buffer.from('x'), { headers: { Authorization: 'x' } }), /cannot be passed verbatim/);
  await assert.rejects(client(server.url).put('k', Buffer.from('x')), /no bucket/);
  await assert.rejects(c.uploadPart('k', 'upload', 0, Buffer.from('x')), /part number 0/);
  await assert.rejects(c.multipartUpload('k', path.join(dir, 'x'), { partSize: 1000 }), /part_size 1000/);
  assert.throws(() => new OSS({ endpoint: server.url, accessKeyId: ACCESS_KEY_ID }), /accessKeySecret is required/);
  assert.throws(() => new OSS({ endpoint: server.url, accessKeyId: 'a', accessKeySecret: 'b', timeout: 'soon' }), { name: 'ArgumentError' });
  assert.throws(() => new OSS({ accessKeyId: 'a', accessKeySecret: 'b' }), /endpoint or a region/);
  assert.throws(() => new OSS({ endpoint: server.url, accessKeyId: 'a', accessKeySecret: 'b', authorizationV4: true }), /region/);
  assert.throws(() => new OSS(), { name: 'ArgumentError' });
});

test('missing credentials are a CredentialsError', () => {
  const saved = { id: process.env.OSS_ACCESS_KEY_ID, secret: process.env.OSS_ACCESS_KEY_SECRET };
  delete process.env.OSS_ACCESS_KEY_ID;
  delete process.env.OSS_ACCESS_KEY_SECRET;
  try {
    assert.throws(() => new OSS({ endpoint: server.url, region: 'cn-hangzhou' }), (err) => {
      assert.equal(err.name, 'CredentialsError');
      assert.match(err.message, /OSS_ACCESS_KEY_ID/);
      return true;
    });
    process.env.OSS_ACCESS_KEY_ID = ACCESS_KEY_ID;
    process.env.OSS_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET;
    // ...and read from the environment when present, as the guide's samples expect.
    assert.ok(new OSS({ endpoint: server.url, region: 'cn-hangzhou' }));
  } finally {
    for (const [k, v] of [['OSS_ACCESS_KEY_ID', saved.id], ['OSS_ACCESS_KEY_SECRET', saved.secret]]) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('connection refused is a RequestError with status -1', async () => {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  await assert.rejects(client(`http://127.0.0.1:${port}`, { retryMax: 0 }).listBuckets(), (err) => {
    assert.equal(err.name, 'RequestError');
    assert.equal(err.status, -1);
    assert.equal(err.kind, 'Network');
    assert.match(err.message, /127\.0\.0\.1/);
    return true;
  });
});

test('a server that never answers is a ResponseTimeoutError with status -2', async () => {
  const sockets = [];
  const silent = net.createServer((sock) => sockets.push(sock));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const c = client(`http://127.0.0.1:${silent.address().port}`, { timeout: 300, retryMax: 0 });
    await assert.rejects(c.listBuckets(), (err) => {
      assert.equal(err.name, 'ResponseTimeoutError');
      assert.equal(err.status, -2);
      assert.equal(err.kind, 'Timeout');
      return true;
    });
  } finally {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));
  }
});

test('a corrupted download is a CrcMismatchError (memory, stream, file)', async () => {
  const c = await clientWithBucket(server.url, 'crc');
  const payload = Buffer.alloc(200000, 7);
  await c.put('x.corrupt', payload);
  await assert.rejects(c.get('x.corrupt'), (err) => {
    assert.equal(err.name, 'CrcMismatchError');
    assert.equal(err.kind, 'CrcMismatch');
    assert.match(err.message, /CRC-64 mismatch/);
    return true;
  });
  const { stream } = await c.getStream('x.corrupt');
  await assert.rejects(
    (async () => {
      for await (const _ of stream);
    })(),
    { name: 'CrcMismatchError' }
  );
  const file = path.join(dir, 'corrupt.bin');
  await assert.rejects(c.get('x.corrupt', file), { name: 'CrcMismatchError' });
  assert.equal(fs.existsSync(file), false, 'no corrupt file is left behind');
  // A range cannot be checked against the whole-object CRC, so it is returned as is.
  assert.equal((await c.get('x.corrupt', { headers: { Range: 'bytes=10-19' } })).content.length, 10);
});

test('a local file that cannot be read is an IoError', async () => {
  const c = await clientWithBucket(server.url, 'io');
  await assert.rejects(c.put('k', '/definitely/missing/file'), (err) => err.name === 'IoError' && /definitely\/missing/.test(err.message));
  await assert.rejects(c.get('k', '/definitely/missing/dir/out.bin'), { name: 'ArgumentError' });
});

test('an answer that is not OSS XML is a ProtocolError', async () => {
  const fake = await fakeServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'x-oss-request-id': 'FAKE' });
    res.end('<html>a captive portal</html>');
  });
  try {
    await assert.rejects(client(fake.url, { retryMax: 0 }).listBuckets(), (err) => err.name === 'ProtocolError' && err.kind === 'Protocol');
  } finally {
    await fake.close();
  }
});

test('secrets never show in the client, its options or its errors', async () => {
  const c = client(server.url, { stsToken: 'TOKEN-SECRET-VALUE', bucket: 'b-secret' });
  const shown = util.inspect(c, { depth: 5, showHidden: true }) + JSON.stringify(c);
  assert.ok(!shown.includes(ACCESS_KEY_SECRET), shown);
  assert.ok(!shown.includes('TOKEN-SECRET-VALUE'), shown);
  const err = await c.put('k', Buffer.from('x')).catch((e) => e);
  assert.ok(!util.inspect(err).includes(ACCESS_KEY_SECRET));
});
