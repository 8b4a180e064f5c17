//! Every integration test of the account service, in one binary: each test starts the
//! real application on port 0 with its own database and talks to it over HTTP.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the unexpected"
)]

mod abuse;
mod api_tokens;
mod assignment;
mod away;
mod bad_input;
mod canned_replies;
mod client;
mod cluster;
mod email_change;
mod eventually;
mod health;
mod helpers;
mod identity;
mod labels;
mod login;
mod me;
mod members;
mod notifications;
mod outage;
mod password;
mod push;
mod ratings;
mod realtime;
mod redis;
mod redis_cluster;
mod retention;
mod search;
mod sentinels;
mod signup;
mod sites;
mod smtp;
mod socket;
mod tokens;
mod verification;
mod visitor_context;
mod webhooks;
mod widget;
mod widget_script;
