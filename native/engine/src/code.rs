//! Cutting code into tokens: numbers, words and punctuation.
//!
//! The characters marked as code (comments and strings are not) are cut by these rules,
//! which are Python `re` expressions (see [`crate::unicode`] for `\w` and `\d`):
//!
//! * number: `\d(?:\w|\.(?=\d)|(?<=[eE])[+-](?=\d))*`, ending at its first `$`;
//! * word: `(?:\$|[^\W\d])[\w$]*`;
//! * punctuation: any other single character that is not a space.
//!
//! No token runs over a character outside code or over a *break* (the border of a region
//! a parser handed over): the code is cut segment by segment. Words and numbers carry the hash of their spelling.

use crate::spelling::spelling_hash;
use crate::unicode::Classes;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// One punctuation character.
    Punct = 0,
    /// A name or keyword (or a run starting with `$`).
    Word = 1,
    /// A number.
    Number = 2,
}

/// One token of code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeToken {
    /// Offset of its first code point.
    pub start: usize,
    /// Offset just past its last code point.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
    /// The spelling hash of words and numbers; 0 for punctuation.
    pub hash: u64,
    /// Its first code point.
    pub first: u32,
}

const DOLLAR: u32 = '$' as u32;
const POINT: u32 = '.' as u32;

/// A code point's part in the rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// White space: in no token.
    Space,
    /// A word character that is not a digit, or `$`: starts a word.
    Letter,
    /// A decimal digit: starts a number.
    Digit,
    /// Anything else: one punctuation token.
    Mark,
}

const fn ascii_classes() -> [Class; 128] {
    let mut out = [Class::Mark; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        out[c] = if (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20) {
            Class::Space
        } else if b.is_ascii_digit() {
            Class::Digit
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
            Class::Letter
        } else {
            Class::Mark
        };
        c += 1;
    }
    out
}

/// What each ASCII character is (the common case, without a search).
static ASCII: [Class; 128] = ascii_classes();

#[inline]
fn class(cp: u32) -> Class {
    if cp < 128 {
        return ASCII[cp as usize];
    }
    let classes = Classes::of(cp);
    if classes.space() {
        Class::Space
    } else if classes.digit() {
        Class::Digit
    } else if classes.word() {
        Class::Letter
    } else {
        Class::Mark
    }
}

/// Whether `cp` continues a word: a word character or `$`.
#[inline]
fn wordish(cp: u32) -> bool {
    matches!(class(cp), Class::Letter | Class::Digit)
}

/// The offsets of `0..n` that are code: the complement of `excluded` (spans in any order,
/// overlapping or not, clamped to `n`), cut at every offset of `breaks` (sorted).
pub fn code_segments(
    n: usize,
    excluded: &[(usize, usize)],
    breaks: &[usize],
) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = excluded
        .iter()
        .map(|&(start, end)| (start.min(n), end.min(n)))
        .filter(|&(start, end)| start < end)
        .collect();
    spans.sort_unstable();
    let mut segments = Vec::with_capacity(spans.len() + breaks.len() + 1);
    let mut at = 0;
    let mut cuts = breaks.iter().copied().filter(|&b| b < n).peekable();
    let mut code = |from: usize, to: usize, segments: &mut Vec<(usize, usize)>| {
        let mut from = from;
        while let Some(cut) = cuts.next_if(|&c| c < to) {
            if cut > from {
                segments.push((from, cut));
                from = cut;
            }
        }
        if from < to {
            segments.push((from, to));
        }
    };
    for (start, end) in spans {
        if start > at {
            code(at, start, &mut segments);
        }
        at = at.max(end);
    }
    code(at, n, &mut segments);
    segments
}

/// Cut the code `segments` of `cps` (sorted, disjoint, inside it) into tokens, handing
/// each to `sink` as it is read, in order; no token runs over a segment's border.
///
/// A run of word characters (and `$`) is one token, except that in a run starting with a
/// digit (a number) the first `$` ends the number and starts a word. A number's run may
/// go on over a `.` (or over a `+` or `-` after `e` or `E`) that stands right before a
/// digit.
#[inline]
pub fn cut(cps: &[u32], segments: &[(usize, usize)], mut sink: impl FnMut(CodeToken)) {
    for &(from, to) in segments {
        let seg = &cps[from.min(cps.len())..to.min(cps.len())];
        let mut i = 0;
        while i < seg.len() {
            let start = i;
            let kind = match class(seg[i]) {
                Class::Space => {
                    i += 1;
                    continue;
                }
                Class::Mark => {
                    i += 1;
                    Kind::Punct
                }
                Class::Letter => {
                    i += 1;
                    while i < seg.len() && wordish(seg[i]) {
                        i += 1;
                    }
                    Kind::Word
                }
                Class::Digit => {
                    i = number_end(seg, i);
                    Kind::Number
                }
            };
            sink(token(cps, from + start, from + i, kind));
        }
    }
}

/// Where the number starting at `seg[start]` (a digit) ends: at the first `$`, or where
/// its run ends and no `.`, `e+` or `e-` before a digit carries it on.
#[inline]
fn number_end(seg: &[u32], start: usize) -> usize {
    let mut i = start + 1;
    while i < seg.len() {
        let cp = seg[i];
        if cp == DOLLAR {
            break;
        }
        if wordish(cp) {
            i += 1;
            continue;
        }
        let joins = (cp == POINT
            || ((cp == 43 || cp == 45) && (seg[i - 1] == 101 || seg[i - 1] == 69)))
            && seg
                .get(i + 1)
                .is_some_and(|&next| class(next) == Class::Digit);
        if !joins {
            break;
        }
        i += 2;
    }
    i
}

#[inline]
fn token(cps: &[u32], start: usize, end: usize, kind: Kind) -> CodeToken {
    let hash = if kind == Kind::Punct {
        0
    } else {
        spelling_hash(&cps[start..end])
    };
    CodeToken {
        start,
        end,
        kind,
        hash,
        first: cps[start],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::code_points;

    fn tokens(cps: &[u32], segments: &[(usize, usize)]) -> Vec<CodeToken> {
        let mut out = Vec::new();
        cut(cps, segments, |token| out.push(token));
        out
    }

    fn spans(text: &str) -> Vec<(String, Kind)> {
        let cps = code_points(text);
        let n = cps.len();
        tokens(&cps, &[(0, n)])
            .into_iter()
            .map(|t| {
                (
                    cps[t.start..t.end]
                        .iter()
                        .map(|&c| char::from_u32(c).unwrap())
                        .collect(),
                    t.kind,
                )
            })
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        spans(text).into_iter().map(|(s, _)| s).collect()
    }

    #[test]
    fn words_numbers_punctuation() {
        assert_eq!(texts("foo(bar, 12)"), ["foo", "(", "bar", ",", "12", ")"]);
        assert_eq!(spans("x1 1x")[1].1, Kind::Number);
        assert_eq!(spans("$el")[0], ("$el".to_string(), Kind::Word));
    }

    #[test]
    fn numbers_join_over_points_and_exponents() {
        assert_eq!(
            texts("1.5 1e+5 1E-3 1.5.3"),
            ["1.5", "1e+5", "1E-3", "1.5.3"]
        );
        assert_eq!(
            texts("a.b 1+2 x1.5"),
            ["a", ".", "b", "1", "+", "2", "x1", ".", "5"]
        );
        assert_eq!(texts("1."), ["1", "."]);
    }

    #[test]
    fn a_number_ends_at_its_first_dollar() {
        assert_eq!(texts("1$a$b"), ["1", "$a$b"]);
        assert_eq!(texts("a$1$"), ["a$1$"]);
    }

    #[test]
    fn breaks_and_excluded_characters_end_tokens() {
        let cps = code_points("abcdef");
        let cut_at = tokens(&cps, &code_segments(6, &[], &[3]));
        assert_eq!(
            cut_at.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(),
            [(0, 3), (3, 6)]
        );
        let holes = tokens(&cps, &code_segments(6, &[(2, 3)], &[]));
        assert_eq!(
            holes.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(),
            [(0, 2), (3, 6)]
        );
    }

    #[test]
    fn unicode_words_and_digits() {
        assert_eq!(texts("naïve —x ٣٤"), ["naïve", "—", "x", "٣٤"]);
    }
}
