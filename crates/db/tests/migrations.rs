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

/// The workspace migration, from a database as the release before it left it: every
/// account becomes the owner of a workspace of one holding its sites, canned replies and
/// API tokens. Runs on whichever backend the test environment names.
#[test]
fn every_account_becomes_the_owner_of_a_workspace_of_one() {
    use diesel::connection::SimpleConnection;
    use pintalk_core::domain::Role;
    use pintalk_core::ids::{OwnerId, WorkspaceId};
    use pintalk_db::{api_tokens, canned_replies, sites, workspaces};

    let db = pintalk_test_db::TestDatabase::new().unwrap();
    let backend = pintalk_db::Backend::from_url(&db.url).unwrap();
    let mut conn = backend.connect().unwrap();
    assert!(pintalk_db::run_migrations_before(&mut conn, "2026-12-06-000101").unwrap() > 0);
    let (ann, bob) = (OwnerId::new(), OwnerId::new());
    let mut sql = String::new();
    for (owner, company, key) in [(ann, "'Ann Co'", "pk_ann"), (bob, "NULL", "pk_bob")] {
        sql += &format!(
            "INSERT INTO owners (id, email, password_hash, name, company, created_at, updated_at, \
             language) VALUES ('{owner}', '{key}@example.com', 'x', 'Name {key}', {company}, 1, \
             1, 'en');
             INSERT INTO sites (id, owner_id, name, site_key, allowed_origins, title, greeting, \
             accent_color, position, language, away_message, show_owner_status, created_at, \
             updated_at) VALUES ('{}', '{owner}', 'Shop', '{key}', '[]', 't', 'g', '#000000', \
             'right', 'en', 'a', TRUE, 1, 1);
             INSERT INTO canned_replies (id, owner_id, shortcut, body, created_at, updated_at) \
             VALUES ('{}', '{owner}', 'hello', 'Hello!', 1, 1);
             INSERT INTO api_tokens (id, owner_id, name, scope, token_hash, created_at) VALUES \
             ('{}', '{owner}', 'bot', 'read', 'hash-{key}', 1);",
            pintalk_core::ids::SiteId::new(),
            pintalk_core::ids::CannedReplyId::new(),
            pintalk_core::ids::ApiTokenId::new(),
        );
    }
    match &mut conn {
        pintalk_db::DbConnection::Sqlite(c) => c.batch_execute(&sql).unwrap(),
        #[cfg(feature = "mysql")]
        pintalk_db::DbConnection::Mysql(c) => c.batch_execute(&sql).unwrap(),
        #[cfg(feature = "postgres")]
        pintalk_db::DbConnection::Pg(c) => c.batch_execute(&sql).unwrap(),
    }
    assert!(pintalk_db::run_migrations(&mut conn).unwrap() > 0);

    for (owner, name) in [(ann, "Ann Co"), (bob, "Name pk_bob")] {
        let memberships = workspaces::memberships(&mut conn, owner).unwrap();
        assert_eq!(memberships.len(), 1);
        let workspace = memberships[0].workspace.id;
        assert_eq!(workspace, WorkspaceId::first_of(owner));
        assert_eq!(memberships[0].workspace.name, name);
        assert_eq!(memberships[0].member.role, Role::Owner);
        assert!(memberships[0].member.all_sites);
        let sites = sites::of_workspace(&mut conn, workspace).unwrap();
        assert_eq!(sites.len(), 1);
        let grants = workspaces::grants(&mut conn, owner).unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].site, sites[0].id);
        assert_eq!(
            canned_replies::of_workspaces(&mut conn, &[workspace])
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            api_tokens::of_workspaces(&mut conn, &[workspace])
                .unwrap()
                .len(),
            1
        );
    }
}
