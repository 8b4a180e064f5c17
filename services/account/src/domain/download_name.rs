//! The name a download is saved under, e.g. `pintalk-corner-shop-ann-2026-12-02.txt`: an
//! ASCII slug every client understands (`filename`) and, for names in other scripts such
//! as Korean, the UTF-8 form as RFC 6266 `filename*` (RFC 5987 encoding). Each part is
//! bounded, so a long site or visitor name cannot make an unwieldy file name.

/// The most characters a part keeps.
const PART_MAX: usize = 40;

/// A download's file name in both forms.
#[derive(Debug, PartialEq, Eq)]
pub struct DownloadName {
    ascii: String,
    utf8: String,
}

/// One part of a name: the text, and what stands in when nothing of it survives.
pub struct Part<'a> {
    pub text: &'a str,
    pub fallback: &'a str,
}

impl DownloadName {
    /// `pintalk-<part>-<part>…<ext>`, each part reduced to letters and digits joined by `-`.
    pub fn new(parts: &[Part<'_>], ext: &str) -> Self {
        let join = |keep: fn(char) -> bool| {
            let mut name = String::from("pintalk");
            for part in parts {
                name.push('-');
                let slug = slug(part.text, keep);
                name.push_str(if slug.is_empty() {
                    part.fallback
                } else {
                    &slug
                });
            }
            name.push_str(ext);
            name
        };
        DownloadName {
            ascii: join(|c| c.is_ascii_alphanumeric()),
            utf8: join(char::is_alphanumeric),
        }
    }

    /// The ASCII form.
    pub fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The `Content-Disposition` value that offers this name.
    pub fn content_disposition(&self) -> String {
        format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{}",
            self.ascii,
            percent_encode(&self.utf8)
        )
    }
}

/// Lower-cased runs of `keep` characters joined by single `-`, at most [`PART_MAX`] long.
fn slug(text: &str, keep: fn(char) -> bool) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if !keep(c) {
            gap = !out.is_empty();
            continue;
        }
        if count + usize::from(gap) + 1 > PART_MAX {
            break;
        }
        if gap {
            out.push('-');
            count += 1;
            gap = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// RFC 5987 `value-chars`: what is not an attr-char is `%XX` of its UTF-8 bytes.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(site: &str, visitor: &str) -> DownloadName {
        DownloadName::new(
            &[
                Part {
                    text: site,
                    fallback: "site",
                },
                Part {
                    text: visitor,
                    fallback: "visitor-ab12",
                },
                Part {
                    text: "2026-12-02",
                    fallback: "",
                },
            ],
            ".txt",
        )
    }

    #[test]
    fn names_become_lower_case_slugs_joined_by_single_dashes() {
        let n = name("  Corner Shop!! ", "Ann O'Neil");
        assert_eq!(n.ascii(), "pintalk-corner-shop-ann-o-neil-2026-12-02.txt");
        assert_eq!(
            n.content_disposition(),
            "attachment; filename=\"pintalk-corner-shop-ann-o-neil-2026-12-02.txt\"; \
             filename*=UTF-8''pintalk-corner-shop-ann-o-neil-2026-12-02.txt"
        );
    }

    #[test]
    fn korean_names_keep_their_letters_in_the_utf8_form_only() {
        let n = name("동네 가게", "김민수");
        assert_eq!(n.ascii(), "pintalk-site-visitor-ab12-2026-12-02.txt");
        let header = n.content_disposition();
        let encoded = header.split("UTF-8''").nth(1).unwrap();
        assert_eq!(
            encoded,
            "pintalk-%EB%8F%99%EB%84%A4-%EA%B0%80%EA%B2%8C-%EA%B9%80%EB%AF%BC%EC%88%98-2026-12-02.txt"
        );
    }

    #[test]
    fn quotes_slashes_and_control_characters_never_reach_the_header() {
        let n = name("a\"b/c\\d\r\ne", "../../etc/passwd");
        assert_eq!(n.ascii(), "pintalk-a-b-c-d-e-etc-passwd-2026-12-02.txt");
        assert!(!n.content_disposition().contains(['\r', '\n', '/', '\\']));
    }

    #[test]
    fn each_part_is_bounded() {
        let n = name(&"x".repeat(500), &"가".repeat(500));
        assert_eq!(
            n.ascii().len(),
            "pintalk-".len() + PART_MAX + "-visitor-ab12-2026-12-02.txt".len()
        );
        assert!(
            n.utf8.chars().count() <= "pintalk-".len() + 2 * PART_MAX + "--2026-12-02.txt".len()
        );
    }
}
