//! Web Push for the owner's browsers: the server's key, and the subscriptions that use it.
//! One handler per file.

pub mod get;
pub mod subscribe;
pub mod unsubscribe;

use pintalk_core::clock::rfc3339;
use pintalk_core::ids::PushSubscriptionId;
use pintalk_db::models::PushSubscription;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A subscribed browser as the API shows it: never its keys.
#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: PushSubscriptionId,
    /// The push service's endpoint URL.
    pub endpoint: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<PushSubscription> for SubscriptionView {
    fn from(s: PushSubscription) -> Self {
        SubscriptionView {
            id: s.id,
            endpoint: s.endpoint,
            created_at: rfc3339(s.created_at),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SubscriptionPath {
    /// The subscription's id.
    pub id: PushSubscriptionId,
}
