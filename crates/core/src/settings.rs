//! The one settings loader: built-in defaults → optional TOML file → environment
//! (`PINTALK__SECTION__KEY`). One `Settings` value is built at start-up and passed down;
//! there is no global.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The built-in defaults, also the reference of every key (see `defaults.toml`).
pub const DEFAULTS: &str = include_str!("defaults.toml");

/// Everything a PinTalk process is configured with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub server: ServerSettings,
    pub gateway: GatewaySettings,
    pub persister: PersisterSettings,
    pub notify: NotifySettings,
    pub push: PushSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub limits: LimitSettings,
    pub webhooks: WebhookSettings,
    pub retention: RetentionSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub public_url: String,
    pub trust_forwarded_for: bool,
    pub workers: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySettings {
    pub public_url: String,
    pub dashboard_origin: String,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub queue_frames: usize,
    pub max_backlog: u64,
    pub max_inflight_appends: usize,
    pub presence_grace_ms: u64,
    pub heartbeat_secs: u64,
    pub token_ttl_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    pub unread_delay_secs: u64,
    pub visitor_offline_secs: u64,
    pub remind_after_secs: u64,
    pub digest_secs: u64,
    pub poll_ms: u64,
    pub claim_secs: u64,
    pub retry_first_secs: u64,
    pub retry_max_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushSettings {
    /// The VAPID private key (P-256, PKCS#8 PEM), inline; a secret.
    pub vapid_key: SecretString,
    pub vapid_key_file: String,
    /// The contact a push service may write to (`mailto:` or `https:`); empty: the
    /// public URL.
    pub subject: String,
    pub delay_secs: u64,
    pub ttl_secs: u64,
    pub max_subscriptions: usize,
    /// Accept http:// endpoints (a local push service, in tests and development).
    pub allow_insecure_endpoints: bool,
}

/// Webhook endpoints and their delivery (see docs/webhooks.md).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Deliver to private, loopback and link-local addresses too: for tests only.
    pub allow_private_targets: bool,
    pub max_per_site: u32,
    pub timeout_secs: u64,
    pub max_response_bytes: usize,
    pub retry_first_ms: u64,
    pub retry_max_secs: u64,
    pub retry_for_secs: u64,
    pub poll_ms: u64,
    pub claim_secs: u64,
    pub batch: i64,
}

/// The retention sweeper (per-site `retention_days` is the site's own setting).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    pub poll_secs: u64,
    pub batch: i64,
    pub lease_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersisterSettings {
    pub claim_idle_ms: u64,
    pub batch: usize,
    pub fill_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May hold a password, hence secret.
    pub url: SecretString,
    /// When set, `url` is read from this file at start-up.
    pub url_file: String,
    pub pool_size: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// Empty means "no Redis: keep shared state in memory".
    pub url: SecretString,
    /// Sentinel addresses: when set, the master is found through them (and followed
    /// across failovers) instead of `url`, which must then be empty.
    pub sentinels: Vec<String>,
    /// The name the sentinels know the master by.
    pub sentinel_master: String,
    /// Redis Cluster seed nodes: when set, the bus runs on the cluster they belong to
    /// (sharded pub/sub, following slot moves and failovers) instead of `url`.
    pub cluster_urls: Vec<String>,
    pub pool_size: usize,
    /// The prefix of every key PinTalk writes.
    pub namespace: String,
    /// Replicas that must hold an append (Redis `WAIT`) before it is acked; 0: at once.
    pub ack_after_replicas: u32,
}

impl RedisSettings {
    /// Whether a Redis is configured at all (else the bus lives in memory).
    pub fn is_set(&self) -> bool {
        !self.url.expose_secret().is_empty()
            || !self.sentinels.is_empty()
            || !self.cluster_urls.is_empty()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub issuer: String,
    pub signing_key: SecretString,
    pub signing_key_file: String,
    pub previous_public_keys: Vec<String>,
    pub public_keys: Vec<String>,
    pub public_key_file: String,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    pub verify_email_ttl_hours: u64,
    pub reset_password_ttl_mins: u64,
    pub change_email_ttl_hours: u64,
    pub bcrypt_cost: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// May hold SMTP credentials, hence secret.
    pub smtp_url: SecretString,
    pub from: String,
    pub inbound_listen: String,
    pub inbound_domain: String,
    pub inbound_max_bytes: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub max_body_bytes: usize,
    pub sites_per_owner: u32,
    pub origins_per_site: u32,
    pub signups_per_ip: u32,
    pub signups_per_ip_window_secs: u64,
    pub signups_per_email: u32,
    pub signups_per_email_window_secs: u64,
    pub reset_mails_per_ip: u32,
    pub reset_mails_per_ip_window_secs: u64,
    pub reset_mails_per_email: u32,
    pub reset_mails_per_email_window_secs: u64,
    pub account_mails_per_owner: u32,
    pub account_mails_per_owner_window_secs: u64,
    pub login_failures_per_ip: u32,
    pub login_failures_per_ip_window_secs: u64,
    pub login_free_failures: u32,
    pub login_max_delay_secs: u64,
    pub login_failures_window_secs: u64,
    pub sessions_per_ip: u32,
    pub sessions_per_site: u32,
    pub sessions_window_secs: u64,
    /// New conversations per IP per window, on one site (a site may set its own).
    pub conversations_per_ip: u32,
    pub conversations_window_secs: u64,
    /// Messages one visitor may send per minute (a site may set its own).
    pub visitor_messages_per_minute: u32,
    /// IP bans one site may hold.
    pub bans_per_site: u32,
}

/// Settings could not be loaded; the message names the key or file at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Loads defaults, then `file` if given (else `pintalk.toml` if it exists, or the file
    /// named by `PINTALK_CONFIG`), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let from_env = std::env::var_os("PINTALK_CONFIG").map(PathBuf::from);
        let (path, required) = match file.map(Path::to_path_buf).or(from_env) {
            Some(path) => (path, true),
            None => (PathBuf::from("pintalk.toml"), false),
        };
        Self::build(
            Config::builder()
                .add_source(File::from(path).format(FileFormat::Toml).required(required))
                .add_source(
                    Environment::with_prefix("PINTALK")
                        .prefix_separator("__")
                        .separator("__")
                        .list_separator(",")
                        .with_list_parse_key("auth.previous_public_keys")
                        .with_list_parse_key("auth.public_keys")
                        .with_list_parse_key("redis.sentinels")
                        .with_list_parse_key("redis.cluster_urls")
                        .try_parsing(true),
                ),
        )
    }

    /// Defaults overlaid with the given TOML text only; for tests and tools.
    pub fn from_toml(overrides: &str) -> Result<Self, SettingsError> {
        Self::build(Config::builder().add_source(File::from_str(overrides, FileFormat::Toml)))
    }

    fn build(
        layers: config::ConfigBuilder<config::builder::DefaultState>,
    ) -> Result<Self, SettingsError> {
        let mut settings: Settings = Config::builder()
            .add_source(File::from_str(DEFAULTS, FileFormat::Toml))
            .add_source(layers.build().map_err(|e| SettingsError(e.to_string()))?)
            .build()
            .and_then(Config::try_deserialize)
            .map_err(|e| SettingsError(e.to_string()))?;
        if !settings.database.url_file.is_empty() {
            let url = std::fs::read_to_string(&settings.database.url_file).map_err(|e| {
                SettingsError(format!(
                    "database.url_file {}: {e}",
                    settings.database.url_file
                ))
            })?;
            settings.database.url = SecretString::from(url.trim().to_owned());
        }
        settings.check()?;
        Ok(settings)
    }

    /// Cross-field rules the types cannot express.
    fn check(&self) -> Result<(), SettingsError> {
        if self.auth.bcrypt_cost < 10 || self.auth.bcrypt_cost > 31 {
            return Err(SettingsError(
                "auth.bcrypt_cost must be between 10 and 31".into(),
            ));
        }
        if url::Url::parse(&self.server.public_url).is_err() {
            return Err(SettingsError(
                "server.public_url must be an absolute URL".into(),
            ));
        }
        let subject = &self.push.subject;
        if !subject.is_empty() && !subject.starts_with("mailto:") && !subject.starts_with("https:")
        {
            return Err(SettingsError(
                "push.subject must be a mailto: or https: URL".into(),
            ));
        }
        let limits = &self.limits;
        if limits.max_body_bytes == 0
            || self.database.pool_size == 0
            || limits.sessions_window_secs == 0
            || limits.conversations_window_secs == 0
        {
            return Err(SettingsError(
                "limits and pool sizes must be positive".into(),
            ));
        }
        let hooks = &self.webhooks;
        if hooks.timeout_secs == 0 || hooks.batch < 1 || hooks.max_response_bytes == 0 {
            return Err(SettingsError(
                "webhooks.timeout_secs, batch and max_response_bytes must be positive".into(),
            ));
        }
        let retention = &self.retention;
        if retention.poll_secs == 0 || retention.batch < 1 || retention.lease_secs == 0 {
            return Err(SettingsError(
                "retention.poll_secs, batch and lease_secs must be positive".into(),
            ));
        }
        let targets = [
            !self.redis.url.expose_secret().is_empty(),
            !self.redis.sentinels.is_empty(),
            !self.redis.cluster_urls.is_empty(),
        ];
        if targets.iter().filter(|set| **set).count() > 1 {
            return Err(SettingsError(
                "set one of redis.url, redis.sentinels and redis.cluster_urls".into(),
            ));
        }
        if !self.redis.sentinels.is_empty() && self.redis.sentinel_master.is_empty() {
            return Err(SettingsError(
                "redis.sentinels needs redis.sentinel_master".into(),
            ));
        }
        Ok(())
    }

    /// The public URL without a trailing slash, to append paths to.
    pub fn public_base(&self) -> &str {
        self.server.public_url.trim_end_matches('/')
    }

    /// Where clients open gateway sockets: `gateway.public_url`, or the public URL with a
    /// WebSocket scheme and `/ws`.
    pub fn gateway_url(&self) -> String {
        if !self.gateway.public_url.is_empty() {
            return self.gateway.public_url.clone();
        }
        let base = self.public_base();
        let ws = base
            .strip_prefix("https://")
            .map(|rest| format!("wss://{rest}"))
            .or_else(|| {
                base.strip_prefix("http://")
                    .map(|rest| format!("ws://{rest}"))
            })
            .unwrap_or_else(|| base.to_owned());
        format!("{ws}/ws")
    }

    /// The origin owners' sockets must come from: `gateway.dashboard_origin`, or the
    /// public URL's origin.
    pub fn dashboard_origin(&self) -> String {
        if !self.gateway.dashboard_origin.is_empty() {
            return self.gateway.dashboard_origin.clone();
        }
        url::Url::parse(&self.server.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_alone_load() {
        let s = Settings::from_toml("").unwrap();
        assert_eq!(s.server.port, 8080);
        assert_eq!(s.database.url.expose_secret(), "sqlite://data/pintalk.db");
    }

    #[test]
    fn file_overrides_defaults_and_unknown_keys_are_refused() {
        let s = Settings::from_toml("[server]\nport = 9001\n").unwrap();
        assert_eq!(s.server.port, 9001);
        assert!(Settings::from_toml("[server]\nprot = 9001\n").is_err());
    }

    #[test]
    fn gateway_url_and_dashboard_origin_follow_the_public_url() {
        let s =
            Settings::from_toml("[server]\npublic_url = \"https://chat.example.com/\"\n").unwrap();
        assert_eq!(s.gateway_url(), "wss://chat.example.com/ws");
        assert_eq!(s.dashboard_origin(), "https://chat.example.com");
    }

    #[test]
    fn low_bcrypt_cost_is_refused() {
        assert!(Settings::from_toml("[auth]\nbcrypt_cost = 4\n").is_err());
    }

    #[test]
    fn sentinels_replace_the_url_and_need_a_master_name() {
        let sentinels = "[redis]\nsentinels = [\"redis://127.0.0.1:26379\"]\n";
        let s = Settings::from_toml(sentinels).unwrap();
        assert!(s.redis.is_set());
        assert_eq!(s.redis.sentinel_master, "mymaster");
        assert!(!Settings::from_toml("").unwrap().redis.is_set());
        let both = format!("{sentinels}url = \"redis://127.0.0.1:6379\"\n");
        assert!(Settings::from_toml(&both).is_err());
        let nameless = format!("{sentinels}sentinel_master = \"\"\n");
        assert!(Settings::from_toml(&nameless).is_err());
    }

    #[test]
    fn cluster_urls_replace_the_url_and_the_sentinels() {
        let cluster = "[redis]\ncluster_urls = [\"redis://127.0.0.1:7000\"]\n";
        assert!(Settings::from_toml(cluster).unwrap().redis.is_set());
        for other in [
            "url = \"redis://127.0.0.1:6379\"\n",
            "sentinels = [\"redis://127.0.0.1:26379\"]\n",
        ] {
            assert!(Settings::from_toml(&format!("{cluster}{other}")).is_err());
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s = Settings::from_toml("[database]\nurl = \"mysql://u:hunter2@db/p\"\n").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
