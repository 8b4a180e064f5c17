//! Business hours: a site's weekly schedule, checked (a time zone jiff knows, `HH:MM`
//! openings that end after they start), and whether a moment is within it — in the
//! site's own zone, so a summer-time change moves the hours with the clocks.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use pintalk_core::availability::{Availability, BusinessHours, OpenSpan, Weekday};

use crate::error::ApiError;

/// Openings a schedule may have: three a day.
const MAX_SPANS: usize = 21;
const FIELD: &str = "widget.business_hours";
const DAY_MINUTES: u16 = 24 * 60;

/// A schedule as the widget settings accept it: the zone exists, and each opening is
/// `HH:MM` to a later `HH:MM` (`24:00` ends the day).
pub fn check(hours: BusinessHours) -> Result<BusinessHours, ApiError> {
    if hours.time_zone.len() > 64 || TimeZone::get(&hours.time_zone).is_err() {
        return Err(ApiError::invalid_field(
            &format!("{FIELD}.time_zone"),
            "must be an IANA time zone, such as Europe/Berlin",
        ));
    }
    if hours.weekly.len() > MAX_SPANS {
        return Err(ApiError::invalid_field(
            &format!("{FIELD}.weekly"),
            "at most 21 openings",
        ));
    }
    for span in &hours.weekly {
        match (minutes(&span.open), minutes(&span.close)) {
            (Some(open), Some(close)) if open < close => {}
            _ => {
                return Err(ApiError::invalid_field(
                    &format!("{FIELD}.weekly"),
                    "each opening is HH:MM to a later HH:MM (24:00 at the latest)",
                ));
            }
        }
    }
    Ok(hours)
}

/// Whether `hours` (none: always) are open at `now_ms`, and when that next changes.
pub fn availability(hours: Option<&BusinessHours>, now_ms: i64) -> Availability {
    let Some(hours) = hours else {
        return Availability {
            in_hours: true,
            changes_at: None,
        };
    };
    let Ok(zone) = TimeZone::get(&hours.time_zone) else {
        // Checked when saved; a zone the database no longer knows is read as always open.
        return Availability {
            in_hours: true,
            changes_at: None,
        };
    };
    let in_hours = open_at(hours, &zone, now_ms);
    Availability {
        in_hours,
        changes_at: next_change(hours, &zone, now_ms, in_hours),
    }
}

fn open_at(hours: &BusinessHours, zone: &TimeZone, at_ms: i64) -> bool {
    let Ok(at) = Timestamp::from_millisecond(at_ms) else {
        return true;
    };
    let local = at.to_zoned_datetime(zone.clone());
    let day = Weekday::ALL[usize::from(local.weekday().to_monday_zero_offset().unsigned_abs())];
    let minute =
        u16::from(local.hour().unsigned_abs()) * 60 + u16::from(local.minute().unsigned_abs());
    hours.weekly.iter().any(|span| {
        span.day == day
            && matches!((minutes(&span.open), minutes(&span.close)),
                (Some(open), Some(close)) if open <= minute && minute < close)
    })
}

/// The first opening or closing in the coming eight days at which `in_hours` flips.
fn next_change(hours: &BusinessHours, zone: &TimeZone, now_ms: i64, in_hours: bool) -> Option<i64> {
    let today = Timestamp::from_millisecond(now_ms)
        .ok()?
        .to_zoned_datetime(zone.clone())
        .date();
    let mut edges: Vec<i64> = (0..=8)
        .filter_map(|days| today.checked_add(jiff::Span::new().days(days)).ok())
        .flat_map(|date| {
            hours
                .weekly
                .iter()
                .filter(move |span| same_day(span, date))
                .flat_map(|span| [minutes(&span.open), minutes(&span.close)])
                .flatten()
                .filter_map(move |minute| edge_ms(zone, date, minute))
        })
        .filter(|edge| *edge > now_ms)
        .collect();
    edges.sort_unstable();
    edges
        .into_iter()
        .find(|edge| open_at(hours, zone, *edge) != in_hours)
}

fn same_day(span: &OpenSpan, date: Date) -> bool {
    Weekday::ALL[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())] == span.day
}

/// The instant a local `minute` of `date` begins (a time that summer time skips: the
/// moment after the gap).
fn edge_ms(zone: &TimeZone, date: Date, minute: u16) -> Option<i64> {
    let (date, minute) = if minute == DAY_MINUTES {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, minute)
    };
    let hour = i8::try_from(minute / 60).ok()?;
    let min = i8::try_from(minute % 60).ok()?;
    let local: DateTime = date.at(hour, min, 0, 0);
    let at = zone.to_ambiguous_timestamp(local).compatible().ok()?;
    Some(at.as_millisecond())
}

/// `HH:MM` as minutes of the day, `24:00` included.
fn minutes(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= DAY_MINUTES).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::{availability, check};
    use pintalk_core::availability::{BusinessHours, OpenSpan, Weekday};

    fn seoul_weekdays() -> BusinessHours {
        BusinessHours {
            time_zone: "Asia/Seoul".into(),
            weekly: [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ]
            .into_iter()
            .map(|day| OpenSpan {
                day,
                open: "09:00".into(),
                close: "18:00".into(),
            })
            .collect(),
        }
    }

    /// 2026-12-07 is a Monday; Seoul is UTC+9 all year.
    const MONDAY_0800_SEOUL: i64 = 1_796_598_000_000;

    #[test]
    fn hours_open_and_close_in_the_sites_zone() {
        let hours = seoul_weekdays();
        let before = availability(Some(&hours), MONDAY_0800_SEOUL);
        assert!(!before.in_hours);
        assert_eq!(
            before.changes_at,
            Some(MONDAY_0800_SEOUL + 3_600_000),
            "09:00"
        );
        let during = availability(Some(&hours), MONDAY_0800_SEOUL + 3_600_000);
        assert!(during.in_hours);
        assert_eq!(
            during.changes_at,
            Some(MONDAY_0800_SEOUL + 10 * 3_600_000),
            "18:00"
        );
    }

    #[test]
    fn friday_evening_changes_on_monday_morning() {
        let friday_1900 = MONDAY_0800_SEOUL + 4 * 86_400_000 + 11 * 3_600_000;
        let now = availability(Some(&seoul_weekdays()), friday_1900);
        assert!(!now.in_hours);
        assert_eq!(
            now.changes_at,
            Some(MONDAY_0800_SEOUL + 7 * 86_400_000 + 3_600_000)
        );
    }

    #[test]
    fn a_site_without_hours_is_always_within_them() {
        let now = availability(None, MONDAY_0800_SEOUL);
        assert!(now.in_hours);
        assert_eq!(now.changes_at, None);
    }

    #[test]
    fn unknown_zones_and_backward_openings_are_refused() {
        let mut hours = seoul_weekdays();
        hours.time_zone = "Mars/Olympus".into();
        assert!(check(hours).is_err());
        let mut hours = seoul_weekdays();
        hours.weekly[0].close = "08:00".into();
        assert!(check(hours).is_err());
        let mut hours = seoul_weekdays();
        hours.weekly[0].close = "24:00".into();
        assert!(check(hours).is_ok());
        let mut hours = seoul_weekdays();
        hours.weekly[0].open = "9:00".into();
        assert!(check(hours).is_err());
    }
}
