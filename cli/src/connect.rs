//! Connection flags shared by the ossutil-style commands, and the client they build.
//!
//! Each setting comes from the first of: the command-line flag, the `OSS_*` environment
//! variable, the config file (`-c FILE`, default `~/.ossutilconfig`). The key pair (and STS
//! token) is taken as a unit from one source so a flag id is never mixed with a file secret.

use std::path::PathBuf;
use std::time::Duration;

use ossbridge_core::blocking::Client;
use ossbridge_core::credentials::{
    Credentials, SecretString, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SESSION_TOKEN,
};
use ossbridge_core::retry::RetryConfig;
use ossbridge_core::signing::SignatureVersion;
use ossbridge_core::ClientConfig;

use crate::config::{config_path, ConfigFile};
use crate::output::{usage, CliResult};

pub const ENV_ENDPOINT: &str = "OSS_ENDPOINT";
pub const ENV_REGION: &str = "OSS_REGION";

/// ossutil 1.x's global options. The secret and token are held as `SecretString`
/// (printed as `***`, zeroized on drop).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConnArgs {
    /// Config file (default: ~/.ossutilconfig).
    #[arg(short = 'c', long = "config-file", value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// Endpoint: host or URL (default: OSS_ENDPOINT, then the config file).
    #[arg(short = 'e', long)]
    pub endpoint: Option<String>,
    /// AccessKey id (default: OSS_ACCESS_KEY_ID, then the config file).
    #[arg(short = 'i', long)]
    pub access_key_id: Option<String>,
    /// AccessKey secret (default: OSS_ACCESS_KEY_SECRET, then the config file).
    #[arg(short = 'k', long, value_parser = secret)]
    pub access_key_secret: Option<SecretString>,
    /// STS security token (default: OSS_SESSION_TOKEN, then the config file).
    #[arg(short = 't', long, value_parser = secret)]
    pub sts_token: Option<SecretString>,
    /// Region id such as cn-hangzhou (default: OSS_REGION, then the config file); needed for v4.
    #[arg(long)]
    pub region: Option<String>,
    /// v1 or v4 (default: v4 when a region is known, else v1).
    #[arg(long, value_parser = ["v1", "v4"])]
    pub sign_version: Option<String>,
    /// HTTP(S) proxy for every request, e.g. http://proxy:3128.
    #[arg(long, value_name = "URL")]
    pub proxy_host: Option<String>,
    /// Seconds to wait for a connection.
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,
    /// Seconds without a byte from the server before a request fails.
    #[arg(long, value_name = "SECONDS")]
    pub read_timeout: Option<u64>,
    /// Attempts per request, the first included (retries back off exponentially).
    #[arg(long, value_name = "N")]
    pub retry_times: Option<u32>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::new(value))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ConnArgs {
    /// The blocking client for these settings.
    pub fn client(&self) -> CliResult<Client> {
        let file = match config_path(self.config_file.as_deref()) {
            Some(path) => ConfigFile::load(&path)?,
            None => ConfigFile::default(),
        };
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| env(ENV_ENDPOINT))
            .or(file.endpoint.clone())
            .ok_or_else(|| {
                usage("no endpoint: pass -e/--endpoint, set OSS_ENDPOINT or run `ossbridge config -e ENDPOINT ...`")
            })?;
        let region = self
            .region
            .clone()
            .or_else(|| env(ENV_REGION))
            .or(file.region.clone());
        let version = match self
            .sign_version
            .clone()
            .or(file.sign_version.clone())
            .as_deref()
        {
            Some("v1") => SignatureVersion::V1,
            Some("v4") => SignatureVersion::V4,
            Some(other) => {
                return Err(usage(format!(
                    "unknown signature version {other:?} in the config file: expected v1 or v4"
                )))
            }
            None if region.is_some() => SignatureVersion::V4,
            None => SignatureVersion::V1,
        };
        let credentials = self.credentials(&file)?;
        let mut builder = ClientConfig::builder()
            .endpoint(endpoint)
            .signature_version(version)
            .credentials(credentials);
        if let Some(r) = region {
            builder = builder.region(r);
        }
        if let Some(p) = &self.proxy_host {
            builder = builder.proxy(p.clone());
        }
        if let Some(s) = self.connect_timeout {
            builder = builder.connect_timeout(Duration::from_secs(s));
        }
        if let Some(s) = self.read_timeout {
            builder = builder.read_timeout(Duration::from_secs(s));
        }
        if let Some(n) = self.retry_times {
            builder = builder.retry(RetryConfig {
                max_attempts: n,
                ..RetryConfig::default()
            });
        }
        Ok(Client::new(builder.build()?)?)
    }

    fn credentials(&self, file: &ConfigFile) -> CliResult<Credentials> {
        let with_token = |c: Credentials, token: Option<SecretString>| match token {
            Some(t) => c.with_security_token(t),
            None => c,
        };
        match (&self.access_key_id, &self.access_key_secret) {
            (Some(id), Some(secret)) => {
                return Ok(with_token(
                    Credentials::new(id.clone(), secret.clone()),
                    self.sts_token.clone(),
                ))
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(usage(
                    "-i/--access-key-id and -k/--access-key-secret go together",
                ))
            }
            (None, None) => {}
        }
        if let (Some(id), Some(secret)) = (env(ENV_ACCESS_KEY_ID), env(ENV_ACCESS_KEY_SECRET)) {
            return Ok(with_token(
                Credentials::new(id, secret),
                env(ENV_SESSION_TOKEN).map(SecretString::from),
            ));
        }
        match (&file.access_key_id, &file.access_key_secret) {
            (Some(id), Some(secret)) => {
                Ok(with_token(
                    Credentials::new(id.clone(), secret.clone()),
                    file.sts_token.clone(),
                ))
            }
            _ => Err(usage(
                "no credentials: pass -i/-k, set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or run `ossbridge config -i ID -k SECRET`",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser, Debug)]
    struct Cmd {
        #[command(flatten)]
        conn: ConnArgs,
    }

    #[test]
    fn secrets_from_flags_are_redacted() {
        let cmd = Cmd::parse_from(["x", "-i", "id", "-k", "topsecret", "-t", "tok3n"]);
        let shown = format!("{cmd:?}");
        assert!(
            !shown.contains("topsecret") && !shown.contains("tok3n"),
            "{shown}"
        );
        let creds = cmd.conn.credentials(&ConfigFile::default()).unwrap();
        assert_eq!(creds.access_key_secret.expose(), "topsecret");
        assert_eq!(creds.token(), Some("tok3n"));
    }
}
