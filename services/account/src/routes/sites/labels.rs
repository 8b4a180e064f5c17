//! `GET /api/v1/sites/{id}/labels`: the labels in use on a site's conversations, for the
//! inbox's filter and the composer of labels.

use actix_web::{HttpResponse, web};
use pintalk_db::sites;
use serde::Serialize;
use utoipa::ToSchema;

use super::SitePath;
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The most labels the list holds; the rest are the least used.
const MAX_LISTED: i64 = 200;

/// A label and how many of the site's conversations carry it.
#[derive(Serialize, ToSchema)]
pub struct LabelView {
    pub name: String,
    pub rooms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LabelList {
    /// Most used first, then by name; at most 200.
    pub labels: Vec<LabelView>,
}

/// The labels on the site's conversations. An API token needs the `read` scope.
#[utoipa::path(get, path = "/api/v1/sites/{id}/labels", tag = "sites",
    security(("bearer" = []), ("api_token" = ["read"])),
    params(SitePath), responses((status = 200, body = LabelList)))]
pub async fn list_labels(
    state: web::Data<AppState>,
    access: ReadAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site) = (
        access.permitted(path.id, Action::ReadConversations)?,
        path.id,
    );
    let labels = state
        .db(move |conn| {
            sites::find_in(conn, &granted, site)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(pintalk_db::labels::of_site(conn, site, MAX_LISTED)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(LabelList {
        labels: labels
            .into_iter()
            .map(|l| LabelView {
                name: l.label,
                rooms: l.rooms,
            })
            .collect(),
    }))
}
