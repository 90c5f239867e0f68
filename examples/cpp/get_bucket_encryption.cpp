// Reads the bucket's default encryption (after set_bucket_encryption, the guide's sample, ran).
#include <ossbridge.hpp>
using namespace ossbridge;

int main()
{
    std::string Endpoint = std::getenv("OSS_ENDPOINT");
    std::string BucketName = "examplebucket";
    ClientConfiguration conf;
    OssClient client(Endpoint, std::make_shared<EnvironmentVariableCredentialsProvider>(), conf);
    auto outcome = client.GetBucketEncryption(GetBucketEncryptionRequest(BucketName));
    if (!outcome.isSuccess()) {
        std::cout << "GetBucketEncryption fail,code:" << outcome.error().Code() << ",message:" << outcome.error().Message()
                  << ",requestId:" << outcome.error().RequestId() << std::endl;
        return -1;
    }
    const char *algorithm = ToSSEAlgorithmName(outcome.result().SSEAlgorithm());
    std::cout << "GetBucketEncryption " << BucketName << ": SSEAlgorithm " << (algorithm ? algorithm : "NotSet")
              << ", KMSMasterKeyID '" << outcome.result().KMSMasterKeyID() << "'" << std::endl;
    return outcome.result().SSEAlgorithm() == SSEAlgorithm::KMS ? 0 : 1;
}
