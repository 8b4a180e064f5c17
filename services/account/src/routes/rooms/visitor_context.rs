//! `PUT /api/v1/rooms/{id}/visitor/context`: who the visitor is, as their widget sees it
//! — the page, where they came from, language, time zone, screen — reported with the
//! session and on every navigation; the server adds the browser, OS and device parsed
//! from the User-Agent, and the visit count. Members see it beside the conversation, live.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::clock::{now_ms, rfc3339};
use pintalk_core::protocol::ServerFrame;
use pintalk_db::visitor_contexts::{self, VisitorContext};
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use super::RoomPath;
use super::messages::{readable_room, visitor_ok, visitor_origin};
use crate::auth::Reader;
use crate::body::Json;
use crate::domain::text::{blank_is_none, bounded};
use crate::error::ApiError;
use crate::state::AppState;

/// The longest URL kept (page and referrer), in bytes.
const MAX_URL_BYTES: usize = 2048;
/// The longest page title, in characters.
const MAX_TITLE_CHARS: usize = 300;
/// The longest User-Agent header parsed, in bytes; a longer one is not parsed.
const MAX_USER_AGENT_BYTES: usize = 512;
/// The largest screen side taken, in CSS pixels.
const MAX_SCREEN_PX: i64 = 100_000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    /// CSS pixels, 1 to 100000.
    pub width: i64,
    pub height: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextRequest {
    /// The page the widget is on (`location.href`): of the session's origin, up to 2048
    /// bytes.
    pub url: String,
    /// `document.title`, up to 300 characters; blank for none.
    #[serde(default)]
    pub title: Option<String>,
    /// `document.referrer`: an http(s) URL of up to 2048 bytes; blank for none.
    #[serde(default)]
    pub referrer: Option<String>,
    /// `navigator.language`: a language tag (letters, digits, `-`), up to 35 characters.
    #[serde(default)]
    pub language: Option<String>,
    /// The IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), up to
    /// 64 of letters, digits, `/`, `_`, `+`, `-`.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub screen: Option<Screen>,
}

/// The screen's size, in CSS pixels.
#[derive(Serialize, ToSchema)]
pub struct ScreenView {
    pub width: i32,
    pub height: i32,
}

/// Who the visitor is, as last reported: shown beside the conversation.
#[derive(Serialize, ToSchema)]
pub struct ContextView {
    pub url: String,
    pub title: Option<String>,
    pub referrer: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub screen: Option<ScreenView>,
    /// Parsed from the User-Agent: e.g. "Chrome", "120.0.0.0", "Linux", "pc"
    /// (`pc`, `smartphone`, `mobilephone`, `appliance`, `crawler`); null when unknown.
    pub browser: Option<String>,
    pub browser_version: Option<String>,
    pub os: Option<String>,
    pub device: Option<String>,
    /// Reports more than 30 minutes apart, this one included.
    pub visits: i64,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl From<VisitorContext> for ContextView {
    fn from(c: VisitorContext) -> Self {
        let screen = c
            .screen_width
            .zip(c.screen_height)
            .map(|(width, height)| ScreenView { width, height });
        ContextView {
            url: c.page_url,
            title: c.page_title,
            referrer: c.referrer,
            language: c.language,
            time_zone: c.time_zone,
            screen,
            browser: c.browser,
            browser_version: c.browser_version,
            os: c.os,
            device: c.device,
            visits: c.visits,
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// Stores what the widget reports about its visitor, in place of the last report. The
/// site's members hear of it live (a `visitor` frame). Only the visitor reports, with
/// the widget session's token.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/visitor/context", tag = "rooms", security(("bearer" = [])),
    params(RoomPath), request_body = ContextRequest,
    responses(
        (status = 200, body = ContextView),
        (status = 400, description = "invalid_field: a field out of its bounds, or a page of another origin", body = crate::error::ErrorBody),
        (status = 401, description = "invalid_token: an owner's token (only the visitor reports)", body = crate::error::ErrorBody),
    ))]
pub async fn report_context(
    state: web::Data<AppState>,
    req: HttpRequest,
    reader: Reader,
    path: web::Path<RoomPath>,
    body: Json<ContextRequest>,
) -> Result<HttpResponse, ApiError> {
    let origin = visitor_origin(&reader, "reports their context")?.to_owned();
    let request = body.into_inner();
    let page_url = web_address("url", &request.url)?;
    if Url::parse(&page_url).map(|u| u.origin().ascii_serialization()) != Ok(origin.clone()) {
        return Err(ApiError::invalid_field(
            "url",
            "must be a page of this site's origin",
        ));
    }
    let (screen_width, screen_height) = screen(request.screen.as_ref())?;
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .filter(|ua| ua.len() <= MAX_USER_AGENT_BYTES)
        .and_then(|ua| woothee::parser::Parser::new().parse(ua));
    let known = |value: &str| {
        (!value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN)
            .then(|| value.chars().take(64).collect::<String>())
    };
    let room = readable_room(&state, &reader, path.id).await?;
    let context = VisitorContext {
        visitor_id: room.visitor_id,
        page_url,
        page_title: blank_is_none(request.title.as_deref(), |t| {
            bounded("title", t, 1, MAX_TITLE_CHARS, false)
        })?,
        referrer: blank_is_none(request.referrer.as_deref(), |r| web_address("referrer", r))?,
        language: blank_is_none(request.language.as_deref(), |l| {
            tag("language", l, 35, |c| c.is_ascii_alphanumeric() || c == '-')
        })?,
        time_zone: blank_is_none(request.time_zone.as_deref(), |z| {
            tag("time_zone", z, 64, |c| {
                c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-')
            })
        })?,
        screen_width,
        screen_height,
        browser: agent.as_ref().and_then(|a| known(a.name)),
        browser_version: agent.as_ref().and_then(|a| known(a.version)),
        os: agent.as_ref().and_then(|a| known(a.os)),
        device: agent.as_ref().and_then(|a| known(a.category)),
        visits: 1,
        updated_at: now_ms(),
    };
    let stored = state
        .db(move |conn| Ok(visitor_contexts::report(conn, &context)?))
        .await?;
    let view = ContextView::from(stored);
    let frame = ServerFrame::Visitor {
        room: room.id,
        site: room.site_id,
        // A plain struct of strings and numbers: it always serialises.
        context: serde_json::to_value(&view).unwrap_or_default(),
    };
    state
        .bus
        .publish(&[Topic::Site(room.site_id)], frame.to_text().into())
        .await?;
    Ok(visitor_ok(&req, &origin).json(view))
}

/// An http(s) URL of at most 2048 bytes, as parsed.
fn web_address(field: &str, raw: &str) -> Result<String, ApiError> {
    let invalid = || ApiError::invalid_field(field, "must be an http(s) URL of at most 2048 bytes");
    if raw.len() > MAX_URL_BYTES {
        return Err(invalid());
    }
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.as_str().len() > MAX_URL_BYTES {
        return Err(invalid());
    }
    Ok(url.to_string())
}

/// A short token of `allowed` characters (a language tag, a time zone name).
fn tag(
    field: &str,
    raw: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<String, ApiError> {
    let text = raw.trim();
    if text.len() > max || !text.chars().all(allowed) {
        return Err(ApiError::invalid_field(
            field,
            &format!("must be at most {max} characters of a name"),
        ));
    }
    Ok(text.to_owned())
}

fn screen(raw: Option<&Screen>) -> Result<(Option<i32>, Option<i32>), ApiError> {
    let Some(s) = raw else {
        return Ok((None, None));
    };
    let side = |v: i64| {
        (1..=MAX_SCREEN_PX)
            .contains(&v)
            .then(|| i32::try_from(v).ok())
            .flatten()
            .ok_or_else(|| ApiError::invalid_field("screen", "sides are 1 to 100000 pixels"))
    };
    Ok((Some(side(s.width)?), Some(side(s.height)?)))
}
