//! ossutil's configuration file (`~/.ossutilconfig`, or `-c FILE`) and `ossbridge config`.
//!
//! The format is ossutil 1.x's INI file: a `[Credentials]` section with `endpoint`,
//! `accessKeyID`, `accessKeySecret` and optionally `stsToken` (ossutil's alias spellings
//! are read too), plus `region` and `signVersion`, which ossutil's reader skips. Layout and
//! spellings follow ossutil's lib/config_helper.go; ossutil itself is not available here to
//! test the exchange of files in both directions.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use ossbridge_core::credentials::SecretString;
use serde_json::json;

use crate::connect::ConnArgs;
use crate::output::{usage, CliError, CliResult, Output};

/// ossutil's default file name in the home directory.
pub const DEFAULT_CONFIG_FILE: &str = ".ossutilconfig";
const SECTION: &str = "Credentials";

/// The `[Credentials]` values of a config file.
#[derive(Clone, Default)]
pub struct ConfigFile {
    pub endpoint: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<SecretString>,
    pub sts_token: Option<SecretString>,
    pub region: Option<String>,
    pub sign_version: Option<String>,
}

impl fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SecretString prints as ***.
        f.debug_struct("ConfigFile")
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("sts_token", &self.sts_token)
            .field("region", &self.region)
            .field("sign_version", &self.sign_version)
            .finish()
    }
}

/// `-c FILE`, else `~/.ossutilconfig` (a leading `~/` is expanded like ossutil does).
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match explicit {
        Some(p) => match (p.strip_prefix("~"), &home) {
            (Ok(rest), Some(h)) => Some(h.join(rest)),
            _ => Some(p.to_path_buf()),
        },
        None => home.map(|h| h.join(DEFAULT_CONFIG_FILE)),
    }
}

impl ConfigFile {
    /// Parses the file's text; values outside `[Credentials]` are ignored.
    pub fn parse(text: &str) -> ConfigFile {
        let mut cfg = ConfigFile::default();
        let mut in_credentials = false;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                in_credentials = section.trim() == SECTION;
                continue;
            }
            if !in_credentials {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            // ossutil's accepted spellings (lib/config_helper.go CredOptionMap).
            match name.trim() {
                "endpoint" | "host" => cfg.endpoint = Some(value),
                "accessKeyID" | "accessKeyId" | "AccessKeyID" | "AccessKeyId" | "access_key_id"
                | "access_id" | "accessid" => cfg.access_key_id = Some(value),
                "accessKeySecret" | "AccessKeySecret" | "access_key_secret" | "access_key"
                | "accesskey" => cfg.access_key_secret = Some(value.into()),
                "stsToken" | "ststoken" | "sts_token" => cfg.sts_token = Some(value.into()),
                "region" => cfg.region = Some(value),
                "signVersion" | "sign_version" => cfg.sign_version = Some(value),
                _ => {}
            }
        }
        cfg
    }

    /// Reads a config file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> CliResult<ConfigFile> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(ConfigFile::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            ))),
        }
    }

    /// The file's text in ossutil's layout.
    pub fn render(&self) -> String {
        let mut out = format!("[{SECTION}]\nlanguage=EN\n");
        let mut line = |name: &str, value: Option<&str>| {
            if let Some(v) = value {
                out.push_str(&format!("{name}={v}\n"));
            }
        };
        line("endpoint", self.endpoint.as_deref());
        line("accessKeyID", self.access_key_id.as_deref());
        line(
            "accessKeySecret",
            self.access_key_secret.as_ref().map(|s| s.expose()),
        );
        line("stsToken", self.sts_token.as_ref().map(|s| s.expose()));
        line("region", self.region.as_deref());
        line("signVersion", self.sign_version.as_deref());
        out
    }

    /// Writes the file readable by its owner only (it holds a secret).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        file.write_all(self.render().as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }
}

/// `ossbridge config -e ENDPOINT -i ID -k SECRET [-t TOKEN] [--region R] [-c FILE]`: writes
/// (or updates) the config file with the values given.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    conn: ConnArgs,
}

pub fn run(args: Args) -> std::process::ExitCode {
    let out = Output::new(args.conn.json);
    let result = write_config(&args.conn, &out);
    crate::output::finish(&out, result)
}

fn write_config(conn: &ConnArgs, out: &Output) -> CliResult<()> {
    let path = config_path(conn.config_file.as_deref())
        .ok_or_else(|| usage("no config file: pass -c FILE (HOME is not set)"))?;
    let nothing_given = conn.endpoint.is_none()
        && conn.access_key_id.is_none()
        && conn.access_key_secret.is_none()
        && conn.sts_token.is_none()
        && conn.region.is_none()
        && conn.sign_version.is_none();
    if nothing_given {
        return Err(usage(
            "config needs at least one of -e/--endpoint, -i/--access-key-id, -k/--access-key-secret, -t/--sts-token, --region, --sign-version",
        ));
    }
    let mut cfg = ConfigFile::load(&path)?;
    if let Some(v) = &conn.endpoint {
        cfg.endpoint = Some(v.clone());
    }
    if let Some(v) = &conn.access_key_id {
        cfg.access_key_id = Some(v.clone());
    }
    if let Some(v) = &conn.access_key_secret {
        cfg.access_key_secret = Some(v.clone());
    }
    if let Some(v) = &conn.sts_token {
        cfg.sts_token = Some(v.clone());
    }
    if let Some(v) = &conn.region {
        cfg.region = Some(v.clone());
    }
    if let Some(v) = &conn.sign_version {
        cfg.sign_version = Some(v.clone());
    }
    cfg.save(&path).map_err(|e| {
        CliError::Failed(ossbridge_core::Error::new(
            ossbridge_core::ErrorKind::Io,
            format!("cannot write config file {}: {e}", path.display()),
        ))
    })?;
    out.success(
        &format!("config written to {}\n", path.display()),
        json!({"config_file": path.display().to_string(), "endpoint": cfg.endpoint, "access_key_id": cfg.access_key_id, "region": cfg.region}),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ossutil_spellings_and_round_trips() {
        let cfg = ConfigFile::parse(
            "[Credentials]\nlanguage=EN\nendpoint = oss-cn-hangzhou.aliyuncs.com\naccess_id=id1\naccesskey=s3cr3t\n[Bucket-Endpoint]\nendpoint=other\n",
        );
        assert_eq!(
            cfg.endpoint.as_deref(),
            Some("oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(cfg.access_key_id.as_deref(), Some("id1"));
        assert_eq!(cfg.access_key_secret.as_ref().unwrap().expose(), "s3cr3t");
        assert!(!format!("{cfg:?}").contains("s3cr3t"));
        let again = ConfigFile::parse(&cfg.render());
        assert_eq!(again.render(), cfg.render());
        assert!(cfg.render().contains("accessKeyID=id1\n"));
    }
}
