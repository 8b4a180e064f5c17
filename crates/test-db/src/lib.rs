//! A private database per test: a SQLite file in a temp dir, or — when
//! `PINTALK_TEST_MYSQL` names a server (`mysql://root@127.0.0.1:3306/test`) — a fresh MySQL
//! database, dropped when the value is dropped. Leftovers of crashed runs older than an
//! hour are swept when the first one is made.

use std::sync::Once;

use pintalk_core::clock::now_ms;
use pintalk_core::secret::hex;

use pintalk_db::DbError;

/// The environment variable that switches tests to MySQL/MariaDB.
pub const MYSQL_ENV: &str = "PINTALK_TEST_MYSQL";

/// A throwaway database; `url` is what `database.url` should be set to.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    #[cfg_attr(not(feature = "mysql"), expect(dead_code, reason = "only MySQL drops"))]
    mysql: Option<(String, String)>,
}

impl TestDatabase {
    pub fn new() -> Result<Self, DbError> {
        match std::env::var(MYSQL_ENV) {
            Ok(server) if !server.is_empty() => Self::mysql(&server),
            _ => {
                let dir = tempfile::tempdir()
                    .map_err(|e| DbError::Config(format!("no temp dir: {e}")))?;
                let url = format!("sqlite://{}", dir.path().join("pintalk.db").display());
                Ok(Self {
                    url,
                    _dir: Some(dir),
                    mysql: None,
                })
            }
        }
    }

    #[cfg(feature = "mysql")]
    fn mysql(server: &str) -> Result<Self, DbError> {
        use diesel::connection::SimpleConnection;
        use diesel::{Connection, MysqlConnection};

        static SWEEP: Once = Once::new();
        let mut admin = MysqlConnection::establish(server)?;
        SWEEP.call_once(|| sweep_leftovers(&mut admin));
        let name = format!(
            "pintalk_t_{}_{}",
            now_ms(),
            hex(&pintalk_core::secret::random_bytes::<4>())
        );
        admin.batch_execute(&format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        ))?;
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        Ok(Self {
            url: format!("{base}/{name}"),
            _dir: None,
            mysql: Some((server.to_owned(), name)),
        })
    }

    #[cfg(not(feature = "mysql"))]
    fn mysql(_: &str) -> Result<Self, DbError> {
        let _ = (Once::new(), now_ms(), hex(&[]));
        Err(DbError::Config(format!(
            "{MYSQL_ENV} is set but this build has no `mysql` feature"
        )))
    }
}

#[cfg(feature = "mysql")]
fn sweep_leftovers(admin: &mut diesel::MysqlConnection) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let hour_ago = now_ms() - 3_600_000;
    let names: Vec<Name> = diesel::sql_query(
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA \
         WHERE SCHEMA_NAME LIKE 'pintalk\\_t\\_%'",
    )
    .load(admin)
    .unwrap_or_default();
    for Name { name } in names {
        let created: i64 = name
            .split('_')
            .nth(2)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if created < hour_ago {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        #[cfg(feature = "mysql")]
        if let Some((server, name)) = &self.mysql {
            use diesel::Connection;
            use diesel::connection::SimpleConnection;
            if let Ok(mut admin) = diesel::MysqlConnection::establish(server) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
            }
        }
    }
}
