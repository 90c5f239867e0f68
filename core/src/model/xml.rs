//! A small element tree for reading OSS's XML responses and writing request bodies.
//!
//! OSS bodies are shallow and small; a tree keeps each parser a few readable lines and
//! tolerant of element order, namespaces and unknown elements.

use crate::error::{xml_escape, Error, ErrorKind, Result};

/// One XML element: its local name, its text and its child elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// Parses a document and returns its root element; `expected_root` guards against
    /// answering one call with another call's body.
    pub fn parse(xml: &[u8], expected_root: &str) -> Result<Element> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut stack: Vec<Element> = Vec::new();
        let bad = |what: String| {
            Error::new(
                ErrorKind::Protocol,
                format!("malformed XML response: {what}"),
            )
        };
        loop {
            match reader
                .read_event_into(&mut buf)
                .map_err(|e| bad(e.to_string()))?
            {
                Event::Start(e) => stack.push(Element {
                    name: local_name(e.name().as_ref()),
                    ..Default::default()
                }),
                Event::Empty(e) => {
                    let el = Element {
                        name: local_name(e.name().as_ref()),
                        ..Default::default()
                    };
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => return check_root(el, expected_root),
                    }
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text
                            .push_str(&t.unescape().map_err(|e| bad(e.to_string()))?);
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&String::from_utf8_lossy(&t));
                    }
                }
                Event::End(_) => {
                    let el = stack
                        .pop()
                        .ok_or_else(|| bad("unbalanced end tag".into()))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(el),
                        None => return check_root(el, expected_root),
                    }
                }
                Event::Eof => return Err(bad(format!("no <{expected_root}> element"))),
                _ => {}
            }
            buf.clear();
        }
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of a child, `None` when absent or empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// The text of a child, or "" when absent.
    pub fn string(&self, name: &str) -> String {
        self.text_of(name).unwrap_or_default()
    }

    /// A numeric child; absent gives `None`, unparsable gives a protocol error.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        match self.text_of(name) {
            None => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|_| {
                Error::new(
                    ErrorKind::Protocol,
                    format!("<{name}> in <{}> is not a number: {t:?}", self.name),
                )
            }),
        }
    }

    /// `true`/`false` child (absent = false).
    pub fn flag(&self, name: &str) -> bool {
        self.text_of(name)
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }
}

fn local_name(raw: &[u8]) -> String {
    let name = String::from_utf8_lossy(raw);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

fn check_root(el: Element, expected: &str) -> Result<Element> {
    if el.name == expected {
        Ok(el)
    } else {
        Err(Error::new(
            ErrorKind::Protocol,
            format!("expected an XML <{expected}> document, got <{}>", el.name),
        ))
    }
}

/// Builds request bodies: `XmlWriter::new("Delete").leaf("Quiet", "true").finish()`.
pub struct XmlWriter {
    out: String,
    open: Vec<String>,
}

impl XmlWriter {
    pub fn new(root: &str) -> XmlWriter {
        let mut w = XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        };
        w.open(root);
        w
    }

    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push_str(&format!("<{name}>"));
        self.open.push(name.to_string());
        self
    }

    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.open.pop() {
            self.out.push_str(&format!("</{name}>"));
        }
        self
    }

    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.out
            .push_str(&format!("<{name}>{}</{name}>", xml_escape(text)));
        self
    }

    pub fn finish(&mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        std::mem::take(&mut self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_elements_with_namespaces() {
        let xml =
            br#"<?xml version="1.0"?><R xmlns="x"><A>1</A><B><C>two &amp; three</C></B><D/></R>"#;
        let root = Element::parse(xml, "R").unwrap();
        assert_eq!(root.number::<u32>("A").unwrap(), Some(1));
        assert_eq!(root.child("B").unwrap().string("C"), "two & three");
        assert_eq!(root.text_of("D"), None);
        assert!(Element::parse(xml, "Other")
            .unwrap_err()
            .message()
            .contains("<R>"));
    }

    #[test]
    fn writer_escapes_text() {
        let mut w = XmlWriter::new("Delete");
        w.open("Object").leaf("Key", "a<b").close();
        assert_eq!(w.finish(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete><Object><Key>a&lt;b</Key></Object></Delete>");
    }
}
