//! The API as the product names its operations: one method per endpoint, each answering
//! the raw [`Reply`], so a test asserts on status, code and body itself. Tokens are the
//! caller's (an owner's access token, or a visitor's session token where both may ask).

use awc::http::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

/// A response whose body is not JSON and must be kept byte for byte (`/widget.js`).
pub struct Script {
    pub status: awc::http::StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Script {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `path?query`, or `path` when there is no query.
fn with_query(path: String, query: &str) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// `text` percent-encoded for a query string.
pub fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl TestApp {
    /// Sends `method path` with an optional bearer token and JSON body: the raw request,
    /// for the tests whose point is a malformed one (bad input, a wrong method, an unknown
    /// path, no token). Every other test uses the typed methods below.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        self.send(method, path, token, None, body).await
    }

    /// Sends `method path` with an optional bearer token, `Origin` and JSON body.
    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        origin: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(origin) = origin {
            req = req.insert_header(("origin", origin));
        }
        let res = match body {
            Some(body) => req.send_json(&body).await,
            None => req.send().await,
        };
        Self::reply(res.expect("request sent")).await
    }

    /// `PUT /rooms/{room}/visitor/context` as a widget on `SHOP` sends it, from a browser
    /// that says it is `user_agent`.
    pub async fn report_context(
        &self,
        token: &str,
        room: &str,
        user_agent: &str,
        context: Value,
    ) -> Reply {
        let path = format!("/api/v1/rooms/{room}/visitor/context");
        let res = self
            .client
            .put(self.url(&path))
            .bearer_auth(token)
            .insert_header(("origin", crate::realtime::SHOP))
            .insert_header(("user-agent", user_agent))
            .send_json(&context)
            .await;
        Self::reply(res.expect("request sent")).await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, None).await
    }

    // Health and documents.

    /// `GET /widget.js` with extra request headers; its body as the raw bytes sent.
    pub async fn widget_script(&self, headers: &[(&str, &str)]) -> Script {
        let mut req = self.client.get(self.url("/widget.js"));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut res = req.send().await.expect("request sent");
        let bytes = res.body().limit(1 << 20).await.expect("body read");
        Script {
            status: res.status(),
            headers: res.headers().clone(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn healthz(&self) -> Reply {
        self.send(Method::GET, "/healthz", None, None, None).await
    }

    pub async fn readyz(&self) -> Reply {
        self.send(Method::GET, "/readyz", None, None, None).await
    }

    pub async fn openapi(&self) -> Reply {
        self.send(Method::GET, "/api/v1/openapi.json", None, None, None)
            .await
    }

    /// The Prometheus text in [`Reply::text`].
    pub async fn metrics(&self) -> Reply {
        self.send(Method::GET, "/metrics", None, None, None).await
    }

    /// One value from `/metrics`.
    pub async fn metric(&self, name: &str) -> i64 {
        let reply = self.metrics().await;
        reply
            .text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics"))
    }

    /// A CORS preflight of `path` from `origin`, with `access-control-request-*` headers.
    pub async fn preflight(&self, path: &str, origin: &str, asks: &[(&str, &str)]) -> Reply {
        let mut req = self
            .client
            .request(Method::OPTIONS, self.url(path))
            .insert_header(("origin", origin));
        for &ask in asks {
            req = req.insert_header(ask);
        }
        Self::reply(req.send().await.expect("request sent")).await
    }

    // Accounts and sessions.

    pub async fn signup(&self, email: &str, password: &str, name: &str) -> Reply {
        let body = json!({ "email": email, "password": password, "name": name });
        self.send(Method::POST, "/api/v1/auth/signup", None, None, Some(body))
            .await
    }

    /// A sign-up with more fields than the three every account needs (`language`).
    pub async fn signup_with(&self, fields: Value) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/signup",
            None,
            None,
            Some(fields),
        )
        .await
    }

    pub async fn verify_email(&self, token: &str) -> Reply {
        let body = json!({ "token": token });
        self.send(
            Method::POST,
            "/api/v1/auth/email/verify",
            None,
            None,
            Some(body),
        )
        .await
    }

    /// `POST /auth/email/verify/resend`: a new verification link for the signed-in owner.
    pub async fn resend_verification(&self, access: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/email/verify/resend",
            Some(access),
            None,
            None,
        )
        .await
    }

    /// `POST /me/email`: asks to move the account to `email`.
    pub async fn request_email_change(&self, access: &str, email: &str, current: &str) -> Reply {
        let body = json!({ "email": email, "current_password": current });
        self.send(
            Method::POST,
            "/api/v1/me/email",
            Some(access),
            None,
            Some(body),
        )
        .await
    }

    /// `POST /auth/email/change`: follows the link mailed to the new address.
    pub async fn confirm_email_change(&self, token: &str) -> Reply {
        let body = json!({ "token": token });
        self.send(
            Method::POST,
            "/api/v1/auth/email/change",
            None,
            None,
            Some(body),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = json!({ "email": email, "password": password });
        self.send(Method::POST, "/api/v1/auth/login", None, None, Some(body))
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        let body = json!({ "refresh_token": refresh_token });
        self.send(Method::POST, "/api/v1/auth/refresh", None, None, Some(body))
            .await
    }

    pub async fn logout(&self, access: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/logout",
            Some(access),
            None,
            None,
        )
        .await
    }

    pub async fn logout_all(&self, access: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/auth/logout-all",
            Some(access),
            None,
            None,
        )
        .await
    }

    pub async fn forgot_password(&self, email: &str) -> Reply {
        let body = json!({ "email": email });
        self.send(
            Method::POST,
            "/api/v1/auth/password/forgot",
            None,
            None,
            Some(body),
        )
        .await
    }

    pub async fn reset_password(&self, token: &str, password: &str) -> Reply {
        let body = json!({ "token": token, "password": password });
        self.send(
            Method::POST,
            "/api/v1/auth/password/reset",
            None,
            None,
            Some(body),
        )
        .await
    }

    /// `POST /auth/password/reset/check`: whether a reset link still works.
    pub async fn check_reset(&self, token: &str) -> Reply {
        let body = json!({ "token": token });
        self.send(
            Method::POST,
            "/api/v1/auth/password/reset/check",
            None,
            None,
            Some(body),
        )
        .await
    }

    pub async fn me(&self, access: &str) -> Reply {
        self.get("/api/v1/me", access).await
    }

    /// `PATCH /me`: absent fields stay, `null` clears.
    pub async fn update_me(&self, access: &str, fields: Value) -> Reply {
        self.send(
            Method::PATCH,
            "/api/v1/me",
            Some(access),
            None,
            Some(fields),
        )
        .await
    }

    pub async fn delete_me(&self, access: &str) -> Reply {
        self.send(Method::DELETE, "/api/v1/me", Some(access), None, None)
            .await
    }

    pub async fn change_password(&self, access: &str, current: &str, password: &str) -> Reply {
        let body = json!({ "current_password": current, "password": password });
        self.send(
            Method::PUT,
            "/api/v1/me/password",
            Some(access),
            None,
            Some(body),
        )
        .await
    }

    pub async fn notification_settings(&self, access: &str) -> Reply {
        self.send(
            Method::GET,
            "/api/v1/me/notifications",
            Some(access),
            None,
            None,
        )
        .await
    }

    pub async fn set_notifications(&self, access: &str, email: &str) -> Reply {
        self.send(
            Method::PUT,
            "/api/v1/me/notifications",
            Some(access),
            None,
            Some(json!({ "email": email })),
        )
        .await
    }

    /// Mails a room's transcript to whoever asks (a visitor's token: from their page).
    pub async fn mail_transcript(&self, token: &str, origin: Option<&str>, room: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/transcript/mail");
        self.send(Method::POST, &path, Some(token), origin, None)
            .await
    }

    /// `PUT /rooms/{room}/visitor/email` with a visitor's token, from their page.
    pub async fn leave_email(&self, token: &str, room: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/rooms/{room}/visitor/email");
        self.send(
            Method::PUT,
            &path,
            Some(token),
            Some("https://shop.example.com"),
            Some(fields),
        )
        .await
    }

    /// The mail's unsubscribe link: `GET` shows the page, `POST` is the one click.
    pub async fn unsubscribe(&self, method: Method, token: &str) -> Reply {
        let path = format!("/api/v1/notifications/unsubscribe?token={token}");
        self.send(method, &path, None, None, None).await
    }

    // Sites.

    pub async fn create_site(&self, access: &str, fields: Value) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/sites",
            Some(access),
            None,
            Some(fields),
        )
        .await
    }

    pub async fn sites(&self, access: &str) -> Reply {
        self.get("/api/v1/sites", access).await
    }

    pub async fn site(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}"), access).await
    }

    pub async fn update_site(&self, access: &str, site: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}");
        self.send(Method::PATCH, &path, Some(access), None, Some(fields))
            .await
    }

    pub async fn delete_site(&self, access: &str, site: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}");
        self.send(Method::DELETE, &path, Some(access), None, None)
            .await
    }

    pub async fn rotate_site_key(&self, access: &str, site: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/key");
        self.send(Method::POST, &path, Some(access), None, None)
            .await
    }

    /// A site's identity verification settings.
    pub async fn identity(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}/identity"), access)
            .await
    }

    pub async fn update_identity(&self, access: &str, site: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}/identity");
        self.send(Method::PATCH, &path, Some(access), None, Some(fields))
            .await
    }

    /// Generates (or replaces) a site's identity secret.
    pub async fn rotate_identity_secret(&self, access: &str, site: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/identity/secret");
        self.send(Method::POST, &path, Some(access), None, None)
            .await
    }

    // Rooms.

    /// A site's rooms; `query` is the query string without `?` (empty for none).
    pub async fn inbox(&self, access: &str, site: &str, query: &str) -> Reply {
        let path = with_query(format!("/api/v1/sites/{site}/rooms"), query);
        self.get(&path, access).await
    }

    /// A site's rooms that match the search `q` (sent encoded).
    pub async fn search_rooms(&self, access: &str, site: &str, q: &str) -> Reply {
        self.inbox(access, site, &format!("q={}", encoded(q))).await
    }

    pub async fn room(&self, token: &str, room: &str) -> Reply {
        self.get(&format!("/api/v1/rooms/{room}"), token).await
    }

    pub async fn update_room(&self, access: &str, room: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/rooms/{room}");
        self.send(Method::PATCH, &path, Some(access), None, Some(fields))
            .await
    }

    pub async fn retention(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}/retention"), access)
            .await
    }

    pub async fn set_retention(&self, access: &str, site: &str, days: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}/retention");
        let body = json!({ "retention_days": days });
        self.send(Method::PUT, &path, Some(access), None, Some(body))
            .await
    }

    pub async fn export_visitor(&self, access: &str, room: &str) -> Reply {
        self.get(&format!("/api/v1/rooms/{room}/visitor/export"), access)
            .await
    }

    /// The owner's whole workspace (streamed; read whole here).
    pub async fn export_workspace(&self, access: &str) -> Reply {
        self.get("/api/v1/me/export", access).await
    }

    pub async fn erase_visitor(&self, access: &str, room: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/visitor");
        self.send(Method::DELETE, &path, Some(access), None, None)
            .await
    }

    pub async fn block_visitor(&self, access: &str, room: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/block");
        self.send(Method::POST, &path, Some(access), None, None)
            .await
    }

    pub async fn unblock_visitor(&self, access: &str, room: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/block");
        self.send(Method::DELETE, &path, Some(access), None, None)
            .await
    }

    /// A site's blocked visitors; `query` as for [`TestApp::inbox`].
    pub async fn blocked_visitors(&self, access: &str, site: &str, query: &str) -> Reply {
        let path = with_query(format!("/api/v1/sites/{site}/blocked"), query);
        self.get(&path, access).await
    }

    // Webhooks.

    pub async fn create_webhook(&self, access: &str, site: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}/webhooks");
        self.send(Method::POST, &path, Some(access), None, Some(fields))
            .await
    }

    pub async fn webhooks(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}/webhooks"), access)
            .await
    }

    pub async fn update_webhook(
        &self,
        access: &str,
        site: &str,
        hook: &str,
        fields: Value,
    ) -> Reply {
        let path = format!("/api/v1/sites/{site}/webhooks/{hook}");
        self.send(Method::PATCH, &path, Some(access), None, Some(fields))
            .await
    }

    pub async fn delete_webhook(&self, access: &str, site: &str, hook: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/webhooks/{hook}");
        self.send(Method::DELETE, &path, Some(access), None, None)
            .await
    }

    /// An endpoint's delivery log; `query` as for [`TestApp::inbox`].
    pub async fn deliveries(&self, access: &str, site: &str, hook: &str, query: &str) -> Reply {
        let path = with_query(
            format!("/api/v1/sites/{site}/webhooks/{hook}/deliveries"),
            query,
        );
        self.get(&path, access).await
    }

    pub async fn redeliver(&self, access: &str, site: &str, hook: &str, delivery: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/webhooks/{hook}/deliveries/{delivery}/redeliver");
        self.send(Method::POST, &path, Some(access), None, None)
            .await
    }

    /// A room's messages, for its owner or its visitor; `query` as for [`TestApp::inbox`].
    pub async fn history(&self, token: &str, room: &str, query: &str) -> Reply {
        let path = with_query(format!("/api/v1/rooms/{room}/messages"), query);
        self.get(&path, token).await
    }

    /// The history as the widget asks for it: from its page's `origin`.
    pub async fn history_from(&self, origin: &str, token: &str, room: &str) -> Reply {
        let path = format!("/api/v1/rooms/{room}/messages");
        self.send(Method::GET, &path, Some(token), Some(origin), None)
            .await
    }

    /// The transcript (text in [`Reply::text`] unless `query` asks for `format=json`).
    pub async fn transcript(&self, access: &str, room: &str, query: &str) -> Reply {
        let path = with_query(format!("/api/v1/rooms/{room}/transcript"), query);
        self.get(&path, access).await
    }

    // Realtime and the widget.

    /// A gateway ticket for the owner signed in with `access`.
    pub async fn realtime_token(&self, access: &str) -> Reply {
        self.send(
            Method::POST,
            "/api/v1/realtime/token",
            Some(access),
            None,
            None,
        )
        .await
    }

    /// The widget's settings for `site_key`, asked from `origin` (or from no page).
    pub async fn widget_config(&self, site_key: &str, origin: Option<&str>) -> Reply {
        let path = format!("/api/v1/widget/config?site_key={site_key}");
        self.send(Method::GET, &path, None, origin, None).await
    }

    /// `POST /widget/sessions` from `origin`, optionally as a returning visitor.
    pub async fn widget_session(
        &self,
        site_key: &str,
        origin: &str,
        returning: Option<&Value>,
    ) -> Reply {
        let mut fields = json!({});
        if let Some(previous) = returning {
            fields["visitor_id"] = previous["visitor_id"].clone();
            fields["visitor_secret"] = previous["visitor_secret"].clone();
        }
        self.widget_session_with(site_key, origin, fields).await
    }

    /// `POST /widget/sessions` from `origin` with `fields` (name, email, ...) besides the
    /// site key.
    pub async fn widget_session_with(&self, site_key: &str, origin: &str, fields: Value) -> Reply {
        let mut body = json!({ "site_key": site_key });
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        let path = format!("/api/v1/widget/sessions?site_key={site_key}");
        self.send(Method::POST, &path, None, Some(origin), Some(body))
            .await
    }

    // IP bans and a site's limits.

    pub async fn create_ban(&self, access: &str, site: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}/bans");
        self.send(Method::POST, &path, Some(access), None, Some(fields))
            .await
    }

    pub async fn bans(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}/bans"), access)
            .await
    }

    pub async fn delete_ban(&self, access: &str, site: &str, ban: &str) -> Reply {
        let path = format!("/api/v1/sites/{site}/bans/{ban}");
        self.send(Method::DELETE, &path, Some(access), None, None)
            .await
    }

    pub async fn site_limits(&self, access: &str, site: &str) -> Reply {
        self.get(&format!("/api/v1/sites/{site}/limits"), access)
            .await
    }

    pub async fn set_site_limits(&self, access: &str, site: &str, fields: Value) -> Reply {
        let path = format!("/api/v1/sites/{site}/limits");
        self.send(Method::PUT, &path, Some(access), None, Some(fields))
            .await
    }

    /// `GET /widget/config` from a page at `origin`, by a client at `ip` as a proxy tells
    /// it (`X-Forwarded-For`: the app must have `server.trust_forwarded_for`).
    pub async fn widget_config_from(&self, site_key: &str, origin: &str, ip: &str) -> Reply {
        let path = format!("/api/v1/widget/config?site_key={site_key}");
        let req = self
            .client
            .get(self.url(&path))
            .insert_header(("origin", origin))
            .insert_header(("x-forwarded-for", ip));
        Self::reply(req.send().await.expect("request sent")).await
    }

    /// `POST /widget/sessions` with `fields` from a page at `origin`, by a client at `ip`
    /// as a proxy tells it.
    pub async fn widget_session_from(
        &self,
        site_key: &str,
        origin: &str,
        ip: &str,
        fields: Value,
    ) -> Reply {
        let mut body = json!({ "site_key": site_key });
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        let path = format!("/api/v1/widget/sessions?site_key={site_key}");
        let req = self
            .client
            .post(self.url(&path))
            .insert_header(("origin", origin))
            .insert_header(("x-forwarded-for", ip));
        Self::reply(req.send_json(&body).await.expect("request sent")).await
    }
}
