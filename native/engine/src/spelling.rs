//! The hash of a spelling: how a name, a number or a string literal is identified.
//!
//! `hash(s) = fmix64(poly(s) + len(s) * LENGTH)` where `poly` is the polynomial
//! `sum((c_i + 1) * BASE^(len-1-i))` over the code points, wrapping modulo 2^64. Every kind
//! of quote reads as `"`: a string literal keeps its value when a formatter swaps `'` for
//! `"` (names and numbers hold no quotes). The value is part of the index format.

use crate::mix::{fmix64, BASE};

/// Mixed in per code point of length, so spellings of different lengths rarely collide.
const LENGTH: u64 = 0xD6E8_FEB8_6659_FD93;

#[inline]
fn unified(cp: u32) -> u64 {
    // ' and ` read as ".
    let cp = if cp == 39 || cp == 96 { 34 } else { cp };
    u64::from(cp) + 1
}

/// The hash of the spelling made of `cps`.
pub fn spelling_hash(cps: &[u32]) -> u64 {
    let poly = cps.iter().fold(0u64, |acc, &cp| {
        acc.wrapping_mul(BASE).wrapping_add(unified(cp))
    });
    fmix64(poly.wrapping_add((cps.len() as u64).wrapping_mul(LENGTH)))
}

/// The code points of a string (the spelling of a keyword or a symbol).
pub fn code_points(text: &str) -> Vec<u32> {
    text.chars().map(u32::from).collect()
}

/// The bytes Python's `str.encode("utf-8", "surrogatepass")` gives for these code points:
/// UTF-8, with a lone surrogate written as the three bytes its value would take.
pub fn utf8_surrogatepass(cps: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cps.len());
    for &cp in cps {
        let (bytes, length) = utf8_one(cp);
        out.extend_from_slice(&bytes[..length]);
    }
    out
}

/// [`utf8_surrogatepass`] of one code point, without allocating: its bytes and how many.
pub fn utf8_one(cp: u32) -> ([u8; 4], usize) {
    // Code points past Unicode cannot come from a Python str; they are clamped.
    let cp = cp.min(0x10_FFFF);
    if cp < 0x80 {
        ([cp as u8, 0, 0, 0], 1)
    } else if cp < 0x800 {
        ([0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8, 0, 0], 2)
    } else if cp < 0x1_0000 {
        let bytes = [
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
            0,
        ];
        (bytes, 3)
    } else {
        let bytes = [
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ];
        (bytes, 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_read_alike() {
        let a = spelling_hash(&code_points("'abc'"));
        assert_eq!(a, spelling_hash(&code_points("\"abc\"")));
        assert_eq!(a, spelling_hash(&code_points("`abc`")));
        assert_ne!(a, spelling_hash(&code_points("\"abd\"")));
    }

    #[test]
    fn utf8_matches_std_for_scalar_values() {
        let text = "aé—€𝄞";
        assert_eq!(utf8_surrogatepass(&code_points(text)), text.as_bytes());
        assert_eq!(utf8_surrogatepass(&[0xD800]), [0xED, 0xA0, 0x80]);
    }
}
