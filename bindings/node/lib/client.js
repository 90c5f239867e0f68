'use strict';

// ali-oss's API over the native client: argument order and defaults, Node streams, and
// result/error shapes. No protocol logic here: headers, signing, XML, retries, CRC and
// crypto all live in the Rust core.

const { Readable, Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { NativeClient, version } = require('../native.js');
const { OssError, fromNative, argumentError, call, callSync } = require('./errors.js');

/** ali-oss accepts `timeout` as milliseconds or as a string such as '60s' / '500ms' / '2m'. */
function timeoutMs(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(value));
  if (!m) throw argumentError(`timeout ${JSON.stringify(value)} is not a number of milliseconds or a duration like "60s"`);
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] || 'ms'];
  return Number(m[1]) * unit;
}

/** `{name: value}` with every value as a string (napi wants strings); null/undefined dropped. */
function stringMap(obj, what) {
  if (obj === undefined || obj === null) return undefined;
  if (typeof obj !== 'object') throw argumentError(`${what} must be an object of name: value pairs`);
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    out[k] = String(v);
  }
  return out;
}

function writeOptions(options = {}) {
  return {
    headers: stringMap(options.headers, 'options.headers'),
    mime: options.mime,
    meta: stringMap(options.meta, 'options.meta'),
  };
}

function isReadable(x) {
  return x !== null && typeof x === 'object' && typeof x.pipe === 'function' && typeof x.on === 'function' && x.readable !== false;
}

function isWritable(x) {
  return x !== null && typeof x === 'object' && typeof x.write === 'function' && typeof x.end === 'function';
}

function bytes(x) {
  if (Buffer.isBuffer(x)) return x;
  if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return undefined;
}

/** A `Source` for the addon: a file path or a Buffer. */
function source(file, start, end) {
  if (typeof file === 'string') return { path: file, start, end };
  const buffer = bytes(file);
  if (buffer) {
    // A range of a Buffer is just a view of it.
    if (start !== undefined || end !== undefined) return { buffer: buffer.subarray(start || 0, end === undefined ? buffer.length : end) };
    return { buffer };
  }
  return undefined;
}

/** `/bucket/key` or `key` (+ optional bucket) -> [bucket, key], as ali-oss's copy accepts. */
function sourceName(name, bucketName) {
  if (typeof name !== 'string' || name === '') throw argumentError('copy needs a source object name');
  if (name.startsWith('/')) {
    const rest = name.slice(1);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw argumentError(`copy source ${JSON.stringify(name)} must be "/bucket/key"`);
    return [rest.slice(0, slash), decodeURIComponent(rest.slice(slash + 1))];
  }
  return [bucketName || null, name];
}

/** A listing query object; with `known`, a name outside it is an error (not silently dropped). */
function listQuery(query, what, known) {
  if (query === undefined || query === null) return {};
  if (typeof query !== 'object') throw argumentError(`${what}: query must be an object`);
  if (known) {
    const unknown = Object.keys(query).filter((k) => query[k] !== undefined && !known.includes(k));
    if (unknown.length) throw argumentError(`${what}: unsupported query ${unknown.map((k) => JSON.stringify(k)).join(', ')} (supported: ${known.join(', ')})`);
  }
  return query;
}

/** ali-oss sends 'max-keys' as given: a number or a numeric string. */
function maxKeys(value) {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
    throw argumentError(`max-keys must be a whole number (OSS: 1-1000), got ${JSON.stringify(value)}`);
  }
  return n;
}

/** ali-oss's per-call options of the listing calls: `timeout` (ms or '60s'); headers are not sent. */
function callOptions(options, what) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw argumentError(`${what}: options must be an object`);
  if (options.headers && Object.keys(options.headers).length) {
    throw argumentError(`${what}: options.headers is not supported (a listing sends no extra headers)`);
  }
  return { timeoutMs: timeoutMs(options.timeout) };
}

function getOptions(options = {}) {
  return { headers: stringMap(options.headers, 'options.headers') };
}

/** Wraps the addon's DownloadStream as a Node Readable; each read() hands over up to 1 MiB. */
class ObjectReadable extends Readable {
  constructor(download) {
    super();
    this._download = download;
    this._pending = false;
  }

  _read() {
    if (this._pending) return;
    this._pending = true;
    this._download.read().then(
      (chunk) => {
        this._pending = false;
        this.push(chunk); // null ends the stream
      },
      (err) => {
        this._pending = false;
        this.destroy(fromNative(err));
      }
    );
  }

  _destroy(err, cb) {
    this._download.destroy();
    cb(err);
  }
}

/** Feeds a Readable into the addon's UploadSink; resolves with the upload's result. */
async function pumpInto(sink, stream) {
  let sinkFailed = false;
  try {
    for await (let chunk of stream) {
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      else chunk = bytes(chunk);
      if (!chunk) throw argumentError('putStream: the stream must yield Buffers, Uint8Arrays or strings');
      if (chunk.length === 0) continue;
      if (!sink.tryWrite(chunk)) {
        try {
          await sink.write(chunk);
        } catch (err) {
          sinkFailed = true;
          throw err;
        }
      }
    }
  } catch (err) {
    if (sinkFailed) throw fromNative(err);
    // The source failed: abandon the request and report the source's error.
    sink.abort(String((err && err.message) || err));
    await sink.finish().catch(() => {});
    throw err;
  }
  return call(() => sink.finish());
}

class OSS {
  /**
   * @param {object} options region, accessKeyId, accessKeySecret, stsToken, bucket, endpoint,
   *   secure, authorizationV4, timeout, retryMax (and internal, crcCheck).
   */
  constructor(options) {
    if (!(this instanceof OSS)) return new OSS(options);
    if (!options || typeof options !== 'object') throw argumentError('new OSS(options) needs an options object');
    const native = callSync(
      () =>
        new NativeClient({
          region: options.region,
          accessKeyId: options.accessKeyId,
          accessKeySecret: options.accessKeySecret,
          stsToken: options.stsToken,
          bucket: options.bucket,
          endpoint: options.endpoint,
          secure: options.secure,
          authorizationV4: options.authorizationV4,
          timeoutMs: timeoutMs(options.timeout),
          retryMax: options.retryMax,
          internal: options.internal,
          crcCheck: options.crcCheck,
        })
    );
    // Non-enumerable, and no secret is kept on the JS side: console.log(client) shows none.
    Object.defineProperty(this, '_native', { value: native });
    this.options = {
      region: options.region,
      bucket: options.bucket || null,
      endpoint: options.endpoint,
      secure: options.secure,
      authorizationV4: !!options.authorizationV4,
      timeout: options.timeout,
      retryMax: options.retryMax,
    };
  }

  useBucket(name) {
    this._native.useBucket(name);
    this.options.bucket = name;
    return this;
  }

  setBucket(name) {
    return this.useBucket(name);
  }

  getBucket() {
    return this.options.bucket;
  }

  /** Stops every multipartUpload of this client in flight (they reject with name 'cancel'). */
  cancel() {
    this._native.cancel();
  }

  // ---- buckets ----

  putBucket(name, options = {}) {
    return call(() => this._native.putBucket(name, options.acl, options.storageClass || options.StorageClass));
  }

  deleteBucket(name) {
    return call(() => this._native.deleteBucket(name));
  }

  listBuckets(query = {}) {
    const max = query['max-keys'] ?? query.maxKeys;
    return call(() => this._native.listBuckets(query.prefix, query.marker, max === undefined ? undefined : Number(max)));
  }

  getBucketInfo(name) {
    return call(() => this._native.getBucketInfo(name));
  }

  putBucketEncryption(name, options = {}) {
    return call(() =>
      this._native.putBucketEncryption(name, options.SSEAlgorithm, options.KMSMasterKeyID, options.KMSDataEncryption)
    );
  }

  getBucketEncryption(name) {
    return call(() => this._native.getBucketEncryption(name));
  }

  deleteBucketEncryption(name) {
    return call(() => this._native.deleteBucketEncryption(name));
  }

  // ---- objects ----

  /** Uploads a file path, a Buffer or a Readable. */
  async put(name, file, options = {}) {
    if (isReadable(file)) return this.putStream(name, file, options);
    const src = source(file);
    if (!src) throw new TypeError('Must provide String/Buffer/ReadableStream for put.');
    return call(() => this._native.put(null, name, src, writeOptions(options)));
  }

  /** Uploads a Readable as it flows (chunked unless options.contentLength is given). */
  async putStream(name, stream, options = {}) {
    if (!isReadable(stream)) throw argumentError('putStream needs a Readable stream');
    const sink = callSync(() => this._native.putStream(null, name, options.contentLength, writeOptions(options)));
    return pumpInto(sink, stream);
  }

  async append(name, file, options = {}) {
    const position = Number(options.position === undefined ? 0 : options.position);
    let src = source(file);
    if (!src && isReadable(file)) {
      // AppendObject needs the bytes up front to be retryable; appends are small by nature.
      const parts = [];
      for await (const c of file) parts.push(typeof c === 'string' ? Buffer.from(c) : bytes(c));
      src = { buffer: Buffer.concat(parts) };
    }
    if (!src) throw new TypeError('Must provide String/Buffer/ReadableStream for append.');
    return call(() => this._native.append(null, name, src, position, writeOptions(options)));
  }

  /**
   * Downloads into memory (`content`), into a file path, or into a Writable.
   * ali-oss signature: get(name, file?, options?).
   */
  async get(name, file, options = {}) {
    if (file !== null && typeof file === 'object' && !isWritable(file)) {
      options = file;
      file = undefined;
    }
    if (isWritable(file)) {
      const { stream, ...result } = await this.getStream(name, options);
      await pipeline(stream, file);
      return result;
    }
    const r = await call(() => this._native.get(null, name, typeof file === 'string' ? file : null, getOptions(options)));
    const out = r.result;
    if (r.content) out.content = r.content;
    return out;
  }

  /** A Readable of the object, verified against its CRC-64 at the end. */
  async getStream(name, options = {}) {
    const download = await call(() => this._native.getStream(null, name, getOptions(options)));
    const result = download.result;
    return { stream: new ObjectReadable(download), ...result };
  }

  /** HeadObject; options.headers for conditions (If-Modified-Since, If-Match...). */
  head(name, options = {}) {
    return call(() => this._native.head(null, name, stringMap(options.headers, 'options.headers')));
  }

  /** ali-oss's getObjectMeta (GetObjectMeta there); a HEAD here, with the same fields. */
  getObjectMeta(name, options = {}) {
    return this.head(name, options);
  }

  /** copy(name, sourceName, [bucketName], [options]); sourceName may be "/bucket/key". */
  copy(name, sourceNameArg, bucketName, options) {
    if (typeof bucketName === 'object' && bucketName !== null) {
      options = bucketName;
      bucketName = undefined;
    }
    const [srcBucket, srcKey] = sourceName(sourceNameArg, bucketName);
    return call(() => this._native.copy(null, name, srcBucket, srcKey, writeOptions(options || {})));
  }

  delete(name) {
    return call(() => this._native.delete(null, name));
  }

  async deleteMulti(names, options = {}) {
    if (!Array.isArray(names) || names.length === 0) throw argumentError('names is required');
    const keys = names.map((n) => (typeof n === 'string' ? n : n && n.key));
    return call(() => this._native.deleteMulti(null, keys, !!options.quiet));
  }

  /**
   * ListObjects (V1): query.prefix, marker, delimiter, 'max-keys'; options.timeout.
   * Continue with `marker: result.nextMarker` while `isTruncated`.
   */
  list(query, options) {
    return call(() => {
      const q = listQuery(query, 'list', ['prefix', 'delimiter', 'marker', 'max-keys', 'maxKeys']);
      return this._native.list(
        null,
        { prefix: q.prefix, delimiter: q.delimiter, marker: q.marker, maxKeys: maxKeys(q['max-keys'] ?? q.maxKeys) },
        callOptions(options, 'list')
      );
    });
  }

  listV2(query, options) {
    return call(() => {
      const q = listQuery(query, 'listV2');
      return this._native.listV2(
        null,
        {
          prefix: q.prefix,
          delimiter: q.delimiter,
          startAfter: q['start-after'] ?? q.startAfter,
          maxKeys: maxKeys(q['max-keys'] ?? q.maxKeys),
          continuationToken: q['continuation-token'] ?? q.continuationToken,
          fetchOwner: q['fetch-owner'] === undefined ? undefined : !!q['fetch-owner'],
        },
        callOptions(options, 'listV2')
      );
    });
  }

  /** A presigned URL (synchronous, as in ali-oss). options: expires (s, default 1800), method. */
  signatureUrl(name, options = {}) {
    const headers = options['Content-Type'] ? { 'Content-Type': options['Content-Type'] } : undefined;
    return callSync(() => this._native.signatureUrlSync(null, name, options.method, options.expires, headers));
  }

  asyncSignatureUrl(name, options = {}) {
    const headers = options['Content-Type'] ? { 'Content-Type': options['Content-Type'] } : undefined;
    return call(() => this._native.signatureUrl(null, name, options.method, options.expires, headers));
  }

  // ---- multipart ----

  initMultipartUpload(name, options = {}) {
    return call(() => this._native.initMultipartUpload(null, name, writeOptions(options)));
  }

  /** uploadPart(name, uploadId, partNo, file, start, end): bytes [start, end) of a file or Buffer. */
  uploadPart(name, uploadId, partNo, file, start, end) {
    const src = source(file, start, end);
    if (!src) throw new TypeError('Must provide a file path or Buffer for uploadPart.');
    return call(() => this._native.uploadPart(null, name, uploadId, partNo, src));
  }

  completeMultipartUpload(name, uploadId, parts) {
    if (!Array.isArray(parts)) throw argumentError('parts must be an array of {number, etag}');
    const refs = parts.map((p) => ({ number: p.number, etag: p.etag }));
    return call(() => this._native.completeMultipartUpload(null, name, uploadId, refs));
  }

  abortMultipartUpload(name, uploadId) {
    return call(() => this._native.abortMultipartUpload(null, name, uploadId));
  }

  /**
   * Resumable concurrent upload of a file: options.parallel, partSize, progress(p, checkpoint, res),
   * headers, mime, meta, checkpoint (from an earlier progress call, to resume).
   */
  async multipartUpload(name, file, options = {}) {
    const progress = typeof options.progress === 'function' ? options.progress : undefined;
    if (typeof file !== 'string') {
      if (!bytes(file)) throw new TypeError('multipartUpload needs a file path or a Buffer');
      // A Buffer is already in memory: one PutObject (retried by the core) sends it.
      const r = await this.put(name, file, options);
      if (progress) await progress(1, null, r.res);
      return { res: r.res, bucket: this.options.bucket, name, etag: r.res.headers.etag };
    }
    const onCheckpoint = progress
      ? (checkpoint) => {
          const done = checkpoint.doneParts.reduce((sum, p) => sum + p.size, 0);
          Promise.resolve()
            .then(() => progress(checkpoint.fileSize ? done / checkpoint.fileSize : 1, checkpoint))
            .catch(() => {});
        }
      : undefined;
    const native = {
      parallel: options.parallel,
      partSize: options.partSize,
      checkpoint: options.checkpoint,
      ...writeOptions(options),
    };
    const r = await call(() => this._native.multipartUpload(null, name, file, native, onCheckpoint));
    if (progress) await progress(1, null, r.res);
    return r;
  }
}

OSS.OssError = OssError;
OSS.version = version();

module.exports = { OSS, OssError };
