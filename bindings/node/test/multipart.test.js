'use strict';

// Multipart scenarios of core/tests/client_ops.rs and client_transfer.rs through ali-oss's
// API: the low-level calls with SSE set at initiation, multipartUpload with progress and
// checkpoints, resuming a cancelled upload from its checkpoint, abort.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
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

const KiB = 1024;

function writeRandomFile(name, size) {
  const file = path.join(dir, name);
  const payload = crypto.randomBytes(size);
  fs.writeFileSync(file, payload);
  return { file, payload };
}

test('initMultipartUpload with SSE, uploadPart from file ranges and Buffers, complete', async () => {
  const c = await clientWithBucket(server.url, 'mpu');
  const { file, payload } = writeRandomFile('parts.bin', 250 * KiB);
  const keyId = server.keys['cmk-mpu'];
  const init = await c.initMultipartUpload('big', {
    headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': keyId },
    mime: 'application/x-parts',
    meta: { origin: 'mpu' },
  });
  assert.equal(init.name, 'big');
  assert.ok(init.uploadId);
  assert.equal(init.serverSideEncryption, 'KMS');
  assert.equal(init.serverSideEncryptionKeyId, keyId);

  const p2 = await c.uploadPart('big', init.uploadId, 2, file, 100 * KiB, 200 * KiB);
  const p1 = await c.uploadPart('big', init.uploadId, 1, file, 0, 100 * KiB);
  const p3 = await c.uploadPart('big', init.uploadId, 3, payload.subarray(200 * KiB));
  assert.equal(p1.res.status, 200);
  assert.match(p1.etag, /^"[0-9A-F]+"$/);
  // ali-oss sorts parts and drops duplicates.
  const done = await c.completeMultipartUpload('big', init.uploadId, [
    { number: 3, etag: p3.etag },
    { number: 1, etag: p1.etag },
    { number: 2, etag: p2.etag },
    { number: 1, etag: p1.etag },
  ]);
  assert.equal(done.res.status, 200);
  assert.match(done.etag, /-3"$/);
  assert.equal(done.serverSideEncryption, 'KMS');

  const head = await c.head('big');
  assert.equal(head.serverSideEncryptionKeyId, keyId);
  assert.deepEqual(head.meta, { origin: 'mpu' });
  assert.equal(head.res.headers['content-type'], 'application/x-parts');
  assert.deepEqual((await c.get('big')).content, payload);

  // SSE belongs to the initiation only: on uploadPart ali-oss drops it, the core has no such option.
  const aborted = await c.initMultipartUpload('gone');
  const abort = await c.abortMultipartUpload('gone', aborted.uploadId);
  assert.equal(abort.res.status, 204);
  await assert.rejects(c.uploadPart('gone', aborted.uploadId, 1, Buffer.alloc(10)), { name: 'NoSuchUploadError', status: 404 });
});

test('multipartUpload reports progress with checkpoints and checks the whole-object CRC', async () => {
  const c = await clientWithBucket(server.url, 'mpu-progress');
  const { file, payload } = writeRandomFile('progress.bin', 1000 * KiB + 123);
  const seen = [];
  const r = await c.multipartUpload('obj', file, {
    parallel: 3,
    partSize: 100 * KiB,
    headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-data-encryption': 'SM4' },
    progress: (p, checkpoint, res) => seen.push({ p, checkpoint, res }),
  });
  assert.equal(r.res.status, 200);
  assert.equal(r.name, 'obj');
  assert.equal(r.partCount, 11);
  assert.equal(r.partsUploaded, 11);
  assert.equal(r.serverSideEncryption, 'KMS');
  assert.equal(r.serverSideDataEncryption, 'SM4');
  assert.match(r.etag, /-11"$/);
  // The CRC-64 combined from the parts is the one OSS computed over the whole object.
  assert.equal(r.crc64, r.res.headers['x-oss-hash-crc64ecma']);
  assert.deepEqual((await c.get('obj')).content, payload);

  // ali-oss: progress(fraction, checkpoint) per part, then progress(1, null, res) at the end.
  assert.equal(seen.length, 12);
  const last = seen[seen.length - 1];
  assert.deepEqual([last.p, last.checkpoint, last.res.status], [1, null, 200]);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].p >= seen[i - 1].p, 'progress never goes back');
  const cpt = seen[seen.length - 2].checkpoint;
  assert.equal(cpt.file, file);
  assert.equal(cpt.name, 'obj');
  assert.equal(cpt.fileSize, payload.length);
  assert.equal(cpt.partSize, 100 * KiB);
  assert.equal(cpt.uploadId, r.uploadId);
  assert.deepEqual(cpt.doneParts.map((p) => p.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.ok(cpt.doneParts.every((p) => /^"[0-9A-F]+"$/.test(p.etag)));

  // Below the part size it is one PutObject; a Buffer is put in one request too.
  const small = writeRandomFile('small.bin', 10 * KiB);
  const one = await c.multipartUpload('small', small.file, { partSize: 100 * KiB });
  assert.equal(one.partCount, 0);
  assert.deepEqual((await c.get('small')).content, small.payload);
  const fromBuffer = await c.multipartUpload('buffer', small.payload);
  assert.equal(fromBuffer.res.status, 200);
  assert.deepEqual((await c.get('buffer')).content, small.payload);
});

test('a cancelled multipartUpload resumes from its checkpoint without resending parts', async () => {
  const c = await clientWithBucket(server.url, 'mpu-resume');
  const { file, payload } = writeRandomFile('resume.bin', 200 * 100 * KiB);
  let saved = null;
  const first = c.multipartUpload('obj', file, {
    parallel: 1,
    partSize: 100 * KiB,
    progress: (p, checkpoint) => {
      if (checkpoint && !saved) {
        // What an application would persist: the checkpoint survives JSON.
        saved = JSON.parse(JSON.stringify(checkpoint));
        c.cancel();
      }
    },
  });
  await assert.rejects(first, (err) => err.name === 'cancel' && err.status === 0);
  assert.ok(saved && saved.doneParts.length >= 1, 'a checkpoint was recorded');
  assert.ok(saved.doneParts.length < 200, `cancelled before the end (${saved.doneParts.length} parts done)`);

  const progress = [];
  const resumed = await c.multipartUpload('obj', file, {
    parallel: 4,
    partSize: 100 * KiB,
    checkpoint: saved,
    progress: (p) => progress.push(p),
  });
  assert.equal(resumed.uploadId, saved.uploadId, 'the same upload continues');
  assert.equal(resumed.partCount, 200);
  assert.ok(resumed.partsUploaded <= 200 - saved.doneParts.length, `resent ${resumed.partsUploaded} parts`);
  assert.ok(progress[0] > 0, 'progress starts where the checkpoint left off');
  assert.deepEqual((await c.get('obj')).content, payload);

  // A checkpoint of another file (size changed) is not trusted: the upload starts over.
  fs.appendFileSync(file, 'x');
  const restarted = await c.multipartUpload('obj', file, { partSize: 100 * KiB, checkpoint: saved });
  assert.notEqual(restarted.uploadId, saved.uploadId);
  assert.equal((await c.head('obj')).res.headers['content-length'], String(payload.length + 1));

  await assert.rejects(c.multipartUpload('obj', file, { checkpoint: { uploadId: 'x' } }), /checkpoint\./);
});
