//! Sign-up, email verification, login, token refresh, logout, password reset and the
//! links that confirm an email change.

pub mod email_change;
pub mod login;
pub mod logout;
pub mod password_reset;
pub mod refresh;
pub mod reset_check;
pub mod signup;
pub mod verify_email;
pub mod verify_resend;
