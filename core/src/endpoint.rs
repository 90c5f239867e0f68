//! Endpoints and addressing: which host and path a request for (bucket, key) goes to.
//!
//! * `oss-<region>.aliyuncs.com` (or `oss-<region>-internal.aliyuncs.com`) from a region;
//! * a custom endpoint with or without scheme: without one, `https` (as the official SDKs
//!   do), except for IP and `localhost` hosts, which get `http` because a local server
//!   (`ossbridge serve`) has no TLS; a given scheme is kept;
//! * virtual-hosted style (`bucket.host/key`) by default; path style (`host/bucket/key`)
//!   automatically for IP and `localhost` endpoints (as go-sdk-v2 and oss2 do) or on request;
//!   CNAME (`host/key`, the host is the bucket's own domain).
//!
//! Keys are percent-encoded with the RFC 3986 unreserved set, `/` kept, the same encoder the
//! V4 canonical URI uses, so the path sent is the path signed (spec §5 items 1-4, 17).

use std::fmt;
use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::signing::{encode_query, uri_encode};

/// How the bucket appears in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressingStyle {
    /// `https://bucket.endpoint/key`
    VirtualHosted,
    /// `https://endpoint/bucket/key`
    Path,
    /// `https://cname-domain/key`: the endpoint is the bucket's own domain.
    Cname,
}

/// `oss-<region>.aliyuncs.com`, or `oss-<region>-internal.aliyuncs.com` for the internal
/// (same-region VPC/ECS) network. A leading `oss-` on the region is tolerated.
pub fn region_endpoint(region: &str, internal: bool) -> String {
    let region = region.strip_prefix("oss-").unwrap_or(region);
    if internal {
        format!("oss-{region}-internal.aliyuncs.com")
    } else {
        format!("oss-{region}.aliyuncs.com")
    }
}

/// The CloudBox id of an endpoint such as `cb-123.cn-hangzhou.oss-cloudbox.aliyuncs.com`
/// (or `...oss-cloudbox-control.aliyuncs.com`): five labels, the first starting with `cb-`
/// (go2 client.go `resolveCloudBox`, py2 `_resolve_cloud_box`). Scheme and port are ignored.
pub fn cloudbox_id(endpoint: &str) -> Option<String> {
    let (_, rest) = split_scheme(endpoint.trim());
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    if !(host.ends_with(".oss-cloudbox.aliyuncs.com")
        || host.ends_with(".oss-cloudbox-control.aliyuncs.com"))
    {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() == 5 && labels[0].starts_with("cb-") {
        Some(labels[0].to_string())
    } else {
        None
    }
}

fn split_scheme(input: &str) -> (Option<&str>, &str) {
    match input.find("://") {
        Some(i) => (Some(&input[..i]), &input[i + 3..]),
        None => (None, input),
    }
}

/// True for `localhost` and IPv4/IPv6 literal hosts (port and brackets allowed).
pub fn is_ip_or_localhost(host_with_port: &str) -> bool {
    let host = if let Some(rest) = host_with_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_with_port
            .rsplit_once(':')
            .map_or(host_with_port, |(h, _)| h)
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok()
}

/// Where requests go: scheme, host (with port if any) and addressing style.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: String,
    host: String,
    style: AddressingStyle,
}

impl Endpoint {
    /// The public (or internal) endpoint of a region, over https, virtual-hosted.
    pub fn from_region(region: &str, internal: bool) -> Result<Endpoint> {
        if region.trim().is_empty() {
            return Err(Error::invalid_argument("region is empty"));
        }
        Endpoint::parse(&region_endpoint(region.trim(), internal))
    }

    /// Parses `host[:port]` or `scheme://host[:port][/]`. The style is path for IP and
    /// `localhost` hosts, virtual-hosted otherwise.
    pub fn parse(endpoint: &str) -> Result<Endpoint> {
        let input = endpoint.trim();
        let (scheme, rest) = split_scheme(input);
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() {
            return Err(Error::invalid_argument(format!(
                "endpoint {endpoint:?} has no host"
            )));
        }
        if rest.contains(['/', '?', '#', ' ', '@']) {
            return Err(Error::invalid_argument(format!(
                "endpoint {endpoint:?} must be a host or scheme://host[:port] without a path"
            )));
        }
        let ip_like = is_ip_or_localhost(rest);
        let scheme = match scheme {
            Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
                s.to_ascii_lowercase()
            }
            Some(s) => {
                return Err(Error::invalid_argument(format!(
                    "endpoint {endpoint:?} has unsupported scheme {s:?} (expected http or https)"
                )))
            }
            None if ip_like => "http".to_string(),
            None => "https".to_string(),
        };
        let style = if ip_like {
            AddressingStyle::Path
        } else {
            AddressingStyle::VirtualHosted
        };
        Ok(Endpoint {
            scheme,
            host: rest.to_ascii_lowercase(),
            style,
        })
    }

    pub fn with_style(mut self, style: AddressingStyle) -> Endpoint {
        self.style = style;
        self
    }

    /// Path style on request (e.g. for S3-style proxies).
    pub fn with_path_style(self) -> Endpoint {
        self.with_style(AddressingStyle::Path)
    }

    /// The endpoint is the bucket's CNAME domain.
    pub fn with_cname(self) -> Endpoint {
        self.with_style(AddressingStyle::Cname)
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Host, with `:port` when one was given.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn style(&self) -> AddressingStyle {
        self.style
    }

    /// `scheme://host`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// The value of the `Host` header for a request to `bucket`.
    pub fn host_for(&self, bucket: Option<&str>) -> String {
        match (self.style, bucket.filter(|b| !b.is_empty())) {
            (AddressingStyle::VirtualHosted, Some(bucket)) => format!("{bucket}.{}", self.host),
            _ => self.host.clone(),
        }
    }

    /// The request path (already percent-encoded) for (bucket, key).
    pub fn path_for(&self, bucket: Option<&str>, key: Option<&str>) -> String {
        let key = key.unwrap_or("");
        match (self.style, bucket.filter(|b| !b.is_empty())) {
            (AddressingStyle::Path, Some(bucket)) => {
                format!("/{}/{}", uri_encode(bucket, false), uri_encode(key, true))
            }
            _ => format!("/{}", uri_encode(key, true)),
        }
    }

    /// The full request URL for (bucket, key, decoded query): the key encoded as OSS
    /// expects, each query name and value percent-encoded (`/` too), in the given order.
    pub fn url(
        &self,
        bucket: Option<&str>,
        key: Option<&str>,
        query: &[(String, String)],
    ) -> String {
        let mut url = format!(
            "{}://{}{}",
            self.scheme,
            self.host_for(bucket),
            self.path_for(bucket, key)
        );
        if !query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(query));
        }
        url
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Endpoint({}://{}, {:?})",
            self.scheme, self.host, self.style
        )
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn region_endpoints() {
        assert_eq!(
            region_endpoint("cn-hangzhou", false),
            "oss-cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            region_endpoint("cn-hangzhou", true),
            "oss-cn-hangzhou-internal.aliyuncs.com"
        );
        assert_eq!(
            region_endpoint("oss-cn-hangzhou", false),
            "oss-cn-hangzhou.aliyuncs.com"
        );
        let e = Endpoint::from_region("ap-southeast-1", false).unwrap();
        assert_eq!(
            e.url(Some("b"), Some("k"), &[]),
            "https://b.oss-ap-southeast-1.aliyuncs.com/k"
        );
        assert!(Endpoint::from_region(" ", false).is_err());
    }

    #[test]
    fn virtual_hosted_by_default_with_encoded_key() {
        let e = Endpoint::parse("oss-cn-hangzhou.aliyuncs.com").unwrap();
        assert_eq!(e.style(), AddressingStyle::VirtualHosted);
        assert_eq!(e.scheme(), "https");
        assert_eq!(
            e.url(Some("examplebucket"), Some("中文/a b+c~d*e.txt"), &q(&[("acl", ""), ("x", "a/b c")])),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/%E4%B8%AD%E6%96%87/a%20b%2Bc~d%2Ae.txt?acl&x=a%2Fb%20c"
        );
        assert_eq!(
            e.url(None, None, &[]),
            "https://oss-cn-hangzhou.aliyuncs.com/"
        );
        assert_eq!(
            e.url(Some("b"), None, &[]),
            "https://b.oss-cn-hangzhou.aliyuncs.com/"
        );
        // `.` and `..` segments are sent as written, never normalised away.
        assert_eq!(
            e.url(Some("b"), Some("a/../b/./c"), &[]),
            "https://b.oss-cn-hangzhou.aliyuncs.com/a/../b/./c"
        );
    }

    #[test]
    fn scheme_is_kept() {
        let e = Endpoint::parse("http://oss-cn-hangzhou.aliyuncs.com/").unwrap();
        assert_eq!(e.scheme(), "http");
        assert_eq!(e.host_for(Some("b")), "b.oss-cn-hangzhou.aliyuncs.com");
        assert!(Endpoint::parse("ftp://x.com").is_err());
        assert!(Endpoint::parse("https://x.com/path").is_err());
        assert!(Endpoint::parse("").is_err());
    }

    #[test]
    fn ip_and_localhost_use_path_style() {
        for (input, base) in [
            ("127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("https://10.0.0.1", "https://10.0.0.1"),
            ("[::1]:9000", "http://[::1]:9000"),
        ] {
            let e = Endpoint::parse(input).unwrap();
            assert_eq!(e.style(), AddressingStyle::Path, "{input}");
            assert_eq!(
                e.url(Some("bkt"), Some("a/b"), &[]),
                format!("{base}/bkt/a/b")
            );
            assert_eq!(e.host_for(Some("bkt")), base.split("://").nth(1).unwrap());
        }
    }

    #[test]
    fn path_style_on_request_and_cname() {
        let e = Endpoint::parse("oss-cn-hangzhou.aliyuncs.com")
            .unwrap()
            .with_path_style();
        assert_eq!(
            e.url(Some("b"), Some("k"), &[]),
            "https://oss-cn-hangzhou.aliyuncs.com/b/k"
        );
        assert_eq!(
            e.url(None, None, &[]),
            "https://oss-cn-hangzhou.aliyuncs.com/"
        );
        let c = Endpoint::parse("https://static.example.com")
            .unwrap()
            .with_cname();
        assert_eq!(
            c.url(Some("b"), Some("img/a.png"), &[]),
            "https://static.example.com/img/a.png"
        );
        assert_eq!(c.host_for(Some("b")), "static.example.com");
    }

    #[test]
    fn cloudbox_ids() {
        assert_eq!(
            cloudbox_id("cb-123456.cn-hangzhou.oss-cloudbox.aliyuncs.com").as_deref(),
            Some("cb-123456")
        );
        assert_eq!(
            cloudbox_id("https://cb-9.cn-shanghai.oss-cloudbox-control.aliyuncs.com:443")
                .as_deref(),
            Some("cb-9")
        );
        assert_eq!(cloudbox_id("oss-cn-hangzhou.aliyuncs.com"), None);
        assert_eq!(
            cloudbox_id("x.cb-1.cn-hangzhou.oss-cloudbox.aliyuncs.com"),
            None
        );
        assert_eq!(
            cloudbox_id("bucket.cn-hangzhou.oss-cloudbox.aliyuncs.com"),
            None
        );
    }
}
