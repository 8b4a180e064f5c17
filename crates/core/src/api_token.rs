//! Workspace API tokens: what a bot or back office calls the API with. A token is
//! `pt_` + 256 random bits, so the auth layer tells it from a JWT by its first bytes, and
//! only its SHA-256 is stored (see [`crate::secret`]).

use serde::{Deserialize, Serialize};

use crate::secret::new_token;
use crate::text_mapped;

/// What every API token starts with; a JWT never does (it starts with `ey`).
pub const PREFIX: &str = "pt_";

/// A fresh API token, shown to its creator once.
pub fn new_api_token() -> String {
    format!("{PREFIX}{}", new_token())
}

/// Whether a bearer token is an API token rather than a JWT.
pub fn is_api_token(bearer: &str) -> bool {
    bearer.starts_with(PREFIX)
}

/// What a token may do. `read` lists and reads conversations; `write` also posts
/// messages, closes, reopens and assigns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
#[serde(rename_all = "lowercase")]
pub enum ApiScope {
    Read,
    Write,
}

text_mapped!(ApiScope {
    Read = "read",
    Write = "write",
});

impl ApiScope {
    /// Whether a token of this scope may do what `needed` names: `write` covers `read`.
    pub fn covers(self, needed: ApiScope) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_tokens_are_told_from_jwts_by_their_prefix() {
        let token = new_api_token();
        assert!(is_api_token(&token));
        assert_eq!(token.len(), PREFIX.len() + 43);
        assert!(!is_api_token("eyJhbGciOiJFZERTQSJ9.e30.sig"));
    }

    #[test]
    fn write_covers_read_and_read_covers_only_read() {
        assert!(ApiScope::Write.covers(ApiScope::Read));
        assert!(ApiScope::Write.covers(ApiScope::Write));
        assert!(ApiScope::Read.covers(ApiScope::Read));
        assert!(!ApiScope::Read.covers(ApiScope::Write));
    }
}
