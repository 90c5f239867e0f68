//! Core errors → the oss2-style exceptions of `ossbridge.exceptions`.
//!
//! The exception classes are plain Python (so users can subclass and construct them as in
//! oss2); this module only hands the core error's fields to the factory functions there.

use ossbridge_core::model::{ObjectInfo, ResponseMeta};
use ossbridge_core::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Converts a core error into the matching `ossbridge.exceptions` exception.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|failure| failure))
}

/// `Result` adapter: `core_call().map_err(to_py_err)` reads better as `.py()?`.
pub trait IntoPyResult<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let module = py.import("ossbridge.exceptions")?;
    let exception = match err.service_error() {
        Some(service) => {
            let headers = PyList::empty(py);
            for (name, value) in &service.headers {
                headers.append((name.as_str(), value.as_str()))?;
            }
            let details = PyDict::new(py);
            for (name, value) in &service.details {
                details.set_item(name, value)?;
            }
            // Code/Message/RequestId/EC may come from headers rather than the body (HEAD).
            for (name, value) in [
                ("Code", &service.code),
                ("Message", &service.message),
                ("RequestId", &service.request_id),
                ("EC", &service.ec),
            ] {
                if !value.is_empty() && !details.contains(name)? {
                    details.set_item(name, value)?;
                }
            }
            // Where an append must continue (PositionNotEqualToLength), as the core reads it.
            let meta = ResponseMeta::from_service_error(service);
            let next_append_position = ObjectInfo::from_meta(&meta).next_append_position;
            module.call_method1(
                "_server_error",
                (
                    service.status,
                    headers,
                    service.to_xml().into_bytes(),
                    details,
                    &service.request_id,
                    &service.ec,
                    next_append_position,
                ),
            )?
        }
        None => module.call_method1(
            "_client_side_error",
            (kind_name(err.kind()), err.to_string()),
        )?,
    };
    Ok(PyErr::from_value(exception))
}

/// The stable name of a kind; a kind added to the core after this binding was written
/// surfaces as "Unknown" (mapped to the generic `OssError`), never as a panic.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    if ErrorKind::ALL.contains(&kind) {
        kind.as_str()
    } else {
        "Unknown"
    }
}

/// Every core error kind, and the exception each one raises (for the completeness test).
#[pyfunction]
pub fn _error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// Raises the exception a core error of `kind` (with `message`) maps to; for the tests.
#[pyfunction]
pub fn _raise_core_error(kind: &str, message: &str) -> PyResult<()> {
    let kind = ErrorKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or_else(|| PyRuntimeError::new_err(format!("unknown error kind {kind:?}")))?;
    Err(to_py_err(Error::new(kind, message)))
}
