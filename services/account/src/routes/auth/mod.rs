//! Sign-up, email verification, login, token refresh, logout and password reset.

pub mod login;
pub mod logout;
pub mod password_reset;
pub mod refresh;
pub mod signup;
pub mod verify_email;
