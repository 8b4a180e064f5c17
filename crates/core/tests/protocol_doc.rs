//! docs/protocol.md is the protocol's description: every example in it must parse into
//! the frame types, and every frame type must have an example.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on the unexpected")]

use std::collections::BTreeSet;

use pintalk_core::protocol::{ClientFrame, ServerFrame};

#[test]
fn frame_types_are_read_from_the_enums() {
    let client = frame_types::<ClientFrame>();
    assert!(
        client.contains("auth") && client.contains("ping"),
        "{client:?}"
    );
    assert_eq!(client.len(), 5, "{client:?}");
}

fn examples(kind: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ))
    .unwrap();
    let fence = format!("```json {kind}\n");
    let mut found = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").unwrap();
        found.push(body[..end].trim().to_owned());
        rest = &body[end..];
    }
    found
}

/// The `type`s an enum of frames has, as serde itself lists them when refusing an unknown
/// one — derived from the enum, never a list kept by hand.
fn frame_types<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> BTreeSet<String> {
    let refusal = serde_json::from_str::<T>(r#"{"type": "no such frame"}"#)
        .unwrap_err()
        .to_string();
    let listed = refusal.split("expected one of ").nth(1).unwrap();
    listed
        .split(',')
        .map(|name| name.trim().trim_matches('`').to_owned())
        .filter(|name| !name.is_empty())
        .map(|name| name.split('`').next().unwrap().to_owned())
        .collect()
}

fn kinds(frames: &[String]) -> BTreeSet<String> {
    frames
        .iter()
        .map(|f| {
            serde_json::from_str::<serde_json::Value>(f).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_client_example_parses_and_every_client_frame_has_one() {
    let frames = examples("client");
    for frame in &frames {
        serde_json::from_str::<ClientFrame>(frame).unwrap_or_else(|e| panic!("{frame}: {e}"));
    }
    assert_eq!(kinds(&frames), frame_types::<ClientFrame>());
}

#[test]
fn every_server_example_parses_and_every_server_frame_has_one() {
    let frames = examples("server");
    for frame in &frames {
        let parsed =
            serde_json::from_str::<ServerFrame>(frame).unwrap_or_else(|e| panic!("{frame}: {e}"));
        // What we send is what the document shows, field for field.
        let again: serde_json::Value = serde_json::from_str(&parsed.to_text()).unwrap();
        assert_eq!(
            again,
            serde_json::from_str::<serde_json::Value>(frame).unwrap(),
            "{frame}"
        );
    }
    assert_eq!(kinds(&frames), frame_types::<ServerFrame>());
}
