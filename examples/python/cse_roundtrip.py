"""Client-side encryption as in oss2: ``CryptoBucket`` + ``RsaProvider`` (an RSA key pair from
tests/vectors/cse/keys). Writes an object encrypted on the client, shows what OSS stores
(encrypted bytes and the client-side-encryption metadata), and checks the read-back."""
import os
import sys
import uuid

import ossbridge
from ossbridge.credentials import EnvironmentVariableCredentialsProvider

keys = sys.argv[1]
endpoint = os.environ["OSS_ENDPOINT"]
auth = ossbridge.ProviderAuth(EnvironmentVariableCredentialsProvider())
bucket_name = "cse-python-" + uuid.uuid4().hex[:8]
plain_bucket = ossbridge.Bucket(auth, endpoint, bucket_name)
plain_bucket.create_bucket()

with open(os.path.join(keys, "rsa2048_A.public_pkcs1.pem")) as f:
    public_key = f.read()
with open(os.path.join(keys, "rsa2048_A.private_pkcs1.pem")) as f:
    private_key = f.read()
provider = ossbridge.RsaProvider(key_pair={"public_key": public_key, "private_key": private_key})
bucket = ossbridge.CryptoBucket(auth, endpoint, bucket_name, crypto_provider=provider)

plaintext = os.urandom(10000)
bucket.put_object("cse-rsa.bin", plaintext)
stored = plain_bucket.get_object("cse-rsa.bin")
stored_bytes = stored.read()
meta = {k[len("x-oss-meta-client-side-encryption-"):]: v for k, v in stored.headers.items()
        if k.lower().startswith("x-oss-meta-client-side-encryption-")}
short = " ".join(f"{k}={v[:24] + '...' if len(v) > 24 else v}" for k, v in sorted(meta.items()))
print(f"python CSE (CryptoBucket + RsaProvider): wrote {bucket_name}/cse-rsa.bin: {len(plaintext)} plaintext bytes "
      f"stored as {len(stored_bytes)} encrypted bytes (differ from plaintext: {stored_bytes != plaintext}); metadata {short}")
back = bucket.get_object("cse-rsa.bin").read()
print(f"python CSE (CryptoBucket + RsaProvider): read back {len(back)} bytes, matches: {back == plaintext}")
assert back == plaintext and stored_bytes != plaintext and meta
