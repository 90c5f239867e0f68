// GoogleTest tests of the C++17 wrapper (include/ossbridge.hpp) against a local `ossbridge serve`.
// Environment as for the C tests (tests/c/run.sh sets it): OSSBRIDGE_TEST_ENDPOINT,
// OSSBRIDGE_TEST_ACCESS_KEY_ID, OSSBRIDGE_TEST_ACCESS_KEY_SECRET, OSSBRIDGE_TEST_TMPDIR,
// OSSBRIDGE_TEST_KMS_KEY_ID. Each test runs in its own process (gtest_discover_tests) and uses its
// own bucket, created in SetUp and emptied and deleted in TearDown.
#include <ossbridge.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace ossbridge;

namespace {

std::string env(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

std::string random_bytes(size_t n, unsigned seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto &c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

std::string read_all(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void expect_service_error(const OssError &error, int status, const std::string &code) {
  EXPECT_EQ(error.ClientStatus(), OSSBRIDGE_STATUS_SERVICE);
  EXPECT_EQ(error.Status(), status);
  EXPECT_EQ(error.Code(), code);
  EXPECT_FALSE(error.Message().empty());
  EXPECT_FALSE(error.RequestId().empty());
  EXPECT_FALSE(error.Host().empty());
  EXPECT_FALSE(error.Ec().empty());
}

class OssClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = env("OSSBRIDGE_TEST_ENDPOINT");
    ASSERT_FALSE(endpoint_.empty()) << "run through tests/c/run.sh";
    client_ = std::make_unique<OssClient>(endpoint_, env("OSSBRIDGE_TEST_ACCESS_KEY_ID"),
                                          env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET"), ClientConfiguration());
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    bucket_ = "cpp-" + std::to_string(getpid()) + "-" + std::to_string(name.size());
    auto created = client_->CreateBucket(bucket_);
    ASSERT_TRUE(created.isSuccess()) << created.error().Code() << ": " << created.error().Message();
  }

  void TearDown() override {
    for (const auto &key : keys_) client_->DeleteObject(bucket_, key);
    auto deleted = client_->DeleteBucket(bucket_);
    EXPECT_TRUE(deleted.isSuccess()) << deleted.error().Code() << ": " << deleted.error().Message();
  }

  std::string key(const std::string &k) {
    keys_.push_back(k);
    return k;
  }

  std::string tmp_path(const std::string &name) const {
    return env("OSSBRIDGE_TEST_TMPDIR") + "/cpp-" + std::to_string(getpid()) + "-" + name;
  }

  std::string endpoint_, bucket_;
  std::unique_ptr<OssClient> client_;
  std::vector<std::string> keys_;
};

// The guide's C++ sample, as written there (apart from the namespace and the endpoint).
TEST_F(OssClientTest, GuideSampleSetBucketEncryptionKms) {
  setenv("OSS_ACCESS_KEY_ID", env("OSSBRIDGE_TEST_ACCESS_KEY_ID").c_str(), 1);
  setenv("OSS_ACCESS_KEY_SECRET", env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET").c_str(), 1);
  InitializeSdk();
  ClientConfiguration conf;
  auto credentialsProvider = std::make_shared<EnvironmentVariableCredentialsProvider>();
  OssClient client(endpoint_, credentialsProvider, conf);
  SetBucketEncryptionRequest setrequest(bucket_);
  setrequest.setSSEAlgorithm(SSEAlgorithm::KMS);
  auto outcome = client.SetBucketEncryption(setrequest);
  ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Code() << ": " << outcome.error().Message();
  ShutdownSdk();

  auto get = client.GetBucketEncryption(GetBucketEncryptionRequest(bucket_));
  ASSERT_TRUE(get.isSuccess());
  EXPECT_EQ(get.result().SSEAlgorithm(), SSEAlgorithm::KMS);
  EXPECT_EQ(get.result().KMSMasterKeyID(), "");
  EXPECT_FALSE(get.result().RequestId().empty());
}

TEST_F(OssClientTest, BucketEncryptionWithKeyAndSm4ThenDelete) {
  SetBucketEncryptionRequest request(bucket_, SSEAlgorithm::KMS, "cpp-cmk");
  request.setKMSDataEncryption("SM4");
  ASSERT_TRUE(client_->SetBucketEncryption(request).isSuccess());
  auto get = client_->GetBucketEncryption(GetBucketEncryptionRequest(bucket_));
  ASSERT_TRUE(get.isSuccess());
  EXPECT_EQ(get.result().SSEAlgorithm(), SSEAlgorithm::KMS);
  EXPECT_EQ(get.result().KMSMasterKeyID(), "cpp-cmk");
  EXPECT_EQ(get.result().KMSDataEncryption(), "SM4");

  ASSERT_TRUE(client_->DeleteBucketEncryption(DeleteBucketEncryptionRequest(bucket_)).isSuccess());
  auto missing = client_->GetBucketEncryption(GetBucketEncryptionRequest(bucket_));
  ASSERT_FALSE(missing.isSuccess());
  expect_service_error(missing.error(), 404, "NoSuchServerSideEncryptionRule");
}

TEST_F(OssClientTest, SetBucketEncryptionNeedsAnAlgorithm) {
  auto outcome = client_->SetBucketEncryption(SetBucketEncryptionRequest(bucket_));
  ASSERT_FALSE(outcome.isSuccess());
  EXPECT_EQ(outcome.error().Code(), "ValidateError");
  SetBucketEncryptionRequest aes(bucket_, SSEAlgorithm::AES256, "key-with-aes");
  auto bad = client_->SetBucketEncryption(aes);
  ASSERT_FALSE(bad.isSuccess());
  EXPECT_EQ(bad.error().ClientStatus(), OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(bad.error().Code(), "ClientError:INVALID_ARGUMENT");
  EXPECT_NE(bad.error().Message().find("only valid with algorithm KMS"), std::string::npos);
  EXPECT_EQ(bad.error().Status(), 0);
}

TEST_F(OssClientTest, PutObjectWithSseHeaderLikeTheOfficialSdk) {
  ObjectMetaData meta;
  meta.addHeader("x-oss-server-side-encryption", "KMS");
  meta.addHeader("x-oss-server-side-encryption-key-id", env("OSSBRIDGE_TEST_KMS_KEY_ID"));
  meta.setContentType("text/plain");
  meta.UserMetaData()["owner"] = "cpp";
  auto content = std::make_shared<std::stringstream>();
  *content << "encrypted with KMS";
  auto put = client_->PutObject(PutObjectRequest(bucket_, key("kms.txt"), content, meta));
  ASSERT_TRUE(put.isSuccess()) << put.error().Code() << ": " << put.error().Message();
  EXPECT_FALSE(put.result().ETag().empty());
  EXPECT_FALSE(put.result().RequestId().empty());
  EXPECT_NE(put.result().CRC64(), 0u);
  EXPECT_EQ(put.result().ServerSideEncryption(), "KMS");
  EXPECT_EQ(put.result().ServerSideEncryptionKeyId(), env("OSSBRIDGE_TEST_KMS_KEY_ID"));

  auto head = client_->HeadObject(bucket_, "kms.txt");
  ASSERT_TRUE(head.isSuccess());
  EXPECT_EQ(head.result().HttpMetaData()["x-oss-server-side-encryption"], "KMS");
  EXPECT_EQ(head.result().HttpMetaData()["X-Oss-Server-Side-Encryption-Key-Id"], env("OSSBRIDGE_TEST_KMS_KEY_ID"));
  EXPECT_EQ(head.result().ServerSideEncryption(), "KMS");
  EXPECT_EQ(head.result().ContentType(), "text/plain");
  EXPECT_EQ(head.result().ContentLength(), 18);
  EXPECT_EQ(head.result().UserMetaData().at("owner"), "cpp");
  EXPECT_EQ(head.result().CRC64(), put.result().CRC64());
  EXPECT_EQ(head.result().ETag(), put.result().ETag());

  auto get = client_->GetObject(GetObjectRequest(bucket_, "kms.txt"));
  ASSERT_TRUE(get.isSuccess());
  std::ostringstream body;
  body << get.result().Content()->rdbuf();
  EXPECT_EQ(body.str(), "encrypted with KMS");
  EXPECT_EQ(get.result().Metadata().ServerSideEncryption(), "KMS");
}

TEST_F(OssClientTest, PutAndGetFilesWithSm4) {
  const std::string data = random_bytes(200 * 1024, 3), src = tmp_path("src.bin"), dst = tmp_path("dst.bin");
  std::ofstream(src, std::ios::binary) << data;
  ObjectMetaData meta;
  meta.addHeader("x-oss-server-side-encryption", "SM4");
  auto put = client_->PutObject(bucket_, key("file.bin"), src, meta);
  ASSERT_TRUE(put.isSuccess()) << put.error().Message();
  EXPECT_EQ(put.result().ServerSideEncryption(), "SM4");
  auto get = client_->GetObject(bucket_, "file.bin", dst);
  ASSERT_TRUE(get.isSuccess()) << get.error().Message();
  EXPECT_EQ(read_all(dst), data);
  EXPECT_EQ(get.result().Metadata().ServerSideEncryption(), "SM4");
  std::remove(src.c_str());
  std::remove(dst.c_str());
}

TEST_F(OssClientTest, MissingObjectErrorsCarryEveryField) {
  auto get = client_->GetObject(bucket_, "missing");
  ASSERT_FALSE(get.isSuccess());
  expect_service_error(get.error(), 404, "NoSuchKey");
  auto head = client_->HeadObject(bucket_, "missing");
  ASSERT_FALSE(head.isSuccess());
  expect_service_error(head.error(), 404, "NoSuchKey");
}

TEST_F(OssClientTest, CopyObjectEncryptsTheCopy) {
  auto content = std::make_shared<std::stringstream>("plain text");
  ASSERT_TRUE(client_->PutObject(bucket_, key("plain.txt"), content).isSuccess());
  ObjectMetaData meta;
  meta.addHeader("x-oss-server-side-encryption", "AES256");
  CopyObjectRequest request(bucket_, key("copy.txt"), meta);
  request.setCopySource(bucket_, "plain.txt");
  auto copy = client_->CopyObject(request);
  ASSERT_TRUE(copy.isSuccess()) << copy.error().Message();
  EXPECT_FALSE(copy.result().ETag().empty());
  EXPECT_EQ(copy.result().ServerSideEncryption(), "AES256");
  auto head = client_->HeadObject(bucket_, "copy.txt");
  ASSERT_TRUE(head.isSuccess());
  EXPECT_EQ(head.result().ServerSideEncryption(), "AES256");

  CopyObjectRequest missing(bucket_, "never.txt");
  missing.setCopySource(bucket_, "missing.txt");
  auto failed = client_->CopyObject(missing);
  ASSERT_FALSE(failed.isSuccess());
  expect_service_error(failed.error(), 404, "NoSuchKey");
}

TEST_F(OssClientTest, DeleteObject) {
  ASSERT_TRUE(client_->PutObject(bucket_, "gone.txt", std::make_shared<std::stringstream>("x")).isSuccess());
  ASSERT_TRUE(client_->DeleteObject(bucket_, "gone.txt").isSuccess());
  auto head = client_->HeadObject(bucket_, "gone.txt");
  ASSERT_FALSE(head.isSuccess());
  EXPECT_EQ(head.error().Code(), "NoSuchKey");
}

TEST_F(OssClientTest, ResumableUploadObjectWithKms) {
  const std::string data = random_bytes(700 * 1024, 5), src = tmp_path("resumable.bin");
  std::ofstream(src, std::ios::binary) << data;
  ObjectMetaData meta;
  meta.addHeader("x-oss-server-side-encryption", "KMS");
  UploadObjectRequest request(bucket_, key("dir/resumable.bin"), src, env("OSSBRIDGE_TEST_TMPDIR"), 100 * 1024, 3,
                              meta);
  auto upload = client_->ResumableUploadObject(request);
  ASSERT_TRUE(upload.isSuccess()) << upload.error().Message();
  EXPECT_FALSE(upload.result().UploadId().empty());
  EXPECT_EQ(upload.result().ServerSideEncryption(), "KMS");
  std::ifstream checkpoint(request.CheckpointFile());
  EXPECT_FALSE(checkpoint.good()) << "the checkpoint is removed after success";
  auto get = client_->GetObject(bucket_, "dir/resumable.bin");
  ASSERT_TRUE(get.isSuccess());
  std::ostringstream body;
  body << get.result().Content()->rdbuf();
  EXPECT_EQ(body.str(), data);
  EXPECT_EQ(get.result().Metadata().CRC64(), upload.result().CRC64());
  std::remove(src.c_str());
}

TEST_F(OssClientTest, PresignedUrlAndV4WithRegion) {
  ClientConfiguration conf;
  conf.signatureVersion = SignatureVersionType::V4;
  OssClient v4(endpoint_, env("OSSBRIDGE_TEST_ACCESS_KEY_ID"), env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET"), conf);
  auto without_region = v4.PutObject(bucket_, "v4.txt", std::make_shared<std::stringstream>("v4"));
  ASSERT_FALSE(without_region.isSuccess());
  EXPECT_EQ(without_region.error().Code(), "ClientError:INVALID_ARGUMENT");
  EXPECT_NE(without_region.error().Message().find("region"), std::string::npos);

  v4.SetRegion("cn-hangzhou");
  ASSERT_TRUE(v4.PutObject(bucket_, key("v4.txt"), std::make_shared<std::stringstream>("v4")).isSuccess());
  auto url = v4.GeneratePresignedUrl(bucket_, "v4.txt", std::time(nullptr) + 600, Http::Get);
  ASSERT_TRUE(url.isSuccess()) << url.error().Message();
  EXPECT_EQ(url.result().rfind(endpoint_, 0), 0u);
  EXPECT_NE(url.result().find("x-oss-signature"), std::string::npos);
  auto past = v4.GeneratePresignedUrl(bucket_, "v4.txt", std::time(nullptr) - 1);
  ASSERT_FALSE(past.isSuccess());
  EXPECT_EQ(past.error().Code(), "ValidateError");
}

TEST_F(OssClientTest, WrongSecretIsSignatureDoesNotMatch) {
  OssClient bad(endpoint_, std::make_shared<SimpleCredentialsProvider>(env("OSSBRIDGE_TEST_ACCESS_KEY_ID"), "nope"),
                ClientConfiguration());
  auto outcome = bad.GetObject(bucket_, "anything");
  ASSERT_FALSE(outcome.isSuccess());
  expect_service_error(outcome.error(), 403, "SignatureDoesNotMatch");
}

TEST_F(OssClientTest, UnreachableEndpointIsANetworkError) {
  ClientConfiguration conf;
  conf.connectTimeoutMs = 1000;
  OssClient nowhere("http://127.0.0.1:1", "id", "secret", conf);
  auto outcome = nowhere.DeleteObject(bucket_, "k");
  ASSERT_FALSE(outcome.isSuccess());
  EXPECT_EQ(outcome.error().ClientStatus(), OSSBRIDGE_STATUS_NETWORK);
  EXPECT_EQ(outcome.error().Code(), "ClientError:NETWORK");
  EXPECT_EQ(outcome.error().Status(), 0);
  EXPECT_TRUE(outcome.error().RequestId().empty());
}

// ---- listing ----

// Keys a/k00..a/k11 (sizes 0..11), b/x, c/d/e and top.txt; returns the ETag of every a/ key.
std::map<std::string, std::string> put_listing_keys(OssClient &client, const std::string &bucket,
                                                     const std::function<std::string(const std::string &)> &key) {
  std::map<std::string, std::string> etags;
  char name[16];
  for (int i = 0; i < 12; i++) {
    std::snprintf(name, sizeof name, "a/k%02d", i);
    auto put = client.PutObject(bucket, key(name), std::make_shared<std::stringstream>(std::string(i, 'x')));
    EXPECT_TRUE(put.isSuccess()) << put.error().Message();
    etags[name] = put.result().ETag();
  }
  for (const char *k : {"b/x", "c/d/e", "top.txt"})
    EXPECT_TRUE(client.PutObject(bucket, key(k), std::make_shared<std::stringstream>("1")).isSuccess());
  return etags;
}

TEST_F(OssClientTest, ListObjectsV2PagesReturnEveryKeyOnce) {
  auto etags = put_listing_keys(*client_, bucket_, [this](const std::string &k) { return key(k); });
  ListObjectsV2Request request(bucket_);
  request.setPrefix("a/");
  request.setMaxKeys(5);
  std::map<std::string, int> seen;
  std::vector<size_t> page_sizes;
  bool truncated = true;
  while (truncated && page_sizes.size() < 10) {
    auto outcome = client_->ListObjectsV2(request);
    ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Code() << ": " << outcome.error().Message();
    const auto &result = outcome.result();
    EXPECT_FALSE(result.RequestId().empty());
    EXPECT_EQ(result.Name(), bucket_);
    EXPECT_EQ(result.Prefix(), "a/");
    EXPECT_EQ(result.MaxKeys(), 5);
    EXPECT_EQ(result.KeyCount(), static_cast<int>(result.ObjectSummarys().size()));
    EXPECT_TRUE(result.CommonPrefixes().empty());
    page_sizes.push_back(result.ObjectSummarys().size());
    for (const auto &object : result.ObjectSummarys()) {
      seen[object.Key()]++;
      EXPECT_EQ(object.Size(), std::stoi(object.Key().substr(3)));
      EXPECT_EQ(object.ETag(), etags[object.Key()]);
      EXPECT_EQ(object.StorageClass(), "Standard");
      EXPECT_EQ(object.Type(), "Normal");
      EXPECT_GE(object.LastModified().size(), 20u);
    }
    truncated = result.IsTruncated();
    EXPECT_EQ(result.NextContinuationToken().empty(), !truncated);
    request.setContinuationToken(result.NextContinuationToken());
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{5, 5, 2}));
  ASSERT_EQ(seen.size(), 12u);
  for (const auto &entry : seen) EXPECT_EQ(entry.second, 1) << entry.first;

  // start-after skips the keys up to and including it.
  ListObjectsV2Request after(bucket_);
  after.setPrefix("a/");
  after.setStartAfter("a/k09");
  auto rest = client_->ListObjectsV2(after);
  ASSERT_TRUE(rest.isSuccess());
  ASSERT_EQ(rest.result().ObjectSummarys().size(), 2u);
  EXPECT_EQ(rest.result().ObjectSummarys()[0].Key(), "a/k10");
  EXPECT_EQ(rest.result().StartAfter(), "a/k09");
}

// The official SDK's paging loop over ListObjects: the marker walks keys and common prefixes.
TEST_F(OssClientTest, ListObjectsWithDelimiterAndMarkerLikeTheOfficialSample) {
  put_listing_keys(*client_, bucket_, [this](const std::string &k) { return key(k); });
  ListObjectsRequest request(bucket_);
  request.setDelimiter("/");
  request.setMaxKeys(2);
  std::vector<std::string> prefixes, keys, markers;
  bool isTruncated = false;
  int pages = 0;
  do {
    auto outcome = client_->ListObjects(request);
    ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Code() << ": " << outcome.error().Message();
    for (const auto &p : outcome.result().CommonPrefixes()) prefixes.push_back(p);
    for (const auto &o : outcome.result().ObjectSummarys()) keys.push_back(o.Key());
    EXPECT_EQ(outcome.result().Delimiter(), "/");
    request.setMarker(outcome.result().NextMarker());
    markers.push_back(outcome.result().NextMarker());
    isTruncated = outcome.result().IsTruncated();
  } while (isTruncated && ++pages < 10);
  EXPECT_EQ(prefixes, (std::vector<std::string>{"a/", "b/", "c/"}));
  EXPECT_EQ(keys, (std::vector<std::string>{"top.txt"}));
  EXPECT_EQ(markers, (std::vector<std::string>{"b/", ""}));

  // A marker that is a key; and the (bucket, prefix) overload.
  ListObjectsRequest from(bucket_);
  from.setPrefix("a/");
  from.setMarker("a/k05");
  auto after = client_->ListObjects(from);
  ASSERT_TRUE(after.isSuccess());
  ASSERT_EQ(after.result().ObjectSummarys().size(), 6u);
  EXPECT_EQ(after.result().ObjectSummarys().front().Key(), "a/k06");
  EXPECT_EQ(after.result().Marker(), "a/k05");
  EXPECT_FALSE(after.result().IsTruncated());
  EXPECT_TRUE(after.result().NextMarker().empty());
  auto nested = client_->ListObjects(bucket_, "c/");
  ASSERT_TRUE(nested.isSuccess());
  ASSERT_EQ(nested.result().ObjectSummarys().size(), 1u);
  EXPECT_EQ(nested.result().ObjectSummarys()[0].Key(), "c/d/e");
  auto all = client_->ListObjects(bucket_);
  ASSERT_TRUE(all.isSuccess());
  EXPECT_EQ(all.result().ObjectSummarys().size(), 15u);
}

// ListObjects (V1) paging: setMarker(NextMarker()) walks every key once, in order; NextMarker() is
// what OSS answered (the page's last key here).
TEST_F(OssClientTest, ListObjectsPagesFollowNextMarker) {
  auto etags = put_listing_keys(*client_, bucket_, [this](const std::string &k) { return key(k); });
  ListObjectsRequest request(bucket_);
  request.setPrefix("a/");
  request.setMaxKeys(5);
  std::vector<std::string> keys;
  std::vector<size_t> page_sizes;
  bool truncated = true;
  while (truncated && page_sizes.size() < 10) {
    auto outcome = client_->ListObjects(request);
    ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Code() << ": " << outcome.error().Message();
    const auto &result = outcome.result();
    EXPECT_FALSE(result.RequestId().empty());
    EXPECT_EQ(result.Name(), bucket_);
    EXPECT_EQ(result.Marker(), request.Marker());
    EXPECT_EQ(result.MaxKeys(), 5);
    page_sizes.push_back(result.ObjectSummarys().size());
    for (const auto &object : result.ObjectSummarys()) {
      keys.push_back(object.Key());
      EXPECT_EQ(object.ETag(), etags[object.Key()]);
      EXPECT_EQ(object.Size(), std::stoi(object.Key().substr(3)));
    }
    truncated = result.IsTruncated();
    if (truncated && !result.ObjectSummarys().empty()) {
      EXPECT_EQ(result.NextMarker(), result.ObjectSummarys().back().Key());
    }
    EXPECT_EQ(result.NextMarker().empty(), !truncated);
    request.setMarker(result.NextMarker());
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{5, 5, 2}));
  std::vector<std::string> expected;
  for (const auto &entry : etags) expected.push_back(entry.first);  // std::map: key order
  EXPECT_EQ(keys, expected);

  // One entry per page with a delimiter: pages ending on a common prefix continue after it.
  ListObjectsRequest grouped(bucket_);
  grouped.setDelimiter("/");
  grouped.setMaxKeys(1);
  std::vector<std::string> entries, markers;
  for (int pages = 0; pages < 10; pages++) {
    auto outcome = client_->ListObjects(grouped);
    ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Message();
    for (const auto &p : outcome.result().CommonPrefixes()) entries.push_back(p);
    for (const auto &o : outcome.result().ObjectSummarys()) entries.push_back(o.Key());
    markers.push_back(outcome.result().NextMarker());
    if (!outcome.result().IsTruncated()) break;
    grouped.setMarker(outcome.result().NextMarker());
  }
  EXPECT_EQ(entries, (std::vector<std::string>{"a/", "b/", "c/", "top.txt"}));
  EXPECT_EQ(markers, (std::vector<std::string>{"a/", "b/", "c/", ""}));

  auto missing = client_->ListObjects(bucket_ + "-missing");
  ASSERT_FALSE(missing.isSuccess());
  expect_service_error(missing.error(), 404, "NoSuchBucket");
}

TEST_F(OssClientTest, EmptyListingsAndBadBuckets) {
  auto empty = client_->ListObjects(bucket_);
  ASSERT_TRUE(empty.isSuccess());
  EXPECT_TRUE(empty.result().ObjectSummarys().empty());
  EXPECT_TRUE(empty.result().CommonPrefixes().empty());
  EXPECT_FALSE(empty.result().IsTruncated());
  ListObjectsV2Request none(bucket_);
  none.setPrefix("nothing/");
  auto empty_v2 = client_->ListObjectsV2(none);
  ASSERT_TRUE(empty_v2.isSuccess());
  EXPECT_EQ(empty_v2.result().KeyCount(), 0);
  EXPECT_TRUE(empty_v2.result().NextContinuationToken().empty());

  auto bad = client_->ListObjects("Bad_Bucket");
  ASSERT_FALSE(bad.isSuccess());
  EXPECT_EQ(bad.error().ClientStatus(), OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(bad.error().Code(), "ClientError:INVALID_ARGUMENT");
  EXPECT_NE(bad.error().Message().find("invalid bucket name \"Bad_Bucket\""), std::string::npos)
      << bad.error().Message();
  auto missing = client_->ListObjectsV2(ListObjectsV2Request(bucket_ + "-missing"));
  ASSERT_FALSE(missing.isSuccess());
  expect_service_error(missing.error(), 404, "NoSuchBucket");
  ListObjectsRequest negative(bucket_);
  negative.setMaxKeys(-1);
  auto refused = client_->ListObjects(negative);
  ASSERT_FALSE(refused.isSuccess());
  EXPECT_EQ(refused.error().Code(), "ValidateError");
}

TEST_F(OssClientTest, ListBucketsShowsTheCreatedBucket) {
  auto outcome = client_->ListBuckets();
  ASSERT_TRUE(outcome.isSuccess()) << outcome.error().Code() << ": " << outcome.error().Message();
  EXPECT_FALSE(outcome.result().RequestId().empty());
  const Bucket *found = nullptr;
  for (const auto &bucket : outcome.result().Buckets())
    if (bucket.Name() == bucket_) found = &bucket;
  ASSERT_NE(found, nullptr) << bucket_ << " not listed";
  EXPECT_EQ(found->Location(), "oss-cn-hangzhou");
  EXPECT_EQ(found->Region(), "cn-hangzhou");
  EXPECT_GE(found->CreationDate().size(), 20u);
  EXPECT_FALSE(found->ExtranetEndpoint().empty());
  EXPECT_EQ(found->StorageClass(), StorageClass::Standard);

  auto second = client_->CreateBucket(bucket_ + "-2");
  ASSERT_TRUE(second.isSuccess());
  auto page = client_->ListBuckets(ListBucketsRequest(bucket_, "", 1));
  auto next = client_->ListBuckets(ListBucketsRequest(bucket_, page.result().NextMarker(), 1));
  EXPECT_TRUE(client_->DeleteBucket(bucket_ + "-2").isSuccess());
  ASSERT_TRUE(page.isSuccess() && next.isSuccess());
  ASSERT_EQ(page.result().Buckets().size(), 1u);
  EXPECT_EQ(page.result().Buckets()[0].Name(), bucket_);
  EXPECT_TRUE(page.result().IsTruncated());
  EXPECT_EQ(page.result().NextMarker(), bucket_);
  EXPECT_EQ(page.result().Prefix(), bucket_);
  ASSERT_EQ(next.result().Buckets().size(), 1u);
  EXPECT_EQ(next.result().Buckets()[0].Name(), bucket_ + "-2");
  EXPECT_FALSE(next.result().IsTruncated());
}

TEST_F(OssClientTest, RangedGetObject) {
  const std::string data = random_bytes(1000, 5);
  auto put = client_->PutObject(bucket_, key("range.bin"), std::make_shared<std::stringstream>(data));
  ASSERT_TRUE(put.isSuccess());
  auto read = [&](const GetObjectRequest &request, std::string &out) {
    auto outcome = client_->GetObject(request);
    if (outcome.isSuccess()) {
      std::ostringstream body;
      body << outcome.result().Content()->rdbuf();
      out = body.str();
    }
    return outcome;
  };
  GetObjectRequest request(bucket_, "range.bin");
  request.setRange(100, 199);
  std::string body;
  auto part = read(request, body);
  ASSERT_TRUE(part.isSuccess()) << part.error().Message();
  EXPECT_EQ(body, data.substr(100, 100));
  EXPECT_EQ(part.result().Metadata().ContentLength(), 100);
  EXPECT_EQ(part.result().Metadata().HttpMetaData().at("Content-Range"), "bytes 100-199/1000");

  request.setRange(990, -1);
  ASSERT_TRUE(read(request, body).isSuccess());
  EXPECT_EQ(body, data.substr(990));

  // Conditions: a matching ETag reads, another one is 412.
  request.addMatchingETagConstraint(put.result().ETag());
  ASSERT_TRUE(read(request, body).isSuccess());
  EXPECT_EQ(body, data.substr(990));
  GetObjectRequest stale(bucket_, "range.bin");
  stale.addMatchingETagConstraint("\"0123456789abcdef0123456789abcdef\"");
  auto refused = read(stale, body);
  ASSERT_FALSE(refused.isSuccess());
  expect_service_error(refused.error(), 412, "PreconditionFailed");

  GetObjectRequest backwards(bucket_, "range.bin");
  backwards.setRange(200, 100);
  auto invalid = read(backwards, body);
  ASSERT_FALSE(invalid.isSuccess());
  EXPECT_EQ(invalid.error().ClientStatus(), OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  GetObjectRequest negative(bucket_, "range.bin");
  negative.setRange(-5, 10);
  auto rejected = read(negative, body);
  ASSERT_FALSE(rejected.isSuccess());
  EXPECT_EQ(rejected.error().Code(), "ValidateError");
}

TEST_F(OssClientTest, EncryptionClientWithRsaMaterialsRoundTripsAndRanges) {
  const std::string dir = env("OSSBRIDGE_TEST_RSA_KEY_DIR");
  auto materials = std::make_shared<SimpleRSAEncryptionMaterials>(read_all(dir + "/rsa2048_B.public_spki.pem"),
                                                                  read_all(dir + "/rsa2048_B.private_pkcs1.pem"));
  CryptoConfiguration cryptoConf;
  cryptoConf.mode = CryptoMode::Authenticated;
  OssEncryptionClient client(endpoint_, env("OSSBRIDGE_TEST_ACCESS_KEY_ID"), env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET"),
                             ClientConfiguration(), materials, cryptoConf);
  const std::string data = random_bytes(150 * 1024, 9);
  auto put = client.PutObject(bucket_, key("cse.bin"), std::make_shared<std::stringstream>(data));
  ASSERT_TRUE(put.isSuccess()) << put.error().Code() << ": " << put.error().Message();

  auto whole = client.GetObject(bucket_, "cse.bin");
  ASSERT_TRUE(whole.isSuccess()) << whole.error().Message();
  std::ostringstream body;
  body << whole.result().Content()->rdbuf();
  EXPECT_EQ(body.str(), data);
  EXPECT_NE(whole.result().Metadata().UserMetaData().count("client-side-encryption-key"), 0u);

  GetObjectRequest ranged(bucket_, "cse.bin");
  ranged.setRange(70000, 70099);
  auto part = client.GetObject(ranged);
  ASSERT_TRUE(part.isSuccess()) << part.error().Message();
  std::ostringstream slice;
  slice << part.result().Content()->rdbuf();
  EXPECT_EQ(slice.str(), data.substr(70000, 100));

  // The plain client sees ciphertext.
  auto raw = client_->GetObject(bucket_, "cse.bin");
  ASSERT_TRUE(raw.isSuccess());
  std::ostringstream stored;
  stored << raw.result().Content()->rdbuf();
  EXPECT_NE(stored.str().substr(0, 100), data.substr(0, 100));

  // Another key cannot read it, and says so.
  OssEncryptionClient other(endpoint_, env("OSSBRIDGE_TEST_ACCESS_KEY_ID"), env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET"),
                            ClientConfiguration(),
                            std::make_shared<AesKeyEncryptionMaterials>("0123456789abcdef0123456789abcdef"),
                            CryptoConfiguration());
  auto refused = other.GetObject(bucket_, "cse.bin");
  ASSERT_FALSE(refused.isSuccess());
  EXPECT_EQ(refused.error().ClientStatus(), OSSBRIDGE_STATUS_CRYPTO);
  EXPECT_EQ(refused.error().Code(), "ClientError:CRYPTO");

  OssEncryptionClient bad_key(endpoint_, env("OSSBRIDGE_TEST_ACCESS_KEY_ID"), env("OSSBRIDGE_TEST_ACCESS_KEY_SECRET"),
                              ClientConfiguration(), std::make_shared<SimpleRSAEncryptionMaterials>("junk", ""),
                              CryptoConfiguration());
  auto unusable = bad_key.PutObject(bucket_, "never", std::make_shared<std::stringstream>("x"));
  ASSERT_FALSE(unusable.isSuccess());
  EXPECT_EQ(unusable.error().Code(), "ClientError:INVALID_ARGUMENT");
}

}  // namespace
