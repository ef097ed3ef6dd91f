//! Character classes: which code points are word characters, digits and spaces.
//!
//! The token rules are those of Python's `re` on `str` (`\w`, `\d`, `\s`), because the
//! index format was defined by them; the tables in `unicode_tables.rs` are generated from
//! Python by `generate_unicode.py`, which checks them against `re` on every code point.
//! ASCII, by far the most common, is answered from a 128-entry table; other code points
//! by a binary search over the ranges.

use crate::unicode_tables::{DIGIT, SPACE, WORD};

const IS_WORD: u8 = 1;
const IS_DIGIT: u8 = 2;
const IS_SPACE: u8 = 4;

/// The classes of the ASCII characters, by code point.
static ASCII: [u8; 128] = ascii_classes();

const fn ascii_classes() -> [u8; 128] {
    let mut out = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'_' {
            out[c] |= IS_WORD;
        }
        if b.is_ascii_digit() {
            out[c] |= IS_DIGIT;
        }
        // Python's str.isspace on ASCII: \t \n \v \f \r, the four separators 0x1C-0x1F, space.
        if (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20) {
            out[c] |= IS_SPACE;
        }
        c += 1;
    }
    out
}

fn within(ranges: &[(u32, u32)], cp: u32) -> bool {
    // The first range whose end is at or after cp holds it if its start is not after it.
    let at = ranges.partition_point(|&(_, end)| end < cp);
    at < ranges.len() && ranges[at].0 <= cp
}

/// The classes of one code point, as a set of flags (see [`Classes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classes(u8);

impl Classes {
    /// The classes of `cp` (any `u32`: values past Unicode belong to none).
    #[inline]
    pub fn of(cp: u32) -> Classes {
        if cp < 128 {
            return Classes(ASCII[cp as usize]);
        }
        let mut flags = 0;
        if within(WORD, cp) {
            flags |= IS_WORD;
        }
        if within(DIGIT, cp) {
            flags |= IS_DIGIT;
        }
        if within(SPACE, cp) {
            flags |= IS_SPACE;
        }
        Classes(flags)
    }

    /// `\w`: a letter, a digit of any kind, a numeric character or `_`.
    #[inline]
    pub fn word(self) -> bool {
        self.0 & IS_WORD != 0
    }

    /// `\d`: a decimal digit (of any script).
    #[inline]
    pub fn digit(self) -> bool {
        self.0 & IS_DIGIT != 0
    }

    /// `\s`: white space.
    #[inline]
    pub fn space(self) -> bool {
        self.0 & IS_SPACE != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_agrees_with_the_tables() {
        for cp in 0..128u32 {
            let c = Classes::of(cp);
            assert_eq!(c.word(), within(WORD, cp), "{cp}");
            assert_eq!(c.digit(), within(DIGIT, cp), "{cp}");
            assert_eq!(c.space(), within(SPACE, cp), "{cp}");
        }
    }

    #[test]
    fn beyond_ascii() {
        assert!(Classes::of('é' as u32).word());
        assert!(Classes::of('٣' as u32).digit()); // Arabic-Indic three
        assert!(Classes::of(0x2003).space()); // em space
        assert!(!Classes::of('—' as u32).word());
        assert_eq!(Classes::of(0x11_0000), Classes(0));
        assert!(!Classes::of(0xD800).word()); // a lone surrogate is nothing
    }

    #[test]
    fn ranges_are_sorted_and_disjoint() {
        for table in [WORD, DIGIT, SPACE] {
            for pair in table.windows(2) {
                assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0);
            }
        }
    }
}
