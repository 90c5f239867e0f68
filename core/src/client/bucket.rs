//! Bucket operations.

use reqwest::Method;

use super::{Client, Request};
use crate::error::Result;
use crate::model::{
    BucketInfo, EmptyResult, GetBucketEncryptionResult, ListBucketsOptions, ListBucketsResult,
    PutBucketOptions, ServerSideEncryptionRule,
};

impl Client {
    /// ListBuckets (one page; follow `next_marker` for more).
    pub async fn list_buckets(&self, options: &ListBucketsOptions) -> Result<ListBucketsResult> {
        let mut req = Request::new(Method::GET, None, None);
        if let Some(p) = &options.prefix {
            req = req.query("prefix", p.clone());
        }
        if let Some(m) = &options.marker {
            req = req.query("marker", m.clone());
        }
        if let Some(n) = options.max_keys {
            req = req.query("max-keys", n.to_string());
        }
        let (meta, body) = self.send_collect(req).await?;
        ListBucketsResult::from_xml(&body, meta)
    }

    /// PutBucket (create), with an optional ACL, storage class and default encryption.
    /// The encryption rule is set with PutBucketEncryption right after creation.
    pub async fn put_bucket(
        &self,
        bucket: &str,
        options: &PutBucketOptions,
    ) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        let mut req = Request::new(Method::PUT, Some(bucket), None);
        if let Some(acl) = options.acl {
            req = req.header("x-oss-acl", acl.as_str());
        }
        if let Some(xml) = options.body() {
            req = req.xml_body(xml);
        }
        let (meta, _) = self.send_collect(req).await?;
        if let Some(rule) = &options.encryption {
            self.put_bucket_encryption(bucket, rule).await?;
        }
        Ok(EmptyResult { meta })
    }

    /// DeleteBucket (must be empty).
    pub async fn delete_bucket(&self, bucket: &str) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        let (meta, _) = self
            .send_collect(Request::new(Method::DELETE, Some(bucket), None))
            .await?;
        Ok(EmptyResult { meta })
    }

    /// GetBucketInfo, including the bucket's default encryption.
    pub async fn get_bucket_info(&self, bucket: &str) -> Result<BucketInfo> {
        validate_bucket(bucket)?;
        let req = Request::new(Method::GET, Some(bucket), None).query("bucketInfo", "");
        let (meta, body) = self.send_collect(req).await?;
        BucketInfo::from_xml(&body, meta)
    }

    /// PutBucketEncryption: the default encryption of new objects.
    pub async fn put_bucket_encryption(
        &self,
        bucket: &str,
        rule: &ServerSideEncryptionRule,
    ) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        let req = Request::new(Method::PUT, Some(bucket), None)
            .query("encryption", "")
            .xml_body(rule.to_xml());
        let (meta, _) = self.send_collect(req).await?;
        Ok(EmptyResult { meta })
    }

    /// GetBucketEncryption. A bucket without a rule gives a service error with code
    /// `NoSuchServerSideEncryptionRule` (404).
    pub async fn get_bucket_encryption(&self, bucket: &str) -> Result<GetBucketEncryptionResult> {
        validate_bucket(bucket)?;
        let req = Request::new(Method::GET, Some(bucket), None).query("encryption", "");
        let (meta, body) = self.send_collect(req).await?;
        Ok(GetBucketEncryptionResult {
            rule: ServerSideEncryptionRule::from_xml(&body)?,
            meta,
        })
    }

    /// DeleteBucketEncryption.
    pub async fn delete_bucket_encryption(&self, bucket: &str) -> Result<EmptyResult> {
        validate_bucket(bucket)?;
        let req = Request::new(Method::DELETE, Some(bucket), None).query("encryption", "");
        let (meta, _) = self.send_collect(req).await?;
        Ok(EmptyResult { meta })
    }
}

/// OSS bucket names: 3-63 characters, lower-case letters, digits and '-', not starting
/// or ending with '-'. Checked locally so a typo gets a clear message.
pub(crate) fn validate_bucket(bucket: &str) -> Result<()> {
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !bucket.starts_with('-')
        && !bucket.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(crate::Error::invalid_argument(format!(
            "invalid bucket name {bucket:?}: 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
        )))
    }
}

/// Object keys: 1-1023 bytes of UTF-8, not starting with '/' or '\'.
pub(crate) fn validate_key(key: &str) -> Result<()> {
    if key
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        // HTTP URL parsing (WHATWG, as used by reqwest) removes `.`/`..` segments even
        // when percent-encoded, so such a key would reach OSS as a different key.
        return Err(crate::Error::invalid_argument(format!(
            "object key {key:?} has a '.' or '..' path segment, which URL normalisation would change"
        )));
    }
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(crate::Error::invalid_argument(format!(
            "invalid object key {key:?}: 1-1023 bytes, not starting with '/' or '\\'"
        )));
    }
    Ok(())
}
