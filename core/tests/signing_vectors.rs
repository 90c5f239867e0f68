//! Runs every known-answer vector in tests/vectors/signing.json (a copy of
//! ../shared/vectors/signing.json, produced by the official SDK signers) through
//! core::signing and core::endpoint.

use std::collections::BTreeMap;

use ossbridge_core::credentials::Credentials;
use ossbridge_core::endpoint::Endpoint;
use ossbridge_core::signing::{self, v1, v4, SignableRequest};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signing.json");
    let text = std::fs::read_to_string(path).expect("tests/vectors/signing.json");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let vectors = doc["vectors"].as_array().unwrap().clone();
    assert_eq!(vectors.len() as u64, doc["count"].as_u64().unwrap());
    vectors
}

fn str_map(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

fn request(v: &Value) -> SignableRequest {
    SignableRequest {
        method: v["method"].as_str().unwrap().to_string(),
        bucket: opt_str(&v["bucket"]),
        key: opt_str(&v["key"]),
        query: str_map(&v["query"]),
        headers: str_map(&v["headers"]),
    }
}

fn credentials(v: &Value) -> Credentials {
    let mut c = Credentials::new(
        v["access_key_id"].as_str().unwrap(),
        v["access_key_secret"].as_str().unwrap(),
    );
    if let Some(token) = opt_str(&v["security_token"]) {
        c = c.with_security_token(token);
    }
    c
}

/// Every expected header is on the request with exactly that value (names case-insensitive).
fn assert_headers_present(id: &str, req: &SignableRequest, expected: &Value) {
    for (name, value) in str_map(expected) {
        assert_eq!(
            req.header(&name).as_deref(),
            Some(value.as_str()),
            "{id}: header {name}"
        );
    }
}

/// The query of a URL as a decoded map, and the part before `?`.
fn split_url(url: &str) -> (String, BTreeMap<String, String>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let map = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (signing::uri_decode(k), signing::uri_decode(v))
        })
        .collect();
    (base.to_string(), map)
}

fn check_presign_url(id: &str, v: &Value, req: &SignableRequest) {
    let endpoint = Endpoint::parse(v["endpoint"].as_str().unwrap()).unwrap();
    let ours = endpoint.url(req.bucket.as_deref(), req.key.as_deref(), &req.query);
    // Query order differs between SDKs and is not significant; base and pairs must match.
    let theirs = v["expected"]["url"].as_str().unwrap();
    assert_eq!(split_url(&ours), split_url(theirs), "{id}: url");
    if let Some(theirs) = v["expected"]["url_oss2"].as_str() {
        // Only the query: the generator ran oss2 against the plain region endpoint for CloudBox.
        assert_eq!(split_url(&ours).1, split_url(theirs).1, "{id}: url_oss2");
    }
    let signed: BTreeMap<String, String> = str_map(&v["expected"]["signed_query"])
        .into_iter()
        .collect();
    let have: BTreeMap<String, String> = req.query.iter().cloned().collect();
    assert_eq!(have, signed, "{id}: signed_query");
}

fn assert_divergences_differ(id: &str, v: &Value, signature: &str) {
    for divergence in str_list(&v["divergences"]) {
        assert!(
            !divergence.contains(signature),
            "{id}: we reproduced the divergent SDK instead of the majority"
        );
    }
}

#[test]
fn every_vector_matches() {
    let mut counts = BTreeMap::new();
    for v in vectors() {
        let id = v["id"].as_str().unwrap();
        let exp = &v["expected"];
        let creds = credentials(&v);
        let mut req = request(&v);
        let kind = (v["version"].as_str().unwrap(), v["kind"].as_str().unwrap());
        *counts.entry(format!("{}-{}", kind.0, kind.1)).or_insert(0) += 1;
        let extra = str_list(&v["sub_resources"]);
        let additional = str_list(&v["additional_headers"]);
        match kind {
            ("v1", "header") => {
                let time = signing::parse_rfc3339(v["signing_time"].as_str().unwrap()).unwrap();
                let out = v1::sign_header(&mut req, &creds, time, &extra);
                assert_eq!(
                    out.string_to_sign,
                    exp["string_to_sign"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    v1::header_date(&req).as_deref(),
                    v["date"].as_str(),
                    "{id}: date slot"
                );
                assert_eq!(
                    req.header("authorization").as_deref(),
                    exp["authorization"].as_str(),
                    "{id}"
                );
                assert_headers_present(id, &req, &exp["headers_added_by_signer"]);
                assert_headers_present(id, &req, &exp["headers_sent"]);
                // The pure function gives the same string from the signed request.
                assert_eq!(
                    v1::string_to_sign(&req, v["date"].as_str().unwrap(), &extra),
                    out.string_to_sign
                );
                assert_divergences_differ(id, &v, &out.signature);
            }
            ("v1", "presign") => {
                let expires = v["expires"].as_u64().unwrap();
                let out = v1::presign(&mut req, &creds, expires, &extra);
                assert_eq!(
                    out.string_to_sign,
                    exp["string_to_sign"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(out.signature, exp["signature"].as_str().unwrap(), "{id}");
                check_presign_url(id, &v, &req);
                assert_divergences_differ(id, &v, &signing::uri_encode(&out.signature, false));
            }
            ("v4", "header") => {
                let time = signing::parse_rfc3339(v["signing_time"].as_str().unwrap()).unwrap();
                let (region, product) = (
                    v["region"].as_str().unwrap(),
                    v["product"].as_str().unwrap(),
                );
                let out = v4::sign_header(&mut req, &creds, region, product, time, &additional);
                assert_eq!(
                    out.canonical_request,
                    exp["canonical_request"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    out.string_to_sign,
                    exp["string_to_sign"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    req.header("authorization").as_deref(),
                    exp["authorization"].as_str(),
                    "{id}"
                );
                assert_eq!(
                    req.header("x-oss-date").as_deref(),
                    v["time"].as_str(),
                    "{id}"
                );
                assert_headers_present(id, &req, &exp["headers_added_by_signer"]);
                assert_headers_present(id, &req, &exp["headers_sent"]);
                if let Some(oss2_layout) = exp["authorization_oss2_layout"].as_str() {
                    assert!(
                        oss2_layout.contains(&format!(", Signature={}", out.signature)),
                        "{id}: oss2 layout"
                    );
                }
                // The verifier's view: pure functions over the signed request give the same result.
                let canonical = v4::canonical_request(&req, &additional);
                assert_eq!(canonical, out.canonical_request, "{id}: recomputed");
                let date = &v["time"].as_str().unwrap()[..8];
                let sts = v4::string_to_sign(
                    v["time"].as_str().unwrap(),
                    &v4::scope(date, region, product),
                    &canonical,
                );
                let key = v4::signing_key(creds.access_key_secret.expose(), date, region, product);
                assert_eq!(v4::signature(&key, &sts), out.signature, "{id}: recomputed");
                assert_divergences_differ(id, &v, &out.signature);
            }
            ("v4", "presign") => {
                let time = signing::parse_rfc3339(v["signing_time"].as_str().unwrap()).unwrap();
                let (region, product) = (
                    v["region"].as_str().unwrap(),
                    v["product"].as_str().unwrap(),
                );
                let expires = v["expires"].as_u64().unwrap();
                let out = v4::presign(
                    &mut req,
                    &creds,
                    region,
                    product,
                    time,
                    expires,
                    &additional,
                )
                .unwrap();
                assert_eq!(
                    out.canonical_request,
                    exp["canonical_request"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    out.string_to_sign,
                    exp["string_to_sign"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(out.signature, exp["signature"].as_str().unwrap(), "{id}");
                check_presign_url(id, &v, &req);
                // A received presigned request (x-oss-signature included) canonicalises the same.
                assert_eq!(
                    v4::canonical_request(&req, &additional),
                    out.canonical_request,
                    "{id}: recomputed"
                );
            }
            other => panic!("{id}: unknown kind {other:?}"),
        }
    }
    // Every category of the spec's table is exercised.
    assert_eq!(counts.values().sum::<i32>(), 53, "{counts:?}");
    assert_eq!(counts.len(), 4, "{counts:?}");
}
