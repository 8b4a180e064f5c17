//! The one way the account service makes HTTPS requests of its own (webhook deliveries,
//! Web Push): rustls with ring and the Mozilla roots — what lettre already builds — and
//! no redirects, since a server that redirects a push or a delivery is not followed.

use std::sync::Arc;
use std::time::Duration;

/// The TLS configuration of every outbound client; `Send`, unlike the client, so a
/// thread of its own can build its client from it.
pub fn tls_config() -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(tls))
}

/// A client on `tls` whose requests (connecting included) end after `timeout`.
pub fn client(tls: Arc<rustls::ClientConfig>, timeout: Duration) -> awc::Client {
    let connector = awc::Connector::new().rustls_0_23(tls).timeout(timeout);
    awc::Client::builder()
        .connector(connector)
        .disable_redirects()
        .timeout(timeout)
        .finish()
}
