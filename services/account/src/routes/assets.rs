//! The browser side, served by the account service: the widget at `/widget.js` and the
//! dashboard's static files at `/`, all embedded in the binary (one file to deploy). The
//! widget is minified and compressed at build time (`crate::widget_script`); the
//! dashboard's files are served as they are, and debug builds read them from `web/` so
//! edits show at once.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use crate::widget_script::{self, Encoding};

#[derive(RustEmbed)]
#[folder = "../../web/dashboard/"]
struct Dashboard;

/// The dashboard's security headers (nginx.conf sets the same in front of it).
const CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; \
                   style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'self'";

/// How long a browser or a CDN may use its copy of `/widget.js` before asking again (with
/// its ETag, answered 304 while the script is unchanged): the embed's URL carries no
/// version, so a new release reaches pages within minutes.
const WIDGET_CACHE: &str = "public, max-age=300";

/// `GET /widget.js`: the minified widget in the best encoding the browser takes, with the
/// ETag of that variant; allowed on any page (it is the embed).
pub async fn widget(req: HttpRequest) -> HttpResponse {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let encoding = widget_script::negotiate(accept);
    let etag = encoding.etag();
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| widget_script::matches(tags, &etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::CACHE_CONTROL, WIDGET_CACHE))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    if unchanged {
        return response.finish();
    }
    if encoding != Encoding::Identity {
        response.insert_header((header::CONTENT_ENCODING, encoding.token()));
    }
    response
        .content_type("application/javascript; charset=utf-8")
        .body(encoding.body())
}

/// Anything no route matched: for `GET` outside `/api`, a dashboard file or the
/// dashboard's page for its own routes (`/`, `/verify-email`, `/reset-password`, …);
/// otherwise our 404 body.
pub async fn fallback(req: HttpRequest) -> HttpResponse {
    let is_page = matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) && !req.path().starts_with("/api/");
    if is_page {
        dashboard(&req)
    } else {
        crate::error::not_found().await
    }
}

fn dashboard(req: &HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    let (file, name) = match Dashboard::get(path).filter(|_| !path.is_empty()) {
        Some(file) => (file, path),
        None => match Dashboard::get("index.html") {
            Some(file) => (file, "index.html"),
            None => return HttpResponse::NotFound().finish(),
        },
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(file.metadata.mimetype())
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((
            header::CACHE_CONTROL,
            if name == "index.html" {
                "no-cache"
            } else {
                "public, max-age=300"
            },
        ));
    response.body(file.data.into_owned())
}
