//! Passwords: 8 to 72 bytes. bcrypt reads only 72 bytes, so a longer password is refused
//! rather than silently truncated (which would make its tail meaningless).

use pintalk_core::ErrorCode;

use crate::error::ApiError;

pub const MIN_BYTES: usize = 8;
pub const MAX_BYTES: usize = 72;

/// A password within bcrypt's bounds. Never logged: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    pub fn parse(raw: String) -> Result<Self, ApiError> {
        if raw.len() < MIN_BYTES {
            return Err(ApiError::new(
                ErrorCode::PasswordTooShort,
                format!("the password must be at least {MIN_BYTES} bytes"),
            ));
        }
        if raw.len() > MAX_BYTES {
            return Err(ApiError::new(
                ErrorCode::PasswordTooLong,
                format!("the password must be at most {MAX_BYTES} bytes"),
            ));
        }
        Ok(Self(raw))
    }

    /// bcrypt hash at `cost`; slow on purpose — call off the async executor.
    pub fn hash(&self, cost: u32) -> Result<String, ApiError> {
        bcrypt::hash(&self.0, cost).map_err(|e| ApiError::Internal(e.into()))
    }

    /// Whether this password matches `hash`; slow on purpose — call off the executor.
    pub fn matches(&self, hash: &str) -> bool {
        bcrypt::verify(&self.0, hash).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_of_73_bytes_is_refused_not_truncated() {
        let err = Password::parse("a".repeat(73)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::PasswordTooLong);
        assert!(Password::parse("a".repeat(72)).is_ok());
    }

    #[test]
    fn password_of_7_bytes_is_refused() {
        assert_eq!(
            Password::parse("a".repeat(7)).unwrap_err().code(),
            ErrorCode::PasswordTooShort
        );
    }
}
