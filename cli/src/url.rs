//! `oss://BUCKET[/KEY]` arguments and local paths.

use std::path::PathBuf;

use crate::output::{usage, CliResult};

/// A cloud URL: a bucket and a key (or prefix), possibly empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OssUrl {
    pub bucket: String,
    pub key: String,
}

impl OssUrl {
    /// Parses `oss://bucket[/key]` (the scheme is case-insensitive, like ossutil's).
    pub fn parse(arg: &str) -> CliResult<OssUrl> {
        let rest = strip_scheme(arg).ok_or_else(|| {
            usage(format!(
                "{arg:?} is not a cloud URL: expected oss://BUCKET[/KEY]"
            ))
        })?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(usage(format!(
                "{arg:?} names no bucket: expected oss://BUCKET[/KEY]"
            )));
        }
        Ok(OssUrl {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// Parses a URL that must name a bucket and nothing else.
    pub fn parse_bucket(arg: &str) -> CliResult<String> {
        let url = OssUrl::parse(arg)?;
        if !url.key.is_empty() {
            return Err(usage(format!(
                "{arg:?} names an object: expected oss://BUCKET"
            )));
        }
        Ok(url.bucket)
    }

    /// Parses a URL that must name an object.
    pub fn parse_object(arg: &str) -> CliResult<OssUrl> {
        let url = OssUrl::parse(arg)?;
        if url.key.is_empty() {
            return Err(usage(format!(
                "{arg:?} names no object: expected oss://BUCKET/KEY"
            )));
        }
        Ok(url)
    }

    pub fn with_key(&self, key: impl Into<String>) -> OssUrl {
        OssUrl {
            bucket: self.bucket.clone(),
            key: key.into(),
        }
    }
}

impl std::fmt::Display for OssUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "oss://{}/{}", self.bucket, self.key)
    }
}

fn strip_scheme(arg: &str) -> Option<&str> {
    (arg.len() >= 6 && arg[..6].eq_ignore_ascii_case("oss://")).then(|| &arg[6..])
}

/// One side of a `cp`.
#[derive(Clone, Debug)]
pub enum Location {
    Local(PathBuf),
    Oss(OssUrl),
}

impl Location {
    pub fn parse(arg: &str) -> CliResult<Location> {
        if strip_scheme(arg).is_some() {
            Ok(Location::Oss(OssUrl::parse(arg)?))
        } else if arg.contains("://") {
            Err(usage(format!(
                "{arg:?}: only oss:// URLs and local paths are supported"
            )))
        } else {
            Ok(Location::Local(PathBuf::from(arg)))
        }
    }
}

/// The object-key form of a prefix that gets names appended: `""` stays empty, anything
/// else ends with `/`.
pub fn dir_prefix(prefix: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloud_urls() {
        assert_eq!(
            OssUrl::parse("oss://b/a/b.txt").unwrap(),
            OssUrl {
                bucket: "b".into(),
                key: "a/b.txt".into()
            }
        );
        assert_eq!(OssUrl::parse("OSS://b").unwrap().key, "");
        assert!(OssUrl::parse("oss://").is_err());
        assert!(OssUrl::parse("s3://b").is_err());
        assert!(OssUrl::parse_bucket("oss://b/k").is_err());
        assert!(OssUrl::parse_object("oss://b/").is_err());
        assert!(matches!(
            Location::parse("./x").unwrap(),
            Location::Local(_)
        ));
        assert!(Location::parse("http://x").is_err());
        assert_eq!(dir_prefix("p"), "p/");
        assert_eq!(dir_prefix(""), "");
    }
}
