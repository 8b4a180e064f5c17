//! `GET /api/v1/sites/{id}/webhooks/{webhook}/deliveries`: an endpoint's delivery log.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::ids::DeliveryId;
use pintalk_db::deliveries;
use serde::Serialize;
use utoipa::ToSchema;

use super::{DeliveryView, WebhookPath, owned_webhook};
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::PageQuery;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct DeliveryPage {
    pub deliveries: Vec<DeliveryView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// The endpoint's deliveries, the newest first.
#[utoipa::path(get, path = "/api/v1/sites/{id}/webhooks/{webhook}/deliveries", tag = "webhooks",
    security(("bearer" = [])), params(WebhookPath, PageQuery),
    responses((status = 200, body = DeliveryPage)))]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<WebhookPath>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit()?;
    let before: Option<DeliveryId> = query
        .cursor
        .as_deref()
        .map(|c| {
            c.parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidQuery,
                    "cursor is not one this API gave out",
                )
            })
        })
        .transpose()?;
    let webhook =
        owned_webhook(&state, auth.permitted(path.id, Action::ManageSites)?, &path).await?;
    let mut rows = state
        .db(move |conn| Ok(deliveries::page(conn, webhook.id, before, limit + 1)?))
        .await?;
    let page = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > page;
    rows.truncate(page);
    let next_cursor = rows.last().filter(|_| more).map(|d| d.id.to_string());
    Ok(HttpResponse::Ok().json(DeliveryPage {
        deliveries: rows.into_iter().map(DeliveryView::new).collect(),
        next_cursor,
    }))
}
