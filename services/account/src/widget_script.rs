//! `/widget.js` as served: the widget minified at build time (`build.rs`) in three
//! encodings — brotli, gzip and none — each with its own strong ETag, the one sent chosen
//! by the request's `Accept-Encoding` (brotli before gzip before none at equal weight).

/// The script, minified.
const IDENTITY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/widget.js"));
/// The same, gzip-compressed.
const GZIP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/widget.js.gz"));
/// The same, brotli-compressed.
const BROTLI: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/widget.js.br"));
/// The first bytes of the minified script's SHA-256, in hex: every variant's ETag starts
/// with it.
const ETAG_ROOT: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.js.etag"));

/// A content coding the server has the script in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// At equal weight, the smaller first.
    const PREFERRED: [Encoding; 3] = [Encoding::Brotli, Encoding::Gzip, Encoding::Identity];

    /// Its name in `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }

    /// The script in this encoding.
    pub fn body(self) -> &'static [u8] {
        match self {
            Encoding::Brotli => BROTLI,
            Encoding::Gzip => GZIP,
            Encoding::Identity => IDENTITY,
        }
    }

    /// This variant's strong ETag (quoted): the bytes differ, so the tags do.
    pub fn etag(self) -> String {
        match self {
            Encoding::Identity => format!("\"{ETAG_ROOT}\""),
            other => format!("\"{ETAG_ROOT}-{}\"", other.token()),
        }
    }

    fn named(coding: &str) -> Option<Encoding> {
        match coding.to_ascii_lowercase().as_str() {
            "br" => Some(Encoding::Brotli),
            "gzip" | "x-gzip" => Some(Encoding::Gzip),
            "identity" => Some(Encoding::Identity),
            _ => None,
        }
    }
}

/// The encoding to send for an `Accept-Encoding` header (RFC 9110, 12.5.3): the highest
/// weight wins, ties go to the smaller encoding; `*` stands for codings not named;
/// identity is acceptable unless refused, and when not named comes after every coding
/// the client did name. With no header, or when the client refuses
/// everything, the script goes uncompressed (a script is better than a 406).
pub fn negotiate(accept: Option<&str>) -> Encoding {
    let Some(accept) = accept else {
        return Encoding::Identity;
    };
    let mut named: [Option<u16>; 3] = [None; 3];
    let mut any: Option<u16> = None;
    for element in accept.split(',') {
        let mut parts = element.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let Some(weight) = weight(parts) else {
            continue;
        };
        if coding == "*" {
            any = Some(weight);
        } else if let Some(encoding) = Encoding::named(coding) {
            let slot = &mut named[index(encoding)];
            *slot = Some(slot.map_or(weight, |w| w.max(weight)));
        }
    }
    let weight_of = |encoding: Encoding| {
        named[index(encoding)]
            .or(any)
            // Unnamed, identity is still acceptable, but after anything the client named.
            .unwrap_or(if encoding == Encoding::Identity { 1 } else { 0 })
    };
    let mut best = Encoding::Identity;
    let mut best_weight = 0;
    for encoding in Encoding::PREFERRED {
        let weight = weight_of(encoding);
        if weight > best_weight {
            best = encoding;
            best_weight = weight;
        }
    }
    best
}

fn index(encoding: Encoding) -> usize {
    match encoding {
        Encoding::Brotli => 0,
        Encoding::Gzip => 1,
        Encoding::Identity => 2,
    }
}

/// An element's `q` in thousandths (1000 when absent); `None` when it is malformed, and
/// the element is then ignored.
fn weight<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    let mut weight = 1000;
    for param in params {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value = value.trim();
        let parsed = value
            .parse::<f32>()
            .ok()
            .filter(|q| (0.0..=1.0).contains(q) && value.len() <= 5)?;
        weight = (parsed * 1000.0).round() as u16;
    }
    Some(weight)
}

/// Whether an `If-None-Match` header names `etag` (or is `*`): weak comparison, as a
/// `GET` asks for.
pub fn matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_then_gzip_then_none_with_weights_honoured() {
        use Encoding::*;
        let cases = [
            (None, Identity),
            (Some(""), Identity),
            (Some("gzip, deflate, br, zstd"), Brotli),
            (Some("gzip"), Gzip),
            (Some("x-gzip"), Gzip),
            (Some("GZIP;Q=0.5"), Gzip),
            (Some("br;q=0.5, gzip;q=0.8"), Gzip),
            (Some("br;q=0, gzip;q=0"), Identity),
            (Some("br;q=0, *"), Gzip),
            (Some("*"), Brotli),
            (Some("*;q=0"), Identity),
            (Some("identity;q=0, gzip;q=0.1"), Gzip),
            (Some("identity"), Identity),
            (Some("deflate"), Identity),
            (Some("br;q=2, gzip"), Gzip),
            (Some("br;q=abc, gzip;q=0.2"), Gzip),
            (Some("br;q=0.0001, gzip"), Gzip),
            (Some("br;q=0.001, identity;q=0"), Brotli),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn every_variant_has_its_own_strong_etag_and_if_none_match_compares_weakly() {
        let tags: Vec<String> = Encoding::PREFERRED.iter().map(|e| e.etag()).collect();
        assert_eq!(tags.len(), 3);
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        assert!(
            tags.iter()
                .all(|t| t.starts_with('"') && !t.starts_with("W/"))
        );
        let gzip = Encoding::Gzip.etag();
        assert!(matches(&gzip, &gzip));
        assert!(matches(&format!("\"x\", W/{gzip}"), &gzip));
        assert!(matches("*", &gzip));
        assert!(!matches(&Encoding::Brotli.etag(), &gzip));
        assert!(!matches("", &gzip));
    }
}
