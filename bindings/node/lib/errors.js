'use strict';

// Errors shaped as ali-oss shapes them. The addon rejects with a message carrying the
// fields as JSON behind a marker (src/error.rs); this file turns it back into an OssError.

const MARKER = '__ossbridge_error__';

/**
 * Every error ossbridge raises. `name` is OSS's code plus "Error" for service errors
 * (`NoSuchKeyError`), or a client-side name (`RequestError`, `ResponseTimeoutError`,
 * `CrcMismatchError`, `ArgumentError`, `CredentialsError`, `IoError`, `ProtocolError`,
 * `CryptoError`, `cancel`).
 */
class OssError extends Error {
  constructor(fields) {
    super(fields.message || fields.name);
    this.name = fields.name;
    this.code = fields.code;
    // The core's error kind: Service, Network, Timeout, CrcMismatch, InvalidArgument, ...
    this.kind = fields.kind;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.requestId !== undefined) this.requestId = fields.requestId;
    if (fields.hostId !== undefined) this.hostId = fields.hostId;
    if (fields.ecCode !== undefined) this.ecCode = fields.ecCode;
    // Every element of OSS's <Error> body (StringToSign, Bucket, ...).
    if (fields.details !== undefined) this.details = fields.details;
  }
}

/** The JS error for a rejection of the addon; other errors pass through unchanged. */
function fromNative(err) {
  if (!err || typeof err.message !== 'string') return err;
  if (err.message.startsWith(MARKER)) {
    try {
      return new OssError(JSON.parse(err.message.slice(MARKER.length)));
    } catch {
      return err;
    }
  }
  // napi's own argument conversion failures ("Failed to convert ... into rust type").
  if (err.code === 'InvalidArg' || err.code === 'NumberExpected' || err.code === 'StringExpected' || err.code === 'ObjectExpected') {
    return new OssError({ name: 'ArgumentError', code: 'ArgumentError', kind: 'InvalidArgument', message: err.message });
  }
  return err;
}

/** An argument error raised by the wrapper itself, shaped like the core's. */
function argumentError(message) {
  return new OssError({ name: 'ArgumentError', code: 'ArgumentError', kind: 'InvalidArgument', message });
}

/** Runs `fn`, rethrowing addon errors as OssError (sync and async alike). */
async function call(fn) {
  try {
    return await fn();
  } catch (err) {
    throw fromNative(err);
  }
}

function callSync(fn) {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err);
  }
}

module.exports = { OssError, fromNative, argumentError, call, callSync, MARKER };
