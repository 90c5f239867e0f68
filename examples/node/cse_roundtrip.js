// Client-side encryption through the Node EncryptionClient (alibabacloud-oss-v2's naming):
// an RSA key pair generated now, an object encrypted before upload, what OSS stores
// (encrypted bytes and the client-side-encryption metadata), and the read-back checked.
const crypto = require("crypto");
const OSS = require("ossbridge");

async function main() {
  const client = new OSS({
    region: process.env.OSS_REGION || "cn-hangzhou",
    endpoint: process.env.OSS_ENDPOINT,
    accessKeyId: process.env.OSS_ACCESS_KEY_ID,
    accessKeySecret: process.env.OSS_ACCESS_KEY_SECRET,
  });
  const bucket = `cse-node-${crypto.randomBytes(4).toString("hex")}`;
  await client.putBucket(bucket);
  client.useBucket(bucket);

  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const masterKey = {
    publicKey: publicKey.export({ type: "spki", format: "pem" }),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }),
  };
  const ec = new OSS.EncryptionClient(client, { masterKey });

  const plain = crypto.randomBytes(10000);
  await ec.put("cse-rsa.bin", plain);
  const stored = await client.get("cse-rsa.bin");
  const prefix = "x-oss-meta-client-side-encryption-";
  const meta = Object.entries(stored.res.headers)
    .filter(([k]) => k.toLowerCase().startsWith(prefix))
    .map(([k, v]) => `${k.slice(prefix.length)}=${v.length > 24 ? v.slice(0, 24) + "..." : v}`)
    .sort();
  const differs = !stored.content.equals(plain);
  console.log(
    `node CSE (EncryptionClient, RSA master key): wrote ${bucket}/cse-rsa.bin: ${plain.length} plaintext bytes ` +
      `stored as ${stored.content.length} encrypted bytes (differ from plaintext: ${differs}); metadata ${meta.join(" ")}`
  );
  const back = await ec.get("cse-rsa.bin");
  const matches = back.content.equals(plain);
  console.log(`node CSE (EncryptionClient, RSA master key): read back ${back.content.length} bytes, matches: ${matches}`);
  if (!matches || !differs || meta.length === 0) throw new Error("client-side encryption round trip failed");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
