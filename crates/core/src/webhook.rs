//! Webhooks' domain values: the events a site's endpoint can subscribe to, the set it
//! subscribed to, and where one delivery stands. Each has one spelling, in SQL, JSON and
//! the `PinTalk-Event` header alike.

use serde::{Deserialize, Serialize};

use crate::{sql_json_text, text_mapped};

/// Something that happened on a site, as a webhook tells of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum WebhookEvent {
    /// A visitor's first message started a conversation.
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    /// A message was stored (the visitor's or the owner's).
    #[serde(rename = "message.created")]
    MessageCreated,
    /// The owner closed a conversation.
    #[serde(rename = "conversation.closed")]
    ConversationClosed,
    /// The owner reopened a conversation, or its visitor wrote in it again.
    #[serde(rename = "conversation.reopened")]
    ConversationReopened,
    /// A conversation was assigned to someone, or unassigned (`assignee` null).
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    /// A visitor was verified for the first time: the site's server vouched for their
    /// `user_id` (`PinTalk('identify', {user_id, user_hash})`).
    #[serde(rename = "visitor.identified")]
    VisitorIdentified,
}

text_mapped!(WebhookEvent {
    ConversationCreated = "conversation.created",
    MessageCreated = "message.created",
    ConversationClosed = "conversation.closed",
    ConversationReopened = "conversation.reopened",
    ConversationAssigned = "conversation.assigned",
    VisitorIdentified = "visitor.identified",
});

/// The events one endpoint subscribed to: at least one, each once, in a fixed order;
/// stored as a JSON array.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub struct WebhookEvents {
    list: Vec<WebhookEvent>,
    /// The stored text, kept so SQL binds it without serialising again.
    json: String,
}

/// A subscription must name at least one event.
#[derive(Debug, thiserror::Error)]
#[error("subscribe to at least one event")]
pub struct NoEvents;

/// A stored subscription that is not a non-empty JSON array of known events.
#[derive(Debug, thiserror::Error)]
pub enum BadEvents {
    #[error("not a JSON array of known events: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Empty(#[from] NoEvents),
}

impl WebhookEvents {
    /// The set of `events`, duplicates dropped; empty is refused.
    pub fn new(mut events: Vec<WebhookEvent>) -> Result<Self, NoEvents> {
        events.sort();
        events.dedup();
        if events.is_empty() {
            return Err(NoEvents);
        }
        let json = serde_json::to_string(&events).unwrap_or_else(|_| "[]".into());
        Ok(Self { list: events, json })
    }

    /// Reads the stored text.
    pub fn from_json(json: &str) -> Result<Self, BadEvents> {
        Ok(Self::new(serde_json::from_str(json)?)?)
    }

    pub fn as_slice(&self) -> &[WebhookEvent] {
        &self.list
    }

    /// The stored text.
    pub fn as_json(&self) -> &str {
        &self.json
    }

    pub fn contains(&self, event: WebhookEvent) -> bool {
        self.list.contains(&event)
    }
}

sql_json_text!(WebhookEvents);

/// Where one event's delivery to one endpoint stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not delivered yet: due at its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt of the retry period failed (or the endpoint was disabled).
    Failed,
}

text_mapped!(DeliveryStatus {
    Pending = "pending",
    Delivered = "delivered",
    Failed = "failed",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_one_spelling_in_text_and_json() {
        for event in WebhookEvent::ALL {
            let json = serde_json::to_value(event).unwrap_or_default();
            assert_eq!(json.as_str(), Some(event.as_str()));
            assert_eq!(event.as_str().parse::<WebhookEvent>().ok(), Some(*event));
        }
        for status in DeliveryStatus::ALL {
            let json = serde_json::to_value(status).unwrap_or_default();
            assert_eq!(json.as_str(), Some(status.as_str()));
        }
    }

    #[test]
    fn a_subscription_is_a_non_empty_set() {
        use WebhookEvent::*;
        let events = WebhookEvents::new(vec![MessageCreated, ConversationCreated, MessageCreated]);
        let events = events.ok().map(|e| e.as_slice().to_vec());
        assert_eq!(events, Some(vec![ConversationCreated, MessageCreated]));
        assert!(WebhookEvents::new(Vec::new()).is_err());
        assert!(WebhookEvents::from_json("[\"message.created\"]").is_ok());
        assert!(WebhookEvents::from_json("[\"visitor.identified\"]").is_ok());
        assert!(WebhookEvents::from_json("[\"visitor.vanished\"]").is_err());
    }
}
