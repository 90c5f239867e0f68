//! Request authentication: V1 and V4 signatures in the Authorization header or in a
//! presigned URL, STS tokens, clock skew and expiry. Signatures are recomputed with
//! `ossbridge_core::signing` from the received request and compared in constant time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ossbridge_core::signing::{self, v1, v4, SignableRequest};
use subtle::ConstantTimeEq;

use crate::config::{Config, User};
use crate::error::{OssError, OssResult};
use crate::request::Target;

/// Largest accepted difference between the request time and the server clock.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Who is making the request.
#[derive(Clone, Debug)]
pub enum Principal {
    Anonymous,
    User(User),
}

impl Principal {
    pub fn user(&self) -> Option<&User> {
        match self {
            Principal::User(u) => Some(u),
            Principal::Anonymous => None,
        }
    }
}

/// The V1 sub-resources the server's operations sign on top of the default set.
fn v1_extra_sub_resources() -> Vec<String> {
    vec!["encryption".to_string()]
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

struct Secret<'a> {
    secret: &'a str,
    /// The token an STS key pair must present.
    token: Option<&'a str>,
    user: &'a User,
}

fn lookup<'a>(config: &'a Config, access_key_id: &str, now: SystemTime) -> OssResult<Secret<'a>> {
    if let Some(user) = config
        .users
        .iter()
        .find(|u| u.access_key_id == access_key_id)
    {
        return Ok(Secret {
            secret: &user.access_key_secret,
            token: None,
            user,
        });
    }
    if let Some(sts) = config.sts.iter().find(|s| s.access_key_id == access_key_id) {
        if sts.expiration.is_some_and(|exp| exp <= now) {
            return Err(OssError::new(
                403,
                "SecurityTokenExpired",
                "The security token you provided has expired.",
            )
            .ec("0002-00000053"));
        }
        let user = config
            .user(&sts.user)
            .ok_or_else(|| OssError::internal("STS token of an unknown user"))?;
        return Ok(Secret {
            secret: &sts.access_key_secret,
            token: Some(&sts.security_token),
            user,
        });
    }
    Err(OssError::new(
        403,
        "InvalidAccessKeyId",
        "The OSS Access Key Id you provided does not exist in our records.",
    )
    .ec("0002-00000055")
    .detail("OSSAccessKeyId", access_key_id))
}

fn check_token(secret: &Secret<'_>, presented: Option<&str>) -> OssResult<()> {
    match (secret.token, presented) {
        (None, _) => Ok(()),
        (Some(expected), Some(got)) if ct_eq(expected, got) => Ok(()),
        (Some(_), Some(_)) => Err(OssError::new(403, "InvalidSecurityToken", "The security token you provided is invalid.")
            .ec("0002-00000052")),
        (Some(_), None) => Err(OssError::new(
            403,
            "InvalidAccessKeyId",
            "This access key id belongs to STS temporary credentials; the request must carry its security token.",
        )
        .ec("0002-00000055")),
    }
}

fn skew_check(request_time: SystemTime, now: SystemTime, shown: &str) -> OssResult<()> {
    let skew = match now.duration_since(request_time) {
        Ok(d) => d,
        Err(e) => e.duration(),
    };
    if skew > MAX_SKEW {
        return Err(OssError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
        .ec("0002-00000504")
        .detail("RequestTime", shown)
        .detail("ServerTime", signing::http_date(now))
        .detail("MaxAllowedSkewMilliseconds", "900000"));
    }
    Ok(())
}

fn string_to_sign_bytes(sts: &str) -> String {
    sts.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn mismatch(access_key_id: &str, sts: &str, provided: &str, canonical: Option<&str>) -> OssError {
    let mut err = OssError::new(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    )
    .ec("0002-00000040")
    .detail("OSSAccessKeyId", access_key_id)
    .detail("StringToSign", sts)
    .detail("StringToSignBytes", string_to_sign_bytes(sts))
    .detail("SignatureProvided", provided);
    if let Some(c) = canonical {
        err = err.detail("CanonicalRequest", c);
    }
    err
}

fn access_denied_expired(expired_at: SystemTime, now: SystemTime) -> OssError {
    OssError::access_denied("Request has expired.")
        .ec("0002-00000069")
        .detail("Expires", signing::http_date(expired_at))
        .detail("ServerTime", signing::http_date(now))
}

/// Authenticates a request. `headers` are the received headers (any case).
pub fn authenticate(
    config: &Config,
    method: &str,
    target: &Target,
    headers: &[(String, String)],
) -> OssResult<Principal> {
    let now = SystemTime::now();
    let req = SignableRequest {
        method: method.to_string(),
        bucket: target.bucket.clone(),
        key: target.key.clone(),
        query: target.query.clone(),
        headers: headers.to_vec(),
    };
    let authorization = req.header("authorization");
    if let Some(auth) = authorization
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if let Some(rest) = auth.strip_prefix("OSS4-HMAC-SHA256 ") {
            return verify_v4_header(config, &req, rest, now);
        }
        if let Some(rest) = auth.strip_prefix("OSS ") {
            return verify_v1_header(config, &req, rest, now);
        }
        if auth.starts_with("OSS2 ") {
            return Err(OssError::invalid_argument(
                "Signature version OSS2 is not supported by this server; use V1 or V4.",
            ));
        }
        return Err(OssError::invalid_argument(format!(
            "Authorization header `{}` is neither `OSS <id>:<sig>` (V1) nor `OSS4-HMAC-SHA256 ...` (V4).",
            auth.split(' ').next().unwrap_or("")
        )));
    }
    if let Some(version) = target.get("x-oss-signature-version") {
        if version != v4::ALGORITHM {
            return Err(OssError::invalid_argument(format!(
                "Unsupported x-oss-signature-version `{version}`."
            )));
        }
        return verify_v4_query(config, &req, target, now);
    }
    if target.has("OSSAccessKeyId") || target.has("Signature") {
        return verify_v1_query(config, &req, target, now);
    }
    Ok(Principal::Anonymous)
}

fn verify_v1_header(
    config: &Config,
    req: &SignableRequest,
    rest: &str,
    now: SystemTime,
) -> OssResult<Principal> {
    let (access_key_id, provided) = rest.trim().rsplit_once(':').ok_or_else(|| {
        OssError::invalid_argument(
            "Authorization header `OSS` must be `OSS <AccessKeyId>:<Signature>`.",
        )
    })?;
    let secret = lookup(config, access_key_id, now)?;
    let date = v1::header_date(req).ok_or_else(|| {
        OssError::access_denied("V1 signed requests need a Date or x-oss-date header.")
            .ec("0002-00000021")
    })?;
    let request_time = httpdate::parse_http_date(date.trim()).map_err(|_| {
        OssError::access_denied(format!(
            "Invalid date `{date}`: expected RFC 1123 (e.g. `Mon, 15 Jan 2024 08:30:00 GMT`)."
        ))
    })?;
    skew_check(request_time, now, &date)?;
    check_token(&secret, req.header("x-oss-security-token").as_deref())?;
    let sts = v1::string_to_sign(req, &date, &v1_extra_sub_resources());
    let expected = v1::signature(secret.secret, &sts);
    if !ct_eq(&expected, provided) {
        return Err(mismatch(access_key_id, &sts, provided, None));
    }
    Ok(Principal::User(secret.user.clone()))
}

fn verify_v1_query(
    config: &Config,
    req: &SignableRequest,
    target: &Target,
    now: SystemTime,
) -> OssResult<Principal> {
    let missing = |n: &str| {
        OssError::access_denied(format!("Presigned V1 URLs need the query parameter `{n}`."))
    };
    let access_key_id = target
        .get("OSSAccessKeyId")
        .ok_or_else(|| missing("OSSAccessKeyId"))?;
    let expires = target.get("Expires").ok_or_else(|| missing("Expires"))?;
    let provided = target
        .get("Signature")
        .ok_or_else(|| missing("Signature"))?;
    let expires_secs: u64 = expires.parse().map_err(|_| {
        OssError::access_denied(format!(
            "`Expires={expires}` is not a Unix time in seconds."
        ))
    })?;
    let expires_at = UNIX_EPOCH + Duration::from_secs(expires_secs);
    if expires_at < now {
        return Err(access_denied_expired(expires_at, now));
    }
    let secret = lookup(config, access_key_id, now)?;
    check_token(&secret, target.get("security-token"))?;
    let sts = v1::string_to_sign(req, expires, &v1_extra_sub_resources());
    let expected = v1::signature(secret.secret, &sts);
    if !ct_eq(&expected, provided) {
        return Err(mismatch(access_key_id, &sts, provided, None));
    }
    Ok(Principal::User(secret.user.clone()))
}

/// The parsed `Credential=<id>/<date>/<region>/<product>/aliyun_v4_request`.
struct V4Credential {
    access_key_id: String,
    date: String,
    region: String,
    product: String,
}

fn parse_credential(value: &str) -> OssResult<V4Credential> {
    let parts: Vec<&str> = value.split('/').collect();
    if parts.len() != 5 || parts[4] != "aliyun_v4_request" || parts[1].len() != 8 {
        return Err(OssError::invalid_argument(format!(
            "Invalid V4 credential `{value}`: expected `<AccessKeyId>/<yyyymmdd>/<region>/<product>/aliyun_v4_request`."
        ))
        .ec("0002-00000403"));
    }
    Ok(V4Credential {
        access_key_id: parts[0].to_string(),
        date: parts[1].to_string(),
        region: parts[2].to_string(),
        product: parts[3].to_string(),
    })
}

fn split_headers(list: &str) -> Vec<String> {
    list.split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn verify_v4(
    config: &Config,
    req: &SignableRequest,
    cred: &V4Credential,
    timestamp: &str,
    additional: &[String],
    provided: &str,
    token: Option<&str>,
    now: SystemTime,
) -> OssResult<Principal> {
    let secret = lookup(config, &cred.access_key_id, now)?;
    check_token(&secret, token)?;
    let canonical = v4::canonical_request(req, additional);
    let scope = v4::scope(&cred.date, &cred.region, &cred.product);
    let sts = v4::string_to_sign(timestamp, &scope, &canonical);
    let key = zeroize::Zeroizing::new(v4::signing_key(
        secret.secret,
        &cred.date,
        &cred.region,
        &cred.product,
    ));
    let expected = v4::signature(&key, &sts);
    if !ct_eq(&expected, provided) {
        return Err(mismatch(
            &cred.access_key_id,
            &sts,
            provided,
            Some(&canonical),
        ));
    }
    Ok(Principal::User(secret.user.clone()))
}

fn verify_v4_header(
    config: &Config,
    req: &SignableRequest,
    rest: &str,
    now: SystemTime,
) -> OssResult<Principal> {
    // Fields by name; go2 writes `,` and AdditionalHeaders before Signature, oss2 writes
    // `, ` and AdditionalHeaders last.
    let mut credential = None;
    let mut additional = None;
    let mut signature = None;
    for field in rest.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (name, value) = field.split_once('=').ok_or_else(|| {
            OssError::invalid_argument(format!("Malformed V4 Authorization field `{field}`."))
        })?;
        match name.trim() {
            "Credential" => credential = Some(value.trim().to_string()),
            "AdditionalHeaders" => additional = Some(value.trim().to_string()),
            "Signature" => signature = Some(value.trim().to_string()),
            other => {
                return Err(OssError::invalid_argument(format!(
                    "Unknown V4 Authorization field `{other}`."
                )))
            }
        }
    }
    let credential = credential
        .ok_or_else(|| OssError::invalid_argument("V4 Authorization lacks `Credential=`."))?;
    let signature = signature
        .ok_or_else(|| OssError::invalid_argument("V4 Authorization lacks `Signature=`."))?;
    let cred = parse_credential(&credential)?;
    let timestamp = req.header("x-oss-date").ok_or_else(|| {
        OssError::access_denied("V4 signed requests need an x-oss-date header.").ec("0002-00000021")
    })?;
    let request_time = signing::parse_iso8601_basic(timestamp.trim())
        .map_err(|e| OssError::access_denied(e.message().to_string()))?;
    skew_check(request_time, now, &timestamp)?;
    if !timestamp.starts_with(&cred.date) {
        return Err(OssError::invalid_argument(format!(
            "The credential date {} does not match x-oss-date {timestamp}.",
            cred.date
        )));
    }
    if let Some(payload) = req.header("x-oss-content-sha256") {
        if payload.trim() != v4::UNSIGNED_PAYLOAD {
            return Err(OssError::invalid_argument(format!(
                "x-oss-content-sha256 must be UNSIGNED-PAYLOAD on this endpoint (got `{payload}`)."
            ))
            .ec("0002-00000214"));
        }
    }
    let additional = additional.map(|a| split_headers(&a)).unwrap_or_default();
    let token = req.header("x-oss-security-token");
    verify_v4(
        config,
        req,
        &cred,
        timestamp.trim(),
        &additional,
        &signature,
        token.as_deref(),
        now,
    )
}

fn verify_v4_query(
    config: &Config,
    req: &SignableRequest,
    target: &Target,
    now: SystemTime,
) -> OssResult<Principal> {
    let missing = |n: &str| {
        OssError::access_denied(format!("Presigned V4 URLs need the query parameter `{n}`."))
    };
    let credential = target
        .get("x-oss-credential")
        .ok_or_else(|| missing("x-oss-credential"))?;
    let timestamp = target
        .get("x-oss-date")
        .ok_or_else(|| missing("x-oss-date"))?;
    let expires = target
        .get("x-oss-expires")
        .ok_or_else(|| missing("x-oss-expires"))?;
    let provided = target
        .get(v4::SIGNATURE_PARAM)
        .ok_or_else(|| missing("x-oss-signature"))?;
    let cred = parse_credential(credential)?;
    let signed_at = signing::parse_iso8601_basic(timestamp)
        .map_err(|e| OssError::access_denied(e.message().to_string()))?;
    let expires: u64 = expires.parse().map_err(|_| {
        OssError::access_denied(format!(
            "`x-oss-expires={expires}` is not a number of seconds."
        ))
    })?;
    if expires > v4::MAX_PRESIGN_EXPIRES_SECS {
        return Err(OssError::invalid_argument(format!(
            "x-oss-expires {expires} exceeds the maximum of {} seconds (7 days).",
            v4::MAX_PRESIGN_EXPIRES_SECS
        )));
    }
    let expires_at = signed_at + Duration::from_secs(expires);
    if expires_at < now {
        return Err(access_denied_expired(expires_at, now));
    }
    if signed_at > now + MAX_SKEW {
        skew_check(signed_at, now, timestamp)?;
    }
    let additional = target
        .get("x-oss-additional-headers")
        .map(split_headers)
        .unwrap_or_default();
    verify_v4(
        config,
        req,
        &cred,
        timestamp,
        &additional,
        provided,
        target.get("x-oss-security-token"),
        now,
    )
}
