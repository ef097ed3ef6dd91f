//! Merging the postings of many files into an index's posting tables (index side).
//!
//! Every build ends here, and so does every incremental update, `leakguard merge` and the
//! opening of several index directories together: the per-file postings of all the
//! sources, in file order, become the sorted sections of one index (see
//! `fingerprints/FORMAT.md` and `leakguard/index/postings.py`). The work, in the order
//! data flows:
//!
//! 1. **Place.** Each posting's global line is its file's first global line plus its
//!    line in the file, less one.
//! 2. **Sort.** A most significant digit bucket sort: one pass scatters the postings into
//!    65,536 buckets by the top 16 bits of their hash (hashes are uniform, so a bucket
//!    holds a few hundred postings of a merge of millions and fits in cache), then each
//!    bucket is sorted on its own by (hash, tag, line, position), the buckets split
//!    between threads. The position as the last key keeps ties in input order.
//! 3. **Size the table.** The number of distinct hashes fixes `b`, the bits of the bucket
//!    directory ([`bucket_bits`]); the table tells hashes apart by their top `b + 16` bits
//!    (their *prefix*). Postings of a prefix that several distinct hashes share are put
//!    back in (tag, line) order, so that every prefix lists its postings by tag.
//! 4. **Take out public code.** A posting whose (prefix, tag) pair is in one of the exact
//!    public sets is dropped (one merge join: both are sorted by the pair).
//! 5. **Group.** The distinct prefixes kept, where the postings of each start, and how
//!    many files hold each (counted as runs of one file, in posting order).
//! 6. **Pack.** Each posting's line and span in 3 or 4 bytes ([`posting_width`], as the
//!    scan side reads them in [`crate::sections`]).
//!
//! The result is exactly what the former numpy merge gave (`tests/reference_merge.py`
//! keeps it as the oracle of a differential test), several times faster.

use std::thread;

use crate::pack::{pack_merged, prefixes_of, PackedTables};
use crate::sections::{posting_width, span_bits};

/// Buckets of the scatter pass: 2^16, by the top bits of the hash.
const BUCKET_BITS: u32 = 16;
/// Bits of a hash kept below its bucket in the table (the `residues` section).
const RESIDUE_BITS: u32 = 16;
/// Distinct hashes a table bucket holds on average.
const HASHES_PER_BUCKET: u64 = 8;

/// The per-file postings of a merge, concatenated in file order.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    /// The k-gram hash of each posting.
    pub hashes: &'a [u64],
    /// Its concrete tag.
    pub tags: &'a [u16],
    /// The line of the k-gram's first token in its file, from 1.
    pub starts: &'a [u32],
    /// The lines the k-gram covers beyond its first.
    pub spans: &'a [u8],
    /// How many postings each file has, in file order.
    pub counts: &'a [u32],
    /// How many lines each file has, in file order.
    pub lines: &'a [u32],
}

/// Why a merge was refused: inputs that do not describe postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// The posting arrays differ in length, or the per-file counts do not add up to them.
    Lengths,
    /// The per-file line and posting counts differ in length.
    Files,
    /// A posting's start line is 0 (lines count from 1).
    StartLine,
    /// The files hold 2^32 lines or more, or 2^32 postings or more.
    TooMany,
    /// The public set's hashes and tags differ in length.
    Public,
}

/// An index's posting tables, before their last packing into sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// `b`: bits of the table's bucket directory.
    pub bits: u32,
    /// The distinct prefixes of the postings kept, ascending.
    pub keys: Vec<u64>,
    /// Where the postings of each prefix start, then the number of postings (an index
    /// holds fewer than 2^32).
    pub offsets: Vec<u32>,
    /// How many files hold each prefix (runs of one file among its postings), saturating
    /// at 65,535 as the index stores it.
    pub df: Vec<u16>,
    /// The `post_loc` section: packed line and span of each posting, zero bytes to a word.
    pub post_loc: Vec<u8>,
    /// The `post_tag` section: each posting's tag.
    pub post_tag: Vec<u16>,
    /// Postings dropped as public code.
    pub removed: u64,
    /// Distinct hashes of the postings, before public code was dropped (what fixes `bits`).
    pub distinct: u64,
}

/// `b` for a table of `distinct` hashes (before public code is taken out): about
/// [`HASHES_PER_BUCKET`] a bucket, 4 to 32 (`leakguard.index.table.bucket_bits`, in
/// integers).
pub fn bucket_bits(distinct: u64) -> u32 {
    // The smallest b with 8 * 2^b >= distinct: ceil(log2(distinct / 8)), in integers.
    let buckets = distinct.div_ceil(HASHES_PER_BUCKET).max(1);
    let bits = 64 - (buckets - 1).leading_zeros();
    bits.clamp(4, 32)
}

/// One posting while it is sorted, with what the tables need of it (so that grouping
/// reads the postings in order and never goes back to the input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Item {
    hash: u64,
    /// Global line.
    line: u32,
    /// Position in the input: the last key of the order, so ties stay in input order.
    at: u32,
    file: u32,
    tag: u16,
    span: u8,
}

impl Item {
    /// The order of a merge: hash, tag, line, position.
    fn key(&self) -> (u64, u16, u32, u32) {
        (self.hash, self.tag, self.line, self.at)
    }
}

/// Merges `files` into posting tables, dropping the postings whose (prefix, tag) pair is
/// one of `public` (hashes and tags of the exact public sets, in any order).
pub fn merge(files: Files<'_>, public: (&[u64], &[u16])) -> Result<Merged, MergeError> {
    let count = files.hashes.len();
    if files.tags.len() != count || files.starts.len() != count || files.spans.len() != count {
        return Err(MergeError::Lengths);
    }
    if files.counts.len() != files.lines.len() {
        return Err(MergeError::Files);
    }
    if files.counts.iter().map(|&n| n as u64).sum::<u64>() != count as u64 {
        return Err(MergeError::Lengths);
    }
    if public.0.len() != public.1.len() {
        return Err(MergeError::Public);
    }
    let lines: u64 = files.lines.iter().map(|&n| u64::from(n)).sum();
    if lines > u64::from(u32::MAX) || count > u32::MAX as usize {
        return Err(MergeError::TooMany);
    }
    if files.starts.contains(&0) {
        return Err(MergeError::StartLine);
    }
    let mut items = bucket_sort(files);
    let distinct = distinct_hashes(&items);
    let bits = bucket_bits(distinct);
    let shift = 64 - RESIDUE_BITS - bits;
    order_shared_prefixes(&mut items, shift);
    let public = tagged_pairs(public, shift);
    let mut merged = group(&items, &public, shift, lines, bits);
    merged.distinct = distinct;
    Ok(merged)
}

/// [`merge`], packed into an index's sections with the prefixes of the `idioms` sets
/// (raw hashes, a set each) marked as common (see [`crate::pack::pack_merged`]); with
/// `b`, the postings dropped as public and the distinct hashes.
pub fn merge_sections(
    files: Files<'_>,
    public: (&[u64], &[u16]),
    idioms: &[&[u64]],
) -> Result<(PackedTables, u32, u64, u64), MergeError> {
    let lines: u64 = files.lines.iter().map(|&n| u64::from(n)).sum();
    let merged = merge(files, public)?;
    let (bits, removed, distinct) = (merged.bits, merged.removed, merged.distinct);
    let sections = pack_merged(vec![merged], bits, lines, &prefixes_of(idioms, bits));
    Ok((sections, bits, removed, distinct))
}

/// Calls `each` with every posting as an [`Item`], in input order: its file and global
/// line found. Start lines are at least 1 (checked by [`merge`]).
fn place(files: Files<'_>, mut each: impl FnMut(Item)) {
    let mut base = 0u32;
    let mut at = 0usize;
    for (file, (&n, &lines)) in files.counts.iter().zip(files.lines).enumerate() {
        for position in at..at + n as usize {
            each(Item {
                hash: files.hashes[position],
                // Wraps only for start lines past the end of their file (as the format's
                // 32-bit packing does); the order of valid postings is exact.
                line: base.wrapping_add(files.starts[position].wrapping_sub(1)),
                at: position as u32,
                file: file as u32,
                tag: files.tags[position],
                span: files.spans[position],
            });
        }
        at += n as usize;
        base = base.wrapping_add(lines);
    }
}

/// The postings in (hash, tag, line, position) order.
fn bucket_sort(files: Files<'_>) -> Vec<Item> {
    let shift = 64 - BUCKET_BITS;
    let mut starts = vec![0usize; (1 << BUCKET_BITS) + 1];
    for &hash in files.hashes {
        starts[(hash >> shift) as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut items = vec![Item::default(); files.hashes.len()];
    place(files, |item| {
        let slot = &mut next[(item.hash >> shift) as usize];
        items[*slot] = item;
        *slot += 1;
    });
    let threads = threads_for(items.len());
    sort_buckets(&mut items, &starts, threads);
    items
}

/// Threads for index-side work over `items` elements: one below 65,536 (starting threads
/// costs more than they save), else one per core, at most 8.
pub(crate) fn threads_for(items: usize) -> usize {
    if items < 1 << 16 {
        return 1;
    }
    thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// Sorts each bucket (`starts[i]..starts[i + 1]`) of `items` on its own, on `threads`
/// threads that each take a run of buckets of about equal size.
fn sort_buckets(items: &mut [Item], starts: &[usize], threads: usize) {
    if threads <= 1 {
        for pair in starts.windows(2) {
            items[pair[0]..pair[1]].sort_unstable_by_key(Item::key);
        }
        return;
    }
    let share = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let mut rest = items;
        let mut offset = 0usize;
        let mut bucket = 0usize;
        while bucket + 1 < starts.len() {
            // Whole buckets up to about a thread's share.
            let first = bucket;
            while bucket + 1 < starts.len() && (starts[bucket] - starts[first] < share) {
                bucket += 1;
            }
            let (part, tail) = rest.split_at_mut(starts[bucket] - offset);
            let bounds = &starts[first..=bucket];
            let base = offset;
            scope.spawn(move || {
                for pair in bounds.windows(2) {
                    part[pair[0] - base..pair[1] - base].sort_unstable_by_key(Item::key);
                }
            });
            offset = starts[bucket];
            rest = tail;
        }
    });
}

fn distinct_hashes(items: &[Item]) -> u64 {
    match items.first() {
        None => 0,
        Some(_) => 1 + items.windows(2).filter(|w| w[0].hash != w[1].hash).count() as u64,
    }
}

/// Puts the postings of each prefix that several distinct hashes share in (tag, line)
/// order, ties by hash then position. Such a prefix lies within one bucket (a prefix has
/// at least 20 bits, a bucket 16), and a table of millions has a few hundred.
fn order_shared_prefixes(items: &mut [Item], shift: u32) {
    let mut first = 0;
    while first < items.len() {
        let prefix = items[first].hash >> shift;
        let mut end = first + 1;
        let mut shared = false;
        while end < items.len() && items[end].hash >> shift == prefix {
            shared |= items[end].hash != items[first].hash;
            end += 1;
        }
        if shared {
            items[first..end]
                .sort_unstable_by_key(|item| (item.tag, item.line, item.hash, item.at));
        }
        first = end;
    }
}

/// The (prefix, tag) pairs of the public sets as one sortable value each, sorted, distinct.
pub(crate) fn tagged_pairs(public: (&[u64], &[u16]), shift: u32) -> Vec<u64> {
    let mut pairs: Vec<u64> = public
        .0
        .iter()
        .zip(public.1)
        .map(|(&hash, &tag)| tagged(hash >> shift, tag))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Whether each of `values` is one of `choices`, both ascending: one merge pass (a public
/// set applied to an index's sorted prefixes or postings).
pub fn sorted_member(values: &[u64], choices: &[u64]) -> Vec<bool> {
    let mut choices = PublicPairs::new(choices);
    values
        .iter()
        .map(|&value| choices.contains(value))
        .collect()
}

/// A (prefix, tag) pair as one value that sorts as the pairs do (prefixes have at most 48 bits).
fn tagged(prefix: u64, tag: u16) -> u64 {
    (prefix << 16) | u64::from(tag)
}

/// The kept postings grouped by prefix, counted and packed.
fn group(items: &[Item], public: &[u64], shift: u32, lines: u64, bits: u32) -> Merged {
    let mut tables = Tables::new(bits, lines, items.len());
    let mut public = PublicPairs::new(public);
    let mut removed = 0;
    for item in items {
        let prefix = item.hash >> shift;
        if public.holds(prefix, item.tag) {
            removed += 1;
        } else {
            tables.push(prefix, item.tag, item.line, item.span, item.file);
        }
    }
    tables.finish(removed)
}

/// Sorted values asked about in ascending order (the (prefix, tag) pairs of the exact
/// public sets, or any set applied to sorted tables): one pass in all.
pub(crate) struct PublicPairs<'a> {
    pairs: &'a [u64],
    next: usize,
}

impl<'a> PublicPairs<'a> {
    pub(crate) fn new(pairs: &'a [u64]) -> Self {
        Self { pairs, next: 0 }
    }

    /// Whether (prefix, tag) is a public pair; each question must not come before the last.
    pub(crate) fn holds(&mut self, prefix: u64, tag: u16) -> bool {
        self.contains(tagged(prefix, tag))
    }

    /// Whether `value` is one of the values; each question must not come before the last.
    fn contains(&mut self, value: u64) -> bool {
        while self.next < self.pairs.len() && self.pairs[self.next] < value {
            self.next += 1;
        }
        self.next < self.pairs.len() && self.pairs[self.next] == value
    }
}

/// Posting tables built one posting at a time, in (prefix, tag, line) order.
pub(crate) struct Tables {
    merged: Merged,
    width: usize,
    span_bits: u32,
    last_file: u32,
}

impl Tables {
    /// Tables of `b = bits` for an index of `lines` lines, room made for `capacity` postings.
    pub(crate) fn new(bits: u32, lines: u64, capacity: usize) -> Self {
        let width = posting_width(lines);
        Self {
            merged: Merged {
                bits,
                keys: Vec::new(),
                offsets: Vec::new(),
                df: Vec::new(),
                post_loc: Vec::with_capacity(capacity * width + 4 - width),
                post_tag: Vec::with_capacity(capacity),
                removed: 0,
                distinct: 0,
            },
            width,
            span_bits: span_bits(lines),
            last_file: u32::MAX,
        }
    }

    /// Adds the next posting: its hash prefix, tag, global line, span and file.
    pub(crate) fn push(&mut self, prefix: u64, tag: u16, line: u32, span: u8, file: u32) {
        let merged = &mut self.merged;
        if merged.keys.last() != Some(&prefix) {
            merged.keys.push(prefix);
            merged.offsets.push(merged.post_tag.len() as u32);
            merged.df.push(1);
        } else if file != self.last_file {
            if let Some(df) = merged.df.last_mut() {
                *df = df.saturating_add(1);
            }
        }
        self.last_file = file;
        // In 32 bits, as the format packs it; the low `width` bytes are kept.
        let span = u32::from(span).min((1 << self.span_bits) - 1);
        let value = line.wrapping_shl(self.span_bits) | span;
        merged
            .post_loc
            .extend_from_slice(&value.to_le_bytes()[..self.width]);
        merged.post_tag.push(tag);
    }

    /// The tables, with the count of postings left out as public.
    pub(crate) fn finish(mut self, removed: u64) -> Merged {
        let merged = &mut self.merged;
        merged.offsets.push(merged.post_tag.len() as u32);
        merged
            .post_loc
            .resize(merged.post_loc.len() + 4 - self.width, 0);
        merged.removed = removed;
        self.merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(
        hashes: &'a [u64],
        tags: &'a [u16],
        starts: &'a [u32],
        spans: &'a [u8],
        counts: &'a [u32],
        lines: &'a [u32],
    ) -> Files<'a> {
        Files {
            hashes,
            tags,
            starts,
            spans,
            counts,
            lines,
        }
    }

    #[test]
    fn bucket_bits_is_the_ceiling_of_log2_of_an_eighth() {
        for (distinct, bits) in [(0, 4), (1, 4), (128, 4), (129, 5), (8 << 20, 20)] {
            assert_eq!(bucket_bits(distinct), bits, "{distinct}");
        }
        assert_eq!(bucket_bits((8 << 20) + 1), 21);
        assert_eq!(bucket_bits(u64::MAX), 32);
        for distinct in 1..5000u64 {
            let float = ((distinct as f64 / 8.0).log2().ceil() as i64).clamp(4, 32) as u32;
            assert_eq!(bucket_bits(distinct), float, "{distinct}");
        }
    }

    #[test]
    fn postings_are_grouped_by_prefix_then_tag_then_line() {
        let a = 5u64 << 48;
        let b = 9u64 << 48;
        let merged = merge(
            files(
                &[b, a, a, b],
                &[1, 2, 1, 1],
                &[1, 1, 2, 1],
                &[0, 1, 0, 2],
                &[2, 2],
                &[3, 2],
            ),
            (&[], &[]),
        )
        .unwrap();
        assert_eq!(merged.bits, 4);
        assert_eq!(merged.keys, vec![a >> 44, b >> 44]);
        assert_eq!(merged.offsets, vec![0, 2, 4]);
        // a: tag 1 of file 1 (line 3 + 2 - 1), tag 2 of file 0; b: file 0, file 1.
        assert_eq!(merged.df, vec![2, 2]);
        assert_eq!(merged.post_tag, vec![1, 2, 1, 1]);
        let width = posting_width(5);
        let shift = span_bits(5);
        let rows: Vec<u32> = merged.post_loc[..4 * width]
            .chunks(width)
            .map(|row| {
                row.iter()
                    .rev()
                    .fold(0, |v, &byte| (v << 8) | u32::from(byte))
            })
            .collect();
        assert_eq!(rows, vec![4 << shift, 1, 0, 3 << shift | 2]);
        assert_eq!(merged.post_loc.len(), 4 * width + 4 - width);
    }

    #[test]
    fn sorted_member_is_a_merge() {
        assert_eq!(
            sorted_member(&[1, 1, 2, 5, 9, 9], &[0, 1, 5, 5, 9]),
            vec![true, true, false, true, true, true]
        );
        assert!(sorted_member(&[3], &[]).iter().all(|&m| !m));
        assert!(sorted_member(&[], &[3]).is_empty());
    }

    #[test]
    fn public_pairs_are_dropped_and_counted() {
        let a = 5u64 << 48;
        let merged = merge(
            files(&[a, a], &[1, 2], &[1, 2], &[0, 0], &[2], &[2]),
            (&[a | 77, a], &[2, 9]),
        )
        .unwrap();
        assert_eq!((merged.removed, merged.post_tag.clone()), (1, vec![1]));
        assert_eq!(merged.offsets, vec![0, 1]);
    }

    #[test]
    fn bad_inputs_are_refused() {
        let one = files(&[1], &[1], &[0], &[0], &[1], &[1]);
        assert_eq!(merge(one, (&[], &[])), Err(MergeError::StartLine));
        let short = files(&[1], &[1], &[1], &[0], &[2], &[1]);
        assert_eq!(merge(short, (&[], &[])), Err(MergeError::Lengths));
        let uneven = files(&[1], &[], &[1], &[0], &[1], &[1]);
        assert_eq!(merge(uneven, (&[], &[])), Err(MergeError::Lengths));
        let per_file = files(&[1], &[1], &[1], &[0], &[1], &[]);
        assert_eq!(merge(per_file, (&[], &[])), Err(MergeError::Files));
        let ok = files(&[1], &[1], &[1], &[0], &[1], &[1]);
        assert_eq!(merge(ok, (&[1], &[])), Err(MergeError::Public));
    }

    #[test]
    fn nothing_merges_into_empty_tables() {
        let merged = merge(files(&[], &[], &[], &[], &[], &[]), (&[], &[])).unwrap();
        assert_eq!(merged.bits, 4);
        assert!(merged.keys.is_empty() && merged.post_tag.is_empty());
        assert_eq!(merged.offsets, vec![0]);
        assert_eq!(merged.post_loc, vec![0]);
    }

    #[test]
    fn threads_sort_as_one_does() {
        let mut state = 7u64;
        let items: Vec<Item> = (0..300_000u32)
            .map(|at| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                Item {
                    hash: state >> 40,
                    line: (state & 7) as u32,
                    at,
                    file: 0,
                    tag: (state & 3) as u16,
                    span: 0,
                }
            })
            .collect();
        let bounds: Vec<usize> = (0..=items.len()).step_by(1000).collect();
        let mut one = items.clone();
        sort_buckets(&mut one, &bounds, 1);
        for threads in [2, 3, 8] {
            let mut several = items.clone();
            sort_buckets(&mut several, &bounds, threads);
            assert_eq!(several, one, "{threads} threads");
        }
        assert!(bounds.windows(2).all(|pair| one[pair[0]..pair[1]]
            .windows(2)
            .all(|w| w[0].key() <= w[1].key())));
    }

    #[test]
    fn the_scatter_sorts_by_hash_tag_line_and_position() {
        let hashes = [3u64 << 60, 1, 3u64 << 60, 2, 1];
        let f = files(
            &hashes,
            &[1, 0, 1, 0, 0],
            &[2, 2, 2, 1, 2],
            &[0; 5],
            &[5],
            &[9],
        );
        let order: Vec<u32> = bucket_sort(f).iter().map(|item| item.at).collect();
        assert_eq!(order, vec![1, 4, 3, 0, 2]);
    }

    #[test]
    fn too_many_lines_are_refused() {
        let f = files(&[1], &[1], &[1], &[0], &[1, 0], &[u32::MAX, 1]);
        assert_eq!(merge(f, (&[], &[])), Err(MergeError::TooMany));
    }
}
