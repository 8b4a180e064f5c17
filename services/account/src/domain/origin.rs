//! A site's allowed origin: exactly `scheme://host[:port]`, as browsers send it in the
//! `Origin` header, so that checking a request is a plain string comparison.

use pintalk_core::ErrorCode;

use crate::error::ApiError;

/// An origin in the browser's own serialisation (lower-case host, default port omitted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let invalid = |why: &str| {
            ApiError::new(
                ErrorCode::InvalidOrigin,
                format!("{raw:?} is not an origin: {why}"),
            )
        };
        if raw.len() > 300 {
            return Err(invalid("too long"));
        }
        let url = url::Url::parse(raw.trim()).map_err(|_| invalid("not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it must not hold a user name or password"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must be scheme://host[:port], without a path"));
        }
        let serialised = url.origin().ascii_serialization();
        // Refuse input like "https://a.com/" that only matches after normalising, so what
        // the owner sees stored is what they typed.
        if serialised != raw.trim() {
            return Err(invalid(&format!("write it exactly as {serialised}")));
        }
        Ok(Self(serialised))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_origins_are_accepted() {
        for ok in [
            "https://example.com",
            "http://localhost:3000",
            "https://a.b.example.org:8443",
        ] {
            assert_eq!(Origin::parse(ok).unwrap().into_string(), ok);
        }
    }

    #[test]
    fn anything_but_an_exact_origin_is_refused() {
        for bad in [
            "example.com",
            "https://example.com/",
            "https://example.com/path",
            "ftp://example.com",
            "https://user@example.com",
            "https://Example.com",
            "https://example.com:443",
            "https://example.com?q",
            "*",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
