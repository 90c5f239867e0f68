//! Client-side encryption: oss2's `CryptoBucket` + `RsaProvider` / `AliKMSProvider` over the
//! core's `cse::EncryptionClient`, `cse::RsaMasterKey` and `cse::KmsMasterKey`. Encryption,
//! key wrapping and the object metadata are all core; this module converts arguments and
//! keeps the multipart context.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ossbridge_core::credentials::{Credentials, CredentialsProvider, StaticProvider};
use ossbridge_core::cse::{
    ByteRange, EncryptedMultipartUpload, EncryptedPutOptions, EncryptionClient, HttpKmsProvider,
    KmsHeaderLayout, KmsMasterKey, MasterKey, MaterialDescription, RsaMasterKey,
};
use ossbridge_core::model::{ObjectAttributes, UploadPartResult};
use ossbridge_core::{Error, ErrorKind};
use pyo3::prelude::*;
use zeroize::Zeroizing;

use crate::auth::PyAuthBase;
use crate::client::{build_config, run, ClientCell};
use crate::convert::{BytesOut, Fields, RawHeaders};
use crate::errors::{to_py_err, IntoPyResult};
use crate::runtime::PerRuntime;

/// An RSA master key pair (PEM); the private key is needed to decrypt. repr shows no key.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct RsaKey {
    key: Arc<RsaMasterKey>,
}

#[pymethods]
impl RsaKey {
    #[new]
    #[pyo3(signature = (public_key = None, private_key = None, mat_desc = None))]
    fn new(
        public_key: Option<&str>,
        private_key: Option<&str>,
        mat_desc: Option<BTreeMap<String, String>>,
    ) -> PyResult<Self> {
        let mut key = RsaMasterKey::from_pem(public_key, private_key).py()?;
        if let Some(desc) = mat_desc.filter(|d| !d.is_empty()) {
            key = key.with_material_description(MaterialDescription::from_map(desc));
        }
        Ok(RsaKey { key: Arc::new(key) })
    }

    fn __repr__(&self) -> String {
        format!(
            "RsaKey(bits={}, private_key='***')",
            self.key.key_size_bits()
        )
    }
}

/// A KMS master key (`KMS/ALICLOUD`, oss2's `AliKMSProvider`): each object's data key comes
/// from KMS GenerateDataKey on `cmk_id` and its IV is wrapped with KMS Encrypt, called with
/// these credentials. Headers are written in oss2's layout (base64 of the CiphertextBlob).
/// repr shows neither the secret nor the STS token.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct KmsKey {
    access_key_id: String,
    has_sts_token: bool,
    credentials: Arc<dyn CredentialsProvider>,
    endpoint: String,
    cmk_id: String,
    /// oss2's passphrase: sent to KMS as the EncryptionContext `{"x-passphrase": ...}`, so
    /// objects written with one open only with the same one.
    passphrase: Option<Zeroizing<String>>,
    description: MaterialDescription,
    /// The master key built for the current runtime (its HTTP connection pool belongs to it).
    current: PerRuntime<Arc<KmsMasterKey>>,
}

impl KmsKey {
    fn build(&self) -> PyResult<Arc<KmsMasterKey>> {
        let mut provider =
            HttpKmsProvider::new(self.endpoint.clone(), self.credentials.clone()).py()?;
        if let Some(passphrase) = &self.passphrase {
            let context = BTreeMap::from([("x-passphrase".to_string(), passphrase.to_string())]);
            provider = provider.with_encryption_context(&context);
        }
        Ok(Arc::new(
            KmsMasterKey::new(Arc::new(provider), self.cmk_id.clone())
                .with_layout(KmsHeaderLayout::Oss2DoubleBase64)
                .with_material_description(self.description.clone()),
        ))
    }

    /// The master key for the module's current runtime (rebuilt after a fork or a shutdown,
    /// like the OSS clients).
    fn master_key(&self) -> PyResult<Arc<KmsMasterKey>> {
        self.current.get_or_build(|| self.build())
    }
}

fn invalid(message: &str) -> PyErr {
    to_py_err(Error::new(ErrorKind::InvalidArgument, message))
}

#[pymethods]
impl KmsKey {
    /// `kms_endpoint`: the KMS base URL; default `https://kms.{region}.aliyuncs.com`.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (access_key_id, access_key_secret, region, cmk_id, sts_token = None, mat_desc = None, kms_endpoint = None, passphrase = None))]
    fn new(
        access_key_id: String,
        access_key_secret: String,
        region: &str,
        cmk_id: String,
        sts_token: Option<String>,
        mat_desc: Option<BTreeMap<String, String>>,
        kms_endpoint: Option<String>,
        passphrase: Option<String>,
    ) -> PyResult<Self> {
        if access_key_id.trim().is_empty() || access_key_secret.is_empty() {
            return Err(invalid(
                "AliKMSProvider needs an access_key_id and an access_key_secret",
            ));
        }
        if cmk_id.trim().is_empty() {
            return Err(invalid("AliKMSProvider needs a cmk_id (key id or alias)"));
        }
        let endpoint = match kms_endpoint.filter(|e| !e.is_empty()) {
            Some(endpoint) => endpoint,
            None if region.trim().is_empty() => {
                return Err(invalid("AliKMSProvider needs a region (or kms_endpoint)"))
            }
            None => format!("https://kms.{}.aliyuncs.com", region.trim()),
        };
        let credentials = Credentials::new(access_key_id.clone(), access_key_secret)
            .with_security_token(sts_token.unwrap_or_default());
        let key = KmsKey {
            access_key_id,
            has_sts_token: credentials.token().is_some(),
            credentials: Arc::new(StaticProvider::new(credentials)),
            endpoint,
            cmk_id,
            passphrase: passphrase.filter(|p| !p.is_empty()).map(Zeroizing::new),
            description: mat_desc
                .map(MaterialDescription::from_map)
                .unwrap_or_default(),
            current: PerRuntime::new(),
        };
        key.master_key()?; // a malformed endpoint fails here, not at the first upload
        Ok(key)
    }

    #[getter]
    fn cmk_id(&self) -> &str {
        &self.cmk_id
    }

    #[getter]
    fn kms_endpoint(&self) -> &str {
        &self.endpoint
    }

    fn __repr__(&self) -> String {
        format!(
            "KmsKey(access_key_id={:?}, access_key_secret=\"***\"{}{}, cmk_id={:?}, kms_endpoint={:?})",
            self.access_key_id,
            if self.has_sts_token {
                ", sts_token=\"***\""
            } else {
                ""
            },
            if self.passphrase.is_some() {
                ", passphrase=\"***\""
            } else {
                ""
            },
            self.cmk_id,
            self.endpoint,
        )
    }
}

/// The master key a `NativeCryptoBucket` was given.
enum KeySource {
    Fixed(Arc<dyn MasterKey>),
    /// Per runtime: its KMS client holds connections.
    Kms(Py<KmsKey>),
}

impl KeySource {
    fn extract(master_key: &Bound<'_, PyAny>) -> PyResult<KeySource> {
        if let Ok(rsa) = master_key.cast::<RsaKey>() {
            let key: Arc<dyn MasterKey> = rsa.get().key.clone();
            return Ok(KeySource::Fixed(key));
        }
        if let Ok(kms) = master_key.cast::<KmsKey>() {
            return Ok(KeySource::Kms(kms.clone().unbind()));
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "master_key must be an RsaKey or a KmsKey, got {}",
            master_key.get_type().name()?
        )))
    }

    fn get(&self) -> PyResult<Arc<dyn MasterKey>> {
        Ok(match self {
            KeySource::Fixed(key) => key.clone(),
            KeySource::Kms(key) => key.get().master_key()?,
        })
    }
}

/// An encrypted multipart upload in progress (oss2's `MultipartUploadCryptoContext` keeps it):
/// the data key and the parts uploaded so far.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct EncryptedUpload {
    upload: EncryptedMultipartUpload,
    parts: Mutex<BTreeMap<u32, UploadPartResult>>,
}

#[pymethods]
impl EncryptedUpload {
    #[getter]
    fn upload_id(&self) -> &str {
        &self.upload.upload_id
    }

    #[getter]
    fn part_size(&self) -> u64 {
        self.upload.part_size()
    }

    #[getter]
    fn data_size(&self) -> u64 {
        self.upload.data_size()
    }
}

/// oss2's `CryptoBucket` calls.
#[pyclass(module = "ossbridge._ossbridge", frozen)]
pub struct NativeCryptoBucket {
    client: ClientCell,
    master_key: KeySource,
    bucket: String,
}

impl NativeCryptoBucket {
    /// Cheap: wraps the (per-runtime) client with the master key.
    fn encryption_client(&self) -> PyResult<EncryptionClient> {
        Ok(EncryptionClient::new(
            self.client.get()?,
            self.master_key.get()?,
        ))
    }
}

fn cse_range(byte_range: Option<(Option<u64>, Option<u64>)>) -> PyResult<Option<ByteRange>> {
    Ok(match byte_range {
        None | Some((None, None)) => None,
        Some((Some(start), Some(end))) => Some(ByteRange::Bounded { start, end }),
        Some((Some(start), None)) => Some(ByteRange::From { start }),
        Some((None, Some(len))) => Some(ByteRange::Suffix { len }),
    })
}

fn attributes(headers: &RawHeaders) -> PyResult<ObjectAttributes> {
    let (sse, attributes) = ObjectAttributes::from_raw_headers(headers).py()?;
    if sse.is_some() {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "server-side encryption headers are not used with client-side encryption",
        ));
    }
    Ok(attributes)
}

#[pymethods]
impl NativeCryptoBucket {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (auth, endpoint, bucket_name, master_key, region = None, enable_crc = true, connect_timeout = None, app_name = ""))]
    fn new(
        auth: &Bound<'_, PyAuthBase>,
        endpoint: &str,
        bucket_name: String,
        master_key: &Bound<'_, PyAny>,
        region: Option<&str>,
        enable_crc: bool,
        connect_timeout: Option<f64>,
        app_name: &str,
    ) -> PyResult<Self> {
        let config = build_config(
            auth.get(),
            endpoint,
            region,
            enable_crc,
            connect_timeout,
            false,
            false,
            app_name,
        )?;
        let master_key = KeySource::extract(master_key)?;
        Ok(NativeCryptoBucket {
            client: ClientCell::new(config),
            master_key,
            bucket: bucket_name,
        })
    }

    #[pyo3(signature = (key, data, headers = Vec::new(), awaitable = false))]
    fn put_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        data: Vec<u8>,
        headers: RawHeaders,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.encryption_client()?, self.bucket.clone());
        let options = EncryptedPutOptions {
            attributes: attributes(&headers)?,
        };
        run(py, awaitable, async move {
            Ok(Fields::meta(
                &client
                    .put_object(&bucket, &key, data, &options)
                    .await
                    .py()?
                    .meta,
            ))
        })
    }

    /// The decrypted object (or range), with the response metadata.
    #[pyo3(signature = (key, byte_range = None, awaitable = false))]
    fn get_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        byte_range: Option<(Option<u64>, Option<u64>)>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.encryption_client()?, self.bucket.clone());
        let range = cse_range(byte_range)?;
        run(py, awaitable, async move {
            let got = client.get_object(&bucket, &key, range).await.py()?;
            let fields = Fields::meta(&got.meta)
                .with("object_size", got.object_size)
                .with("content_length", got.data.len() as u64)
                .with("authenticated", got.authenticated)
                .with("encrypted", got.encrypted);
            Ok((fields, BytesOut(got.data)))
        })
    }

    #[pyo3(signature = (key, awaitable = false))]
    fn head_object<'py>(
        &self,
        py: Python<'py>,
        key: String,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.encryption_client()?, self.bucket.clone());
        run(py, awaitable, async move {
            let r = client.head_object(&bucket, &key).await.py()?;
            Ok(Fields::object(&r.meta, &r.info)
                .with("object_size", r.object_size)
                .with("stored_size", r.stored_size))
        })
    }

    #[pyo3(signature = (key, data_size, part_size, headers = Vec::new(), awaitable = false))]
    fn init_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        key: String,
        data_size: u64,
        part_size: u64,
        headers: RawHeaders,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (client, bucket) = (self.encryption_client()?, self.bucket.clone());
        let attributes = attributes(&headers)?;
        run(py, awaitable, async move {
            let upload = client
                .initiate_multipart_upload(&bucket, &key, data_size, part_size, &attributes)
                .await
                .py()?;
            Ok(EncryptedUpload {
                upload,
                parts: Mutex::new(BTreeMap::new()),
            })
        })
    }

    #[pyo3(signature = (upload, part_number, data, awaitable = false))]
    fn upload_part<'py>(
        &self,
        py: Python<'py>,
        upload: Py<EncryptedUpload>,
        part_number: u32,
        data: Vec<u8>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.encryption_client()?;
        run(py, awaitable, async move {
            let upload = upload.get();
            let result = client
                .upload_part(&upload.upload, part_number, data)
                .await
                .py()?;
            let fields = Fields::meta(&result.meta)
                .with("part_number", result.part_number)
                .with("size", result.size);
            upload
                .parts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(part_number, result);
            Ok(fields)
        })
    }

    /// Completes with the parts uploaded through `upload` whose numbers are in `part_numbers`.
    #[pyo3(signature = (upload, part_numbers, awaitable = false))]
    fn complete_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        upload: Py<EncryptedUpload>,
        part_numbers: Vec<u32>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.encryption_client()?;
        run(py, awaitable, async move {
            let upload = upload.get();
            let parts: Vec<UploadPartResult> = {
                let uploaded = upload.parts.lock().unwrap_or_else(|p| p.into_inner());
                part_numbers
                    .iter()
                    .map(|n| {
                        uploaded.get(n).cloned().ok_or_else(|| {
                            pyo3::exceptions::PyValueError::new_err(format!(
                                "part {n} was not uploaded through this upload context"
                            ))
                        })
                    })
                    .collect::<PyResult<_>>()?
            };
            let r = client
                .complete_multipart_upload(&upload.upload, &parts)
                .await
                .py()?;
            Ok(Fields::meta(&r.meta))
        })
    }

    #[pyo3(signature = (upload, awaitable = false))]
    fn abort_multipart_upload<'py>(
        &self,
        py: Python<'py>,
        upload: Py<EncryptedUpload>,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.encryption_client()?;
        run(py, awaitable, async move {
            client
                .abort_multipart_upload(&upload.get().upload)
                .await
                .py()?;
            Ok(())
        })
    }
}
