//! Server configuration: users, their permissions, STS tokens (TOML, see docs/server.md).

use std::path::Path;
use std::time::SystemTime;

use serde::Deserialize;
use zeroize::Zeroizing;

/// A configured principal able to sign requests.
#[derive(Clone)]
pub struct User {
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: Zeroizing<String>,
    /// Action patterns: `oss:*`, `oss:GetObject`, `oss:Get*`, `kms:Decrypt`,
    /// `kms:Decrypt:<key id or alias>`, `*`.
    pub allow: Vec<String>,
    /// Bucket names this user may touch (`*` = all).
    pub buckets: Vec<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("name", &self.name)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("allow", &self.allow)
            .finish()
    }
}

/// Temporary credentials: a key pair plus a security token, acting as `user`.
#[derive(Clone)]
pub struct StsToken {
    pub access_key_id: String,
    pub access_key_secret: Zeroizing<String>,
    pub security_token: Zeroizing<String>,
    pub user: String,
    pub expiration: Option<SystemTime>,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub users: Vec<User>,
    pub sts: Vec<StsToken>,
    /// V4 region reported in bucket locations (any region is accepted in signatures).
    pub region: String,
    /// Host suffixes under which `bucket.<suffix>` is virtual-hosted addressing.
    pub domains: Vec<String>,
}

impl std::fmt::Debug for StsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsToken")
            .field("access_key_id", &self.access_key_id)
            .field("user", &self.user)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    users: Vec<RawUser>,
    #[serde(default)]
    sts: Vec<RawSts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: String,
    access_key_id: String,
    access_key_secret: String,
    #[serde(default = "default_allow")]
    allow: Vec<String>,
    #[serde(default = "default_buckets")]
    buckets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSts {
    access_key_id: String,
    access_key_secret: String,
    security_token: String,
    user: String,
    #[serde(default)]
    expiration: Option<String>,
}

fn default_allow() -> Vec<String> {
    vec!["*".into()]
}

fn default_buckets() -> Vec<String> {
    vec!["*".into()]
}

pub const DEFAULT_REGION: &str = "cn-hangzhou";

impl Config {
    /// One user with every permission (what `serve` runs with when no `--config` is given).
    pub fn single_user(access_key_id: &str, access_key_secret: &str) -> Config {
        Config {
            users: vec![User {
                name: "admin".into(),
                access_key_id: access_key_id.into(),
                access_key_secret: Zeroizing::new(access_key_secret.into()),
                allow: default_allow(),
                buckets: default_buckets(),
            }],
            sts: Vec::new(),
            region: DEFAULT_REGION.into(),
            domains: Vec::new(),
        }
    }

    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
        Config::parse(&text).map_err(|e| format!("config {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut config = Config {
            users: Vec::new(),
            sts: Vec::new(),
            region: raw.region.unwrap_or_else(|| DEFAULT_REGION.into()),
            domains: raw.domains,
        };
        for user in raw.users {
            if user.access_key_id.is_empty() || user.access_key_secret.is_empty() {
                return Err(format!(
                    "user `{}`: access_key_id and access_key_secret must not be empty",
                    user.name
                ));
            }
            for pattern in &user.allow {
                validate_pattern(pattern).map_err(|e| format!("user `{}`: {e}", user.name))?;
            }
            config.users.push(User {
                name: user.name,
                access_key_id: user.access_key_id,
                access_key_secret: Zeroizing::new(user.access_key_secret),
                allow: user.allow,
                buckets: user.buckets,
            });
        }
        for sts in raw.sts {
            if !config.users.iter().any(|u| u.name == sts.user) {
                return Err(format!(
                    "sts `{}`: unknown user `{}`",
                    sts.access_key_id, sts.user
                ));
            }
            let expiration = match sts.expiration {
                Some(text) => Some(
                    parse_rfc3339(&text)
                        .map_err(|e| format!("sts `{}`: expiration: {e}", sts.access_key_id))?,
                ),
                None => None,
            };
            config.sts.push(StsToken {
                access_key_id: sts.access_key_id,
                access_key_secret: Zeroizing::new(sts.access_key_secret),
                security_token: Zeroizing::new(sts.security_token),
                user: sts.user,
                expiration,
            });
        }
        if config.users.is_empty() {
            return Err(
                "no [[users]] configured: list at least one user (see docs/server.md)".into(),
            );
        }
        let mut ids: Vec<&str> = config
            .users
            .iter()
            .map(|u| u.access_key_id.as_str())
            .collect();
        ids.extend(config.sts.iter().map(|s| s.access_key_id.as_str()));
        ids.sort();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("access key id `{}` is configured twice", w[0]));
        }
        Ok(config)
    }

    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }
}

fn validate_pattern(pattern: &str) -> Result<(), String> {
    if pattern == "*" || pattern.starts_with("oss:") || pattern.starts_with("kms:") {
        Ok(())
    } else {
        Err(format!(
            "permission `{pattern}` must be `*`, `oss:<Action>` or `kms:<Action>[:<key id>]`"
        ))
    }
}

fn parse_rfc3339(text: &str) -> Result<SystemTime, String> {
    let parsed = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("`{text}` is not RFC 3339: {e}"))?;
    Ok(SystemTime::from(parsed))
}

fn glob_match(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

impl User {
    /// May this user perform OSS action `action` (e.g. `oss:PutObject`) on `bucket`?
    pub fn may(&self, action: &str, bucket: Option<&str>) -> bool {
        let bucket_ok = match bucket {
            Some(b) => self.buckets.iter().any(|p| glob_match(p, b)),
            None => true,
        };
        bucket_ok
            && self
                .allow
                .iter()
                .any(|p| !p.starts_with("kms:") && glob_match(p, action))
    }

    /// May this user call KMS `action` (`kms:Decrypt`, `kms:GenerateDataKey`) on the CMK
    /// known by any of `key_names` (its id and alias)?
    pub fn may_kms(&self, action: &str, key_names: &[&str]) -> bool {
        self.allow.iter().any(|p| {
            if p == "*" || p == "kms:*" {
                return true;
            }
            match p.strip_prefix(action) {
                Some("") => true,
                Some(rest) => rest
                    .strip_prefix(':')
                    .map(|key| key == "*" || key_names.contains(&key))
                    .unwrap_or(false),
                None => false,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_users_and_sts() {
        let cfg = Config::parse(
            r#"
            [[users]]
            name = "admin"
            access_key_id = "AK1"
            access_key_secret = "SK1"
            allow = ["oss:*", "kms:GenerateDataKey", "kms:Decrypt:key-1"]
            [[sts]]
            access_key_id = "STS.1"
            access_key_secret = "SK2"
            security_token = "tok"
            user = "admin"
            expiration = "2099-01-01T00:00:00Z"
            "#,
        )
        .unwrap();
        let admin = &cfg.users[0];
        assert!(admin.may("oss:PutObject", Some("b")));
        assert!(admin.may_kms("kms:GenerateDataKey", &["x"]));
        assert!(admin.may_kms("kms:Decrypt", &["key-1"]));
        assert!(!admin.may_kms("kms:Decrypt", &["key-2"]));
        assert_eq!(cfg.sts[0].user, "admin");
    }

    #[test]
    fn rejects_unknown_fields_and_users() {
        assert!(Config::parse(
            "[[users]]\nname='a'\naccess_key_id='x'\naccess_key_secret='y'\nbogus=1"
        )
        .is_err());
        assert!(Config::parse(
            "[[sts]]\naccess_key_id='x'\naccess_key_secret='y'\nsecurity_token='t'\nuser='nobody'"
        )
        .is_err());
    }
}
