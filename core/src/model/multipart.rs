//! Multipart upload: Initiate (the only place for SSE), UploadPart, Complete, Abort, ListParts.

use super::object::ObjectAttributes;
use super::xml::{Element, XmlWriter};
use super::ResponseMeta;
use crate::error::{Error, ErrorKind, Result};
use crate::sse::ServerSideEncryption;

/// Options of InitiateMultipartUpload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InitiateMultipartUploadOptions {
    /// Encryption of the final object. UploadPart and Complete have no SSE option because
    /// OSS rejects SSE headers there.
    pub sse: Option<ServerSideEncryption>,
    pub attributes: ObjectAttributes,
}

/// Result of InitiateMultipartUpload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InitiateMultipartUploadResult {
    pub bucket: String,
    pub key: String,
    pub upload_id: String,
    pub meta: ResponseMeta,
}

impl InitiateMultipartUploadResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "InitiateMultipartUploadResult")?;
        let upload_id = root.text_of("UploadId").ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                "InitiateMultipartUpload response has no UploadId",
            )
        })?;
        Ok(InitiateMultipartUploadResult {
            bucket: root.string("Bucket"),
            key: root.string("Key"),
            upload_id,
            meta,
        })
    }
}

/// Result of UploadPart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadPartResult {
    pub part_number: u32,
    pub etag: String,
    /// Size of the part.
    pub size: u64,
    /// CRC-64 of the part (verified against the data sent when CRC checks are on).
    pub crc64: Option<u64>,
    pub meta: ResponseMeta,
}

impl UploadPartResult {
    pub fn completed(&self) -> CompletedPart {
        CompletedPart {
            part_number: self.part_number,
            etag: self.etag.clone(),
        }
    }
}

/// Result of UploadPartCopy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadPartCopyResult {
    pub part_number: u32,
    pub etag: String,
    pub last_modified: String,
    pub meta: ResponseMeta,
}

impl UploadPartCopyResult {
    pub fn from_xml(part_number: u32, body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "CopyPartResult")?;
        Ok(UploadPartCopyResult {
            part_number,
            etag: root.string("ETag"),
            last_modified: root.string("LastModified"),
            meta,
        })
    }

    pub fn completed(&self) -> CompletedPart {
        CompletedPart {
            part_number: self.part_number,
            etag: self.etag.clone(),
        }
    }
}

/// A part to list in CompleteMultipartUpload.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompletedPart {
    pub part_number: u32,
    pub etag: String,
}

/// Options of CompleteMultipartUpload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompleteMultipartUploadOptions {
    /// The CRC-64 the whole object must have (e.g. combined from the parts' CRCs). When
    /// set and CRC checks are on, the CRC OSS returns is checked against it.
    pub expected_crc64: Option<u64>,
}

pub(crate) fn complete_body(parts: &[CompletedPart]) -> String {
    let mut w = XmlWriter::new("CompleteMultipartUpload");
    for p in parts {
        w.open("Part")
            .leaf("PartNumber", &p.part_number.to_string())
            .leaf("ETag", &p.etag)
            .close();
    }
    w.finish()
}

/// Result of CompleteMultipartUpload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompleteMultipartUploadResult {
    pub bucket: String,
    pub key: String,
    pub etag: String,
    pub location: String,
    pub meta: ResponseMeta,
}

impl CompleteMultipartUploadResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "CompleteMultipartUploadResult")?;
        Ok(CompleteMultipartUploadResult {
            bucket: root.string("Bucket"),
            key: root.string("Key"),
            etag: root.string("ETag"),
            location: root.string("Location"),
            meta,
        })
    }
}

/// Options of ListParts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPartsOptions {
    pub max_parts: Option<u32>,
    pub part_number_marker: Option<u32>,
}

/// One uploaded part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartInfo {
    pub part_number: u32,
    pub etag: String,
    pub size: u64,
    pub last_modified: String,
    pub crc64: Option<u64>,
}

/// Result of ListParts (one page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPartsResult {
    pub upload_id: String,
    pub parts: Vec<PartInfo>,
    pub is_truncated: bool,
    pub next_part_number_marker: Option<u32>,
    pub meta: ResponseMeta,
}

impl ListPartsResult {
    pub fn from_xml(body: &[u8], meta: ResponseMeta) -> Result<Self> {
        let root = Element::parse(body, "ListPartsResult")?;
        let mut parts = Vec::new();
        for p in root.children_named("Part") {
            parts.push(PartInfo {
                part_number: p.number("PartNumber")?.unwrap_or(0),
                etag: p.string("ETag"),
                size: p.number("Size")?.unwrap_or(0),
                last_modified: p.string("LastModified"),
                crc64: p.number("HashCrc64ecma")?,
            });
        }
        Ok(ListPartsResult {
            upload_id: root.string("UploadId"),
            parts,
            is_truncated: root.flag("IsTruncated"),
            next_part_number_marker: root.number("NextPartNumberMarker")?,
            meta,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_body_lists_parts_in_order() {
        let body = complete_body(&[
            CompletedPart {
                part_number: 1,
                etag: "\"A\"".into(),
            },
            CompletedPart {
                part_number: 2,
                etag: "\"B\"".into(),
            },
        ]);
        assert!(body.contains("<Part><PartNumber>1</PartNumber><ETag>&quot;A&quot;</ETag></Part><Part><PartNumber>2</PartNumber>"));
    }

    #[test]
    fn list_parts_reads_crc_and_marker() {
        let xml = b"<ListPartsResult><UploadId>u</UploadId><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker><Part><PartNumber>2</PartNumber><ETag>\"E\"</ETag><Size>5</Size><HashCrc64ecma>123</HashCrc64ecma></Part></ListPartsResult>";
        let r = ListPartsResult::from_xml(xml, ResponseMeta::default()).unwrap();
        assert_eq!(
            (
                r.is_truncated,
                r.next_part_number_marker,
                r.parts[0].crc64,
                r.parts[0].size
            ),
            (true, Some(2), Some(123), 5)
        );
    }
}
