'use strict';

// Client-side encryption, named after alibabacloud-oss-v2's EncryptionClient (ali-oss has
// none). Keys, envelopes and ciphers are the Rust core's; encryption runs off the JS thread.

const { NativeEncryptionClient } = require('../native.js');
const { argumentError, call, callSync } = require('./errors.js');

function rsaKey(key, what) {
  if (!key || typeof key !== 'object' || (!key.publicKey && !key.privateKey)) {
    throw argumentError(`${what} needs publicKey and/or privateKey (PEM text)`);
  }
  return { publicKey: key.publicKey, privateKey: key.privateKey, materialDescription: key.materialDescription };
}

function writeOptions(options) {
  const strings = (o) => (o ? Object.fromEntries(Object.entries(o).filter(([, v]) => v != null).map(([k, v]) => [k, String(v)])) : undefined);
  return { headers: strings(options.headers), mime: options.mime, meta: strings(options.meta) };
}

class EncryptionClient {
  /**
   * @param {import('./client.js').OSS} client the OSS client to send requests through
   * @param {object} options masterKey {publicKey, privateKey, materialDescription},
   *   decryptionKeys [...], mode 'compatible' | 'authenticated', allowUnencryptedReads
   */
  constructor(client, options = {}) {
    if (!client || !client._native) throw argumentError('new EncryptionClient(client, options) needs an OSS client');
    const native = callSync(
      () =>
        new NativeEncryptionClient(client._native, {
          masterKey: rsaKey(options.masterKey, 'options.masterKey'),
          decryptionKeys: (options.decryptionKeys || []).map((k, i) => rsaKey(k, `options.decryptionKeys[${i}]`)),
          mode: options.mode,
          allowUnencryptedReads: options.allowUnencryptedReads,
        })
    );
    Object.defineProperty(this, '_native', { value: native });
    Object.defineProperty(this, '_client', { value: client });
  }

  get _bucket() {
    return this._client.getBucket();
  }

  /** Encrypts and uploads a Buffer or a file path. */
  put(name, file, options = {}) {
    const buffer = Buffer.isBuffer(file) || file instanceof Uint8Array ? Buffer.from(file.buffer, file.byteOffset, file.byteLength) : undefined;
    const path = typeof file === 'string' ? file : undefined;
    if (!buffer && !path) return Promise.reject(new TypeError('Must provide String/Buffer for put.'));
    return call(() => this._native.put(this._bucket, name, { buffer, path }, writeOptions(options), { partSize: options.partSize, parallel: options.parallel }));
  }

  /** Encrypts a file and uploads it in parts (options.partSize, parallel). */
  multipartUpload(name, file, options = {}) {
    if (typeof file !== 'string') return this.put(name, file, options);
    return call(() => this._native.put(this._bucket, name, { path: file }, writeOptions(options), { partSize: options.partSize || 8 << 20, parallel: options.parallel }));
  }

  /** Decrypts into memory (`content`) or into a file; options.headers.Range reads one range. */
  async get(name, file, options = {}) {
    if (file !== null && typeof file === 'object') {
      options = file;
      file = undefined;
    }
    if (typeof file === 'string') {
      return call(() => this._native.getToFile(this._bucket, name, file, { partSize: options.partSize, parallel: options.parallel }));
    }
    const headers = options.headers || {};
    const rangeName = Object.keys(headers).find((k) => k.toLowerCase() === 'range');
    const r = await call(() => this._native.get(this._bucket, name, rangeName ? String(headers[rangeName]) : undefined));
    return { content: r.content, ...r.result };
  }

  /** HeadObject with the plaintext size. */
  head(name) {
    return call(() => this._native.head(this._bucket, name));
  }
}

module.exports = { EncryptionClient };
