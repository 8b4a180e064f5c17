//! Every error code is a contract (Lemmy's test, `crates/utils/src/error.rs`): each one is
//! used somewhere in the code and documented in docs/api.md or docs/protocol.md, so a
//! code can neither rot unused nor reach clients undocumented.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on the unexpected")]

use std::path::{Path, PathBuf};

use pintalk_core::ErrorCode;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, except the one that defines the codes.
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path.ends_with("core/src/error.rs")
        {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_error_code_is_used_outside_its_definition() {
    let mut files = Vec::new();
    for dir in ["crates", "services", "tools"] {
        sources(&root().join(dir), &mut files);
    }
    let unused: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|code| format!("ErrorCode::{code:?}"))
        .filter(|name| !files.iter().any(|f| f.contains(name.as_str())))
        .collect();
    assert!(unused.is_empty(), "never used: {unused:?}");
}

/// The codes a service's sources name (the HTTP API's are the account service's, the
/// protocol's the gateway's), each of which must be in that interface's table.
fn undocumented(service: &str, doc: &str) -> Vec<&'static str> {
    let mut files = Vec::new();
    sources(&root().join("services").join(service), &mut files);
    let doc = std::fs::read_to_string(root().join(doc)).unwrap();
    ErrorCode::ALL
        .iter()
        .filter(|code| {
            let name = format!("ErrorCode::{code:?}");
            files.iter().any(|f| f.contains(&name))
        })
        .map(|code| code.as_str())
        .filter(|code| !doc.contains(&format!("| `{code}` |")))
        .collect()
}

#[test]
fn every_http_error_code_is_in_the_api_document() {
    let missing = undocumented("account", "docs/api.md");
    assert!(
        missing.is_empty(),
        "not in docs/api.md's table: {missing:?}"
    );
}

#[test]
fn every_socket_error_code_is_in_the_protocol_document() {
    let missing = undocumented("gateway", "docs/protocol.md");
    assert!(
        missing.is_empty(),
        "not in docs/protocol.md's table: {missing:?}"
    );
}

#[test]
fn every_error_code_is_documented_somewhere() {
    let docs: String = ["docs/api.md", "docs/protocol.md"]
        .iter()
        .map(|p| std::fs::read_to_string(root().join(p)).unwrap())
        .collect();
    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !docs.contains(&format!("| `{code}` |")))
        .collect();
    assert!(missing.is_empty(), "not in a table of docs/: {missing:?}");
}
