//! Where the token signing key comes from: `auth.signing_key` (inline PEM), else
//! `auth.signing_key_file`, else — for the all-in-one binary only — a key generated on
//! first start and kept in the data directory. The VAPID key of Web Push comes the same
//! way from `push.vapid_key` and `push.vapid_key_file`; without one the account service
//! alone does not push.

use std::path::Path;

use anyhow::Context;
use pintalk_core::settings::Settings;
use pintalk_core::token::{Signer, generate_private_pem};
use secrecy::ExposeSecret;

use crate::push::Vapid;

/// The signer configured in `settings`; `generate` allows creating one in `data_dir`.
pub fn load_signer(settings: &Settings, generate: bool) -> anyhow::Result<Signer> {
    let auth = &settings.auth;
    let pem = if !auth.signing_key.expose_secret().is_empty() {
        auth.signing_key.expose_secret().to_owned()
    } else if !auth.signing_key_file.is_empty() {
        std::fs::read_to_string(&auth.signing_key_file)
            .with_context(|| format!("reading auth.signing_key_file {}", auth.signing_key_file))?
    } else if generate {
        generated_key(
            &settings.data_dir.join("signing_key.pem"),
            "token signing key",
            generate_private_pem,
        )?
    } else {
        anyhow::bail!("no signing key: set auth.signing_key or auth.signing_key_file");
    };
    Ok(Signer::new(&auth.issuer, &pem, &auth.previous_public_keys)?)
}

/// The VAPID key configured in `settings`, if any; `generate` allows creating one in
/// `data_dir`.
pub fn load_vapid(settings: &Settings, generate: bool) -> anyhow::Result<Option<Vapid>> {
    let push = &settings.push;
    let pem = if !push.vapid_key.expose_secret().is_empty() {
        push.vapid_key.expose_secret().to_owned()
    } else if !push.vapid_key_file.is_empty() {
        std::fs::read_to_string(&push.vapid_key_file)
            .with_context(|| format!("reading push.vapid_key_file {}", push.vapid_key_file))?
    } else if generate {
        generated_key(
            &settings.data_dir.join("vapid_key.pem"),
            "Web Push (VAPID) key",
            crate::push::vapid::generate_pem,
        )?
    } else {
        return Ok(None);
    };
    let subject = if push.subject.is_empty() {
        settings.public_base().to_owned()
    } else {
        push.subject.clone()
    };
    Ok(Some(Vapid::from_pem(&pem, &subject)?))
}

/// The key kept at `path`, generated with `generate` on first use.
fn generated_key<E>(
    path: &Path,
    what: &str,
    generate: impl FnOnce() -> Result<String, E>,
) -> anyhow::Result<String>
where
    anyhow::Error: From<E>,
{
    if path.exists() {
        return std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let pem = generate()?;
    write_private(path, &pem).with_context(|| format!("writing {}", path.display()))?;
    log::info!("generated a new {what} at {}", path.display());
    Ok(pem)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
