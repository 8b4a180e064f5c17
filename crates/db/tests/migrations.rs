//! The migration folders of the three backends are mirrors: the same migrations, by
//! name and version, each with its way up and down. A migration added to one backend
//! only would leave the others' schema behind the code that `schema.rs` describes.

#![expect(clippy::unwrap_used, reason = "a test fails loudly on the unexpected")]

use std::collections::BTreeSet;
use std::path::Path;

const BACKENDS: [&str; 3] = ["sqlite", "mysql", "postgres"];

/// The migration directories of one backend, by name.
fn migrations(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    path.join(file).is_file(),
                    "{} has no {file}",
                    path.display()
                );
            }
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn every_backend_has_the_same_migrations() {
    let sqlite = migrations(BACKENDS[0]);
    assert!(!sqlite.is_empty());
    for backend in &BACKENDS[1..] {
        assert_eq!(migrations(backend), sqlite, "{backend} vs sqlite");
    }
}
