//! Parse, don't validate: input becomes one of these types or a clear client error, and
//! code past the handler edge never sees an unchecked value.

pub mod download_name;
pub mod email;
pub mod hours;
pub mod origin;
pub mod password;
pub mod push_subscription;
pub mod text;
pub mod widget;
