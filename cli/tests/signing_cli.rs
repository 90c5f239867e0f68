//! Drives `ossbridge sign` as a process: every vector in tests/vectors/signing.json through
//! the command line, and the bad-input exits (status 2, one line naming the problem).

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ossbridge");

fn vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signing.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

fn sign(args: &[String], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("sign").args(args).env_clear();
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run ossbridge")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn s(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The command line equivalent to a vector's inputs.
fn args_for(v: &Value) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |flag: &str, value: &str| {
        a.push(flag.to_string());
        a.push(value.to_string());
    };
    push("--signature-version", v["version"].as_str().unwrap());
    push("--method", v["method"].as_str().unwrap());
    push("--endpoint", v["endpoint"].as_str().unwrap());
    push("--access-key-id", v["access_key_id"].as_str().unwrap());
    push(
        "--access-key-secret",
        v["access_key_secret"].as_str().unwrap(),
    );
    if let Some(token) = s(&v["security_token"]) {
        push("--security-token", token);
    }
    if let Some(region) = s(&v["region"]) {
        push("--region", region);
        push("--product", v["product"].as_str().unwrap());
    }
    for (name, value) in pairs(&v["headers"]) {
        push("--header", &format!("{name}: {value}"));
    }
    for (name, value) in pairs(&v["query"]) {
        push(
            "--query",
            &if value.is_empty() {
                name
            } else {
                format!("{name}={value}")
            },
        );
    }
    for name in strings(&v["sub_resources"]) {
        push("--sub-resource", &name);
    }
    let additional = strings(&v["additional_headers"]);
    if !additional.is_empty() {
        push("--additional-headers", &additional.join(","));
    }
    if let Some(time) = s(&v["signing_time"]) {
        push("--time", time);
    }
    match (v["version"].as_str().unwrap(), v["kind"].as_str().unwrap()) {
        ("v1", "presign") => push("--expires-at", &v["expires"].as_u64().unwrap().to_string()),
        ("v4", "presign") => push("--expires", &v["expires"].as_u64().unwrap().to_string()),
        _ => {}
    }
    if v["kind"] == "header" {
        a.push("--auth-header".into());
    }
    a.push("--verbose".into());
    if let Some(bucket) = s(&v["bucket"]) {
        a.push(format!("oss://{bucket}/{}", s(&v["key"]).unwrap_or("")));
    }
    a
}

/// `--verbose` stderr: (canonical request, string to sign).
fn verbose_parts(stderr: &str) -> (String, String) {
    let (before, sts) = stderr
        .split_once("string to sign:\n")
        .expect("string to sign on stderr");
    let canonical = before
        .strip_prefix("canonical request:\n")
        .map(|c| c.trim_end_matches('\n').to_string());
    (
        canonical.unwrap_or_default(),
        sts.trim_end_matches('\n').to_string(),
    )
}

/// A URL as (scheme://host/path, sorted raw `name=value` pairs): SDKs order parameters
/// differently, which OSS does not care about; each encoded pair must match byte for byte.
fn url_parts(url: &str) -> (String, Vec<String>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    pairs.sort();
    (base.to_string(), pairs)
}

#[test]
fn every_vector_through_the_command_line() {
    let vectors = vectors();
    for v in &vectors {
        let id = v["id"].as_str().unwrap();
        let exp = &v["expected"];
        let out = sign(&args_for(v), &[]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{id}: {stderr}");
        let (canonical, sts) = verbose_parts(&stderr);
        assert_eq!(
            sts,
            exp["string_to_sign"].as_str().unwrap(),
            "{id}: string to sign"
        );
        if let Some(expected) = exp["canonical_request"].as_str() {
            assert_eq!(canonical, expected, "{id}: canonical request");
        }
        if v["kind"] == "header" {
            let printed: BTreeMap<String, String> = stdout
                .lines()
                .map(|l| {
                    let (n, v) = l.split_once(": ").expect("Name: value");
                    (n.to_ascii_lowercase(), v.to_string())
                })
                .collect();
            assert_eq!(
                printed.get("authorization").map(String::as_str),
                exp["authorization"].as_str(),
                "{id}"
            );
            for (name, value) in pairs(&exp["headers_added_by_signer"]) {
                assert_eq!(
                    printed.get(&name.to_ascii_lowercase()),
                    Some(&value),
                    "{id}: {name}"
                );
            }
            if exp["headers_sent"].is_object() {
                // The complete header set the official SDK put on the wire (User-Agent aside).
                let sent: BTreeMap<String, String> = pairs(&exp["headers_sent"])
                    .into_iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v))
                    .collect();
                assert_eq!(printed, sent, "{id}: headers_sent");
            }
        } else {
            assert_eq!(stdout.lines().count(), 1, "{id}: one URL line");
            let url = stdout.trim_end();
            assert_eq!(
                url_parts(url),
                url_parts(exp["url"].as_str().unwrap()),
                "{id}: url"
            );
            let signature = exp["signature"].as_str().unwrap();
            assert!(
                url.contains(&ossbridge_core_like_encode(signature)),
                "{id}: signature in URL"
            );
        }
    }
}

/// Minimal RFC 3986 encoding of a base64/hex signature for the containment check.
fn ossbridge_core_like_encode(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[test]
fn credentials_and_region_come_from_the_environment() {
    let envs = [
        ("OSS_ACCESS_KEY_ID", "LTAI5tTESTACCESSKEYID"),
        ("OSS_ACCESS_KEY_SECRET", "TESTACCESSKEYSECRET0123456789ab"),
        ("OSS_REGION", "cn-hangzhou"),
    ];
    let args: Vec<String> = [
        "oss://examplebucket/exampleobject.txt",
        "--time",
        "2024-01-15T08:30:00Z",
    ]
    .map(String::from)
    .to_vec();
    let out = sign(&args, &envs);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Vector v4-presign-get-basic: defaults are v4, GET, 3600 s, oss-<region>.aliyuncs.com.
    assert_eq!(
        text(&out.stdout),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=20240115T083000Z&x-oss-expires=3600&x-oss-credential=LTAI5tTESTACCESSKEYID%2F20240115%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-signature=972808467c5c317deccdb64a0654bbb60e08ab7c1cbd3f1284df207dd21ea791\n"
    );
    assert!(out.stderr.is_empty());
    // The endpoint variable wins over the region's default endpoint; IP endpoints go path style.
    let mut envs2 = envs.to_vec();
    envs2.push(("OSS_ENDPOINT", "http://127.0.0.1:9000"));
    let out = sign(&args, &envs2);
    assert!(text(&out.stdout)
        .starts_with("http://127.0.0.1:9000/examplebucket/exampleobject.txt?x-oss-"));
    // A session token from the environment is signed into the URL.
    envs2.push(("OSS_SESSION_TOKEN", "CAISTESTsecurityToken+/abc=="));
    let out = sign(&args, &envs2);
    assert!(
        text(&out.stdout).contains("&x-oss-security-token=CAISTESTsecurityToken%2B%2Fabc%3D%3D&")
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let creds = ["--access-key-id", "id", "--access-key-secret", "secret"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "oss://b/k",
                "--region",
                "cn-hangzhou",
                "--signature-version",
                "v3",
            ],
            "signature version",
        ),
        (
            vec![
                "oss://b/k",
                "--region",
                "cn-hangzhou",
                "--header",
                "x-oss-meta-a",
            ],
            "--header",
        ),
        (
            vec!["oss://b/k", "--endpoint", "oss-cn-hangzhou.aliyuncs.com"],
            "region",
        ),
        (
            vec![
                "oss://b/k",
                "--region",
                "cn-hangzhou",
                "--time",
                "15/01/2024",
            ],
            "--time",
        ),
        (
            vec![
                "oss://b/k",
                "--region",
                "cn-hangzhou",
                "--expires",
                "604801",
            ],
            "7-day",
        ),
        (
            vec!["oss://b/k", "--region", "cn-hangzhou", "--expires", "soon"],
            "--expires",
        ),
        (vec!["s3://b/k", "--region", "cn-hangzhou"], "oss://"),
        (vec!["oss://B_ad/k", "--region", "cn-hangzhou"], "bucket"),
        (
            vec!["oss://b/k", "--region", "cn-hangzhou", "--query", "=x"],
            "--query",
        ),
        (
            vec!["oss://b/k", "--region", "cn-hangzhou", "--method", "G T"],
            "--method",
        ),
        (
            vec![
                "oss://b/k",
                "--endpoint",
                "ftp://x.com",
                "--signature-version",
                "v1",
            ],
            "scheme",
        ),
        (vec!["oss://b/k", "--signature-version", "v1"], "endpoint"),
    ];
    for (args, needle) in cases {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(creds.iter().map(|s| s.to_string()));
        let out = sign(&all, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Missing credentials name the variable.
    let out = sign(
        &[
            "oss://b/k".to_string(),
            "--region".into(),
            "cn-hangzhou".into(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("OSS_ACCESS_KEY_ID"));
    let out = sign(
        &[
            "oss://b/k".to_string(),
            "--region".into(),
            "cn-hangzhou".into(),
        ],
        &[("OSS_ACCESS_KEY_ID", "id")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1);
    assert!(stderr.contains("OSS_ACCESS_KEY_SECRET"), "{stderr}");
}

#[test]
fn batch_mode_answers_each_line() {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["sign", "--batch"])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let line = |fields: &[&str]| fields.join("\u{1f}") + "\n";
    let mut input = String::new();
    input += &line(&[
        "oss://examplebucket/exampleobject.txt",
        "--region",
        "cn-hangzhou",
        "--time",
        "2024-01-15T08:30:00Z",
        "--access-key-id",
        "LTAI5tTESTACCESSKEYID",
        "--access-key-secret",
        "TESTACCESSKEYSECRET0123456789ab",
    ]);
    input += &line(&["oss://b/k", "--signature-version", "v9"]);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["ok"], true);
    assert!(lines[0]["stdout"]
        .as_str()
        .unwrap()
        .contains("x-oss-signature=972808467c5c317d"));
    assert_eq!(lines[1]["ok"], false);
    assert!(lines[1]["stderr"]
        .as_str()
        .unwrap()
        .contains("signature version"));
}
