//! Where a webhook may go: a checked URL, and the addresses PinTalk refuses to call.
//!
//! A site owner chooses the URL, so without a check PinTalk would POST into its own
//! network for them (server-side request forgery). The URL's host is resolved at each
//! attempt, every address it resolves to must be public, and the request then goes to the
//! address that was checked (see `send`), so a second lookup cannot swap it for another.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use pintalk_core::ErrorCode;
use url::{Host, Url};

use crate::error::ApiError;

/// The longest URL an endpoint may have, in bytes.
pub const MAX_URL_BYTES: usize = 2000;

/// An endpoint's URL: absolute `http` or `https`, with a host, no user info, no fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    /// Checks `raw`; with `allow_private` false, a host that is a literal internal address
    /// (or `localhost`) is refused at once (names are checked again at every delivery).
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, ApiError> {
        let bad = |why: &str| ApiError::new(ErrorCode::InvalidWebhookUrl, why.to_owned());
        if raw.len() > MAX_URL_BYTES {
            return Err(bad("the url is longer than 2000 bytes"));
        }
        let url = Url::parse(raw.trim()).map_err(|_| bad("the url is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the url must start with https:// or http://"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("the url must not carry a user name or password"));
        }
        // Non-ASCII is percent-encoded (and names punycoded) when parsed: bound what is
        // stored, too.
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(bad("the url is longer than 2000 bytes"));
        }
        if url.fragment().is_some() {
            return Err(bad("the url must not have a #fragment"));
        }
        let refused = match url.host() {
            None => return Err(bad("the url has no host")),
            Some(Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.');
                name == "localhost" || name.ends_with(".localhost")
            }
        };
        if refused && !allow_private {
            return Err(ApiError::new(
                ErrorCode::WebhookTargetRefused,
                "the url names a private, loopback or link-local address",
            ));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

/// Why a delivery did not go out to its target's address.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("the host of {0} could not be resolved: {1}")]
    Unresolved(String, std::io::Error),
    #[error("the host of {0} resolves to no address")]
    NoAddress(String),
    #[error("refused: {0} resolves to {1}, which is not a public address")]
    Private(String, IpAddr),
}

/// Resolves the URL's host and picks the address to connect to: every address must be
/// public unless `allow_private`; the first is the one used.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, TargetError> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        _ => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| TargetError::Unresolved(host.clone(), e))?
            .collect(),
    };
    if !allow_private && let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(TargetError::Private(host, private.ip()));
    }
    addresses
        .first()
        .copied()
        .ok_or(TargetError::NoAddress(host))
}

/// Whether an address is one on the public internet: not unspecified, loopback, private,
/// shared (CGNAT), link-local, unique-local, multicast, broadcast, documentation or
/// otherwise reserved. An IPv6 address that carries an IPv4 one (mapped, compatible,
/// NAT64, 6to4) is judged by the IPv4 address inside.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let internal = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240; // reserved
    !internal
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let internal = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x2001 && segments[1] == 0) // Teredo
        || (segments[0] == 0x0100 && segments[1..4] == [0, 0, 0]); // discard-only
    !internal
}

/// The IPv4 address an IPv6 one stands for, if it is IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:ab:cd::`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail());
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail());
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }

    #[test]
    fn internal_ipv4_addresses_are_refused_and_public_ones_pass() {
        for internal in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!public(internal), "{internal} must be refused");
        }
        for outside in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert!(public(outside), "{outside} is public");
        }
    }

    #[test]
    fn internal_ipv6_addresses_are_refused_and_public_ones_pass() {
        for internal in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "100::1",
        ] {
            assert!(!public(internal), "{internal} must be refused");
        }
        for outside in ["2606:4700:4700::1111", "2a00:1450:4001:80b::200e"] {
            assert!(public(outside), "{outside} is public");
        }
    }

    #[test]
    fn ipv6_addresses_carrying_ipv4_ones_are_judged_by_them() {
        for internal in [
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:c0a8:0101::1",
        ] {
            assert!(!public(internal), "{internal} must be refused");
        }
        for outside in ["::ffff:8.8.8.8", "64:ff9b::1.1.1.1", "2002:0808:0808::1"] {
            assert!(public(outside), "{outside} is public");
        }
    }

    #[test]
    fn urls_are_absolute_http_without_user_info_and_bounded() {
        let ok = |raw: &str| WebhookUrl::parse(raw, false).map(|u| u.as_str().to_owned());
        assert!(ok("https://hooks.example.com/pintalk?x=1").is_ok());
        assert!(ok("http://hooks.example.com:8080/in").is_ok());
        for bad in [
            "ftp://hooks.example.com/",
            "hooks.example.com/in",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#top",
            "",
        ] {
            assert!(ok(bad).is_err(), "{bad} must be refused");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_BYTES));
        assert!(ok(&long).is_err());
        // Short as typed, but three times as long once percent-encoded.
        let encoded = format!(
            "https://hooks.example.com/{}",
            "é".repeat(MAX_URL_BYTES / 3)
        );
        assert!(encoded.len() <= MAX_URL_BYTES);
        assert!(ok(&encoded).is_err());
    }

    #[test]
    fn literal_internal_hosts_are_refused_unless_allowed() {
        for internal in [
            "http://127.0.0.1:9000/",
            "http://[::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost/",
            "http://api.localhost./",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let refused = WebhookUrl::parse(internal, false).err().map(|e| e.code());
            assert_eq!(refused, Some(ErrorCode::WebhookTargetRefused), "{internal}");
            assert!(WebhookUrl::parse(internal, true).is_ok(), "{internal}");
        }
    }
}
