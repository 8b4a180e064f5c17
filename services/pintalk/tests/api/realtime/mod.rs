//! The realtime path through the all-in-one server: sockets, delivery, resume, security.

mod blocking;
mod conversation;
mod delivery;
mod notes;
mod overload;
pub(crate) mod persistence;
mod protocol;
mod read_cursors;
mod security;
mod settings;
mod slow_reader;
mod tickets;
mod transcript;

use serde_json::Value;

use crate::helpers::{Owner, TestApp};

pub const SHOP: &str = "https://shop.example.com";

/// A verified owner with a site allowing SHOP; returns the owner and the site.
pub async fn owner_with_site(app: &TestApp, email: &str) -> (Owner, Value) {
    let owner = app.owner(email).await;
    let site = app.new_site(&owner, &[SHOP]).await;
    (owner, site)
}

pub fn key(site: &Value) -> &str {
    site["site_key"].as_str().unwrap()
}
