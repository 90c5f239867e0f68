//! ListObjectsV2.

use super::xml::Element;
use super::ResponseMeta;
use crate::error::Result;

/// Options of ListObjectsV2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsV2Options {
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub start_after: Option<String>,
    /// Page size (OSS: 1-1000, default 100).
    pub max_keys: Option<u32>,
    /// Where to continue; the paginated stream sets it itself.
    pub continuation_token: Option<String>,
    pub fetch_owner: bool,
}

impl ListObjectsV2Options {
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        let mut q = vec![("list-type".to_string(), "2".to_string())];
        let mut push = |name: &str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((name.to_string(), v.clone()));
            }
        };
        push("prefix", &self.prefix);
        push("delimiter", &self.delimiter);
        push("start-after", &self.start_after);
        push("continuation-token", &self.continuation_token);
        push("max-keys", &self.max_keys.map(|m| m.to_string()));
        if self.fetch_owner {
            q.push(("fetch-owner".to_string(), "true".to_string()));
        }
        q
    }
}

/// One object of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectSummary {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub last_modified: String,
    pub storage_class: String,
    pub object_type: String,
}

/// One page of ListObjectsV2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsV2Page {
    pub objects: Vec<ObjectSummary>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    pub next_continuation_token: Option<String>,
    pub key_count: u64,
    pub meta: ResponseMeta,
}

impl ListObjectsV2Page {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "ListBucketResult")?;
        let mut objects = Vec::new();
        for c in root.children_named("Contents") {
            objects.push(ObjectSummary {
                key: c.string("Key"),
                size: c.number("Size")?.unwrap_or(0),
                etag: c.string("ETag"),
                last_modified: c.string("LastModified"),
                storage_class: c.string("StorageClass"),
                object_type: c.string("Type"),
            });
        }
        let common_prefixes = root
            .children_named("CommonPrefixes")
            .map(|p| p.string("Prefix"))
            .collect();
        Ok(ListObjectsV2Page {
            key_count: root.number("KeyCount")?.unwrap_or(objects.len() as u64),
            objects,
            common_prefixes,
            is_truncated: root.flag("IsTruncated"),
            next_continuation_token: root.text_of("NextContinuationToken"),
            meta,
        })
    }
}
