//! `PUT /api/v1/rooms/{id}/labels`: the labels on a conversation, for sorting the inbox
//! ("billing", "bug"); `GET /api/v1/sites/{id}/rooms?label=` filters by one.

use actix_web::{HttpResponse, web};
use pintalk_bus::Topic;
use pintalk_core::clock::now_ms;
use pintalk_core::protocol::ServerFrame;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RoomPath, RoomView, owned_room, room_view};
use crate::access::WriteAccess;
use crate::body::Json;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// The most labels one conversation carries.
pub const MAX_LABELS: usize = 10;
/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 32;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelsRequest {
    /// The whole new set (empty: none), at most 10. Each is 1 to 32 letters, digits, `-`,
    /// `_` or single spaces between them; stored lower-case and trimmed, repeats once.
    #[schema(max_items = 10)]
    pub labels: Vec<String>,
}

/// A label as stored: trimmed and lower-cased, or why it cannot be one.
pub fn normalize(raw: &str) -> Result<String, &'static str> {
    let label = raw.trim().to_lowercase();
    let chars = label.chars().count();
    let allowed = label
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == ' ');
    if chars == 0 || chars > MAX_LABEL_CHARS || !allowed || label.contains("  ") {
        return Err("a label is 1 to 32 letters, digits, '-', '_' or single spaces between them");
    }
    Ok(label)
}

/// Replaces a conversation's labels. Members of the site hear of a change live (a
/// `labels` frame). An API token needs the `write` scope.
#[utoipa::path(put, path = "/api/v1/rooms/{id}/labels", tag = "rooms",
    security(("bearer" = []), ("api_token" = ["write"])),
    params(RoomPath), request_body = LabelsRequest,
    responses(
        (status = 200, body = RoomView),
        (status = 400, description = "invalid_field: a label that is not one, or more than 10", body = crate::error::ErrorBody),
    ))]
pub async fn set_labels(
    state: web::Data<AppState>,
    access: WriteAccess,
    path: web::Path<RoomPath>,
    body: Json<LabelsRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut labels = body
        .labels
        .iter()
        .map(|raw| normalize(raw))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|why| ApiError::invalid_field("labels", why))?;
    labels.sort();
    labels.dedup();
    if labels.len() > MAX_LABELS {
        return Err(ApiError::invalid_field(
            "labels",
            "at most 10 labels on a conversation",
        ));
    }
    let room = owned_room(&state, &access, path.id, Action::AnswerConversations).await?;
    let (id, site) = (room.id, room.site_id);
    let stored = labels.clone();
    let changed = state
        .db(move |conn| Ok(pintalk_db::labels::set(conn, site, id, &stored, now_ms())?))
        .await?;
    if changed {
        let frame = ServerFrame::Labels {
            room: id,
            site,
            labels,
        };
        state
            .bus
            .publish(&[Topic::Site(site)], frame.to_text().into())
            .await?;
    }
    Ok(HttpResponse::Ok().json(room_view(&state, &access, id).await?))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn a_label_is_trimmed_lower_cased_and_bounded() {
        assert_eq!(normalize("  Billing ").as_deref(), Ok("billing"));
        assert_eq!(normalize("환불 요청").as_deref(), Ok("환불 요청"));
        assert_eq!(normalize("bug_report-2").as_deref(), Ok("bug_report-2"));
        for bad in [
            "",
            "   ",
            "a  b",
            "<b>",
            "a,b",
            "new\nline",
            &"x".repeat(33),
        ] {
            assert!(normalize(bad).is_err(), "{bad:?} taken");
        }
        assert!(normalize(&"가".repeat(32)).is_ok());
    }
}
