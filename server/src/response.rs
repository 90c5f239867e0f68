//! Response building: error bodies (or `x-oss-err` for HEAD), common headers, XML bodies.

use axum::body::Body;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};

use crate::error::OssError;

/// Sets a header, silently skipping values that are not valid header text.
pub fn set(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(n, v);
    }
}

/// A response with a status, headers and body.
pub fn build(status: u16, headers: &[(String, String)], body: Body) -> Response<Body> {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (n, v) in headers {
        set(resp.headers_mut(), n, v);
    }
    resp
}

pub fn xml(status: u16, body: String) -> Response<Body> {
    let len = body.len().to_string();
    build(
        status,
        &[
            ("content-type".into(), "application/xml".into()),
            ("content-length".into(), len),
        ],
        Body::from(body),
    )
}

pub fn empty(status: u16) -> Response<Body> {
    build(
        status,
        &[("content-length".into(), "0".into())],
        Body::empty(),
    )
}

pub fn error(err: &OssError, request_id: &str, is_head: bool) -> Response<Body> {
    let service = ossbridge_core::ServiceError {
        status: err.status,
        code: err.code.to_string(),
        message: err.message.clone(),
        request_id: request_id.to_string(),
        host_id: "ossbridge.local".to_string(),
        ec: err.ec.to_string(),
        details: err.details.clone(),
        headers: Vec::new(),
    };
    let body = service.to_xml();
    let mut headers = err.headers.clone();
    if !err.ec.is_empty() {
        headers.push(("x-oss-ec".into(), err.ec.to_string()));
    }
    if err.status == 304 {
        headers.push(("content-length".into(), "0".into()));
        return build(304, &headers, Body::empty());
    }
    if is_head {
        headers.push((
            "x-oss-err".into(),
            base64::engine::general_purpose::STANDARD.encode(&body),
        ));
        headers.push(("content-length".into(), "0".into()));
        build(err.status, &headers, Body::empty())
    } else {
        headers.push(("content-type".into(), "application/xml".into()));
        headers.push(("content-length".into(), body.len().to_string()));
        build(err.status, &headers, Body::from(body))
    }
}

pub fn add_common_headers(headers: &mut HeaderMap, request_id: &str) {
    set(headers, "x-oss-request-id", request_id);
    set(headers, "server", "AliyunOSS");
    set(
        headers,
        "date",
        &httpdate::fmt_http_date(std::time::SystemTime::now()),
    );
}
