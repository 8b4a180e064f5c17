//! Test databases on PostgreSQL, one per test like MySQL's (not a schema each: the
//! migrations and the app name no schema, and a database is what production gets).

use std::sync::Once;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use pintalk_db::DbError;

use crate::{Named, fresh_name, stale};

/// Creates a fresh database on `server`; returns its name.
pub(crate) fn create(server: &str) -> Result<String, DbError> {
    static SWEEP: Once = Once::new();
    let mut admin = PgConnection::establish(server)?;
    SWEEP.call_once(|| sweep_leftovers(&mut admin));
    let name = fresh_name();
    // From template0, which nobody connects to: copying template1 fails while any other
    // session (another test creating its database) is connected to it.
    admin.batch_execute(&format!(
        "CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
    ))?;
    Ok(name)
}

/// Drops the database, ending any session the test left open (an app's pool that is
/// still winding down); a failure leaves it for the next sweep.
pub(crate) fn drop_database(server: &str, name: &str) {
    if let Ok(mut admin) = PgConnection::establish(server) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    }
}

fn sweep_leftovers(admin: &mut PgConnection) {
    let names: Vec<Named> = diesel::sql_query(
        "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'pintalk\\_t\\_%'",
    )
    .load(admin)
    .unwrap_or_default();
    for name in stale(names.into_iter().map(|n| n.name).collect()) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    }
}
