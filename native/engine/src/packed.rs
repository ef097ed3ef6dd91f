//! An index's hash table and postings offsets read where they are stored (index side).
//!
//! The sections are those [`crate::pack`] writes (see `fingerprints/FORMAT.md`): the
//! `hash_buckets` directory over 16-bit `residues`, and the postings offsets as
//! `offset_blocks` plus `offsets` within each block. An update patches the tables of the
//! index it replaces ([`crate::patch`]) reading them through [`Packed`], one slot after
//! another, without unpacking them into whole columns first; [`table_keys`] and
//! [`posting_offsets`] unpack them whole (an index's public sets are applied to its
//! prefixes). Reads past the sections give nothing or 0, never a panic; [`Packed::hangs_together`]
//! says whether a damaged index could make them.

use crate::column::Column;
use crate::pack::{OFFSET_BLOCK_BITS, RESIDUE_BITS};

/// A hash table and its postings offsets as an index stores them, read in place (an
/// update patches the tables of the index it replaces without unpacking them first).
#[derive(Debug, Clone, Copy)]
pub struct Packed<'a> {
    /// `hash_buckets` (2^b + 1 entries).
    pub hash_buckets: &'a [u32],
    /// `residues`.
    pub residues: &'a [u16],
    /// `offset_blocks`.
    pub offset_blocks: &'a [u32],
    /// `offsets`.
    pub offsets: Column<'a>,
}

impl Packed<'_> {
    /// How many distinct prefixes (slots) the table holds.
    pub fn len(&self) -> usize {
        self.residues.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.residues.is_empty()
    }

    /// Whether the sections hang together for `postings` postings: a directory of 2^b + 1
    /// ascending entries from 0 to the number of residues, and offsets from 0 up to
    /// `postings`, ascending, one more than the slots. Every other method may then read
    /// any slot up to [`Packed::len`] (and offset `len`) without a check.
    pub fn hangs_together(&self, postings: usize) -> bool {
        let slots = self.residues.len();
        directory_fits(self.hash_buckets, slots)
            && self.offsets.len() == slots + 1
            && self.offset_blocks.len() == (slots + 1).div_ceil(1 << OFFSET_BLOCK_BITS)
            && self.offset(0) == 0
            && self.offset(slots) == postings as u64
            && (1..=slots).all(|i| self.offset(i - 1) <= self.offset(i))
    }

    /// Where the postings of slot `i` start (`i` up to `len`: then the number of postings).
    #[inline]
    pub fn offset(&self, i: usize) -> u64 {
        let block = self
            .offset_blocks
            .get(i >> OFFSET_BLOCK_BITS)
            .copied()
            .unwrap_or(0);
        u64::from(block) + u64::from(self.offsets.get(i).unwrap_or(0))
    }

    /// The prefix of slot `i` (a binary search of the directory).
    pub fn key(&self, i: usize) -> u64 {
        let bucket = self
            .hash_buckets
            .partition_point(|&start| start as usize <= i);
        ((bucket.saturating_sub(1) as u64) << RESIDUE_BITS)
            | u64::from(self.residues.get(i).copied().unwrap_or(0))
    }

    /// The prefixes of the slots `slots`, in order (the directory read along, not searched).
    pub fn keys(&self, slots: std::ops::Range<usize>) -> impl Iterator<Item = u64> + '_ {
        let mut bucket = self
            .hash_buckets
            .partition_point(|&start| start as usize <= slots.start)
            .saturating_sub(1);
        slots.map(move |i| {
            while bucket + 1 < self.hash_buckets.len()
                && self.hash_buckets[bucket + 1] as usize <= i
            {
                bucket += 1;
            }
            ((bucket as u64) << RESIDUE_BITS)
                | u64::from(self.residues.get(i).copied().unwrap_or(0))
        })
    }
}

/// The prefix of every slot of a table, read back from its sections; None when the
/// directory does not describe the residues (not 2^b + 1 entries, descending, or not
/// ending at their number).
pub fn table_keys(hash_buckets: &[u32], residues: &[u16]) -> Option<Vec<u64>> {
    if !directory_fits(hash_buckets, residues.len()) {
        return None;
    }
    let mut keys = Vec::with_capacity(residues.len());
    for (bucket, edges) in hash_buckets.windows(2).enumerate() {
        let (start, end) = (edges[0] as usize, edges[1] as usize);
        let high = (bucket as u64) << RESIDUE_BITS;
        keys.extend(
            residues[start..end]
                .iter()
                .map(|&residue| high | u64::from(residue)),
        );
    }
    Some(keys)
}

/// Whether `hash_buckets` is the directory of `slots` residues: 2^b + 1 ascending entries
/// from 0 to `slots`.
fn directory_fits(hash_buckets: &[u32], slots: usize) -> bool {
    let entries = hash_buckets.len();
    entries >= 2
        && (entries - 1).is_power_of_two()
        && hash_buckets[0] == 0
        && hash_buckets[entries - 1] as usize == slots
        && hash_buckets.windows(2).all(|w| w[0] <= w[1])
}

/// The U + 1 cumulative posting counts, read back from `offset_blocks` and `offsets`;
/// None when a block is missing.
pub fn posting_offsets(blocks: &[u32], within: Column<'_>) -> Option<Vec<u64>> {
    (0..within.len())
        .map(|i| {
            let block = blocks.get(i >> OFFSET_BLOCK_BITS)?;
            Some(u64::from(*block) + u64::from(within.get(i)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::{pack_offsets, pack_table};

    #[test]
    fn a_table_reads_back_as_its_keys() {
        let bits = 4;
        let keys = [3, 0x1_0002, 0x1_0005, 0x7_ffff, 0xf_0000, 0xf_ffff];
        let table = pack_table(&keys, bits);
        assert_eq!(table.hash_buckets.len(), 17);
        assert_eq!(&table.hash_buckets[..3], &[0, 1, 3]);
        assert_eq!(table.hash_buckets[16], 6);
        assert_eq!(table.residues, vec![3, 2, 5, 0xffff, 0, 0xffff]);
        assert_eq!(
            table_keys(&table.hash_buckets, &table.residues),
            Some(keys.to_vec())
        );
    }

    #[test]
    fn a_directory_that_does_not_describe_its_residues_reads_as_none() {
        assert_eq!(table_keys(&[0, 2, 1], &[1, 2]), None); // 3 entries: not 2^b + 1
        assert_eq!(table_keys(&[0, 2, 1, 2, 2], &[1, 2]), None); // descending
        assert_eq!(table_keys(&[0, 1, 1, 1, 3], &[1, 2]), None); // past the residues
        assert_eq!(table_keys(&[], &[]), None);
        assert_eq!(table_keys(&[0, 0], &[]), Some(vec![]));
    }

    #[test]
    fn a_packed_table_reads_its_keys_and_offsets_in_place() {
        let keys = [3, 0x1_0002, 0x1_0005, 0x7_ffff, 0xf_0000, 0xf_ffff];
        let offsets: Vec<u64> = (0..=keys.len() as u64).map(|i| i * i).collect();
        let table = pack_table(&keys, 4);
        let packed_offsets = pack_offsets(&offsets);
        let packed = Packed {
            hash_buckets: &table.hash_buckets,
            residues: &table.residues,
            offset_blocks: &packed_offsets.blocks,
            offsets: packed_offsets.within.column(),
        };
        assert!(packed.hangs_together(36) && !packed.hangs_together(35));
        assert_eq!(packed.len(), 6);
        assert_eq!((0..6).map(|i| packed.key(i)).collect::<Vec<_>>(), keys);
        assert_eq!(packed.keys(0..6).collect::<Vec<_>>(), keys);
        assert_eq!(packed.keys(2..5).collect::<Vec<_>>(), keys[2..5]);
        assert_eq!(
            (0..7).map(|i| packed.offset(i)).collect::<Vec<_>>(),
            offsets
        );
        let descending = [0u32, 2, 1, 6, 6];
        assert!(!Packed {
            hash_buckets: &descending[..],
            ..packed
        }
        .hangs_together(36));
    }

    #[test]
    fn packed_offsets_read_back_narrow_or_wide() {
        let offsets: Vec<u64> = (0..200).map(|i| i * 3).collect();
        let packed = pack_offsets(&offsets);
        assert!(matches!(packed.within.column(), Column::Narrow(_)));
        let back = posting_offsets(&packed.blocks, packed.within.column());
        assert_eq!(back, Some(offsets));
        let wide = pack_offsets(&[0, 70_000, 70_001]);
        assert_eq!(
            posting_offsets(&wide.blocks, wide.within.column()),
            Some(vec![0, 70_000, 70_001])
        );
        assert_eq!(posting_offsets(&[], Column::Wide(&[1])), None);
    }
}
