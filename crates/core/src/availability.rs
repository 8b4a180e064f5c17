//! When a site answers: its business hours (a weekly schedule in an IANA time zone), what
//! the widget asks of a visitor while nobody answers, and the reply time it promises. The
//! account service checks a schedule and decides, at a moment, whether it is open
//! (`pintalk_account::domain::hours`); these are the values SQL, JSON and the widget share.

use serde::{Deserialize, Serialize};

use crate::text_mapped;

/// Whether the widget's away state asks for the visitor's email.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum EmailField {
    /// Not asked.
    Off,
    /// Asked; the visitor may write without it.
    #[default]
    Optional,
    /// Asked; while away, the visitor writes only after leaving it.
    Required,
}

text_mapped!(EmailField {
    Off = "off",
    Optional = "optional",
    Required = "required",
});

/// How soon the widget says the site usually answers while away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum ReplyTime {
    #[default]
    Minutes,
    Hours,
    Day,
}

text_mapped!(ReplyTime {
    Minutes = "minutes",
    Hours = "hours",
    Day = "day",
});

/// A day of the week, as a schedule names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday first, as ISO 8601 counts.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
}

/// One opening on one day: from `open` to `close`, local time, `HH:MM` (`close` may be
/// `24:00`, the end of the day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OpenSpan {
    pub day: Weekday,
    #[cfg_attr(feature = "openapi", schema(example = "09:00"))]
    pub open: String,
    #[cfg_attr(feature = "openapi", schema(example = "18:00"))]
    pub close: String,
}

/// A site's weekly business hours (stored as JSON text, [`StoredHours`]); a site without
/// any is always within its hours, and then only whether a member is online decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// An IANA time zone name.
    #[cfg_attr(feature = "openapi", schema(example = "Asia/Seoul"))]
    pub time_zone: String,
    /// The openings; a day named by none is closed all day.
    pub weekly: Vec<OpenSpan>,
}

/// Whether a site answers now, as the widget learns it (its config, its start, and the
/// `settings` frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Availability {
    /// Within the site's business hours now (always, for a site without hours).
    pub in_hours: bool,
    /// When that changes next (ms since the epoch, UTC); absent for a site without hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes_at: Option<i64>,
}

/// [`BusinessHours`] as a sites row holds it: the schedule and its JSON text, kept so SQL
/// binds it without serialising again (as `AllowedOrigins` does).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub struct StoredHours {
    hours: BusinessHours,
    json: String,
}

impl StoredHours {
    pub fn new(hours: BusinessHours) -> Self {
        let json = serde_json::to_string(&hours).unwrap_or_default();
        Self { hours, json }
    }

    /// Reads the stored text.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        Ok(Self::new(serde_json::from_str(json)?))
    }

    pub fn hours(&self) -> &BusinessHours {
        &self.hours
    }
}

#[cfg(feature = "diesel")]
impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for StoredHours
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, DB>,
    ) -> diesel::serialize::Result {
        <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(&self.json, out)
    }
}

#[cfg(feature = "diesel")]
impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for StoredHours
where
    DB: diesel::backend::Backend,
    String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
        let text =
            <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
        Ok(Self::from_json(&text)?)
    }
}
