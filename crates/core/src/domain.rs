//! Domain values stored as text, each one type (parse, don't validate): the enums that
//! SQL, JSON and the code share by one spelling each. [`text_mapped!`] gives a type its
//! spelling both ways, and with the `diesel` feature its SQL mapping (as vaultwarden's
//! `impl_FromToSqlText!` does), so models hold the type itself, never a string.

use serde::{Deserialize, Serialize};

use crate::protocol::ParticipantKind;

/// Gives an enum of unit variants its one text spelling: `as_str`, `FromStr`, `Display`,
/// and (feature `diesel`) `ToSql`/`FromSql` as `Text` on every backend. The type itself
/// derives `AsExpression`/`FromSqlRow` under the feature.
#[macro_export]
macro_rules! text_mapped {
    ($ty:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The value's one spelling, in SQL and JSON alike.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)*
                }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($ty::$variant),)*
                    _ => Err($crate::domain::UnknownValue(stringify!($ty))),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::sql_to_text!($ty, as_str);
        $crate::sql_from_text!($ty);
    };
}

/// Writes a type to SQL as the text its method `$text` gives (feature `diesel`), on every
/// backend.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_to_text {
    ($ty:ident, $text:ident) => {
        #[cfg(feature = "diesel")]
        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $ty
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>>::to_sql(
                    self.$text(),
                    out,
                )
            }
        }
    };
}

/// Reads a type from SQL text through its `FromStr` (feature `diesel`), on every backend:
/// a stored value that does not parse is an error, never a default.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_from_text {
    ($ty:ident) => {
        #[cfg(feature = "diesel")]
        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $ty
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                Ok(text.parse::<$ty>()?)
            }
        }
    };
}

/// Maps a list stored as a JSON array (feature `diesel`): written as its `as_json`, read
/// through its `from_json`, on every backend. A stored text that does not
/// parse is an error, never an empty list.
#[doc(hidden)]
#[macro_export]
macro_rules! sql_json_text {
    ($ty:ident) => {
        $crate::sql_to_text!($ty, as_json);

        #[cfg(feature = "diesel")]
        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $ty
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                Ok(Self::from_json(&text)?)
            }
        }
    };
}

/// A stored or sent text that names no value of its type.
#[derive(Debug, thiserror::Error)]
#[error("not a known {0}")]
pub struct UnknownValue(pub &'static str);

/// What a one-time (emailed) token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    /// Moves the account to the address the link was mailed to (the token's `new_email`).
    ChangeEmail,
}

text_mapped!(TokenPurpose {
    VerifyEmail = "verify_email",
    ResetPassword = "reset_password",
    ChangeEmail = "change_email",
});

/// Which corner of the page the widget sits in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum WidgetPosition {
    Left,
    #[default]
    Right,
}

text_mapped!(WidgetPosition {
    Left = "left",
    Right = "right",
});

/// The widget's interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Ko,
}

text_mapped!(Language { En = "en", Ko = "ko" });

/// How a site's widget looks and behaves: what `GET /widget/config` and the site's API
/// view show, and what a `settings` frame brings to open widgets when an owner saves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSettings {
    pub title: String,
    pub greeting: String,
    /// `#rrggbb`.
    pub accent_color: String,
    pub position: WidgetPosition,
    pub language: Language,
    /// Shown while no owner is online.
    pub away_message: String,
    /// Whether visitors see the owner's online/away status.
    pub show_owner_status: bool,
    /// The site's weekly hours; outside them the widget is away. `null`: always within.
    pub business_hours: Option<crate::availability::BusinessHours>,
    /// Whether the away state asks for the visitor's email.
    pub email_field: crate::availability::EmailField,
    /// How soon the away state says an answer comes.
    pub reply_time: crate::availability::ReplyTime,
}

/// A site's allow-list: exact origins (`scheme://host[:port]`), each once, stored as a
/// JSON array. The account service checks each origin before it makes one; a stored list
/// that does not parse is an error, never an empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub struct AllowedOrigins {
    list: Vec<String>,
    /// The stored text, kept so SQL binds it without serialising again.
    json: String,
}

impl AllowedOrigins {
    /// The list of (already checked) origins.
    pub fn new(list: Vec<String>) -> Self {
        let json = serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
        Self { list, json }
    }

    /// Reads the stored text.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        Ok(Self::new(serde_json::from_str(json)?))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.list
    }

    /// The stored text.
    pub fn as_json(&self) -> &str {
        &self.json
    }

    /// Whether `origin` is on the list, exactly.
    pub fn allows(&self, origin: &str) -> bool {
        self.list.iter().any(|o| o == origin)
    }
}

sql_json_text!(AllowedOrigins);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RoomStatus;

    /// The text spelling and the JSON spelling are one.
    fn same_spelling<T>(all: &[T])
    where
        T: Copy + Serialize + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug,
    {
        for value in all {
            let json = serde_json::to_value(value).unwrap_or_default();
            assert_eq!(json.as_str(), Some(value.to_string().as_str()));
            assert_eq!(value.to_string().parse::<T>().ok(), Some(*value));
        }
    }

    #[test]
    fn every_text_mapped_value_has_one_spelling() {
        same_spelling(TokenPurpose::ALL);
        same_spelling(WidgetPosition::ALL);
        same_spelling(Language::ALL);
        same_spelling(RoomStatus::ALL);
        same_spelling(ParticipantKind::ALL);
        same_spelling(Recipient::ALL);
        same_spelling(Role::ALL);
        assert!("Open".parse::<RoomStatus>().is_err());
    }
}

/// How an owner hears by email of conversations nobody has read: not at all, a mail per
/// conversation, or one digest per period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum EmailNotifications {
    Off,
    #[default]
    Each,
    Digest,
}

text_mapped!(EmailNotifications {
    Off = "off",
    Each = "each",
    Digest = "digest",
});

/// Who a scheduled notification is for, and how it reaches them: the site's owner by mail
/// or by Web Push (of visitor messages), or the visitor by mail (of the owner's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Owner,
    Visitor,
    OwnerPush,
}

text_mapped!(Recipient {
    Owner = "owner",
    Visitor = "visitor",
    OwnerPush = "owner_push",
});

impl Recipient {
    /// Whose read cursor says the recipient has seen a message.
    pub fn reader(self) -> ParticipantKind {
        match self {
            Recipient::Owner | Recipient::OwnerPush => ParticipantKind::Owner,
            Recipient::Visitor => ParticipantKind::Visitor,
        }
    }

    /// The mail recipient who reads as `reader`.
    pub fn mail(reader: ParticipantKind) -> Self {
        match reader {
            ParticipantKind::Owner => Recipient::Owner,
            ParticipantKind::Visitor => Recipient::Visitor,
        }
    }
}

/// A member's role in a workspace. The owner (one per workspace) may do everything,
/// including deleting the workspace and handing it to another member; an admin manages
/// sites, members and settings; an agent answers the conversations of the sites they are
/// given. What each may do is decided in one place: the account service's `policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Agent,
}

text_mapped!(Role {
    Owner = "owner",
    Admin = "admin",
    Agent = "agent",
});
