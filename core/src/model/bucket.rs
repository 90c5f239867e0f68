//! Bucket calls: ListBuckets, PutBucket, GetBucketInfo and the `?encryption` rule.

use super::xml::{Element, XmlWriter};
use super::{Acl, ResponseMeta};
use crate::error::{Error, ErrorKind, Result};
use crate::sse::{DataEncryption, ServerSideEncryption};

/// A bucket's default encryption (`<ServerSideEncryptionRule>`): AES256, SM4, or KMS with
/// an optional CMK id and an optional SM4 data cipher.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerSideEncryptionRule(pub ServerSideEncryption);

impl ServerSideEncryptionRule {
    /// The rule from its three XML fields (`SSEAlgorithm`, `KMSMasterKeyID`,
    /// `KMSDataEncryption`), validated like [`ServerSideEncryption::from_parts`].
    pub fn from_parts(
        sse_algorithm: &str,
        kms_master_key_id: Option<&str>,
        kms_data_encryption: Option<&str>,
    ) -> Result<Self> {
        ServerSideEncryption::from_parts(sse_algorithm, kms_master_key_id, kms_data_encryption)
            .map(Self)
    }

    pub fn sse_algorithm(&self) -> &'static str {
        self.0.algorithm()
    }

    pub fn kms_master_key_id(&self) -> Option<&str> {
        self.0.key_id()
    }

    pub fn kms_data_encryption(&self) -> Option<&'static str> {
        self.0.data_encryption().map(DataEncryption::as_str)
    }

    /// The PutBucketEncryption body.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::new("ServerSideEncryptionRule");
        w.open("ApplyServerSideEncryptionByDefault")
            .leaf("SSEAlgorithm", self.sse_algorithm());
        if let Some(id) = self.kms_master_key_id() {
            w.leaf("KMSMasterKeyID", id);
        }
        if let Some(d) = self.kms_data_encryption() {
            w.leaf("KMSDataEncryption", d);
        }
        w.finish()
    }

    /// Parses a GetBucketEncryption body. OSS drops a data cipher on non-KMS rules, so one
    /// found there is ignored rather than rejected.
    pub fn from_xml(body: &[u8]) -> Result<Self> {
        let root = Element::parse(body, "ServerSideEncryptionRule")?;
        let apply = root
            .child("ApplyServerSideEncryptionByDefault")
            .unwrap_or(&root);
        Self::from_element(apply)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "GetBucketEncryption response has no SSEAlgorithm",
            )
        })
    }

    /// Reads `SSEAlgorithm` & co. from an element; `None` for a missing or `None` algorithm.
    pub(crate) fn from_element(el: &Element) -> Result<Option<Self>> {
        let algorithm = match el.text_of("SSEAlgorithm") {
            None => return Ok(None),
            Some(a) if a == "None" => return Ok(None),
            Some(a) => a,
        };
        let is_kms = algorithm.eq_ignore_ascii_case("KMS");
        let key = el.text_of("KMSMasterKeyID").filter(|_| is_kms);
        let data = el.text_of("KMSDataEncryption").filter(|_| is_kms);
        Self::from_parts(&algorithm, key.as_deref(), data.as_deref())
            .map(Some)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Protocol,
                    format!(
                        "OSS returned an encryption rule this client cannot read: {}",
                        e.message()
                    ),
                )
            })
    }
}

/// Result of PutBucketEncryption / DeleteBucketEncryption / other calls with no body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmptyResult {
    pub meta: ResponseMeta,
}

/// Result of GetBucketEncryption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetBucketEncryptionResult {
    pub rule: ServerSideEncryptionRule,
    pub meta: ResponseMeta,
}

/// Options of PutBucket (CreateBucket).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutBucketOptions {
    /// `x-oss-acl`.
    pub acl: Option<Acl>,
    /// `<StorageClass>`: Standard, IA, Archive, ColdArchive...
    pub storage_class: Option<String>,
    /// Default encryption for new objects. OSS's guide says bucket creation cannot enable
    /// SSE while GoV1's tests show PutBucket honouring the headers (`sse-api.md` §1.5), so
    /// the client creates the bucket and then sets the rule with PutBucketEncryption.
    pub encryption: Option<ServerSideEncryptionRule>,
}

impl PutBucketOptions {
    pub(crate) fn body(&self) -> Option<String> {
        self.storage_class.as_ref().map(|class| {
            let mut w = XmlWriter::new("CreateBucketConfiguration");
            w.leaf("StorageClass", class);
            w.finish()
        })
    }
}

/// One bucket of ListBuckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BucketSummary {
    pub name: String,
    pub location: String,
    pub creation_date: String,
    pub extranet_endpoint: String,
    pub intranet_endpoint: String,
    pub region: String,
    pub storage_class: String,
}

/// Options of ListBuckets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListBucketsOptions {
    pub prefix: Option<String>,
    pub marker: Option<String>,
    pub max_keys: Option<u32>,
}

/// Result of ListBuckets (one page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListBucketsResult {
    pub buckets: Vec<BucketSummary>,
    pub owner_id: String,
    pub owner_display_name: String,
    pub is_truncated: bool,
    pub next_marker: Option<String>,
    pub meta: ResponseMeta,
}

impl ListBucketsResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "ListAllMyBucketsResult")?;
        let owner = root.child("Owner");
        let buckets = root
            .child("Buckets")
            .map(|b| {
                b.children_named("Bucket")
                    .map(|b| BucketSummary {
                        name: b.string("Name"),
                        location: b.string("Location"),
                        creation_date: b.string("CreationDate"),
                        extranet_endpoint: b.string("ExtranetEndpoint"),
                        intranet_endpoint: b.string("IntranetEndpoint"),
                        region: b.string("Region"),
                        storage_class: b.string("StorageClass"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(ListBucketsResult {
            buckets,
            owner_id: owner.map(|o| o.string("ID")).unwrap_or_default(),
            owner_display_name: owner.map(|o| o.string("DisplayName")).unwrap_or_default(),
            is_truncated: root.flag("IsTruncated"),
            next_marker: root.text_of("NextMarker"),
            meta,
        })
    }
}

/// Result of GetBucketInfo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BucketInfo {
    pub name: String,
    pub location: String,
    pub creation_date: String,
    pub storage_class: String,
    pub acl: String,
    pub owner_id: String,
    pub extranet_endpoint: String,
    pub intranet_endpoint: String,
    /// The bucket's default encryption; `None` when OSS reports `SSEAlgorithm` `None`.
    pub encryption: Option<ServerSideEncryptionRule>,
    pub meta: ResponseMeta,
}

impl BucketInfo {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "BucketInfo")?;
        let b = root.child("Bucket").ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "GetBucketInfo response has no <Bucket>",
            )
        })?;
        let encryption = match b.child("ServerSideEncryptionRule") {
            Some(rule) => ServerSideEncryptionRule::from_element(rule)?,
            None => None,
        };
        Ok(BucketInfo {
            name: b.string("Name"),
            location: b.string("Location"),
            creation_date: b.string("CreationDate"),
            storage_class: b.string("StorageClass"),
            acl: b
                .child("AccessControlList")
                .map(|a| a.string("Grant"))
                .unwrap_or_default(),
            owner_id: b.child("Owner").map(|o| o.string("ID")).unwrap_or_default(),
            extranet_endpoint: b.string("ExtranetEndpoint"),
            intranet_endpoint: b.string("IntranetEndpoint"),
            encryption,
            meta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_round_trips_through_xml() {
        for rule in [
            ServerSideEncryptionRule(ServerSideEncryption::Aes256),
            ServerSideEncryptionRule(ServerSideEncryption::Sm4),
            ServerSideEncryptionRule(ServerSideEncryption::kms()),
            ServerSideEncryptionRule(ServerSideEncryption::Kms {
                key_id: Some("cmk-1".into()),
                data_encryption: Some(DataEncryption::Sm4),
            }),
        ] {
            assert_eq!(
                ServerSideEncryptionRule::from_xml(rule.to_xml().as_bytes()).unwrap(),
                rule
            );
        }
    }

    #[test]
    fn rule_parsing_accepts_the_variants_sdks_send() {
        // Java always sends an empty key id; OSS drops a data cipher on non-KMS rules.
        let xml = b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>\n<SSEAlgorithm>AES256</SSEAlgorithm>\n<KMSMasterKeyID></KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        assert_eq!(
            ServerSideEncryptionRule::from_xml(xml).unwrap().0,
            ServerSideEncryption::Aes256
        );
    }

    #[test]
    fn bucket_info_reads_the_flattened_rule() {
        let xml = b"<BucketInfo><Bucket><Name>b</Name><ServerSideEncryptionRule><SSEAlgorithm>None</SSEAlgorithm></ServerSideEncryptionRule></Bucket></BucketInfo>";
        let info = BucketInfo::from_xml(xml, ResponseMeta::default()).unwrap();
        assert_eq!((info.name.as_str(), info.encryption), ("b", None));
        let xml = b"<BucketInfo><Bucket><ServerSideEncryptionRule><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ServerSideEncryptionRule></Bucket></BucketInfo>";
        let info = BucketInfo::from_xml(xml, ResponseMeta::default()).unwrap();
        assert_eq!(info.encryption.unwrap().kms_data_encryption(), Some("SM4"));
    }
}
