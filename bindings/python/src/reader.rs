//! The body of a GetObject as a Python stream: `read(n)`, `read()`, iteration (sync and
//! async). The core checks the CRC-64 when the last chunk has been read; a mismatch
//! surfaces from that read as `InconsistentError`.

use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures::StreamExt;
use ossbridge_core::client::ObjectStream;
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tokio::sync::Mutex;

use crate::convert::BytesOut;
use crate::errors::to_py_err;
use crate::runtime;

struct State {
    /// None once closed or fully read.
    stream: Option<ObjectStream>,
    /// Bytes received but not yet handed out.
    pending: Bytes,
    /// Bytes handed out so far.
    consumed: u64,
}

impl State {
    /// The next non-empty chunk, or None at the end. Errors (including CRC) are mapped.
    async fn next_chunk(&mut self) -> PyResult<Option<Bytes>> {
        if !self.pending.is_empty() {
            return Ok(Some(std::mem::take(&mut self.pending)));
        }
        loop {
            let Some(stream) = self.stream.as_mut() else {
                return Ok(None);
            };
            match stream.next().await {
                Some(Ok(chunk)) if chunk.is_empty() => continue,
                Some(Ok(chunk)) => return Ok(Some(chunk)),
                Some(Err(err)) => {
                    self.stream = None;
                    return Err(to_py_err(err));
                }
                None => {
                    self.stream = None;
                    return Ok(None);
                }
            }
        }
    }

    /// Up to `amt` bytes (fewer only at the end).
    async fn read_up_to(&mut self, amt: usize) -> PyResult<Vec<u8>> {
        let mut out = Vec::with_capacity(amt.min(8 << 20));
        while out.len() < amt {
            let Some(mut chunk) = self.next_chunk().await? else {
                break;
            };
            let take = (amt - out.len()).min(chunk.len());
            out.extend_from_slice(&chunk[..take]);
            chunk.advance(take);
            self.pending = chunk;
        }
        self.consumed += out.len() as u64;
        Ok(out)
    }

    /// Fills `buf` exactly; errors if the body ends early or is longer.
    async fn fill(&mut self, buf: &mut [u8]) -> PyResult<()> {
        let mut filled = 0;
        while filled < buf.len() {
            let Some(mut chunk) = self.next_chunk().await? else {
                return Err(PyValueError::new_err(format!(
                    "the object body ended after {filled} of {} bytes",
                    buf.len()
                )));
            };
            let take = (buf.len() - filled).min(chunk.len());
            buf[filled..filled + take].copy_from_slice(&chunk[..take]);
            chunk.advance(take);
            self.pending = chunk;
            filled += take;
        }
        self.consumed += filled as u64;
        // Drive the stream to its end so the CRC-64 check runs now.
        if let Some(extra) = self.next_chunk().await? {
            return Err(PyValueError::new_err(format!(
                "the object body is longer than its Content-Length ({} more bytes)",
                extra.len()
            )));
        }
        Ok(())
    }
}

/// A GetObject body being received.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct ObjectReader {
    state: Arc<Mutex<State>>,
    content_length: u64,
}

impl ObjectReader {
    pub fn new(stream: ObjectStream) -> ObjectReader {
        let content_length = stream.info.content_length;
        ObjectReader {
            state: Arc::new(Mutex::new(State {
                stream: Some(stream),
                pending: Bytes::new(),
                consumed: 0,
            })),
            content_length,
        }
    }
}

#[pymethods]
impl ObjectReader {
    /// Reads `amt` bytes, or everything left when `amt` is None or negative. Returns b""
    /// at the end. Runs without the GIL.
    #[pyo3(signature = (amt = None))]
    fn read<'py>(&self, py: Python<'py>, amt: Option<i64>) -> PyResult<Bound<'py, PyBytes>> {
        let state = self.state.clone();
        match amt {
            Some(n) if n >= 0 => {
                let data = runtime::block_on(py, async move {
                    state.lock().await.read_up_to(n as usize).await
                })?;
                Ok(PyBytes::new(py, &data))
            }
            _ => {
                // Everything left, written straight into the result `bytes` (no second copy).
                let consumed = runtime::block_on(py, async { state.lock().await.consumed });
                let remaining = self.content_length.saturating_sub(consumed) as usize;
                let handle = runtime::handle();
                PyBytes::new_with(py, remaining, |buf| {
                    py.detach(|| handle.block_on(async { state.lock().await.fill(buf).await }))
                })
            }
        }
    }

    /// The async form of `read`: an awaitable of bytes.
    #[pyo3(signature = (amt = None))]
    fn read_async<'py>(&self, py: Python<'py>, amt: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let state = self.state.clone();
        let limit = amt
            .filter(|n| *n >= 0)
            .map(|n| n as usize)
            .unwrap_or(usize::MAX);
        runtime::into_awaitable(py, async move {
            let data = state.lock().await.read_up_to(limit).await?;
            Ok(BytesOut(Bytes::from(data)))
        })
    }

    /// The next chunk as received, for iteration.
    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let state = self.state.clone();
        let chunk = runtime::block_on(py, async move {
            let mut state = state.lock().await;
            let chunk = state.next_chunk().await?;
            if let Some(c) = &chunk {
                state.consumed += c.len() as u64;
            }
            Ok::<_, PyErr>(chunk)
        })?;
        match chunk {
            Some(chunk) => Ok(PyBytes::new(py, &chunk)),
            None => Err(PyStopIteration::new_err(())),
        }
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// An awaitable of the next chunk; raises StopAsyncIteration at the end.
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let state = self.state.clone();
        runtime::into_awaitable(py, async move {
            let mut state = state.lock().await;
            match state.next_chunk().await? {
                Some(chunk) => {
                    state.consumed += chunk.len() as u64;
                    Ok(BytesOut(chunk))
                }
                None => Err(PyStopAsyncIteration::new_err(())),
            }
        })
    }

    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Drops the connection; later reads return b"".
    fn close(&self, py: Python<'_>) {
        let state = self.state.clone();
        runtime::block_on(py, async move {
            let mut state = state.lock().await;
            state.stream = None;
            state.pending = Bytes::new();
        });
    }

    /// Bytes handed out so far.
    #[getter]
    fn consumed(&self, py: Python<'_>) -> u64 {
        let state = self.state.clone();
        runtime::block_on(py, async move { state.lock().await.consumed })
    }
}
