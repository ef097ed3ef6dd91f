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
use crate::kgram::{kgram_tag, kgram_tags, window_counts};
use crate::sections::{posting_width, span_bits, Sections};

/// K-grams looked up together (see [`lookup`]).
const LOOKUP_CHUNK: usize = 2048;

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
    let bits = index.directory_bits();
    // In three passes over each chunk of k-grams, so that the reads of a large index's
    // directory and residues (a cache miss each) overlap instead of waiting for one another;
    // chunk by chunk, so that what the passes share stays in the cache however long the text.
    let mut ranges: Vec<Option<(usize, usize)>> = Vec::with_capacity(LOOKUP_CHUNK);
    let mut slots: Vec<(usize, usize)> = Vec::new();
    for (number, chunk) in scanned.hashes.chunks(LOOKUP_CHUNK).enumerate() {
        ranges.clear();
        ranges.extend(chunk.iter().map(|&hash| index.bucket(hash, bits)));
        std::hint::black_box(index.touch(&ranges));
        let base = number * LOOKUP_CHUNK;
        slots.extend(
            chunk
                .iter()
                .zip(&ranges)
                .enumerate()
                .filter_map(|(at, (&hash, range))| {
                    index
                        .find_in(hash, bits, (*range)?)
                        .map(|slot| (base + at, slot))
                }),
        );
    }
    if slots.is_empty() {
        return hits;
    }
    let facts = Facts::new(scanned, rules, slots.len());
    let lines = index.lines();
    let (width, span) = (posting_width(lines), span_bits(lines));
    let max_df = rules.max_df as usize;
    for (at, slot) in slots {
        let Some(Window {
            tag,
            named: names,
            worded: words,
            private,
        }) = facts.at(at)
        else {
            continue;
        };
        let named = names >= 2;
        let private = private > 0;
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

/// What the rules ask of one k-gram's tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    /// The 16-bit tag of its concrete values.
    tag: u16,
    /// Tokens that carry a name or value.
    named: i64,
    /// Tokens that are not literals or punctuation.
    worded: i64,
    /// Named tokens whose value is not common in public code (`named` without a
    /// public-names set).
    private: i64,
}

/// The [`Window`] of any k-gram: for every k-gram at once, in one pass over the tokens,
/// when hits are many (copied code); k-gram by k-gram when they are few (text that meets
/// the index a few times), so that text of no code pays per hit, not per token.
enum Facts<'a> {
    Every {
        tags: Vec<u16>,
        named: Vec<i64>,
        worded: Vec<i64>,
        private: Option<Vec<i64>>,
    },
    Each(&'a Scanned<'a>, &'a Rules<'a>),
}

impl<'a> Facts<'a> {
    fn new(scanned: &'a Scanned<'a>, rules: &'a Rules<'a>, hits: usize) -> Facts<'a> {
        let k = rules.k;
        if hits.saturating_mul(k) < scanned.abstract_values.len() {
            return Facts::Each(scanned, rules);
        }
        let named_tokens: Vec<bool> = scanned
            .abstract_values
            .iter()
            .map(|v| is_named(rules, *v))
            .collect();
        let worded_tokens: Vec<bool> = scanned
            .abstract_values
            .iter()
            .map(|v| is_worded(rules, *v))
            .collect();
        let private = (!rules.public_names.is_empty()).then(|| {
            let own: Vec<bool> = named_tokens
                .iter()
                .zip(scanned.concrete_values)
                .map(|(&named, value)| named && is_private(rules, *value))
                .collect();
            window_counts(&own, k)
        });
        Facts::Every {
            tags: kgram_tags(scanned.concrete_values, k),
            named: window_counts(&named_tokens, k),
            worded: window_counts(&worded_tokens, k),
            private,
        }
    }

    /// The window of the k-gram at `at` (None past the tokens).
    fn at(&self, at: usize) -> Option<Window> {
        match self {
            Facts::Every {
                tags,
                named,
                worded,
                private,
            } => {
                let named = *named.get(at)?;
                Some(Window {
                    tag: *tags.get(at)?,
                    named,
                    worded: *worded.get(at)?,
                    private: match private {
                        Some(counts) => *counts.get(at)?,
                        None => named,
                    },
                })
            }
            Facts::Each(scanned, rules) => {
                let abstract_values = scanned.abstract_values.get(at..at + rules.k)?;
                let concrete = scanned.concrete_values.get(at..at + rules.k)?;
                let count = |test: &dyn Fn(u64, u64) -> bool| {
                    let tokens = abstract_values.iter().zip(concrete);
                    tokens.filter(|&(&value, &name)| test(value, name)).count() as i64
                };
                let named = count(&|value, _| is_named(rules, value));
                Some(Window {
                    tag: kgram_tag(concrete),
                    named,
                    worded: count(&|value, _| is_worded(rules, value)),
                    private: if rules.public_names.is_empty() {
                        named
                    } else {
                        count(&|value, name| is_named(rules, value) && is_private(rules, name))
                    },
                })
            }
        }
    }
}

fn is_named(rules: &Rules<'_>, value: u64) -> bool {
    rules.named_symbols.contains(&value)
}

fn is_worded(rules: &Rules<'_>, value: u64) -> bool {
    rules.literal_symbols.binary_search(&value).is_err()
}

fn is_private(rules: &Rules<'_>, value: u64) -> bool {
    rules.public_names.binary_search(&value).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kgram::kgram_hashes;

    #[test]
    fn windows_one_by_one_are_the_windows_of_the_whole_pass() {
        // Tokens drawn from a few values: named symbols, literals, words, public names.
        let (id, string, number) = (11, 12, 13);
        let literal_symbols = [5, 6, 12, 13];
        let public_names = [100, 101];
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let abstract_values: Vec<u64> = (0..300)
            .map(|_| [5, 6, 7, 8, id, string, number][next(7) as usize])
            .collect();
        let concrete_values: Vec<u64> = abstract_values
            .iter()
            .map(|&v| if v >= id { 100 + next(4) } else { v })
            .collect();
        let hashes = kgram_hashes(&abstract_values, 5);
        let scanned = Scanned {
            abstract_values: &abstract_values,
            concrete_values: &concrete_values,
            hashes: &hashes,
        };
        for public in [&public_names[..], &[]] {
            let rules = Rules {
                k: 5,
                max_df: 3,
                named_symbols: [id, string, number],
                literal_symbols: &literal_symbols,
                public_names: public,
            };
            let (every, each) = (
                Facts::new(&scanned, &rules, usize::MAX),
                Facts::new(&scanned, &rules, 0),
            );
            assert!(matches!(every, Facts::Every { .. }) && matches!(each, Facts::Each(..)));
            for at in 0..hashes.len() + 2 {
                let (a, b) = (every.at(at), each.at(at));
                assert_eq!(
                    a.map(|w| (w.tag, w.named, w.worded)),
                    b.map(|w| (w.tag, w.named, w.worded)),
                    "{at}"
                );
                // Where a hit can be exact (two names or more), whether one is private agrees.
                assert_eq!(
                    a.filter(|w| w.named >= 2).map(|w| w.private > 0),
                    b.filter(|w| w.named >= 2).map(|w| w.private > 0),
                    "{at}"
                );
            }
        }
    }
}
