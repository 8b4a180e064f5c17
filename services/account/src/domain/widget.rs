//! How a site's widget looks and behaves: the settings the API shows, and a checked
//! change to them.

use pintalk_core::availability::{BusinessHours, EmailField, ReplyTime, StoredHours};
use pintalk_core::domain::{Language, WidgetPosition, WidgetSettings};
use pintalk_db::models::{Site, SiteChange};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::domain::hours;
use crate::domain::text::bounded;
use crate::error::ApiError;

/// What a new site's widget starts with.
pub mod defaults {
    pub const TITLE: &str = "Chat with us";
    pub const GREETING: &str = "Hi! How can we help?";
    pub const ACCENT_COLOR: &str = "#4f46e5";
    pub const AWAY_MESSAGE: &str =
        "We're away right now. Leave a message and we'll get back to you.";
}

/// A change to the widget's settings; absent fields stay as they are.
#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WidgetSettingsChange {
    /// 1 to 60 characters.
    pub title: Option<String>,
    /// Up to 500 characters.
    pub greeting: Option<String>,
    /// `#rrggbb`.
    #[schema(example = "#4f46e5")]
    pub accent_color: Option<String>,
    pub position: Option<WidgetPosition>,
    pub language: Option<Language>,
    /// Up to 500 characters.
    pub away_message: Option<String>,
    pub show_owner_status: Option<bool>,
    /// The site's weekly hours; `null` removes them (always within hours).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<BusinessHours>)]
    pub business_hours: Option<Option<BusinessHours>>,
    pub email_field: Option<EmailField>,
    pub reply_time: Option<ReplyTime>,
}

/// A field that is there, `null` or not, as `Some`: `null` then means "clear it".
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl WidgetSettingsChange {
    /// Whether the change names any setting (open widgets redraw only then).
    pub fn changes_something(&self) -> bool {
        let Self {
            title,
            greeting,
            accent_color,
            position,
            language,
            away_message,
            show_owner_status,
            business_hours,
            email_field,
            reply_time,
        } = self;
        title.is_some()
            || greeting.is_some()
            || accent_color.is_some()
            || position.is_some()
            || language.is_some()
            || away_message.is_some()
            || show_owner_status.is_some()
            || business_hours.is_some()
            || email_field.is_some()
            || reply_time.is_some()
    }
}

/// The widget settings a site has now.
pub fn settings_of(site: &Site) -> WidgetSettings {
    WidgetSettings {
        title: site.title.clone(),
        greeting: site.greeting.clone(),
        accent_color: site.accent_color.clone(),
        position: site.position,
        language: site.language,
        away_message: site.away_message.clone(),
        show_owner_status: site.show_owner_status,
        business_hours: site.business_hours.as_ref().map(|h| h.hours().clone()),
        email_field: site.email_field,
        reply_time: site.reply_time,
    }
}

fn accent_color(raw: &str) -> Result<String, ApiError> {
    let ok =
        raw.len() == 7 && raw.starts_with('#') && raw[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(ApiError::invalid_field(
            "widget.accent_color",
            "must be #rrggbb",
        ))
    }
}

/// Checks a widget change into the columns it sets.
pub fn apply(change: WidgetSettingsChange, into: &mut SiteChange) -> Result<(), ApiError> {
    into.title = change
        .title
        .map(|t| bounded("widget.title", &t, 1, 60, false))
        .transpose()?;
    into.greeting = change
        .greeting
        .map(|g| bounded("widget.greeting", &g, 0, 500, true))
        .transpose()?;
    into.accent_color = change
        .accent_color
        .as_deref()
        .map(accent_color)
        .transpose()?;
    into.position = change.position;
    into.language = change.language;
    into.away_message = change
        .away_message
        .map(|a| bounded("widget.away_message", &a, 0, 500, true))
        .transpose()?;
    into.show_owner_status = change.show_owner_status;
    into.business_hours = change
        .business_hours
        .map(|h| h.map(hours::check).transpose())
        .transpose()?
        .map(|h| h.map(StoredHours::new));
    into.email_field = change.email_field;
    into.reply_time = change.reply_time;
    Ok(())
}
