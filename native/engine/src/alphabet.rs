//! The token alphabet shared by the index side and the scan side.
//!
//! Every token is one *symbol*: a keyword or a punctuation character stands for itself,
//! and every name, string literal and number for one class symbol (`ID`, `STR`, `NUM`).
//! That abstract value is what k-grams are hashed over, so a renamed copy still matches.
//! Beside it each token has a *concrete* value: the symbol again, or for names and
//! literals a value of their own spelling, which tells an exact copy from a renamed one.
//!
//! A symbol's value is `xxh3_64(b"s" + utf8(symbol), seed)`; a spelling's concrete value
//! is `fmix64(spelling_hash ^ seed ^ NAME_SALT)` (literals first XOR [`LITERAL`]). The
//! seed is 0 without a secret key. All of it is part of the index format.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::mix::fmix64;
use crate::spelling::{code_points, spelling_hash, utf8_one, utf8_surrogatepass};

/// Mixed into literal spellings so a literal's concrete value never equals a name's.
pub const LITERAL: u64 = 0x6C69_7465_7261_6C21;
const NAME_SALT: u64 = 0x243F_6A88_85A3_08D3;

/// The class symbols' spellings (a NUL first: no source text spells them).
pub const ID: &str = "\u{0}id";
/// The symbol of every string literal.
pub const STR: &str = "\u{0}str";
/// The symbol of every number.
pub const NUM: &str = "\u{0}num";

/// Symbol values under one key, and the keyword table.
#[derive(Clone, Debug)]
pub struct Alphabet {
    seed: u64,
    ascii: [u64; 128],
    /// (spelling hash, symbol value) in an open-addressed table of a power-of-two size at
    /// least twice the keywords' number, each at the first free slot from its hash's low
    /// bits on (spelling hashes are well mixed); `None` is a free slot.
    keywords: Vec<Option<(u64, u64)>>,
    /// Values of `ID`, `STR` and `NUM`.
    pub id: u64,
    /// Value of `STR`.
    pub string: u64,
    /// Value of `NUM`.
    pub number: u64,
    /// Value of `,`.
    pub comma: u64,
    /// Values of `)`, `]` and `}`.
    pub closers: [u64; 3],
}

impl Alphabet {
    /// An alphabet under `seed` whose keywords are `keywords`: each spelling with the
    /// symbol it stands for (a keyword spelled in another case may stand for the usual one).
    pub fn new(seed: u64, keywords: &[(String, String)]) -> Alphabet {
        let mut ascii = [0u64; 128];
        for (cp, value) in ascii.iter_mut().enumerate() {
            *value = symbol_value(&[cp as u32], seed);
        }
        let mut table: Vec<(u64, u64)> = keywords
            .iter()
            .map(|(spelling, symbol)| {
                (
                    spelling_hash(&code_points(spelling)),
                    symbol_value(&code_points(symbol), seed),
                )
            })
            .collect();
        table.sort_unstable();
        table.dedup_by_key(|pair| pair.0);
        let sym = |s: &str| symbol_value(&code_points(s), seed);
        Alphabet {
            seed,
            ascii,
            keywords: open_table(&table),
            id: sym(ID),
            string: sym(STR),
            number: sym(NUM),
            comma: ascii[usize::from(b',')],
            closers: [
                ascii[usize::from(b')')],
                ascii[usize::from(b']')],
                ascii[usize::from(b'}')],
            ],
        }
    }

    /// The value of the symbol spelled by `cps`.
    pub fn symbol(&self, cps: &[u32]) -> u64 {
        symbol_value(cps, self.seed)
    }

    /// The value of a punctuation character.
    #[inline]
    pub fn punctuation(&self, cp: u32) -> u64 {
        if cp < 128 {
            self.ascii[cp as usize]
        } else {
            char_symbol(cp, self.seed)
        }
    }

    /// The concrete value of a spelling, from its [`spelling_hash`].
    #[inline]
    pub fn name(&self, spelling: u64) -> u64 {
        fmix64(spelling ^ (self.seed ^ NAME_SALT))
    }

    /// The symbol of a keyword with this spelling hash, if it is one.
    #[inline]
    pub fn keyword(&self, spelling: u64) -> Option<u64> {
        let mask = self.keywords.len() - 1;
        let mut at = spelling as usize & mask;
        // The table is never full: a free slot ends every search.
        while let Some((key, symbol)) = self.keywords[at] {
            if key == spelling {
                return Some(symbol);
            }
            at = (at + 1) & mask;
        }
        None
    }
}

/// The open-addressed keyword table of distinct `(spelling hash, symbol)` pairs.
fn open_table(pairs: &[(u64, u64)]) -> Vec<Option<(u64, u64)>> {
    let size = (2 * pairs.len() + 1).next_power_of_two();
    let mut slots = vec![None; size];
    for &(key, symbol) in pairs {
        let mut at = key as usize & (size - 1);
        while slots[at].is_some() {
            at = (at + 1) & (size - 1);
        }
        slots[at] = Some((key, symbol));
    }
    slots
}

fn symbol_value(cps: &[u32], seed: u64) -> u64 {
    symbol_from_bytes(&utf8_surrogatepass(cps), seed)
}

/// [`symbol_value`] of one code point, without allocating: text of other scripts (or of
/// replacement characters) has a punctuation token at every character.
fn char_symbol(cp: u32, seed: u64) -> u64 {
    let (encoded, length) = utf8_one(cp);
    let mut bytes = [b's', 0, 0, 0, 0];
    bytes[1..=length].copy_from_slice(&encoded[..length]);
    xxh3_64_with_seed(&bytes[..=length], seed)
}

/// The value of the symbol whose spelling has these UTF-8 bytes (a lone surrogate in
/// the three bytes its value would take, as Python's `surrogatepass` writes it).
pub fn symbol_from_bytes(spelling: &[u8], seed: u64) -> u64 {
    let mut bytes = Vec::with_capacity(spelling.len() + 1);
    bytes.push(b's');
    bytes.extend_from_slice(spelling);
    xxh3_64_with_seed(&bytes, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alphabet(seed: u64) -> Alphabet {
        let keywords = [("if", "if"), ("IF", "if"), ("while", "while")];
        let owned: Vec<(String, String)> = keywords
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Alphabet::new(seed, &owned)
    }

    #[test]
    fn one_character_symbols_without_allocating_agree() {
        for cp in [
            0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD800, 0xFFFD, 0xFFFF, 0x1_0000, 0x10_FFFF, 0x11_0000,
        ] {
            assert_eq!(char_symbol(cp, 7), symbol_value(&[cp], 7), "{cp:X}");
        }
    }

    #[test]
    fn keywords_and_case_folding() {
        let a = alphabet(0);
        let sym = |s: &str| a.symbol(&code_points(s));
        assert_eq!(
            a.keyword(spelling_hash(&code_points("if"))),
            Some(sym("if"))
        );
        assert_eq!(
            a.keyword(spelling_hash(&code_points("IF"))),
            Some(sym("if"))
        );
        assert_eq!(a.keyword(spelling_hash(&code_points("iff"))), None);
    }

    #[test]
    fn the_key_changes_every_value() {
        let (plain, keyed) = (alphabet(0), alphabet(7));
        assert_ne!(plain.id, keyed.id);
        assert_ne!(plain.punctuation(40), keyed.punctuation(40));
        assert_ne!(plain.name(5), keyed.name(5));
    }

    #[test]
    fn wide_punctuation_is_a_symbol_of_its_own() {
        let a = alphabet(0);
        assert_eq!(a.punctuation(0x2014), a.symbol(&[0x2014]));
        assert_ne!(a.punctuation(0x2014), a.punctuation(0x2013));
    }
}
