// The Go v2 SDK (github.com/aliyun/alibabacloud-oss-go-sdk-v2) against `ossbridge serve`:
// the guide's SSE flows, errors, ranges, the uploader and presigned URLs, with V1 and V4.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

const kmsForbidden = "This request is forbidden by kms."

type principal struct{ id, secret, token string }

var (
	endpoint string
	namedCMK string
	admin    principal
	noKms    principal
	sts      principal
)

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func binary() string {
	if b := os.Getenv("OSSBRIDGE_BIN"); b != "" {
		return b
	}
	abs, _ := filepath.Abs("../../../target/release/ossbridge")
	return abs
}

// TestMain starts one server for the package: temp data dir, a named CMK, three principals.
func TestMain(m *testing.M) {
	os.Exit(runWithServer(m))
}

func runWithServer(m *testing.M) int {
	base, err := os.MkdirTemp("", "ossbridge-go-")
	if err != nil {
		panic(err)
	}
	if os.Getenv("OSSBRIDGE_INTEROP_KEEP") == "" {
		defer os.RemoveAll(base)
	} else {
		fmt.Fprintf(os.Stderr, "interop: keeping %s\n", base)
	}
	dataDir := filepath.Join(base, "data")
	must(os.Mkdir(dataDir, 0o700))
	admin = principal{"LTAIadmin" + randHex(6), randHex(16), ""}
	noKms = principal{"LTAInokms" + randHex(6), randHex(16), ""}
	sts = principal{"STS.go" + randHex(6), randHex(16), "token-" + randHex(16)}
	config := fmt.Sprintf(`[[users]]
name = "admin"
access_key_id = %q
access_key_secret = %q
allow = ["oss:*", "kms:*"]

[[users]]
name = "nokms"
access_key_id = %q
access_key_secret = %q
allow = ["oss:*", "kms:GenerateDataKey"]

[[sts]]
user = "admin"
access_key_id = %q
access_key_secret = %q
security_token = %q
expiration = "2099-01-01T00:00:00Z"
`, admin.id, admin.secret, noKms.id, noKms.secret, sts.id, sts.secret, sts.token)
	configPath := filepath.Join(base, "server.toml")
	must(os.WriteFile(configPath, []byte(config), 0o600))

	out, err := exec.Command(binary(), "kms", "create-key", "--data-dir", dataDir, "--alias", "alias/go-named").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "ossbridge kms create-key failed: %v\n", err)
		return 1
	}
	fields := strings.Fields(string(out))
	namedCMK = fields[len(fields)-1]

	logFile, err := os.Create(filepath.Join(base, "server.log"))
	must(err)
	cmd := exec.Command(binary(), "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--config", configPath)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	must(err)
	must(cmd.Start())
	lines := make(chan string, 1)
	reader := bufio.NewReader(stdout)
	go func() {
		line, _ := reader.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, reader)
	}()
	select {
	case line := <-lines:
		match := regexp.MustCompile(`^listening on (http://\S+)\s*$`).FindStringSubmatch(line)
		if match == nil {
			fmt.Fprintf(os.Stderr, "unexpected first line %q\n", line)
			_ = cmd.Process.Kill()
			return 1
		}
		endpoint = match[1]
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "ossbridge serve printed no address within 30s")
		_ = cmd.Process.Kill()
		return 1
	}

	code := m.Run()

	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintf(os.Stderr, "ossbridge serve exited badly after SIGTERM: %v\n", err)
			return 1
		}
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		fmt.Fprintln(os.Stderr, "ossbridge serve did not exit within 15s of SIGTERM")
		return 1
	}
	return code
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func newClient(p principal, version oss.SignatureVersionType) *oss.Client {
	cfg := oss.LoadDefaultConfig().
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(p.id, p.secret, p.token)).
		WithRegion("cn-hangzhou").
		WithEndpoint(endpoint).
		WithSignatureVersion(version).
		WithRetryMaxAttempts(1)
	if os.Getenv("OSSBRIDGE_INTEROP_DEBUG") != "" {
		cfg = cfg.WithLogLevel(oss.LogDebug).WithLogPrinter(oss.LogPrinterFunc(func(a ...any) { fmt.Fprintln(os.Stderr, a...) }))
	}
	return oss.NewClient(cfg)
}

var versions = []struct {
	name string
	v    oss.SignatureVersionType
}{{"V1", oss.SignatureVersionV1}, {"V4", oss.SignatureVersionV4}}

func payload(size int, seed string) []byte {
	out := make([]byte, 0, size+32)
	for i := 0; len(out) < size; i++ {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", seed, i)))
		out = append(out, h[:]...)
	}
	return out[:size]
}

func newBucket(t *testing.T, c *oss.Client) string {
	t.Helper()
	name := "go-" + randHex(8)
	if _, err := c.PutBucket(context.TODO(), &oss.PutBucketRequest{Bucket: oss.Ptr(name)}); err != nil {
		t.Fatalf("PutBucket: %v", err)
	}
	return name
}

func serviceError(t *testing.T, err error, status int, code string) *oss.ServiceError {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %d %s, the call succeeded", status, code)
	}
	var se *oss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("expected a ServiceError %d %s, got %v", status, code, err)
	}
	if se.StatusCode != status || se.Code != code {
		t.Fatalf("expected %d %s, got %d %s: %s", status, code, se.StatusCode, se.Code, se.Message)
	}
	if se.RequestID == "" {
		t.Fatalf("%s without a request id", code)
	}
	return se
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type sseCase struct {
	name                string
	alg, keyID, dataEnc string // request
	wantKey             string // "" none, "DEFAULT", or an id
}

func sseCases() []sseCase {
	return []sseCase{
		{"AES256", "AES256", "", "", ""},
		{"SM4", "SM4", "", "", ""},
		{"KMS-default", "KMS", "", "", "DEFAULT"},
		{"KMS-named", "KMS", namedCMK, "", namedCMK},
		{"KMS-SM4", "KMS", "", "SM4", "DEFAULT"},
		{"KMS-named-SM4", "KMS", namedCMK, "SM4", namedCMK},
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return oss.Ptr(s)
}

func checkSSE(t *testing.T, where string, alg, keyID, dataEnc *string, c sseCase) {
	t.Helper()
	if deref(alg) != c.alg {
		t.Errorf("%s: algorithm %q, want %q", where, deref(alg), c.alg)
	}
	switch c.wantKey {
	case "DEFAULT":
		if deref(keyID) == "" || deref(keyID) == namedCMK {
			t.Errorf("%s: default CMK id expected, got %q", where, deref(keyID))
		}
	default:
		if deref(keyID) != c.wantKey {
			t.Errorf("%s: key id %q, want %q", where, deref(keyID), c.wantKey)
		}
	}
	if deref(dataEnc) != c.dataEnc {
		t.Errorf("%s: data encryption %q, want %q", where, deref(dataEnc), c.dataEnc)
	}
}

func TestBucketRules(t *testing.T) {
	ctx := context.TODO()
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			c := newClient(admin, v.v)
			b := newBucket(t, c)
			for _, r := range [][3]string{{"AES256", "", ""}, {"SM4", "", ""}, {"KMS", "", ""}, {"KMS", namedCMK, ""}, {"KMS", "", "SM4"}, {"KMS", namedCMK, "SM4"}} {
				_, err := c.PutBucketEncryption(ctx, &oss.PutBucketEncryptionRequest{
					Bucket: oss.Ptr(b),
					ServerSideEncryptionRule: &oss.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &oss.ApplyServerSideEncryptionByDefault{
						SSEAlgorithm: oss.Ptr(r[0]), KMSMasterKeyID: optional(r[1]), KMSDataEncryption: optional(r[2]),
					}},
				})
				if err != nil {
					t.Fatalf("PutBucketEncryption %v: %v", r, err)
				}
				got, err := c.GetBucketEncryption(ctx, &oss.GetBucketEncryptionRequest{Bucket: oss.Ptr(b)})
				if err != nil {
					t.Fatalf("GetBucketEncryption: %v", err)
				}
				d := got.ServerSideEncryptionRule.ApplyServerSideEncryptionByDefault
				if deref(d.SSEAlgorithm) != r[0] || deref(d.KMSMasterKeyID) != r[1] || deref(d.KMSDataEncryption) != r[2] {
					t.Fatalf("rule %v read back as %q %q %q", r, deref(d.SSEAlgorithm), deref(d.KMSMasterKeyID), deref(d.KMSDataEncryption))
				}
				// The default applies to an upload without SSE headers.
				key := "default-" + r[0] + r[1] + r[2]
				if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key), Body: strings.NewReader("x")}); err != nil {
					t.Fatal(err)
				}
				h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key)})
				if err != nil {
					t.Fatal(err)
				}
				want := sseCase{alg: r[0], dataEnc: r[2], wantKey: r[1]}
				if r[0] == "KMS" && r[1] == "" {
					want.wantKey = "DEFAULT"
				}
				checkSSE(t, "HeadObject under rule", h.ServerSideEncryption, h.ServerSideEncryptionKeyId, h.ServerSideDataEncryption, want)
			}
			if _, err := c.DeleteBucketEncryption(ctx, &oss.DeleteBucketEncryptionRequest{Bucket: oss.Ptr(b)}); err != nil {
				t.Fatal(err)
			}
			_, err := c.GetBucketEncryption(ctx, &oss.GetBucketEncryptionRequest{Bucket: oss.Ptr(b)})
			serviceError(t, err, 404, "NoSuchServerSideEncryptionRule")
			_, err = c.PutBucketEncryption(ctx, &oss.PutBucketEncryptionRequest{Bucket: oss.Ptr(b),
				ServerSideEncryptionRule: &oss.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &oss.ApplyServerSideEncryptionByDefault{SSEAlgorithm: oss.Ptr("random")}}})
			serviceError(t, err, 400, "InvalidEncryptionAlgorithmError")
			_, err = c.PutBucketEncryption(ctx, &oss.PutBucketEncryptionRequest{Bucket: oss.Ptr(b),
				ServerSideEncryptionRule: &oss.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &oss.ApplyServerSideEncryptionByDefault{SSEAlgorithm: oss.Ptr("AES256"), KMSMasterKeyID: oss.Ptr("test")}}})
			serviceError(t, err, 400, "InvalidArgument")
		})
	}
}

func TestObjectSSE(t *testing.T) {
	ctx := context.TODO()
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			c := newClient(admin, v.v)
			b := newBucket(t, c)
			for _, sc := range sseCases() {
				data := payload(250_001, sc.name)
				key := "obj/" + sc.name
				if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key), Body: bytes.NewReader(data),
					ServerSideEncryption: optional(sc.alg), ServerSideEncryptionKeyId: optional(sc.keyID), ServerSideDataEncryption: optional(sc.dataEnc)}); err != nil {
					t.Fatalf("%s PutObject: %v", sc.name, err)
				}
				g, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key)})
				if err != nil {
					t.Fatalf("%s GetObject: %v", sc.name, err)
				}
				got, _ := io.ReadAll(g.Body)
				g.Body.Close()
				if !bytes.Equal(got, data) {
					t.Fatalf("%s: GetObject returned %d bytes that differ from the plaintext", sc.name, len(got))
				}
				checkSSE(t, sc.name+" GetObject", g.ServerSideEncryption, g.ServerSideEncryptionKeyId, g.ServerSideDataEncryption, sc)
				h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key)})
				if err != nil {
					t.Fatal(err)
				}
				checkSSE(t, sc.name+" HeadObject", h.ServerSideEncryption, h.ServerSideEncryptionKeyId, h.ServerSideDataEncryption, sc)
				if h.ContentLength != int64(len(data)) || deref(h.HashCRC64) == "" {
					t.Fatalf("%s: HeadObject length %d crc %q", sc.name, h.ContentLength, deref(h.HashCRC64))
				}

				// Copy onto itself after a plain re-upload encrypts it again.
				plainKey := key + "-plain"
				if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(plainKey), Body: bytes.NewReader(data)}); err != nil {
					t.Fatal(err)
				}
				cp, err := c.CopyObject(ctx, &oss.CopyObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(plainKey), SourceKey: oss.Ptr(plainKey),
					ServerSideEncryption: optional(sc.alg), ServerSideEncryptionKeyId: optional(sc.keyID), ServerSideDataEncryption: optional(sc.dataEnc)})
				if err != nil {
					t.Fatalf("%s CopyObject onto itself: %v", sc.name, err)
				}
				checkSSE(t, sc.name+" CopyObject", cp.ServerSideEncryption, cp.ServerSideEncryptionKeyId, cp.ServerSideDataEncryption, sc)
			}
			_, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("bad"), Body: strings.NewReader("x"), ServerSideEncryption: oss.Ptr("AES128")})
			serviceError(t, err, 400, "InvalidEncryptionAlgorithmError")
			_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("missing")})
			serviceError(t, err, 404, "NoSuchKey")
			_, err = c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("missing")})
			serviceError(t, err, 404, "NoSuchKey")
			_, err = c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr("go-missing-" + randHex(4)), Key: oss.Ptr("k")})
			serviceError(t, err, 404, "NoSuchBucket")
		})
	}
}

func TestMultipartAppendAndRanges(t *testing.T) {
	ctx := context.TODO()
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			c := newClient(admin, v.v)
			b := newBucket(t, c)
			sc := sseCase{"KMS-named-SM4", "KMS", namedCMK, "SM4", namedCMK}

			// The SDK's uploader: multipart with SSE given once, on the initiate request.
			data := payload(3*(1<<20)+12_345, "uploader")
			_, err := c.NewUploader(func(o *oss.UploaderOptions) { o.PartSize = 1 << 20; o.ParallelNum = 2 }).
				UploadFrom(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp"),
					ServerSideEncryption: oss.Ptr("KMS"), ServerSideEncryptionKeyId: oss.Ptr(namedCMK), ServerSideDataEncryption: oss.Ptr("SM4")}, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("uploader: %v", err)
			}
			h, err := c.HeadObject(ctx, &oss.HeadObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp")})
			if err != nil {
				t.Fatal(err)
			}
			checkSSE(t, "multipart HeadObject", h.ServerSideEncryption, h.ServerSideEncryptionKeyId, h.ServerSideDataEncryption, sc)

			// SSE headers on UploadPart and Complete are refused.
			init, err := c.InitiateMultipartUpload(ctx, &oss.InitiateMultipartUploadRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp2"), ServerSideEncryption: oss.Ptr("SM4")})
			if err != nil {
				t.Fatal(err)
			}
			bad := &oss.UploadPartRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp2"), UploadId: init.UploadId, PartNumber: 1, Body: strings.NewReader("part")}
			bad.Headers = map[string]string{"x-oss-server-side-encryption": "SM4"}
			_, err = c.UploadPart(ctx, bad)
			serviceError(t, err, 400, "InvalidArgument")
			part, err := c.UploadPart(ctx, &oss.UploadPartRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp2"), UploadId: init.UploadId, PartNumber: 1, Body: strings.NewReader("part")})
			if err != nil {
				t.Fatal(err)
			}
			complete := &oss.CompleteMultipartUploadRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp2"), UploadId: init.UploadId,
				CompleteMultipartUpload: &oss.CompleteMultipartUpload{Parts: []oss.UploadPart{{PartNumber: 1, ETag: part.ETag}}}}
			complete.Headers = map[string]string{"x-oss-server-side-encryption": "SM4"}
			_, err = c.CompleteMultipartUpload(ctx, complete)
			serviceError(t, err, 400, "InvalidArgument")
			complete.Headers = nil
			if _, err := c.CompleteMultipartUpload(ctx, complete); err != nil {
				t.Fatal(err)
			}

			// Append keeps the SSE of the first append.
			a1, a2 := payload(40_000, "a1"), payload(50_000, "a2")
			r1, err := c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("log"), Position: oss.Ptr(int64(0)), Body: bytes.NewReader(a1), ServerSideEncryption: oss.Ptr("KMS")})
			if err != nil {
				t.Fatal(err)
			}
			r2, err := c.AppendObject(ctx, &oss.AppendObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("log"), Position: oss.Ptr(r1.NextPosition), Body: bytes.NewReader(a2)})
			if err != nil {
				t.Fatal(err)
			}
			checkSSE(t, "second append", r2.ServerSideEncryption, r2.ServerSideEncryptionKeyId, r2.ServerSideDataEncryption, sseCase{alg: "KMS", wantKey: "DEFAULT"})
			if r2.NextPosition != int64(len(a1)+len(a2)) {
				t.Fatalf("next position %d", r2.NextPosition)
			}

			// Ranged GETs of the multipart SSE object.
			seed := uint64(42)
			next := func(n int) int {
				seed = seed*6364136223846793005 + 1442695040888963407
				return int((seed >> 33) % uint64(n))
			}
			for i := 0; i < 60; i++ {
				var rng string
				var want []byte
				switch i % 3 {
				case 0:
					a := next(len(data))
					e := a + next(min(len(data)-a, 400_000))
					rng, want = fmt.Sprintf("bytes=%d-%d", a, e), data[a:e+1]
				case 1:
					a := next(len(data))
					rng, want = fmt.Sprintf("bytes=%d-", a), data[a:]
				default:
					n := 1 + next(len(data)-1)
					rng, want = fmt.Sprintf("bytes=-%d", n), data[len(data)-n:]
				}
				g, err := c.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("mp"), Range: oss.Ptr(rng)})
				if err != nil {
					t.Fatalf("%s: %v", rng, err)
				}
				got, _ := io.ReadAll(g.Body)
				g.Body.Close()
				if g.StatusCode != 206 || !bytes.Equal(got, want) {
					t.Fatalf("%s: status %d, %d bytes (want %d) differ from the plaintext", rng, g.StatusCode, len(got), len(want))
				}
			}
		})
	}
}

func TestKmsAccessAndAuth(t *testing.T) {
	ctx := context.TODO()
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			c := newClient(admin, v.v)
			b := "go-" + randHex(8)
			if _, err := c.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(b), Acl: oss.BucketACLPublicRead}); err != nil {
				t.Fatal(err)
			}
			for key, alg := range map[string]string{"kms": "KMS", "sm4": "SM4"} {
				if _, err := c.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr(key), Body: strings.NewReader("secret " + key), ServerSideEncryption: oss.Ptr(alg)}); err != nil {
					t.Fatal(err)
				}
			}
			u := newClient(noKms, v.v)
			_, err := u.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("kms")})
			if se := serviceError(t, err, 403, "AccessDenied"); se.Message != kmsForbidden {
				t.Fatalf("message %q", se.Message)
			}
			if _, err := u.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("sm4")}); err != nil {
				t.Fatalf("SSE-OSS needs no KMS permission: %v", err)
			}
			resp, err := http.Get(endpoint + "/" + b + "/kms")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !strings.Contains(string(body), "<Message>"+kmsForbidden+"</Message>") {
				t.Fatalf("anonymous read of a KMS object: %d %s", resp.StatusCode, body)
			}

			wrong := newClient(principal{admin.id, "wrong", ""}, v.v)
			_, err = wrong.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("sm4")})
			serviceError(t, err, 403, "SignatureDoesNotMatch")

			stsClient := newClient(sts, v.v)
			if _, err := stsClient.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("sts"), Body: strings.NewReader("via sts"), ServerSideEncryption: oss.Ptr("KMS")}); err != nil {
				t.Fatalf("STS PutObject: %v", err)
			}

			// Presigned GET fetched by net/http, for admin and STS credentials.
			for _, signer := range []*oss.Client{c, stsClient} {
				pr, err := signer.Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("sts")}, oss.PresignExpires(5*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				req, _ := http.NewRequest("GET", pr.URL, nil)
				for k, val := range pr.SignedHeaders {
					req.Header.Set(k, val)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(got) != "via sts" || resp.Header.Get("x-oss-server-side-encryption") != "KMS" {
					t.Fatalf("presigned GET: %d %s", resp.StatusCode, got)
				}
			}
			pr, err := c.Presign(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(b), Key: oss.Ptr("sts")}, oss.PresignExpires(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(2200 * time.Millisecond)
			resp, err = http.Get(pr.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 403 || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
				t.Fatalf("expired presigned URL: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestUnsupportedOperationIs501(t *testing.T) {
	c := newClient(admin, oss.SignatureVersionV4)
	b := newBucket(t, c)
	_, err := c.GetBucketLifecycle(context.TODO(), &oss.GetBucketLifecycleRequest{Bucket: oss.Ptr(b)})
	var se *oss.ServiceError
	if !errors.As(err, &se) || se.StatusCode != 501 {
		t.Fatalf("GetBucketLifecycle: want a 501 service error, got %v", err)
	}
}
