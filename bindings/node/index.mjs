// `import OSS from 'ossbridge'`: the same class as the CommonJS entry point.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OSS = require('./index.js');

export default OSS;
export const OssError = OSS.OssError;
export const EncryptionClient = OSS.EncryptionClient;
export { OSS };
