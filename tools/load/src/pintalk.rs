//! Getting PinTalk ready for load the way a user would: an owner signs up, follows the
//! verification link (read from the mail file the account service writes without SMTP),
//! logs in and registers a site; visitors then open widget sessions for socket tickets.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::http::{self, Reply};

/// Widget sessions requested at once while preparing.
const SESSION_CONCURRENCY: usize = 32;

/// The account service and what the tool needs to act as an owner of one site there.
#[derive(Clone)]
pub struct Pintalk {
    pub api: String,
    pub origin: String,
    pub access_token: String,
    pub site_key: String,
}

/// One visitor's conversation: what reopening their socket takes.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub visitor_id: String,
    pub visitor_secret: String,
    pub room: String,
    pub token: String,
}

fn expect(reply: Reply, status: u16, what: &str) -> Result<Value> {
    if reply.status != status {
        bail!("{what}: HTTP {} {}", reply.status, reply.body);
    }
    Ok(reply.body)
}

impl Pintalk {
    /// A new verified owner (a unique email per run) with one site allowing `origin`.
    pub async fn owner_with_site(api: &str, mail_dir: &Path, origin: &str) -> Result<Pintalk> {
        let email = format!("load-{}-{}@bench.example", std::process::id(), now_micros());
        let password = "load tool password";
        let signup = json!({ "email": email, "password": password, "name": "Load" });
        expect(
            http::post(api, "/api/v1/auth/signup", &[], signup).await?,
            201,
            "signup",
        )?;
        let token = verification_token(mail_dir, &email).await?;
        expect(
            http::post(
                api,
                "/api/v1/auth/email/verify",
                &[],
                json!({ "token": token }),
            )
            .await?,
            204,
            "verifying the email",
        )?;
        let login = expect(
            http::post(
                api,
                "/api/v1/auth/login",
                &[],
                json!({ "email": email, "password": password }),
            )
            .await?,
            200,
            "login",
        )?;
        let access_token = login["access_token"]
            .as_str()
            .context("no access token")?
            .to_owned();
        let bearer = format!("Bearer {access_token}");
        let site = expect(
            http::post(
                api,
                "/api/v1/sites",
                &[("Authorization", &bearer)],
                json!({ "name": "Load", "allowed_origins": [origin] }),
            )
            .await?,
            201,
            "creating the site",
        )?;
        Ok(Pintalk {
            api: api.to_owned(),
            origin: origin.to_owned(),
            access_token,
            site_key: site["site_key"].as_str().context("no site key")?.to_owned(),
        })
    }

    /// `n` new visitors, each with their own conversation.
    pub async fn new_visitors(&self, n: usize) -> Result<Vec<Ticket>> {
        stream::iter(0..n)
            .map(|_| self.session(None))
            .buffered(SESSION_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    /// A widget session: a new visitor, or `returning` one back for a fresh ticket.
    pub async fn session(&self, returning: Option<&Ticket>) -> Result<Ticket> {
        let mut body = json!({ "site_key": self.site_key });
        if let Some(t) = returning {
            body["visitor_id"] = json!(t.visitor_id);
            body["visitor_secret"] = json!(t.visitor_secret);
        }
        let path = format!("/api/v1/widget/sessions?site_key={}", self.site_key);
        let reply = http::post(&self.api, &path, &[("Origin", &self.origin)], body).await?;
        let status = reply.status;
        ensure!(
            status == 200,
            "widget session: HTTP {status} {}",
            reply.body
        );
        let field = |name: &str| reply.body[name].as_str().map(str::to_owned);
        Ok(Ticket {
            visitor_id: field("visitor_id").context("no visitor id")?,
            // A returning visitor keeps their secret; only a new one is given one.
            visitor_secret: field("visitor_secret")
                .or_else(|| returning.map(|t| t.visitor_secret.clone()))
                .context("no visitor secret")?,
            room: reply.body["room"]["id"]
                .as_str()
                .context("no room")?
                .to_owned(),
            token: field("token").context("no token")?,
        })
    }
}

/// The token of the verification link mailed to `email`, waiting for the mail to appear.
async fn verification_token(mail_dir: &Path, email: &str) -> Result<String> {
    for _ in 0..200 {
        for path in mail_files(mail_dir) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if !text.starts_with(&format!("To: {email}\n")) {
                continue;
            }
            if let Some(start) = text.find("token=") {
                let token: String = text[start + "token=".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return Ok(token);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("no verification mail for {email} in {}", mail_dir.display())
}

fn mail_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

pub fn now_micros() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default()
}
