//! An owner's email address, normalised so that one address has one account.

use pintalk_core::ErrorCode;

use crate::error::ApiError;

/// A syntactically valid address, trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain.tld` up to 254 bytes. Lower-casing the local part too is a
    /// deliberate choice: no mainstream provider distinguishes case, and two accounts
    /// for `Ann@x.com` and `ann@x.com` would only confuse their owner.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let email = raw.trim().to_lowercase();
        let invalid = || ApiError::new(ErrorCode::InvalidEmail, "not a valid email address");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.contains(['<', '>', '(', ')', ',', ';', ':', '\\', '"', '[', ']']);
        if !domain_ok || !local_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            EmailAddress::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.com",
            "ann@x",
            "a b@x.com",
            "ann@x..com",
            "<a>@x.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(EmailAddress::parse(&format!("{}@x.com", "a".repeat(65))).is_err());
    }
}
