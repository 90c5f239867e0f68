// Types of `ossbridge`: ali-oss's client API on the ossbridge Rust core.
/// <reference types="node" />

import type { Readable, Writable } from 'node:stream';

declare namespace OSS {
  interface Options {
    /** `oss-cn-hangzhou` or `cn-hangzhou`; required for V4 signing and when no endpoint is given. */
    region?: string;
    /** Falls back to OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET / OSS_SESSION_TOKEN when omitted. */
    accessKeyId?: string;
    accessKeySecret?: string;
    stsToken?: string;
    /** Default bucket of object calls. */
    bucket?: string;
    /** `http://127.0.0.1:9000`, `oss-cn-hangzhou.aliyuncs.com`, ... */
    endpoint?: string;
    /** Scheme for an endpoint without one: true = https, false = http. */
    secure?: boolean;
    /** Sign with V4 (default V1, as ali-oss). */
    authorizationV4?: boolean;
    /** Whole-request timeout: milliseconds or a duration such as '60s'. */
    timeout?: number | string;
    /** Retries after the first attempt for retryable failures (network, 5xx, throttling). */
    retryMax?: number;
    /** Use the region's internal endpoint when no endpoint is given. */
    internal?: boolean;
    /** Verify CRC-64 on uploads and downloads (default true; ali-oss has no such check). */
    crcCheck?: boolean;
  }

  /** ali-oss's `res`. */
  interface ResponseInfo {
    status: number;
    statusCode: number;
    /** Response headers, names lower-cased. */
    headers: Record<string, string>;
    /** Body bytes received (downloads). */
    size: number;
    /** Milliseconds the call took. */
    rt: number;
    requestUrls: string[];
  }

  /** The server-side encryption OSS reported (absent when the object is not encrypted). */
  interface SseFields {
    /** `AES256`, `KMS` or `SM4`. */
    serverSideEncryption?: string;
    /** `SM4` when SSE-KMS encrypts the data with SM4. */
    serverSideDataEncryption?: string;
    /** The CMK id of SSE-KMS. */
    serverSideEncryptionKeyId?: string;
  }

  interface ObjectInfo {
    contentLength: number;
    objectSize: number;
    contentType: string | null;
    lastModified: string | null;
    objectType: string | null;
    storageClass: string | null;
    nextAppendPosition: number | null;
    contentRange: string | null;
    etag: string | null;
    /** CRC-64/XZ of the whole object as a decimal string. */
    crc64: string | null;
  }

  interface WriteOptions {
    /** Raw request headers, e.g. `{'x-oss-server-side-encryption': 'KMS'}`, `Cache-Control`. */
    headers?: Record<string, string | number>;
    /** Content-Type. */
    mime?: string;
    /** User metadata, sent as `x-oss-meta-<name>`. */
    meta?: Record<string, string | number>;
  }

  interface PutStreamOptions extends WriteOptions {
    /** Bytes the stream will deliver; without it the body is sent chunked. */
    contentLength?: number;
  }

  interface AppendOptions extends WriteOptions {
    /** Where to append: 0 creates the object; then the previous `nextAppendPosition`. */
    position?: number | string;
  }

  interface GetOptions {
    /** Raw request headers, e.g. `{Range: 'bytes=0-99'}`. */
    headers?: Record<string, string | number>;
  }

  interface PutResult extends SseFields {
    name: string;
    url: string;
    res: ResponseInfo;
  }

  interface AppendResult extends PutResult {
    /** Where the next append must start (a decimal string, as ali-oss returns it). */
    nextAppendPosition: string;
  }

  interface GetResult extends SseFields {
    /** The object, when neither a file nor a Writable was given. */
    content?: Buffer;
    info: ObjectInfo;
    res: ResponseInfo;
  }

  interface GetStreamResult extends SseFields {
    /** The body; it errors with CrcMismatchError if the whole object's CRC-64 differs. */
    stream: Readable;
    info: ObjectInfo;
    res: ResponseInfo;
  }

  interface HeadResult extends SseFields {
    /** `x-oss-meta-*` without the prefix, or null. */
    meta: Record<string, string> | null;
    status: number;
    info: ObjectInfo;
    res: ResponseInfo;
  }

  interface CopyResult extends SseFields {
    data: { etag: string; lastModified: string };
    res: ResponseInfo;
  }

  interface DeleteMultiResult {
    deleted: Array<{ Key: string }>;
    res: ResponseInfo;
  }

  /** ali-oss's list query (ListObjects V1). */
  interface ListQuery {
    prefix?: string;
    /** List the keys after this one: the previous page's `nextMarker`. */
    marker?: string;
    delimiter?: string;
    'max-keys'?: number | string;
    maxKeys?: number | string;
  }

  /** Per-call options of `list` and `listV2`. */
  interface ListOptions {
    /** Whole-request timeout of this call: milliseconds or a duration such as '60s'. */
    timeout?: number | string;
  }

  interface ListResult {
    objects: ObjectMeta[];
    /** Common prefixes (with a delimiter), or null when there are none. */
    prefixes: string[] | null;
    isTruncated: boolean;
    /** Pass as `marker` for the next page; null on the last page. */
    nextMarker: string | null;
    res: ResponseInfo;
  }

  interface ListV2Query {
    prefix?: string;
    delimiter?: string;
    'start-after'?: string;
    startAfter?: string;
    'max-keys'?: number | string;
    maxKeys?: number | string;
    'continuation-token'?: string;
    continuationToken?: string;
    'fetch-owner'?: boolean;
  }

  interface ObjectMeta {
    name: string;
    url: string;
    lastModified: string;
    etag: string;
    type: string;
    size: number;
    storageClass: string;
    /** null from listV2 without 'fetch-owner', as in ali-oss. */
    owner: { id: string; displayName: string } | null;
  }

  interface ListV2Result {
    objects: ObjectMeta[];
    prefixes: string[] | null;
    isTruncated: boolean;
    keyCount: number;
    continuationToken: string | null;
    nextContinuationToken: string | null;
    res: ResponseInfo;
  }

  interface BucketMeta {
    name: string;
    region: string;
    creationDate: string;
    storageClass: string;
    StorageClass: string;
    extranetEndpoint: string;
    intranetEndpoint: string;
  }

  interface ListBucketsQuery {
    prefix?: string;
    marker?: string;
    'max-keys'?: number | string;
    maxKeys?: number | string;
  }

  interface ListBucketsResult {
    buckets: BucketMeta[];
    owner: { id: string; displayName: string };
    isTruncated: boolean;
    nextMarker: string | null;
    res: ResponseInfo;
  }

  interface PutBucketOptions {
    /** `private`, `public-read` or `public-read-write`. */
    acl?: string;
    storageClass?: string;
    StorageClass?: string;
  }

  /** A bucket's default encryption, with OSS's XML element names (as ali-oss). */
  interface BucketEncryption {
    /** `AES256`, `KMS` or `SM4`. */
    SSEAlgorithm: string;
    /** The CMK id (KMS only); omitted = the default CMK. */
    KMSMasterKeyID?: string;
    /** `SM4` to encrypt the data with SM4 under SSE-KMS (ali-oss cannot send this). */
    KMSDataEncryption?: string;
  }

  interface BucketInfoResult {
    bucket: {
      Name: string;
      Location: string;
      CreationDate: string;
      StorageClass: string;
      ExtranetEndpoint: string;
      IntranetEndpoint: string;
      AccessControlList: { Grant: string };
      Owner: { ID: string };
      ServerSideEncryptionRule: BucketEncryption | { SSEAlgorithm: 'None' };
    };
    encryption: BucketEncryption | null;
    res: ResponseInfo;
  }

  interface GetBucketEncryptionResult {
    encryption: BucketEncryption;
    status: number;
    res: ResponseInfo;
  }

  interface StatusResult {
    status: number;
    res: ResponseInfo;
  }

  interface SignatureUrlOptions {
    /** Seconds the URL stays valid (default 1800). */
    expires?: number;
    /** HTTP method (default GET). */
    method?: 'GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE';
    /** Content-Type the request will carry (signed into the URL). */
    'Content-Type'?: string;
  }

  interface InitMultipartResult extends SseFields {
    bucket: string;
    name: string;
    uploadId: string;
    res: ResponseInfo;
  }

  interface UploadPartResult {
    name: string;
    etag: string;
    size: number;
    res: ResponseInfo;
  }

  interface CompleteMultipartResult extends SseFields {
    bucket: string;
    name: string;
    etag: string;
    res: ResponseInfo;
  }

  interface DonePart {
    number: number;
    etag: string;
    size: number;
    /** CRC-64 of the part as a decimal string. */
    crc64: string;
  }

  /** What `progress` hands out and `checkpoint` takes back; safe to JSON-serialise. */
  interface Checkpoint {
    file: string;
    name: string;
    bucket: string;
    fileSize: number;
    partSize: number;
    uploadId: string;
    doneParts: DonePart[];
    fileMtimeNs: string;
    sse: string | null;
    version: number;
  }

  interface MultipartUploadOptions extends WriteOptions {
    /** Parts in flight (default 4). */
    parallel?: number;
    /** Part size in bytes (>= 100 KiB; default 8 MiB). */
    partSize?: number;
    /** Called after every part with the checkpoint, and with (1, null, res) at the end. */
    progress?: (percentage: number, checkpoint: Checkpoint | null, res?: ResponseInfo) => unknown;
    /** A checkpoint from an earlier progress call: only the missing parts are sent. */
    checkpoint?: Checkpoint;
  }

  interface MultipartUploadResult extends SseFields {
    bucket: string;
    name: string;
    etag: string | null;
    uploadId?: string | null;
    /** Parts of the object (0 when one PutObject sufficed). */
    partCount?: number;
    /** Parts sent by this call (fewer after a resume). */
    partsUploaded?: number;
    /** CRC-64 of the whole object as a decimal string. */
    crc64?: string;
    res: ResponseInfo;
  }

  /** An RSA master key for client-side encryption (PEM: SPKI/PKCS#1 public, PKCS#8/PKCS#1 private). */
  interface RsaMasterKey {
    publicKey?: string;
    /** Needed to read; a public key alone can only write. */
    privateKey?: string;
    /** Stored with every object; picks the key when reading (alibabacloud-oss-v2's mat_desc). */
    materialDescription?: Record<string, string>;
  }

  interface EncryptionClientOptions {
    /** The key new objects are encrypted with. */
    masterKey: RsaMasterKey;
    /** Further keys for reading objects written with other master keys. */
    decryptionKeys?: RsaMasterKey[];
    /** 'compatible' (AES-256-CTR, readable by the official SDKs; default) or 'authenticated'
     * (segmented AES-256-GCM with key commitment, every read verified; ossbridge only). */
    mode?: 'compatible' | 'authenticated';
    /** Return objects without encryption metadata as they are (default: refused). */
    allowUnencryptedReads?: boolean;
  }

  interface EncryptedPutOptions extends WriteOptions {
    /** For files: plaintext part size (>= 100 KiB, multiple of 16); larger files go in parts. */
    partSize?: number;
    parallel?: number;
  }

  interface EncryptedPutResult {
    name: string;
    /** Files only: plaintext and stored sizes, the upload id and part count of a multipart upload. */
    size?: number;
    storedSize?: number;
    uploadId?: string | null;
    partCount?: number;
    res: ResponseInfo;
  }

  interface DecryptedGetResult {
    content: Buffer;
    /** Plaintext size of the whole object. */
    objectSize: number;
    /** The plaintext range returned (inclusive), for ranged reads. */
    range: [number, number] | null;
    /** True when every byte was authenticated (authenticated mode). */
    authenticated: boolean;
    /** False only for a plain object read with allowUnencryptedReads. */
    encrypted: boolean;
    res: ResponseInfo;
  }

  interface DecryptedFileResult {
    size: number;
    storedSize: number;
    res: ResponseInfo;
  }

  interface EncryptedHeadResult {
    objectSize: number;
    storedSize: number;
    encrypted: boolean;
    status: number;
    res: ResponseInfo;
  }

  /**
   * Client-side encryption over an OSS client (alibabacloud-oss-v2's EncryptionClient; ali-oss
   * has none). Uses the client's current bucket. Errors: CryptoError for wrong keys and
   * tampered or unauthenticated data.
   */
  class EncryptionClient {
    constructor(client: OSS, options: EncryptionClientOptions);
    put(name: string, file: string | Buffer | Uint8Array, options?: EncryptedPutOptions): Promise<EncryptedPutResult>;
    multipartUpload(name: string, file: string | Buffer | Uint8Array, options?: EncryptedPutOptions): Promise<EncryptedPutResult>;
    /** Decrypts into memory; `options.headers.Range` (bytes=a-b, a-, -n) reads one range. */
    get(name: string, options?: GetOptions): Promise<DecryptedGetResult>;
    /** Decrypts into a file (concurrent ranged GETs; no file is left on failure). */
    get(name: string, file: string, options?: { partSize?: number; parallel?: number }): Promise<DecryptedFileResult>;
    head(name: string): Promise<EncryptedHeadResult>;
  }

  /**
   * Every error ossbridge raises. Service errors: `name` is OSS's code + 'Error'
   * (`NoSuchKeyError`) with code, status, requestId, hostId, ecCode and every <Error>
   * element in `details`. Client-side: `ArgumentError`, `CredentialsError`, `RequestError`
   * (status -1), `ResponseTimeoutError` (status -2), `CrcMismatchError`, `IoError`,
   * `ProtocolError`, `CryptoError`, `UnknownError` (no OSS code), `cancel` (status 0).
   */
  class OssError extends Error {
    name: string;
    code: string;
    /** Service, InvalidArgument, Credentials, Network, Timeout, CrcMismatch, Crypto, Io, Protocol, Cancelled. */
    kind: string;
    status?: number;
    requestId?: string;
    hostId?: string;
    ecCode?: string;
    details?: Record<string, string>;
  }
}

declare class OSS {
  constructor(options: OSS.Options);
  /** The options without secrets. */
  readonly options: {
    region?: string;
    bucket: string | null;
    endpoint?: string;
    secure?: boolean;
    authorizationV4: boolean;
    timeout?: number | string;
    retryMax?: number;
  };

  static readonly OSS: typeof OSS;
  static readonly default: typeof OSS;
  /** Version of the native addon. */
  static readonly version: string;

  useBucket(name: string): this;
  setBucket(name: string): this;
  getBucket(): string | null;
  /** Stops every multipartUpload of this client in flight (they reject with name 'cancel'). */
  cancel(): void;

  putBucket(name: string, options?: OSS.PutBucketOptions): Promise<{ bucket: string; res: OSS.ResponseInfo }>;
  deleteBucket(name: string): Promise<{ res: OSS.ResponseInfo }>;
  listBuckets(query?: OSS.ListBucketsQuery): Promise<OSS.ListBucketsResult>;
  getBucketInfo(name?: string): Promise<OSS.BucketInfoResult>;
  putBucketEncryption(name: string, options: OSS.BucketEncryption): Promise<OSS.StatusResult>;
  getBucketEncryption(name: string): Promise<OSS.GetBucketEncryptionResult>;
  deleteBucketEncryption(name: string): Promise<OSS.StatusResult>;

  put(name: string, file: string | Buffer | Uint8Array | Readable, options?: OSS.PutStreamOptions): Promise<OSS.PutResult>;
  putStream(name: string, stream: Readable, options?: OSS.PutStreamOptions): Promise<OSS.PutResult>;
  append(name: string, file: string | Buffer | Uint8Array | Readable, options?: OSS.AppendOptions): Promise<OSS.AppendResult>;
  get(name: string, file?: string | Writable | null, options?: OSS.GetOptions): Promise<OSS.GetResult>;
  get(name: string, options?: OSS.GetOptions): Promise<OSS.GetResult>;
  getStream(name: string, options?: OSS.GetOptions): Promise<OSS.GetStreamResult>;
  head(name: string, options?: OSS.GetOptions): Promise<OSS.HeadResult>;
  getObjectMeta(name: string, options?: OSS.GetOptions): Promise<OSS.HeadResult>;
  copy(name: string, sourceName: string, options?: OSS.WriteOptions): Promise<OSS.CopyResult>;
  copy(name: string, sourceName: string, bucketName?: string, options?: OSS.WriteOptions): Promise<OSS.CopyResult>;
  delete(name: string): Promise<{ res: OSS.ResponseInfo }>;
  deleteMulti(names: Array<string | { key: string }>, options?: { quiet?: boolean }): Promise<OSS.DeleteMultiResult>;
  list(query?: OSS.ListQuery | null, options?: OSS.ListOptions): Promise<OSS.ListResult>;
  listV2(query?: OSS.ListV2Query | null, options?: OSS.ListOptions): Promise<OSS.ListV2Result>;
  signatureUrl(name: string, options?: OSS.SignatureUrlOptions): string;
  asyncSignatureUrl(name: string, options?: OSS.SignatureUrlOptions): Promise<string>;

  initMultipartUpload(name: string, options?: OSS.WriteOptions): Promise<OSS.InitMultipartResult>;
  /** Bytes [start, end) of a file path or Buffer as part `partNo`. */
  uploadPart(name: string, uploadId: string, partNo: number, file: string | Buffer | Uint8Array, start?: number, end?: number): Promise<OSS.UploadPartResult>;
  completeMultipartUpload(name: string, uploadId: string, parts: Array<{ number: number; etag: string }>): Promise<OSS.CompleteMultipartResult>;
  abortMultipartUpload(name: string, uploadId: string): Promise<{ res: OSS.ResponseInfo }>;
  multipartUpload(name: string, file: string | Buffer | Uint8Array, options?: OSS.MultipartUploadOptions): Promise<OSS.MultipartUploadResult>;
}

export = OSS;
