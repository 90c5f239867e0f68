// Not a guide sample: creates the buckets the samples expect (before) and checks what they
// did (after), since the samples only print their result or their error.
const fs = require("fs");
const OSS = require("ossbridge");

const client = new OSS({
  region: process.env.OSS_REGION || "cn-hangzhou",
  endpoint: process.env.OSS_ENDPOINT,
  accessKeyId: process.env.OSS_ACCESS_KEY_ID,
  accessKeySecret: process.env.OSS_ACCESS_KEY_SECRET,
});

async function before() {
  for (const name of ["bucket-name", "examplebucket"]) {
    try {
      await client.putBucket(name);
    } catch (e) {
      // Another language's demo may have created it on the same server.
      if (e.code !== "BucketAlreadyExists") throw e;
    }
  }
}

async function after(localFile) {
  const rule = await client.getBucketEncryption("bucket-name");
  if (rule.encryption.SSEAlgorithm !== "AES256") throw new Error(`bucket-name rule is ${JSON.stringify(rule.encryption)}`);
  client.useBucket("examplebucket");
  const head = await client.head("exampledir/exampleobject.txt");
  if (head.serverSideEncryption !== "AES256") throw new Error(`object SSE is ${head.serverSideEncryption}`);
  const got = await client.get("exampledir/exampleobject.txt");
  if (!got.content.equals(fs.readFileSync(localFile))) throw new Error("downloaded object differs from the local file");
  console.log("checked: bucket-name has an AES256 rule; exampledir/exampleobject.txt is AES256-encrypted and intact");
}

const [step, arg] = process.argv.slice(2);
(step === "before" ? before() : after(arg)).catch((e) => {
  console.error(`check ${step} failed:`, e);
  process.exit(1);
});
