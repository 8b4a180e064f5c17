//! `pintalk-account`: the account service alone, for deployments that scale it apart
//! from the gateway. Needs a configured signing key.

use anyhow::Context;
use pintalk_account::Application;
use pintalk_core::settings::Settings;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let settings = Settings::load(None)?;
    let signer = pintalk_account::keys::load_signer(&settings, false)?;
    let app = Application::build(settings, signer).await?;
    log::info!("account service listening on port {}", app.port());
    actix_web::rt::spawn(pintalk_http::stop_on_signal(app.handle(), async {}));
    app.run_until_stopped().await.context("server failed")
}
