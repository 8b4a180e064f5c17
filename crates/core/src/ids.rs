//! Typed ids: one newtype per entity so that a `SiteId` can never be passed where an
//! `OwnerId` is expected. Ids are UUIDv7, made by the application (time-ordered, so they
//! index well), and travel as their canonical hyphenated string in SQL and JSON.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[cfg_attr(feature = "diesel", derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow))]
        #[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        $crate::sql_text_id!($name);

        // By hand, through `FromStr`: JSON and path segments accept the one canonical
        // spelling only, as SQL lookups do.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(de)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                // Only the canonical hyphenated lower-case form: one spelling per id
                // keeps SQL lookups (which compare strings) exact.
                if s.len() != 36 || s.bytes().any(|b| b.is_ascii_uppercase()) {
                    return Err(InvalidId);
                }
                Uuid::try_parse(s).map(Self).map_err(|_| InvalidId)
            }
        }

        // Stored as text: these let diesel models hold typed ids directly.
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                uuid_schema()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    )*};
}

typed_id!(
    /// A site owner's account.
    OwnerId,
    /// One login session of an owner: the family of its rotating refresh tokens.
    SessionId,
    /// A website registered by an owner.
    SiteId,
    /// A visitor of a site, remembered across page loads by its stored secret.
    VisitorId,
    /// A conversation between a site's owner and one visitor.
    RoomId,
    /// One stored chat message.
    MessageId,
    /// One browser an owner subscribed to Web Push.
    PushSubscriptionId,
    /// A site's webhook endpoint: a URL that is told of the site's events.
    WebhookId,
    /// One event queued for one webhook endpoint, and its attempts.
    DeliveryId,
    /// A site's ban of an IP address or network.
    BanId,
    /// A workspace API token (`pt_...`) that a bot or back office calls the API with.
    ApiTokenId,
    /// A saved answer (`/shortcut`) of a workspace.
    CannedReplyId,
    /// A team that owns sites: its members answer their conversations.
    WorkspaceId,
    /// An invitation by mail to join a workspace.
    InvitationId,
);

impl WorkspaceId {
    /// The id of the workspace an account is created with (and the migration gave every
    /// account that existed before workspaces): the account's own id. Only a name — the
    /// workspace may change hands later.
    pub fn first_of(account: OwnerId) -> Self {
        Self(account.0)
    }
}

/// Stores a typed id as its canonical text (feature `diesel`), so models hold the id and
/// queries compare ids, never strings made by hand.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_text_id {
    ($name:ident) => {
        #[cfg(feature = "diesel")]
        impl ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::sqlite::Sqlite>
            for $name
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::sqlite::Sqlite>,
            ) -> ::diesel::serialize::Result {
                out.set_value(self.to_string());
                Ok(::diesel::serialize::IsNull::No)
            }
        }

        #[cfg(feature = "mysql")]
        $crate::sql_text_id_as_bytes!($name, ::diesel::mysql::Mysql);
        #[cfg(feature = "postgres")]
        $crate::sql_text_id_as_bytes!($name, ::diesel::pg::Pg);

        $crate::sql_from_text!($name);
    };
}

/// The id's text written straight into the bind buffer: MySQL and PostgreSQL both collect
/// binds as raw bytes (SQLite takes an owned value instead, above).
#[doc(hidden)]
#[macro_export]
macro_rules! sql_text_id_as_bytes {
    ($name:ident, $backend:ty) => {
        impl ::diesel::serialize::ToSql<::diesel::sql_types::Text, $backend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, $backend>,
            ) -> ::diesel::serialize::Result {
                use ::std::io::Write;
                write!(out, "{self}")?;
                Ok(::diesel::serialize::IsNull::No)
            }
        }
    };
}

/// The text was not a canonical UUID.
#[derive(Debug, thiserror::Error)]
#[error("not a valid id")]
pub struct InvalidId;

#[cfg(feature = "openapi")]
fn uuid_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("uuid".into())))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_round_trips_through_its_string() {
        let id = SiteId::new();
        assert_eq!(id.to_string().parse::<SiteId>().unwrap(), id);
    }

    #[test]
    fn non_canonical_ids_are_refused() {
        assert!("not-an-id".parse::<OwnerId>().is_err());
        let simple = Uuid::now_v7().simple().to_string();
        assert!(simple.parse::<OwnerId>().is_err());
        let upper = Uuid::now_v7().hyphenated().to_string().to_uppercase();
        assert!(upper.parse::<OwnerId>().is_err());
        assert!(upper.to_lowercase().parse::<OwnerId>().is_ok());
    }
}
