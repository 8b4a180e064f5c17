//! Canned replies: a workspace's saved answers, typed as `/shortcut` in the dashboard's
//! composer. List, create, edit, delete; one handler per file. Until workspaces exist
//! (issue 12) they belong to the owner's account. The body's variables
//! (`{visitor.name}`, `{visitor.email}`, `{agent.name}`, `{site.name}`) are stored as
//! typed and expanded by the dashboard when it inserts the reply.

pub mod create;
pub mod delete;
pub mod list;
pub mod update;

use pintalk_core::ErrorCode;
use pintalk_core::clock::rfc3339;
use pintalk_core::ids::{CannedReplyId, WorkspaceId};
use pintalk_db::canned_replies::Saved;
use pintalk_db::models::CannedReply;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::text::bounded;
use crate::error::ApiError;

/// Replies one owner may keep.
pub const MAX_CANNED_REPLIES: usize = 200;
/// The longest body, in characters.
pub const MAX_BODY_CHARS: usize = 4000;
/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;

/// A canned reply as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct CannedReplyView {
    pub id: CannedReplyId,
    /// The workspace it belongs to.
    pub workspace_id: WorkspaceId,
    /// `^[a-z0-9_-]{1,32}$`, unique per workspace.
    pub shortcut: String,
    pub title: Option<String>,
    /// As typed, variables unexpanded.
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl From<CannedReply> for CannedReplyView {
    fn from(r: CannedReply) -> Self {
        CannedReplyView {
            id: r.id,
            workspace_id: r.workspace_id,
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CannedReplyPath {
    /// The reply's id.
    pub id: CannedReplyId,
}

/// A checked shortcut: 1 to 32 of `a-z`, `0-9`, `_`, `-` (lowercase, not trimmed).
pub fn shortcut(raw: &str) -> Result<String, ApiError> {
    let ok = (1..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !ok {
        return Err(ApiError::invalid_field(
            "shortcut",
            "must be 1 to 32 of a-z, 0-9, _ and -",
        ));
    }
    Ok(raw.to_owned())
}

/// A checked title: null or blank means none.
pub fn title(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw {
        Some(t) if !t.trim().is_empty() => {
            Ok(Some(bounded("title", t, 1, MAX_TITLE_CHARS, false)?))
        }
        _ => Ok(None),
    }
}

/// A checked body: 1 to 4000 characters, newlines allowed.
pub fn body(raw: &str) -> Result<String, ApiError> {
    bounded("body", raw, 1, MAX_BODY_CHARS, true)
}

/// The refusal for a save that did not store, if it did not.
pub fn refusal(saved: Saved) -> Option<ApiError> {
    match saved {
        Saved::Stored => None,
        Saved::Full => Some(ApiError::new(
            ErrorCode::CannedRepliesFull,
            format!("at most {MAX_CANNED_REPLIES} canned replies; delete one first"),
        )),
        Saved::ShortcutTaken => Some(ApiError::new(
            ErrorCode::CannedReplyShortcutTaken,
            "another canned reply has this shortcut",
        )),
        Saved::Missing => Some(ApiError::not_found("canned reply")),
    }
}
