//! `GET /api/v1/sites/{id}/ratings`: how a site's visitors rated its conversations,
//! overall and per member (CSAT).

use actix_web::{HttpResponse, web};
use pintalk_core::ids::OwnerId;
use pintalk_db::ratings::{self, Tally};
use pintalk_db::sites;
use serde::Serialize;
use utoipa::ToSchema;

use super::SitePath;
use crate::access::ReadAccess;
use crate::error::ApiError;
use crate::policy::Action;
use crate::state::AppState;

/// How many ratings and their average.
#[derive(Serialize, ToSchema)]
pub struct Average {
    pub count: i64,
    /// The mean score, 1 to 5, to two decimals; null without ratings.
    pub average: Option<f64>,
}

impl From<Tally> for Average {
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    fn from(t: Tally) -> Self {
        let average =
            (t.count > 0).then(|| (t.sum as f64 / t.count as f64 * 100.0).round() / 100.0);
        Average {
            count: t.count,
            average,
        }
    }
}

/// The ratings of one assignee's conversations.
#[derive(Serialize, ToSchema)]
pub struct MemberAverage {
    /// Who the conversations were assigned to when rated; null: nobody.
    pub assignee: Option<OwnerId>,
    #[serde(flatten)]
    pub average: Average,
}

#[derive(Serialize, ToSchema)]
pub struct RatingSummary {
    /// Every rating of the site's conversations.
    pub site: Average,
    /// Per assignee at the time of the rating, the most rated first.
    pub by_assignee: Vec<MemberAverage>,
}

/// The site's CSAT: its average rating, and each member's. An API token needs the `read`
/// scope.
#[utoipa::path(get, path = "/api/v1/sites/{id}/ratings", tag = "sites",
    security(("bearer" = []), ("api_token" = ["read"])),
    params(SitePath), responses((status = 200, body = RatingSummary)))]
pub async fn site_ratings(
    state: web::Data<AppState>,
    access: ReadAccess,
    path: web::Path<SitePath>,
) -> Result<HttpResponse, ApiError> {
    let (granted, site) = (
        access.permitted(path.id, Action::ReadConversations)?,
        path.id,
    );
    let summary = state
        .db(move |conn| {
            sites::find_in(conn, &granted, site)?.ok_or_else(|| ApiError::not_found("site"))?;
            Ok(ratings::summary(conn, site)?)
        })
        .await?;
    let mut by_assignee: Vec<MemberAverage> = summary
        .by_assignee
        .into_iter()
        .map(|(assignee, tally)| MemberAverage {
            assignee,
            average: tally.into(),
        })
        .collect();
    by_assignee.sort_by_key(|m| std::cmp::Reverse(m.average.count));
    Ok(HttpResponse::Ok().json(RatingSummary {
        site: summary.site.into(),
        by_assignee,
    }))
}
