//! Shared by every PinTalk service and client tool: typed ids, the stable error codes,
//! JWT signing and verification, opaque secrets, and the one settings loader.
//!
//! Deliberately free of redis, and of diesel unless the `diesel` feature asks for its SQL
//! mappings, so that a client tool can depend on it cheaply.

pub mod api_token;
pub mod availability;
pub mod clock;
pub mod domain;
pub mod error;
pub mod ids;
pub mod network;
pub mod protocol;
pub mod search;
pub mod secret;
pub mod settings;
pub mod token;
pub mod webhook;

pub use error::ErrorCode;
