//! `pintalk`: the whole of PinTalk in one process — with no configuration at all it serves
//! on http://127.0.0.1:8080 with SQLite under `./data` — and the admin CLI.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use pintalk::AllInOne;
use pintalk_core::settings::Settings;
use secrecy::ExposeSecret;

#[derive(Parser)]
#[command(
    name = "pintalk",
    version,
    about = "Self-hosted live chat for websites"
)]
struct Cli {
    /// A TOML settings file (default: ./pintalk.toml if it exists, or $PINTALK_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve everything: account service, gateway and persister (the default).
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let url = settings.database.url.expose_secret().to_owned();
            actix_web::rt::task::spawn_blocking(move || pintalk_db::connect_and_migrate(&url, 1))
                .await??;
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let signer = pintalk_account::keys::load_signer(&settings, true)?;
    let host = settings.server.host.clone();
    let app = AllInOne::build(settings, signer).await?;
    log::info!("PinTalk is running on http://{host}:{}", app.port());
    let (server, gateway) = app.handles();
    actix_web::rt::spawn(pintalk_gateway::stop_on_signal(server, gateway));
    app.run_until_stopped().await.context("server failed")
}
