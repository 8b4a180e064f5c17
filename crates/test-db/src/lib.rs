//! A private database per test: a SQLite file in a temp dir, or — when
//! `PINTALK_TEST_MYSQL` (`mysql://root@127.0.0.1:3306/test`) or `PINTALK_TEST_POSTGRES`
//! (`postgres://postgres@127.0.0.1:5432/test`) names a server — a fresh database on it,
//! dropped when the value is dropped. Leftovers of crashed runs older than an hour are
//! swept when the first one is made.

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;

use pintalk_db::DbError;

/// The environment variable that switches tests to MySQL/MariaDB.
pub const MYSQL_ENV: &str = "PINTALK_TEST_MYSQL";
/// The environment variable that switches tests to PostgreSQL.
pub const POSTGRES_ENV: &str = "PINTALK_TEST_POSTGRES";

/// A throwaway database; `url` is what `database.url` should be set to.
pub struct TestDatabase {
    pub url: String,
    /// SQLite's directory, removed with the value.
    _dir: Option<tempfile::TempDir>,
    /// A server's database, dropped with the value.
    on_server: Option<ServerDatabase>,
}

/// A database made on a server: what `Drop` needs to remove it.
enum ServerDatabase {
    #[cfg(feature = "mysql")]
    Mysql { server: String, name: String },
    #[cfg(feature = "postgres")]
    Postgres { server: String, name: String },
}

impl TestDatabase {
    pub fn new() -> Result<Self, DbError> {
        match (server_url(MYSQL_ENV), server_url(POSTGRES_ENV)) {
            (Some(_), Some(_)) => Err(DbError::Config(format!(
                "{MYSQL_ENV} and {POSTGRES_ENV} are both set; a run tests one server"
            ))),
            (Some(server), None) => Self::mysql(&server),
            (None, Some(server)) => Self::postgres(&server),
            (None, None) => {
                let dir = tempfile::tempdir()
                    .map_err(|e| DbError::Config(format!("no temp dir: {e}")))?;
                let url = format!("sqlite://{}", dir.path().join("pintalk.db").display());
                Ok(Self {
                    url,
                    _dir: Some(dir),
                    on_server: None,
                })
            }
        }
    }

    #[cfg(feature = "mysql")]
    fn mysql(server: &str) -> Result<Self, DbError> {
        let name = mysql::create(server)?;
        Ok(Self::on(
            server,
            &name,
            ServerDatabase::Mysql {
                server: server.to_owned(),
                name: name.clone(),
            },
        ))
    }

    #[cfg(not(feature = "mysql"))]
    fn mysql(_: &str) -> Result<Self, DbError> {
        Err(feature_missing(MYSQL_ENV, "mysql"))
    }

    #[cfg(feature = "postgres")]
    fn postgres(server: &str) -> Result<Self, DbError> {
        let name = postgres::create(server)?;
        Ok(Self::on(
            server,
            &name,
            ServerDatabase::Postgres {
                server: server.to_owned(),
                name: name.clone(),
            },
        ))
    }

    #[cfg(not(feature = "postgres"))]
    fn postgres(_: &str) -> Result<Self, DbError> {
        Err(feature_missing(POSTGRES_ENV, "postgres"))
    }

    /// The server's URL with its database swapped for `name` (query parameters kept).
    #[cfg(any(feature = "mysql", feature = "postgres"))]
    fn on(server: &str, name: &str, database: ServerDatabase) -> Self {
        let (path, query) = server.split_once('?').map_or((server, ""), |(p, q)| (p, q));
        let base = path.rsplit_once('/').map_or(path, |(base, _)| base);
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Self {
            url: format!("{base}/{name}{query}"),
            _dir: None,
            on_server: Some(database),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(database) = self.on_server.take() else {
            return;
        };
        match database {
            #[cfg(feature = "mysql")]
            ServerDatabase::Mysql { server, name } => mysql::drop_database(&server, &name),
            #[cfg(feature = "postgres")]
            ServerDatabase::Postgres { server, name } => postgres::drop_database(&server, &name),
        }
    }
}

/// The variable's value, when set and not empty.
fn server_url(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

#[cfg(not(all(feature = "mysql", feature = "postgres")))]
fn feature_missing(var: &str, feature: &str) -> DbError {
    DbError::Config(format!(
        "{var} is set but this build has no `{feature}` feature"
    ))
}

/// A new database's name: `pintalk_t_<created ms>_<random>`, so a sweep can tell its age.
#[cfg(any(feature = "mysql", feature = "postgres"))]
fn fresh_name() -> String {
    use pintalk_core::secret::{hex, random_bytes};
    format!(
        "pintalk_t_{}_{}",
        pintalk_core::clock::now_ms(),
        hex(&random_bytes::<4>())
    )
}

/// The names (of those a server lists as `pintalk_t_…`) left by runs over an hour ago.
#[cfg(any(feature = "mysql", feature = "postgres"))]
fn stale(names: Vec<String>) -> impl Iterator<Item = String> {
    let hour_ago = pintalk_core::clock::now_ms() - 3_600_000;
    names.into_iter().filter(move |name| {
        let created: i64 = name
            .split('_')
            .nth(2)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        created < hour_ago
    })
}

/// One row of a sweep's listing of database names.
#[cfg(any(feature = "mysql", feature = "postgres"))]
#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}
