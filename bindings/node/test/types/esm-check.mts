// The ESM entry point's types: default import and the named OssError.
import OSS, { OssError, EncryptionClient } from 'ossbridge';

const client = new OSS({ region: 'cn-hangzhou', endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', accessKeySecret: 'b' });
export function describe(err: unknown): string {
  return err instanceof OssError ? `${err.name} ${err.code} ${err.status}` : String(err);
}
void client.put('k', Buffer.from('x'));

export const ec: EncryptionClient = new EncryptionClient(client, { masterKey: { publicKey: 'PEM' } });
