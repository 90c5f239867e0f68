//! ListObjects (V1, marker-based: oss2's `list_objects`, ali-oss's `list`, the C++ SDK's
//! `ListObjects`) and ListObjectsV2.

use super::xml::Element;
use super::ResponseMeta;
use crate::error::Result;

/// The query parameters that have a value, in order.
fn present_parameters<const N: usize>(
    parameters: [(&str, Option<String>); N],
) -> Vec<(String, String)> {
    parameters
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value?)))
        .collect()
}

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
        present_parameters([
            ("list-type", Some("2".to_string())),
            ("prefix", self.prefix.clone()),
            ("delimiter", self.delimiter.clone()),
            ("start-after", self.start_after.clone()),
            ("continuation-token", self.continuation_token.clone()),
            ("max-keys", self.max_keys.map(|m| m.to_string())),
            ("fetch-owner", self.fetch_owner.then(|| "true".to_string())),
        ])
    }

    /// The options of the page after `page`, listed with these; `None` after the last (or
    /// when the server repeats its token, which would list the same page forever).
    pub fn for_page_after(&self, page: &ListObjectsV2Page) -> Option<Self> {
        let token = page.next_continuation_token.as_ref()?;
        (page.is_truncated && Some(token) != self.continuation_token.as_ref()).then(|| Self {
            continuation_token: Some(token.clone()),
            ..self.clone()
        })
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
    /// Sent by ListObjects (V1) always, by ListObjectsV2 only with `fetch_owner`.
    pub owner: Option<Owner>,
}

/// The owner of a listed object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub display_name: String,
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
        let (objects, common_prefixes) = entries(&root)?;
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

/// Options of ListObjects (V1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsOptions {
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    /// List keys after this one; the previous page's `next_marker` to continue.
    pub marker: Option<String>,
    /// Page size (OSS: 1-1000, default 100).
    pub max_keys: Option<u32>,
}

impl ListObjectsOptions {
    pub(crate) fn query(&self) -> Vec<(String, String)> {
        present_parameters([
            ("prefix", self.prefix.clone()),
            ("delimiter", self.delimiter.clone()),
            ("marker", self.marker.clone()),
            ("max-keys", self.max_keys.map(|m| m.to_string())),
        ])
    }

    /// The options of the page after `page`, listed with these; `None` after the last (or
    /// when the marker does not move, which would list the same page forever).
    pub fn for_page_after(&self, page: &ListObjectsPage) -> Option<Self> {
        let marker = page.next_marker.as_ref()?;
        (page.is_truncated && Some(marker) != self.marker.as_ref()).then(|| Self {
            marker: Some(marker.clone()),
            ..self.clone()
        })
    }
}

/// One page of ListObjects (V1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListObjectsPage {
    pub objects: Vec<ObjectSummary>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// Where the next page starts (pass as `marker`); `None` on the last page.
    pub next_marker: Option<String>,
    pub meta: ResponseMeta,
}

impl ListObjectsPage {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "ListBucketResult")?;
        let (objects, common_prefixes) = entries(&root)?;
        let is_truncated = root.flag("IsTruncated");
        Ok(ListObjectsPage {
            // OSS sends NextMarker on every truncated page; an S3-style server sends it only
            // with a delimiter, and the last entry is then the marker to continue from.
            next_marker: if is_truncated {
                root.text_of("NextMarker")
                    .filter(|m| !m.is_empty())
                    .or_else(|| last_entry(&objects, &common_prefixes))
            } else {
                None
            },
            objects,
            common_prefixes,
            is_truncated,
            meta,
        })
    }
}

/// The greater of the last key and the last common prefix (each list is sorted).
fn last_entry(objects: &[ObjectSummary], common_prefixes: &[String]) -> Option<String> {
    let key = objects.last().map(|o| o.key.clone());
    let prefix = common_prefixes.last().cloned();
    key.max(prefix)
}

/// The `Contents` and `CommonPrefixes` of either listing version.
fn entries(root: &Element) -> Result<(Vec<ObjectSummary>, Vec<String>)> {
    let mut objects = Vec::new();
    for c in root.children_named("Contents") {
        objects.push(ObjectSummary {
            key: c.string("Key"),
            size: c.number("Size")?.unwrap_or(0),
            etag: c.string("ETag"),
            last_modified: c.string("LastModified"),
            storage_class: c.string("StorageClass"),
            object_type: c.string("Type"),
            owner: c.child("Owner").map(|o| Owner {
                id: o.string("ID"),
                display_name: o.string("DisplayName"),
            }),
        });
    }
    let common_prefixes = root
        .children_named("CommonPrefixes")
        .map(|p| p.string("Prefix"))
        .collect();
    Ok((objects, common_prefixes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(xml: &str) -> ListObjectsPage {
        ListObjectsPage::from_xml(xml.as_bytes(), ResponseMeta::default()).unwrap()
    }

    #[test]
    fn next_marker_from_oss_or_from_the_last_entry() {
        let oss = "<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>k2</NextMarker>\
                   <Contents><Key>k1</Key><Size>5</Size></Contents></ListBucketResult>";
        assert_eq!(page(oss).next_marker.as_deref(), Some("k2"));
        // S3-style servers omit NextMarker without a delimiter: continue after the last entry.
        let s3 = "<ListBucketResult><IsTruncated>true</IsTruncated>\
                  <Contents><Key>a</Key></Contents><Contents><Key>c</Key></Contents>\
                  <CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>";
        assert_eq!(page(s3).next_marker.as_deref(), Some("c"));
        let done = "<ListBucketResult><IsTruncated>false</IsTruncated><NextMarker>x</NextMarker>\
                    </ListBucketResult>";
        assert_eq!(page(done).next_marker, None);
    }

    #[test]
    fn the_next_page_needs_a_moving_marker_or_token() {
        let truncated = |marker: &str| ListObjectsPage {
            is_truncated: true,
            next_marker: Some(marker.into()),
            ..Default::default()
        };
        let first = ListObjectsOptions {
            prefix: Some("p/".into()),
            ..Default::default()
        };
        let second = first.for_page_after(&truncated("p/3")).unwrap();
        assert_eq!(second.marker.as_deref(), Some("p/3"));
        assert_eq!(second.prefix.as_deref(), Some("p/"));
        assert_eq!(
            second.for_page_after(&truncated("p/3")),
            None,
            "marker did not move"
        );
        assert_eq!(first.for_page_after(&ListObjectsPage::default()), None);
        let v2 = ListObjectsV2Options::default();
        let page = ListObjectsV2Page {
            is_truncated: true,
            next_continuation_token: Some("t1".into()),
            ..Default::default()
        };
        let next = v2.for_page_after(&page).unwrap();
        assert_eq!(next.continuation_token.as_deref(), Some("t1"));
        assert_eq!(next.for_page_after(&page), None, "token did not move");
    }
}
