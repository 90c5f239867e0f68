//! Running the server: command-line options, listener, graceful shutdown; and the
//! `kms create-key` entry point. Shared by `ossbridge serve` and the crate's own binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::State;
use axum::Router;

use crate::config::Config;
use crate::AppState;

/// `ossbridge serve [--data-dir DIR] [--addr HOST:PORT] [--config FILE.toml]
/// [--access-key-id ID --access-key-secret SECRET] [--master-key-file FILE]`
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Where metadata, object data and the generated master key live.
    #[arg(long, default_value = "./ossbridge-data")]
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub addr: String,
    /// TOML file with users, permissions and STS tokens (docs/server.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Access key id of the single all-powerful user (without --config).
    #[arg(long, env = "OSS_ACCESS_KEY_ID", hide_env_values = true)]
    pub access_key_id: Option<String>,
    /// Secret of that user.
    #[arg(long, env = "OSS_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub access_key_secret: Option<String>,
    /// 32-byte master key (64 hex digits); default: generated into DATA_DIR/master.key.
    #[arg(long)]
    pub master_key_file: Option<PathBuf>,
}

impl ServeArgs {
    fn config(&self) -> Result<Config, String> {
        match &self.config {
            Some(path) => {
                if self.access_key_id.is_some() && std::env::var("OSS_ACCESS_KEY_ID").is_err() {
                    return Err("--config and --access-key-id are exclusive: list users in the config file".into());
                }
                Config::load(path)
            }
            None => match (&self.access_key_id, &self.access_key_secret) {
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => Ok(Config::single_user(id, secret)),
                _ => Err("no credentials: pass --access-key-id and --access-key-secret, set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or use --config".into()),
            },
        }
    }
}

/// Runs the server until SIGINT/SIGTERM. Prints `listening on http://HOST:PORT` first.
pub fn run(args: ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ossbridge serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ossbridge serve: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let config = args.config()?;
    let addr: SocketAddr = tokio::net::lookup_host(&args.addr)
        .await
        .map_err(|e| format!("--addr {}: {e}", args.addr))?
        .next()
        .ok_or_else(|| format!("--addr {} resolves to nothing", args.addr))?;
    let state = AppState::open(&args.data_dir, args.master_key_file.as_deref(), config)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
    }
    serve_on(listener, Arc::new(state), shutdown_signal()).await
}

/// Serves `state` on `listener` until `shutdown` completes, letting in-flight requests finish.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let app = Router::new()
        .fallback(
            |State(state): State<Arc<AppState>>, req: axum::extract::Request| async move {
                crate::handle(state, req).await
            },
        )
        .with_state(state);
    use axum::serve::ListenerExt;
    // Without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to small responses.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `ossbridge kms create-key --data-dir DIR [--alias NAME] [--master-key-file FILE]`
#[derive(clap::Args, Debug)]
pub struct KmsCreateKeyArgs {
    #[arg(long, default_value = "./ossbridge-data")]
    pub data_dir: PathBuf,
    /// An alias the key can also be named by (in permissions and key-id headers).
    #[arg(long)]
    pub alias: Option<String>,
    #[arg(long)]
    pub master_key_file: Option<PathBuf>,
}

/// Creates a CMK in the data dir's KMS and prints its id (alone) on stdout.
pub fn kms_create_key(args: KmsCreateKeyArgs) -> ExitCode {
    let result = (|| -> Result<String, String> {
        let state = AppState::open_kms_only(&args.data_dir, args.master_key_file.as_deref())?;
        state
            .create_key(args.alias.as_deref())
            .map_err(|e| e.message)
    })();
    match result {
        Ok(id) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ossbridge kms create-key: {e}");
            ExitCode::FAILURE
        }
    }
}
