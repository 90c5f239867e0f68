// Types of the ESM entry point (index.mjs): the same class as the CommonJS one.
import OSS from './index.js';

export default OSS;
export { OSS };
export declare const OssError: typeof OSS.OssError;
export type OssError = OSS.OssError;
export declare const EncryptionClient: typeof OSS.EncryptionClient;
export type EncryptionClient = OSS.EncryptionClient;
