//! Bounded free text fields (names, titles, messages shown in the widget).

use crate::error::ApiError;

/// Trims `raw` and checks it has `min..=max` characters and no control characters
/// (newlines are allowed only where `multiline`).
pub fn bounded(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, ApiError> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars < min || chars > max {
        return Err(ApiError::invalid_field(
            field,
            &format!("must be {min} to {max} characters long"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(multiline && c == '\n'))
    {
        return Err(ApiError::invalid_field(
            field,
            "must not contain control characters",
        ));
    }
    Ok(text.to_owned())
}

/// An optional http(s) URL of at most 2048 bytes, e.g. an avatar.
pub fn web_url(field: &str, raw: &str) -> Result<String, ApiError> {
    let raw = raw.trim();
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && raw.len() <= 2048 => {
            Ok(url.to_string())
        }
        _ => Err(ApiError::invalid_field(
            field,
            "must be an http(s) URL of at most 2048 bytes",
        )),
    }
}

/// A blank or absent field is none; anything else must pass `check`.
pub fn blank_is_none(
    raw: Option<&str>,
    check: impl FnOnce(&str) -> Result<String, ApiError>,
) -> Result<Option<String>, ApiError> {
    match raw {
        Some(text) if !text.trim().is_empty() => check(text).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(bounded("name", "  Ann ", 1, 10, false).unwrap(), "Ann");
        assert!(bounded("name", "   ", 1, 10, false).is_err());
        assert!(bounded("name", &"é".repeat(11), 1, 10, false).is_err());
        assert!(bounded("name", "a\u{0}b", 1, 10, false).is_err());
        assert!(bounded("greeting", "a\nb", 1, 10, true).is_ok());
    }
}
