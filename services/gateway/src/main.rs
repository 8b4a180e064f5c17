//! `pintalk-gateway`: the WebSocket gateway alone (health probe only until the realtime
//! issue).

use actix_web::{App, HttpServer};
use pintalk_core::settings::Settings;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let settings = Settings::load(None)?;
    let addr = (settings.server.host.clone(), settings.server.port);
    log::info!("gateway listening on {}:{}", addr.0, addr.1);
    HttpServer::new(|| App::new().configure(pintalk_gateway::configure))
        .bind(addr)?
        .run()
        .await?;
    Ok(())
}
