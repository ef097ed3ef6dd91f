//! Look-up: every (scanned k-gram, indexed posting) pair whose hashes agree — the *hits*.
//!
//! A k-gram's abstract hash finds its slot in the table; the slot's postings are where the
//! same shape was indexed. Which postings count:
//!
//! * a hash held by more than `max_df` files is common structure: it is followed only to
//!   the postings whose tag (names) matches the scanned k-gram's, and only when those are
//!   themselves at most `max_df`; so is a hash with more postings than
//!   [`MAX_POSTINGS_PER_HASH`] (a long table, a column of similar statements), when the
//!   k-gram holds names to tell its rows apart;
//! * a hit is *exact* when the tags agree, the k-gram holds at least two names or
//!   literal values, and one of them is not common in public code (`public_names`);
//! * a hit that is not exact counts on structure alone only when the k-gram holds a word
//!   (not only literals and punctuation: a row of a table) and its shape is not common.

use crate::hits::Hits;
use crate::kgram::{kgram_tags, window_counts};
use crate::sections::{posting_width, span_bits, Sections};

/// At most this many postings of one hash are followed.
pub const MAX_POSTINGS_PER_HASH: usize = 32;

/// What the look-up needs to know of the scanned tokens, beside their hashes.
#[derive(Clone, Copy, Debug)]
pub struct Scanned<'a> {
    /// Abstract token values.
    pub abstract_values: &'a [u64],
    /// Concrete token values.
    pub concrete_values: &'a [u64],
    /// The abstract hash of every k-gram.
    pub hashes: &'a [u64],
}

/// What decides which hits count.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    /// Tokens per k-gram.
    pub k: usize,
    /// A hash held by more files is common.
    pub max_df: u32,
    /// Symbol values of `ID`, `STR` and `NUM`: tokens that carry a name or value.
    pub named_symbols: [u64; 3],
    /// Symbol values of literals and punctuation, sorted.
    pub literal_symbols: &'a [u64],
    /// Concrete values of names and literals common in public code, sorted (may be empty).
    pub public_names: &'a [u64],
}

/// Every hit of `scanned` in the index.
pub fn lookup(index: &Sections<'_>, scanned: &Scanned<'_>, rules: &Rules<'_>) -> Hits {
    let mut hits = Hits::default();
    let k = rules.k;
    let bits = index.directory_bits();
    // In three passes over the k-grams, so that the reads of a large index's directory and
    // residues (a cache miss each) overlap instead of waiting for one another.
    let ranges: Vec<Option<(usize, usize)>> = scanned
        .hashes
        .iter()
        .map(|&hash| index.bucket(hash, bits))
        .collect();
    std::hint::black_box(index.touch(&ranges));
    let slots: Vec<(usize, usize)> = scanned
        .hashes
        .iter()
        .zip(&ranges)
        .enumerate()
        .filter_map(|(at, (&hash, range))| {
            index.find_in(hash, bits, (*range)?).map(|slot| (at, slot))
        })
        .collect();
    if slots.is_empty() {
        return hits;
    }
    let abstract_values = scanned.abstract_values;
    let tags = kgram_tags(scanned.concrete_values, k);
    let named_tokens: Vec<bool> = abstract_values
        .iter()
        .map(|v| rules.named_symbols.contains(v))
        .collect();
    let named = window_counts(&named_tokens, k);
    let worded_tokens: Vec<bool> = abstract_values
        .iter()
        .map(|v| rules.literal_symbols.binary_search(v).is_err())
        .collect();
    let worded = window_counts(&worded_tokens, k);
    let private = if rules.public_names.is_empty() {
        None
    } else {
        let own: Vec<bool> = named_tokens
            .iter()
            .zip(scanned.concrete_values)
            .map(|(&is_named, value)| is_named && rules.public_names.binary_search(value).is_err())
            .collect();
        Some(window_counts(&own, k))
    };
    let lines = index.lines();
    let (width, span) = (posting_width(lines), span_bits(lines));
    let max_df = rules.max_df as usize;
    for (at, slot) in slots {
        let (Some(&tag), Some(&names), Some(&words)) =
            (tags.get(at), named.get(at), worded.get(at))
        else {
            continue;
        };
        let named = names >= 2;
        let private = private
            .as_ref()
            .is_none_or(|counts| counts.get(at).is_some_and(|&c| c > 0));
        let (mut first, mut stop) = index.postings(slot);
        let common = index.df(slot) as usize > max_df;
        if (common || stop - first > MAX_POSTINGS_PER_HASH) && named {
            let (low, high) = index.with_tag(first, stop, tag);
            if high - low <= max_df {
                (first, stop) = (low, high);
            }
        }
        if common && stop - first > max_df {
            continue;
        }
        let structural = words > 0 && !common;
        let count = (stop - first).min(MAX_POSTINGS_PER_HASH);
        for post in first..first + count {
            let exact = index.post_tag.get(post) == Some(&tag) && named && private;
            if !(exact || structural) {
                continue;
            }
            let Some(place) = index.place(post, width, span) else {
                continue;
            };
            hits.pos.push(at as i64);
            hits.file.push(place.file);
            hits.line.push(place.line);
            hits.end_line.push(place.end_line);
            hits.exact.push(exact);
            hits.key.push(slot as i64);
        }
    }
    hits
}
