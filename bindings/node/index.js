'use strict';

// `const OSS = require('ossbridge')`: ali-oss's client on the ossbridge Rust core.
const { OSS, OssError } = require('./lib/client.js');
const { EncryptionClient } = require('./lib/encryption.js');

OSS.EncryptionClient = EncryptionClient;

module.exports = OSS;
module.exports.default = OSS;
module.exports.OSS = OSS;
module.exports.OssError = OssError;
module.exports.EncryptionClient = EncryptionClient;
