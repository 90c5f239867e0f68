//! `ossbridge._ossbridge`: the native half of the `ossbridge` Python package.
//!
//! Thin by design: it converts types, maps errors and bridges the tokio runtime to Python
//! (blocking calls and asyncio). Everything that speaks OSS lives in `ossbridge-core`; the
//! oss2-shaped API (argument handling, result classes, exceptions) is the Python package.

use pyo3::prelude::*;

mod auth;
mod body;
mod client;
mod convert;
mod crypto;
mod errors;
mod reader;
mod runtime;

#[pymodule]
fn _ossbridge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(runtime::_shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(_runtime_pid, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_raise_core_error, m)?)?;
    m.add_class::<auth::PyCredentials>()?;
    m.add_class::<auth::PyStaticCredentialsProvider>()?;
    m.add_class::<auth::PyEnvironmentVariableCredentialsProvider>()?;
    m.add_class::<auth::PyAuthBase>()?;
    m.add_class::<auth::PyAuth>()?;
    m.add_class::<auth::PyAuthV4>()?;
    m.add_class::<auth::PyStsAuth>()?;
    m.add_class::<auth::PyProviderAuth>()?;
    m.add_class::<auth::PyProviderAuthV4>()?;
    m.add_class::<body::FileSource>()?;
    m.add_class::<body::StreamSource>()?;
    m.add_class::<reader::ObjectReader>()?;
    m.add_class::<client::NativeService>()?;
    m.add_class::<client::NativeBucket>()?;
    m.add_class::<crypto::RsaKey>()?;
    m.add_class::<crypto::KmsKey>()?;
    m.add_class::<crypto::EncryptedUpload>()?;
    m.add_class::<crypto::NativeCryptoBucket>()?;
    // Worker threads must be gone before the interpreter finalizes (see runtime.rs).
    m.py()
        .import("atexit")?
        .call_method1("register", (m.getattr("_shutdown")?,))?;
    Ok(())
}

/// The PID of the process that built the module's tokio runtime, or None before first use.
#[pyfunction]
fn _runtime_pid() -> Option<u32> {
    runtime::runtime_pid()
}
