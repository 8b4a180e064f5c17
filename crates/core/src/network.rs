//! IP networks for bans: `203.0.113.0/24`, `2001:db8::/64`, or one address (a /32 or a
//! /128). Parsed once into a [`Network`]; an address is matched against it either here
//! ([`Network::contains`]) or in SQL, through fixed-width keys whose text order is the
//! addresses' order ([`address_key`], [`Network::key_range`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// An IPv4 or IPv6 network: its first address and its prefix length. Host bits are
/// always zero (`203.0.113.7/24` is kept as `203.0.113.0/24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    first: IpAddr,
    prefix: u8,
}

/// Why a network's text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidNetwork {
    #[error("not an IPv4 or IPv6 address")]
    Address,
    #[error("the prefix length must be 0 to {0}")]
    Prefix(u8),
}

impl Network {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX` (IPv4 up to /32, IPv6 up to /128). An
    /// IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address it maps.
    pub fn parse(text: &str) -> Result<Self, InvalidNetwork> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().map_err(|_| InvalidNetwork::Address)?;
        let mapped = matches!(address, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some());
        let address = address.to_canonical();
        let max = max_prefix(address);
        let prefix = match prefix {
            None => max,
            Some(digits) => {
                if digits.is_empty()
                    || digits.len() > 3
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(InvalidNetwork::Prefix(max));
                }
                let n: u8 = digits.parse().map_err(|_| InvalidNetwork::Prefix(max))?;
                // `::ffff:1.2.3.0/120` is the IPv4 /24 it maps.
                let n = if mapped {
                    n.checked_sub(96).ok_or(InvalidNetwork::Prefix(128))?
                } else {
                    n
                };
                if n > max {
                    return Err(InvalidNetwork::Prefix(if mapped { 128 } else { max }));
                }
                n
            }
        };
        Ok(Network {
            first: masked(address, prefix),
            prefix,
        })
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in the network (an IPv4-mapped IPv6 address counts as its IPv4
    /// address; IPv4 and IPv6 networks never contain each other's addresses).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.first.is_ipv4() && masked(ip, self.prefix) == self.first
    }

    /// The network's first and last address as [`address_key`]s: an address is in it
    /// exactly when `first <= address_key(ip) <= last` as text.
    pub fn key_range(&self) -> (String, String) {
        (
            address_key(self.first),
            address_key(last(self.first, self.prefix)),
        )
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.first, self.prefix)
    }
}

/// An address as fixed-width text that sorts as addresses do: `4` and 8 hex digits for
/// IPv4, `6` and 32 for IPv6, so an IPv4 key never falls in an IPv6 range or back.
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => format!("4{:08x}", u32::from(v4)),
        IpAddr::V6(v6) => format!("6{:032x}", u128::from(v6)),
    }
}

/// The client address in what a proxy or socket reported: `1.2.3.4`, `1.2.3.4:5678`,
/// `[2001:db8::1]:443` or `2001:db8::1`; `None` for anything else (then no ban matches).
pub fn client_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

fn last(first: IpAddr, prefix: u8) -> IpAddr {
    match first {
        IpAddr::V4(v4) => {
            let host = u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) | host))
        }
        IpAddr::V6(v6) => {
            let host = u128::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) | host))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// Whether `ip` is in `net` by both ways of asking: here and by the SQL keys.
    fn in_net(net: &str, address: &str) -> bool {
        let net = Network::parse(net).unwrap();
        let (first, last) = net.key_range();
        let key = address_key(ip(address));
        let by_keys = first <= key && key <= last;
        assert_eq!(net.contains(ip(address)), by_keys, "{net} and {address}");
        by_keys
    }

    #[test]
    fn a_single_address_is_a_full_length_prefix() {
        assert_eq!(
            Network::parse("203.0.113.7").unwrap().to_string(),
            "203.0.113.7/32"
        );
        assert_eq!(
            Network::parse("2001:db8::1").unwrap().to_string(),
            "2001:db8::1/128"
        );
        assert!(in_net("203.0.113.7", "203.0.113.7"));
        assert!(!in_net("203.0.113.7", "203.0.113.8"));
        assert!(in_net("2001:db8::1", "2001:db8::1"));
        assert!(!in_net("2001:db8::1", "2001:db8::2"));
    }

    #[test]
    fn host_bits_are_cleared() {
        assert_eq!(
            Network::parse("203.0.113.77/24").unwrap().to_string(),
            "203.0.113.0/24"
        );
        assert_eq!(
            Network::parse("2001:db8:1:2:3:4:5:6/64")
                .unwrap()
                .to_string(),
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn ipv4_networks_match_their_edges_and_nothing_past_them() {
        assert!(in_net("203.0.113.0/24", "203.0.113.0"));
        assert!(in_net("203.0.113.0/24", "203.0.113.255"));
        assert!(!in_net("203.0.113.0/24", "203.0.112.255"));
        assert!(!in_net("203.0.113.0/24", "203.0.114.0"));
        assert!(in_net("10.0.0.0/8", "10.255.255.255"));
        assert!(!in_net("10.0.0.0/8", "11.0.0.0"));
        assert!(in_net("192.168.0.0/23", "192.168.1.9"));
        assert!(!in_net("192.168.0.0/23", "192.168.2.0"));
        assert!(in_net("0.0.0.0/0", "255.255.255.255"));
        assert!(in_net("0.0.0.0/0", "0.0.0.0"));
    }

    #[test]
    fn ipv6_networks_match_their_edges_and_nothing_past_them() {
        assert!(in_net("2001:db8:1:2::/64", "2001:db8:1:2::"));
        assert!(in_net(
            "2001:db8:1:2::/64",
            "2001:db8:1:2:ffff:ffff:ffff:ffff"
        ));
        assert!(!in_net("2001:db8:1:2::/64", "2001:db8:1:3::"));
        assert!(!in_net(
            "2001:db8:1:2::/64",
            "2001:db8:1:1:ffff:ffff:ffff:ffff"
        ));
        assert!(in_net("2001:db8::/33", "2001:db8:7fff::1"));
        assert!(!in_net("2001:db8::/33", "2001:db8:8000::"));
        assert!(in_net("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    }

    #[test]
    fn ipv4_and_ipv6_never_match_each_other() {
        assert!(!in_net("::/0", "1.2.3.4"));
        assert!(!in_net("0.0.0.0/0", "2001:db8::1"));
        // Mapped addresses are their IPv4 address, in either place.
        assert!(!in_net("::/0", "::ffff:1.2.3.4"));
        assert!(in_net("1.2.3.0/24", "::ffff:1.2.3.4"));
        assert!(in_net("::ffff:1.2.3.0/120", "1.2.3.200"));
        assert_eq!(
            Network::parse("::ffff:1.2.3.0/120").unwrap().to_string(),
            "1.2.3.0/24"
        );
    }

    #[test]
    fn bad_networks_are_refused() {
        for bad in [
            "",
            "/24",
            "1.2.3",
            "1.2.3.4/",
            "1.2.3.4/33",
            "1.2.3.4/-1",
            "1.2.3.4/+8",
            "2001:db8::/129",
            "1.2.3.4/24/1",
            "example.com",
            "1.2.3.4/0024",
            "::ffff:1.2.3.4/95",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Network::parse("1.2.3.4/33"),
            Err(InvalidNetwork::Prefix(32))
        );
        assert_eq!(Network::parse("::1/200"), Err(InvalidNetwork::Prefix(128)));
    }

    #[test]
    fn client_addresses_are_read_with_or_without_a_port() {
        assert_eq!(client_address("1.2.3.4"), Some(ip("1.2.3.4")));
        assert_eq!(client_address("1.2.3.4:5678"), Some(ip("1.2.3.4")));
        assert_eq!(client_address("[2001:db8::1]:443"), Some(ip("2001:db8::1")));
        assert_eq!(client_address("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(client_address("::ffff:1.2.3.4"), Some(ip("1.2.3.4")));
        assert_eq!(client_address("unknown"), None);
    }
}
