'use strict';

// `const OSS = require('ossbridge')`: ali-oss's client on the ossbridge Rust core.
const { OSS, OssError } = require('./lib/client.js');

module.exports = OSS;
module.exports.default = OSS;
module.exports.OSS = OSS;
module.exports.OssError = OssError;
