/* Plain C tests of include/ossbridge.h against a local `ossbridge serve` (started by run.sh).
 * Every call of the C API and every field of ossbridge_error is asserted on real answers.
 *
 * Environment: OSSBRIDGE_TEST_ENDPOINT (http://127.0.0.1:PORT), OSSBRIDGE_TEST_ACCESS_KEY_ID,
 * OSSBRIDGE_TEST_ACCESS_KEY_SECRET, OSSBRIDGE_TEST_TMPDIR, OSSBRIDGE_TEST_KMS_KEY_ID (a CMK created
 * in the server's local KMS with `ossbridge kms create-key`); the server runs with
 * OSSBRIDGE_SERVER_DEBUG_CORRUPT_SUFFIX=.corrupt (GETs of such keys come back with a flipped byte);
 * OSSBRIDGE_TEST_RSA_KEY_DIR holds the RSA test keys (tests/vectors/cse/keys). */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ossbridge.h>

#include "harness.h"

static const char *endpoint, *key_id, *key_secret, *tmpdir, *kms_key_id;
static char bucket[64];
static ossbridge_client *client;
static const char *self_path;
extern char **environ;

/* ---- helpers ---------------------------------------------------------------------------- */

static ossbridge_client *new_client(const char *ep, const char *id, const char *secret,
                                    ossbridge_signature_version version) {
  ossbridge_config *config = ossbridge_config_new();
  ossbridge_client *c = NULL;
  ossbridge_error *err = NULL;
  if (ossbridge_config_set_endpoint(config, ep, &err) != OSSBRIDGE_STATUS_OK ||
      ossbridge_config_set_region(config, "cn-hangzhou", &err) != OSSBRIDGE_STATUS_OK ||
      ossbridge_config_set_signature_version(config, version, &err) != OSSBRIDGE_STATUS_OK ||
      (id && ossbridge_config_set_credentials(config, id, secret, NULL, &err) != OSSBRIDGE_STATUS_OK) ||
      ossbridge_config_set_connect_timeout_ms(config, 2000, &err) != OSSBRIDGE_STATUS_OK ||
      ossbridge_config_set_request_timeout_ms(config, 20000, &err) != OSSBRIDGE_STATUS_OK ||
      ossbridge_client_new(config, &c, &err) != OSSBRIDGE_STATUS_OK) {
    fprintf(stderr, "client setup failed: %s\n", err ? err->message : "?");
    ossbridge_error_free(err);
    c = NULL;
  }
  ossbridge_config_free(config);
  return c;
}

/* Every string of an error is non-NULL, and the struct repeats the returned status. */
static void check_error_shape(const ossbridge_error *err, ossbridge_status status) {
  CHECK(err != NULL);
  if (!err) return;
  CHECK(err->status == status);
  CHECK(err->code && err->message && err->request_id && err->host_id && err->ec);
  CHECK(err->message && err->message[0] != '\0');
}

/* A service error: status SERVICE and every field OSS sends filled in. */
static void check_service_error(const ossbridge_error *err, uint16_t http_status, const char *code) {
  check_error_shape(err, OSSBRIDGE_STATUS_SERVICE);
  if (!err) return;
  CHECK(err->http_status == http_status);
  CHECK_STR(err->code, code);
  CHECK(strlen(err->request_id) > 0);
  CHECK(strlen(err->host_id) > 0);
  CHECK(strlen(err->ec) > 0);
}

/* A client-side error: no HTTP answer, so the OSS fields are empty. */
static void check_local_error(const ossbridge_error *err, ossbridge_status status, const char *needle) {
  check_error_shape(err, status);
  if (!err) return;
  CHECK(err->http_status == 0);
  CHECK_STR(err->code, "");
  CHECK_STR(err->request_id, "");
  CHECK_STR(err->host_id, "");
  CHECK_STR(err->ec, "");
  CHECK_CONTAINS(err->message, needle);
}

static const char *find_pair(const ossbridge_pair *pairs, size_t len, const char *name) {
  for (size_t i = 0; i < len; i++)
    if (strcmp(pairs[i].name, name) == 0) return pairs[i].value;
  return NULL;
}

static char *path_in_tmp(const char *name) {
  static char paths[8][512];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 512, "%s/%s", tmpdir, name);
  return p;
}

static int write_file(const char *path, const unsigned char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = fwrite(data, 1, len, f);
  fclose(f);
  return n == len ? 0 : -1;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
  *len = fread(buf, 1, (size_t)size, f);
  fclose(f);
  return buf;
}

static unsigned char *pattern(size_t len, unsigned seed) {
  unsigned char *buf = malloc(len ? len : 1);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < len; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    buf[i] = (unsigned char)x;
  }
  return buf;
}

/* GET an http://127.0.0.1:PORT/... URL with a plain socket; returns the HTTP status and, in
 * *body (malloc'd), the response body. Enough for checking presigned URLs. */
static int http_get(const char *url, char **body) {
  char host[64];
  int port;
  const char *path;
  *body = NULL;
  if (sscanf(url, "http://%63[^:]:%d", host, &port) != 2) return -1;
  path = strchr(url + strlen("http://"), '/');
  if (!path) return -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, host, &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  char request[4096];
  int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n",
                   path, host, port);
  if (write(fd, request, (size_t)n) != n) {
    close(fd);
    return -1;
  }
  size_t cap = 1 << 16, len = 0;
  char *response = malloc(cap + 1);
  ssize_t got;
  while ((got = read(fd, response + len, cap - len)) > 0) {
    len += (size_t)got;
    if (len == cap) {
      cap *= 2;
      response = realloc(response, cap + 1);
    }
  }
  close(fd);
  response[len] = '\0';
  int status = -1;
  sscanf(response, "HTTP/1.1 %d", &status);
  char *sep = strstr(response, "\r\n\r\n");
  *body = strdup(sep ? sep + 4 : "");
  free(response);
  return status;
}

/* ---- status names, config and client ---------------------------------------------------- */

static void test_status_names_are_stable(void) {
  CHECK_STR(ossbridge_status_name(OSSBRIDGE_STATUS_OK), "OK");
  CHECK_STR(ossbridge_status_name(OSSBRIDGE_STATUS_SERVICE), "SERVICE");
  CHECK_STR(ossbridge_status_name(OSSBRIDGE_STATUS_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  CHECK_STR(ossbridge_status_name(OSSBRIDGE_STATUS_CRC_MISMATCH), "CRC_MISMATCH");
  CHECK_STR(ossbridge_status_name(OSSBRIDGE_STATUS_PANIC), "PANIC");
  CHECK(OSSBRIDGE_STATUS_OK == 0 && OSSBRIDGE_STATUS_SERVICE == 1 && OSSBRIDGE_STATUS_PANIC == 99);
}

static void test_config_rejects_null_and_bad_values(void) {
  ossbridge_config *config = ossbridge_config_new();
  ossbridge_error *err = NULL;
  CHECK(config != NULL);
  CHECK(ossbridge_config_set_endpoint(config, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "endpoint must not be NULL");
  ossbridge_error_free(err);

  CHECK(ossbridge_config_set_credentials(config, "id", NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "access_key_secret");
  ossbridge_error_free(err);

  CHECK(ossbridge_config_set_signature_version(config, (ossbridge_signature_version)7, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "signature version");
  ossbridge_error_free(err);

  CHECK(ossbridge_config_set_endpoint(NULL, "http://x", &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "config must not be NULL");
  ossbridge_error_free(err);

  /* Invalid UTF-8 is named too. */
  CHECK(ossbridge_config_set_region(config, "\xff\xfe", &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "region is not valid UTF-8");
  ossbridge_error_free(err);

  /* error_out may be NULL; the status still tells. */
  CHECK(ossbridge_config_set_endpoint(config, NULL, NULL) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  CHECK(ossbridge_config_use_environment_credentials(config, NULL) == OSSBRIDGE_STATUS_OK);
  ossbridge_config_free(config);
  ossbridge_config_free(NULL);
}

static void test_client_new_names_what_is_missing(void) {
  ossbridge_config *config = ossbridge_config_new();
  ossbridge_client *c = (ossbridge_client *)0x1;
  ossbridge_error *err = NULL;
  ossbridge_config_set_endpoint(config, endpoint, NULL);
  /* V4 (the default) needs a region. */
  CHECK(ossbridge_client_new(config, &c, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "region");
  CHECK(c == (ossbridge_client *)0x1); /* out-parameters are written only on success */
  ossbridge_error_free(err);

  CHECK(ossbridge_config_set_endpoint(config, "ftp://nowhere", NULL) == OSSBRIDGE_STATUS_OK);
  ossbridge_config_set_region(config, "cn-hangzhou", NULL);
  CHECK(ossbridge_client_new(config, &c, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_error_shape(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);

  CHECK(ossbridge_client_new(NULL, &c, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "config must not be NULL");
  ossbridge_error_free(err);
  ossbridge_config_set_endpoint(config, endpoint, NULL);
  CHECK(ossbridge_client_new(config, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "client_out must not be NULL");
  ossbridge_error_free(err);
  ossbridge_config_free(config);
  ossbridge_client_free(NULL);
}

static void test_null_client_and_arguments_are_rejected(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_delete_object(NULL, bucket, "k", &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "client must not be NULL");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_put_object(client, NULL, "k", NULL, 0, NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "bucket must not be NULL");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_put_object(client, bucket, "k", NULL, 5, NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "data is NULL but its length is 5");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_get_object(client, bucket, "k", NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "result_out must not be NULL");
  ossbridge_error_free(err);
  ossbridge_put_options options = {0};
  options.metadata_len = 2;
  CHECK(ossbridge_client_put_object(client, bucket, "k", NULL, 0, &options, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "metadata is NULL but metadata_len is 2");
  ossbridge_error_free(err);
  /* Bad bucket names are caught by the core before anything is sent. */
  CHECK(ossbridge_client_create_bucket(client, "Bad_Bucket", &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_error_shape(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);
}

/* ---- buckets and bucket encryption --------------------------------------------------------- */

static void test_create_bucket(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_create_bucket(client, bucket, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(err == NULL);
  ossbridge_error_free(err);
}

static void test_get_bucket_encryption_without_rule_is_404_with_every_field(void) {
  ossbridge_bucket_encryption_result *result = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_get_bucket_encryption(client, bucket, &result, &err) == OSSBRIDGE_STATUS_SERVICE);
  CHECK(result == NULL);
  check_service_error(err, 404, "NoSuchServerSideEncryptionRule");
  ossbridge_error_free(err);
}

static void test_bucket_encryption_kms_with_key_and_sm4_round_trips(void) {
  ossbridge_bucket_encryption_rule rule = {"KMS", "c-test-cmk-1", "SM4"};
  ossbridge_bucket_encryption_result *result = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_bucket_encryption(client, bucket, &rule, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_get_bucket_encryption(client, bucket, &result, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(result != NULL);
  if (result) {
    CHECK(result->http_status == 200);
    CHECK(strlen(result->request_id) > 0);
    CHECK_STR(result->sse_algorithm, "KMS");
    CHECK_STR(result->kms_master_key_id, "c-test-cmk-1");
    CHECK_STR(result->kms_data_encryption, "SM4");
  }
  ossbridge_bucket_encryption_result_free(result);
  ossbridge_error_free(err);
}

static void test_bucket_encryption_aes256_then_delete(void) {
  ossbridge_bucket_encryption_rule rule = {"AES256", NULL, NULL};
  ossbridge_bucket_encryption_result *result = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_bucket_encryption(client, bucket, &rule, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_get_bucket_encryption(client, bucket, &result, &err) == OSSBRIDGE_STATUS_OK);
  if (result) {
    CHECK_STR(result->sse_algorithm, "AES256");
    CHECK(result->kms_master_key_id == NULL);
    CHECK(result->kms_data_encryption == NULL);
  }
  ossbridge_bucket_encryption_result_free(result);
  /* A new object without SSE options gets the bucket's default. */
  ossbridge_object_result *put = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "default-sse.txt", (const uint8_t *)"x", 1, NULL, &put, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (put) CHECK_STR(put->server_side_encryption, "AES256");
  ossbridge_object_result_free(put);
  CHECK(ossbridge_client_delete_bucket_encryption(client, bucket, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_get_bucket_encryption(client, bucket, NULL, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchServerSideEncryptionRule");
  ossbridge_error_free(err);
  ossbridge_client_delete_object(client, bucket, "default-sse.txt", NULL);
}

static void test_bucket_encryption_rule_is_validated_before_sending(void) {
  ossbridge_bucket_encryption_rule rule = {"AES256", "some-key", NULL};
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_bucket_encryption(client, bucket, &rule, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "only valid with algorithm KMS");
  ossbridge_error_free(err);
  ossbridge_bucket_encryption_rule bad = {"DES", NULL, NULL};
  CHECK(ossbridge_client_put_bucket_encryption(client, bucket, &bad, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "DES");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_put_bucket_encryption(client, bucket, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "rule must not be NULL");
  ossbridge_error_free(err);
}

static void test_bucket_calls_on_a_missing_bucket_fail_with_no_such_bucket(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_delete_bucket_encryption(client, "c-test-no-such-bucket", &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchBucket");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_delete_bucket(client, "c-test-no-such-bucket", &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchBucket");
  ossbridge_error_free(err);
}

/* ---- objects ------------------------------------------------------------------------------ */

static void test_put_get_head_with_sse_kms_and_metadata(void) {
  const char *body = "hello, server-side encryption";
  ossbridge_pair metadata[] = {{"author", "c-tests"}};
  ossbridge_put_options options = {0};
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_encryption_key_id = kms_key_id;
  options.content_type = "text/plain";
  options.metadata = metadata;
  options.metadata_len = 1;
  ossbridge_object_result *put = NULL, *get = NULL, *head = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "dir/kms.txt", (const uint8_t *)body, strlen(body), &options, &put,
                                    &err) == OSSBRIDGE_STATUS_OK);
  CHECK(put != NULL);
  if (put) {
    CHECK(put->http_status == 200);
    CHECK(strlen(put->request_id) > 0);
    CHECK(put->etag != NULL);
    CHECK(put->has_crc64);
    CHECK_STR(put->server_side_encryption, "KMS");
    CHECK_STR(put->server_side_encryption_key_id, kms_key_id);
    CHECK(put->server_side_data_encryption == NULL);
    CHECK(put->data == NULL && put->data_len == 0);
    CHECK(find_pair(put->headers, put->headers_len, "x-oss-request-id") != NULL);
  }
  CHECK(ossbridge_client_get_object(client, bucket, "dir/kms.txt", &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->data_len == strlen(body) && memcmp(get->data, body, get->data_len) == 0);
    CHECK(get->content_length == strlen(body) && get->object_size == strlen(body));
    CHECK_STR(get->content_type, "text/plain");
    CHECK(get->last_modified != NULL);
    CHECK_STR(get->server_side_encryption, "KMS");
    CHECK_STR(get->server_side_encryption_key_id, kms_key_id);
    CHECK(put && get->crc64 == put->crc64 && get->has_crc64);
    CHECK_STR(find_pair(get->metadata, get->metadata_len, "author"), "c-tests");
  }
  CHECK(ossbridge_client_head_object(client, bucket, "dir/kms.txt", &head, &err) == OSSBRIDGE_STATUS_OK);
  if (head) {
    CHECK(head->object_size == strlen(body));
    CHECK(head->data == NULL);
    CHECK_STR(head->server_side_encryption, "KMS");
    CHECK_STR(head->server_side_encryption_key_id, kms_key_id);
    CHECK_STR(find_pair(head->headers, head->headers_len, "x-oss-server-side-encryption"), "KMS");
    CHECK_STR(find_pair(head->metadata, head->metadata_len, "author"), "c-tests");
    CHECK(put && put->etag && head->etag && strcmp(put->etag, head->etag) == 0);
  }
  ossbridge_object_result_free(put);
  ossbridge_object_result_free(get);
  ossbridge_object_result_free(head);
  ossbridge_error_free(err);
}

static void test_put_with_an_unknown_cmk_is_a_service_error(void) {
  ossbridge_put_options options = {0};
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_encryption_key_id = "c-test-no-such-cmk";
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "bad-cmk.txt", (const uint8_t *)"x", 1, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_error_shape(err, OSSBRIDGE_STATUS_SERVICE);
  if (err) {
    CHECK(err->http_status >= 400 && err->http_status < 500);
    CHECK(strlen(err->code) > 0 && strlen(err->request_id) > 0);
    CHECK_CONTAINS(err->message, "c-test-no-such-cmk");
    printf("    (unknown CMK: %u %s: %s)\n", err->http_status, err->code, err->message);
  }
  ossbridge_error_free(err);
}

static void test_put_with_kms_sm4_data_encryption(void) {
  ossbridge_put_options options = {0};
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_data_encryption = "SM4";
  ossbridge_object_result *put = NULL, *head = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "kms-sm4.bin", (const uint8_t *)"abc", 3, &options, &put, NULL) ==
        OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_head_object(client, bucket, "kms-sm4.bin", &head, NULL) == OSSBRIDGE_STATUS_OK);
  if (put) {
    CHECK_STR(put->server_side_encryption, "KMS");
    CHECK_STR(put->server_side_data_encryption, "SM4");
  }
  if (head) CHECK_STR(head->server_side_data_encryption, "SM4");
  ossbridge_object_result_free(put);
  ossbridge_object_result_free(head);
}

static void test_put_with_raw_sse_header_like_the_official_sdks(void) {
  ossbridge_pair headers[] = {{"x-oss-server-side-encryption", "AES256"}, {"Content-Type", "application/json"},
                              {"x-oss-meta-origin", "raw"}};
  ossbridge_put_options options = {0};
  options.headers = headers;
  options.headers_len = 3;
  ossbridge_object_result *head = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "raw.json", (const uint8_t *)"{}", 2, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_head_object(client, bucket, "raw.json", &head, &err) == OSSBRIDGE_STATUS_OK);
  if (head) {
    CHECK_STR(head->server_side_encryption, "AES256");
    CHECK_STR(head->content_type, "application/json");
    CHECK_STR(find_pair(head->metadata, head->metadata_len, "origin"), "raw");
  }
  ossbridge_object_result_free(head);
  /* SSE both typed and raw is ambiguous: refused before sending. */
  options.sse.server_side_encryption = "KMS";
  CHECK(ossbridge_client_put_object(client, bucket, "raw.json", (const uint8_t *)"{}", 2, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "set it once");
  ossbridge_error_free(err);
}

static void test_bad_sse_options_are_rejected_before_sending(void) {
  ossbridge_put_options options = {0};
  ossbridge_error *err = NULL;
  options.sse.server_side_encryption = "AES256";
  options.sse.server_side_encryption_key_id = "k";
  CHECK(ossbridge_client_put_object(client, bucket, "x", (const uint8_t *)"x", 1, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "only valid with algorithm KMS");
  ossbridge_error_free(err);
  options.sse.server_side_encryption = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "x", (const uint8_t *)"x", 1, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "server_side_encryption");
  ossbridge_error_free(err);
  options.sse.server_side_encryption_key_id = NULL;
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_data_encryption = "AES";
  CHECK(ossbridge_client_put_object(client, bucket, "x", (const uint8_t *)"x", 1, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "SM4");
  ossbridge_error_free(err);
}

static void test_put_from_file_and_get_to_file(void) {
  size_t len = 300 * 1024, back_len = 0;
  unsigned char *data = pattern(len, 7);
  const char *src = path_in_tmp("upload-src.bin"), *dst = path_in_tmp("download-dst.bin");
  CHECK(write_file(src, data, len) == 0);
  ossbridge_put_options options = {0};
  options.sse.server_side_encryption = "SM4";
  ossbridge_object_result *put = NULL, *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object_from_file(client, bucket, "file.bin", src, &options, &put, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (put) CHECK_STR(put->server_side_encryption, "SM4");
  CHECK(ossbridge_client_get_object_to_file(client, bucket, "file.bin", dst, &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->bytes_written == len);
    CHECK(get->data == NULL);
    CHECK_STR(get->server_side_encryption, "SM4");
    CHECK(put && get->crc64 == put->crc64);
  }
  unsigned char *back = read_file(dst, &back_len);
  CHECK(back && back_len == len && memcmp(back, data, len) == 0);
  free(back);
  free(data);
  ossbridge_object_result_free(put);
  ossbridge_object_result_free(get);
  ossbridge_error_free(err);
}

static void test_local_file_problems_are_io_errors(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object_from_file(client, bucket, "nofile", path_in_tmp("does-not-exist"), NULL, NULL,
                                              &err) == OSSBRIDGE_STATUS_IO);
  check_error_shape(err, OSSBRIDGE_STATUS_IO);
  if (err) CHECK(err->http_status == 0);
  ossbridge_error_free(err);
  /* The destination is a directory: the final rename fails. */
  CHECK(ossbridge_client_get_object_to_file(client, bucket, "file.bin", tmpdir, NULL, &err) == OSSBRIDGE_STATUS_IO);
  check_error_shape(err, OSSBRIDGE_STATUS_IO);
  ossbridge_error_free(err);
  /* A missing directory is named before anything is downloaded. */
  CHECK(ossbridge_client_get_object_to_file(client, bucket, "file.bin", path_in_tmp("no/such/dir/out.bin"), NULL,
                                            &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "does not exist");
  ossbridge_error_free(err);
}

static void test_get_missing_key_is_404_no_such_key_with_every_field(void) {
  ossbridge_object_result *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_get_object(client, bucket, "missing.txt", &get, &err) == OSSBRIDGE_STATUS_SERVICE);
  CHECK(get == NULL);
  check_service_error(err, 404, "NoSuchKey");
  if (err) CHECK(strlen(err->message) > 0);
  ossbridge_error_free(err);
  /* The file variant leaves no file behind. */
  const char *dst = path_in_tmp("missing-download.bin");
  CHECK(ossbridge_client_get_object_to_file(client, bucket, "missing.txt", dst, NULL, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchKey");
  struct stat st;
  CHECK(stat(dst, &st) != 0);
  ossbridge_error_free(err);
}

static void test_head_missing_key_is_404_from_the_error_header(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_head_object(client, bucket, "missing.txt", NULL, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchKey");
  ossbridge_error_free(err);
}

static void test_copy_encrypts_the_destination(void) {
  ossbridge_copy_options options = {0};
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_data_encryption = "SM4";
  ossbridge_object_result *copy = NULL, *head = NULL, *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "plain.txt", (const uint8_t *)"plain", 5, NULL, NULL, &err) ==
        OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_copy_object(client, bucket, "plain.txt", bucket, "copied.txt", &options, &copy, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (copy) {
    CHECK(copy->http_status == 200);
    CHECK(copy->etag != NULL && strlen(copy->etag) > 0);
    CHECK(copy->last_modified != NULL);
    CHECK_STR(copy->server_side_encryption, "KMS");
  }
  CHECK(ossbridge_client_head_object(client, bucket, "copied.txt", &head, &err) == OSSBRIDGE_STATUS_OK);
  if (head) {
    CHECK_STR(head->server_side_encryption, "KMS");
    CHECK_STR(head->server_side_data_encryption, "SM4");
  }
  CHECK(ossbridge_client_get_object(client, bucket, "copied.txt", &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 5 && memcmp(get->data, "plain", 5) == 0);
  ossbridge_object_result_free(copy);
  ossbridge_object_result_free(head);
  ossbridge_object_result_free(get);

  /* REPLACE metadata with the copy. */
  ossbridge_pair metadata[] = {{"stage", "copied"}};
  ossbridge_copy_options replace = {0};
  replace.replace_metadata = true;
  replace.content_type = "text/x-copied";
  replace.metadata = metadata;
  replace.metadata_len = 1;
  CHECK(ossbridge_client_copy_object(client, bucket, "plain.txt", bucket, "replaced.txt", &replace, NULL, &err) ==
        OSSBRIDGE_STATUS_OK);
  head = NULL;
  CHECK(ossbridge_client_head_object(client, bucket, "replaced.txt", &head, &err) == OSSBRIDGE_STATUS_OK);
  if (head) {
    CHECK_STR(head->content_type, "text/x-copied");
    CHECK_STR(find_pair(head->metadata, head->metadata_len, "stage"), "copied");
    CHECK(head->server_side_encryption == NULL);
  }
  ossbridge_object_result_free(head);

  /* The same through raw headers, as the official SDKs spell them. */
  ossbridge_pair raw_headers[] = {{"x-oss-metadata-directive", "REPLACE"}, {"Content-Type", "text/x-raw"},
                                  {"x-oss-server-side-encryption", "AES256"}};
  ossbridge_copy_options raw = {0};
  raw.headers = raw_headers;
  raw.headers_len = 3;
  CHECK(ossbridge_client_copy_object(client, bucket, "plain.txt", bucket, "replaced.txt", &raw, NULL, &err) ==
        OSSBRIDGE_STATUS_OK);
  head = NULL;
  CHECK(ossbridge_client_head_object(client, bucket, "replaced.txt", &head, &err) == OSSBRIDGE_STATUS_OK);
  if (head) {
    CHECK_STR(head->content_type, "text/x-raw");
    CHECK_STR(head->server_side_encryption, "AES256");
    CHECK(find_pair(head->metadata, head->metadata_len, "stage") == NULL); /* replaced, not copied */
  }
  ossbridge_object_result_free(head);
  raw_headers[0].value = "MOVE";
  CHECK(ossbridge_client_copy_object(client, bucket, "plain.txt", bucket, "replaced.txt", &raw, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "x-oss-metadata-directive");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_copy_object(client, bucket, "missing.txt", bucket, "c.txt", NULL, NULL, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchKey");
  ossbridge_error_free(err);
}

static void test_delete_object_then_head_is_404(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_delete_object(client, bucket, "copied.txt", &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_head_object(client, bucket, "copied.txt", NULL, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchKey");
  ossbridge_error_free(err);
  /* Deleting a missing key succeeds, as on OSS. */
  CHECK(ossbridge_client_delete_object(client, bucket, "copied.txt", NULL) == OSSBRIDGE_STATUS_OK);
}

static void test_corrupted_download_is_a_crc_mismatch(void) {
  ossbridge_object_result *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "data.corrupt", (const uint8_t *)"0123456789", 10, NULL, NULL,
                                    &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_get_object(client, bucket, "data.corrupt", &get, &err) == OSSBRIDGE_STATUS_CRC_MISMATCH);
  CHECK(get == NULL);
  check_error_shape(err, OSSBRIDGE_STATUS_CRC_MISMATCH);
  if (err) CHECK_CONTAINS(err->message, "CRC");
  ossbridge_error_free(err);
  ossbridge_client_delete_object(client, bucket, "data.corrupt", NULL);
}

/* ---- upload_file (multipart, resumable) -------------------------------------------------------- */

static void test_upload_file_multipart_with_sse(void) {
  size_t len = 1024 * 1024 + 123, back_len = 0;
  unsigned char *data = pattern(len, 11);
  const char *src = path_in_tmp("multipart.bin"), *checkpoint = path_in_tmp("multipart.checkpoint");
  CHECK(write_file(src, data, len) == 0);
  ossbridge_upload_options options = {0};
  options.sse.server_side_encryption = "KMS";
  options.sse.server_side_encryption_key_id = kms_key_id;
  options.part_size = 100 * 1024;
  options.parallel = 3;
  options.checkpoint_file = checkpoint;
  ossbridge_upload_result *result = NULL;
  ossbridge_object_result *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_upload_file(client, bucket, "big/multipart.bin", src, &options, &result, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    upload_file: %s\n", err->message);
  CHECK(result != NULL);
  if (result) {
    CHECK(result->http_status == 200);
    CHECK(strlen(result->request_id) > 0);
    CHECK(result->size == len);
    CHECK(result->upload_id != NULL && strlen(result->upload_id) > 0);
    CHECK(result->part_count == 11);
    CHECK(result->parts_uploaded == 11);
    CHECK(result->etag != NULL);
    CHECK_STR(result->server_side_encryption, "KMS");
    CHECK_STR(result->server_side_encryption_key_id, kms_key_id);
  }
  struct stat st;
  CHECK(stat(checkpoint, &st) != 0); /* removed on success */
  CHECK(ossbridge_client_get_object(client, bucket, "big/multipart.bin", &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->data_len == len && memcmp(get->data, data, len) == 0);
    CHECK_STR(get->server_side_encryption, "KMS");
    CHECK(result && get->crc64 == result->crc64);
  }
  ossbridge_object_result_free(get);
  ossbridge_upload_result_free(result);

  /* A small file goes up in one PutObject: no upload id. */
  result = NULL;
  CHECK(write_file(src, data, 1000) == 0);
  CHECK(ossbridge_client_upload_file(client, bucket, "big/small.bin", src, NULL, &result, &err) == OSSBRIDGE_STATUS_OK);
  if (result) {
    CHECK(result->upload_id == NULL);
    CHECK(result->part_count == 0);
    CHECK(result->size == 1000);
  }
  ossbridge_upload_result_free(result);
  (void)back_len;
  free(data);

  options.part_size = 1000; /* below OSS's minimum part size */
  CHECK(ossbridge_client_upload_file(client, bucket, "big/x.bin", src, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "part_size");
  ossbridge_error_free(err);
}

/* Child mode (`test_ossbridge --upload-child BUCKET KEY FILE CHECKPOINT`): one part at a time, so
 * the parent can kill it part-way. */
static int upload_child(char **argv) {
  ossbridge_client *c = new_client(endpoint, key_id, key_secret, OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_upload_options options = {0};
  options.sse.server_side_encryption = "AES256";
  options.part_size = 100 * 1024;
  options.parallel = 1;
  options.checkpoint_file = argv[5];
  ossbridge_status st = ossbridge_client_upload_file(c, argv[2], argv[3], argv[4], &options, NULL, NULL);
  ossbridge_client_free(c);
  return (int)st;
}

static void test_upload_file_resumes_after_the_uploader_is_killed(void) {
  size_t len = 16 * 1024 * 1024;
  unsigned char *data = pattern(len, 13);
  const char *src = path_in_tmp("resume.bin"), *checkpoint = path_in_tmp("resume.checkpoint");
  CHECK(write_file(src, data, len) == 0);
  char *child_argv[] = {(char *)self_path, "--upload-child", bucket, "big/resume.bin", (char *)src,
                        (char *)checkpoint, NULL};
  pid_t child;
  CHECK(posix_spawn(&child, self_path, NULL, NULL, child_argv, environ) == 0);
  /* Kill the uploader as soon as its checkpoint records a finished part (the checkpoint is the
   * core's JSON; "part_number" appears with the first recorded part). */
  struct stat st;
  struct timespec pause = {0, 500 * 1000};
  for (int i = 0; i < 20000; i++) {
    size_t n = 0;
    unsigned char *text = read_file(checkpoint, &n);
    int has_part = text && n > 0 && memmem(text, n, "part_number", 11) != NULL;
    free(text);
    if (has_part) break;
    nanosleep(&pause, NULL);
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status)); /* killed part-way, not finished */
  CHECK(stat(checkpoint, &st) == 0);

  ossbridge_upload_options options = {0};
  options.sse.server_side_encryption = "AES256";
  options.part_size = 100 * 1024;
  options.parallel = 4;
  options.checkpoint_file = checkpoint;
  ossbridge_upload_result *result = NULL;
  ossbridge_object_result *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_upload_file(client, bucket, "big/resume.bin", src, &options, &result, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    resume: %s\n", err->message);
  if (result) {
    CHECK(result->part_count == 164);
    CHECK(result->parts_uploaded > 0 && result->parts_uploaded < result->part_count);
    printf("    (resumed: %u of %u parts sent after the kill)\n", result->parts_uploaded, result->part_count);
    CHECK_STR(result->server_side_encryption, "AES256");
  }
  CHECK(stat(checkpoint, &st) != 0);
  CHECK(ossbridge_client_get_object(client, bucket, "big/resume.bin", &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == len && memcmp(get->data, data, len) == 0);
  ossbridge_object_result_free(get);
  ossbridge_upload_result_free(result);
  ossbridge_error_free(err);
  free(data);
}

/* ---- client-side encryption ---------------------------------------------------------------- */

static const unsigned char AES_KEY[33] = "0123456789abcdef0123456789abcdef"; /* 32 bytes + NUL */

static char *read_text(const char *name) {
  char path[1024];
  size_t n = 0;
  snprintf(path, sizeof path, "%s/%s", getenv("OSSBRIDGE_TEST_RSA_KEY_DIR"), name);
  unsigned char *data = read_file(path, &n);
  if (!data) return NULL;
  char *text = malloc(n + 1);
  memcpy(text, data, n);
  text[n] = '\0';
  free(data);
  return text;
}

static void test_crypto_client_aes_key_round_trip_and_ranges(void) {
  ossbridge_crypto_client *crypto = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_crypto_client_new_aes_key(client, AES_KEY, 32, OSSBRIDGE_CRYPTO_MODE_COMPATIBLE, &crypto, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (!crypto) return;
  const char *text = "client-side encrypted text, readable by the official crypto clients";
  ossbridge_object_result *put = NULL, *raw = NULL, *get = NULL;
  CHECK(ossbridge_crypto_client_put_object(crypto, bucket, "cse/aes.txt", (const uint8_t *)text, strlen(text), NULL,
                                           &put, &err) == OSSBRIDGE_STATUS_OK);
  if (put) CHECK(put->http_status == 200 && put->etag != NULL);
  /* What OSS stores is ciphertext plus the envelope in user metadata. */
  CHECK(ossbridge_client_get_object(client, bucket, "cse/aes.txt", &raw, &err) == OSSBRIDGE_STATUS_OK);
  if (raw) {
    CHECK(raw->data_len == strlen(text) && memcmp(raw->data, text, raw->data_len) != 0);
    CHECK(find_pair(raw->metadata, raw->metadata_len, "client-side-encryption-key") != NULL);
    CHECK(find_pair(raw->metadata, raw->metadata_len, "client-side-encryption-start") != NULL);
  }
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/aes.txt", NULL, &get, &err) == OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->data_len == strlen(text) && memcmp(get->data, text, get->data_len) == 0);
    CHECK(get->object_size == strlen(text));
  }
  ossbridge_object_result_free(get);
  get = NULL;
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/aes.txt", "bytes=7-19", &get, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->data_len == 13 && memcmp(get->data, text + 7, 13) == 0);
    CHECK(get->object_size == strlen(text));
  }
  ossbridge_object_result_free(get);
  get = NULL;
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/aes.txt", "bytes=-4", &get, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 4 && memcmp(get->data, text + strlen(text) - 4, 4) == 0);
  ossbridge_object_result_free(get);
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/aes.txt", "lines=1-2", &get, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_error_shape(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);
  ossbridge_object_result_free(put);
  ossbridge_object_result_free(raw);
  ossbridge_crypto_client_free(crypto);
}

static void test_crypto_client_rsa_authenticated_detects_tampering(void) {
  char *public_pem = read_text("rsa2048_A.public_pkcs1.pem"), *private_pem = read_text("rsa2048_A.private_pkcs8.pem");
  CHECK(public_pem && private_pem);
  ossbridge_crypto_client *crypto = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_crypto_client_new_rsa(client, public_pem, private_pem, OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED, &crypto,
                                        &err) == OSSBRIDGE_STATUS_OK);
  free(public_pem);
  free(private_pem);
  if (!crypto) return;
  size_t len = 200 * 1024;
  unsigned char *data = pattern(len, 17);
  ossbridge_object_result *get = NULL, *raw = NULL;
  CHECK(ossbridge_crypto_client_put_object(crypto, bucket, "cse/rsa.bin", data, len, NULL, NULL, &err) ==
        OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/rsa.bin", "bytes=100000-100099", &get, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 100 && memcmp(get->data, data + 100000, 100) == 0);
  ossbridge_object_result_free(get);
  get = NULL;

  /* Flip one stored byte, keep the envelope: every read covering it must fail. */
  CHECK(ossbridge_client_get_object(client, bucket, "cse/rsa.bin", &raw, &err) == OSSBRIDGE_STATUS_OK);
  if (raw) {
    unsigned char *stored = malloc(raw->data_len);
    memcpy(stored, raw->data, raw->data_len);
    stored[150000] ^= 0x01;
    ossbridge_put_options options = {0};
    options.metadata = raw->metadata;
    options.metadata_len = raw->metadata_len;
    CHECK(ossbridge_client_put_object(client, bucket, "cse/rsa.bin", stored, raw->data_len, &options, NULL, &err) ==
          OSSBRIDGE_STATUS_OK);
    free(stored);
  }
  ossbridge_object_result_free(raw);
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/rsa.bin", NULL, &get, &err) ==
        OSSBRIDGE_STATUS_CRYPTO);
  CHECK(get == NULL);
  check_local_error(err, OSSBRIDGE_STATUS_CRYPTO, "");
  ossbridge_error_free(err);
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/rsa.bin", "bytes=149990-150010", &get, &err) ==
        OSSBRIDGE_STATUS_CRYPTO);
  ossbridge_error_free(err);
  /* A range away from the flipped byte still verifies. */
  CHECK(ossbridge_crypto_client_get_object(crypto, bucket, "cse/rsa.bin", "bytes=0-99", &get, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 100 && memcmp(get->data, data, 100) == 0);
  ossbridge_object_result_free(get);
  free(data);
  ossbridge_crypto_client_free(crypto);
}

static void test_crypto_client_refuses_wrong_keys_and_plain_objects(void) {
  unsigned char other_key[32];
  memcpy(other_key, AES_KEY, 32);
  other_key[0] ^= 0xff;
  ossbridge_crypto_client *wrong = NULL;
  ossbridge_object_result *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_crypto_client_new_aes_key(client, other_key, 32, OSSBRIDGE_CRYPTO_MODE_COMPATIBLE, &wrong, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (!wrong) return;
  CHECK(ossbridge_crypto_client_get_object(wrong, bucket, "cse/aes.txt", NULL, &get, &err) == OSSBRIDGE_STATUS_CRYPTO);
  check_local_error(err, OSSBRIDGE_STATUS_CRYPTO, "");
  ossbridge_error_free(err);
  CHECK(ossbridge_client_put_object(client, bucket, "cse/plain.txt", (const uint8_t *)"plain", 5, NULL, NULL, NULL) ==
        OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_crypto_client_get_object(wrong, bucket, "cse/plain.txt", NULL, &get, &err) ==
        OSSBRIDGE_STATUS_CRYPTO);
  check_local_error(err, OSSBRIDGE_STATUS_CRYPTO, "no client-side encryption metadata");
  ossbridge_error_free(err);
  CHECK(ossbridge_crypto_client_get_object(wrong, bucket, "cse/missing.txt", NULL, &get, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchKey");
  ossbridge_error_free(err);
  ossbridge_put_options sse = {0};
  sse.sse.server_side_encryption = "KMS";
  CHECK(ossbridge_crypto_client_put_object(wrong, bucket, "cse/x", (const uint8_t *)"x", 1, &sse, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "server-side encryption");
  ossbridge_error_free(err);
  ossbridge_crypto_client_free(wrong);

  ossbridge_crypto_client *bad = NULL;
  CHECK(ossbridge_crypto_client_new_aes_key(client, AES_KEY, 5, OSSBRIDGE_CRYPTO_MODE_COMPATIBLE, &bad, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_error_shape(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);
  CHECK(ossbridge_crypto_client_new_aes_key(client, AES_KEY, 32, 7, &bad, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "OSSBRIDGE_CRYPTO_MODE_COMPATIBLE");
  ossbridge_error_free(err);
  CHECK(ossbridge_crypto_client_new_rsa(client, "not a pem", NULL, OSSBRIDGE_CRYPTO_MODE_COMPATIBLE, &bad, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_error_shape(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);
  CHECK(bad == NULL);
}

static void test_crypto_client_upload_and_download_files(void) {
  ossbridge_crypto_client *crypto = NULL;
  CHECK(ossbridge_crypto_client_new_aes_key(client, AES_KEY, 32, OSSBRIDGE_CRYPTO_MODE_AUTHENTICATED, &crypto, NULL) ==
        OSSBRIDGE_STATUS_OK);
  if (!crypto) return;
  size_t len = 1024 * 1024 + 7, back_len = 0;
  unsigned char *data = pattern(len, 19);
  const char *src = path_in_tmp("cse-src.bin"), *dst = path_in_tmp("cse-dst.bin");
  CHECK(write_file(src, data, len) == 0);
  ossbridge_upload_options options = {0};
  options.part_size = 256 * 1024;
  options.parallel = 2;
  ossbridge_upload_result *up = NULL, *down = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_crypto_client_upload_file(crypto, bucket, "cse/file.bin", src, &options, &up, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    crypto upload_file: %s\n", err->message);
  ossbridge_error_free(err);
  err = NULL;
  if (up) {
    CHECK(up->size == len);
    CHECK(up->upload_id != NULL);
    CHECK(up->part_count == 5);
  }
  CHECK(ossbridge_crypto_client_download_file(crypto, bucket, "cse/file.bin", dst, 300 * 1024, 3, &down, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    crypto download_file: %s\n", err->message);
  if (down) CHECK(down->size == len);
  unsigned char *back = read_file(dst, &back_len);
  CHECK(back && back_len == len && memcmp(back, data, len) == 0);
  free(back);
  free(data);
  options.checkpoint_file = "x";
  CHECK(ossbridge_crypto_client_upload_file(crypto, bucket, "cse/file.bin", src, &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  ossbridge_error_free(err);
  ossbridge_upload_result_free(up);
  ossbridge_upload_result_free(down);
  ossbridge_crypto_client_free(crypto);
}

/* ---- presigned URLs ---------------------------------------------------------------------- */

static void test_presigned_get_url_works_without_credentials(void) {
  ossbridge_presigned_url *url = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "shared.txt", (const uint8_t *)"shared body", 11, NULL, NULL,
                                    &err) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_presign(client, "GET", bucket, "shared.txt", 600, &url, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(url != NULL);
  if (url) {
    CHECK_STR(url->method, "GET");
    CHECK_CONTAINS(url->url, endpoint);
    CHECK_CONTAINS(url->url, "shared.txt");
    CHECK_CONTAINS(url->url, "x-oss-signature");
    CHECK(url->expiration > 0);
    char *body = NULL;
    CHECK(http_get(url->url, &body) == 200);
    CHECK_STR(body, "shared body");
    free(body);
  }
  ossbridge_presigned_url_free(url);
  CHECK(ossbridge_client_presign(client, "GET", bucket, "shared.txt", 0, &url, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "expires_seconds");
  ossbridge_error_free(err);
}

/* ---- credentials, signatures, network --------------------------------------------------------- */

static void test_v1_signature_client_works(void) {
  ossbridge_client *v1 = new_client(endpoint, key_id, key_secret, OSSBRIDGE_SIGNATURE_VERSION_V1);
  ossbridge_object_result *get = NULL;
  CHECK(v1 != NULL);
  if (!v1) return;
  CHECK(ossbridge_client_get_object(v1, bucket, "shared.txt", &get, NULL) == OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 11);
  ossbridge_object_result_free(get);
  ossbridge_client_free(v1);
}

static void test_wrong_secret_is_403_signature_does_not_match(void) {
  ossbridge_client *bad = new_client(endpoint, key_id, "wrong-secret", OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_error *err = NULL;
  CHECK(bad != NULL);
  if (!bad) return;
  CHECK(ossbridge_client_get_object(bad, bucket, "shared.txt", &(ossbridge_object_result *){NULL}, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 403, "SignatureDoesNotMatch");
  ossbridge_error_free(err);
  ossbridge_client_free(bad);
}

static void test_unknown_access_key_is_403_invalid_access_key_id(void) {
  ossbridge_client *bad = new_client(endpoint, "LTAI-unknown", "secret", OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_error *err = NULL;
  if (!bad) { CHECK(bad != NULL); return; }
  CHECK(ossbridge_client_delete_object(bad, bucket, "shared.txt", &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 403, "InvalidAccessKeyId");
  ossbridge_error_free(err);
  ossbridge_client_free(bad);
}

static void test_environment_credentials(void) {
  setenv("OSS_ACCESS_KEY_ID", key_id, 1);
  setenv("OSS_ACCESS_KEY_SECRET", key_secret, 1);
  ossbridge_client *env = new_client(endpoint, NULL, NULL, OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_error *err = NULL;
  CHECK(env != NULL);
  if (!env) return;
  CHECK(ossbridge_client_head_object(env, bucket, "shared.txt", NULL, &err) == OSSBRIDGE_STATUS_OK);
  unsetenv("OSS_ACCESS_KEY_ID");
  unsetenv("OSS_ACCESS_KEY_SECRET");
  CHECK(ossbridge_client_head_object(env, bucket, "shared.txt", NULL, &err) == OSSBRIDGE_STATUS_CREDENTIALS);
  check_local_error(err, OSSBRIDGE_STATUS_CREDENTIALS, "OSS_ACCESS_KEY_ID");
  ossbridge_error_free(err);
  ossbridge_client_free(env);
}

static void test_unreachable_endpoint_is_a_network_error(void) {
  /* Port 1 on loopback: nothing listens, so the connection is refused. */
  ossbridge_client *c = new_client("http://127.0.0.1:1", key_id, key_secret, OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_error *err = NULL;
  if (!c) { CHECK(c != NULL); return; }
  CHECK(ossbridge_client_head_object(c, bucket, "k", NULL, &err) == OSSBRIDGE_STATUS_NETWORK);
  check_local_error(err, OSSBRIDGE_STATUS_NETWORK, "127.0.0.1");
  ossbridge_error_free(err);
  ossbridge_client_free(c);
}

/* A loopback listener on a free port (backlog only: connections complete but nobody answers). */
static int listen_on_free_port(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  socklen_t len = sizeof addr;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

static void test_a_silent_server_is_a_timeout(void) {
  int port = 0, fd = listen_on_free_port(&port);
  CHECK(fd >= 0);
  if (fd < 0) return;
  char ep[64];
  snprintf(ep, sizeof ep, "http://127.0.0.1:%d", port);
  ossbridge_config *config = ossbridge_config_new();
  ossbridge_config_set_endpoint(config, ep, NULL);
  ossbridge_config_set_region(config, "cn-hangzhou", NULL);
  ossbridge_config_set_credentials(config, key_id, key_secret, NULL, NULL);
  ossbridge_config_set_request_timeout_ms(config, 300, NULL);
  ossbridge_client *c = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_new(config, &c, &err) == OSSBRIDGE_STATUS_OK);
  ossbridge_config_free(config);
  if (c) {
    CHECK(ossbridge_client_head_object(c, bucket, "k", NULL, &err) == OSSBRIDGE_STATUS_TIMEOUT);
    check_local_error(err, OSSBRIDGE_STATUS_TIMEOUT, "");
    ossbridge_error_free(err);
  }
  ossbridge_client_free(c);
  close(fd);
}

/* Answers every request on `fd` with a 200 whose body is not what OSS would send. */
static void *garbage_server(void *arg) {
  int fd = (int)(intptr_t)arg;
  for (;;) {
    int conn = accept(fd, NULL, NULL);
    if (conn < 0) return NULL;
    char buf[8192];
    ssize_t got = read(conn, buf, sizeof buf); /* the request head (no body on a GET) */
    (void)got;
    const char *body = "<NotTheRule>x</NotTheRule>";
    char response[512];
    snprintf(response, sizeof response,
             "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nx-oss-request-id: GARBAGE0000000000000000\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             strlen(body), body);
    ssize_t put = write(conn, response, strlen(response));
    (void)put;
    close(conn);
  }
}

static void test_an_unreadable_answer_is_a_protocol_error(void) {
  int port = 0, fd = listen_on_free_port(&port);
  CHECK(fd >= 0);
  if (fd < 0) return;
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, garbage_server, (void *)(intptr_t)fd) == 0);
  char ep[64];
  snprintf(ep, sizeof ep, "http://127.0.0.1:%d", port);
  ossbridge_client *c = new_client(ep, key_id, key_secret, OSSBRIDGE_SIGNATURE_VERSION_V4);
  ossbridge_bucket_encryption_result *result = NULL;
  ossbridge_error *err = NULL;
  if (c) {
    CHECK(ossbridge_client_get_bucket_encryption(c, bucket, &result, &err) == OSSBRIDGE_STATUS_PROTOCOL);
    CHECK(result == NULL);
    check_local_error(err, OSSBRIDGE_STATUS_PROTOCOL, "");
    if (err) printf("    (protocol error: %s)\n", err->message);
    ossbridge_error_free(err);
  }
  ossbridge_client_free(c);
  shutdown(fd, SHUT_RDWR);
  close(fd);
  pthread_join(thread, NULL);
}

/* ---- listing and ranged reads ----------------------------------------------------------------- */

#define FLAT_KEYS 23
static const char *const nested_keys[] = {"list/dir/a/1", "list/dir/a/2", "list/dir/b/1", "list/dir/top.txt"};
#define NESTED_KEYS (sizeof nested_keys / sizeof *nested_keys)
static char flat_etags[FLAT_KEYS][64];

static void flat_key(int i, char *out, size_t len) { snprintf(out, len, "list/flat/k%02d", i); }

static void test_list_objects_setup_puts_the_keys(void) {
  char key[64], body[FLAT_KEYS];
  memset(body, 'x', sizeof body);
  for (int i = 0; i < FLAT_KEYS; i++) {
    ossbridge_object_result *put = NULL;
    flat_key(i, key, sizeof key);
    /* Key i holds i bytes, so the listed sizes tell the keys apart. */
    CHECK(ossbridge_client_put_object(client, bucket, key, (const uint8_t *)body, (size_t)i, NULL, &put, NULL) ==
          OSSBRIDGE_STATUS_OK);
    if (put && put->etag) snprintf(flat_etags[i], sizeof flat_etags[i], "%s", put->etag);
    ossbridge_object_result_free(put);
  }
  for (size_t i = 0; i < NESTED_KEYS; i++)
    CHECK(ossbridge_client_put_object(client, bucket, nested_keys[i], (const uint8_t *)"x", 1, NULL, NULL, NULL) ==
          OSSBRIDGE_STATUS_OK);
}

/* Pages of 5 over 23 keys: 5 pages, each key exactly once, in order, with its size and ETag. */
static void test_list_objects_v2_pages_return_every_key_exactly_once(void) {
  int seen[FLAT_KEYS] = {0}, pages = 0, previous = -1;
  char token[512] = "";
  ossbridge_list_objects_options options = {0};
  options.prefix = "list/flat/";
  options.max_keys = 5;
  for (;;) {
    ossbridge_list_objects_result *page = NULL;
    ossbridge_error *err = NULL;
    options.continuation_token = token[0] ? token : NULL;
    CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, &err) == OSSBRIDGE_STATUS_OK);
    if (!page) {
      if (err) fprintf(stderr, "    list: %s\n", err->message);
      ossbridge_error_free(err);
      return;
    }
    pages++;
    CHECK(page->http_status == 200 && strlen(page->request_id) > 0);
    CHECK(page->objects_len == (pages < 5 ? 5u : 3u));
    CHECK(page->key_count == page->objects_len);
    CHECK(page->common_prefixes == NULL && page->common_prefixes_len == 0);
    for (size_t i = 0; i < page->objects_len; i++) {
      const ossbridge_object_summary *o = &page->objects[i];
      int n = -1;
      CHECK(sscanf(o->key, "list/flat/k%d", &n) == 1 && n >= 0 && n < FLAT_KEYS);
      if (n < 0 || n >= FLAT_KEYS) continue;
      seen[n]++;
      CHECK(n > previous); /* key order */
      previous = n;
      CHECK(o->size == (uint64_t)n);
      CHECK_STR(o->etag, flat_etags[n]);
      CHECK(strlen(o->last_modified) >= 20); /* 2026-11-27T03:40:00.000Z */
      CHECK_STR(o->storage_class, "Standard");
      CHECK_STR(o->object_type, "Normal");
    }
    CHECK(page->is_truncated == (pages < 5));
    if (!page->is_truncated) {
      CHECK(page->next_continuation_token == NULL);
      ossbridge_list_objects_result_free(page);
      break;
    }
    CHECK(page->next_continuation_token != NULL);
    snprintf(token, sizeof token, "%s", page->next_continuation_token ? page->next_continuation_token : "");
    ossbridge_list_objects_result_free(page);
    if (pages > 10 || !token[0]) break; /* a token that never ends the listing must not hang the suite */
  }
  CHECK(pages == 5);
  for (int i = 0; i < FLAT_KEYS; i++) CHECK(seen[i] == 1);
}

static void test_list_objects_v2_delimiter_groups_common_prefixes(void) {
  ossbridge_list_objects_options options = {0};
  options.prefix = "list/dir/";
  options.delimiter = "/";
  ossbridge_list_objects_result *page = NULL;
  CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, NULL) == OSSBRIDGE_STATUS_OK);
  if (page) {
    CHECK(page->objects_len == 1);
    if (page->objects_len == 1) CHECK_STR(page->objects[0].key, "list/dir/top.txt");
    CHECK(page->common_prefixes_len == 2);
    if (page->common_prefixes_len == 2) {
      CHECK_STR(page->common_prefixes[0], "list/dir/a/");
      CHECK_STR(page->common_prefixes[1], "list/dir/b/");
    }
    CHECK(!page->is_truncated && page->key_count == 3);
  }
  ossbridge_list_objects_result_free(page);

  /* start_after a common prefix skips everything under it. */
  page = NULL;
  options.start_after = "list/dir/a/";
  CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, NULL) == OSSBRIDGE_STATUS_OK);
  if (page) {
    CHECK(page->common_prefixes_len == 1 && page->objects_len == 1);
    if (page->common_prefixes_len == 1) CHECK_STR(page->common_prefixes[0], "list/dir/b/");
  }
  ossbridge_list_objects_result_free(page);

  /* One entry per page: prefixes and objects each come exactly once across the pages. */
  options.start_after = NULL;
  options.max_keys = 1;
  char token[512] = "", seen[256] = "";
  int pages = 0;
  for (; pages < 10; pages++) {
    page = NULL;
    options.continuation_token = token[0] ? token : NULL;
    if (ossbridge_client_list_objects_v2(client, bucket, &options, &page, NULL) != OSSBRIDGE_STATUS_OK || !page) {
      CHECK(0);
      break;
    }
    CHECK(page->objects_len + page->common_prefixes_len == 1);
    for (size_t i = 0; i < page->common_prefixes_len; i++)
      snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", page->common_prefixes[i]);
    for (size_t i = 0; i < page->objects_len; i++)
      snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", page->objects[i].key);
    int more = page->is_truncated && page->next_continuation_token;
    if (more) snprintf(token, sizeof token, "%s", page->next_continuation_token);
    ossbridge_list_objects_result_free(page);
    if (!more) break;
  }
  CHECK(pages == 2); /* 0-based: three pages */
  CHECK_STR(seen, "list/dir/a/ list/dir/b/ list/dir/top.txt ");
}

static void test_list_objects_v2_empty_results(void) {
  ossbridge_list_objects_options options = {0};
  options.prefix = "list/nothing-here/";
  options.delimiter = "/";
  ossbridge_list_objects_result *page = NULL;
  CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, NULL) == OSSBRIDGE_STATUS_OK);
  if (page) {
    CHECK(page->objects == NULL && page->objects_len == 0);
    CHECK(page->common_prefixes == NULL && page->common_prefixes_len == 0);
    CHECK(!page->is_truncated && page->next_continuation_token == NULL && page->key_count == 0);
  }
  ossbridge_list_objects_result_free(page);

  /* An empty bucket, and NULL options. */
  char empty[80];
  snprintf(empty, sizeof empty, "%s-empty", bucket);
  CHECK(ossbridge_client_create_bucket(client, empty, NULL) == OSSBRIDGE_STATUS_OK);
  page = NULL;
  CHECK(ossbridge_client_list_objects_v2(client, empty, NULL, &page, NULL) == OSSBRIDGE_STATUS_OK);
  if (page) CHECK(page->objects_len == 0 && !page->is_truncated);
  ossbridge_list_objects_result_free(page);
  CHECK(ossbridge_client_delete_bucket(client, empty, NULL) == OSSBRIDGE_STATUS_OK);
}

static void test_list_objects_v2_bad_input_and_missing_bucket(void) {
  ossbridge_list_objects_result *page = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_list_objects_v2(client, "Bad_Bucket", NULL, &page, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "invalid bucket name \"Bad_Bucket\"");
  CHECK(page == NULL);
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects_v2(client, bucket, NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "result_out");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects_v2(client, NULL, NULL, &page, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "bucket");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects_v2(client, "c-test-no-such-bucket", NULL, &page, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchBucket");
  CHECK(page == NULL);
  ossbridge_error_free(err);

  ossbridge_list_objects_options options = {0};
  options.continuation_token = "not a token";
  CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_error_shape(err, OSSBRIDGE_STATUS_SERVICE);
  if (err) {
    CHECK(err->http_status == 400);
    CHECK_STR(err->code, "InvalidArgument");
    CHECK_CONTAINS(err->message, "continuation-token");
  }
  ossbridge_error_free(err);
}

/* ---- ListObjects (V1): marker in, OSS's NextMarker out ---- */

/* One V1 page, or NULL (reported) on failure. */
static ossbridge_list_objects_v1_result *list_v1(const ossbridge_list_objects_v1_options *options) {
  ossbridge_list_objects_v1_result *page = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_list_objects(client, bucket, options, &page, &err) == OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    list_objects: %s\n", err->message);
  ossbridge_error_free(err);
  return page;
}

/* Pages of 5 over 23 keys following next_marker: each key exactly once, in order; the marker OSS
 * returns is the page's last key. */
static void test_list_objects_v1_pages_follow_next_marker(void) {
  int seen[FLAT_KEYS] = {0}, pages = 0, previous = -1;
  char marker[512] = "";
  ossbridge_list_objects_v1_options options = {0};
  options.prefix = "list/flat/";
  options.max_keys = 5;
  for (;;) {
    options.marker = marker[0] ? marker : NULL;
    ossbridge_list_objects_v1_result *page = list_v1(&options);
    if (!page) return;
    pages++;
    CHECK(page->http_status == 200 && strlen(page->request_id) > 0);
    CHECK(page->objects_len == (pages < 5 ? 5u : 3u));
    CHECK(page->common_prefixes == NULL && page->common_prefixes_len == 0);
    for (size_t i = 0; i < page->objects_len; i++) {
      const ossbridge_object_summary *o = &page->objects[i];
      int n = -1;
      CHECK(sscanf(o->key, "list/flat/k%d", &n) == 1 && n >= 0 && n < FLAT_KEYS);
      if (n < 0 || n >= FLAT_KEYS) continue;
      seen[n]++;
      CHECK(n > previous);
      previous = n;
      CHECK(o->size == (uint64_t)n);
      CHECK_STR(o->etag, flat_etags[n]);
      CHECK_STR(o->storage_class, "Standard");
    }
    CHECK(page->is_truncated == (pages < 5));
    if (!page->is_truncated) {
      CHECK(page->next_marker == NULL);
      ossbridge_list_objects_v1_result_free(page);
      break;
    }
    if (page->objects_len > 0) CHECK_STR(page->next_marker, page->objects[page->objects_len - 1].key);
    snprintf(marker, sizeof marker, "%s", page->next_marker ? page->next_marker : "");
    ossbridge_list_objects_v1_result_free(page);
    if (pages > 10 || !marker[0]) break; /* a marker that never ends the listing must not hang the suite */
  }
  CHECK(pages == 5);
  for (int i = 0; i < FLAT_KEYS; i++) CHECK(seen[i] == 1);
}

/* With a delimiter, a page can end on a common prefix: next_marker is then that prefix, and
 * continuing from it skips every key under it. */
static void test_list_objects_v1_delimiter_page_ends_on_a_common_prefix(void) {
  ossbridge_list_objects_v1_options options = {0};
  options.prefix = "list/dir/";
  options.delimiter = "/";
  options.max_keys = 2;
  ossbridge_list_objects_v1_result *first = list_v1(&options);
  if (!first) return;
  CHECK(first->objects_len == 0 && first->common_prefixes_len == 2);
  if (first->common_prefixes_len == 2) {
    CHECK_STR(first->common_prefixes[0], "list/dir/a/");
    CHECK_STR(first->common_prefixes[1], "list/dir/b/");
  }
  CHECK(first->is_truncated);
  CHECK_STR(first->next_marker, "list/dir/b/");
  options.marker = first->next_marker;
  ossbridge_list_objects_v1_result *second = list_v1(&options);
  if (second) {
    CHECK(second->common_prefixes_len == 0 && second->objects_len == 1);
    if (second->objects_len == 1) CHECK_STR(second->objects[0].key, "list/dir/top.txt");
    CHECK(!second->is_truncated && second->next_marker == NULL);
  }
  ossbridge_list_objects_v1_result_free(second);
  ossbridge_list_objects_v1_result_free(first);

  /* One entry per page: each prefix and object exactly once, in order. */
  options.max_keys = 1;
  char marker[512] = "", seen[256] = "";
  int pages = 0;
  for (; pages < 10; pages++) {
    options.marker = marker[0] ? marker : NULL;
    ossbridge_list_objects_v1_result *page = list_v1(&options);
    if (!page) break;
    CHECK(page->objects_len + page->common_prefixes_len == 1);
    for (size_t i = 0; i < page->common_prefixes_len; i++)
      snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", page->common_prefixes[i]);
    for (size_t i = 0; i < page->objects_len; i++)
      snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s ", page->objects[i].key);
    int more = page->is_truncated && page->next_marker;
    if (more) snprintf(marker, sizeof marker, "%s", page->next_marker);
    ossbridge_list_objects_v1_result_free(page);
    if (!more) break;
  }
  CHECK(pages == 2); /* 0-based: three pages */
  CHECK_STR(seen, "list/dir/a/ list/dir/b/ list/dir/top.txt ");
}

/* A marker that is any key (not a previous page's) starts right after it. */
static void test_list_objects_v1_marker_starts_after_a_key(void) {
  ossbridge_list_objects_v1_options options = {0};
  options.prefix = "list/flat/";
  options.marker = "list/flat/k17";
  ossbridge_list_objects_v1_result *page = list_v1(&options);
  if (page) {
    CHECK(page->objects_len == 5);
    if (page->objects_len == 5) {
      CHECK_STR(page->objects[0].key, "list/flat/k18");
      CHECK_STR(page->objects[4].key, "list/flat/k22");
    }
    CHECK(!page->is_truncated && page->next_marker == NULL);
  }
  ossbridge_list_objects_v1_result_free(page);

  /* A marker between keys ("k05x" sorts after k05), and one past the end. */
  options.marker = "list/flat/k05x";
  options.max_keys = 2;
  page = list_v1(&options);
  if (page) {
    CHECK(page->objects_len == 2);
    if (page->objects_len == 2) CHECK_STR(page->objects[0].key, "list/flat/k06");
    CHECK(page->is_truncated);
    CHECK_STR(page->next_marker, "list/flat/k07");
  }
  ossbridge_list_objects_v1_result_free(page);
  options.marker = "list/flat/z";
  page = list_v1(&options);
  if (page) CHECK(page->objects == NULL && page->objects_len == 0 && !page->is_truncated);
  ossbridge_list_objects_v1_result_free(page);
}

static void test_list_objects_v1_bad_input_and_missing_bucket(void) {
  ossbridge_list_objects_v1_result *page = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_list_objects(client, "Bad_Bucket", NULL, &page, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "invalid bucket name \"Bad_Bucket\"");
  CHECK(page == NULL);
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects(client, bucket, NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "result_out must not be NULL");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects(client, NULL, NULL, &page, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "bucket must not be NULL");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects(NULL, bucket, NULL, &page, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "client must not be NULL");
  ossbridge_error_free(err);

  CHECK(ossbridge_client_list_objects(client, "c-test-no-such-bucket", NULL, &page, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 404, "NoSuchBucket");
  CHECK(page == NULL);
  ossbridge_error_free(err);

  /* NULL options: the whole bucket, first page (OSS's default of 100 entries). */
  CHECK(ossbridge_client_list_objects(client, bucket, NULL, &page, &err) == OSSBRIDGE_STATUS_OK);
  CHECK(err == NULL);
  if (page) CHECK(page->objects_len >= FLAT_KEYS + NESTED_KEYS);
  ossbridge_list_objects_v1_result_free(page);
  ossbridge_list_objects_v1_result_free(NULL);
}

static void test_list_buckets_shows_created_buckets_page_by_page(void) {
  char second[80];
  snprintf(second, sizeof second, "%s-second", bucket);
  CHECK(ossbridge_client_create_bucket(client, second, NULL) == OSSBRIDGE_STATUS_OK);
  ossbridge_list_buckets_options options = {0};
  options.prefix = bucket;
  ossbridge_list_buckets_result *all = NULL;
  CHECK(ossbridge_client_list_buckets(client, &options, &all, NULL) == OSSBRIDGE_STATUS_OK);
  if (all) {
    CHECK(all->http_status == 200 && strlen(all->request_id) > 0);
    CHECK(all->buckets_len == 2);
    if (all->buckets_len == 2) {
      CHECK_STR(all->buckets[0].name, bucket);
      CHECK_STR(all->buckets[1].name, second);
      CHECK(strlen(all->buckets[0].creation_date) >= 20);
      CHECK_STR(all->buckets[0].region, "cn-hangzhou");
      CHECK_STR(all->buckets[0].location, "oss-cn-hangzhou");
      CHECK_STR(all->buckets[0].storage_class, "Standard");
    }
    CHECK(strlen(all->owner_id) > 0);
    CHECK(!all->is_truncated && all->next_marker == NULL);
  }
  ossbridge_list_buckets_result_free(all);

  /* One bucket per page, following next_marker. */
  ossbridge_list_buckets_result *first = NULL, *rest = NULL;
  options.max_keys = 1;
  CHECK(ossbridge_client_list_buckets(client, &options, &first, NULL) == OSSBRIDGE_STATUS_OK);
  if (first) {
    CHECK(first->buckets_len == 1 && first->is_truncated);
    if (first->buckets_len == 1) CHECK_STR(first->buckets[0].name, bucket);
    CHECK_STR(first->next_marker, bucket);
    options.marker = first->next_marker;
    CHECK(ossbridge_client_list_buckets(client, &options, &rest, NULL) == OSSBRIDGE_STATUS_OK);
  }
  if (rest) {
    CHECK(rest->buckets_len == 1 && !rest->is_truncated && rest->next_marker == NULL);
    if (rest->buckets_len == 1) CHECK_STR(rest->buckets[0].name, second);
  }
  ossbridge_list_buckets_result_free(first);
  ossbridge_list_buckets_result_free(rest);
  ossbridge_list_buckets_result *none = NULL;
  CHECK(ossbridge_client_list_buckets(client, NULL, &none, NULL) == OSSBRIDGE_STATUS_OK);
  if (none) CHECK(none->buckets_len >= 2);
  ossbridge_list_buckets_result_free(none);
  CHECK(ossbridge_client_delete_bucket(client, second, NULL) == OSSBRIDGE_STATUS_OK);

  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_list_buckets(client, NULL, NULL, &err) == OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "result_out");
  ossbridge_error_free(err);
}

static void test_list_objects_cleanup_deletes_the_keys(void) {
  char key[64];
  for (int i = 0; i < FLAT_KEYS; i++) {
    flat_key(i, key, sizeof key);
    CHECK(ossbridge_client_delete_object(client, bucket, key, NULL) == OSSBRIDGE_STATUS_OK);
  }
  for (size_t i = 0; i < NESTED_KEYS; i++)
    CHECK(ossbridge_client_delete_object(client, bucket, nested_keys[i], NULL) == OSSBRIDGE_STATUS_OK);
  ossbridge_list_objects_options options = {0};
  options.prefix = "list/";
  ossbridge_list_objects_result *page = NULL;
  CHECK(ossbridge_client_list_objects_v2(client, bucket, &options, &page, NULL) == OSSBRIDGE_STATUS_OK);
  if (page) CHECK(page->objects_len == 0);
  ossbridge_list_objects_result_free(page);
}

static void test_get_object_ranges(void) {
  const size_t size = 1000;
  unsigned char *data = pattern(size, 7);
  ossbridge_object_result *put = NULL, *get = NULL;
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_put_object(client, bucket, "range.bin", data, size, NULL, &put, NULL) == OSSBRIDGE_STATUS_OK);

  ossbridge_get_options options = {0};
  options.has_range = true;
  options.range_start = 100;
  options.range_end = 199;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_OK);
  if (get) {
    CHECK(get->http_status == 206);
    CHECK(get->data_len == 100 && memcmp(get->data, data + 100, 100) == 0);
    CHECK(get->content_length == 100 && get->object_size == size);
    CHECK_STR(find_pair(get->headers, get->headers_len, "content-range"), "bytes 100-199/1000");
  }
  ossbridge_object_result_free(get);

  /* To the end. */
  get = NULL;
  options.range_start = 900;
  options.range_end = -1;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, NULL) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->http_status == 206 && get->data_len == 100 && memcmp(get->data, data + 900, 100) == 0);
  ossbridge_object_result_free(get);

  /* A single byte. */
  get = NULL;
  options.range_start = 999;
  options.range_end = 999;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, NULL) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->data_len == 1 && get->data[0] == data[999]);
  ossbridge_object_result_free(get);

  /* NULL options and has_range = false read the whole object. */
  get = NULL;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", NULL, &get, NULL) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->http_status == 200 && get->data_len == size && memcmp(get->data, data, size) == 0);
  ossbridge_object_result_free(get);

  /* Past the end: OSS's default answers the whole object; "standard" behaviour answers 416. */
  get = NULL;
  options.range_start = 5000;
  options.range_end = -1;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, NULL) ==
        OSSBRIDGE_STATUS_OK);
  if (get) CHECK(get->http_status == 200 && get->data_len == size);
  ossbridge_object_result_free(get);
  ossbridge_pair standard[] = {{"x-oss-range-behavior", "standard"}};
  options.headers = standard;
  options.headers_len = 1;
  get = NULL;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 416, "InvalidRange");
  CHECK(get == NULL);
  ossbridge_error_free(err);

  /* Conditional headers go through as given. */
  ossbridge_pair mismatch[] = {{"If-Match", "\"0123456789abcdef0123456789abcdef\""}};
  options.has_range = false;
  options.headers = mismatch;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 412, "PreconditionFailed");
  ossbridge_error_free(err);
  if (put && put->etag) {
    ossbridge_pair match[] = {{"If-Match", put->etag}};
    options.headers = match;
    get = NULL;
    CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, NULL) ==
          OSSBRIDGE_STATUS_OK);
    if (get) CHECK(get->data_len == size);
    ossbridge_object_result_free(get);
  }

  /* Bad ranges are refused before sending, naming the problem. */
  options.headers = NULL;
  options.headers_len = 0;
  options.has_range = true;
  options.range_start = 200;
  options.range_end = 100;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "before start 200");
  ossbridge_error_free(err);
  options.range_end = -2;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "options.range_end is -2");
  ossbridge_error_free(err);
  options.range_end = 10;
  options.headers_len = 1; /* with headers == NULL */
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, &get, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "options.headers is NULL");
  ossbridge_error_free(err);
  options.headers_len = 0;
  CHECK(ossbridge_client_get_object_with_options(client, bucket, "range.bin", &options, NULL, &err) ==
        OSSBRIDGE_STATUS_INVALID_ARGUMENT);
  check_local_error(err, OSSBRIDGE_STATUS_INVALID_ARGUMENT, "result_out");
  ossbridge_error_free(err);

  ossbridge_object_result_free(put);
  CHECK(ossbridge_client_delete_object(client, bucket, "range.bin", NULL) == OSSBRIDGE_STATUS_OK);
  free(data);
}

/* ---- threads ---------------------------------------------------------------------------------- */

static void *thread_body(void *arg) {
  int index = (int)(intptr_t)arg, failures = 0;
  for (int i = 0; i < 5; i++) {
    char key[64], value[64];
    snprintf(key, sizeof key, "threads/%d-%d", index, i);
    snprintf(value, sizeof value, "value %d %d", index, i);
    ossbridge_object_result *get = NULL;
    if (ossbridge_client_put_object(client, bucket, key, (const uint8_t *)value, strlen(value), NULL, NULL, NULL) !=
            OSSBRIDGE_STATUS_OK ||
        ossbridge_client_get_object(client, bucket, key, &get, NULL) != OSSBRIDGE_STATUS_OK ||
        get->data_len != strlen(value) || memcmp(get->data, value, get->data_len) != 0)
      failures++;
    ossbridge_object_result_free(get);
    ossbridge_client_delete_object(client, bucket, key, NULL);
  }
  return (void *)(intptr_t)failures;
}

static void test_one_client_shared_by_four_threads(void) {
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, thread_body, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < 4; i++) {
    void *failures = NULL;
    pthread_join(threads[i], &failures);
    CHECK((intptr_t)failures == 0);
  }
}

/* ---- cleanup ---------------------------------------------------------------------------------- */

static void test_delete_non_empty_bucket_is_409_then_empty_and_delete(void) {
  ossbridge_error *err = NULL;
  CHECK(ossbridge_client_delete_bucket(client, bucket, &err) == OSSBRIDGE_STATUS_SERVICE);
  check_service_error(err, 409, "BucketNotEmpty");
  ossbridge_error_free(err);
  const char *keys[] = {"dir/kms.txt", "kms-sm4.bin", "raw.json", "file.bin", "plain.txt", "replaced.txt",
                        "big/multipart.bin", "big/small.bin", "big/resume.bin", "shared.txt",
                        "cse/aes.txt", "cse/rsa.bin", "cse/plain.txt", "cse/file.bin"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    CHECK(ossbridge_client_delete_object(client, bucket, keys[i], NULL) == OSSBRIDGE_STATUS_OK);
  CHECK(ossbridge_client_delete_bucket(client, bucket, &err) == OSSBRIDGE_STATUS_OK);
  if (err) fprintf(stderr, "    delete_bucket: %s (%s)\n", err->message, err->code);
  ossbridge_error_free(err);
}

int main(int argc, char **argv) {
  self_path = argv[0];
  endpoint = getenv("OSSBRIDGE_TEST_ENDPOINT");
  key_id = getenv("OSSBRIDGE_TEST_ACCESS_KEY_ID");
  key_secret = getenv("OSSBRIDGE_TEST_ACCESS_KEY_SECRET");
  tmpdir = getenv("OSSBRIDGE_TEST_TMPDIR");
  kms_key_id = getenv("OSSBRIDGE_TEST_KMS_KEY_ID");
  if (!endpoint || !key_id || !key_secret || !tmpdir || !kms_key_id) {
    fprintf(stderr, "set OSSBRIDGE_TEST_ENDPOINT, _ACCESS_KEY_ID, _ACCESS_KEY_SECRET, _TMPDIR and _KMS_KEY_ID (tests/c/run.sh does)\n");
    return 2;
  }
  if (argc == 6 && strcmp(argv[1], "--upload-child") == 0) return upload_child(argv);
  snprintf(bucket, sizeof bucket, "c-test-%ld", (long)getpid());
  client = new_client(endpoint, key_id, key_secret, OSSBRIDGE_SIGNATURE_VERSION_V4);
  if (!client) return 2;

  RUN(test_status_names_are_stable);
  RUN(test_config_rejects_null_and_bad_values);
  RUN(test_client_new_names_what_is_missing);
  RUN(test_null_client_and_arguments_are_rejected);
  RUN(test_create_bucket);
  RUN(test_get_bucket_encryption_without_rule_is_404_with_every_field);
  RUN(test_bucket_encryption_kms_with_key_and_sm4_round_trips);
  RUN(test_bucket_encryption_aes256_then_delete);
  RUN(test_bucket_encryption_rule_is_validated_before_sending);
  RUN(test_bucket_calls_on_a_missing_bucket_fail_with_no_such_bucket);
  RUN(test_put_get_head_with_sse_kms_and_metadata);
  RUN(test_put_with_an_unknown_cmk_is_a_service_error);
  RUN(test_put_with_kms_sm4_data_encryption);
  RUN(test_put_with_raw_sse_header_like_the_official_sdks);
  RUN(test_bad_sse_options_are_rejected_before_sending);
  RUN(test_put_from_file_and_get_to_file);
  RUN(test_local_file_problems_are_io_errors);
  RUN(test_get_missing_key_is_404_no_such_key_with_every_field);
  RUN(test_head_missing_key_is_404_from_the_error_header);
  RUN(test_copy_encrypts_the_destination);
  RUN(test_delete_object_then_head_is_404);
  RUN(test_corrupted_download_is_a_crc_mismatch);
  RUN(test_upload_file_multipart_with_sse);
  RUN(test_upload_file_resumes_after_the_uploader_is_killed);
  RUN(test_crypto_client_aes_key_round_trip_and_ranges);
  RUN(test_crypto_client_rsa_authenticated_detects_tampering);
  RUN(test_crypto_client_refuses_wrong_keys_and_plain_objects);
  RUN(test_crypto_client_upload_and_download_files);
  RUN(test_list_objects_setup_puts_the_keys);
  RUN(test_list_objects_v2_pages_return_every_key_exactly_once);
  RUN(test_list_objects_v2_delimiter_groups_common_prefixes);
  RUN(test_list_objects_v2_empty_results);
  RUN(test_list_objects_v2_bad_input_and_missing_bucket);
  RUN(test_list_objects_v1_pages_follow_next_marker);
  RUN(test_list_objects_v1_delimiter_page_ends_on_a_common_prefix);
  RUN(test_list_objects_v1_marker_starts_after_a_key);
  RUN(test_list_objects_v1_bad_input_and_missing_bucket);
  RUN(test_list_buckets_shows_created_buckets_page_by_page);
  RUN(test_list_objects_cleanup_deletes_the_keys);
  RUN(test_get_object_ranges);
  RUN(test_presigned_get_url_works_without_credentials);
  RUN(test_v1_signature_client_works);
  RUN(test_wrong_secret_is_403_signature_does_not_match);
  RUN(test_unknown_access_key_is_403_invalid_access_key_id);
  RUN(test_environment_credentials);
  RUN(test_unreachable_endpoint_is_a_network_error);
  RUN(test_a_silent_server_is_a_timeout);
  RUN(test_an_unreadable_answer_is_a_protocol_error);
  RUN(test_one_client_shared_by_four_threads);
  RUN(test_delete_non_empty_bucket_is_409_then_empty_and_delete);

  ossbridge_client_free(client);
  return HARNESS_SUMMARY();
}
