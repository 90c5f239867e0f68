//! Credentials and providers: redaction, environment lookup, single-flight refresh.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ossbridge_core::credentials::{
    Credentials, CredentialsProvider, EnvironmentProvider, RefreshingProvider, SecretString,
    StaticProvider,
};
use ossbridge_core::ErrorKind;

#[test]
fn secrets_are_redacted_in_debug_and_display() {
    let creds =
        Credentials::new("LTAIid", "super-secret-value").with_security_token("token-value-xyz");
    let debug = format!("{creds:?}");
    assert!(debug.contains("LTAIid"), "{debug}");
    assert!(debug.contains("***"), "{debug}");
    assert!(!debug.contains("super-secret-value"), "{debug}");
    assert!(!debug.contains("token-value-xyz"), "{debug}");
    let secret = SecretString::new("abc");
    assert_eq!(format!("{secret:?} {secret}"), "*** ***");
    assert_eq!(secret.expose(), "abc");
}

#[test]
fn secret_equality_and_empty_token() {
    assert_eq!(SecretString::new("abc"), SecretString::from("abc"));
    assert_ne!(SecretString::new("abc"), SecretString::new("abd"));
    assert_ne!(SecretString::new("abc"), SecretString::new("abcd"));
    let creds = Credentials::new("id", "secret").with_security_token("");
    assert_eq!(creds.token(), None);
    assert_eq!(
        Credentials::new("id", "s").with_security_token("t").token(),
        Some("t")
    );
}

#[tokio::test]
async fn static_provider_as_trait_object() {
    let provider: Arc<dyn CredentialsProvider> =
        Arc::new(StaticProvider::new(Credentials::new("id", "secret")));
    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id, "id");
    assert_eq!(creds.access_key_secret.expose(), "secret");
}

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn environment_provider_names_the_missing_variable() {
    let err =
        EnvironmentProvider::load_from(lookup(&[("OSS_ACCESS_KEY_SECRET", "s")])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.message().contains("OSS_ACCESS_KEY_ID"), "{err}");

    let err = EnvironmentProvider::load_from(lookup(&[
        ("OSS_ACCESS_KEY_ID", "id"),
        ("OSS_ACCESS_KEY_SECRET", ""),
    ]))
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.message().contains("OSS_ACCESS_KEY_SECRET"), "{err}");

    let creds = EnvironmentProvider::load_from(lookup(&[
        ("OSS_ACCESS_KEY_ID", "id"),
        ("OSS_ACCESS_KEY_SECRET", "s"),
    ]))
    .unwrap();
    assert_eq!((creds.access_key_id.as_str(), creds.token()), ("id", None));

    let creds = EnvironmentProvider::load_from(lookup(&[
        ("OSS_ACCESS_KEY_ID", "id"),
        ("OSS_ACCESS_KEY_SECRET", "s"),
        ("OSS_SESSION_TOKEN", "tok"),
    ]))
    .unwrap();
    assert_eq!(creds.token(), Some("tok"));
}

#[tokio::test]
async fn environment_provider_reads_the_process_environment() {
    // The only test in this binary that touches these variables.
    std::env::set_var("OSS_ACCESS_KEY_ID", "env-id");
    std::env::set_var("OSS_ACCESS_KEY_SECRET", "env-secret");
    std::env::set_var("OSS_SESSION_TOKEN", "env-token");
    let creds = EnvironmentProvider::new().credentials().await.unwrap();
    assert_eq!(creds.access_key_id, "env-id");
    assert_eq!(creds.access_key_secret.expose(), "env-secret");
    assert_eq!(creds.token(), Some("env-token"));
    std::env::remove_var("OSS_ACCESS_KEY_ID");
    let err = EnvironmentProvider::new().credentials().await.unwrap_err();
    assert!(err.message().contains("OSS_ACCESS_KEY_ID"));
    std::env::remove_var("OSS_ACCESS_KEY_SECRET");
    std::env::remove_var("OSS_SESSION_TOKEN");
}

/// A fetch that counts its calls and hands out token-<n> valid for `lifetime`.
fn counting_provider(
    lifetime: Duration,
    delay: Duration,
) -> (RefreshingProvider, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = RefreshingProvider::new(move || {
        let counter = counter.clone();
        async move {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(delay).await;
            Ok(Credentials::new("STS.id", "sts-secret")
                .with_security_token(format!("token-{n}"))
                .with_expiration(SystemTime::now() + lifetime))
        }
    });
    (provider, calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_runs_once_under_concurrency() {
    let (provider, calls) = counting_provider(Duration::from_secs(3600), Duration::from_millis(50));
    let provider: Arc<dyn CredentialsProvider> = Arc::new(provider);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.credentials().await.unwrap() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().token(), Some("token-1"));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Cached afterwards too.
    provider.credentials().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refreshes_before_expiry_within_the_margin() {
    // Valid for 10 s; a 5 s margin keeps the cached token...
    let (provider, calls) = counting_provider(Duration::from_secs(10), Duration::ZERO);
    let provider = provider.with_refresh_margin(Duration::from_secs(5));
    assert_eq!(
        provider.credentials().await.unwrap().token(),
        Some("token-1")
    );
    assert_eq!(
        provider.credentials().await.unwrap().token(),
        Some("token-1")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // ...a 20 s margin means it is already "about to expire", so every call refreshes.
    let (provider, calls) = counting_provider(Duration::from_secs(10), Duration::ZERO);
    let provider = provider.with_refresh_margin(Duration::from_secs(20));
    assert_eq!(
        provider.credentials().await.unwrap().token(),
        Some("token-1")
    );
    assert_eq!(
        provider.credentials().await.unwrap().token(),
        Some("token-2")
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refreshes_after_real_expiry() {
    let (provider, calls) = counting_provider(Duration::from_millis(1000), Duration::ZERO);
    let provider = provider.with_refresh_margin(Duration::ZERO);
    let first = provider.credentials().await.unwrap();
    assert_eq!(first.token(), Some("token-1"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = provider.credentials().await.unwrap();
    assert_eq!(second.token(), Some("token-2"));
    assert!(second.expiration.unwrap() > SystemTime::now());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn never_hands_out_expired_credentials() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = RefreshingProvider::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            match n {
                0 => Ok(Credentials::new("id", "s")
                    .with_expiration(SystemTime::now() - Duration::from_secs(1))),
                1 => Err(ossbridge_core::Error::new(
                    ErrorKind::Network,
                    "sts unreachable",
                )),
                _ => Ok(Credentials::new("id", "s")
                    .with_expiration(SystemTime::now() + Duration::from_secs(3600))),
            }
        }
    });
    let err = provider.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.message().contains("expired"), "{err}");
    // A failing fetch surfaces its error rather than a stale token.
    assert_eq!(
        provider.credentials().await.unwrap_err().kind(),
        ErrorKind::Network
    );
    let creds = provider.credentials().await.unwrap();
    assert!(creds.expiration.unwrap() > SystemTime::now());
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}
