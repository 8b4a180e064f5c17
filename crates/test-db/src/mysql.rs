//! Test databases on MySQL/MariaDB: `utf8mb4_bin`, as the migrations declare their tables.

use std::sync::Once;

use diesel::connection::SimpleConnection;
use diesel::{Connection, MysqlConnection, RunQueryDsl};
use pintalk_db::DbError;

use crate::{Named, fresh_name, stale};

/// Creates a fresh database on `server`; returns its name.
pub(crate) fn create(server: &str) -> Result<String, DbError> {
    static SWEEP: Once = Once::new();
    let mut admin = MysqlConnection::establish(server)?;
    SWEEP.call_once(|| sweep_leftovers(&mut admin));
    let name = fresh_name();
    admin.batch_execute(&format!(
        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    ))?;
    Ok(name)
}

/// Drops the database; a failure leaves it for the next sweep.
pub(crate) fn drop_database(server: &str, name: &str) {
    if let Ok(mut admin) = MysqlConnection::establish(server) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
    }
}

fn sweep_leftovers(admin: &mut MysqlConnection) {
    let names: Vec<Named> = diesel::sql_query(
        "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA \
         WHERE SCHEMA_NAME LIKE 'pintalk\\_t\\_%'",
    )
    .load(admin)
    .unwrap_or_default();
    for name in stale(names.into_iter().map(|n| n.name).collect()) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
    }
}
