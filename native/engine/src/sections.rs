//! The sections of an index that a look-up reads, as borrowed slices.
//!
//! Layout (see `fingerprints/FORMAT.md`): the distinct k-gram hashes are sorted and kept as
//! 16-bit `residues` under a bucket directory (`hash_buckets`, one entry per `b`-bit
//! prefix, plus one); the postings of hash slot `i` are `offset_blocks[i >> 6] +
//! offsets[i]` up to those of `i + 1`; `df` is the number of files holding each hash (255:
//! see `df_wide`); each posting is a 3- or 4-byte little-endian row of `post_loc` (global
//! line over span bits) and a 16-bit `post_tag`; `line_base` holds each file's first
//! global line.
//!
//! An index file may be damaged or hostile: every read here is checked, and a value
//! outside its section reads as "nothing there" instead of panicking.

use crate::column::Column;

/// The index sections a look-up reads.
#[derive(Clone, Copy, Debug)]
pub struct Sections<'a> {
    /// Where the hashes of each prefix start (2^b + 1 entries).
    pub hash_buckets: &'a [u32],
    /// The 16 bits of each distinct hash below its prefix.
    pub residues: &'a [u16],
    /// Posting offset of every 64th hash slot.
    pub offset_blocks: &'a [u32],
    /// Posting offset of each hash slot within its block (U + 1 entries; u16 while every
    /// block of 64 hashes holds fewer than 65,536 postings).
    pub offsets: Column<'a>,
    /// Files holding each hash, up to 254; 255 sends to `df_wide`.
    pub df: &'a [u8],
    /// The slots whose count is in `df_wide`, sorted.
    pub df_wide_slots: &'a [u32],
    /// Their saturating 16-bit counts (65535: marked common in public code).
    pub df_wide: &'a [u16],
    /// Packed postings (see [`Sections::posting`]).
    pub post_loc: &'a [u8],
    /// Concrete-name tag of each posting.
    pub post_tag: &'a [u16],
    /// First global line of each file, and the total (files + 1 entries).
    pub line_base: &'a [u32],
}

/// `df` value that sends a look-up to `df_wide`.
pub const DF_WIDE: u8 = 255;
/// `df_wide` value of a shape common in public code.
pub const PUBLIC_DF: u16 = u16::MAX;
const OFFSET_BLOCK_BITS: u32 = 6;
const RESIDUE_BITS: u32 = 16;

/// Where a posting was found: file, first line (1-based), last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// File id.
    pub file: i64,
    /// First line of the k-gram in the file.
    pub line: i64,
    /// Last line of the k-gram in the file.
    pub end_line: i64,
}

impl Sections<'_> {
    /// Bits `b` of the bucket directory.
    pub fn directory_bits(&self) -> u32 {
        let entries = self.hash_buckets.len().max(2) - 1;
        usize::BITS - 1 - entries.leading_zeros()
    }

    /// The slots of the residues that share `hash`'s bucket (empty when there is none).
    #[inline]
    pub fn bucket(&self, hash: u64, bits: u32) -> Option<(usize, usize)> {
        if self.residues.is_empty() || bits == 0 || bits > 32 {
            return None;
        }
        let bucket = (hash >> (64 - bits)) as usize;
        let low = *self.hash_buckets.get(bucket)? as usize;
        let high = (*self.hash_buckets.get(bucket + 1)? as usize).min(self.residues.len());
        (low < high).then_some((low, high))
    }

    /// The slot of `hash` among the slots of its bucket, `range` (see [`Sections::bucket`]).
    #[inline]
    pub fn find_in(&self, hash: u64, bits: u32, range: (usize, usize)) -> Option<usize> {
        let residue = ((hash << bits) >> (64 - RESIDUE_BITS)) as u16;
        let residues = self.residues.get(range.0..range.1)?;
        let at = residues.partition_point(|&r| r < residue);
        (residues.get(at) == Some(&residue)).then_some(range.0 + at)
    }

    /// The first residue of each bucket range, read so that their cache lines load together
    /// (the binary searches after it then find them in the cache).
    pub fn touch(&self, ranges: &[Option<(usize, usize)>]) -> u16 {
        ranges.iter().flatten().fold(0, |acc, &(low, _)| {
            acc ^ self.residues.get(low).copied().unwrap_or(0)
        })
    }

    fn offset(&self, slot: usize) -> Option<usize> {
        let block = *self.offset_blocks.get(slot >> OFFSET_BLOCK_BITS)? as usize;
        Some(block + self.offsets.get(slot)? as usize)
    }

    /// The postings of a slot: first, and the one after the last (empty if damaged).
    pub fn postings(&self, slot: usize) -> (usize, usize) {
        match (self.offset(slot), self.offset(slot + 1)) {
            (Some(first), Some(stop)) if first <= stop => {
                (first, stop.min(self.post_tag.len()).max(first))
            }
            _ => (0, 0),
        }
    }

    /// The file count of a slot as far as a cut-off below 255 needs it, and the 16-bit
    /// count of the slots that have one (0 where the slot is not listed).
    pub fn df(&self, slot: usize) -> u32 {
        match self.df.get(slot) {
            Some(&DF_WIDE) => u32::from(self.wide_df(slot)).max(u32::from(DF_WIDE)),
            Some(&count) => u32::from(count),
            None => 0,
        }
    }

    fn wide_df(&self, slot: usize) -> u16 {
        let Ok(slot) = u32::try_from(slot) else {
            return 0;
        };
        match self.df_wide_slots.binary_search(&slot) {
            Ok(at) => self.df_wide.get(at).copied().unwrap_or(0),
            Err(_) => 0,
        }
    }

    /// The postings in `first..stop` whose tag is `tag`, as a range (they are sorted by tag).
    pub fn with_tag(&self, first: usize, stop: usize, tag: u16) -> (usize, usize) {
        let Some(tags) = self.post_tag.get(first..stop) else {
            return (first, first);
        };
        let low = tags.partition_point(|&t| t < tag);
        let high = tags.partition_point(|&t| t <= tag);
        (first + low, first + high)
    }

    /// Total lines of the index.
    pub fn lines(&self) -> u64 {
        self.line_base.last().map_or(0, |&l| u64::from(l))
    }

    /// Where posting `post` was found (None if the posting or its line is outside the index).
    pub fn place(&self, post: usize, width: usize, span_bits: u32) -> Option<Place> {
        let at = post.checked_mul(width)?;
        let bytes = self.post_loc.get(at..at + width)?;
        let mut value = 0u64;
        for (i, &b) in bytes.iter().enumerate() {
            value |= u64::from(b) << (8 * i);
        }
        let loc = value >> span_bits;
        let span = (value & ((1 << span_bits) - 1)) as i64;
        let file = self
            .line_base
            .partition_point(|&base| u64::from(base) <= loc)
            .checked_sub(1)?;
        if file + 1 >= self.line_base.len() {
            return None;
        }
        let line = (loc - u64::from(self.line_base[file])) as i64 + 1;
        Some(Place {
            file: file as i64,
            line,
            end_line: line + span,
        })
    }
}

/// Bytes of each `post_loc` row in an index of `lines` lines: 3, or 4 from 2^21 lines.
pub fn posting_width(lines: u64) -> usize {
    if line_bits(lines) + 3 <= 24 {
        3
    } else {
        4
    }
}

/// Low bits of a packed posting that hold its span.
pub fn span_bits(lines: u64) -> u32 {
    (8 * posting_width(lines) as u32 - line_bits(lines)).min(8)
}

fn line_bits(lines: u64) -> u32 {
    (u64::BITS - lines.leading_zeros()).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_line_count() {
        assert_eq!((posting_width(10), span_bits(10)), (3, 8));
        assert_eq!(posting_width((1 << 21) - 1), 3);
        assert_eq!(span_bits((1 << 21) - 1), 3);
        assert_eq!((posting_width(1 << 21), span_bits(1 << 21)), (4, 8));
    }

    #[test]
    fn damaged_sections_read_as_nothing() {
        let sections = Sections {
            hash_buckets: &[0, 5],
            residues: &[1, 2],
            offset_blocks: &[],
            offsets: Column::Narrow(&[]),
            df: &[],
            df_wide_slots: &[],
            df_wide: &[],
            post_loc: &[],
            post_tag: &[],
            line_base: &[],
        };
        assert_eq!(sections.postings(0), (0, 0));
        assert_eq!(sections.df(7), 0);
        assert_eq!(sections.place(3, 3, 8), None);
        assert_eq!(sections.with_tag(4, 9, 1), (4, 4));
    }
}
