//! Minimal XML in and out: a tiny element tree for request bodies and a writer for responses.

use ossbridge_core::error::xml_escape;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{OssError, OssResult};

/// An element of a parsed request body.
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Parses a request body into its root element; anything unparsable is MalformedXML.
pub fn parse(body: &[u8]) -> OssResult<Element> {
    let text =
        std::str::from_utf8(body).map_err(|_| OssError::malformed_xml("body is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).to_string();
                stack.push(Element {
                    name,
                    ..Element::default()
                });
            }
            Ok(Event::Empty(start)) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).to_string();
                let el = Element {
                    name,
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(OssError::malformed_xml("more than one root element")),
                }
            }
            Ok(Event::End(_)) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| OssError::malformed_xml("unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err(OssError::malformed_xml("more than one root element")),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    let s = t
                        .unescape()
                        .map_err(|e| OssError::malformed_xml(e.to_string()))?;
                    top.text.push_str(&s);
                } else if !t.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(OssError::malformed_xml("text outside the root element"));
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(OssError::malformed_xml(e.to_string())),
        }
    }
    if !stack.is_empty() {
        return Err(OssError::malformed_xml("unclosed element"));
    }
    root.ok_or_else(|| OssError::malformed_xml("empty document"))
}

/// Builds a response document.
pub struct XmlWriter {
    out: String,
}

impl Default for XmlWriter {
    fn default() -> Self {
        XmlWriter::new()
    }
}

impl XmlWriter {
    pub fn new() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn elem(&mut self, name: &str, value: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&xml_escape(value));
        self.close(name)
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// ISO 8601 with milliseconds, as OSS writes LastModified: `2024-01-15T08:30:00.000Z`.
pub fn iso8601(secs: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// RFC 1123 date for headers.
pub fn http_date(secs: i64) -> String {
    httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs.max(0) as u64),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variants() {
        let el = parse(b"<ServerSideEncryptionRule>\n <ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID/></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>").unwrap();
        let d = el.child("ApplyServerSideEncryptionByDefault").unwrap();
        assert_eq!(d.child_text("SSEAlgorithm"), Some("KMS"));
        assert_eq!(d.child_text("KMSMasterKeyID"), Some(""));
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"not xml").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
