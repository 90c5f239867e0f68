'use strict';

// Object scenarios of core/tests/client_ops.rs through ali-oss's API: put (Buffer, file,
// stream) with SSE, get (memory, file, Writable, range, stream), head, copy, append,
// delete, deleteMulti, listV2, signatureUrl.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { Readable, Writable } = require('node:stream');
const { startServer, clientWithBucket, tmpDir } = require('./helpers.js');

let server;
let dir;
before(async () => {
  server = await startServer();
  dir = tmpDir();
});
after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const data = (n, seed) => {
  const out = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

test('put from a Buffer, a file and streams, with every SSE method', async () => {
  const c = await clientWithBucket(server.url, 'put');
  const payload = data(300000, 1);
  const file = path.join(dir, 'src.bin');
  fs.writeFileSync(file, payload);

  // The guide's Node sample: put a local file with an SSE header.
  const r = await c.put('exampledir/exampleobject.txt', file, { headers: { 'x-oss-server-side-encryption': 'AES256' } });
  assert.equal(r.name, 'exampledir/exampleobject.txt');
  assert.equal(r.res.status, 200);
  assert.equal(r.serverSideEncryption, 'AES256');
  assert.equal(r.res.headers['x-oss-server-side-encryption'], 'AES256');
  assert.match(r.url, /exampledir\/exampleobject\.txt$/);
  assert.deepEqual((await c.get('exampledir/exampleobject.txt')).content, payload);
  // As ali-oss: a file's Content-Type follows its extension unless mime is given.
  const jpg = path.join(dir, 'examplefile.jpg');
  fs.writeFileSync(jpg, payload.subarray(0, 100));
  await c.put('guessed', jpg);
  assert.equal((await c.head('guessed')).res.headers['content-type'], 'image/jpeg');
  await c.put('explicit', jpg, { mime: 'application/x-mine' });
  assert.equal((await c.head('explicit')).res.headers['content-type'], 'application/x-mine');

  const kmsKey = server.keys['cmk-node'];
  const cases = [
    [{ 'x-oss-server-side-encryption': 'KMS' }, 'KMS', undefined],
    [{ 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': kmsKey }, 'KMS', undefined],
    [{ 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-data-encryption': 'SM4' }, 'KMS', 'SM4'],
    [{ 'X-Oss-Server-Side-Encryption': 'SM4' }, 'SM4', undefined],
  ];
  for (const [headers, algorithm, dataEncryption] of cases) {
    const key = `buf-${algorithm}-${dataEncryption || 'aes'}-${Object.keys(headers).length}`;
    const put = await c.put(key, payload, { headers, mime: 'application/x-test', meta: { origin: 'node', n: 7 } });
    assert.equal(put.serverSideEncryption, algorithm, key);
    assert.equal(put.serverSideDataEncryption, dataEncryption, key);
    const head = await c.head(key);
    assert.equal(head.status, 200);
    assert.equal(head.serverSideEncryption, algorithm);
    assert.deepEqual(head.meta, { origin: 'node', n: '7' });
    assert.equal(head.res.headers['content-type'], 'application/x-test');
    if (headers['x-oss-server-side-encryption-key-id']) assert.equal(head.serverSideEncryptionKeyId, kmsKey);
    else if (algorithm === 'KMS') assert.ok(head.serverSideEncryptionKeyId, 'default CMK id is reported');
    assert.deepEqual((await c.get(key)).content, payload);
  }

  // A Readable passed to put, and putStream with and without a known length.
  const viaPut = await c.put('stream-put', fs.createReadStream(file));
  assert.equal(viaPut.res.status, 200);
  const chunked = await c.putStream('stream-chunked', Readable.from([payload.subarray(0, 1000), 'text', payload.subarray(1000)]), {
    headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-data-encryption': 'SM4' },
  });
  assert.equal(chunked.serverSideDataEncryption, 'SM4');
  const expected = Buffer.concat([payload.subarray(0, 1000), Buffer.from('text'), payload.subarray(1000)]);
  assert.deepEqual((await c.get('stream-chunked')).content, expected);
  await c.putStream('stream-sized', fs.createReadStream(file), { contentLength: payload.length });
  assert.deepEqual((await c.get('stream-sized')).content, payload);
  assert.deepEqual((await c.get('stream-put')).content, payload);

  // A failing source stream fails the upload with the source's error, and nothing is stored.
  const failing = new Readable({
    read() {
      this.push(Buffer.alloc(70000, 1));
      this.destroy(new Error('disk on fire'));
    },
  });
  await assert.rejects(c.putStream('stream-failed', failing), /disk on fire/);
  await assert.rejects(c.head('stream-failed'), { name: 'NoSuchKeyError', status: 404 });
  // A declared length the stream does not deliver is refused by the server, not hung on.
  await assert.rejects(c.putStream('stream-short', Readable.from([Buffer.alloc(10)]), { contentLength: 20 }));

  await assert.rejects(c.put('bad', 42), TypeError);
  await assert.rejects(c.put('bad', payload, { headers: { 'x-oss-server-side-encryption': 'AES256', 'x-oss-server-side-encryption-key-id': 'k' } }), {
    name: 'ArgumentError',
  });
});

test('get into memory, a file, a Writable, a range and a stream', async () => {
  const c = await clientWithBucket(server.url, 'get');
  const payload = data(1 << 20, 2);
  await c.put('obj', payload, { headers: { 'x-oss-server-side-encryption': 'KMS' } });

  const whole = await c.get('obj');
  assert.deepEqual(whole.content, payload);
  assert.equal(whole.res.status, 200);
  assert.equal(whole.res.size, payload.length);
  assert.equal(whole.serverSideEncryption, 'KMS');

  const file = path.join(dir, 'download.bin');
  const toFile = await c.get('obj', file);
  assert.equal(toFile.content, undefined);
  assert.deepEqual(fs.readFileSync(file), payload);

  const chunks = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const viaWritable = await c.get('obj', sink);
  assert.equal(viaWritable.res.status, 200);
  assert.deepEqual(Buffer.concat(chunks), payload);

  // ali-oss: 304 Not Modified is a result with that status, not an error.
  const etag = whole.res.headers.etag;
  const notModified = await c.get('obj', { headers: { 'If-None-Match': etag } });
  assert.equal(notModified.res.status, 304);
  assert.equal(notModified.content.length, 0);
  const headNotModified = await c.head('obj', { headers: { 'If-None-Match': etag } });
  assert.equal(headNotModified.status, 304);
  assert.equal(headNotModified.meta, null);
  await assert.rejects(c.get('obj', { headers: { 'If-Match': '"0000"' } }), { name: 'PreconditionFailedError', status: 412 });

  const range = await c.get('obj', { headers: { Range: 'bytes=100-199' } });
  assert.equal(range.res.status, 206);
  assert.deepEqual(range.content, payload.subarray(100, 200));

  const { stream, res, serverSideEncryption } = await c.getStream('obj');
  assert.equal(res.status, 200);
  assert.equal(serverSideEncryption, 'KMS');
  const parts = [];
  for await (const chunk of stream) parts.push(chunk);
  assert.deepEqual(Buffer.concat(parts), payload);

  // Destroying a stream early stops the download without leaking an error.
  const early = await c.getStream('obj');
  await new Promise((resolve) => {
    early.stream.once('data', () => {
      early.stream.destroy();
      resolve();
    });
  });

  // A failed download to a file leaves no file behind.
  const missing = path.join(dir, 'never.bin');
  await assert.rejects(c.get('missing', missing), { name: 'NoSuchKeyError' });
  assert.equal(fs.existsSync(missing), false);
});

test('copy onto itself encrypts; the source encryption is not inherited; meta means REPLACE', async () => {
  const c = await clientWithBucket(server.url, 'copy');
  const payload = data(1234, 4);
  await c.put('obj', payload, { mime: 'image/png', meta: { a: '1' } });
  assert.equal((await c.head('obj')).serverSideEncryption, undefined);

  // The guide's FAQ: copy an object onto itself with an SSE header to encrypt it.
  const r = await c.copy('obj', 'obj', {
    headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': server.keys['cmk-copy'] },
  });
  assert.ok(r.data.etag);
  assert.equal(r.res.status, 200);
  assert.equal(r.serverSideEncryption, 'KMS');
  const head = await c.head('obj');
  assert.equal(head.serverSideEncryptionKeyId, server.keys['cmk-copy']);
  assert.equal(head.res.headers['content-type'], 'image/png');
  assert.deepEqual(head.meta, { a: '1' });

  await c.copy('copy-plain', 'obj');
  assert.equal((await c.head('copy-plain')).serverSideEncryption, undefined);
  assert.deepEqual((await c.get('copy-plain')).content, payload);

  // "/bucket/key" source form and new metadata (REPLACE).
  await c.copy('copy-replaced', `/${c.getBucket()}/obj`, { meta: { b: '2' }, mime: 'text/csv', headers: { 'x-oss-server-side-encryption': 'SM4' } });
  const replaced = await c.head('copy-replaced');
  assert.deepEqual(replaced.meta, { b: '2' });
  assert.equal(replaced.res.headers['content-type'], 'text/csv');
  assert.equal(replaced.serverSideEncryption, 'SM4');

  // An explicit REPLACE without new metadata clears it.
  await c.copy('copy-cleared', 'obj', { headers: { 'x-oss-metadata-directive': 'REPLACE' } });
  assert.equal((await c.head('copy-cleared')).meta, null);

  await assert.rejects(c.copy('x', 'missing-source'), { name: 'NoSuchKeyError', status: 404 });
  await assert.rejects(c.copy('x', 'obj', { headers: { 'x-oss-metadata-directive': 'MOVE' } }), { name: 'ArgumentError' });

  // Conditional HEAD: a failed If-Match is ali-oss's PreconditionFailedError.
  const etag = (await c.head('obj')).res.headers.etag;
  assert.equal((await c.head('obj', { headers: { 'If-Match': etag } })).status, 200);
  await assert.rejects(c.head('obj', { headers: { 'If-Match': '"0000"' } }), { name: 'PreconditionFailedError', status: 412 });
});

test('append with SSE keeps the first append encryption', async () => {
  const c = await clientWithBucket(server.url, 'append');
  const first = data(10000, 5);
  const second = data(7000, 6);
  const r1 = await c.append('log', first, { headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-data-encryption': 'SM4' } });
  assert.equal(r1.nextAppendPosition, String(first.length));
  assert.equal(r1.serverSideEncryption, 'KMS');
  const r2 = await c.append('log', second, { position: r1.nextAppendPosition });
  assert.equal(r2.nextAppendPosition, String(first.length + second.length));
  const head = await c.head('log');
  assert.equal(head.serverSideEncryption, 'KMS');
  assert.equal(head.serverSideDataEncryption, 'SM4');
  assert.deepEqual((await c.get('log')).content, Buffer.concat([first, second]));

  await assert.rejects(c.append('log', second, { position: 1 }), { name: 'PositionNotEqualToLengthError', status: 409 });
  // A named CMK cannot be used for appendable objects: refused before sending.
  await assert.rejects(
    c.append('log2', first, { headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': 'k' } }),
    { name: 'ArgumentError' }
  );
});

test('listV2 pages with delimiter; delete and deleteMulti', async () => {
  const c = await clientWithBucket(server.url, 'list');
  const keys = ['a/1', 'a/2', 'b/1', 'c', 'd', 'e'];
  for (const k of keys) await c.put(k, Buffer.from(k));

  const top = await c.listV2({ delimiter: '/' });
  assert.deepEqual(top.prefixes, ['a/', 'b/']);
  assert.deepEqual(top.objects.map((o) => o.name), ['c', 'd', 'e']);
  assert.equal(top.objects[0].size, 1);
  assert.ok(top.objects[0].etag);

  const seen = [];
  let token;
  let pages = 0;
  do {
    const page = await c.listV2({ 'max-keys': 4, 'continuation-token': token });
    seen.push(...page.objects.map((o) => o.name));
    token = page.nextContinuationToken;
    pages++;
    assert.equal(page.isTruncated, !!token);
  } while (token);
  assert.equal(pages, 2);
  assert.deepEqual(seen, keys);

  const prefixed = await c.listV2({ prefix: 'a/', 'start-after': 'a/1' });
  assert.deepEqual(prefixed.objects.map((o) => o.name), ['a/2']);

  const del = await c.delete('c');
  assert.equal(del.res.status, 204);
  await c.delete('never-existed'); // OSS: deleting a missing key succeeds
  const multi = await c.deleteMulti(['a/1', 'a/2', 'missing']);
  assert.deepEqual(multi.deleted.map((d) => d.Key).sort(), ['a/1', 'a/2', 'missing']);
  const quiet = await c.deleteMulti(['b/1', 'd'], { quiet: true });
  assert.deepEqual(quiet.deleted, []);
  assert.deepEqual((await c.listV2()).objects.map((o) => o.name), ['e']);
  await assert.rejects(c.deleteMulti([]), /names is required/);
});

for (const authorizationV4 of [false, true]) {
  test(`signatureUrl GET and PUT work without credentials (${authorizationV4 ? 'V4' : 'V1'})`, async () => {
    const c = await clientWithBucket(server.url, 'sign', { authorizationV4 });
    await c.put('signed.txt', Buffer.from('presigned body'));
    const url = c.signatureUrl('signed.txt', { expires: 60 });
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'presigned body');
    assert.equal(await c.asyncSignatureUrl('signed.txt'), c.signatureUrl('signed.txt'));

    const putUrl = c.signatureUrl('uploaded.txt', { method: 'PUT', expires: 60 });
    // A Uint8Array body: fetch adds no Content-Type, which would be part of the signature.
    const put = await fetch(putUrl, { method: 'PUT', body: new TextEncoder().encode('via url') });
    assert.equal(put.status, 200);
    assert.equal((await c.get('uploaded.txt')).content.toString(), 'via url');

    const bad = new URL(url);
    bad.searchParams.set(authorizationV4 ? 'x-oss-signature' : 'Signature', 'AAAA');
    assert.equal((await fetch(bad)).status, 403);
  });
}
