//! Python data → core request bodies, without copying where Python allows it.
//!
//! * `bytes`: shared with the request as-is (immutable, so no copy and no GIL needed while
//!   it is sent).
//! * `bytearray` / `memoryview`: copied once (they may change while the request runs).
//! * [`FileSource`]: a byte range of a local file, read by the core without the GIL.
//! * [`StreamSource`]: any object with `read(n)`, pulled chunk by chunk on a blocking
//!   thread that takes the GIL only around each `read` call.

use std::io;

use bytes::Bytes;
use ossbridge_core::Body;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};

use crate::errors::IntoPyResult;
use crate::runtime;

/// How much one `read(n)` of a Python stream asks for.
const STREAM_CHUNK: usize = 1 << 20;

/// A byte range of a local file: `length` bytes from `offset` (None = to the end).
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct FileSource {
    path: String,
    offset: u64,
    length: Option<u64>,
}

#[pymethods]
impl FileSource {
    #[new]
    #[pyo3(signature = (path, offset = 0, length = None))]
    fn new(path: String, offset: u64, length: Option<u64>) -> Self {
        FileSource {
            path,
            offset,
            length,
        }
    }
}

/// A readable Python object (`read(n)` returning bytes; str is UTF-8 encoded), with its
/// length when known (the request is sent chunked otherwise).
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct StreamSource {
    reader: Py<PyAny>,
    length: Option<u64>,
}

#[pymethods]
impl StreamSource {
    #[new]
    #[pyo3(signature = (reader, length = None))]
    fn new(reader: Py<PyAny>, length: Option<u64>) -> Self {
        StreamSource { reader, length }
    }
}

/// Converts the `data` argument of put/append/upload_part into a core body.
pub fn body_from_py(data: &Bound<'_, PyAny>) -> PyResult<Body> {
    if let Ok(bytes) = data.cast::<PyBytes>() {
        let backed = PyBackedBytes::from(bytes.clone());
        return Ok(Body::from_bytes(Bytes::from_owner(backed)));
    }
    if let Ok(array) = data.cast::<PyByteArray>() {
        return Ok(Body::from_bytes(array.to_vec()));
    }
    if let Ok(view) = data.cast::<PyMemoryView>() {
        let copied: Bound<'_, PyBytes> = data
            .py()
            .get_type::<PyBytes>()
            .call1((view,))?
            .cast_into()?;
        return Ok(Body::from_bytes(copied.as_bytes().to_vec()));
    }
    if let Ok(file) = data.cast::<FileSource>() {
        let file = file.get();
        return Body::from_file_range(&file.path, file.offset, file.length).py();
    }
    if let Ok(stream) = data.cast::<StreamSource>() {
        let stream = stream.get();
        let reader = stream.reader.clone_ref(data.py());
        return Ok(Body::from_stream(
            python_reader_stream(reader),
            stream.length,
        ));
    }
    Err(PyTypeError::new_err(format!(
        "data must be bytes, bytearray, memoryview, FileSource or StreamSource, got {}",
        data.get_type().name()?
    )))
}

fn read_chunk(reader: &Py<PyAny>) -> PyResult<Bytes> {
    Python::attach(|py| {
        let chunk = reader.bind(py).call_method1("read", (STREAM_CHUNK,))?;
        if let Ok(text) = chunk.cast::<PyString>() {
            return Ok(Bytes::from(text.to_cow()?.into_owned().into_bytes()));
        }
        if chunk.is_none() {
            return Ok(Bytes::new());
        }
        if let Ok(bytes) = chunk.cast::<PyBytes>() {
            return Ok(Bytes::from_owner(PyBackedBytes::from(bytes.clone())));
        }
        Ok(Bytes::from(chunk.extract::<Vec<u8>>().map_err(|_| {
            PyTypeError::new_err(format!(
                "read() returned {}, expected bytes",
                chunk
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?))
    })
}

/// The chunks of a Python reader, each `read` run on a blocking thread.
fn python_reader_stream(
    reader: Py<PyAny>,
) -> impl futures::Stream<Item = io::Result<Bytes>> + Send + 'static {
    futures::stream::unfold(Some(reader), |state| async move {
        let reader = state?;
        let task = runtime::handle().spawn_blocking(move || {
            let chunk = read_chunk(&reader);
            (chunk, reader)
        });
        match task.await {
            Ok((Ok(chunk), _)) if chunk.is_empty() => None,
            Ok((Ok(chunk), reader)) => Some((Ok(chunk), Some(reader))),
            Ok((Err(err), _)) => Some((
                Err(io::Error::other(format!("reading the data failed: {err}"))),
                None,
            )),
            Err(join) => Some((
                Err(io::Error::other(format!("reading the data failed: {join}"))),
                None,
            )),
        }
    })
}
