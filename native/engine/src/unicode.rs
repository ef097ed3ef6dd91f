//! Character classes: which code points are word characters, digits and spaces.
//!
//! The token rules are those of Python's `re` on `str` (`\w`, `\d`, `\s`), because the
//! index format was defined by them; the tables in `unicode_tables.rs` are generated from
//! Python by `generate_unicode.py`, which checks them against `re` on every code point.
//! ASCII, by far the most common, is answered from a 128-entry table; other code points
//! by a binary search over the ranges.

use std::sync::LazyLock;

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

/// The classes of every code point of the Basic Multilingual Plane, built once from the
/// tables: text in other scripts (or replacement characters) asks for one at every
/// character, and three binary searches each cost more than the rest of cutting a token.
static BMP: LazyLock<Box<[u8]>> =
    LazyLock::new(|| (0..0x1_0000).map(|cp| searched(cp).0).collect());

fn searched(cp: u32) -> Classes {
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

fn within(ranges: &[(u32, u32)], cp: u32) -> bool {
    // The first range whose end is at or after cp holds it if its start is not after it.
    let at = ranges.partition_point(|&(_, end)| end < cp);
    at < ranges.len() && ranges[at].0 <= cp
}

/// The value of a decimal digit of any script (what Python's `int` reads it as), or `None`
/// when `cp` is not one. Unicode encodes every script's decimal digits as whole runs of ten
/// from zero to nine, so the table's ranges (runs merged) give the value modulo ten.
pub fn decimal(cp: u32) -> Option<u32> {
    if cp < 128 {
        return char::from_u32(cp).and_then(|c| c.to_digit(10));
    }
    let at = DIGIT.partition_point(|&(_, end)| end < cp);
    let &(start, _) = DIGIT.get(at).filter(|&&(start, _)| start <= cp)?;
    Some((cp - start) % 10)
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
        match BMP.get(cp as usize) {
            Some(&flags) => Classes(flags),
            None => searched(cp),
        }
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
    fn the_plane_table_agrees_with_the_search() {
        for cp in (0..0x1_0000).chain([0x1_D7CE, 0x2_0000, 0x10_FFFF, 0x11_0000]) {
            assert_eq!(Classes::of(cp), searched(cp), "{cp:X}");
        }
    }

    #[test]
    fn digit_ranges_are_runs_of_ten() {
        assert!(DIGIT
            .iter()
            .all(|&(start, end)| (end - start + 1) % 10 == 0));
        assert_eq!(decimal('7' as u32), Some(7));
        assert_eq!(decimal('٣' as u32), Some(3));
        assert_eq!(decimal(0x1D7CE + 13), Some(3)); // mathematical bold digits, second run
        assert_eq!(decimal('x' as u32), None);
        assert_eq!(decimal('²' as u32), None); // a digit, but not a decimal one
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
