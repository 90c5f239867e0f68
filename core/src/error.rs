//! One error type for every failure, with a small stable set of kinds.
//!
//! Service failures carry everything OSS put in its `<Error>` body (or, for HEAD, in the
//! base64 `x-oss-err` header), like oss2's `ServerError.details`. Every kind has a stable
//! string name so each binding can map all of them.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The stable set of failure kinds. Adding one is a breaking change for the bindings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// OSS answered with an error status; see [`ServiceError`].
    Service,
    /// The caller passed something unusable (bad name, bad option, bad header...).
    InvalidArgument,
    /// No credentials could be found, or the provider failed.
    Credentials,
    /// Connection refused/reset, DNS, TLS: the request may not have reached OSS.
    Network,
    /// A connect, read or whole-request timeout elapsed.
    Timeout,
    /// The CRC-64 of the data differs from the one OSS reported.
    CrcMismatch,
    /// Encryption, decryption, key wrapping or authentication of encrypted data failed.
    Crypto,
    /// A local file or stream could not be read or written.
    Io,
    /// OSS answered with something this client cannot understand.
    Protocol,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::Service,
        ErrorKind::InvalidArgument,
        ErrorKind::Credentials,
        ErrorKind::Network,
        ErrorKind::Timeout,
        ErrorKind::CrcMismatch,
        ErrorKind::Crypto,
        ErrorKind::Io,
        ErrorKind::Protocol,
    ];

    /// The stable name bindings use (`"Service"`, `"InvalidArgument"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Service => "Service",
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::Credentials => "Credentials",
            ErrorKind::Network => "Network",
            ErrorKind::Timeout => "Timeout",
            ErrorKind::CrcMismatch => "CrcMismatch",
            ErrorKind::Crypto => "Crypto",
            ErrorKind::Io => "Io",
            ErrorKind::Protocol => "Protocol",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error response from OSS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: String,
    pub host_id: String,
    /// OSS's detailed error code (`EC`), e.g. `0003-00000001`.
    pub ec: String,
    /// Every element of the `<Error>` body, including the ones above
    /// (`StringToSign`, `OSSAccessKeyId`, `Bucket`, ...).
    pub details: BTreeMap<String, String>,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl ServiceError {
    /// Parses an `<Error>` body. A body that is not OSS's error XML still gives a
    /// service error with the HTTP status, the request id from the headers and the
    /// body's text as message, so nothing is lost.
    pub fn from_response(status: u16, headers: &[(String, String)], body: &[u8]) -> ServiceError {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        let mut details = parse_error_elements(body).unwrap_or_default();
        if details.is_empty() {
            // HEAD responses have no body: OSS puts the same XML, base64-encoded, in x-oss-err.
            if let Some(encoded) = header(&headers, "x-oss-err") {
                if let Ok(xml) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) {
                    details = parse_error_elements(&xml).unwrap_or_default();
                }
            }
        }
        let take = |name: &str| details.get(name).cloned().unwrap_or_default();
        let mut err = ServiceError {
            status,
            code: take("Code"),
            message: take("Message"),
            request_id: take("RequestId"),
            host_id: take("HostId"),
            ec: take("EC"),
            details: details.clone(),
            headers: Vec::new(),
        };
        if err.request_id.is_empty() {
            err.request_id = header(&headers, "x-oss-request-id")
                .unwrap_or_default()
                .to_string();
        }
        if err.ec.is_empty() {
            err.ec = header(&headers, "x-oss-ec").unwrap_or_default().to_string();
        }
        if err.code.is_empty() && details.is_empty() {
            err.message = String::from_utf8_lossy(body)
                .trim()
                .chars()
                .take(512)
                .collect();
        }
        err.headers = headers;
        err
    }

    /// Renders this error as OSS's `<Error>` XML body (used by the local server).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        let mut push = |name: &str, value: &str| {
            out.push_str(&format!("  <{name}>{}</{name}>\n", xml_escape(value)));
        };
        push("Code", &self.code);
        push("Message", &self.message);
        push("RequestId", &self.request_id);
        push("HostId", &self.host_id);
        for (name, value) in &self.details {
            if !matches!(
                name.as_str(),
                "Code" | "Message" | "RequestId" | "HostId" | "EC"
            ) {
                push(name, value);
            }
        }
        if !self.ec.is_empty() {
            push("EC", &self.ec);
        }
        out.push_str("</Error>\n");
        out
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Escapes text for an XML element body or attribute.
pub fn xml_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Collects the text of every direct child element of `<Error>`.
fn parse_error_elements(xml: &[u8]) -> Option<BTreeMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut in_error = false;
    let mut current: Option<String> = None;
    let mut out = BTreeMap::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if depth == 1 {
                    if name != "Error" {
                        return None;
                    }
                    in_error = true;
                } else if depth == 2 {
                    out.insert(name.clone(), String::new());
                    current = Some(name);
                }
            }
            Event::Empty(e) if depth == 1 => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                out.insert(name, String::new());
            }
            Event::Text(t) => {
                if let (2, Some(name)) = (depth, &current) {
                    let text = t.unescape().ok()?.into_owned();
                    out.entry(name.clone()).or_default().push_str(&text);
                }
            }
            Event::CData(t) => {
                if let (2, Some(name)) = (depth, &current) {
                    let text = String::from_utf8_lossy(&t).into_owned();
                    out.entry(name.clone()).or_default().push_str(&text);
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    current = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    in_error.then_some(out)
}

/// The one error type of ossbridge.
pub struct Error {
    kind: ErrorKind,
    message: String,
    service: Option<Box<ServiceError>>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            service: None,
            source: None,
        }
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Box::new(source));
        self
    }

    pub fn service(err: ServiceError) -> Error {
        let message = format!(
            "OSS returned {} {}: {} (RequestId: {})",
            err.status, err.code, err.message, err.request_id
        );
        Error {
            kind: ErrorKind::Service,
            message,
            service: Some(Box::new(err)),
            source: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The service error, when OSS answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.service.as_deref()
    }

    /// The OSS error code (`NoSuchKey`, ...) of a service error.
    pub fn code(&self) -> Option<&str> {
        self.service.as_deref().map(|s| s.code.as_str())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(s) = &self.service {
            d.field("status", &s.status)
                .field("code", &s.code)
                .field("request_id", &s.request_id);
        }
        if let Some(src) = &self.source {
            d.field("source", &src.to_string());
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(src) = &self.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        let kind = if e.kind() == std::io::ErrorKind::TimedOut {
            ErrorKind::Timeout
        } else {
            ErrorKind::Io
        };
        Error::new(kind, "I/O failed").with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match the signature you provided.</Message>
  <RequestId>5C3D8D2A0ACA54D87B43XXXX</RequestId>
  <HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <OSSAccessKeyId>LTAI5t</OSSAccessKeyId>
  <StringToSign>GET&#10;&#10;&#10;Mon, 15 Jan 2024 08:30:00 GMT&#10;/examplebucket/a.txt</StringToSign>
  <EC>0002-00000040</EC>
</Error>"#;

    #[test]
    fn parses_every_element_of_the_error_body() {
        let err = ServiceError::from_response(403, &[], BODY.as_bytes());
        assert_eq!(err.status, 403);
        assert_eq!(err.code, "SignatureDoesNotMatch");
        assert_eq!(err.request_id, "5C3D8D2A0ACA54D87B43XXXX");
        assert_eq!(err.host_id, "examplebucket.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(err.ec, "0002-00000040");
        assert_eq!(err.details["OSSAccessKeyId"], "LTAI5t");
        assert_eq!(
            err.details["StringToSign"],
            "GET\n\n\nMon, 15 Jan 2024 08:30:00 GMT\n/examplebucket/a.txt"
        );
    }

    #[test]
    fn head_errors_come_from_the_x_oss_err_header() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(BODY);
        let headers = vec![
            ("X-Oss-Err".to_string(), encoded),
            ("x-oss-request-id".into(), "RID".into()),
        ];
        let err = ServiceError::from_response(403, &headers, b"");
        assert_eq!(err.code, "SignatureDoesNotMatch");
        assert_eq!(err.ec, "0002-00000040");
    }

    #[test]
    fn a_non_xml_body_keeps_status_request_id_and_text() {
        let headers = vec![("x-oss-request-id".to_string(), "RID1".to_string())];
        let err = ServiceError::from_response(502, &headers, b"Bad Gateway");
        assert_eq!(
            (err.status, err.code.as_str(), err.request_id.as_str()),
            (502, "", "RID1")
        );
        assert_eq!(err.message, "Bad Gateway");
    }

    #[test]
    fn to_xml_round_trips() {
        let err = ServiceError::from_response(403, &[], BODY.as_bytes());
        let again = ServiceError::from_response(403, &[], err.to_xml().as_bytes());
        assert_eq!(again.details, err.details);
    }

    #[test]
    fn kinds_have_distinct_stable_names() {
        let names: std::collections::HashSet<_> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        let e = Error::service(ServiceError::from_response(
            404,
            &[],
            b"<Error><Code>NoSuchKey</Code></Error>",
        ));
        assert_eq!(
            (e.kind(), e.code()),
            (ErrorKind::Service, Some("NoSuchKey"))
        );
    }
}
