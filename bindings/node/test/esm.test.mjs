// The ESM entry point: `import OSS from 'ossbridge'` is the CommonJS class itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import OSS, { OssError, EncryptionClient, OSS as Named } from 'ossbridge';

const require = createRequire(import.meta.url);

test('ESM and CommonJS entry points export the same client and error', () => {
  const cjs = require('ossbridge');
  assert.equal(OSS, cjs);
  assert.equal(Named, cjs);
  assert.equal(OssError, cjs.OssError);
  assert.equal(EncryptionClient, cjs.EncryptionClient);
  assert.equal(typeof OSS.version, 'string');
  const c = new OSS({ endpoint: 'http://127.0.0.1:1', accessKeyId: 'a', accessKeySecret: 'b', bucket: 'esm-bucket' });
  assert.equal(c.getBucket(), 'esm-bucket');
  assert.equal(typeof c.put, 'function');
});
