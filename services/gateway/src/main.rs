//! `pintalk-gateway`: the WebSocket gateway alone, on Redis, for deployments that scale it
//! apart from the account service. It holds only the account service's public key.

use anyhow::Context;
use pintalk_core::settings::Settings;
use pintalk_gateway::Application;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let settings = Settings::load(None)?;
    anyhow::ensure!(
        settings.redis.is_set(),
        "the standalone gateway needs redis.url (or redis.sentinels, or redis.cluster_urls): gateways and the account service meet in Redis"
    );
    let verifier = pintalk_gateway::verifier(&settings)?;
    let app = Application::build(settings, verifier).await?;
    log::info!("gateway listening on port {}", app.port());
    let (server, gateway) = app.handles();
    actix_web::rt::spawn(pintalk_gateway::stop_on_signal(server, gateway));
    app.run_until_stopped().await.context("server failed")
}
