//! Gives every request an id, returns it in `x-request-id`, and logs each request on one
//! line with it — and, for a server error, the cause the client never sees.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

/// The request's id, readable by handlers from the request's extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

const HEADER: HeaderName = HeaderName::from_static("x-request-id");

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // A v7 UUID: unique and time-ordered, which makes log searches easy.
    let id = uuid::Uuid::now_v7().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let mut res = next.call(req).await?;
    let status = res.status();
    if status.is_server_error() {
        let cause = res
            .response()
            .error()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        log::error!(
            "request={id} {method} {path} -> {} {cause}",
            status.as_u16()
        );
    } else {
        log::info!("request={id} {method} {path} -> {}", status.as_u16());
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}
