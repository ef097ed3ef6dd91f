//! Unicode tricks undone: invisible controls removed, look-alikes folded to ASCII.
//!
//! Someone dodging a filter pushes zero-width spaces between letters, swaps a Latin letter
//! for a Cyrillic look-alike or writes in full-width forms; a chat app turns quotes into
//! curly ones. Each character the decoder changes has one entry in the generated table
//! `fold_tables.rs` (see `generate_unicode.py`): nothing for an invisible control, else
//! its ASCII look-alike or its NFKC form with look-alikes folded. ASCII is never changed.
//!
//! The decoded text keeps a map back: each of its characters came from one character of
//! the original (a character folded into several gives each of them the same source).

use std::sync::LazyLock;

use crate::fold_tables::FOLD;

/// One bit per code point of the Basic Multilingual Plane: whether the table holds it.
/// Most characters of other scripts are not changed, and the bit answers without the
/// binary search.
static IN_TABLE: LazyLock<Box<[u64]>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x1_0000 / 64];
    for &(cp, _) in FOLD.iter().filter(|&&(cp, _)| cp < 0x1_0000) {
        bits[cp as usize / 64] |= 1 << (cp % 64);
    }
    bits.into_boxed_slice()
});

/// What `cp` becomes, if the decoder changes it.
#[inline]
pub fn folded(cp: u32) -> Option<&'static str> {
    if cp < 0x80 {
        return None;
    }
    if let Some(word) = IN_TABLE.get(cp as usize / 64) {
        if word & (1 << (cp % 64)) == 0 {
            return None;
        }
    }
    FOLD.binary_search_by_key(&cp, |&(from, _)| from)
        .ok()
        .map(|at| FOLD[at].1)
}

/// The decoded text and the source offset of each of its characters; `None` when the
/// decoder changes nothing.
pub fn fold(cps: &[u32]) -> Option<(Vec<u32>, Vec<i64>)> {
    let first = cps.iter().position(|&cp| folded(cp).is_some())?;
    let mut out: Vec<u32> = Vec::with_capacity(cps.len());
    let mut source: Vec<i64> = Vec::with_capacity(cps.len());
    out.extend_from_slice(&cps[..first]);
    // Offsets of a text held in memory fit in i64.
    source.extend(0..first as i64);
    for (at, &cp) in cps.iter().enumerate().skip(first) {
        match folded(cp) {
            Some(into) => {
                for c in into.chars() {
                    out.push(u32::from(c));
                    source.push(at as i64);
                }
            }
            None => {
                out.push(cp);
                source.push(at as i64);
            }
        }
    }
    Some((out, source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::code_points;

    fn decoded(text: &str) -> Option<(String, Vec<i64>)> {
        fold(&code_points(text)).map(|(cps, source)| {
            (
                cps.iter().filter_map(|&c| char::from_u32(c)).collect(),
                source,
            )
        })
    }

    #[test]
    fn ascii_and_plain_letters_are_left_alone() {
        assert_eq!(decoded("def f(x): return x"), None);
        assert_eq!(decoded("naïve 東京"), None);
    }

    #[test]
    fn quotes_dashes_and_lookalikes_fold_with_their_sources() {
        let (text, source) = decoded("a\u{2014}\u{201C}b\u{2026}").unwrap();
        assert_eq!(text, "a-\"b...");
        assert_eq!(source, [0, 1, 2, 3, 4, 4, 4]);
        assert_eq!(decoded("\u{0430}\u{FF21}").unwrap().0, "aA");
    }

    #[test]
    fn invisible_controls_vanish() {
        let (text, source) = decoded("a\u{200B}b").unwrap();
        assert_eq!(text, "ab");
        assert_eq!(source, [0, 2]);
    }

    #[test]
    fn the_plane_bits_agree_with_the_table() {
        for cp in (0..0x1_0000).chain([0x1_D400, 0x1_F100, 0x10_FFFF, 0x11_0000]) {
            let searched = FOLD.binary_search_by_key(&cp, |&(from, _)| from).ok();
            assert_eq!(
                folded(cp),
                searched.filter(|_| cp >= 0x80).map(|at| FOLD[at].1),
                "{cp:X}"
            );
        }
    }

    #[test]
    fn the_table_is_sorted_and_never_maps_ascii() {
        assert!(FOLD.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(FOLD.iter().all(|&(cp, _)| cp >= 0x80));
    }
}
