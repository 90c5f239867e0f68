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
