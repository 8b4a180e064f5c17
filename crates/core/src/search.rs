//! The words of conversation search: how a text becomes the terms it is found by, and
//! how a search is read. One tokenizer for both sides, so that what is indexed and what
//! is asked for always agree (see docs/decisions.md, "Search").

use std::collections::BTreeSet;

/// A term keeps at most this many characters (the SQL column's width); a longer word is
/// found by its first `MAX_TERM_CHARS` characters.
pub const MAX_TERM_CHARS: usize = 32;
/// At most this many distinct terms are indexed per text (a message is up to 4,000
/// characters); words past them are not found.
pub const MAX_TERMS_PER_TEXT: usize = 200;
/// A search is 1 to this many characters long.
pub const MAX_QUERY_CHARS: usize = 100;
/// A search has at most this many words (each one more range in the query).
pub const MAX_QUERY_WORDS: usize = 8;

/// The words of `text`, lower-cased: runs of Unicode letters and digits, so `order #1042`
/// is `order` and `1042`, and Korean words stay whole. Each cut to [`MAX_TERM_CHARS`].
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| word.to_lowercase().chars().take(MAX_TERM_CHARS).collect())
}

/// The distinct terms `text` is found by, at most [`MAX_TERMS_PER_TEXT`] (the first ones).
pub fn terms(text: &str) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for word in words(text) {
        if terms.len() >= MAX_TERMS_PER_TEXT {
            break;
        }
        terms.insert(word);
    }
    terms
}

/// Why a search was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("q must be 1 to {MAX_QUERY_CHARS} characters")]
    Length,
    #[error("q has no letters or digits to search for")]
    NoWords,
    #[error("q has more than {MAX_QUERY_WORDS} words")]
    TooManyWords,
}

/// A parsed search: every word must match (AND), each as the prefix of a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    words: Vec<String>,
}

impl Search {
    /// Reads what the owner typed into the search box.
    pub fn parse(raw: &str) -> Result<Self, SearchError> {
        let length = raw.chars().count();
        if length == 0 || length > MAX_QUERY_CHARS {
            return Err(SearchError::Length);
        }
        let words: BTreeSet<String> = words(raw).collect();
        if words.is_empty() {
            return Err(SearchError::NoWords);
        }
        if words.len() > MAX_QUERY_WORDS {
            return Err(SearchError::TooManyWords);
        }
        Ok(Self {
            words: words.into_iter().collect(),
        })
    }

    /// Whether every word starts one of the terms of `text`: what the index answers for
    /// a room, asked of one message.
    pub fn matches(&self, text: &str) -> bool {
        let terms = terms(text);
        self.words
            .iter()
            .all(|word| terms.iter().any(|term| term.starts_with(word.as_str())))
    }

    /// Each word as the range of terms it matches, `[from, to)`: the terms that start
    /// with the word. A range is index-able on every SQL engine, unlike `LIKE 'w%'`,
    /// whose use of an index depends on the engine and its collation.
    pub fn ranges(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.words
            .iter()
            .map(|word| (word.clone(), prefix_end(word)))
    }
}

/// The first string after every string that starts with `prefix`, in code point order
/// (which is byte order in UTF-8): `prefix` with its last character moved up by one.
fn prefix_end(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // Surrogates are not characters: the one after U+D7FF is U+E000.
        let next = match u32::from(last) + 1 {
            0xD800 => Some('\u{E000}'),
            n => char::from_u32(n),
        };
        if let Some(next) = next {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only a run of U+10FFFF has no successor; no term is above it.
    String::from(char::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_splits_and_case_folds() {
        let found: Vec<String> = terms("Order #1042, please: ORDER").into_iter().collect();
        assert_eq!(found, ["1042", "order", "please"]);
    }

    #[test]
    fn korean_words_stay_whole() {
        let found: Vec<String> = terms("배송은 언제 되나요?").into_iter().collect();
        assert_eq!(found, ["되나요", "배송은", "언제"]);
    }

    #[test]
    fn terms_and_their_count_are_bounded() {
        let long = "a".repeat(100);
        assert_eq!(
            terms(&long).into_iter().next().unwrap().len(),
            MAX_TERM_CHARS
        );
        let many: String = (0..500).map(|i| format!("w{i} ")).collect();
        assert_eq!(terms(&many).len(), MAX_TERMS_PER_TEXT);
    }

    #[test]
    fn a_search_is_bounded_and_needs_a_word() {
        assert_eq!(Search::parse(""), Err(SearchError::Length));
        assert_eq!(Search::parse(&"a".repeat(101)), Err(SearchError::Length));
        assert_eq!(Search::parse(" #!? "), Err(SearchError::NoWords));
        assert_eq!(
            Search::parse("a b c d e f g h i"),
            Err(SearchError::TooManyWords)
        );
        let search = Search::parse("Order #1042").unwrap();
        let ranges: Vec<_> = search.ranges().collect();
        assert_eq!(
            ranges,
            [
                ("1042".to_owned(), "1043".to_owned()),
                ("order".to_owned(), "ordes".to_owned())
            ]
        );
    }

    #[test]
    fn a_text_matches_when_every_word_starts_one_of_its_terms() {
        let search = Search::parse("ORD 104").unwrap();
        assert!(search.matches("Where is my order #1042?"));
        assert!(!search.matches("Where is my order?"));
        assert!(!search.matches("border 1042"));
    }

    #[test]
    fn the_range_of_a_prefix_holds_exactly_its_extensions() {
        for prefix in ["주문", "a", "z\u{D7FF}"] {
            let end = prefix_end(prefix);
            assert!(prefix < end.as_str());
            assert!(format!("{prefix}\u{10FFFF}") < end);
        }
    }
}
