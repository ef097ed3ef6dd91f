//! HTML character references undone: code shown in a web page, a ticket, an e-mail.
//!
//! The references `leakguard/decode/markup.py` decodes are those a regular expression
//! finds, leftmost first and without overlap:
//!
//! ```text
//! &(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});
//! ```
//!
//! Each becomes what Python's `html.unescape` makes of it (the tables in
//! `entity_tables.rs` are generated from it by `generate_entities.py`):
//!
//! * a numeric reference: the code point, or the character the standard remaps it to
//!   (`&#128;` is the euro sign), U+FFFD for a surrogate or a value past Unicode, nothing
//!   for a code point the standard drops (most C0 and C1 controls, noncharacters);
//! * a named one: its value; else the value of the longest name (of at least two letters)
//!   it starts with, followed by the rest (`&ampx;` is `&x;`); else itself.
//!
//! As in [`crate::escapes`], each character of the output maps back to the original: a
//! kept one to itself, a decoded one to its whole reference (`starts[i]..ends[i]`).

use crate::entity_tables::{DROPPED, NAMED, REMAPPED};
use crate::rewrite::{rewrite, Rewritten};

const REPLACEMENT: u32 = 0xFFFD;
/// The longest name a reference may have (the `;` not counted).
const MAX_NAME: usize = 32;

fn is(cps: &[u32], at: usize, test: impl Fn(char) -> bool) -> bool {
    cps.get(at)
        .and_then(|&cp| char::from_u32(cp))
        .is_some_and(test)
}

/// How many characters passing `test` follow `at`, counting at most `limit + 1`.
fn run(cps: &[u32], at: usize, limit: usize, test: impl Fn(char) -> bool) -> usize {
    let mut n = 0;
    while n <= limit && is(cps, at + n, &test) {
        n += 1;
    }
    n
}

/// The reference starting at the `&` at `at`: its length and its body (what follows the
/// `&`, the `;` left out), if one starts there.
fn reference(cps: &[u32], at: usize) -> Option<(usize, Reference)> {
    let body = at + 1;
    if is(cps, body, |c| c == '#') {
        let (hex, first) = if is(cps, body + 1, |c| c == 'x' || c == 'X') {
            (true, body + 2)
        } else {
            (false, body + 1)
        };
        let (limit, radix) = if hex { (6, 16) } else { (7, 10) };
        let digits = run(cps, first, limit, |c| c.is_ascii() && c.is_digit(radix));
        if digits == 0 || digits > limit || !is(cps, first + digits, |c| c == ';') {
            return None;
        }
        let value = cps[first..first + digits]
            .iter()
            .filter_map(|&cp| char::from_u32(cp)?.to_digit(radix))
            .fold(0u32, |value, digit| value * radix + digit);
        return Some((first + digits + 1 - at, Reference::Number(value)));
    }
    if !is(cps, body, |c| c.is_ascii_alphabetic()) {
        return None;
    }
    let length = 1 + run(cps, body + 1, MAX_NAME - 1, |c| c.is_ascii_alphanumeric());
    if !(2..=MAX_NAME).contains(&length) || !is(cps, body + length, |c| c == ';') {
        return None;
    }
    Some((length + 2, Reference::Name(body, length)))
}

enum Reference {
    /// A numeric reference's value.
    Number(u32),
    /// A name: where it starts and how long it is, the `;` not counted.
    Name(usize, usize),
}

fn within(ranges: &[(u32, u32)], cp: u32) -> bool {
    let at = ranges.partition_point(|&(_, end)| end < cp);
    at < ranges.len() && ranges[at].0 <= cp
}

/// What a numeric reference decodes to (nothing, for a dropped code point).
fn number(value: u32) -> Option<u32> {
    if let Ok(at) = REMAPPED.binary_search_by_key(&value, |&(from, _)| from) {
        return Some(REMAPPED[at].1);
    }
    if (0xD800..=0xDFFF).contains(&value) || value > 0x10_FFFF {
        return Some(REPLACEMENT);
    }
    (!within(DROPPED, value)).then_some(value)
}

fn named(name: &str) -> Option<&'static str> {
    NAMED
        .binary_search_by_key(&name, |&(key, _)| key)
        .ok()
        .map(|at| NAMED[at].1)
}

/// Appends what the name `spelled` (the `;` included, ASCII) decodes to; `false` when it
/// decodes to itself.
fn push_name(spelled: &str, out: &mut Vec<u32>) -> bool {
    if let Some(value) = named(spelled) {
        out.extend(value.chars().map(u32::from));
        return true;
    }
    // The longest known prefix of at least two characters, then the rest as it was.
    for cut in (2..spelled.len()).rev() {
        if let Some(value) = named(&spelled[..cut]) {
            out.extend(value.chars().map(u32::from));
            out.extend(spelled[cut..].chars().map(u32::from));
            return true;
        }
    }
    false
}

/// The text with its character references decoded, and the original range
/// `starts[i]..ends[i]` of each of its characters; `None` when no reference changes it.
pub fn unescape_entities(cps: &[u32]) -> Option<Rewritten> {
    let mut spelled = String::with_capacity(MAX_NAME + 1);
    rewrite(cps, u32::from('&'), |cps, at, out| {
        let (length, found) = reference(cps, at)?;
        match found {
            Reference::Number(value) => out.extend(number(value)),
            Reference::Name(first, n) => {
                spelled.clear();
                spelled.extend(
                    cps[first..=first + n]
                        .iter()
                        .filter_map(|&cp| char::from_u32(cp)),
                );
                if !push_name(&spelled, out) {
                    return None; // decodes to itself: kept as it was
                }
            }
        }
        Some(length)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Option<String> {
        let cps: Vec<u32> = text.chars().map(u32::from).collect();
        unescape_entities(&cps)
            .map(|(out, _, _)| out.iter().filter_map(|&cp| char::from_u32(cp)).collect())
    }

    #[test]
    fn common_references() {
        assert_eq!(
            decode("a &lt; b &amp;&amp; c &gt; d").as_deref(),
            Some("a < b && c > d")
        );
        assert_eq!(
            decode("&quot;x&quot; &#39;y&#x27;").as_deref(),
            Some("\"x\" 'y'")
        );
        assert_eq!(decode("&#65;&#x42;&#X43;").as_deref(), Some("ABC"));
    }

    #[test]
    fn numeric_rules() {
        assert_eq!(decode("&#128;").as_deref(), Some("\u{20AC}")); // remapped
        assert_eq!(decode("&#0;").as_deref(), Some("\u{FFFD}"));
        assert_eq!(decode("&#xD800;").as_deref(), Some("\u{FFFD}")); // a surrogate
        assert_eq!(decode("&#9999999;").as_deref(), Some("\u{FFFD}")); // past Unicode
        assert_eq!(decode("a&#1;b").as_deref(), Some("ab")); // dropped
        assert_eq!(decode("&#12345678;"), None); // eight digits: no reference
        assert_eq!(decode("&#x1234567;"), None);
        assert_eq!(decode("&#;&#x;"), None);
    }

    #[test]
    fn named_rules() {
        assert_eq!(decode("&ampx;").as_deref(), Some("&x;")); // longest known prefix
        assert_eq!(decode("&notit;").as_deref(), Some("\u{AC}it;"));
        assert_eq!(decode("&nosuchname;"), None); // kept as it was
        assert_eq!(decode("&a;"), None); // one letter: no reference
        assert_eq!(decode("&lt"), None); // no `;`
    }

    #[test]
    fn maps_back_to_whole_references() {
        let cps: Vec<u32> = "x&lt;y".chars().map(u32::from).collect();
        let (out, starts, ends) = unescape_entities(&cps).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(starts, vec![0, 1, 5]);
        assert_eq!(ends, vec![1, 5, 6]);
    }

    #[test]
    fn odd_input() {
        assert_eq!(unescape_entities(&[]), None);
        assert_eq!(unescape_entities(&[0x26, 0xD800, u32::MAX, 0x26]), None);
    }
}
