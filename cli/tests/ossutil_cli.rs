//! The ossutil-style commands as processes against a real `ossbridge serve`: every command,
//! what the server stored (checked through the core client, not through the CLI) and what
//! was printed, exit statuses, a killed `cp` resumed from its checkpoint, `set-meta`
//! encrypting an object in place, and the progress bar in a pseudo-terminal only.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use ossbridge_core::blocking::Client;
use ossbridge_core::credentials::Credentials;
use ossbridge_core::model::{ListObjectsV2Options, PutObjectOptions};
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::ClientConfig;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ossbridge");
const AK: &str = "LTAI5tCLITESTKEY";
const SK: &str = "cliTestSecret0123456789abcdef";

/// One server on a free port with its own data dir, and a scratch dir (also HOME, so no
/// real ~/.ossutilconfig is read) for the CLI's files.
struct Env {
    server: Child,
    url: String,
    dir: tempfile::TempDir,
    core: Client,
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--access-key-id", AK, "--access-key-secret", SK])
            .env_remove("OSS_ACCESS_KEY_ID")
            .env_remove("OSS_ACCESS_KEY_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ossbridge serve");
        let mut line = String::new();
        BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first server line {line:?}"))
            .to_string();
        let core = Client::new(
            ClientConfig::builder()
                .endpoint(url.clone())
                .region("cn-hangzhou")
                .signature_version(SignatureVersion::V4)
                .credentials(Credentials::new(AK, SK))
                .build()
                .unwrap(),
        )
        .unwrap();
        Env {
            server,
            url,
            dir,
            core,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The CLI with the endpoint and keys in the environment (nothing else of ours).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("OSS_ENDPOINT", &self.url)
            .env("OSS_REGION", "cn-hangzhou")
            .env("OSS_ACCESS_KEY_ID", AK)
            .env("OSS_ACCESS_KEY_SECRET", SK)
            .current_dir(self.dir.path());
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run ossbridge")
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ossbridge {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status,
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command with --json that must succeed; returns the document.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let stdout = self.ok(&all);
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn create_key(&self) -> String {
        let out = Command::new(BIN)
            .args(["kms", "create-key", "--data-dir"])
            .arg(self.path("data"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        self.core
            .list_all_objects_v2(bucket, ListObjectsV2Options::default())
            .unwrap()
            .into_iter()
            .flat_map(|p| p.objects.into_iter().map(|o| o.key))
            .collect()
    }

    fn object(&self, bucket: &str, key: &str) -> Vec<u8> {
        self.core
            .get_object(bucket, key, &Default::default())
            .unwrap()
            .data
            .to_vec()
    }

    /// The three SSE headers OSS reports for an object.
    fn sse(&self, bucket: &str, key: &str) -> (Option<String>, Option<String>, Option<String>) {
        let s = self.core.head_object(bucket, key).unwrap().meta.sse;
        (s.algorithm, s.key_id, s.data_encryption)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Deterministic incompressible-looking bytes (xorshift).
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn assert_exit(out: &Output, code: i32, stderr_has: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {err}",
        text(&out.stdout)
    );
    for s in stderr_has {
        assert!(err.contains(s), "stderr lacks {s:?}: {err}");
    }
}

#[test]
fn buckets_mb_ls_stat_rb() {
    let env = Env::new();
    env.ok(&["mb", "oss://plain-bucket"]);
    let made = env.json(&[
        "mb",
        "oss://enc-bucket",
        "--acl",
        "public-read",
        "--meta",
        "X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Data-Encryption:SM4",
    ]);
    assert_eq!(made["sse_algorithm"], "KMS");
    let info = env.core.get_bucket_info("enc-bucket").unwrap();
    assert_eq!(info.acl, "public-read");
    let rule = info
        .encryption
        .expect("default encryption set by mb --meta");
    assert_eq!(
        (rule.sse_algorithm(), rule.kms_data_encryption()),
        ("KMS", Some("SM4"))
    );
    assert!(env
        .core
        .get_bucket_info("plain-bucket")
        .unwrap()
        .encryption
        .is_none());

    let ls = env.ok(&["ls"]);
    assert!(
        ls.contains("oss://enc-bucket") && ls.contains("oss://plain-bucket"),
        "{ls}"
    );
    assert!(ls.contains("Bucket Number is: 2"), "{ls}");
    let names: Vec<String> = env.json(&["ls"])["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["enc-bucket", "plain-bucket"]);

    let stat = env.ok(&["stat", "oss://enc-bucket"]);
    assert!(stat.contains("SSEAlgorithm     : KMS"), "{stat}");
    assert!(stat.contains("KMSDataEncryption: SM4"), "{stat}");
    assert!(stat.contains("ACL              : public-read"), "{stat}");

    // mb on an existing bucket of ours is fine for OSS; a bucket --meta with object
    // headers is bad usage and sends nothing.
    let out = env.run(&[
        "mb",
        "oss://other-bucket",
        "--meta",
        "Content-Type:text/plain",
    ]);
    assert_exit(&out, 2, &["only the X-Oss-Server-Side-Encryption"]);
    assert!(env.core.get_bucket_info("other-bucket").is_err());

    env.ok(&["rb", "oss://plain-bucket"]);
    let gone = env.core.get_bucket_info("plain-bucket").unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchBucket"));
    // A service error: exit 1 with code, message and request id.
    let out = env.run(&["rb", "oss://plain-bucket"]);
    assert_exit(
        &out,
        1,
        &["ErrorCode=NoSuchBucket", "ErrorMessage=", "RequestId="],
    );
    let out = env.run(&["rb", "oss://plain-bucket", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "NoSuchBucket");
    assert_eq!(doc["error"]["status"], 404);
    assert!(!doc["error"]["request_id"].as_str().unwrap().is_empty());
}

#[test]
fn bucket_encryption_put_get_delete() {
    let env = Env::new();
    let key = env.create_key();
    env.ok(&["mb", "oss://sse-rules"]);
    env.ok(&[
        "bucket-encryption",
        "--method",
        "put",
        "oss://sse-rules",
        "--sse-algorithm",
        "KMS",
        "--kms-masterkey-id",
        &key,
        "--kms-data-encryption",
        "SM4",
    ]);
    let rule = env.core.get_bucket_encryption("sse-rules").unwrap().rule;
    assert_eq!(rule.sse_algorithm(), "KMS");
    assert_eq!(rule.kms_master_key_id(), Some(key.as_str()));
    assert_eq!(rule.kms_data_encryption(), Some("SM4"));

    let got = env.ok(&["bucket-encryption", "--method", "get", "oss://sse-rules"]);
    assert!(got.contains("SSEAlgorithm     : KMS"), "{got}");
    assert!(got.contains(&format!("KMSMasterKeyID   : {key}")), "{got}");
    let doc = env.json(&["bucket-encryption", "--method", "get", "oss://sse-rules"]);
    assert_eq!(doc["kms_data_encryption"], "SM4");

    // A new object picks up the rule.
    write(&env.path("f.txt"), b"default encrypted");
    env.ok(&["cp", "f.txt", "oss://sse-rules/f.txt"]);
    assert_eq!(
        env.sse("sse-rules", "f.txt"),
        (Some("KMS".into()), Some(key.clone()), Some("SM4".into()))
    );

    // Client-side validation as ossutil: a key id with AES256 is rejected before sending.
    let out = env.run(&[
        "bucket-encryption",
        "--method",
        "put",
        "oss://sse-rules",
        "--sse-algorithm",
        "AES256",
        "--kms-masterkey-id",
        "k",
    ]);
    assert_exit(&out, 2, &["only valid with algorithm KMS"]);
    let out = env.run(&["bucket-encryption", "--method", "put", "oss://sse-rules"]);
    assert_exit(&out, 2, &["--sse-algorithm"]);
    assert_eq!(
        env.core
            .get_bucket_encryption("sse-rules")
            .unwrap()
            .rule
            .sse_algorithm(),
        "KMS"
    );

    env.ok(&["bucket-encryption", "--method", "delete", "oss://sse-rules"]);
    let err = env.core.get_bucket_encryption("sse-rules").unwrap_err();
    assert_eq!(err.code(), Some("NoSuchServerSideEncryptionRule"));
    let out = env.run(&["bucket-encryption", "--method", "get", "oss://sse-rules"]);
    assert_exit(
        &out,
        1,
        &["ErrorCode=NoSuchServerSideEncryptionRule", "RequestId="],
    );
}

#[test]
fn cp_every_direction_with_the_guides_meta() {
    let env = Env::new();
    let key = env.create_key();
    env.ok(&["mb", "oss://src-bucket"]);
    env.ok(&["mb", "oss://dst-bucket"]);
    let body = data(300_000, 1);
    write(&env.path("local/photo.jpg"), &body);
    let meta = format!(
        "X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Encryption-Key-Id:{key}#X-Oss-Server-Side-Data-Encryption:SM4#X-Oss-Meta-Owner:alice#Content-Type:image/jpeg"
    );
    // Into a "directory" destination: the file name becomes the key.
    let printed = env.ok(&[
        "cp",
        "local/photo.jpg",
        "oss://src-bucket/pics/",
        "--meta",
        &meta,
    ]);
    assert!(
        printed.contains("Succeed: Total num: 1, size: 300,000. OK num: 1(upload 1 files)."),
        "{printed}"
    );
    assert!(
        !printed.contains("ETA"),
        "no progress bar when piped: {printed}"
    );
    assert_eq!(env.object("src-bucket", "pics/photo.jpg"), body);
    assert_eq!(
        env.sse("src-bucket", "pics/photo.jpg"),
        (Some("KMS".into()), Some(key.clone()), Some("SM4".into()))
    );
    let head = env
        .core
        .head_object("src-bucket", "pics/photo.jpg")
        .unwrap();
    assert_eq!(head.info.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        head.meta.user_metadata(),
        vec![("owner".to_string(), "alice".to_string())]
    );

    // stat shows the encryption as ossutil names the headers.
    let stat = env.ok(&["stat", "oss://src-bucket/pics/photo.jpg"]);
    assert!(
        stat.contains("X-Oss-Server-Side-Encryption       : KMS"),
        "{stat}"
    );
    assert!(
        stat.contains(&format!("X-Oss-Server-Side-Encryption-Key-Id: {key}")),
        "{stat}"
    );
    assert!(stat.contains("X-Oss-Meta-Owner"), "{stat}");
    let doc = env.json(&["stat", "oss://src-bucket/pics/photo.jpg"]);
    assert_eq!(doc["server_side_data_encryption"], "SM4");
    assert_eq!(doc["size"], 300_000);

    // OSS to local, to a file name and into a directory.
    env.ok(&["cp", "oss://src-bucket/pics/photo.jpg", "down.jpg"]);
    assert_eq!(std::fs::read(env.path("down.jpg")).unwrap(), body);
    std::fs::create_dir(env.path("downdir")).unwrap();
    env.ok(&["cp", "oss://src-bucket/pics/photo.jpg", "downdir"]);
    assert_eq!(std::fs::read(env.path("downdir/photo.jpg")).unwrap(), body);

    // OSS to OSS with another encryption: CopyObject re-encrypts, data and metadata kept.
    let doc = env.json(&[
        "cp",
        "oss://src-bucket/pics/photo.jpg",
        "oss://dst-bucket/copy.jpg",
        "--meta",
        "X-Oss-Server-Side-Encryption:AES256",
    ]);
    assert_eq!(doc["direction"], "copy");
    assert_eq!(env.object("dst-bucket", "copy.jpg"), body);
    assert_eq!(
        env.sse("dst-bucket", "copy.jpg"),
        (Some("AES256".into()), None, None)
    );
    let head = env.core.head_object("dst-bucket", "copy.jpg").unwrap();
    assert_eq!(head.info.content_type.as_deref(), Some("image/jpeg"));

    // Above the big-file threshold the copy goes part by part (UploadPartCopy).
    env.ok(&[
        "cp",
        "oss://src-bucket/pics/photo.jpg",
        "oss://dst-bucket/parts.jpg",
        "--bigfile-threshold",
        "150000",
        "--part-size",
        "102400",
        "--meta",
        "X-Oss-Server-Side-Encryption:SM4",
    ]);
    assert_eq!(env.object("dst-bucket", "parts.jpg"), body);
    let head = env.core.head_object("dst-bucket", "parts.jpg").unwrap();
    assert!(
        head.meta.etag.as_deref().unwrap().ends_with("-3\""),
        "{:?}",
        head.meta.etag
    );
    assert_eq!(head.meta.sse.algorithm.as_deref(), Some("SM4"));
    assert_eq!(head.info.content_type.as_deref(), Some("image/jpeg"));

    // A missing source object: exit 1, nothing written.
    let out = env.run(&["cp", "oss://src-bucket/nope", "nope.bin"]);
    assert_exit(&out, 1, &["StatusCode=404"]);
    assert!(!env.path("nope.bin").exists());
    // Downloads take no --meta; local to local is not a cp of ours.
    let out = env.run(&[
        "cp",
        "oss://src-bucket/pics/photo.jpg",
        "x",
        "--meta",
        "Content-Type:a/b",
    ]);
    assert_exit(&out, 2, &["--meta"]);
    let out = env.run(&["cp", "down.jpg", "other.jpg"]);
    assert_exit(&out, 2, &["oss://"]);
}

#[test]
fn recursive_tree_upload_download_copy_and_update() {
    let env = Env::new();
    env.ok(&["mb", "oss://tree-bucket"]);
    env.ok(&["mb", "oss://tree-copy"]);
    let files: &[(&str, usize)] = &[
        ("a.txt", 10),
        ("empty.bin", 0),
        ("docs/readme.md", 2000),
        ("docs/deep/er/data.bin", 150_000),
    ];
    for (i, (name, len)) in files.iter().enumerate() {
        write(
            &env.path(&format!("tree/{name}")),
            &data(*len, i as u64 + 7),
        );
    }
    let out = env.run(&["cp", "tree", "oss://tree-bucket/up"]);
    assert_exit(&out, 2, &["use -r"]);

    let doc = env.json(&[
        "cp",
        "-r",
        "tree",
        "oss://tree-bucket/up",
        "--meta",
        "X-Oss-Server-Side-Encryption:SM4",
    ]);
    assert_eq!(doc["transferred"], 4);
    let mut keys = env.keys("tree-bucket");
    keys.sort();
    assert_eq!(
        keys,
        [
            "up/a.txt",
            "up/docs/deep/er/data.bin",
            "up/docs/readme.md",
            "up/empty.bin"
        ]
    );
    for (i, (name, len)) in files.iter().enumerate() {
        let key = format!("up/{name}");
        assert_eq!(
            env.object("tree-bucket", &key),
            data(*len, i as u64 + 7),
            "{key}"
        );
        assert_eq!(
            env.sse("tree-bucket", &key).0.as_deref(),
            Some("SM4"),
            "{key}"
        );
    }

    // ls: long, short and one-level listings.
    let long = env.ok(&["ls", "oss://tree-bucket/up/docs"]);
    assert!(
        long.contains("ObjectName") && long.contains("150000"),
        "{long}"
    );
    assert!(long.contains("Object Number is: 2"), "{long}");
    let short = env.ok(&["ls", "-s", "oss://tree-bucket"]);
    assert!(short.starts_with("oss://tree-bucket/up/a.txt\n"), "{short}");
    let dirs = env.ok(&["ls", "-d", "oss://tree-bucket/up/"]);
    assert!(dirs.contains("oss://tree-bucket/up/docs/\n"), "{dirs}");
    assert!(!dirs.contains("readme.md"), "{dirs}");
    assert!(dirs.contains("Object and Directory Number is: 3"), "{dirs}");

    // Download the tree back.
    env.ok(&["cp", "-r", "oss://tree-bucket/up/", "restored"]);
    for (i, (name, len)) in files.iter().enumerate() {
        let got = std::fs::read(env.path(&format!("restored/{name}"))).unwrap();
        assert_eq!(got, data(*len, i as u64 + 7), "{name}");
    }

    // -u: nothing newer locally, so everything is skipped; then one file changes.
    let doc = env.json(&["cp", "-r", "-u", "tree", "oss://tree-bucket/up"]);
    assert_eq!(
        (doc["transferred"].as_u64(), doc["skipped"].as_u64()),
        (Some(0), Some(4))
    );
    let changed = env.path("tree/docs/readme.md");
    write(&changed, b"new text");
    std::fs::File::options()
        .write(true)
        .open(&changed)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    let doc = env.json(&["cp", "-r", "-u", "tree", "oss://tree-bucket/up"]);
    assert_eq!(
        (doc["transferred"].as_u64(), doc["skipped"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(env.object("tree-bucket", "up/docs/readme.md"), b"new text");
    // Download -u: the restored copies are newer than their objects, except one made old.
    let stale = env.path("restored/docs/readme.md");
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let doc = env.json(&["cp", "-r", "-u", "oss://tree-bucket/up/", "restored"]);
    assert_eq!(
        (doc["transferred"].as_u64(), doc["skipped"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(std::fs::read(&stale).unwrap(), b"new text");

    // Name filters pick files by wildcard, in every direction.
    let doc = env.json(&[
        "cp",
        "-r",
        "tree",
        "oss://tree-copy/filtered/",
        "--include",
        "*.md",
        "--include",
        "*.txt",
    ]);
    assert_eq!(doc["transferred"], 2);
    let doc = env.json(&[
        "cp",
        "-r",
        "oss://tree-bucket/up/",
        "only-bin",
        "--exclude",
        "*.txt",
        "--exclude",
        "*.md",
    ]);
    assert_eq!(doc["transferred"], 2);
    assert!(
        env.path("only-bin/docs/deep/er/data.bin").exists() && !env.path("only-bin/a.txt").exists()
    );
    let out = env.run(&[
        "cp",
        "tree/a.txt",
        "oss://tree-copy/x",
        "--include",
        "*.txt",
    ]);
    assert_exit(&out, 2, &["-r only"]);
    env.ok(&["rm", "-r", "oss://tree-copy/filtered/"]);

    // OSS to OSS, recursively.
    env.ok(&[
        "cp",
        "-r",
        "oss://tree-bucket/up/docs/",
        "oss://tree-copy/backup",
    ]);
    let mut keys = env.keys("tree-copy");
    keys.sort();
    assert_eq!(keys, ["backup/deep/er/data.bin", "backup/readme.md"]);
    assert_eq!(env.object("tree-copy", "backup/readme.md"), b"new text");
}

/// Parts recorded in a checkpoint file, 0 if it is absent or being replaced.
fn checkpoint_parts(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "cp"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<Value>(&b).ok())
        .map(|v| v["parts"].as_array().map_or(0, |p| p.len()))
        .max()
        .unwrap_or(0)
}

/// Starts `cp`, kills it (SIGKILL) once its checkpoint records a few parts, and checks it
/// really was interrupted.
fn kill_mid_transfer(env: &Env, args: &[&str]) {
    let mut child = env
        .command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while checkpoint_parts(&env.path("cpdir")) < 3 {
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        assert!(
            child.try_wait().unwrap().is_none(),
            "cp finished before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn interrupted_cp_resumes_from_its_checkpoint() {
    let env = Env::new();
    env.ok(&["mb", "oss://resume-bucket"]);
    let body = data(24 << 20, 3);
    write(&env.path("big.bin"), &body);
    let flags = [
        "--part-size",
        "102400",
        "--parallel",
        "1",
        "--bigfile-threshold",
        "1000000",
        "--checkpoint-dir",
        "cpdir",
    ];
    let upload: Vec<&str> = ["cp", "big.bin", "oss://resume-bucket/big.bin"]
        .into_iter()
        .chain(flags)
        .collect();
    kill_mid_transfer(&env, &upload);
    assert!(
        env.keys("resume-bucket").is_empty(),
        "killed upload left an object"
    );
    let done_before = checkpoint_parts(&env.path("cpdir"));
    let doc = env.json(&upload);
    let file = &doc["files"][0];
    assert_eq!(file["resumed"], true, "{doc}");
    let reused = file["parts_done_before"].as_u64().unwrap();
    assert!(reused as usize >= done_before && reused > 0, "{doc}");
    assert_eq!(file["parts_total"], 246);
    assert_eq!(env.object("resume-bucket", "big.bin"), body);
    assert!(!env.path("cpdir").exists(), "checkpoint dir left behind");

    let download: Vec<&str> = ["cp", "oss://resume-bucket/big.bin", "back.bin"]
        .into_iter()
        .chain(flags)
        .collect();
    kill_mid_transfer(&env, &download);
    assert!(
        !env.path("back.bin").exists(),
        "partial download visible under its name"
    );
    let printed = env.ok(&download);
    assert!(
        printed.contains("resumed oss://resume-bucket/big.bin from checkpoint"),
        "{printed}"
    );
    assert!(std::fs::read(env.path("back.bin")).unwrap() == body);
    assert!(!env.path("cpdir").exists());
}

#[test]
fn set_meta_encrypts_an_unencrypted_object_in_place() {
    let env = Env::new();
    let key = env.create_key();
    env.ok(&["mb", "oss://meta-bucket"]);
    let body = data(50_000, 9);
    let put = PutObjectOptions {
        attributes: ossbridge_core::model::ObjectAttributes {
            content_type: Some("text/csv".into()),
            metadata: vec![("team".into(), "blue".into())],
            ..Default::default()
        },
        ..Default::default()
    };
    env.core
        .put_object("meta-bucket", "report.csv", body.clone(), &put)
        .unwrap();
    assert_eq!(env.sse("meta-bucket", "report.csv"), (None, None, None));

    let printed = env.ok(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        &format!("X-Oss-Server-Side-Encryption:KMS#X-Oss-Server-Side-Encryption-Key-Id:{key}"),
        "--update",
    ]);
    assert!(
        printed.contains("set meta on oss://meta-bucket/report.csv (encryption: KMS)"),
        "{printed}"
    );
    assert_eq!(
        env.sse("meta-bucket", "report.csv"),
        (Some("KMS".into()), Some(key.clone()), None)
    );
    let head = env.core.head_object("meta-bucket", "report.csv").unwrap();
    assert_eq!(head.info.content_type.as_deref(), Some("text/csv"));
    assert_eq!(
        head.meta.user_metadata(),
        vec![("team".to_string(), "blue".to_string())]
    );
    assert_eq!(env.object("meta-bucket", "report.csv"), body);

    // --update keeps the encryption while changing other headers; unchanged = no rewrite.
    env.ok(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        "X-Oss-Meta-Team:red",
        "-u",
    ]);
    assert_eq!(env.sse("meta-bucket", "report.csv").1, Some(key.clone()));
    let doc = env.json(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        "X-Oss-Meta-Team:red",
        "-u",
    ]);
    assert_eq!(doc["objects"][0]["changed"], false);
    // --delete removes a header; the full form replaces everything.
    env.ok(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        "X-Oss-Meta-Team",
        "--delete",
    ]);
    let head = env.core.head_object("meta-bucket", "report.csv").unwrap();
    assert!(head.meta.user_metadata().is_empty());
    assert_eq!(head.meta.sse.algorithm.as_deref(), Some("KMS"));
    env.ok(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        "Content-Type:text/plain#X-Oss-Server-Side-Encryption:SM4",
    ]);
    let head = env.core.head_object("meta-bucket", "report.csv").unwrap();
    assert_eq!(head.info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        env.sse("meta-bucket", "report.csv"),
        (Some("SM4".into()), None, None)
    );
    assert_eq!(env.object("meta-bucket", "report.csv"), body);

    // -r over a prefix.
    env.core
        .put_object("meta-bucket", "logs/1", b"1".to_vec(), &Default::default())
        .unwrap();
    env.core
        .put_object("meta-bucket", "logs/2", b"2".to_vec(), &Default::default())
        .unwrap();
    env.ok(&[
        "set-meta",
        "oss://meta-bucket/logs/",
        "X-Oss-Server-Side-Encryption:AES256",
        "-u",
        "-r",
    ]);
    for k in ["logs/1", "logs/2"] {
        assert_eq!(env.sse("meta-bucket", k).0.as_deref(), Some("AES256"));
    }

    let out = env.run(&[
        "set-meta",
        "oss://meta-bucket/report.csv",
        "Authorization:x",
    ]);
    assert_exit(&out, 2, &["unsupported header"]);
    let out = env.run(&[
        "set-meta",
        "oss://meta-bucket/missing",
        "X-Oss-Meta-A:b",
        "-u",
    ]);
    assert_exit(&out, 1, &["StatusCode=404"]);
}

#[test]
fn rm_objects_prefixes_and_buckets() {
    let env = Env::new();
    env.ok(&["mb", "oss://rm-bucket"]);
    for k in ["keep.txt", "one.txt", "dir/a", "dir/b", "dir/sub/c"] {
        env.core
            .put_object("rm-bucket", k, b"x".to_vec(), &Default::default())
            .unwrap();
    }
    env.ok(&["rm", "oss://rm-bucket/one.txt"]);
    let out = env.run(&["rm", "oss://rm-bucket"]);
    assert_exit(&out, 2, &["rm -r"]);
    let doc = env.json(&["rm", "-r", "oss://rm-bucket/dir/", "--exclude", "c"]);
    assert_eq!(
        doc["removed_objects"],
        serde_json::json!(["dir/a", "dir/b"])
    );
    let doc = env.json(&["rm", "-r", "oss://rm-bucket/dir/"]);
    assert_eq!(doc["removed_objects"], serde_json::json!(["dir/sub/c"]));
    assert_eq!(env.keys("rm-bucket"), ["keep.txt"]);
    // A non-empty bucket cannot go without -r.
    let out = env.run(&["rm", "-b", "oss://rm-bucket"]);
    assert_exit(&out, 1, &["BucketNotEmpty"]);
    let printed = env.ok(&["rm", "-r", "-b", "-f", "oss://rm-bucket"]);
    assert!(
        printed.contains("Removed bucket: oss://rm-bucket"),
        "{printed}"
    );
    assert_eq!(
        env.core.get_bucket_info("rm-bucket").unwrap_err().code(),
        Some("NoSuchBucket")
    );
}

#[test]
fn config_file_and_credential_precedence() {
    let env = Env::new();
    // Written like ossutil's file, owner-only.
    let printed = env.ok(&[
        "config",
        "-c",
        "conf/ossutil.ini",
        "-e",
        &env.url,
        "-i",
        AK,
        "-k",
        SK,
        "--region",
        "cn-hangzhou",
    ]);
    assert!(
        printed.contains("config written to conf/ossutil.ini"),
        "{printed}"
    );
    let file = std::fs::read_to_string(env.path("conf/ossutil.ini")).unwrap();
    assert!(file.starts_with("[Credentials]\n"), "{file}");
    assert!(file.contains(&format!("endpoint={}\n", env.url)), "{file}");
    assert!(
        file.contains(&format!("accessKeyID={AK}\naccessKeySecret={SK}\n")),
        "{file}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("conf/ossutil.ini"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let bare = |args: &[&str]| {
        let mut cmd = env.command(args);
        for v in [
            "OSS_ENDPOINT",
            "OSS_REGION",
            "OSS_ACCESS_KEY_ID",
            "OSS_ACCESS_KEY_SECRET",
        ] {
            cmd.env_remove(v);
        }
        cmd
    };
    // Everything from the file.
    let out = bare(&["mb", "oss://from-config", "-c", "conf/ossutil.ini"])
        .output()
        .unwrap();
    assert_exit(&out, 0, &[]);
    assert!(env.core.get_bucket_info("from-config").is_ok());
    // Nothing anywhere: bad usage naming the fix.
    let out = bare(&["ls"]).output().unwrap();
    assert_exit(&out, 2, &["no endpoint"]);
    // The environment beats the file...
    let out = bare(&["ls", "-c", "conf/ossutil.ini"])
        .env("OSS_ACCESS_KEY_ID", "LTAI5tWRONGKEY")
        .env("OSS_ACCESS_KEY_SECRET", "wrong")
        .output()
        .unwrap();
    assert_exit(&out, 1, &["InvalidAccessKeyId"]);
    // ...and flags beat the environment.
    let out = bare(&["ls", "-c", "conf/ossutil.ini", "-i", AK, "-k", SK])
        .env("OSS_ACCESS_KEY_ID", "LTAI5tWRONGKEY")
        .env("OSS_ACCESS_KEY_SECRET", "wrong")
        .output()
        .unwrap();
    assert_exit(&out, 0, &[]);
    assert!(text(&out.stdout).contains("oss://from-config"));
    // The default file is ~/.ossutilconfig.
    env.ok(&["config", "-e", &env.url, "-i", AK, "-k", SK]);
    assert!(env.path(".ossutilconfig").exists());
    let out = bare(&["ls", "-s"]).output().unwrap();
    assert_exit(&out, 0, &[]);
    // V1 signing (no region known) works against the same server.
    assert!(text(&out.stdout).contains("oss://from-config"));
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    for (args, says) in [
        (vec!["ls", "s3://bucket"], "oss://"),
        (vec!["mb", "oss://"], "no bucket"),
        (vec!["stat", "bucket"], "not a cloud URL"),
        (vec!["cp", "missing.txt", "oss://b/k"], "missing.txt"),
        (
            vec!["cp", "oss://b/k", "x", "--parallel", "0"],
            "--parallel",
        ),
        (vec!["mb", "oss://b-ok", "--acl", "secret"], "unknown ACL"),
        (vec!["rm", "-b", "oss://b/k"], "without a key"),
        (
            vec!["set-meta", "oss://b/k", "X-Oss-Meta-A:1", "-u", "-d"],
            "cannot be used with",
        ),
        (
            vec!["bucket-encryption", "--method", "list", "oss://b"],
            "invalid value",
        ),
        (vec!["config"], "at least one"),
    ] {
        let out = env.run(&args);
        assert_exit(&out, 2, &[says]);
    }
    write(&env.path("small.txt"), b"x");
    let out = env.run(&[
        "cp",
        "small.txt",
        "oss://b/k",
        "--meta",
        "X-Oss-Server-Side-Encryption:DES",
    ]);
    assert_exit(&out, 2, &["DES"]);
    let out = env.run(&[
        "cp",
        "small.txt",
        "oss://b/k",
        "--meta",
        "X-Oss-Server-Side-Encryption-Customer-Algorithm:AES256",
    ]);
    assert_exit(&out, 2, &["SSE-C"]);
    // Core's validation (part size below OSS's minimum) is bad usage too.
    env.ok(&["mb", "oss://usage-bucket"]);
    write(&env.path("two.bin"), &data(300_000, 2));
    let out = env.run(&[
        "cp",
        "two.bin",
        "oss://usage-bucket/k",
        "--part-size",
        "1000",
        "--bigfile-threshold",
        "1000",
    ]);
    assert_exit(&out, 2, &["part_size"]);
    let out = env.run(&["ls", "--connect-timeout", "0"]);
    assert_exit(&out, 2, &["connect_timeout"]);
    // A network failure is a failure (1), not bad usage, and names the problem.
    let out = env.run(&["ls", "-e", "http://127.0.0.1:1", "--retry-times", "1"]);
    assert_exit(&out, 1, &["Network", "127.0.0.1:1"]);
    // --json errors are one document on stdout.
    let out = env.run(&["stat", "bucket", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "usage");
}

/// Single-quotes an argument for `sh -c`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs a shell command line in a pseudo-terminal (util-linux `script`), as a user would.
fn in_pty(env: &Env, cmdline: &str) -> Output {
    Command::new("script")
        .args(["-q", "-e", "-c", cmdline, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.dir.path())
        .env("TERM", "xterm")
        .env("OSS_ENDPOINT", &env.url)
        .env("OSS_REGION", "cn-hangzhou")
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("util-linux `script` is needed to run a command in a pseudo-terminal")
}

#[test]
fn progress_bar_only_on_a_terminal() {
    let env = Env::new();
    env.ok(&["mb", "oss://tty-bucket"]);
    write(&env.path("payload.bin"), &data(2 << 20, 5));

    // Piped: no bar, no carriage returns.
    let piped = env.ok(&["cp", "payload.bin", "oss://tty-bucket/piped.bin"]);
    assert!(!piped.contains("ETA") && !piped.contains('\r'), "{piped:?}");

    // In a pseudo-terminal (util-linux `script`): the bar with rate and ETA.
    let cmdline = [BIN, "cp", "payload.bin", "oss://tty-bucket/tty.bin"]
        .iter()
        .map(|a| sh_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    let out = in_pty(&env, &cmdline);
    let tty = text(&out.stdout);
    assert!(out.status.success(), "{tty}\n{}", text(&out.stderr));
    assert!(
        tty.contains("ETA"),
        "no progress bar in a terminal: {tty:?}"
    );
    assert!(
        tty.contains("MiB/s") || tty.contains("KiB/s"),
        "no rate: {tty:?}"
    );
    assert!(
        tty.contains("2.00 MiB/2.00 MiB"),
        "bar did not reach the total: {tty:?}"
    );
    assert!(tty.contains("OK num: 1(upload 1 files)"), "{tty:?}");
    assert_eq!(env.object("tty-bucket", "tty.bin"), data(2 << 20, 5));

    // --json is for scripts: no bar even in a terminal.
    let cmdline = format!("{cmdline} --json");
    let out = in_pty(&env, &cmdline);
    let tty = text(&out.stdout);
    assert!(out.status.success(), "{tty}");
    assert!(!tty.contains("ETA"), "{tty:?}");
    let doc: Value = serde_json::from_str(tty.trim()).unwrap();
    assert_eq!(doc["transferred"], 1);
}

#[cfg(unix)]
#[test]
fn recursive_upload_follows_file_links_not_directory_links_at_any_job_count() {
    let env = Env::new();
    env.ok(&["mb", "oss://links-bucket"]);
    for i in 0..12 {
        write(
            &env.path(&format!("many/d{}/f{i}.txt", i % 3)),
            format!("file {i}").as_bytes(),
        );
    }
    std::os::unix::fs::symlink(env.path("many/d0/f0.txt"), env.path("many/link.txt")).unwrap();
    // A directory link back up would loop forever if followed.
    std::os::unix::fs::symlink(env.path("many"), env.path("many/d1/loop")).unwrap();
    for (jobs, prefix) in [("1", "one"), ("8", "eight")] {
        let doc = env.json(&[
            "cp",
            "-r",
            "-j",
            jobs,
            "many",
            &format!("oss://links-bucket/{prefix}/"),
        ]);
        assert_eq!(doc["transferred"], 13, "{doc}");
        let files: Vec<&str> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["dest"].as_str().unwrap())
            .collect();
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted, "results are reported in job order");
    }
    assert_eq!(env.keys("links-bucket").len(), 26);
    assert_eq!(env.object("links-bucket", "eight/link.txt"), b"file 0");
    assert_eq!(env.object("links-bucket", "one/d2/f11.txt"), b"file 11");
}
