/* The guide's server-side encryption flows through the C API:
 *   sse_demo ENDPOINT
 * Credentials come from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET, the region from OSS_REGION
 * (default cn-hangzhou). Creates the bucket examplebucket-c, and removes it again at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ossbridge.h>

static const char *BUCKET = "examplebucket-c";

/* Prints a failed call's error with every field OSS sent, and frees it. */
static int report(const char *what, ossbridge_status status, ossbridge_error *err) {
  if (status == OSSBRIDGE_STATUS_OK) return 0;
  printf("%s failed: %s (HTTP %u) code=%s message=%s request_id=%s host_id=%s ec=%s\n", what,
         ossbridge_status_name(status), err->http_status, err->code, err->message, err->request_id, err->host_id,
         err->ec);
  ossbridge_error_free(err);
  return 1;
}

static const char *or_none(const char *s) { return s ? s : "(none)"; }

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s ENDPOINT\n", argv[0]);
    return 2;
  }
  const char *region = getenv("OSS_REGION") ? getenv("OSS_REGION") : "cn-hangzhou";
  ossbridge_error *err = NULL;
  ossbridge_status st;

  ossbridge_config *config = ossbridge_config_new();
  ossbridge_config_set_endpoint(config, argv[1], NULL);
  ossbridge_config_set_region(config, region, NULL); /* V4 signing (the default) needs it */
  ossbridge_client *client = NULL;
  st = ossbridge_client_new(config, &client, &err);
  ossbridge_config_free(config);
  if (report("ossbridge_client_new", st, err)) return 1;

  st = ossbridge_client_create_bucket(client, BUCKET, &err);
  if (st == OSSBRIDGE_STATUS_SERVICE && strcmp(err->code, "BucketAlreadyExists") == 0) {
    ossbridge_error_free(err);
  } else if (report("create_bucket", st, err)) {
    return 1;
  }

  /* Method 1: default encryption of the bucket (SSE-KMS with the default CMK). */
  ossbridge_bucket_encryption_rule rule = {"KMS", NULL, NULL};
  if (report("put_bucket_encryption", ossbridge_client_put_bucket_encryption(client, BUCKET, &rule, &err), err))
    return 1;
  ossbridge_bucket_encryption_result *rule_now = NULL;
  if (report("get_bucket_encryption", ossbridge_client_get_bucket_encryption(client, BUCKET, &rule_now, &err), err))
    return 1;
  printf("bucket %s default encryption: SSEAlgorithm=%s KMSMasterKeyID=%s KMSDataEncryption=%s\n", BUCKET,
         rule_now->sse_algorithm, or_none(rule_now->kms_master_key_id), or_none(rule_now->kms_data_encryption));
  ossbridge_bucket_encryption_result_free(rule_now);

  /* Method 2: encryption of one object when it is uploaded (AES-256 overrides the bucket's KMS). */
  const char *text = "exampleobject contents";
  ossbridge_put_options put_options = {0};
  put_options.sse.server_side_encryption = "AES256";
  ossbridge_object_result *put = NULL;
  if (report("put_object", ossbridge_client_put_object(client, BUCKET, "exampledir/exampleobject.txt",
                                                       (const uint8_t *)text, strlen(text), &put_options, &put, &err),
             err))
    return 1;
  printf("put exampledir/exampleobject.txt: etag=%s crc64=%llu x-oss-server-side-encryption=%s request_id=%s\n",
         or_none(put->etag), (unsigned long long)put->crc64, or_none(put->server_side_encryption), put->request_id);
  ossbridge_object_result_free(put);

  /* An object without options gets the bucket default. */
  ossbridge_object_result *head = NULL;
  ossbridge_client_put_object(client, BUCKET, "exampledir/default.txt", (const uint8_t *)"x", 1, NULL, NULL, NULL);
  if (report("head_object", ossbridge_client_head_object(client, BUCKET, "exampledir/default.txt", &head, &err), err))
    return 1;
  printf("head exampledir/default.txt: %llu bytes, x-oss-server-side-encryption=%s key-id=%s\n",
         (unsigned long long)head->object_size, or_none(head->server_side_encryption),
         or_none(head->server_side_encryption_key_id));
  ossbridge_object_result_free(head);

  /* Encrypting an existing object: copy it onto itself with SSE (the guide's FAQ). */
  ossbridge_copy_options copy_options = {0};
  copy_options.sse.server_side_encryption = "KMS";
  copy_options.sse.server_side_data_encryption = "SM4";
  ossbridge_object_result *copy = NULL;
  if (report("copy_object", ossbridge_client_copy_object(client, BUCKET, "exampledir/exampleobject.txt", BUCKET,
                                                         "exampledir/exampleobject.txt", &copy_options, &copy, &err),
             err))
    return 1;
  printf("copy onto itself: x-oss-server-side-encryption=%s x-oss-server-side-data-encryption=%s\n",
         or_none(copy->server_side_encryption), or_none(copy->server_side_data_encryption));
  ossbridge_object_result_free(copy);

  /* A presigned URL for the object. */
  ossbridge_presigned_url *url = NULL;
  if (report("presign", ossbridge_client_presign(client, "GET", BUCKET, "exampledir/exampleobject.txt", 3600, &url,
                                                 &err),
             err))
    return 1;
  printf("presigned GET (1 h): %s\n", url->url);
  ossbridge_presigned_url_free(url);

  /* What an error looks like. */
  st = ossbridge_client_get_object(client, BUCKET, "exampledir/missing.txt", &head, &err);
  report("get_object(missing)", st, err);

  /* Client-side encryption: encrypted before it leaves this process, in OSS's format. */
  const unsigned char master_key[33] = "demo-only 32-byte master key...."; /* 32 bytes + NUL */
  ossbridge_crypto_client *crypto = NULL;
  if (report("crypto_client_new", ossbridge_crypto_client_new_aes_key(client, master_key, 32,
                                                                      OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED, &crypto, &err),
             err))
    return 1;
  const char *secret = "only this process can read this";
  if (report("crypto put_object", ossbridge_crypto_client_put_object(crypto, BUCKET, "exampledir/cse.txt",
                                                                     (const uint8_t *)secret, strlen(secret), NULL,
                                                                     NULL, &err),
             err))
    return 1;
  ossbridge_object_result *raw = NULL, *plain = NULL;
  if (report("get_object(cse, raw)", ossbridge_client_get_object(client, BUCKET, "exampledir/cse.txt", &raw, &err), err))
    return 1;
  printf("client-side encrypted: OSS stores %zu bytes (first byte 0x%02x, plaintext starts with '%c')\n",
         raw->data_len, raw->data_len ? raw->data[0] : 0, secret[0]);
  ossbridge_object_result_free(raw);
  if (report("crypto get_object", ossbridge_crypto_client_get_object(crypto, BUCKET, "exampledir/cse.txt", NULL,
                                                                     &plain, &err),
             err))
    return 1;
  printf("decrypted and verified: \"%.*s\"\n", (int)plain->data_len, (const char *)plain->data);
  ossbridge_object_result_free(plain);
  ossbridge_crypto_client_free(crypto);
  ossbridge_client_delete_object(client, BUCKET, "exampledir/cse.txt", NULL);

  ossbridge_client_delete_object(client, BUCKET, "exampledir/exampleobject.txt", NULL);
  ossbridge_client_delete_object(client, BUCKET, "exampledir/default.txt", NULL);
  ossbridge_client_delete_bucket_encryption(client, BUCKET, NULL);
  if (report("delete_bucket", ossbridge_client_delete_bucket(client, BUCKET, &err), err)) return 1;
  ossbridge_client_free(client);
  return 0;
}
