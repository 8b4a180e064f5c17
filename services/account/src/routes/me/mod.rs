//! The signed-in owner's own account: one handler per file.

pub mod delete;
pub mod email;
pub mod export;
pub mod get;
pub mod notifications;
pub mod password;
pub mod push;
pub mod update;

use pintalk_core::clock::rfc3339;
use pintalk_core::domain::Language;
use pintalk_core::ids::OwnerId;
use pintalk_db::models::Owner;
use pintalk_db::one_time_tokens;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// An owner as the API shows them.
#[derive(Serialize, ToSchema)]
pub struct OwnerView {
    pub id: OwnerId,
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub avatar_url: Option<String>,
    /// Until true, the owner's widgets are not live.
    pub email_verified: bool,
    /// An address the owner asked to move to, until its link is followed (or expires);
    /// `email` stays as it is meanwhile.
    pub pending_email: Option<String>,
    /// The dashboard's language for this owner, on every device they sign in from.
    pub language: Language,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Owner> for OwnerView {
    fn from(o: Owner) -> Self {
        OwnerView {
            id: o.id,
            email: o.email,
            name: o.name,
            company: o.company,
            avatar_url: o.avatar_url,
            email_verified: o.email_verified_at.is_some(),
            pending_email: None,
            language: o.language,
            created_at: rfc3339(o.created_at),
        }
    }
}

/// The owner as `/me` shows them, with their pending email change.
pub(crate) async fn owner_view(state: &AppState, owner: Owner) -> Result<OwnerView, ApiError> {
    let id = owner.id;
    let pending_email = state
        .db(move |conn| Ok(one_time_tokens::pending_email(conn, id)?))
        .await?;
    Ok(OwnerView {
        pending_email,
        ..OwnerView::from(owner)
    })
}
