'use strict';

// ali-oss's `list` (ListObjects V1, marker-based) against `ossbridge serve`: pages, delimiter,
// marker, empty bucket, errors, per-call timeout, and the same listings through ali-oss itself,
// field by field.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { startServer, client, clientWithBucket, bucketName, ACCESS_KEY_ID, ACCESS_KEY_SECRET } = require('./helpers.js');

const AliOSS = require(path.join(__dirname, '../node_modules/ali-oss'));

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

/** Keys in OSS's (byte-wise) listing order, with characters a URL must escape. */
const KEYS = ['a b', 'a+b', 'dir/1', 'dir/2', 'dir/sub/3', 'k01', 'k02', 'k03', 'k04', 'z/é', 'zz'].sort((x, y) =>
  Buffer.compare(Buffer.from(x), Buffer.from(y))
);

async function bucketWith(prefix, keys) {
  const c = await clientWithBucket(server.url, prefix);
  for (const k of keys) await c.put(k, Buffer.from(`body of ${k}`));
  return c;
}

/** Follows nextMarker to the end; returns the pages. */
async function allPages(c, query) {
  const pages = [];
  let marker;
  for (;;) {
    const page = await c.list({ ...query, marker });
    pages.push(page);
    if (!page.isTruncated) return pages;
    assert.equal(typeof page.nextMarker, 'string', 'a truncated page names where to continue');
    marker = page.nextMarker;
  }
}

test('list pages through every key once, in order', async () => {
  const c = await bucketWith('list-pages', KEYS);
  const pages = await allPages(c, { 'max-keys': 3 });
  assert.equal(pages.length, Math.ceil(KEYS.length / 3));
  assert.deepEqual(pages.flatMap((p) => p.objects.map((o) => o.name)), KEYS);
  for (const [i, page] of pages.entries()) {
    const last = i === pages.length - 1;
    assert.equal(page.isTruncated, !last);
    assert.equal(page.nextMarker, last ? null : page.objects[page.objects.length - 1].name);
    assert.equal(page.prefixes, null);
    assert.equal(page.res.status, 200);
  }
  const first = pages[0].objects[0];
  assert.equal(first.name, KEYS[0]);
  assert.equal(first.size, Buffer.byteLength(`body of ${KEYS[0]}`));
  assert.equal(first.etag, (await c.head(KEYS[0])).res.headers.etag);
  assert.equal(first.type, 'Normal');
  assert.equal(first.storageClass, 'Standard');
  assert.match(first.lastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal(typeof first.owner.id, 'string');
  assert.ok(first.owner.id);
  assert.equal(typeof first.owner.displayName, 'string');
  assert.equal(first.url, `${server.url}/${c.options.bucket}/a%20b`);

  // 'max-keys' as a string, as ali-oss passes it through; the default page holds everything.
  const strPage = await c.list({ 'max-keys': '4' });
  assert.deepEqual(strPage.objects.map((o) => o.name), KEYS.slice(0, 4));
  const whole = await c.list();
  assert.deepEqual(whole.objects.map((o) => o.name), KEYS);
  assert.equal(whole.isTruncated, false);
  assert.equal(whole.nextMarker, null);
});

test('a delimiter page that ends on a common prefix continues after it', async () => {
  const c = await bucketWith('list-delim', KEYS);
  // Top level: 'a b', 'a+b', 'dir/', 'k01'..'k04', 'z/', 'zz'.
  const first = await c.list({ delimiter: '/', 'max-keys': 3 });
  assert.deepEqual(first.objects.map((o) => o.name), ['a b', 'a+b']);
  assert.deepEqual(first.prefixes, ['dir/']);
  assert.equal(first.isTruncated, true);
  assert.equal(first.nextMarker, 'dir/');

  const second = await c.list({ delimiter: '/', 'max-keys': 3, marker: first.nextMarker });
  assert.deepEqual(second.objects.map((o) => o.name), ['k01', 'k02', 'k03']);
  assert.equal(second.prefixes, null);

  const pages = await allPages(c, { delimiter: '/', 'max-keys': 3 });
  assert.deepEqual(pages.flatMap((p) => p.objects.map((o) => o.name)), ['a b', 'a+b', 'k01', 'k02', 'k03', 'k04', 'zz']);
  assert.deepEqual(pages.flatMap((p) => p.prefixes || []), ['dir/', 'z/']);

  const inside = await c.list({ prefix: 'dir/', delimiter: '/' });
  assert.deepEqual(inside.objects.map((o) => o.name), ['dir/1', 'dir/2']);
  assert.deepEqual(inside.prefixes, ['dir/sub/']);
});

test('list starts after marker, and lists an empty bucket', async () => {
  const c = await bucketWith('list-marker', KEYS);
  assert.deepEqual((await c.list({ marker: 'k02' })).objects.map((o) => o.name), KEYS.filter((k) => k > 'k02'));
  // A marker that is no key: the listing starts at the next key after it.
  assert.deepEqual((await c.list({ marker: 'k', 'max-keys': 2 })).objects.map((o) => o.name), ['k01', 'k02']);
  assert.deepEqual((await c.list({ prefix: 'dir/', marker: 'dir/1' })).objects.map((o) => o.name), ['dir/2', 'dir/sub/3']);
  const past = await c.list({ marker: 'zzz' });
  assert.deepEqual(past.objects, []);
  assert.equal(past.isTruncated, false);

  const empty = await clientWithBucket(server.url, 'list-empty');
  const r = await empty.list({ delimiter: '/' });
  assert.deepEqual(r.objects, []);
  assert.equal(r.prefixes, null);
  assert.equal(r.isTruncated, false);
  assert.equal(r.nextMarker, null);
  assert.equal(r.res.status, 200);
});

test('list errors: bad or missing bucket, bad query and options', async () => {
  const bad = client(server.url, { bucket: 'Bad_Bucket' });
  await assert.rejects(bad.list(), (err) => {
    assert.equal(err.name, 'ArgumentError');
    assert.match(err.message, /invalid bucket name "Bad_Bucket"/);
    return true;
  });
  const missing = client(server.url, { bucket: bucketName('list-missing') });
  await assert.rejects(missing.list(), { name: 'NoSuchBucketError', code: 'NoSuchBucket', status: 404 });
  await assert.rejects(client(server.url).list(), /no bucket/);

  const c = await clientWithBucket(server.url, 'list-args');
  await assert.rejects(c.list({ 'max-keys': 'ten' }), { name: 'ArgumentError', message: /max-keys must be a whole number.*"ten"/ });
  await assert.rejects(c.list({ 'max-keys': 2.5 }), { name: 'ArgumentError' });
  await assert.rejects(c.list({ 'start-after': 'a' }), { name: 'ArgumentError', message: /unsupported query "start-after"/ });
  await assert.rejects(c.list('prefix'), { name: 'ArgumentError', message: /query must be an object/ });
  await assert.rejects(c.list({}, { timeout: 'soon' }), { name: 'ArgumentError', message: /timeout/ });
  await assert.rejects(c.list({}, { timeout: 0 }), { name: 'ArgumentError', message: /options.timeout must be a positive/ });
  await assert.rejects(c.list({}, { headers: { 'x-oss-foo': '1' } }), { name: 'ArgumentError', message: /options.headers/ });
  // The server's own range check of max-keys comes back as OSS's error.
  await assert.rejects(c.list({ 'max-keys': 5000 }), { name: 'InvalidArgumentError', status: 400 });
  // A per-call timeout is accepted (ms or a duration) and the call still succeeds.
  assert.equal((await c.list({}, { timeout: '30s' })).res.status, 200);
  assert.equal((await c.listV2({}, { timeout: 30000 })).res.status, 200);
});

test('listV2 objects carry owner only with fetch-owner, as in ali-oss', async () => {
  const c = await bucketWith('list-owner', ['k']);
  const v1Owner = (await c.list()).objects[0].owner;
  assert.equal((await c.listV2()).objects[0].owner, null);
  assert.deepEqual((await c.listV2({ 'fetch-owner': true })).objects[0].owner, v1Owner);
});

test('list gives what ali-oss list gives, field by field', async () => {
  const c = await bucketWith('list-ali', KEYS);
  const ali = new AliOSS({
    endpoint: server.url,
    region: 'oss-cn-hangzhou',
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    bucket: c.options.bucket,
    secure: false,
  });
  const bucket = c.options.bucket;
  const queries = [
    undefined,
    { 'max-keys': 3 },
    { 'max-keys': '2', marker: 'a+b' },
    { delimiter: '/', 'max-keys': 3 },
    { delimiter: '/', 'max-keys': 3, marker: 'dir/' },
    { prefix: 'dir/', delimiter: '/' },
    { prefix: 'nothing-here/' },
    { marker: 'zzz' },
  ];
  for (const query of queries) {
    const label = JSON.stringify(query);
    const ours = await c.list(query && { ...query });
    const theirs = await ali.list(query && { ...query });
    assert.equal(ours.res.status, theirs.res.status, label);
    assert.equal(ours.isTruncated, theirs.isTruncated, label);
    assert.equal(ours.nextMarker, theirs.nextMarker, label);
    assert.deepEqual(ours.prefixes, theirs.prefixes, label);
    assert.equal(ours.objects.length, theirs.objects.length, label);
    for (const [i, o] of ours.objects.entries()) {
      const t = theirs.objects[i];
      for (const field of ['name', 'lastModified', 'etag', 'type', 'size', 'storageClass', 'owner']) {
        assert.deepEqual(o[field], t[field], `${label} objects[${i}].${field}`);
      }
      // Same escaping; for an IP endpoint ali-oss's url leaves the bucket out of the path,
      // the core's is the path-style URL the object is actually at.
      assert.equal(o.url, t.url.replace(`${server.url}/`, `${server.url}/${bucket}/`), `${label} objects[${i}].url`);
    }
  }
});

test('options.timeout bounds one list call', async () => {
  const sockets = [];
  const silent = net.createServer((sock) => sockets.push(sock));
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  try {
    // The client keeps its default (long) timeout; the call's own is 300 ms.
    const c = client(`http://127.0.0.1:${silent.address().port}`, { bucket: 'silent-bucket', retryMax: 0 });
    const started = Date.now();
    await assert.rejects(c.list({ prefix: 'a' }, { timeout: 300 }), { name: 'ResponseTimeoutError', status: -2, message: /300ms/ });
    await assert.rejects(c.listV2({}, { timeout: '0.3s' }), { name: 'ResponseTimeoutError', status: -2 });
    assert.ok(Date.now() - started < 10000, 'both calls gave up after their own timeout');
  } finally {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));
  }
});
