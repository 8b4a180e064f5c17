//! `GET /api/v1/sites/{id}/rooms`: the inbox.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use pintalk_core::ErrorCode;
use pintalk_core::ids::RoomId;
use pintalk_core::protocol::RoomStatus;
use pintalk_core::search::Search;
use pintalk_db::rooms::{self, AssigneeFilter, InboxCursor, InboxPage};
use pintalk_db::search;
use serde::Deserialize;

use super::{Preview, RoomPage, SiteRoomsPath, views_of};
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only open or only closed conversations.
    pub status: Option<RoomStatus>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100, default 30.
    pub limit: Option<i64>,
    /// Search: 1 to 100 characters; conversations where every word starts a word of one
    /// of its messages or of the visitor's name or email (case-insensitive).
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Only conversations assigned to you (`me`) or to nobody (`nobody`); default: all.
    pub assignee: Option<AssigneeQuery>,
    /// Only conversations with this label (compared as stored: trimmed, lower-case).
    #[param(min_length = 1, max_length = 32)]
    pub label: Option<String>,
}

/// The inbox's assignment filter, as the query names it.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeQuery {
    Me,
    Nobody,
}

fn parse_cursor(raw: &str) -> Result<InboxCursor, ApiError> {
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidQuery,
            "cursor is not one this API gave out",
        )
    };
    let (at, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok(InboxCursor {
        updated_at: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// A site's conversations that have messages, most recently active first. An API token
/// needs the `read` scope.
#[utoipa::path(get, path = "/api/v1/sites/{id}/rooms", tag = "rooms", security(("bearer" = []), ("api_token" = ["read"])),
    params(SiteRoomsPath, InboxQuery), responses((status = 200, body = RoomPage)))]
pub async fn list_rooms(
    state: web::Data<AppState>,
    access: ReadAccess,
    path: web::Path<SiteRoomsPath>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "limit must be 1 to 100",
        ));
    }
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let search = query
        .q
        .as_deref()
        .map(Search::parse)
        .transpose()
        .map_err(|e| ApiError::new(ErrorCode::InvalidQuery, e.to_string()))?;
    let label = query
        .label
        .as_deref()
        .map(super::labels::normalize)
        .transpose()
        .map_err(|why| ApiError::new(ErrorCode::InvalidQuery, format!("label: {why}")))?;
    let status = query.status;
    let (owner, site) = (access.owner.id, path.id);
    access.site(site, Action::ReadConversations)?;
    let granted = access.sites(Action::ReadConversations);
    // "Me" is whoever the access acts as: the member, for their session or their API token.
    let assignee = query.assignee.map(|filter| match filter {
        AssigneeQuery::Me => AssigneeFilter::To(owner),
        AssigneeQuery::Nobody => AssigneeFilter::Nobody,
    });
    let (rows, mut matched) = state
        .db(move |conn| {
            let page = InboxPage {
                site,
                status,
                search: search.as_ref(),
                assignee,
                label: label.as_deref(),
                after: cursor,
                limit: limit + 1,
            };
            let reader = rooms::Reader {
                member: owner,
                granted: &granted,
            };
            let rows = rooms::inbox(conn, reader, &page)?;
            let matched = match &search {
                Some(search) => {
                    let ids: Vec<RoomId> = rows.iter().map(|row| row.room.id).collect();
                    search::latest_matches(conn, &ids, search)?
                }
                None => BTreeMap::new(),
            };
            Ok((rows, matched))
        })
        .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    let page: Vec<_> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let last = page
        .last()
        .map(|row| format!("{}.{}", row.room.updated_at, row.room.id));
    let mut views = views_of(&state, page).await?;
    for view in &mut views {
        view.matched = matched.remove(&view.id).map(Preview::from);
    }
    let next_cursor = if more { last } else { None };
    Ok(HttpResponse::Ok().json(RoomPage {
        rooms: views,
        next_cursor,
    }))
}
