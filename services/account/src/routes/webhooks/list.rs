//! `GET /api/v1/sites/{id}/webhooks`: the site's endpoints.

use actix_web::{HttpResponse, web};
use pintalk_db::webhooks;

use super::{WebhookView, owned_site};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::sites::SitePath;
use crate::state::AppState;

/// The site's webhook endpoints, oldest first (without their secrets).
#[utoipa::path(get, path = "/api/v1/sites/{id}/webhooks", tag = "webhooks", security(("bearer" = [])),
    params(SitePath), responses((status = 200, body = Vec<WebhookView>)))]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site) = (auth.permitted(path.id, Action::ManageSites)?, path.id);
    let list = state
        .db(move |conn| {
            owned_site(conn, &granted, site)?;
            Ok(webhooks::list_for_site(conn, site)?)
        })
        .await?;
    let views: Vec<WebhookView> = list.into_iter().map(WebhookView::new).collect();
    Ok(HttpResponse::Ok().json(views))
}
