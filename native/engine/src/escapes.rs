//! String escapes undone: code inside a JSON string, a Python repr, a quoted argument.
//!
//! One pass of the decoding `leakguard/decode/escapes.py` asks for (it runs a second pass
//! on text escaped twice, JSON inside a JSON string). Escapes are read left to right, each
//! backslash starting at most one, as a regular expression's leftmost matches would be:
//!
//! * `\uD8xx\uDCxx` (a high then a low surrogate, hex digits in either case): the one
//!   character the pair encodes;
//! * `\uXXXX`: that character, or nothing for a lone surrogate half;
//! * `\n`, `\t`, `\"`, `\'`, `\\`, `\/`: the character; `\r`: nothing (a CRLF escaped in
//!   a string reads as one line break).
//!
//! Any other backslash is kept, and the scan goes on at the next character. Each character
//! of the output maps back to the original: a kept one to itself, a decoded one to the
//! whole escape (`starts[i]..ends[i]`), as [`crate::rewrite`] builds it.

use crate::rewrite::{rewrite, Rewritten};

/// The value of one hex digit, if `cp` is one.
#[inline]
fn hex(cp: u32) -> Option<u32> {
    char::from_u32(cp).and_then(|c| c.to_digit(16))
}

/// The value of the four hex digits at `cps[at..at + 4]`, if they are four hex digits.
fn hex4(cps: &[u32], at: usize) -> Option<u32> {
    let digits = cps.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |value, &cp| Some(value << 4 | hex(cp)?))
}

/// The escape starting at the backslash `cps[at]`: what it decodes to (`None`: nothing)
/// and its length, or `None` when no escape starts there.
fn escape(cps: &[u32], at: usize) -> Option<(Option<u32>, usize)> {
    let next = *cps.get(at + 1)?;
    if next == u32::from('u') {
        let code = hex4(cps, at + 2)?;
        if (0xD800..0xDC00).contains(&code)
            && cps.get(at + 6) == Some(&u32::from('\\'))
            && cps.get(at + 7) == Some(&u32::from('u'))
        {
            if let Some(low) = hex4(cps, at + 8).filter(|low| (0xDC00..0xE000).contains(low)) {
                return Some((Some(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), 12));
            }
        }
        let lone = (0xD800..0xE000).contains(&code);
        return Some((if lone { None } else { Some(code) }, 6));
    }
    let decoded = match char::from_u32(next)? {
        'n' => Some(u32::from('\n')),
        't' => Some(u32::from('\t')),
        'r' => None,
        c @ ('"' | '\'' | '\\' | '/') => Some(u32::from(c)),
        _ => return None,
    };
    Some((decoded, 2))
}

/// The text with its escapes decoded, and the original range `starts[i]..ends[i]` of each
/// of its characters; `None` when it holds no escape.
pub fn unescape(cps: &[u32]) -> Option<Rewritten> {
    rewrite(cps, u32::from('\\'), |cps, at, out| {
        let (decoded, length) = escape(cps, at)?;
        out.extend(decoded);
        Some(length)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::code_points;

    fn decoded(text: &str) -> Option<(String, Vec<i64>, Vec<i64>)> {
        unescape(&code_points(text)).map(|(cps, starts, ends)| {
            let text = cps.iter().filter_map(|&c| char::from_u32(c)).collect();
            (text, starts, ends)
        })
    }

    #[test]
    fn simple_escapes_and_their_ranges() {
        let (text, starts, ends) = decoded(r#"a\nb\"\r"#).unwrap();
        assert_eq!(text, "a\nb\"");
        assert_eq!(starts, [0, 1, 3, 4]);
        assert_eq!(ends, [1, 3, 4, 6]);
    }

    #[test]
    fn unicode_escapes_pairs_and_lone_halves() {
        assert_eq!(decoded(r"\u0041\uD83D\uDE00").unwrap().0, "A\u{1F600}");
        assert_eq!(decoded(r"x\ud800y").unwrap().0, "xy");
        assert_eq!(decoded(r"\ud83d\u0041").unwrap().0, "A");
        assert_eq!(decoded(r"\u00zz").map(|d| d.0), None);
    }

    #[test]
    fn a_doubled_backslash_is_one_escape() {
        assert_eq!(decoded(r"\\n").unwrap().0, r"\n");
        assert_eq!(decoded(r"\q\"), None);
        assert_eq!(decoded("plain"), None);
    }
}
