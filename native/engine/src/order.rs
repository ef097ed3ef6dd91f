//! The order of an index's postings (index side).
//!
//! An index lists its postings by k-gram hash, then concrete tag, then global line (see
//! `fingerprints/FORMAT.md`): the scan side bisects a hash's postings by tag. Merging
//! shards sorts every posting of the index once, and numpy's three-key `lexsort` took
//! 4.6 s of a 23 s merge of 14 million postings.
//!
//! The sort is a most significant digit bucket sort: one pass scatters the postings into
//! 65,536 buckets by the top bits of their hash (hashes are uniform, so a bucket holds a
//! few hundred postings of a merge of millions, and fits in cache), then each bucket is
//! sorted on its own by (hash, tag, line, position). The position as the last key makes
//! the result exactly `numpy.lexsort((line, tag, hash))`, ties in input order.

/// One posting while it is sorted, compared field by field in this order.
type Item = (u64, u16, i64, usize);

/// Buckets of the scatter pass: 2^16.
const BUCKET_BITS: u32 = 16;

/// Positions of the postings in (key, tag, line) order, ties in input order.
///
/// `keys`, `tags` and `lines` are read up to the shortest of the three.
pub fn posting_order(keys: &[u64], tags: &[u16], lines: &[i64]) -> Vec<i64> {
    let count = keys.len().min(tags.len()).min(lines.len());
    let keys = &keys[..count];
    let (Some(&low), Some(&high)) = (keys.iter().min(), keys.iter().max()) else {
        return Vec::new();
    };
    // The top bits of (key - low) spread the keys over the buckets, whatever their range.
    let width = 64 - (high - low).leading_zeros();
    let shift = width.saturating_sub(BUCKET_BITS);
    let bucket = |key: u64| ((key - low) >> shift) as usize;
    let mut starts = vec![0usize; (1 << BUCKET_BITS) + 1];
    for &key in keys {
        starts[bucket(key) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut items: Vec<Item> = vec![(0, 0, 0, 0); count];
    for (position, &key) in keys.iter().enumerate() {
        let slot = &mut next[bucket(key)];
        items[*slot] = (key, tags[position], lines[position], position);
        *slot += 1;
    }
    for pair in starts.windows(2) {
        items[pair[0]..pair[1]].sort_unstable();
    }
    items
        .into_iter()
        .map(|(_, _, _, position)| i64::try_from(position).unwrap_or(i64::MAX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::posting_order;

    #[test]
    fn sorts_by_key_then_tag_then_line_and_keeps_ties_in_order() {
        let keys = [5, 1, 5, 1, 5, 5];
        let tags = [2, 9, 1, 9, 1, 1];
        let lines = [0, 7, 3, 7, 3, 2];
        assert_eq!(posting_order(&keys, &tags, &lines), vec![1, 3, 5, 2, 4, 0]);
    }

    #[test]
    fn keys_of_any_range_are_bucketed() {
        let keys = [u64::MAX, 0, 1 << 40, u64::MAX, 7];
        assert_eq!(posting_order(&keys, &[0; 5], &[0; 5]), vec![1, 4, 2, 0, 3]);
        assert_eq!(
            posting_order(&[9, 9, 9], &[2, 1, 2], &[5, 5, 4]),
            vec![1, 2, 0]
        );
    }

    #[test]
    fn uneven_inputs_are_read_to_the_shortest() {
        assert_eq!(posting_order(&[3, 2, 1], &[0, 0], &[0, 0, 0]), vec![1, 0]);
        assert!(posting_order(&[], &[], &[]).is_empty());
    }
}
