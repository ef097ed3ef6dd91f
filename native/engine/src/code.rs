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
//! a parser handed over). Words and numbers carry the hash of their spelling.

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

/// A code point's part in the rules, with regions applied.
#[derive(Clone, Copy)]
struct Char {
    /// Code, not white space: part of some token.
    in_token: bool,
    /// A word character or `$` in code: a run of these is a word or a number.
    wordish: bool,
    /// A decimal digit in code.
    digit: bool,
}

const OUTSIDE: Char = Char {
    in_token: false,
    wordish: false,
    digit: false,
};

const fn ascii_chars() -> [Char; 128] {
    let mut out = [OUTSIDE; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        let space = (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20);
        out[c] = Char {
            in_token: !space,
            wordish: b.is_ascii_alphanumeric() || b == b'_' || b == b'$',
            digit: b.is_ascii_digit(),
        };
        c += 1;
    }
    out
}

/// What each ASCII character is when it is code (the common case, without a search).
static ASCII: [Char; 128] = ascii_chars();

#[inline]
fn char_at(cps: &[u32], in_code: &[bool], i: usize) -> Char {
    if !in_code[i] {
        return OUTSIDE;
    }
    let cp = cps[i];
    if cp < 128 {
        return ASCII[cp as usize];
    }
    let classes = Classes::of(cp);
    Char {
        in_token: !classes.space(),
        wordish: classes.word(),
        digit: classes.digit(),
    }
}

/// Cut `cps` into tokens. `in_code[i]` says whether code point `i` is code (both are as
/// long); `breaks` lists, sorted, the offsets no token may run into from the code point
/// before.
///
/// One pass, left to right. A run of word characters is one token, except that in a run
/// starting with a digit (a number) the first `$` starts a word; the number's characters
/// before that `$` may continue it over a `.` (or over a `+` or `-` after `e` or `E`)
/// that stands right before a digit.
pub fn cut(cps: &[u32], in_code: &[bool], breaks: &[usize]) -> Vec<CodeToken> {
    let n = cps.len().min(in_code.len());
    let mut tokens = Vec::with_capacity(n / 4);
    let mut next_break = 0;
    let mut is_break = |i: usize| {
        while breaks.get(next_break).is_some_and(|&b| b < i) {
            next_break += 1;
        }
        breaks.get(next_break) == Some(&i)
    };
    // The token being read: its start and kind.
    let mut open: Option<(usize, Kind)> = None;
    // The run of word characters being read: whether it is a number's, how many `$` so far.
    let (mut in_number, mut dollars) = (false, 0usize);
    let mut previous = Char {
        in_token: false,
        wordish: false,
        digit: false,
    };
    // Whether the previous code point was a number's character, and whether it joined two.
    let (mut previous_number_char, mut previous_joined) = (false, false);
    let mut here = if n > 0 {
        char_at(cps, in_code, 0)
    } else {
        previous
    };
    for i in 0..n {
        let broken = is_break(i);
        let following = if i + 1 < n {
            Some(char_at(cps, in_code, i + 1))
        } else {
            None
        };
        let mut starts = false;
        let mut joins = false;
        let mut number_char = false;
        if here.wordish {
            let run_start = !previous.wordish || broken || i == 0;
            if run_start {
                in_number = here.digit;
                dollars = 0;
                starts = !previous_joined;
            }
            if in_number {
                if cps[i] == DOLLAR {
                    dollars += 1;
                    starts |= dollars == 1;
                }
                number_char = dollars == 0;
            }
        } else if here.in_token {
            let mark = cps[i];
            joins = previous_number_char
                && (mark == 46
                    || ((mark == 43 || mark == 45) && (cps[i - 1] == 101 || cps[i - 1] == 69)))
                && following.is_some_and(|f| f.digit)
                && !broken
                && !is_break(i + 1);
            starts = !joins;
        }
        if let Some((start, kind)) = open {
            if starts || !here.in_token {
                tokens.push(token(cps, start, i, kind));
                open = None;
            }
        }
        if starts {
            let kind = if !here.wordish {
                Kind::Punct
            } else if here.digit {
                Kind::Number
            } else {
                Kind::Word
            };
            open = Some((i, kind));
        }
        previous_number_char = number_char;
        previous_joined = joins;
        previous = here;
        if let Some(f) = following {
            here = f;
        }
    }
    if let Some((start, kind)) = open {
        tokens.push(token(cps, start, n, kind));
    }
    tokens
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

    fn spans(text: &str) -> Vec<(String, Kind)> {
        let cps = code_points(text);
        let n = cps.len();
        cut(&cps, &vec![true; n], &[])
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
        let cut_at = cut(&cps, &[true; 6], &[3]);
        assert_eq!(
            cut_at.iter().map(|t| (t.start, t.end)).collect::<Vec<_>>(),
            [(0, 3), (3, 6)]
        );
        let mut in_code = [true; 6];
        in_code[2] = false;
        let holes = cut(&cps, &in_code, &[]);
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
