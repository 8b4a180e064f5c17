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
    /// Token signing and Web Push keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new Ed25519 key pair: signing_key.pem (for the account service; keep it
    /// secret) and public_key.pem (for gateways); and vapid_key.pem, the account
    /// services' Web Push key (secret too). Writes only what is missing.
    Generate {
        /// The directory to write them to.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Keys(KeysCommand::Generate { out }) = &command {
        return generate_keys(out);
    }
    let settings = Settings::load(cli.config.as_deref())?;
    match command {
        Command::Serve => serve(settings).await,
        Command::Keys(_) => Ok(()),
        Command::Migrate => {
            let url = settings.database.url.expose_secret().to_owned();
            actix_web::rt::task::spawn_blocking(move || pintalk_db::connect_and_migrate(&url, 1))
                .await??;
            Ok(())
        }
    }
}

fn generate_keys(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let signing = dir.join("signing_key.pem");
    let vapid = dir.join("vapid_key.pem");
    anyhow::ensure!(
        !signing.exists() || !vapid.exists(),
        "{} and {} exist; not overwriting them",
        signing.display(),
        vapid.display()
    );
    // Each key only where it is missing: a directory of keys from before Web Push gains
    // its VAPID key and keeps its signing key.
    if !signing.exists() {
        let private = pintalk_core::token::generate_private_pem()?;
        let signer = pintalk_core::token::Signer::new("pintalk", &private, &[])?;
        write_secret(&signing, &private)?;
        std::fs::write(dir.join("public_key.pem"), signer.public_pem())?;
        println!(
            "wrote {} (secret: the account service's) and {}",
            signing.display(),
            dir.join("public_key.pem").display()
        );
    }
    if !vapid.exists() {
        write_secret(&vapid, &pintalk_account::push::vapid::generate_pem()?)?;
        println!(
            "wrote {} (secret: the account services' Web Push key)",
            vapid.display()
        );
    }
    Ok(())
}

#[cfg(unix)]
fn write_secret(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_secret(path: &std::path::Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents)?;
    Ok(())
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
