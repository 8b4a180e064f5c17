//! The browser side, served by the account service: the widget at `/widget.js` and the
//! dashboard's static files at `/`. In release builds the files are embedded in the
//! binary (one file to deploy); debug builds read them from `web/` so edits show at once.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/widget/"]
struct Widget;

#[derive(RustEmbed)]
#[folder = "../../web/dashboard/"]
struct Dashboard;

/// The dashboard's security headers (nginx.conf sets the same in front of it).
const CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; \
                   style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; \
                   form-action 'self'";

/// `GET /widget.js`: cacheable for a few minutes, revalidated by ETag, and allowed on any
/// page (it is the embed).
pub async fn widget(req: HttpRequest) -> HttpResponse {
    match Widget::get("pintalk.js") {
        Some(file) => {
            let etag = format!(
                "\"{}\"",
                pintalk_core::secret::hex(&file.metadata.sha256_hash()[..8])
            );
            if req
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(etag.as_str())
            {
                return HttpResponse::NotModified()
                    .insert_header((header::ETAG, etag))
                    .finish();
            }
            HttpResponse::Ok()
                .content_type("application/javascript; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                .insert_header((header::ETAG, etag))
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
                .body(file.data.into_owned())
        }
        None => HttpResponse::NotFound().finish(),
    }
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
