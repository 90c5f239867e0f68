//! Core results → plain Python values, and Python arguments → core options.
//!
//! Results cross into Python as dicts of plain values ([`Fields`]); the oss2-shaped result
//! classes in `ossbridge/models.py` are built from them. Building the dict needs the GIL,
//! which pyo3-async-runtimes holds when it converts a finished future's output.

use std::sync::Arc;

use bytes::Bytes;
use ossbridge_core::model::{ObjectAttributes, ObjectInfo, Progress, ResponseMeta};
use ossbridge_core::sse::ServerSideEncryption;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::errors::IntoPyResult;

/// A plain value of a result field.
pub enum Value {
    None,
    Bool(bool),
    Int(u64),
    Str(String),
    Pairs(Vec<(String, String)>),
    List(Vec<Value>),
    Dict(Fields),
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::Int(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::Int(v.into())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_string())
    }
}
impl From<Fields> for Value {
    fn from(v: Fields) -> Value {
        Value::Dict(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::None, Into::into)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// An ordered set of named values; becomes a `dict`.
#[derive(Default)]
pub struct Fields(Vec<(&'static str, Value)>);

impl Fields {
    pub fn new() -> Fields {
        Fields(Vec::new())
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Fields {
        self.0.push((name, value.into()));
        self
    }

    /// The response metadata every result carries.
    pub fn meta(meta: &ResponseMeta) -> Fields {
        Fields::new()
            .with("status", u64::from(meta.status))
            .with("request_id", meta.request_id.as_str())
            .with("headers", Value::Pairs(meta.headers.clone()))
            .with("etag", meta.etag.clone())
            .with("crc", meta.crc64)
            .with("server_side_encryption", meta.sse.algorithm.clone())
            .with("server_side_encryption_key_id", meta.sse.key_id.clone())
            .with(
                "server_side_data_encryption",
                meta.sse.data_encryption.clone(),
            )
            .with("user_metadata", Value::Pairs(meta.user_metadata()))
            .with("request_url", meta.request_url.as_str())
    }

    /// Response metadata plus what OSS says about an object (Head/Get).
    pub fn object(meta: &ResponseMeta, info: &ObjectInfo) -> Fields {
        Fields::meta(meta)
            .with("content_length", info.content_length)
            .with("object_size", info.object_size)
            .with("content_type", info.content_type.clone())
            .with("last_modified", info.last_modified.clone())
            .with("object_type", info.object_type.clone())
            .with("storage_class", info.storage_class.clone())
            .with("next_append_position", info.next_append_position)
            .with("content_range", info.content_range.clone())
    }
}

fn to_object<'py>(py: Python<'py>, value: Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::None => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Str(s) => s.into_pyobject(py)?.into_any(),
        Value::Pairs(pairs) => PyList::new(py, pairs)?.into_any(),
        Value::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_object(py, item)?)?;
            }
            list.into_any()
        }
        Value::Dict(fields) => fields.into_pyobject(py)?.into_any(),
    })
}

impl<'py> IntoPyObject<'py> for Fields {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.0 {
            dict.set_item(name, to_object(py, value)?)?;
        }
        Ok(dict)
    }
}

/// oss2's `headers={...}` (any mapping or pair list) as a header list.
pub type RawHeaders = Vec<(String, String)>;

/// Splits raw request headers into the typed SSE option and the other attributes (core
/// decides which header is which).
pub fn object_options(
    headers: &RawHeaders,
) -> PyResult<(Option<ServerSideEncryption>, ObjectAttributes)> {
    ObjectAttributes::from_raw_headers(headers).py()
}

/// A Python `callback(consumed_bytes, total_bytes)` as a core progress callback. An
/// exception in the callback is reported as unraisable and does not stop the transfer.
pub fn progress(callback: Option<Py<PyAny>>) -> Option<Progress> {
    let callback = Arc::new(callback?);
    Some(Progress::new(move |done, total| {
        Python::attach(|py| {
            if let Err(err) = callback.call1(py, (done, total)) {
                err.write_unraisable(py, None);
            }
        })
    }))
}

/// Bytes that become a Python `bytes` (one copy, when the GIL is held anyway).
pub struct BytesOut(pub Bytes);

impl<'py> IntoPyObject<'py> for BytesOut {
    type Target = PyBytes;
    type Output = Bound<'py, PyBytes>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.0))
    }
}
