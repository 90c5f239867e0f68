// Compiled with `tsc --noEmit` against index.d.ts: the API as a TypeScript user writes it.
import OSS = require('../..');
import { createReadStream, createWriteStream } from 'node:fs';

async function guide(): Promise<void> {
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    accessKeyId: process.env.OSS_ACCESS_KEY_ID,
    accessKeySecret: process.env.OSS_ACCESS_KEY_SECRET,
    bucket: 'examplebucket',
    endpoint: 'http://127.0.0.1:9000',
    authorizationV4: true,
    timeout: '60s',
    retryMax: 2,
  });

  const rule: OSS.BucketEncryption = { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'key', KMSDataEncryption: 'SM4' };
  const put = await client.putBucketEncryption('examplebucket', rule);
  const status: number = put.status;
  const got = await client.getBucketEncryption('examplebucket');
  const algorithm: string = got.encryption.SSEAlgorithm;
  await client.deleteBucketEncryption('examplebucket');

  const headers = { 'x-oss-server-side-encryption': 'AES256' };
  const r = await client.put('exampledir/exampleobject.txt', 'examplefile.jpg', { headers });
  const sse: string | undefined = r.serverSideEncryption;
  const requestId: string = r.res.headers['x-oss-request-id'];
  const rt: number = r.res.rt;
  const urls: string[] = r.res.requestUrls;
  await client.put('buf', Buffer.from('x'), { mime: 'text/plain', meta: { a: 1 } });
  await client.putStream('stream', createReadStream('f'), { contentLength: 10 });

  const g = await client.get('buf');
  const content: Buffer | undefined = g.content;
  await client.get('buf', 'out.bin');
  await client.get('buf', createWriteStream('out2.bin'), { headers: { Range: 'bytes=0-9' } });
  const { stream } = await client.getStream('buf');
  stream.pipe(createWriteStream('out3.bin'));

  const head = await client.head('buf');
  const meta: Record<string, string> | null = head.meta;
  const keyId: string | undefined = head.serverSideEncryptionKeyId;
  await client.copy('dst', 'src', { headers });
  await client.copy('dst', '/bucket/src');
  await client.append('log', Buffer.from('a'), { position: '0' });
  await client.delete('buf');
  const multi = await client.deleteMulti(['a', 'b'], { quiet: true });
  const deletedKey: string | undefined = multi.deleted[0]?.Key;
  const list = await client.listV2({ prefix: 'a/', 'max-keys': 10, delimiter: '/' });
  const names: string[] = list.objects.map((o) => o.name);
  const v1 = await client.list({ prefix: 'a/', marker: 'a/1', 'max-keys': '10', delimiter: '/' }, { timeout: '30s' });
  const next: string | null = v1.nextMarker;
  const prefixes: string[] | null = v1.prefixes;
  const owner: { id: string; displayName: string } | null = v1.objects[0].owner;
  await client.list();
  const url: string = client.signatureUrl('buf', { expires: 60, method: 'PUT' });

  const init = await client.initMultipartUpload('mpu', { headers });
  const part = await client.uploadPart('mpu', init.uploadId, 1, 'file.bin', 0, 102400);
  await client.completeMultipartUpload('mpu', init.uploadId, [{ number: 1, etag: part.etag }]);
  await client.abortMultipartUpload('mpu', init.uploadId);

  let saved: OSS.Checkpoint | undefined;
  const mpu = await client.multipartUpload('big', 'big.bin', {
    parallel: 4,
    partSize: 1024 * 1024,
    headers,
    progress: (p: number, checkpoint: OSS.Checkpoint | null) => {
      if (checkpoint) saved = checkpoint;
    },
  });
  const etag: string | null = mpu.etag;
  if (saved) await client.multipartUpload('big', 'big.bin', { checkpoint: saved });
  client.cancel();

  const buckets = await client.listBuckets({ prefix: 'ex' });
  const first: string | undefined = buckets.buckets[0]?.name;
  const info = await client.getBucketInfo('examplebucket');
  const enc: OSS.BucketEncryption | null = info.encryption;

  const ec = new OSS.EncryptionClient(client, {
    masterKey: { publicKey: 'PEM', privateKey: 'PEM', materialDescription: { owner: 'me' } },
    mode: 'authenticated',
  });
  await ec.put('secret', Buffer.from('x'), { meta: { a: 'b' } });
  const plain: Buffer = (await ec.get('secret', { headers: { Range: 'bytes=0-9' } })).content;
  const written: number = (await ec.get('secret', 'out.bin')).size;
  await ec.multipartUpload('big', 'big.bin', { partSize: 1 << 20 });
  const plainSize: number = (await ec.head('secret')).objectSize;
  void [plain, written, plainSize];

  try {
    await client.get('missing');
  } catch (e) {
    if (e instanceof OSS.OssError) {
      const fields: [string, string, number | undefined, string | undefined, string | undefined] = [e.name, e.code, e.status, e.requestId, e.ecCode];
      void fields;
    }
  }
  void [status, algorithm, sse, requestId, rt, urls, content, meta, keyId, deletedKey, names, url, etag, first, enc];
}

void guide;
