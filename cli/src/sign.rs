//! `ossbridge sign`: sign one OSS request (V1 or V4) and print a presigned URL, or with
//! `--auth-header` the headers to send. Bad input exits with status 2 and one line naming
//! the problem.
//!
//! A hidden `--batch` flag reads one argument list per stdin line (fields separated by
//! U+001F) and answers each with one JSON line `{"ok":..,"stdout":..,"stderr":..}`; the
//! differential test (tests/signing/) uses it to sign thousands of requests through this
//! exact code path without a process per request.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Parser;
use ossbridge_core::credentials::{
    Credentials, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN,
};
use ossbridge_core::endpoint::{cloudbox_id, region_endpoint, Endpoint};
use ossbridge_core::signing::{self, v1, v4, SignableRequest, SignatureVersion};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// oss://BUCKET[/KEY]; omit for a service-level request such as ListBuckets.
    #[arg(value_name = "oss://BUCKET[/KEY]")]
    url: Option<String>,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// Host or URL; default: OSS_ENDPOINT, else oss-<region>.aliyuncs.com.
    #[arg(long, value_name = "HOST_OR_URL")]
    endpoint: Option<String>,
    /// Region, needed for v4 (or OSS_REGION), e.g. cn-hangzhou.
    #[arg(long)]
    region: Option<String>,
    /// V4 signing product.
    #[arg(long, default_value = "oss")]
    product: String,
    /// v1 or v4.
    #[arg(long, value_name = "v1|v4", default_value = "v4")]
    signature_version: String,
    /// 'Name: value'; repeatable; sent and signed as given (a Date header is used as is).
    #[arg(long = "header", value_name = "'Name: value'")]
    headers: Vec<String>,
    /// 'name=value' or 'name' (decoded form); repeatable; a bare name is a value-less sub-resource.
    #[arg(long = "query", value_name = "'name=value' | 'name'")]
    queries: Vec<String>,
    /// v1: sign this query name as a sub-resource beyond the default set; repeatable.
    #[arg(long = "sub-resource", value_name = "NAME")]
    sub_resources: Vec<String>,
    /// v4 additional signed headers, comma-separated.
    #[arg(long, value_name = "a,b")]
    additional_headers: Option<String>,
    /// The signing clock (default: now).
    #[arg(long, value_name = "RFC3339")]
    time: Option<String>,
    /// Presigned URL lifetime from --time.
    #[arg(long, value_name = "SECONDS", default_value = "3600")]
    expires: String,
    /// v1 presigned URL: the absolute Expires value (v4: converted to a lifetime from --time).
    #[arg(long, value_name = "UNIX_SECONDS")]
    expires_at: Option<String>,
    /// Print the signed request's headers ('Name: value' a line, Authorization included)
    /// instead of a presigned URL.
    #[arg(long)]
    auth_header: bool,
    /// Also print the canonical request and string to sign to stderr.
    #[arg(long)]
    verbose: bool,
    /// Access key id (default: OSS_ACCESS_KEY_ID).
    #[arg(long)]
    access_key_id: Option<String>,
    /// Access key secret (default: OSS_ACCESS_KEY_SECRET).
    #[arg(long)]
    access_key_secret: Option<String>,
    /// STS security token (default: OSS_SESSION_TOKEN, if set).
    #[arg(long)]
    security_token: Option<String>,
    #[arg(long, hide = true)]
    batch: bool,
}

/// What one signing run prints.
struct Printed {
    stdout: String,
    stderr: String,
}

pub fn run(args: Args) -> ExitCode {
    if args.batch {
        return run_batch();
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match execute(&args, &env) {
        Ok(printed) => {
            eprint!("{}", printed.stderr);
            print!("{}", printed.stdout);
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("ossbridge sign: {problem}");
            ExitCode::from(2)
        }
    }
}

#[derive(Parser)]
#[command(name = "sign")]
struct BatchLine {
    #[command(flatten)]
    args: Args,
}

fn run_batch() -> ExitCode {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    for line in stdin.lock().lines() {
        let Ok(line) = line else {
            return ExitCode::from(2);
        };
        let fields = std::iter::once("sign").chain(line.split('\u{1f}').filter(|f| !f.is_empty()));
        let result = match BatchLine::try_parse_from(fields) {
            Ok(parsed) => execute(&parsed.args, &env),
            Err(e) => Err(e.to_string().lines().next().unwrap_or("").to_string()),
        };
        let (ok, stdout_text, stderr_text) = match result {
            Ok(p) => (true, p.stdout, p.stderr),
            Err(problem) => (false, String::new(), format!("ossbridge sign: {problem}\n")),
        };
        let _ = writeln!(
            out,
            "{{\"ok\":{ok},\"stdout\":{},\"stderr\":{}}}",
            json_string(&stdout_text),
            json_string(&stderr_text)
        );
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Validates the arguments, signs, and renders the output. `Err` is the one-line problem.
fn execute(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Printed, String> {
    let version: SignatureVersion = args.signature_version.parse().map_err(|_| {
        format!(
            "unknown signature version {:?} (expected v1 or v4)",
            args.signature_version
        )
    })?;
    let method = parse_method(&args.method)?;
    let (bucket, key) = match &args.url {
        Some(url) => parse_oss_url(url)?,
        None => (None, None),
    };
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let query = args
        .queries
        .iter()
        .map(|q| parse_query(q))
        .collect::<Result<Vec<_>, _>>()?;
    let time = match &args.time {
        Some(t) => signing::parse_rfc3339(t).map_err(|_| {
            format!("invalid --time {t:?} (expected RFC 3339, e.g. 2024-01-15T08:30:00Z)")
        })?,
        None => SystemTime::now(),
    };
    let expires = parse_seconds("--expires", &args.expires)?;
    let expires_at = args
        .expires_at
        .as_deref()
        .map(|v| parse_seconds("--expires-at", v))
        .transpose()?;
    let credentials = credentials(args, env)?;

    let region = args
        .region
        .clone()
        .or_else(|| env("OSS_REGION"))
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if version == SignatureVersion::V4 && region.is_none() && args.product.trim() != "oss-cloudbox"
    {
        return Err("v4 signing needs a region: pass --region or set OSS_REGION".into());
    }
    let endpoint_text =
        match args.endpoint.clone().or_else(|| env("OSS_ENDPOINT")) {
            Some(e) => e,
            None => match &region {
                Some(r) => region_endpoint(r, false),
                None => return Err(
                    "no endpoint: pass --endpoint or --region (or set OSS_ENDPOINT or OSS_REGION)"
                        .into(),
                ),
            },
        };
    let endpoint = Endpoint::parse(&endpoint_text)
        .map_err(|e| format!("invalid --endpoint: {}", e.message()))?;
    let additional: Vec<String> = args
        .additional_headers
        .as_deref()
        .map(|list| {
            list.split(',')
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();

    let mut req = SignableRequest {
        method,
        bucket,
        key,
        query,
        headers,
    };
    // Signing `host` needs the exact Host value; supply it from the endpoint when the caller
    // listed it without giving one (as the Java SDK does).
    if additional.iter().any(|h| h.eq_ignore_ascii_case("host")) && !req.has_header("host") {
        let host = endpoint.host_for(req.bucket.as_deref());
        req.headers.push(("Host".to_string(), host));
    }

    let output = match version {
        SignatureVersion::V1 => {
            if args.auth_header {
                v1::sign_header(&mut req, &credentials, time, &args.sub_resources)
            } else {
                let expires_unix = match expires_at {
                    Some(at) => at,
                    None => signing::unix_seconds(time) + expires,
                };
                v1::presign(&mut req, &credentials, expires_unix, &args.sub_resources)
            }
        }
        SignatureVersion::V4 => {
            let product = args.product.trim();
            if product.is_empty() {
                return Err("--product is empty".into());
            }
            // CloudBox signs with the box id as region; derive it from the endpoint if not given.
            let region = region
                .clone()
                .or_else(|| {
                    if product == "oss-cloudbox" {
                        cloudbox_id(&endpoint_text)
                    } else {
                        None
                    }
                })
                .ok_or("v4 signing needs a region: pass --region or set OSS_REGION")?;
            if args.auth_header {
                v4::sign_header(&mut req, &credentials, &region, product, time, &additional)
            } else {
                let expires = match expires_at {
                    Some(at) => at
                        .checked_sub(signing::unix_seconds(time))
                        .filter(|d| *d > 0)
                        .ok_or("--expires-at must be later than --time")?,
                    None => expires,
                };
                v4::presign(
                    &mut req,
                    &credentials,
                    &region,
                    product,
                    time,
                    expires,
                    &additional,
                )
                .map_err(|e| e.message().to_string())?
            }
        }
    };

    let mut stderr = String::new();
    if args.verbose {
        if !output.canonical_request.is_empty() {
            stderr.push_str("canonical request:\n");
            stderr.push_str(&output.canonical_request);
            stderr.push('\n');
        }
        stderr.push_str("string to sign:\n");
        stderr.push_str(&output.string_to_sign);
        stderr.push('\n');
    }
    let stdout = if args.auth_header {
        req.headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}\n"))
            .collect()
    } else {
        format!(
            "{}\n",
            endpoint.url(req.bucket.as_deref(), req.key.as_deref(), &req.query)
        )
    };
    Ok(Printed { stdout, stderr })
}

fn parse_method(method: &str) -> Result<String, String> {
    let upper = method.trim().to_ascii_uppercase();
    if upper.is_empty() || !upper.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "invalid --method {method:?} (expected e.g. GET, PUT, POST, DELETE, HEAD)"
        ));
    }
    Ok(upper)
}

fn parse_oss_url(url: &str) -> Result<(Option<String>, Option<String>), String> {
    let rest = url
        .strip_prefix("oss://")
        .ok_or_else(|| format!("invalid URL {url:?}: expected oss://BUCKET[/KEY]"))?;
    let (bucket, key) = match rest.split_once('/') {
        Some((bucket, key)) => (bucket, (!key.is_empty()).then(|| key.to_string())),
        None => (rest, None),
    };
    let valid_bucket = !bucket.is_empty()
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !valid_bucket {
        return Err(format!("invalid bucket name {bucket:?} in {url:?}"));
    }
    Ok((Some(bucket.to_string()), key))
}

fn parse_header(header: &str) -> Result<(String, String), String> {
    let (name, value) = header
        .split_once(':')
        .ok_or_else(|| format!("invalid --header {header:?}: expected 'Name: value'"))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("invalid --header {header:?}: bad header name"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

fn parse_query(query: &str) -> Result<(String, String), String> {
    let (name, value) = query.split_once('=').unwrap_or((query, ""));
    if name.is_empty() {
        return Err(format!("invalid --query {query:?}: empty name"));
    }
    Ok((name.to_string(), value.to_string()))
}

fn parse_seconds(flag: &str, value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("invalid {flag} {value:?} (expected a whole number of seconds)"))
}

fn credentials(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, String> {
    let id = args
        .access_key_id
        .clone()
        .or_else(|| env(ENV_ACCESS_KEY_ID))
        .filter(|v| !v.is_empty())
        .ok_or("missing credentials: pass --access-key-id or set OSS_ACCESS_KEY_ID")?;
    let secret = args
        .access_key_secret
        .clone()
        .or_else(|| env(ENV_ACCESS_KEY_SECRET))
        .filter(|v| !v.is_empty())
        .ok_or("missing credentials: pass --access-key-secret or set OSS_ACCESS_KEY_SECRET")?;
    let mut creds = Credentials::new(id, secret);
    if let Some(token) = args
        .security_token
        .clone()
        .or_else(|| env(ENV_SESSION_TOKEN))
    {
        creds = creds.with_security_token(token);
    }
    Ok(creds)
}
