/**
 * @file ossbridge.hpp
 * @brief Header-only C++17 wrapper over ossbridge.h in the shape of the official Alibaba Cloud
 * OSS C++ SDK (aliyun-oss-cpp-sdk): OssClient, ClientConfiguration, credentials providers,
 * request classes, ObjectMetaData and outcomes with isSuccess() / result() / error().
 *
 * Porting code written for the official SDK: replace
 *   #include <alibabacloud/oss/OssClient.h>      using namespace AlibabaCloud::OSS;
 * with
 *   #include <ossbridge.hpp>                      using namespace ossbridge;
 *
 * Differences worth knowing:
 * - Signing defaults to V1 as in the official C++ SDK; set conf.signatureVersion =
 *   SignatureVersionType::V4 and call client.SetRegion("cn-hangzhou") for V4.
 * - SSEAlgorithm also has SM4, and SetBucketEncryptionRequest::setKMSDataEncryption("SM4") and
 *   the typed SSE accessors on results are ossbridge additions (the official C++ SDK has neither).
 * - OssError additionally carries Status() (HTTP status), Ec() and ClientStatus().
 * - Listing keys always come back decoded (setEncodingType is accepted and ignored).
 *
 * Thread safety: an OssClient may be used from several threads at once, except SetRegion(),
 * which must happen before the client is shared. Requests, results and outcomes are values.
 */
#ifndef OSSBRIDGE_HPP
#define OSSBRIDGE_HPP

#include <ossbridge.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ossbridge {

/** No-op: ossbridge needs no global set-up (kept so code written for the official SDK compiles). */
inline void InitializeSdk() {}
/** No-op counterpart of InitializeSdk(). */
inline void ShutdownSdk() {}
/** Always true: there is no global state to initialise. */
inline bool IsSdkInitialized() { return true; }

/** Case-insensitive ordering for header and metadata maps, as HTTP header names are. */
struct CaseInsensitiveLess {
  bool operator()(const std::string &a, const std::string &b) const {
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    for (size_t i = 0; i < n; i++) {
      const int ca = lower(static_cast<unsigned char>(a[i])), cb = lower(static_cast<unsigned char>(b[i]));
      if (ca != cb) return ca < cb;
    }
    return a.size() < b.size();
  }

 private:
  static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }
};

/** Header or metadata map (case-insensitive keys). */
using MetaData = std::map<std::string, std::string, CaseInsensitiveLess>;

/** Server-side encryption algorithms. SM4 is an ossbridge addition. */
enum class SSEAlgorithm { NotSet = 0, KMS, AES256, SM4 };

inline const char *ToSSEAlgorithmName(SSEAlgorithm algorithm) {
  switch (algorithm) {
    case SSEAlgorithm::KMS: return "KMS";
    case SSEAlgorithm::AES256: return "AES256";
    case SSEAlgorithm::SM4: return "SM4";
    default: return nullptr;
  }
}

inline SSEAlgorithm ToSSEAlgorithm(const std::string &name) {
  if (name == "KMS") return SSEAlgorithm::KMS;
  if (name == "AES256") return SSEAlgorithm::AES256;
  if (name == "SM4") return SSEAlgorithm::SM4;
  return SSEAlgorithm::NotSet;
}

enum class SignatureVersionType { V1 = 1, V4 = 4 };

namespace Http {
enum Method { Get, Head, Put, Post, Delete };
}

/** Client settings (subset of the official ClientConfiguration that ossbridge honours). */
class ClientConfiguration {
 public:
  /** V1 by default, as in the official C++ SDK; V4 also needs OssClient::SetRegion(). */
  SignatureVersionType signatureVersion = SignatureVersionType::V1;
  /** Connect timeout in milliseconds. */
  long connectTimeoutMs = 5000;
  /** Whole-request timeout in milliseconds. */
  long requestTimeoutMs = 10 * 60 * 1000;
};

/** Credentials as a provider hands them out. */
class Credentials {
 public:
  Credentials(std::string accessKeyId, std::string accessKeySecret, std::string sessionToken = "")
      : id_(std::move(accessKeyId)), secret_(std::move(accessKeySecret)), token_(std::move(sessionToken)) {}
  const std::string &AccessKeyId() const { return id_; }
  const std::string &AccessKeySecret() const { return secret_; }
  const std::string &SessionToken() const { return token_; }

 private:
  std::string id_, secret_, token_;
};

/** Base class of credentials providers. A custom provider is asked once, when the client is built. */
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Credentials getCredentials() = 0;
};

/** Fixed credentials. */
class SimpleCredentialsProvider : public CredentialsProvider {
 public:
  SimpleCredentialsProvider(std::string accessKeyId, std::string accessKeySecret, std::string securityToken = "")
      : credentials_(std::move(accessKeyId), std::move(accessKeySecret), std::move(securityToken)) {}
  Credentials getCredentials() override { return credentials_; }

 private:
  Credentials credentials_;
};

/** OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and optional OSS_SESSION_TOKEN, read by the library
 * on every request (so a changed environment is picked up). */
class EnvironmentVariableCredentialsProvider : public CredentialsProvider {
 public:
  Credentials getCredentials() override {
    auto get = [](const char *name) {
      const char *value = std::getenv(name);
      return std::string(value ? value : "");
    };
    return Credentials(get("OSS_ACCESS_KEY_ID"), get("OSS_ACCESS_KEY_SECRET"), get("OSS_SESSION_TOKEN"));
  }
};

/** What went wrong. Code(), Message(), RequestId() and Host() as in the official SDK. */
class OssError {
 public:
  OssError() = default;
  OssError(std::string code, std::string message) : code_(std::move(code)), message_(std::move(message)) {}
  explicit OssError(const ossbridge_error *error) {
    if (!error) return;
    status_ = error->http_status;
    client_status_ = error->status;
    code_ = error->code;
    message_ = error->message;
    request_id_ = error->request_id;
    host_ = error->host_id;
    ec_ = error->ec;
    if (code_.empty()) {
      // Client-side failures get the status name as code (official SDK: "ClientError:...").
      code_ = std::string("ClientError:") + ossbridge_status_name(static_cast<int>(error->status));
    }
  }
  const std::string &Code() const { return code_; }
  const std::string &Message() const { return message_; }
  const std::string &RequestId() const { return request_id_; }
  /** OSS's HostId. */
  const std::string &Host() const { return host_; }
  const std::string &HostId() const { return host_; }
  /** OSS's detailed error code (EC). */
  const std::string &Ec() const { return ec_; }
  /** HTTP status, 0 when OSS never answered. */
  int Status() const { return status_; }
  /** The C API status (OSSBRIDGE_STATUS_SERVICE for OSS errors). */
  ossbridge_status ClientStatus() const { return client_status_; }

 private:
  int status_ = 0;
  ossbridge_status client_status_ = OSSBRIDGE_STATUS_OK;
  std::string code_, message_, request_id_, host_, ec_;
};

/** Either a result or an error. */
template <typename R>
class Outcome {
 public:
  Outcome() : success_(true) {}
  Outcome(R result) : success_(true), result_(std::move(result)) {}  // NOLINT: implicit like the SDK's
  Outcome(OssError error) : success_(false), error_(std::move(error)) {}  // NOLINT
  bool isSuccess() const { return success_; }
  const R &result() const { return result_; }
  R &result() { return result_; }
  const OssError &error() const { return error_; }

 private:
  bool success_;
  R result_{};
  OssError error_;
};

/** Base of the results: the request id OSS assigned. */
class OssResult {
 public:
  const std::string &RequestId() const { return request_id_; }

 protected:
  std::string request_id_;
};

class VoidResult : public OssResult {
 public:
  VoidResult() = default;
  explicit VoidResult(std::string requestId) { request_id_ = std::move(requestId); }
};

using VoidOutcome = Outcome<VoidResult>;
using StringOutcome = Outcome<std::string>;

/** Object metadata: content type and user metadata in, everything OSS said out. */
class ObjectMetaData {
 public:
  ObjectMetaData() = default;

  void setContentType(const std::string &value) { http_["Content-Type"] = value; }
  const std::string ContentType() const { return http("Content-Type"); }
  int64_t ContentLength() const { return std::strtoll(http("Content-Length").c_str(), nullptr, 10); }
  const std::string ETag() const { return http("ETag"); }
  const std::string LastModified() const { return http("Last-Modified"); }
  uint64_t CRC64() const { return std::strtoull(http("x-oss-hash-crc64ecma").c_str(), nullptr, 10); }
  const std::string ObjectType() const { return http("x-oss-object-type"); }

  /** Adds a request header, e.g. addHeader("x-oss-server-side-encryption", "KMS"). */
  void addHeader(const std::string &name, const std::string &value) { http_[name] = value; }
  void removeHeader(const std::string &name) { http_.erase(name); }
  void addUserHeader(const std::string &name, const std::string &value) { user_[name] = value; }

  /** Standard and x-oss-* headers (requests: to send; results: every response header). */
  MetaData &HttpMetaData() { return http_; }
  const MetaData &HttpMetaData() const { return http_; }
  /** User metadata without the x-oss-meta- prefix. */
  MetaData &UserMetaData() { return user_; }
  const MetaData &UserMetaData() const { return user_; }

  /** Typed SSE of an object, as OSS reported it (ossbridge addition). */
  const std::string ServerSideEncryption() const { return http("x-oss-server-side-encryption"); }
  const std::string ServerSideDataEncryption() const { return http("x-oss-server-side-data-encryption"); }
  const std::string ServerSideEncryptionKeyId() const { return http("x-oss-server-side-encryption-key-id"); }

 private:
  std::string http(const char *name) const {
    auto it = http_.find(name);
    return it == http_.end() ? std::string() : it->second;
  }
  MetaData http_, user_;
};

namespace detail {

struct ErrorHolder {
  ossbridge_error *error = nullptr;
  ~ErrorHolder() { ossbridge_error_free(error); }
};

inline std::string str(const char *s) { return s ? std::string(s) : std::string(); }
/** NULL for an empty string: the C API's "not set". */
inline const char *optional(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }

/** Request headers and user metadata as C pairs; the strings live in the ObjectMetaData. */
struct PairList {
  std::vector<ossbridge_pair> headers, metadata;
  explicit PairList(const ObjectMetaData &meta) {
    for (const auto &h : meta.HttpMetaData()) headers.push_back({h.first.c_str(), h.second.c_str()});
    for (const auto &m : meta.UserMetaData()) metadata.push_back({m.first.c_str(), m.second.c_str()});
  }
};

inline ObjectMetaData metadata_of(const ossbridge_object_result *r) {
  ObjectMetaData meta;
  for (size_t i = 0; i < r->headers_len; i++) meta.HttpMetaData()[r->headers[i].name] = r->headers[i].value;
  for (size_t i = 0; i < r->metadata_len; i++) meta.UserMetaData()[r->metadata[i].name] = r->metadata[i].value;
  return meta;
}

struct ObjectResultHolder {
  ossbridge_object_result *result = nullptr;
  ~ObjectResultHolder() { ossbridge_object_result_free(result); }
};

}  // namespace detail

/** Result of PutObject and ResumableUploadObject. */
class PutObjectResult : public OssResult {
 public:
  PutObjectResult() = default;
  explicit PutObjectResult(const ossbridge_object_result *r) {
    request_id_ = r->request_id;
    etag_ = detail::str(r->etag);
    crc64_ = r->crc64;
    sse_ = detail::str(r->server_side_encryption);
    sse_data_ = detail::str(r->server_side_data_encryption);
    sse_key_ = detail::str(r->server_side_encryption_key_id);
  }
  explicit PutObjectResult(const ossbridge_upload_result *r) {
    request_id_ = r->request_id;
    etag_ = detail::str(r->etag);
    crc64_ = r->crc64;
    sse_ = detail::str(r->server_side_encryption);
    sse_data_ = detail::str(r->server_side_data_encryption);
    sse_key_ = detail::str(r->server_side_encryption_key_id);
    upload_id_ = detail::str(r->upload_id);
  }
  const std::string &ETag() const { return etag_; }
  uint64_t CRC64() { return crc64_; }
  uint64_t CRC64() const { return crc64_; }
  /** "AES256", "KMS", "SM4" or empty (ossbridge addition). */
  const std::string &ServerSideEncryption() const { return sse_; }
  const std::string &ServerSideDataEncryption() const { return sse_data_; }
  const std::string &ServerSideEncryptionKeyId() const { return sse_key_; }
  /** Multipart upload id of ResumableUploadObject, empty for a single PutObject. */
  const std::string &UploadId() const { return upload_id_; }

 private:
  std::string etag_, sse_, sse_data_, sse_key_, upload_id_;
  uint64_t crc64_ = 0;
};
using PutObjectOutcome = Outcome<PutObjectResult>;

/** Result of GetObject: the content as a stream, and the metadata. */
class GetObjectResult : public OssResult {
 public:
  GetObjectResult() = default;
  GetObjectResult(std::string bucket, std::string key, const ossbridge_object_result *r)
      : bucket_(std::move(bucket)), key_(std::move(key)), metadata_(detail::metadata_of(r)) {
    request_id_ = r->request_id;
    auto stream = std::make_shared<std::stringstream>();
    if (r->data_len) stream->write(reinterpret_cast<const char *>(r->data), static_cast<std::streamsize>(r->data_len));
    content_ = stream;
  }
  const std::string &Bucket() const { return bucket_; }
  const std::string &Key() const { return key_; }
  const ObjectMetaData &Metadata() const { return metadata_; }
  const std::shared_ptr<std::iostream> &Content() const { return content_; }

 private:
  std::string bucket_, key_;
  ObjectMetaData metadata_;
  std::shared_ptr<std::iostream> content_;
};
using GetObjectOutcome = Outcome<GetObjectResult>;
/** HeadObject / GetObjectMeta return the metadata. */
using ObjectMetaDataOutcome = Outcome<ObjectMetaData>;

class CopyObjectResult : public OssResult {
 public:
  CopyObjectResult() = default;
  explicit CopyObjectResult(const ossbridge_object_result *r) {
    request_id_ = r->request_id;
    etag_ = detail::str(r->etag);
    last_modified_ = detail::str(r->last_modified);
    sse_ = detail::str(r->server_side_encryption);
  }
  const std::string &ETag() const { return etag_; }
  const std::string &LastModified() const { return last_modified_; }
  const std::string &ServerSideEncryption() const { return sse_; }

 private:
  std::string etag_, last_modified_, sse_;
};
using CopyObjectOutcome = Outcome<CopyObjectResult>;

class GetBucketEncryptionResult : public OssResult {
 public:
  GetBucketEncryptionResult() = default;
  explicit GetBucketEncryptionResult(const ossbridge_bucket_encryption_result *r) {
    request_id_ = r->request_id;
    algorithm_ = ossbridge::ToSSEAlgorithm(r->sse_algorithm);
    key_ = detail::str(r->kms_master_key_id);
    data_ = detail::str(r->kms_data_encryption);
  }
  ossbridge::SSEAlgorithm SSEAlgorithm() const { return algorithm_; }
  const std::string &KMSMasterKeyID() const { return key_; }
  /** "SM4" or empty (ossbridge addition). */
  const std::string &KMSDataEncryption() const { return data_; }

 private:
  ossbridge::SSEAlgorithm algorithm_ = ossbridge::SSEAlgorithm::NotSet;
  std::string key_, data_;
};
using GetBucketEncryptionOutcome = Outcome<GetBucketEncryptionResult>;
using SetBucketEncryptionOutcome = VoidOutcome;
using DeleteBucketEncryptionOutcome = VoidOutcome;
using CreateBucketOutcome = VoidOutcome;
using DeleteBucketOutcome = VoidOutcome;
using DeleteObjectOutcome = VoidOutcome;

/** Storage classes, as Bucket::StorageClass() reports them. */
enum class StorageClass { Standard = 0, IA, Archive, ColdArchive, DeepColdArchive };

inline const char *ToStorageClassName(StorageClass storageClass) {
  switch (storageClass) {
    case StorageClass::IA: return "IA";
    case StorageClass::Archive: return "Archive";
    case StorageClass::ColdArchive: return "ColdArchive";
    case StorageClass::DeepColdArchive: return "DeepColdArchive";
    default: return "Standard";
  }
}

/** Case-insensitive; unknown names are Standard, as in the official SDK. */
inline StorageClass ToStorageClassType(const std::string &name) {
  std::string lower = name;
  for (char &c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (lower == "ia") return StorageClass::IA;
  if (lower == "archive") return StorageClass::Archive;
  if (lower == "coldarchive") return StorageClass::ColdArchive;
  if (lower == "deepcoldarchive") return StorageClass::DeepColdArchive;
  return StorageClass::Standard;
}

/** One bucket of ListBuckets. */
class Bucket {
 public:
  Bucket() = default;
  explicit Bucket(const ossbridge_bucket_summary &b)
      : name_(b.name), location_(b.location), creation_date_(b.creation_date),
        extranet_(b.extranet_endpoint), intranet_(b.intranet_endpoint), region_(b.region),
        storage_class_(ToStorageClassType(b.storage_class)) {}
  const std::string &Name() const { return name_; }
  /** E.g. "oss-cn-hangzhou". */
  const std::string &Location() const { return location_; }
  /** ISO 8601, e.g. "2026-11-27T03:40:00.000Z". */
  const std::string &CreationDate() const { return creation_date_; }
  const std::string &ExtranetEndpoint() const { return extranet_; }
  const std::string &IntranetEndpoint() const { return intranet_; }
  /** E.g. "cn-hangzhou" (ossbridge addition). */
  const std::string &Region() const { return region_; }
  ossbridge::StorageClass StorageClass() const { return storage_class_; }

 private:
  std::string name_, location_, creation_date_, extranet_, intranet_, region_;
  ossbridge::StorageClass storage_class_ = ossbridge::StorageClass::Standard;
};
using BucketList = std::vector<Bucket>;

/** One page of ListBuckets. */
class ListBucketsResult : public OssResult {
 public:
  ListBucketsResult() = default;
  ListBucketsResult(std::string prefix, std::string marker, int maxKeys, const ossbridge_list_buckets_result *r)
      : prefix_(std::move(prefix)), marker_(std::move(marker)), max_keys_(maxKeys) {
    request_id_ = r->request_id;
    for (size_t i = 0; i < r->buckets_len; i++) buckets_.emplace_back(r->buckets[i]);
    truncated_ = r->is_truncated;
    next_marker_ = detail::str(r->next_marker);
  }
  const std::string &Prefix() const { return prefix_; }
  const std::string &Marker() const { return marker_; }
  /** Pass to ListBucketsRequest::setMarker() for the next page; empty when complete. */
  const std::string &NextMarker() const { return next_marker_; }
  int MaxKeys() const { return max_keys_; }
  bool IsTruncated() const { return truncated_; }
  const BucketList &Buckets() const { return buckets_; }

 private:
  std::string prefix_, marker_, next_marker_;
  int max_keys_ = 0;
  bool truncated_ = false;
  BucketList buckets_;
};
using ListBucketsOutcome = Outcome<ListBucketsResult>;

/** One object of a listing (ObjectSummarys()). */
class ObjectSummary {
 public:
  ObjectSummary() = default;
  explicit ObjectSummary(const ossbridge_object_summary &o)
      : key_(o.key), etag_(o.etag), size_(static_cast<int64_t>(o.size)), last_modified_(o.last_modified),
        storage_class_(o.storage_class), type_(o.object_type) {}
  const std::string &Key() const { return key_; }
  /** Quotes included, as OSS sends it. */
  const std::string &ETag() const { return etag_; }
  int64_t Size() const { return size_; }
  /** ISO 8601, e.g. "2026-11-27T03:40:00.000Z". */
  const std::string &LastModified() const { return last_modified_; }
  /** "Standard", "IA", "Archive"... */
  const std::string &StorageClass() const { return storage_class_; }
  /** "Normal", "Multipart", "Appendable"... */
  const std::string &Type() const { return type_; }

 private:
  std::string key_, etag_;
  int64_t size_ = 0;
  std::string last_modified_, storage_class_, type_;
};
using ObjectSummaryList = std::vector<ObjectSummary>;
using CommonPrefixList = std::vector<std::string>;

namespace detail {
/** The entries of a C page of either listing version. */
template <typename Page>
void read_page(const Page *r, ObjectSummaryList &objects, CommonPrefixList &prefixes) {
  for (size_t i = 0; i < r->objects_len; i++) objects.emplace_back(r->objects[i]);
  for (size_t i = 0; i < r->common_prefixes_len; i++) prefixes.emplace_back(r->common_prefixes[i]);
}
}  // namespace detail

/** One page of ListObjects (V1). NextMarker() is OSS's NextMarker. */
class ListObjectsResult : public OssResult {
 public:
  ListObjectsResult() = default;
  ListObjectsResult(std::string bucket, std::string prefix, std::string marker, std::string delimiter,
                    std::string encodingType, int maxKeys, const ossbridge_list_objects_v1_result *r)
      : name_(std::move(bucket)), prefix_(std::move(prefix)), marker_(std::move(marker)),
        delimiter_(std::move(delimiter)), encoding_type_(std::move(encodingType)), max_keys_(maxKeys) {
    request_id_ = r->request_id;
    detail::read_page(r, objects_, prefixes_);
    truncated_ = r->is_truncated;
    next_marker_ = detail::str(r->next_marker);
  }
  const std::string &Name() const { return name_; }
  const std::string &Prefix() const { return prefix_; }
  const std::string &Marker() const { return marker_; }
  /** Pass to ListObjectsRequest::setMarker() for the next page; empty when complete. */
  const std::string &NextMarker() const { return next_marker_; }
  const std::string &Delimiter() const { return delimiter_; }
  const std::string &EncodingType() const { return encoding_type_; }
  int MaxKeys() const { return max_keys_; }
  bool IsTruncated() const { return truncated_; }
  const CommonPrefixList &CommonPrefixes() const { return prefixes_; }
  const ObjectSummaryList &ObjectSummarys() const { return objects_; }

 private:
  std::string name_, prefix_, marker_, delimiter_, encoding_type_, next_marker_;
  int max_keys_ = 0;
  bool truncated_ = false;
  CommonPrefixList prefixes_;
  ObjectSummaryList objects_;
};
using ListObjectOutcome = Outcome<ListObjectsResult>;

/** One page of ListObjectsV2. */
class ListObjectsV2Result : public OssResult {
 public:
  ListObjectsV2Result() = default;
  ListObjectsV2Result(std::string bucket, std::string prefix, std::string startAfter, std::string continuationToken,
                      std::string delimiter, std::string encodingType, int maxKeys,
                      const ossbridge_list_objects_result *r)
      : name_(std::move(bucket)), prefix_(std::move(prefix)), start_after_(std::move(startAfter)),
        continuation_token_(std::move(continuationToken)), delimiter_(std::move(delimiter)),
        encoding_type_(std::move(encodingType)), max_keys_(maxKeys) {
    request_id_ = r->request_id;
    detail::read_page(r, objects_, prefixes_);
    truncated_ = r->is_truncated;
    key_count_ = static_cast<int>(r->key_count);
    next_token_ = detail::str(r->next_continuation_token);
  }
  const std::string &Name() const { return name_; }
  const std::string &Prefix() const { return prefix_; }
  const std::string &StartAfter() const { return start_after_; }
  const std::string &ContinuationToken() const { return continuation_token_; }
  /** Pass to ListObjectsV2Request::setContinuationToken() for the next page; empty when complete. */
  const std::string &NextContinuationToken() const { return next_token_; }
  const std::string &Delimiter() const { return delimiter_; }
  const std::string &EncodingType() const { return encoding_type_; }
  int MaxKeys() const { return max_keys_; }
  int KeyCount() const { return key_count_; }
  bool IsTruncated() const { return truncated_; }
  const CommonPrefixList &CommonPrefixes() const { return prefixes_; }
  const ObjectSummaryList &ObjectSummarys() const { return objects_; }

 private:
  std::string name_, prefix_, start_after_, continuation_token_, delimiter_, encoding_type_, next_token_;
  int max_keys_ = 0, key_count_ = 0;
  bool truncated_ = false;
  CommonPrefixList prefixes_;
  ObjectSummaryList objects_;
};
using ListObjectsV2Outcome = Outcome<ListObjectsV2Result>;

/** Base of the bucket requests. */
class OssBucketRequest {
 public:
  explicit OssBucketRequest(std::string bucket) : bucket_(std::move(bucket)) {}
  const std::string &Bucket() const { return bucket_; }
  void setBucket(const std::string &bucket) { bucket_ = bucket; }

 protected:
  std::string bucket_;
};

class SetBucketEncryptionRequest : public OssBucketRequest {
 public:
  explicit SetBucketEncryptionRequest(const std::string &bucket,
                                      ossbridge::SSEAlgorithm algorithm = ossbridge::SSEAlgorithm::NotSet,
                                      std::string kmsMasterKeyID = "")
      : OssBucketRequest(bucket), algorithm_(algorithm), key_(std::move(kmsMasterKeyID)) {}
  void setSSEAlgorithm(ossbridge::SSEAlgorithm algorithm) { algorithm_ = algorithm; }
  void setKMSMasterKeyID(const std::string &key) { key_ = key; }
  /** "SM4" to encrypt data with SM4 under KMS (ossbridge addition). */
  void setKMSDataEncryption(const std::string &cipher) { data_ = cipher; }
  ossbridge::SSEAlgorithm SSEAlgorithm() const { return algorithm_; }
  const std::string &KMSMasterKeyID() const { return key_; }
  const std::string &KMSDataEncryption() const { return data_; }

 private:
  ossbridge::SSEAlgorithm algorithm_;
  std::string key_, data_;
};

class GetBucketEncryptionRequest : public OssBucketRequest {
 public:
  using OssBucketRequest::OssBucketRequest;
};

class DeleteBucketEncryptionRequest : public OssBucketRequest {
 public:
  using OssBucketRequest::OssBucketRequest;
};

class CreateBucketRequest : public OssBucketRequest {
 public:
  using OssBucketRequest::OssBucketRequest;
};

class DeleteBucketRequest : public OssBucketRequest {
 public:
  using OssBucketRequest::OssBucketRequest;
};

/** ListBuckets options: setPrefix, setMarker (the previous page's NextMarker()), setMaxKeys. */
class ListBucketsRequest {
 public:
  ListBucketsRequest() = default;
  ListBucketsRequest(const std::string &prefix, const std::string &marker, int maxKeys = 100) {
    setPrefix(prefix);
    setMarker(marker);
    setMaxKeys(maxKeys);
  }
  void setPrefix(const std::string &prefix) { prefix_ = prefix; }
  void setMarker(const std::string &marker) { marker_ = marker; }
  void setMaxKeys(int maxKeys) { max_keys_ = maxKeys; }
  const std::string &Prefix() const { return prefix_; }
  const std::string &Marker() const { return marker_; }
  /** 0: not set (OSS's default, 100). */
  int MaxKeys() const { return max_keys_; }

 private:
  std::string prefix_, marker_;
  int max_keys_ = 0;
};

/** Options shared by ListObjectsRequest and ListObjectsV2Request. */
class ListObjectsRequestBase : public OssBucketRequest {
 public:
  using OssBucketRequest::OssBucketRequest;
  void setPrefix(const std::string &prefix) { prefix_ = prefix; }
  void setDelimiter(const std::string &delimiter) { delimiter_ = delimiter; }
  /** 1-1000 entries (objects plus common prefixes) per page; OSS's default is 100. */
  void setMaxKeys(int maxKeys) { max_keys_ = maxKeys; }
  /** Accepted for compatibility: keys always come back decoded (what the official SDK returns
   * after decoding with "url"). */
  void setEncodingType(const std::string &type) { encoding_type_ = type; }
  const std::string &Prefix() const { return prefix_; }
  const std::string &Delimiter() const { return delimiter_; }
  int MaxKeys() const { return max_keys_; }
  const std::string &EncodingType() const { return encoding_type_; }

 protected:
  std::string prefix_, delimiter_, encoding_type_;
  int max_keys_ = 0;
};

/** ListObjects (V1): setPrefix, setDelimiter, setMarker (start after this key), setMaxKeys. */
class ListObjectsRequest : public ListObjectsRequestBase {
 public:
  using ListObjectsRequestBase::ListObjectsRequestBase;
  /** Lists keys after this one: the previous page's NextMarker(), or any key. */
  void setMarker(const std::string &marker) { marker_ = marker; }
  const std::string &Marker() const { return marker_; }

 private:
  std::string marker_;
};

/** ListObjectsV2: setPrefix, setDelimiter, setStartAfter, setContinuationToken, setMaxKeys. */
class ListObjectsV2Request : public ListObjectsRequestBase {
 public:
  using ListObjectsRequestBase::ListObjectsRequestBase;
  void setStartAfter(const std::string &value) { start_after_ = value; }
  /** The previous page's NextContinuationToken(). */
  void setContinuationToken(const std::string &value) { continuation_token_ = value; }
  const std::string &StartAfter() const { return start_after_; }
  const std::string &ContinuationToken() const { return continuation_token_; }

 private:
  std::string start_after_, continuation_token_;
};

/** Base of the object requests. */
class OssObjectRequest : public OssBucketRequest {
 public:
  OssObjectRequest(const std::string &bucket, std::string key) : OssBucketRequest(bucket), key_(std::move(key)) {}
  const std::string &Key() const { return key_; }
  void setKey(const std::string &key) { key_ = key; }

 protected:
  std::string key_;
};

class PutObjectRequest : public OssObjectRequest {
 public:
  PutObjectRequest(const std::string &bucket, const std::string &key, std::shared_ptr<std::iostream> content)
      : OssObjectRequest(bucket, key), content_(std::move(content)) {}
  PutObjectRequest(const std::string &bucket, const std::string &key, std::shared_ptr<std::iostream> content,
                   ObjectMetaData metaData)
      : OssObjectRequest(bucket, key), content_(std::move(content)), meta_(std::move(metaData)) {}
  const std::shared_ptr<std::iostream> &Body() const { return content_; }
  ObjectMetaData &MetaData() { return meta_; }
  const ObjectMetaData &MetaData() const { return meta_; }
  void setMetaData(const ObjectMetaData &meta) { meta_ = meta; }

 private:
  std::shared_ptr<std::iostream> content_;
  ObjectMetaData meta_;
};

class GetObjectRequest : public OssObjectRequest {
 public:
  using OssObjectRequest::OssObjectRequest;
  /** Bytes start..end inclusive; end -1 means to the end. As on OSS, a range that cannot be
   * satisfied (start past the end) returns the whole object. */
  void setRange(int64_t start, int64_t end) {
    has_range_ = true;
    start_ = start;
    end_ = end;
  }
  bool hasRange() const { return has_range_; }
  int64_t RangeStart() const { return start_; }
  int64_t RangeEnd() const { return end_; }
  /** The range as an HTTP Range value ("bytes=0-99", "bytes=100-"). */
  std::string RangeHeader() const {
    return "bytes=" + std::to_string(start_) + "-" + (end_ < 0 ? std::string() : std::to_string(end_));
  }
  /** If-Modified-Since (an HTTP date): otherwise OSS answers 304 NotModified. */
  void setModifiedSinceConstraint(const std::string &gmt) { headers_["If-Modified-Since"] = gmt; }
  /** If-Unmodified-Since: otherwise OSS answers 412 PreconditionFailed. */
  void setUnmodifiedSinceConstraint(const std::string &gmt) { headers_["If-Unmodified-Since"] = gmt; }
  /** If-Match: one of these ETags (quotes included), otherwise 412 PreconditionFailed. */
  void setMatchingETagConstraints(const std::vector<std::string> &match) { match_ = match; }
  void addMatchingETagConstraint(const std::string &match) { match_.push_back(match); }
  /** If-None-Match: none of these ETags, otherwise 304 NotModified. */
  void setNonmatchingETagConstraints(const std::vector<std::string> &match) { none_match_ = match; }
  void addNonmatchingETagConstraint(const std::string &match) { none_match_.push_back(match); }
  /** The conditional request headers set above. */
  MetaData Headers() const {
    MetaData headers = headers_;
    auto join = [](const std::vector<std::string> &tags) {
      std::string out;
      for (const auto &tag : tags) out += (out.empty() ? "" : ",") + tag;
      return out;
    };
    if (!match_.empty()) headers["If-Match"] = join(match_);
    if (!none_match_.empty()) headers["If-None-Match"] = join(none_match_);
    return headers;
  }

 private:
  bool has_range_ = false;
  int64_t start_ = 0, end_ = -1;
  MetaData headers_;
  std::vector<std::string> match_, none_match_;
};

enum class CopyActionList { Copy = 0, Replace };

class CopyObjectRequest : public OssObjectRequest {
 public:
  CopyObjectRequest(const std::string &bucket, const std::string &key) : OssObjectRequest(bucket, key) {}
  CopyObjectRequest(const std::string &bucket, const std::string &key, ObjectMetaData metaData)
      : OssObjectRequest(bucket, key), meta_(std::move(metaData)) {}
  void setCopySource(const std::string &srcBucket, const std::string &srcKey) {
    src_bucket_ = srcBucket;
    src_key_ = srcKey;
  }
  void setMetadataDirective(const CopyActionList &action) { action_ = action; }
  const std::string &SourceBucket() const { return src_bucket_; }
  const std::string &SourceKey() const { return src_key_; }
  CopyActionList MetadataDirective() const { return action_; }
  ObjectMetaData &MetaData() { return meta_; }
  const ObjectMetaData &MetaData() const { return meta_; }

 private:
  std::string src_bucket_, src_key_;
  CopyActionList action_ = CopyActionList::Copy;
  ObjectMetaData meta_;
};

/** Resumable (multipart) upload of a local file, as ResumableUploadObject takes it. */
class UploadObjectRequest : public OssObjectRequest {
 public:
  UploadObjectRequest(const std::string &bucket, const std::string &key, std::string filePath,
                      std::string checkpointDir = "", uint64_t partSize = 8 * 1024 * 1024, uint32_t threadNum = 4)
      : OssObjectRequest(bucket, key),
        file_(std::move(filePath)),
        checkpoint_dir_(std::move(checkpointDir)),
        part_size_(partSize),
        threads_(threadNum) {}
  UploadObjectRequest(const std::string &bucket, const std::string &key, std::string filePath,
                      std::string checkpointDir, uint64_t partSize, uint32_t threadNum, ObjectMetaData meta)
      : UploadObjectRequest(bucket, key, std::move(filePath), std::move(checkpointDir), partSize, threadNum) {
    meta_ = std::move(meta);
  }
  const std::string &FilePath() const { return file_; }
  const std::string &CheckpointDir() const { return checkpoint_dir_; }
  uint64_t PartSize() const { return part_size_; }
  uint32_t ThreadNum() const { return threads_; }
  void setPartSize(uint64_t size) { part_size_ = size; }
  void setThreadNum(uint32_t n) { threads_ = n; }
  void setCheckpointDir(const std::string &dir) { checkpoint_dir_ = dir; }
  ObjectMetaData &MetaData() { return meta_; }
  const ObjectMetaData &MetaData() const { return meta_; }

  /** The checkpoint file inside CheckpointDir() (empty: not resumable). */
  std::string CheckpointFile() const {
    if (checkpoint_dir_.empty()) return std::string();
    std::string name = bucket_ + "_" + key_;
    for (char &c : name)
      if (c == '/' || c == '\\') c = '_';
    return checkpoint_dir_ + "/" + name + ".ucp";
  }

 private:
  std::string file_, checkpoint_dir_;
  uint64_t part_size_;
  uint32_t threads_;
  ObjectMetaData meta_;
};

/** The client. Calls block; one client may serve many threads at once. */
class OssClient {
 public:
  OssClient(const std::string &endpoint, const std::string &accessKeyId, const std::string &accessKeySecret,
            const ClientConfiguration &configuration)
      : OssClient(endpoint, std::make_shared<SimpleCredentialsProvider>(accessKeyId, accessKeySecret), configuration) {}
  OssClient(const std::string &endpoint, const std::string &accessKeyId, const std::string &accessKeySecret,
            const std::string &securityToken, const ClientConfiguration &configuration)
      : OssClient(endpoint,
                  std::make_shared<SimpleCredentialsProvider>(accessKeyId, accessKeySecret, securityToken),
                  configuration) {}
  OssClient(const std::string &endpoint, const std::shared_ptr<CredentialsProvider> &credentialsProvider,
            const ClientConfiguration &configuration)
      : endpoint_(endpoint), provider_(credentialsProvider), configuration_(configuration) {
    build();
  }
  OssClient(const OssClient &) = delete;
  OssClient &operator=(const OssClient &) = delete;
  virtual ~OssClient() { ossbridge_client_free(client_); }

  /** The region for V4 signing, e.g. "cn-hangzhou". Call before sharing the client. */
  void SetRegion(const std::string &region) {
    region_ = region;
    build();
  }

  // ---- buckets ----

  CreateBucketOutcome CreateBucket(const std::string &bucket) const {
    return call([&](ossbridge_error **e) { return ossbridge_client_create_bucket(client_, bucket.c_str(), e); });
  }
  CreateBucketOutcome CreateBucket(const CreateBucketRequest &request) const { return CreateBucket(request.Bucket()); }

  DeleteBucketOutcome DeleteBucket(const std::string &bucket) const {
    return call([&](ossbridge_error **e) { return ossbridge_client_delete_bucket(client_, bucket.c_str(), e); });
  }
  DeleteBucketOutcome DeleteBucket(const DeleteBucketRequest &request) const { return DeleteBucket(request.Bucket()); }

  SetBucketEncryptionOutcome SetBucketEncryption(const SetBucketEncryptionRequest &request) const {
    const char *algorithm = ToSSEAlgorithmName(request.SSEAlgorithm());
    if (!algorithm) return OssError("ValidateError", "SetBucketEncryptionRequest has no SSEAlgorithm set");
    ossbridge_bucket_encryption_rule rule = {
        algorithm, request.KMSMasterKeyID().empty() ? nullptr : request.KMSMasterKeyID().c_str(),
        request.KMSDataEncryption().empty() ? nullptr : request.KMSDataEncryption().c_str()};
    return call([&](ossbridge_error **e) {
      return ossbridge_client_put_bucket_encryption(client_, request.Bucket().c_str(), &rule, e);
    });
  }

  GetBucketEncryptionOutcome GetBucketEncryption(const GetBucketEncryptionRequest &request) const {
    if (!client_) return build_error_;
    ossbridge_bucket_encryption_result *result = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_get_bucket_encryption(client_, request.Bucket().c_str(), &result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    GetBucketEncryptionResult out(result);
    ossbridge_bucket_encryption_result_free(result);
    return out;
  }

  DeleteBucketEncryptionOutcome DeleteBucketEncryption(const DeleteBucketEncryptionRequest &request) const {
    return call([&](ossbridge_error **e) {
      return ossbridge_client_delete_bucket_encryption(client_, request.Bucket().c_str(), e);
    });
  }

  // ---- listing ----

  ListBucketsOutcome ListBuckets() const { return ListBuckets(ListBucketsRequest()); }
  ListBucketsOutcome ListBuckets(const ListBucketsRequest &request) const {
    if (!client_) return build_error_;
    if (request.MaxKeys() < 0) return OssError("ValidateError", "ListBucketsRequest: maxKeys is negative");
    ossbridge_list_buckets_options options{};
    options.prefix = detail::optional(request.Prefix());
    options.marker = detail::optional(request.Marker());
    options.max_keys = static_cast<uint32_t>(request.MaxKeys());
    ossbridge_list_buckets_result *result = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_list_buckets(client_, &options, &result, &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    ListBucketsResult out(request.Prefix(), request.Marker(), request.MaxKeys(), result);
    ossbridge_list_buckets_result_free(result);
    return out;
  }

  ListObjectOutcome ListObjects(const std::string &bucket) const { return ListObjects(ListObjectsRequest(bucket)); }
  ListObjectOutcome ListObjects(const std::string &bucket, const std::string &prefix) const {
    ListObjectsRequest request(bucket);
    request.setPrefix(prefix);
    return ListObjects(request);
  }
  /** One page; while IsTruncated(), continue with setMarker(result().NextMarker()). */
  ListObjectOutcome ListObjects(const ListObjectsRequest &request) const {
    if (!client_) return build_error_;
    if (request.MaxKeys() < 0) return OssError("ValidateError", "ListObjectsRequest: maxKeys is negative");
    ossbridge_list_objects_v1_options options{};
    options.prefix = detail::optional(request.Prefix());
    options.delimiter = detail::optional(request.Delimiter());
    options.marker = detail::optional(request.Marker());
    options.max_keys = static_cast<uint32_t>(request.MaxKeys());
    ossbridge_list_objects_v1_result *result = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_list_objects(client_, request.Bucket().c_str(), &options, &result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    ListObjectsResult out(request.Bucket(), request.Prefix(), request.Marker(), request.Delimiter(),
                          request.EncodingType(), request.MaxKeys(), result);
    ossbridge_list_objects_v1_result_free(result);
    return out;
  }

  /** One page; while IsTruncated(), continue with setContinuationToken(result().NextContinuationToken()). */
  ListObjectsV2Outcome ListObjectsV2(const ListObjectsV2Request &request) const {
    if (!client_) return build_error_;
    if (request.MaxKeys() < 0) return OssError("ValidateError", "ListObjectsV2Request: maxKeys is negative");
    ossbridge_list_objects_options options{};
    options.prefix = detail::optional(request.Prefix());
    options.delimiter = detail::optional(request.Delimiter());
    options.start_after = detail::optional(request.StartAfter());
    options.continuation_token = detail::optional(request.ContinuationToken());
    options.max_keys = static_cast<uint32_t>(request.MaxKeys());
    ossbridge_list_objects_result *result = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_list_objects_v2(client_, request.Bucket().c_str(), &options, &result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    ListObjectsV2Result out(request.Bucket(), request.Prefix(), request.StartAfter(), request.ContinuationToken(),
                            request.Delimiter(), request.EncodingType(), request.MaxKeys(), result);
    ossbridge_list_objects_result_free(result);
    return out;
  }

  // ---- objects ----

  PutObjectOutcome PutObject(const PutObjectRequest &request) const {
    std::string body;
    if (request.Body()) {
      std::ostringstream buffer;
      buffer << request.Body()->rdbuf();
      body = buffer.str();
    }
    detail::PairList pairs(request.MetaData());
    ossbridge_put_options options = put_options(pairs);
    return object_call<PutObjectResult>([&](ossbridge_object_result **r, ossbridge_error **e) {
      return ossbridge_client_put_object(client_, request.Bucket().c_str(), request.Key().c_str(),
                                         reinterpret_cast<const uint8_t *>(body.data()), body.size(), &options, r, e);
    });
  }
  PutObjectOutcome PutObject(const std::string &bucket, const std::string &key,
                             const std::shared_ptr<std::iostream> &content) const {
    return PutObject(PutObjectRequest(bucket, key, content));
  }
  PutObjectOutcome PutObject(const std::string &bucket, const std::string &key,
                             const std::shared_ptr<std::iostream> &content, const ObjectMetaData &meta) const {
    return PutObject(PutObjectRequest(bucket, key, content, meta));
  }
  /** Uploads the local file `fileToUpload`. */
  PutObjectOutcome PutObject(const std::string &bucket, const std::string &key, const std::string &fileToUpload,
                             const ObjectMetaData &meta = ObjectMetaData()) const {
    detail::PairList pairs(meta);
    ossbridge_put_options options = put_options(pairs);
    return object_call<PutObjectResult>([&](ossbridge_object_result **r, ossbridge_error **e) {
      return ossbridge_client_put_object_from_file(client_, bucket.c_str(), key.c_str(), fileToUpload.c_str(),
                                                   &options, r, e);
    });
  }

  /** Whole or ranged (setRange), with the request's conditions (If-Match...). */
  GetObjectOutcome GetObject(const GetObjectRequest &request) const {
    if (!client_) return build_error_;
    if (request.hasRange() && (request.RangeStart() < 0 || request.RangeEnd() < -1))
      return OssError("ValidateError", "GetObjectRequest: the range start must be >= 0 and the end >= 0 or -1");
    const MetaData headers = request.Headers();
    std::vector<ossbridge_pair> pairs;
    for (const auto &h : headers) pairs.push_back({h.first.c_str(), h.second.c_str()});
    ossbridge_get_options options{};
    options.has_range = request.hasRange();
    options.range_start = request.hasRange() ? static_cast<uint64_t>(request.RangeStart()) : 0;
    options.range_end = request.RangeEnd();
    options.headers = pairs.empty() ? nullptr : pairs.data();
    options.headers_len = pairs.size();
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_client_get_object_with_options(client_, request.Bucket().c_str(), request.Key().c_str(), &options,
                                                 &result.result, &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return GetObjectResult(request.Bucket(), request.Key(), result.result);
  }
  GetObjectOutcome GetObject(const std::string &bucket, const std::string &key) const {
    if (!client_) return build_error_;
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_client_get_object(client_, bucket.c_str(), key.c_str(), &result.result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return GetObjectResult(bucket, key, result.result);
  }
  /** Downloads into the local file `fileToSave` (written whole or not at all; ossbridge addition). */
  GetObjectOutcome GetObject(const std::string &bucket, const std::string &key, const std::string &fileToSave) const {
    if (!client_) return build_error_;
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_client_get_object_to_file(client_, bucket.c_str(), key.c_str(), fileToSave.c_str(), &result.result,
                                            &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return GetObjectResult(bucket, key, result.result);
  }

  ObjectMetaDataOutcome HeadObject(const std::string &bucket, const std::string &key) const {
    if (!client_) return build_error_;
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_client_head_object(client_, bucket.c_str(), key.c_str(), &result.result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return detail::metadata_of(result.result);
  }
  ObjectMetaDataOutcome GetObjectMeta(const std::string &bucket, const std::string &key) const {
    return HeadObject(bucket, key);
  }

  CopyObjectOutcome CopyObject(const CopyObjectRequest &request) const {
    detail::PairList pairs(request.MetaData());
    ossbridge_copy_options options{};
    options.replace_metadata = request.MetadataDirective() == CopyActionList::Replace;
    options.headers = pairs.headers.empty() ? nullptr : pairs.headers.data();
    options.headers_len = pairs.headers.size();
    options.metadata = pairs.metadata.empty() ? nullptr : pairs.metadata.data();
    options.metadata_len = pairs.metadata.size();
    return object_call<CopyObjectResult>([&](ossbridge_object_result **r, ossbridge_error **e) {
      return ossbridge_client_copy_object(client_, request.SourceBucket().c_str(), request.SourceKey().c_str(),
                                          request.Bucket().c_str(), request.Key().c_str(), &options, r, e);
    });
  }

  DeleteObjectOutcome DeleteObject(const std::string &bucket, const std::string &key) const {
    return call([&](ossbridge_error **e) {
      return ossbridge_client_delete_object(client_, bucket.c_str(), key.c_str(), e);
    });
  }

  /** Multipart upload with parts in parallel; resumes from CheckpointDir() after an interruption. */
  PutObjectOutcome ResumableUploadObject(const UploadObjectRequest &request) const {
    if (!client_) return build_error_;
    detail::PairList pairs(request.MetaData());
    const std::string checkpoint = request.CheckpointFile();
    ossbridge_upload_options options{};
    options.headers = pairs.headers.empty() ? nullptr : pairs.headers.data();
    options.headers_len = pairs.headers.size();
    options.metadata = pairs.metadata.empty() ? nullptr : pairs.metadata.data();
    options.metadata_len = pairs.metadata.size();
    options.part_size = request.PartSize();
    options.parallel = request.ThreadNum();
    options.checkpoint_file = checkpoint.empty() ? nullptr : checkpoint.c_str();
    ossbridge_upload_result *result = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_upload_file(client_, request.Bucket().c_str(), request.Key().c_str(),
                                     request.FilePath().c_str(), &options, &result, &error.error) !=
        OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    PutObjectResult out(result);
    ossbridge_upload_result_free(result);
    return out;
  }

  /** A URL for `method` on bucket/key, valid until the Unix time `expires`. */
  StringOutcome GeneratePresignedUrl(const std::string &bucket, const std::string &key, std::time_t expires,
                                     Http::Method method = Http::Get) const {
    if (!client_) return build_error_;
    const std::time_t now = std::time(nullptr);
    if (expires <= now) return OssError("ValidateError", "expires is in the past");
    static const char *const names[] = {"GET", "HEAD", "PUT", "POST", "DELETE"};
    ossbridge_presigned_url *url = nullptr;
    detail::ErrorHolder error;
    if (ossbridge_client_presign(client_, names[method], bucket.c_str(), key.c_str(),
                                 static_cast<uint64_t>(expires - now), &url, &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    std::string out = url->url;
    ossbridge_presigned_url_free(url);
    return out;
  }

  /** The C handle, for calls this wrapper does not cover. Owned by the OssClient. */
  const ossbridge_client *handle() const { return client_; }

 protected:
  /** Called after the C client was (re)built; OssEncryptionClient rebuilds its handle here. */
  virtual void rebuilt() {}
  const OssError &build_error() const { return build_error_; }

 private:
  void build() {
    ossbridge_client_free(client_);
    client_ = nullptr;
    detail::ErrorHolder error;
    ossbridge_config *config = ossbridge_config_new();
    bool ok = ossbridge_config_set_endpoint(config, endpoint_.c_str(), &error.error) == OSSBRIDGE_STATUS_OK &&
              ossbridge_config_set_signature_version(config, static_cast<uint32_t>(configuration_.signatureVersion),
                                                     &error.error) == OSSBRIDGE_STATUS_OK &&
              ossbridge_config_set_connect_timeout_ms(config, static_cast<uint64_t>(configuration_.connectTimeoutMs),
                                                      &error.error) == OSSBRIDGE_STATUS_OK &&
              ossbridge_config_set_request_timeout_ms(config, static_cast<uint64_t>(configuration_.requestTimeoutMs),
                                                      &error.error) == OSSBRIDGE_STATUS_OK;
    if (ok && !region_.empty())
      ok = ossbridge_config_set_region(config, region_.c_str(), &error.error) == OSSBRIDGE_STATUS_OK;
    // The environment provider is left to the library (read per request); others are asked now.
    if (ok && provider_ && !dynamic_cast<EnvironmentVariableCredentialsProvider *>(provider_.get())) {
      Credentials credentials = provider_->getCredentials();
      ok = ossbridge_config_set_credentials(
               config, credentials.AccessKeyId().c_str(), credentials.AccessKeySecret().c_str(),
               credentials.SessionToken().empty() ? nullptr : credentials.SessionToken().c_str(),
               &error.error) == OSSBRIDGE_STATUS_OK;
    }
    if (ok) ok = ossbridge_client_new(config, &client_, &error.error) == OSSBRIDGE_STATUS_OK;
    ossbridge_config_free(config);
    build_error_ = ok ? OssError() : OssError(error.error);
    rebuilt();
  }

  ossbridge_put_options put_options(const detail::PairList &pairs) const {
    ossbridge_put_options options{};
    options.headers = pairs.headers.empty() ? nullptr : pairs.headers.data();
    options.headers_len = pairs.headers.size();
    options.metadata = pairs.metadata.empty() ? nullptr : pairs.metadata.data();
    options.metadata_len = pairs.metadata.size();
    return options;
  }

  template <typename F>
  VoidOutcome call(F &&f) const {
    if (!client_) return build_error_;
    detail::ErrorHolder error;
    if (f(&error.error) != OSSBRIDGE_STATUS_OK) return OssError(error.error);
    return VoidResult();
  }

  template <typename R, typename F>
  Outcome<R> object_call(F &&f) const {
    if (!client_) return build_error_;
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (f(&result.result, &error.error) != OSSBRIDGE_STATUS_OK) return OssError(error.error);
    return R(result.result);
  }

  std::string endpoint_, region_;
  std::shared_ptr<CredentialsProvider> provider_;
  ClientConfiguration configuration_;
  ossbridge_client *client_ = nullptr;
  OssError build_error_;
};

/** Master key material of an OssEncryptionClient. */
class EncryptionMaterials {
 public:
  virtual ~EncryptionMaterials() = default;
  /** Makes the C crypto handle (internal). */
  virtual ossbridge_status create(const ossbridge_client *client, ossbridge_crypto_mode mode,
                                  ossbridge_crypto_client **out, ossbridge_error **error) const = 0;
};

/** RSA key pair in PEM (PKCS#1 or PKCS#8), as the official SDK's SimpleRSAEncryptionMaterials.
 * A public key alone can encrypt; reading needs the private key. */
class SimpleRSAEncryptionMaterials : public EncryptionMaterials {
 public:
  SimpleRSAEncryptionMaterials(std::string publicKey, std::string privateKey)
      : public_(std::move(publicKey)), private_(std::move(privateKey)) {}
  ossbridge_status create(const ossbridge_client *client, ossbridge_crypto_mode mode, ossbridge_crypto_client **out,
                          ossbridge_error **error) const override {
    return ossbridge_crypto_client_new_rsa(client, public_.empty() ? nullptr : public_.c_str(),
                                           private_.empty() ? nullptr : private_.c_str(), mode, out, error);
  }

 private:
  std::string public_, private_;
};

/** A local 16- or 32-byte AES key wrapping the data keys (ossbridge addition). */
class AesKeyEncryptionMaterials : public EncryptionMaterials {
 public:
  explicit AesKeyEncryptionMaterials(std::string key) : key_(std::move(key)) {}
  ossbridge_status create(const ossbridge_client *client, ossbridge_crypto_mode mode, ossbridge_crypto_client **out,
                          ossbridge_error **error) const override {
    return ossbridge_crypto_client_new_aes_key(client, reinterpret_cast<const uint8_t *>(key_.data()), key_.size(),
                                               mode, out, error);
  }

 private:
  std::string key_;
};

/** Content format written by an OssEncryptionClient (reading accepts both; ossbridge addition). */
enum class CryptoMode { Compatible = OSSBRIDGE_CRYPTO_MODE_COMPATIBLE, Authenticated = OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED };

class CryptoConfiguration {
 public:
  /** Compatible (AES-256-CTR, readable by the official SDKs) by default. */
  CryptoMode mode = CryptoMode::Compatible;
};

/** Client-side encryption in the shape of the official OssEncryptionClient: PutObject encrypts,
 * GetObject decrypts and verifies (a tampered object or a wrong key is an error, never data). */
class OssEncryptionClient : public OssClient {
 public:
  OssEncryptionClient(const std::string &endpoint, const std::string &accessKeyId, const std::string &accessKeySecret,
                      const ClientConfiguration &configuration,
                      const std::shared_ptr<EncryptionMaterials> &encryptionMaterials,
                      const CryptoConfiguration &cryptoConfig)
      : OssClient(endpoint, accessKeyId, accessKeySecret, configuration),
        materials_(encryptionMaterials),
        crypto_config_(cryptoConfig) {
    rebuilt();
  }
  OssEncryptionClient(const std::string &endpoint, const std::shared_ptr<CredentialsProvider> &credentialsProvider,
                      const ClientConfiguration &configuration,
                      const std::shared_ptr<EncryptionMaterials> &encryptionMaterials,
                      const CryptoConfiguration &cryptoConfig)
      : OssClient(endpoint, credentialsProvider, configuration),
        materials_(encryptionMaterials),
        crypto_config_(cryptoConfig) {
    rebuilt();
  }
  ~OssEncryptionClient() override { ossbridge_crypto_client_free(crypto_); }

  PutObjectOutcome PutObject(const PutObjectRequest &request) const {
    if (!crypto_) return crypto_error_;
    std::ostringstream buffer;
    if (request.Body()) buffer << request.Body()->rdbuf();
    const std::string body = buffer.str();
    detail::PairList pairs(request.MetaData());
    ossbridge_put_options options{};
    options.headers = pairs.headers.empty() ? nullptr : pairs.headers.data();
    options.headers_len = pairs.headers.size();
    options.metadata = pairs.metadata.empty() ? nullptr : pairs.metadata.data();
    options.metadata_len = pairs.metadata.size();
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_crypto_client_put_object(crypto_, request.Bucket().c_str(), request.Key().c_str(),
                                           reinterpret_cast<const uint8_t *>(body.data()), body.size(), &options,
                                           &result.result, &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return PutObjectResult(result.result);
  }
  PutObjectOutcome PutObject(const std::string &bucket, const std::string &key,
                             const std::shared_ptr<std::iostream> &content) const {
    return PutObject(PutObjectRequest(bucket, key, content));
  }

  GetObjectOutcome GetObject(const GetObjectRequest &request) const {
    if (!crypto_) return crypto_error_;
    if (!request.Headers().empty())
      return OssError("ValidateError", "OssEncryptionClient::GetObject takes a range but no ETag/date conditions");
    const std::string range = request.hasRange() ? request.RangeHeader() : std::string();
    detail::ObjectResultHolder result;
    detail::ErrorHolder error;
    if (ossbridge_crypto_client_get_object(crypto_, request.Bucket().c_str(), request.Key().c_str(),
                                           range.empty() ? nullptr : range.c_str(), &result.result,
                                           &error.error) != OSSBRIDGE_STATUS_OK)
      return OssError(error.error);
    return GetObjectResult(request.Bucket(), request.Key(), result.result);
  }
  GetObjectOutcome GetObject(const std::string &bucket, const std::string &key) const {
    return GetObject(GetObjectRequest(bucket, key));
  }

 protected:
  void rebuilt() override {
    ossbridge_crypto_client_free(crypto_);
    crypto_ = nullptr;
    if (!materials_) {
      crypto_error_ = OssError("ValidateError", "OssEncryptionClient needs encryption materials");
      return;
    }
    if (!handle()) {
      crypto_error_ = build_error();
      return;
    }
    detail::ErrorHolder error;
    if (materials_->create(handle(), static_cast<ossbridge_crypto_mode>(crypto_config_.mode), &crypto_,
                           &error.error) != OSSBRIDGE_STATUS_OK)
      crypto_error_ = OssError(error.error);
  }

 private:
  std::shared_ptr<EncryptionMaterials> materials_;
  CryptoConfiguration crypto_config_;
  ossbridge_crypto_client *crypto_ = nullptr;
  OssError crypto_error_;
};

}  // namespace ossbridge

#endif  // OSSBRIDGE_HPP
