'use strict';

// Streams a 1 GiB object both ways: generated on the fly (never stored in the repo or on
// disk), uploaded through putStream, downloaded through getStream, compared by SHA-256.
// Neither direction may hold the object in memory: peak RSS growth stays far below 1 GiB.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { Readable } = require('node:stream');
const { startServer, clientWithBucket } = require('./helpers.js');

const MiB = 1 << 20;
const SIZE = 1024 * MiB;
/** RSS may grow by this much while 1 GiB flows through (queues, allocator slack). */
const RSS_BUDGET = 192 * MiB;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const CHUNK = 256 * 1024;

/** 256 KiB chunks: a random block with the chunk index stamped in, hashed as produced. */
function generated(size, hash) {
  const block = crypto.randomBytes(CHUNK);
  let sent = 0;
  let index = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= size) return this.push(null);
      const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK, size - sent)));
      chunk.writeUInt32LE(index++, 0);
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** Samples RSS every 50 ms; returns a function giving the peak growth. */
function watchRss() {
  global.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss()) - base;
  };
}

test('a 1 GiB object streams up and down without being buffered', { timeout: 600000 }, async (t) => {
  const c = await clientWithBucket(server.url, 'gib');

  const upHash = crypto.createHash('sha256');
  let growth = watchRss();
  let started = Date.now();
  const put = await c.putStream('one-gib', generated(SIZE, upHash));
  const upGrowth = growth();
  const upSecs = (Date.now() - started) / 1000;
  assert.equal(put.res.status, 200);
  const head = await c.head('one-gib');
  assert.equal(head.res.headers['content-length'], String(SIZE));

  const downHash = crypto.createHash('sha256');
  growth = watchRss();
  started = Date.now();
  const { stream, res } = await c.getStream('one-gib');
  assert.equal(res.status, 200);
  let received = 0;
  for await (const chunk of stream) {
    received += chunk.length;
    downHash.update(chunk);
  }
  const downGrowth = growth();
  const downSecs = (Date.now() - started) / 1000;

  assert.equal(received, SIZE);
  assert.equal(downHash.digest('hex'), upHash.digest('hex'));
  t.diagnostic(`up ${(SIZE / MiB / upSecs).toFixed(0)} MiB/s, RSS +${(upGrowth / MiB).toFixed(0)} MiB`);
  t.diagnostic(`down ${(SIZE / MiB / downSecs).toFixed(0)} MiB/s, RSS +${(downGrowth / MiB).toFixed(0)} MiB`);
  assert.ok(upGrowth < RSS_BUDGET, `upload grew RSS by ${(upGrowth / MiB).toFixed(0)} MiB`);
  assert.ok(downGrowth < RSS_BUDGET, `download grew RSS by ${(downGrowth / MiB).toFixed(0)} MiB`);
  await c.delete('one-gib');
});
