//! oss2's auth and credentials classes over the core's credentials providers.
//!
//! Secrets stay in the core's `SecretString` (zeroized on drop, `***` in Debug); `repr()` of
//! every class here shows the access key id only. Any Python object with oss2's
//! `get_credentials()` works as a provider: it is called (with the GIL) on a blocking thread.

use std::sync::Arc;

use ossbridge_core::credentials::{
    Credentials as CoreCredentials, CredentialsFuture, CredentialsProvider, EnvironmentProvider,
    StaticProvider,
};
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::{Error, ErrorKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::errors::IntoPyResult;
use crate::runtime;

/// oss2's `Credentials`: an access key pair with an optional STS token.
#[pyclass(name = "Credentials", module = "ossbridge.credentials", frozen)]
pub struct PyCredentials {
    pub inner: CoreCredentials,
}

#[pymethods]
impl PyCredentials {
    #[new]
    #[pyo3(signature = (access_key_id = "", access_key_secret = "", security_token = ""))]
    fn new(access_key_id: &str, access_key_secret: &str, security_token: &str) -> Self {
        PyCredentials {
            inner: CoreCredentials::new(access_key_id, access_key_secret)
                .with_security_token(security_token),
        }
    }

    fn get_access_key_id(&self) -> String {
        self.inner.access_key_id.clone()
    }

    fn get_access_key_secret(&self) -> String {
        self.inner.access_key_secret.expose().to_string()
    }

    fn get_security_token(&self) -> String {
        self.inner.token().unwrap_or_default().to_string()
    }

    fn __repr__(&self) -> String {
        redacted(
            "Credentials",
            &self.inner.access_key_id,
            self.inner.token().is_some(),
        )
    }
}

fn redacted(class: &str, access_key_id: &str, has_token: bool) -> String {
    let token = if has_token {
        ", security_token='***'"
    } else {
        ""
    };
    format!("{class}(access_key_id={access_key_id:?}, access_key_secret='***'{token})")
}

/// oss2's `StaticCredentialsProvider(access_key_id, access_key_secret, security_token='')`.
#[pyclass(
    name = "StaticCredentialsProvider",
    module = "ossbridge.credentials",
    frozen,
    subclass
)]
pub struct PyStaticCredentialsProvider {
    credentials: CoreCredentials,
}

#[pymethods]
impl PyStaticCredentialsProvider {
    #[new]
    #[pyo3(signature = (access_key_id = "", access_key_secret = "", security_token = ""))]
    fn new(access_key_id: &str, access_key_secret: &str, security_token: &str) -> Self {
        PyStaticCredentialsProvider {
            credentials: CoreCredentials::new(access_key_id, access_key_secret)
                .with_security_token(security_token),
        }
    }

    fn get_credentials(&self) -> PyCredentials {
        PyCredentials {
            inner: self.credentials.clone(),
        }
    }

    fn __repr__(&self) -> String {
        redacted(
            "StaticCredentialsProvider",
            &self.credentials.access_key_id,
            self.credentials.token().is_some(),
        )
    }
}

/// oss2's `EnvironmentVariableCredentialsProvider()`: `OSS_ACCESS_KEY_ID`,
/// `OSS_ACCESS_KEY_SECRET` and the optional `OSS_SESSION_TOKEN`, read on every request.
#[pyclass(
    name = "EnvironmentVariableCredentialsProvider",
    module = "ossbridge.credentials",
    frozen,
    subclass
)]
pub struct PyEnvironmentVariableCredentialsProvider;

#[pymethods]
impl PyEnvironmentVariableCredentialsProvider {
    #[new]
    fn new() -> Self {
        PyEnvironmentVariableCredentialsProvider
    }

    fn get_credentials(&self) -> PyResult<PyCredentials> {
        Ok(PyCredentials {
            inner: EnvironmentProvider::new().load().py()?,
        })
    }

    fn __repr__(&self) -> String {
        "EnvironmentVariableCredentialsProvider()".to_string()
    }
}

/// A Python object with `get_credentials()` (oss2's provider protocol) as a core provider.
struct PythonProvider {
    provider: Py<PyAny>,
}

impl PythonProvider {
    fn fetch(&self) -> Result<CoreCredentials, Error> {
        Python::attach(|py| -> PyResult<CoreCredentials> {
            let credentials = self.provider.bind(py).call_method0("get_credentials")?;
            if let Ok(native) = credentials.cast::<PyCredentials>() {
                return Ok(native.get().inner.clone());
            }
            let field = |name: &str| -> PyResult<String> {
                let value = credentials.call_method0(name)?;
                if value.is_none() {
                    Ok(String::new())
                } else {
                    value.extract()
                }
            };
            Ok(
                CoreCredentials::new(field("get_access_key_id")?, field("get_access_key_secret")?)
                    .with_security_token(field("get_security_token")?),
            )
        })
        .map_err(|e| {
            Error::new(
                ErrorKind::Credentials,
                format!("the credentials provider failed: {e}"),
            )
        })
    }
}

impl CredentialsProvider for PythonProvider {
    fn credentials(&self) -> CredentialsFuture<'_> {
        let provider = Python::attach(|py| self.provider.clone_ref(py));
        Box::pin(async move {
            let task =
                runtime::handle().spawn_blocking(move || PythonProvider { provider }.fetch());
            task.await.map_err(|e| {
                Error::new(
                    ErrorKind::Credentials,
                    format!("the credentials provider panicked: {e}"),
                )
            })?
        })
    }
}

/// The provider a Python provider object stands for: native providers run without the GIL.
fn core_provider(provider: &Bound<'_, PyAny>) -> PyResult<Arc<dyn CredentialsProvider>> {
    if let Ok(native) = provider.cast_exact::<PyStaticCredentialsProvider>() {
        return Ok(Arc::new(StaticProvider::new(
            native.get().credentials.clone(),
        )));
    }
    if provider.is_exact_instance_of::<PyEnvironmentVariableCredentialsProvider>() {
        return Ok(Arc::new(EnvironmentProvider::new()));
    }
    if !provider.hasattr("get_credentials")? {
        return Err(PyTypeError::new_err(format!(
            "credentials_provider must have a get_credentials() method, got {}",
            provider.get_type().name()?
        )));
    }
    Ok(Arc::new(PythonProvider {
        provider: provider.clone().unbind(),
    }))
}

/// What every auth class holds: where credentials come from and how to sign.
#[pyclass(name = "AuthBase", module = "ossbridge", subclass, frozen)]
pub struct PyAuthBase {
    pub provider: Arc<dyn CredentialsProvider>,
    pub version: SignatureVersion,
    /// What `repr()` shows: the key id of a static key pair, or the provider's repr.
    description: String,
}

impl PyAuthBase {
    fn with_keys(
        id: String,
        secret: String,
        token: String,
        version: SignatureVersion,
        class: &str,
    ) -> Self {
        let credentials = CoreCredentials::new(id, secret).with_security_token(token);
        let description = redacted(
            class,
            &credentials.access_key_id,
            credentials.token().is_some(),
        );
        PyAuthBase {
            provider: Arc::new(StaticProvider::new(credentials)),
            version,
            description,
        }
    }

    fn with_provider(
        provider: &Bound<'_, PyAny>,
        version: SignatureVersion,
        class: &str,
    ) -> PyResult<Self> {
        let description = format!("{class}({})", provider.repr()?);
        Ok(PyAuthBase {
            provider: core_provider(provider)?,
            version,
            description,
        })
    }
}

#[pymethods]
impl PyAuthBase {
    /// "v1" or "v4".
    #[getter]
    fn signature_version(&self) -> &'static str {
        self.version.as_str()
    }

    fn __repr__(&self) -> String {
        self.description.clone()
    }
}

/// oss2's `Auth(access_key_id, access_key_secret)`: signature V1.
#[pyclass(name = "Auth", module = "ossbridge", extends = PyAuthBase, frozen)]
pub struct PyAuth;

#[pymethods]
impl PyAuth {
    #[new]
    fn new(access_key_id: String, access_key_secret: String) -> PyClassInitializer<Self> {
        PyClassInitializer::from(PyAuthBase::with_keys(
            access_key_id,
            access_key_secret,
            String::new(),
            SignatureVersion::V1,
            "Auth",
        ))
        .add_subclass(PyAuth)
    }
}

/// oss2's `AuthV4(access_key_id, access_key_secret)`: signature V4.
#[pyclass(name = "AuthV4", module = "ossbridge", extends = PyAuthBase, frozen)]
pub struct PyAuthV4;

#[pymethods]
impl PyAuthV4 {
    #[new]
    fn new(access_key_id: String, access_key_secret: String) -> PyClassInitializer<Self> {
        PyClassInitializer::from(PyAuthBase::with_keys(
            access_key_id,
            access_key_secret,
            String::new(),
            SignatureVersion::V4,
            "AuthV4",
        ))
        .add_subclass(PyAuthV4)
    }
}

/// oss2's `StsAuth(access_key_id, access_key_secret, security_token, auth_version='v1')`.
#[pyclass(name = "StsAuth", module = "ossbridge", extends = PyAuthBase, frozen)]
pub struct PyStsAuth;

#[pymethods]
impl PyStsAuth {
    #[new]
    #[pyo3(signature = (access_key_id, access_key_secret, security_token, auth_version = "v1"))]
    fn new(
        access_key_id: String,
        access_key_secret: String,
        security_token: String,
        auth_version: &str,
    ) -> PyResult<PyClassInitializer<Self>> {
        let version = auth_version.parse::<SignatureVersion>().py()?;
        Ok(PyClassInitializer::from(PyAuthBase::with_keys(
            access_key_id,
            access_key_secret,
            security_token,
            version,
            "StsAuth",
        ))
        .add_subclass(PyStsAuth))
    }
}

/// oss2's `ProviderAuth(credentials_provider)`: signature V1.
#[pyclass(name = "ProviderAuth", module = "ossbridge", extends = PyAuthBase, frozen)]
pub struct PyProviderAuth;

#[pymethods]
impl PyProviderAuth {
    #[new]
    fn new(credentials_provider: &Bound<'_, PyAny>) -> PyResult<PyClassInitializer<Self>> {
        Ok(PyClassInitializer::from(PyAuthBase::with_provider(
            credentials_provider,
            SignatureVersion::V1,
            "ProviderAuth",
        )?)
        .add_subclass(PyProviderAuth))
    }
}

/// oss2's `ProviderAuthV4(credentials_provider)`: signature V4.
#[pyclass(name = "ProviderAuthV4", module = "ossbridge", extends = PyAuthBase, frozen)]
pub struct PyProviderAuthV4;

#[pymethods]
impl PyProviderAuthV4 {
    #[new]
    fn new(credentials_provider: &Bound<'_, PyAny>) -> PyResult<PyClassInitializer<Self>> {
        Ok(PyClassInitializer::from(PyAuthBase::with_provider(
            credentials_provider,
            SignatureVersion::V4,
            "ProviderAuthV4",
        )?)
        .add_subclass(PyProviderAuthV4))
    }
}
