//! `GET /api/v1/sites/{id}/blocked`: the visitors the owner blocked on a site.

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{RoomId, VisitorId};
use pintalk_db::sites;
use pintalk_db::visitors::{self, BlockedCursor, BlockedVisitor};
use serde::Serialize;
use utoipa::ToSchema;

use super::SitePath;
use crate::access::SessionAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::routes::PageQuery;
use crate::state::AppState;

/// A blocked visitor as the owner sees them.
#[derive(Serialize, ToSchema)]
pub struct BlockedView {
    pub id: VisitorId,
    pub name: Option<String>,
    pub email: Option<String>,
    /// RFC 3339, UTC.
    pub blocked_at: String,
    /// Their latest conversation (unblock it with `DELETE /rooms/{room_id}/block`).
    pub room_id: Option<RoomId>,
}

#[derive(Serialize, ToSchema)]
pub struct BlockedPage {
    pub visitors: Vec<BlockedView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

fn parse_cursor(raw: &str) -> Result<BlockedCursor, ApiError> {
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidQuery,
            "cursor is not one this API gave out",
        )
    };
    let (at, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok(BlockedCursor {
        blocked_at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// The site's blocked visitors, the most recently blocked first.
#[utoipa::path(get, path = "/api/v1/sites/{id}/blocked", tag = "sites", security(("bearer" = [])),
    params(SitePath, PageQuery), responses((status = 200, body = BlockedPage)))]
pub async fn list_blocked(
    state: web::Data<AppState>,
    auth: SessionAccess,
    path: web::Path<SitePath>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit()?;
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let (granted, site) = (auth.permitted(path.id, Action::ReadConversations)?, path.id);
    let mut rows = state
        .db(move |conn| {
            sites::find_in(conn, &granted, site)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(visitors::blocked(conn, site, cursor, limit + 1)?)
        })
        .await?;
    let page = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > page;
    rows.truncate(page);
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .and_then(|row| Some(format!("{}.{}", row.visitor.blocked_at?, row.visitor.id)));
    Ok(HttpResponse::Ok().json(BlockedPage {
        visitors: rows.into_iter().map(view_of).collect(),
        next_cursor,
    }))
}

fn view_of(row: BlockedVisitor) -> BlockedView {
    BlockedView {
        id: row.visitor.id,
        name: row.visitor.name,
        email: row.visitor.email,
        blocked_at: rfc3339(row.visitor.blocked_at.unwrap_or_default()),
        room_id: row.room,
    }
}
