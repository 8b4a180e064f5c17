//! What notification mails link to.

pub mod unsubscribe;
