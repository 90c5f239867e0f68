//! The local KMS's HTTP API, shaped like Alibaba Cloud KMS's RPC OpenAPI (version
//! 2016-01-20): `GET|POST /?Action=...` (query or form body) with the RPC common parameters
//! and a signature v1 (`ossbridge_core::signing::rpc`), JSON responses and KMS's error
//! codes. Actions: GenerateDataKey, Encrypt, Decrypt, CreateKey, DescribeKey. Each call is
//! checked against the caller's `kms:<Action>[:<key>]` permissions for the CMK it touches.
//!
//! CiphertextBlob (opaque to callers, base64): `0x01 || len(key id) || key id ||
//! AES-256-GCM(CMK, plaintext, aad = "ossbridge-kms-api:" + key id + canonical
//! EncryptionContext)`, so Decrypt needs no KeyId and a changed context fails.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use base64::Engine as _;
use http::Response;
use http_body_util::BodyExt;
use ossbridge_core::signing::rpc;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::config::User;
use crate::AppState;

/// The API version accepted, as Alibaba Cloud KMS.
pub const API_VERSION: &str = "2016-01-20";
/// Largest accepted clock difference for `Timestamp`.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
const MAX_FORM_BODY: usize = 64 * 1024;
const BLOB_VERSION: u8 = 1;

/// Is this request addressed to the KMS API (the root path with an `Action` parameter, or
/// a form POST to the root)?
pub fn is_kms_request(parts: &http::request::Parts) -> bool {
    if parts.uri.path() != "/" {
        return false;
    }
    let query_has_action = parts
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("Action=")));
    // An OSS POST to `/` always has a query (`?delete`, ...) or a multipart form (PostObject).
    let form_post = parts.method == http::Method::POST
        && !matches!(parts.uri.query(), Some(q) if !q.is_empty())
        && parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    query_has_action || form_post
}

/// A KMS error as the RPC APIs return it.
#[derive(Debug)]
pub struct KmsError {
    status: u16,
    code: &'static str,
    message: String,
}

fn err(status: u16, code: &'static str, message: impl Into<String>) -> KmsError {
    KmsError {
        status,
        code,
        message: message.into(),
    }
}

fn json_response(status: u16, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json;charset=utf-8")
        .body(Body::from(body.to_string()))
        .expect("valid response")
}

/// Serves one KMS API request.
pub async fn handle(
    state: &AppState,
    parts: http::request::Parts,
    body: Body,
    request_id: &str,
) -> Response<Body> {
    match run(state, &parts, body, request_id).await {
        Ok(mut value) => {
            value["RequestId"] = request_id.into();
            json_response(200, value)
        }
        Err(e) => json_response(
            e.status,
            serde_json::json!({
                "RequestId": request_id,
                "HostId": "kms.ossbridge.local",
                "Code": e.code,
                "Message": e.message,
                "HttpStatus": e.status,
            }),
        ),
    }
}

fn parse_pairs(raw: &str) -> Result<Vec<(String, String)>, KmsError> {
    crate::request::parse_query(Some(raw)).map_err(|e| {
        err(
            400,
            "InvalidParameter",
            format!("malformed parameters: {}", e.message),
        )
    })
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, KmsError> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            err(
                400,
                "MissingParameter",
                format!("The parameter `{name}` is required."),
            )
        })
    }
}

async fn run(
    state: &AppState,
    parts: &http::request::Parts,
    body: Body,
    _request_id: &str,
) -> Result<serde_json::Value, KmsError> {
    let mut pairs = parse_pairs(parts.uri.query().unwrap_or(""))?;
    if parts.method == http::Method::POST {
        let bytes = http_body_util::Limited::new(body, MAX_FORM_BODY)
            .collect()
            .await
            .map_err(|_| {
                err(
                    400,
                    "InvalidParameter",
                    "the form body is too large or unreadable",
                )
            })?
            .to_bytes();
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| err(400, "InvalidParameter", "the form body is not UTF-8"))?;
        pairs.extend(parse_pairs(text)?);
    } else if parts.method != http::Method::GET {
        return Err(err(
            400,
            "UnsupportedHTTPMethod",
            format!(
                "{} is not supported by the KMS API; use GET or POST",
                parts.method
            ),
        ));
    }
    let params = Params(pairs);
    let user = authenticate(state, parts.method.as_str(), &params)?;
    let action = params.required("Action")?.to_string();
    match action.as_str() {
        "GenerateDataKey" => generate_data_key(state, &user, &params),
        "Encrypt" => encrypt(state, &user, &params),
        "Decrypt" => decrypt(state, &user, &params),
        "CreateKey" => create_key(state, &user, &params),
        "DescribeKey" => describe_key(state, &user, &params),
        other => Err(err(404, "InvalidAction.NotFound", format!("Specified api `{other}` is not found (the local KMS serves GenerateDataKey, Encrypt, Decrypt, CreateKey, DescribeKey)."))),
    }
}

fn authenticate(state: &AppState, method: &str, params: &Params) -> Result<User, KmsError> {
    for (name, expected) in [
        ("Version", API_VERSION),
        ("SignatureMethod", rpc::SIGNATURE_METHOD),
        ("SignatureVersion", rpc::SIGNATURE_VERSION),
    ] {
        let got = params.required(name)?;
        if got != expected {
            return Err(err(
                400,
                "InvalidParameter",
                format!("`{name}` must be `{expected}`, got `{got}`"),
            ));
        }
    }
    if let Some(format) = params.get("Format") {
        if !format.eq_ignore_ascii_case("JSON") {
            return Err(err(
                400,
                "InvalidParameter",
                "`Format` must be JSON (the local KMS answers only JSON)",
            ));
        }
    }
    params.required("SignatureNonce")?;
    let timestamp = params.required("Timestamp")?;
    let when = rpc::parse_timestamp(timestamp).ok_or_else(|| {
        err(
            400,
            "InvalidTimeStamp.Format",
            format!("Specified timestamp `{timestamp}` is not in the format YYYY-MM-DDThh:mm:ssZ."),
        )
    })?;
    let now = SystemTime::now();
    let skew = now
        .duration_since(when)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(err(400, "InvalidTimeStamp.Expired", format!("Specified time stamp `{timestamp}` is more than 15 minutes away from the server time.")));
    }
    let access_key_id = params.required("AccessKeyId")?;
    let (secret, token, user) = if let Some(user) = state
        .config
        .users
        .iter()
        .find(|u| u.access_key_id == access_key_id)
    {
        (user.access_key_secret.as_str(), None, user)
    } else if let Some(sts) = state
        .config
        .sts
        .iter()
        .find(|s| s.access_key_id == access_key_id)
    {
        if sts.expiration.is_some_and(|exp| exp <= now) {
            return Err(err(
                400,
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ));
        }
        let user = state
            .config
            .user(&sts.user)
            .ok_or_else(|| err(500, "InternalError", "STS token of an unknown user"))?;
        (
            sts.access_key_secret.as_str(),
            Some(sts.security_token.as_str()),
            user,
        )
    } else {
        return Err(err(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    if let Some(expected) = token {
        let given = params.get("SecurityToken").unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(err(
                400,
                "InvalidSecurityToken.Mismatch",
                "Specified SecurityToken does not match the AccessKeyId.",
            ));
        }
    }
    let given = params.required("Signature")?;
    let string_to_sign = rpc::string_to_sign(
        method,
        params.0.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let expected = Zeroizing::new(rpc::signature(secret, &string_to_sign));
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(err(400, "IncompleteSignature", format!("The request signature does not conform to Aliyun standards. server string to sign is:{string_to_sign}")));
    }
    Ok(user.clone())
}

/// The CMK named by `KeyId` (id or alias), checked against `kms:<action>` for the caller.
fn key_for(
    state: &AppState,
    user: &User,
    action: &str,
    key: &str,
) -> Result<crate::kms::CmkInfo, KmsError> {
    let info = state.kms.find(key).map_err(internal)?.ok_or_else(|| {
        err(
            404,
            "Forbidden.KeyNotFound",
            format!("The specified Key `{key}` is not found."),
        )
    })?;
    if !user.may_kms(&format!("kms:{action}"), &info.names()) {
        return Err(err(403, "Forbidden.NoPermission", format!("This operation for key `{}` is forbidden by permission system: user `{}` lacks kms:{action}.", info.id, user.name)));
    }
    Ok(info)
}

fn internal(e: crate::error::OssError) -> KmsError {
    err(500, "InternalFailure", e.message)
}

/// The canonical bytes of an `EncryptionContext` (a JSON object of strings), sorted.
fn context_aad(key_id: &str, params: &Params) -> Result<Vec<u8>, KmsError> {
    let context: BTreeMap<String, String> =
        match params.get("EncryptionContext").filter(|c| !c.is_empty()) {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                err(
                    400,
                    "InvalidParameter",
                    format!("`EncryptionContext` must be a JSON object of strings: {e}"),
                )
            })?,
            None => BTreeMap::new(),
        };
    let canonical = serde_json::to_string(&context).expect("strings serialise");
    Ok(format!("ossbridge-kms-api:{key_id}:{canonical}").into_bytes())
}

fn seal(
    state: &AppState,
    key_id: &str,
    plaintext: &[u8],
    params: &Params,
) -> Result<String, KmsError> {
    let cmk = state.kms.cmk_material(key_id).map_err(internal)?;
    let aad = context_aad(key_id, params)?;
    let mut blob = vec![BLOB_VERSION, key_id.len() as u8];
    blob.extend_from_slice(key_id.as_bytes());
    blob.extend_from_slice(&crate::crypto::wrap(&cmk, plaintext, &aad));
    Ok(base64::engine::general_purpose::STANDARD.encode(blob))
}

fn invalid_ciphertext() -> KmsError {
    err(400, "InvalidCiphertext", "The specified CiphertextBlob is invalid (not produced by this KMS, corrupted, or a different EncryptionContext).")
}

fn key_version(key_id: &str) -> String {
    format!("{key_id}-v1")
}

fn generate_data_key(
    state: &AppState,
    user: &User,
    params: &Params,
) -> Result<serde_json::Value, KmsError> {
    let info = key_for(state, user, "GenerateDataKey", params.required("KeyId")?)?;
    let len = match (params.get("NumberOfBytes"), params.get("KeySpec")) {
        (Some(n), _) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1024).contains(n))
            .ok_or_else(|| {
                err(
                    400,
                    "InvalidParameter",
                    format!("`NumberOfBytes` must be 1 to 1024, got `{n}`"),
                )
            })?,
        (None, None) | (None, Some("AES_256")) => 32,
        (None, Some("AES_128")) => 16,
        (None, Some(other)) => {
            return Err(err(
                400,
                "InvalidParameter",
                format!("`KeySpec` must be AES_256 or AES_128, got `{other}`"),
            ))
        }
    };
    let mut data_key = Zeroizing::new(vec![0u8; len]);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut data_key);
    // The blob holds the base64 text, so Decrypt returns exactly GenerateDataKey's Plaintext.
    let plaintext = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*data_key));
    let blob = seal(state, &info.id, plaintext.as_bytes(), params)?;
    Ok(serde_json::json!({
        "KeyId": info.id,
        "KeyVersionId": key_version(&info.id),
        "Plaintext": plaintext.as_str(),
        "CiphertextBlob": blob,
    }))
}

fn encrypt(state: &AppState, user: &User, params: &Params) -> Result<serde_json::Value, KmsError> {
    let info = key_for(state, user, "Encrypt", params.required("KeyId")?)?;
    let plaintext = params.required("Plaintext")?;
    if plaintext.len() > 6144 {
        return Err(err(
            400,
            "InvalidParameter",
            "`Plaintext` is limited to 6 KiB",
        ));
    }
    let blob = seal(state, &info.id, plaintext.as_bytes(), params)?;
    Ok(serde_json::json!({
        "KeyId": info.id,
        "KeyVersionId": key_version(&info.id),
        "CiphertextBlob": blob,
    }))
}

fn decrypt(state: &AppState, user: &User, params: &Params) -> Result<serde_json::Value, KmsError> {
    let blob = base64::engine::general_purpose::STANDARD
        .decode(params.required("CiphertextBlob")?.trim())
        .map_err(|_| invalid_ciphertext())?;
    let (&version, rest) = blob.split_first().ok_or_else(invalid_ciphertext)?;
    let (&id_len, rest) = rest.split_first().ok_or_else(invalid_ciphertext)?;
    if version != BLOB_VERSION || rest.len() < id_len as usize {
        return Err(invalid_ciphertext());
    }
    let (id, wrapped) = rest.split_at(id_len as usize);
    let key_id = std::str::from_utf8(id).map_err(|_| invalid_ciphertext())?;
    let info = key_for(state, user, "Decrypt", key_id)?;
    let cmk = state.kms.cmk_material(&info.id).map_err(internal)?;
    let plain = crate::crypto::unwrap(&cmk, wrapped, &context_aad(&info.id, params)?)
        .map_err(|_| invalid_ciphertext())?;
    let plaintext =
        Zeroizing::new(String::from_utf8(plain.to_vec()).map_err(|_| invalid_ciphertext())?);
    Ok(serde_json::json!({
        "KeyId": info.id,
        "KeyVersionId": key_version(&info.id),
        "Plaintext": plaintext.as_str(),
    }))
}

fn key_metadata(info: &crate::kms::CmkInfo) -> serde_json::Value {
    serde_json::json!({
        "KeyId": info.id,
        "Arn": format!("acs:kms:local:0:key/{}", info.id),
        "KeyState": "Enabled",
        "KeyUsage": "ENCRYPT/DECRYPT",
        "KeySpec": "Aliyun_AES_256",
        "Origin": "Aliyun_KMS",
        "ProtectionLevel": "SOFTWARE",
        "Creator": "ossbridge",
        "Description": info.alias.clone().unwrap_or_default(),
    })
}

fn create_key(
    state: &AppState,
    user: &User,
    params: &Params,
) -> Result<serde_json::Value, KmsError> {
    if !user.may_kms("kms:CreateKey", &[]) {
        return Err(err(
            403,
            "Forbidden.NoPermission",
            format!(
                "This operation is forbidden by permission system: user `{}` lacks kms:CreateKey.",
                user.name
            ),
        ));
    }
    let alias = params
        .get("Description")
        .filter(|d| d.starts_with("alias/"));
    let id = state
        .kms
        .create_key(alias)
        .map_err(|e| err(409, "Forbidden.AliasExists", e.message))?;
    let info = state
        .kms
        .find(&id)
        .map_err(internal)?
        .ok_or_else(|| err(500, "InternalFailure", "the new key vanished"))?;
    Ok(serde_json::json!({ "KeyMetadata": key_metadata(&info) }))
}

fn describe_key(
    state: &AppState,
    user: &User,
    params: &Params,
) -> Result<serde_json::Value, KmsError> {
    let info = key_for(state, user, "DescribeKey", params.required("KeyId")?)?;
    Ok(serde_json::json!({ "KeyMetadata": key_metadata(&info) }))
}
