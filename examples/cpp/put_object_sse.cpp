// Upload with server-side encryption the way the official C++ SDK does it (an
// x-oss-server-side-encryption header on ObjectMetaData), then read back what OSS reports and list
// the directory.
// The endpoint comes from OSS_ENDPOINT, credentials from OSS_ACCESS_KEY_ID / _SECRET.
#include <ossbridge.hpp>
using namespace ossbridge;

int main()
{
    std::string Endpoint = std::getenv("OSS_ENDPOINT");
    std::string BucketName = "examplebucket";
    std::string ObjectName = "exampledir/exampleobject-cpp.txt";

    InitializeSdk();
    ClientConfiguration conf;
    auto credentialsProvider = std::make_shared<EnvironmentVariableCredentialsProvider>();
    OssClient client(Endpoint, credentialsProvider, conf);

    /* The guide's SetBucketEncryption sample expects the bucket to exist. */
    auto created = client.CreateBucket(BucketName);
    if (!created.isSuccess() && created.error().Code() != "BucketAlreadyExists") {
        std::cout << "CreateBucket fail,code:" << created.error().Code() << ",message:" << created.error().Message() << std::endl;
        return -1;
    }

    ObjectMetaData meta;
    meta.addHeader("x-oss-server-side-encryption", "AES256");
    auto content = std::make_shared<std::stringstream>();
    *content << "Thank you for using Aliyun Object Storage Service!";
    PutObjectRequest request(BucketName, ObjectName, content, meta);
    auto outcome = client.PutObject(request);
    if (!outcome.isSuccess()) {
        std::cout << "PutObject fail" <<
        ",code:" << outcome.error().Code() <<
        ",message:" << outcome.error().Message() <<
        ",requestId:" << outcome.error().RequestId() << std::endl;
        return -1;
    }
    std::cout << "PutObject " << ObjectName << ": ETag " << outcome.result().ETag()
              << ", requestId " << outcome.result().RequestId() << std::endl;

    auto head = client.HeadObject(BucketName, ObjectName);
    if (!head.isSuccess()) {
        std::cout << "HeadObject fail,code:" << head.error().Code() << std::endl;
        return -1;
    }
    std::cout << "HeadObject: " << head.result().ContentLength() << " bytes, x-oss-server-side-encryption: "
              << head.result().HttpMetaData()["x-oss-server-side-encryption"] << std::endl;

    ListObjectsRequest listRequest(BucketName);
    listRequest.setPrefix("exampledir/");
    auto listed = client.ListObjects(listRequest);
    if (!listed.isSuccess()) {
        std::cout << "ListObjects fail,code:" << listed.error().Code() << std::endl;
        return -1;
    }
    for (const auto& object : listed.result().ObjectSummarys())
        std::cout << "ListObjects: " << object.Key() << ", " << object.Size() << " bytes, " << object.StorageClass() << std::endl;

    auto missing = client.GetObject(BucketName, "exampledir/does-not-exist");
    std::cout << "GetObject of a missing key: code " << missing.error().Code() << ", message " << missing.error().Message()
              << ", requestId " << missing.error().RequestId() << ", HTTP " << missing.error().Status() << std::endl;

    ShutdownSdk();
    return 0;
}
