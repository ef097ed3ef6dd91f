//! The hash table's sections packed from merged tables (index side).
//!
//! A merge or a patch ([`crate::merge`], [`crate::patch`]) gives an index's tables as
//! plain columns: the distinct hash prefixes, ascending; where the postings of each one
//! start (then their count); and how many files hold each. An index stores them packed
//! (see `fingerprints/FORMAT.md`; [`crate::sections`] reads them on the scan side):
//!
//! * `hash_buckets` (u32, 2^b + 1 entries): entry `i` counts the prefixes whose top `b`
//!   bits are below `i`, the last one all of them; `residues` (u16): the 16 bits of each
//!   prefix below its top `b`;
//! * `offset_blocks` (u32): the postings offset of every 64th prefix; `offsets`: each
//!   prefix's offset past its block's, u16 when every one fits, else u32;
//! * `df` (u8): the file count of each prefix, up to 254; 255 sends to `df_wide_slots`
//!   (u32, the slots, ascending) and `df_wide` (u16, their counts, saturating at 65,535:
//!   a shape marked common in public code).
//!
//! * `line_code` (u64, a bit per global line: whether it holds code), `line_rank` (u32,
//!   the code lines before each word) and `line_hash` (u16, the hash of each code line).
//!
//! [`pack_table`], [`pack_offsets`], [`pack_df`] and [`pack_lines`] pack each, in one pass
//! where numpy took several (`tests/index/reference_tables.py` keeps the numpy forms as
//! the oracle); [`pack_merged`] packs a merge's or a patch's tables whole.
//! [`crate::packed`] reads the first two back.

use crate::column::Column;
use crate::merge::Merged;
use crate::sections::posting_width;

/// Bits of a prefix kept below its bucket (the `residues` section).
pub(crate) const RESIDUE_BITS: u32 = 16;
/// Prefixes of one offset block (`offset_blocks` holds every 64th offset).
pub(crate) const OFFSET_BLOCK_BITS: u32 = 6;
/// `df` value that sends a reader to `df_wide`.
const DF_WIDE: u32 = 255;
/// The largest count `df_wide` holds: a shape marked common in public code.
const PUBLIC_DF: u32 = u16::MAX as u32;

/// The `hash_buckets` and `residues` sections of ascending prefixes of `b + 16` bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Where the prefixes of each top-`b`-bits value start, then how many there are.
    pub hash_buckets: Vec<u32>,
    /// The low 16 bits of each prefix.
    pub residues: Vec<u16>,
}

impl Table {
    /// An empty table of `b = bits` (at most 32), room made for `slots` prefixes.
    fn new(bits: u32, slots: usize) -> Self {
        Self {
            hash_buckets: Vec::with_capacity((1usize << bits.min(32)) + 1),
            residues: Vec::with_capacity(slots),
        }
    }

    /// Adds the next prefix (ascending) of a table of `buckets` = 2^b buckets. A prefix
    /// whose top bits reach `buckets` (there are none in a table) counts in the last
    /// bucket only.
    fn push(&mut self, key: u64, buckets: usize) {
        while self.hash_buckets.len() < buckets
            && ((self.hash_buckets.len() as u64) << RESIDUE_BITS) <= key
        {
            self.hash_buckets.push(self.residues.len() as u32);
        }
        self.residues.push(key as u16);
    }

    /// The table, its directory closed.
    fn finish(mut self, buckets: usize) -> Self {
        while self.hash_buckets.len() < buckets {
            self.hash_buckets.push(self.residues.len() as u32);
        }
        self.hash_buckets.push(self.residues.len() as u32);
        self
    }
}

/// The `offsets` section: u16 while every value fits, else u32.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Within {
    /// Every value below 65,536: the usual case.
    Narrow(Vec<u16>),
    /// A block of 64 prefixes holds 65,536 postings or more.
    Wide(Vec<u32>),
}

impl Within {
    /// The values, read as a [`Column`].
    pub fn column(&self) -> Column<'_> {
        match self {
            Within::Narrow(values) => Column::Narrow(values),
            Within::Wide(values) => Column::Wide(values),
        }
    }

    fn push(&mut self, value: u32) {
        match self {
            Within::Narrow(values) => match u16::try_from(value) {
                Ok(narrow) => values.push(narrow),
                Err(_) => {
                    let mut wide: Vec<u32> = values.iter().map(|&v| u32::from(v)).collect();
                    wide.push(value);
                    *self = Within::Wide(wide);
                }
            },
            Within::Wide(values) => values.push(value),
        }
    }
}

/// The postings offsets, packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offsets {
    /// The offset of every 64th prefix.
    pub blocks: Vec<u32>,
    /// Each prefix's offset past its block's.
    pub within: Within,
}

impl Offsets {
    /// No offsets yet, room made for `count`.
    fn new(count: usize) -> Self {
        Self {
            blocks: Vec::with_capacity(count.div_ceil(1 << OFFSET_BLOCK_BITS)),
            within: Within::Narrow(Vec::with_capacity(count)),
        }
    }

    /// Adds the offset of the next slot, `slot` (ascending offsets below 2^32; other
    /// values pack to something, never a panic).
    fn push(&mut self, slot: usize, offset: u64) {
        if slot % (1 << OFFSET_BLOCK_BITS) == 0 {
            self.blocks.push(offset as u32);
        }
        let block = self.blocks.last().copied().unwrap_or(0);
        self.within
            .push(offset.wrapping_sub(u64::from(block)) as u32);
    }
}

/// The file counts, packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Df {
    /// Each prefix's count up to 254; 255 for the others.
    pub df: Vec<u8>,
    /// The prefixes whose count is 255 or more, ascending.
    pub wide_slots: Vec<u32>,
    /// Their counts, saturating at 65,535.
    pub wide: Vec<u16>,
}

impl Df {
    /// No counts yet, room made for `slots`.
    fn new(slots: usize) -> Self {
        Self {
            df: Vec::with_capacity(slots),
            wide_slots: Vec::new(),
            wide: Vec::new(),
        }
    }

    /// Adds the count of the next slot, `slot`.
    fn push(&mut self, slot: usize, count: u32) {
        let count = count.min(PUBLIC_DF);
        self.df.push(count.min(DF_WIDE) as u8);
        if count >= DF_WIDE {
            self.wide_slots.push(slot as u32);
            self.wide.push(count as u16);
        }
    }
}

/// The hash table of ascending `keys` (prefixes of `bits + 16` bits).
pub fn pack_table(keys: &[u64], bits: u32) -> Table {
    let buckets = 1usize << bits.min(32);
    let mut table = Table::new(bits, keys.len());
    for &key in keys {
        table.push(key, buckets);
    }
    table.finish(buckets)
}

/// The packed form of `offsets` (U + 1 cumulative posting counts, ascending, below 2^32).
pub fn pack_offsets(offsets: &[u64]) -> Offsets {
    let mut packed = Offsets::new(offsets.len());
    for (slot, &offset) in offsets.iter().enumerate() {
        packed.push(slot, offset);
    }
    packed
}

/// The packed form of the file counts `df`.
pub fn pack_df(df: &[u32]) -> Df {
    let mut packed = Df::new(df.len());
    for (slot, &count) in df.iter().enumerate() {
        packed.push(slot, count);
    }
    packed
}

/// The line sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    /// Bit `j` of word `i`: whether global line `64 i + j` holds code.
    pub code: Vec<u64>,
    /// The code lines before each word.
    pub rank: Vec<u32>,
    /// The hash of each code line, in line order.
    pub hashes: Vec<u16>,
}

/// The line sections from one hash per global line (0 for a line without code).
pub fn pack_lines(hashes: &[u16]) -> Lines {
    let words = hashes.len().div_ceil(64);
    let (mut code, mut rank) = (Vec::with_capacity(words), Vec::with_capacity(words));
    let mut kept = Vec::with_capacity(hashes.len());
    for chunk in hashes.chunks(64) {
        rank.push(kept.len() as u32);
        let mut word = 0u64;
        for (bit, &hash) in chunk.iter().enumerate() {
            if hash != 0 {
                word |= 1 << bit;
                kept.push(hash);
            }
        }
        code.push(word);
    }
    Lines {
        code,
        rank,
        hashes: kept,
    }
}

/// Every posting section of an index, packed: what a merge or a patch hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedTables {
    /// `hash_buckets` and `residues`.
    pub table: Table,
    /// `offset_blocks` and `offsets`.
    pub offsets: Offsets,
    /// `df`, `df_wide_slots` and `df_wide`, the idiom sets' shapes marked.
    pub df: Df,
    /// `post_loc`, padded to a whole word.
    pub post_loc: Vec<u8>,
    /// `post_tag`.
    pub post_tag: Vec<u16>,
    /// The postings each idiom set marked, in the order of the sets.
    pub marked: Vec<u64>,
}

/// The sections of the tables `parts` of an index of `lines` lines (runs of ascending
/// prefixes one after another, as a merge gives one and a patch's threads give several;
/// each finished, with its own offsets and padding), with the prefixes of each of
/// `idioms` (ascending prefixes of the table's bits, one set each) marked as common in
/// public code: `df` saturated at 65,535, as `leakguard.index.store` marks an idiom set,
/// and the postings of each set counted. One pass, straight into the packed sections:
/// the tables are never held unpacked a second time, and the posting sections of the
/// first part grow into the whole (a large buffer grows in place, without a copy).
pub fn pack_merged(parts: Vec<Merged>, bits: u32, lines: u64, idioms: &[Vec<u64>]) -> PackedTables {
    let width = posting_width(lines);
    let pad = 4 - width;
    let slots: usize = parts.iter().map(|part| part.keys.len()).sum();
    let postings: usize = parts.iter().map(|part| part.post_tag.len()).sum();
    let buckets = 1usize << bits.min(32);
    let mut table = Table::new(bits, slots);
    let mut offsets = Offsets::new(slots + 1);
    let mut df = Df::new(slots);
    let mut marked = vec![0u64; idioms.len()];
    let mut next_idiom = vec![0usize; idioms.len()];
    let (mut post_loc, mut post_tag): (Vec<u8>, Vec<u16>) = (Vec::new(), Vec::new());
    let mut base = 0u64;
    for (n, part) in parts.into_iter().enumerate() {
        for (i, &key) in part.keys.iter().enumerate() {
            let slot = table.residues.len();
            table.push(key, buckets);
            let first = u64::from(part.offsets.get(i).copied().unwrap_or(0));
            let stop = part.offsets.get(i + 1).map_or(first, |&o| u64::from(o));
            offsets.push(slot, base + first);
            let mut files = u32::from(part.df[i]);
            for (n, (set, next)) in idioms.iter().zip(next_idiom.iter_mut()).enumerate() {
                while *next < set.len() && set[*next] < key {
                    *next += 1;
                }
                if *next < set.len() && set[*next] == key {
                    marked[n] += stop - first;
                    files = PUBLIC_DF;
                }
            }
            df.push(slot, files);
        }
        base += part.post_tag.len() as u64;
        if n == 0 {
            (post_loc, post_tag) = (part.post_loc, part.post_tag);
            post_loc.reserve_exact((postings - post_tag.len()) * width);
            post_tag.reserve_exact(postings - post_tag.len());
        } else {
            post_loc.truncate(post_loc.len().saturating_sub(pad));
            post_loc.extend_from_slice(&part.post_loc);
            post_tag.extend_from_slice(&part.post_tag);
        }
    }
    offsets.push(slots, base);
    PackedTables {
        table: table.finish(buckets),
        offsets,
        df,
        post_loc,
        post_tag,
        marked,
    }
}

/// The prefixes of a table of `b = bits` of each set of hashes, ascending and distinct.
pub fn prefixes_of(sets: &[&[u64]], bits: u32) -> Vec<Vec<u64>> {
    let shift = 64 - RESIDUE_BITS - bits.clamp(1, 48);
    sets.iter()
        .map(|set| {
            let mut prefixes: Vec<u64> = set.iter().map(|&hash| hash >> shift).collect();
            prefixes.sort_unstable();
            prefixes.dedup();
            prefixes
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_pack_narrow_until_a_block_spans_more_than_u16() {
        let offsets: Vec<u64> = (0..200).map(|i| i * 3).collect();
        let packed = pack_offsets(&offsets);
        assert_eq!(packed.blocks, vec![0, 192, 384, 576]);
        let Within::Narrow(within) = &packed.within else {
            panic!("narrow offsets")
        };
        assert_eq!((&within[..4], within[64]), (&[0, 3, 6, 9][..], 0));
        let wide = pack_offsets(&[0, 70_000, 70_001]);
        assert_eq!(wide.within, Within::Wide(vec![0, 70_000, 70_001]));
    }

    #[test]
    fn lines_keep_the_hashes_of_code_lines_and_rank_each_word() {
        let mut hashes = vec![0u16; 130];
        hashes[0] = 7;
        hashes[63] = 9;
        hashes[64] = 1;
        hashes[129] = 3;
        let lines = pack_lines(&hashes);
        assert_eq!(lines.code, vec![1 | 1 << 63, 1, 1 << 1]);
        assert_eq!(lines.rank, vec![0, 2, 3]);
        assert_eq!(lines.hashes, vec![7, 9, 1, 3]);
        assert_eq!(
            pack_lines(&[]),
            Lines {
                code: vec![],
                rank: vec![],
                hashes: vec![]
            }
        );
    }

    /// A finished part of `keys` whose postings number `counts`, in an index of 100 lines.
    fn part(keys: &[u64], counts: &[u32], df: &[u16]) -> Merged {
        let mut offsets = vec![0u32];
        for &count in counts {
            offsets.push(offsets.last().unwrap() + count);
        }
        let postings = *offsets.last().unwrap() as usize;
        let width = posting_width(100);
        Merged {
            bits: 4,
            keys: keys.to_vec(),
            offsets,
            df: df.to_vec(),
            post_loc: (0..postings * width + 4 - width).map(|i| i as u8).collect(),
            post_tag: (0..postings).map(|i| i as u16).collect(),
            removed: 0,
            distinct: 0,
        }
    }

    #[test]
    fn runs_pack_as_the_tables_they_join_into_and_idioms_are_marked() {
        let keys = [3, 0x1_0002, 0x1_0005, 0x7_ffff, 0xf_0000];
        let (counts, df) = ([2, 1, 3, 1, 2], [1, 1, 300, 1, 2]);
        let whole = part(&keys, &counts, &df);
        let idioms = vec![vec![0x1_0005, 0xf_0000], vec![0xf_0000]];
        let one = pack_merged(vec![whole.clone()], 4, 100, &idioms);
        // The same tables cut in two runs, each with its own offsets and padding.
        let (head, tail) = (
            part(&keys[..2], &counts[..2], &df[..2]),
            part(&keys[2..], &counts[2..], &df[2..]),
        );
        let width = posting_width(100);
        let cut = 3 * width;
        let mut head = head;
        head.post_loc = whole.post_loc[..cut].to_vec();
        head.post_loc.resize(cut + 4 - width, 0);
        head.post_tag = whole.post_tag[..3].to_vec();
        let mut tail = tail;
        tail.post_loc = whole.post_loc[cut..].to_vec();
        tail.post_tag = whole.post_tag[3..].to_vec();
        assert_eq!(pack_merged(vec![head, tail], 4, 100, &idioms), one);
        assert_eq!(one.table, pack_table(&keys, 4));
        assert_eq!(one.offsets.within, Within::Narrow(vec![0, 2, 3, 6, 7, 9]));
        assert_eq!(one.marked, vec![5, 2]);
        assert_eq!(one.df.df, vec![1, 1, 255, 1, 255]);
        assert_eq!(
            (one.df.wide_slots.clone(), one.df.wide.clone()),
            (vec![2, 4], vec![65_535, 65_535])
        );
        assert_eq!(one.post_loc, whole.post_loc);
    }

    #[test]
    fn offsets_turn_wide_when_a_block_holds_more_than_u16_postings() {
        let packed = pack_merged(
            vec![part(&[1, 2, 3], &[70_000, 1, 1], &[1, 1, 1])],
            4,
            100,
            &[],
        );
        assert_eq!(
            packed.offsets.within,
            Within::Wide(vec![0, 70_000, 70_001, 70_002])
        );
        assert_eq!(packed.offsets.blocks, vec![0]);
    }

    #[test]
    fn df_saturates_and_sends_large_counts_wide() {
        let packed = pack_df(&[1, 254, 255, 300, 65_535, 70_000]);
        assert_eq!(packed.df, vec![1, 254, 255, 255, 255, 255]);
        assert_eq!(packed.wide_slots, vec![2, 3, 4, 5]);
        assert_eq!(packed.wide, vec![255, 300, 65_535, 65_535]);
    }
}
