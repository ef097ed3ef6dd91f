//! Hits: the (scanned k-gram, indexed posting) pairs of a scan, and the ones chaining skips.
//!
//! A hit says: the k-gram at scanned token `pos` also occurs in indexed file `file` at
//! lines `line..=end_line`; it is *exact* when the names match too, and `key` names the
//! indexed fingerprint. Two filters drop hits that cannot change what chaining finds:
//! structural hits where an exact hit names the same place better, and hits too sparse to
//! ever reach a reportable chain.

/// Hits as parallel arrays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    /// Scanned position of the k-gram.
    pub pos: Vec<i64>,
    /// Indexed file.
    pub file: Vec<i64>,
    /// First indexed line of the k-gram.
    pub line: Vec<i64>,
    /// Last indexed line of the k-gram.
    pub end_line: Vec<i64>,
    /// Whether the names match too.
    pub exact: Vec<bool>,
    /// The indexed fingerprint (hash slot).
    pub key: Vec<i64>,
}

impl Hits {
    /// The number of hits.
    pub fn len(&self) -> usize {
        self.pos.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty()
    }

    /// The hits at `keep`, in order.
    fn select(&self, keep: &[bool]) -> Hits {
        let mut out = Hits::default();
        for (i, _) in keep.iter().enumerate().filter(|(_, &k)| k) {
            out.pos.push(self.pos[i]);
            out.file.push(self.file[i]);
            out.line.push(self.line[i]);
            out.end_line.push(self.end_line[i]);
            out.exact.push(self.exact[i]);
            out.key.push(self.key[i]);
        }
        out
    }
}

/// Where one scanned k-gram hits several places of a file and some of them match by name,
/// only those are kept: repetitive code makes a structural k-gram hit every repetition,
/// and the names say which one was copied.
pub fn prefer_exact(hits: Hits) -> Hits {
    if hits.exact.iter().all(|&e| !e) || hits.exact.iter().all(|&e| e) {
        return hits;
    }
    let mut named: Vec<(i64, i64)> = (0..hits.len())
        .filter(|&i| hits.exact[i])
        .map(|i| (hits.file[i], hits.pos[i]))
        .collect();
    named.sort_unstable();
    let keep: Vec<bool> = (0..hits.len())
        .map(|i| hits.exact[i] || named.binary_search(&(hits.file[i], hits.pos[i])).is_err())
        .collect();
    hits.select(&keep)
}

/// A hit is kept for chaining only with this many hits of its file (itself included)
/// within `gap` scanned tokens when its names match...
pub const MIN_EXACT_NEIGHBOURS: usize = 2;
/// ... and this many when only its structure does: fewer cannot reach the threshold.
pub const MIN_STRUCTURAL_NEIGHBOURS: usize = 4;

/// Drop the hits with too few neighbours (distinct positions of the same file within
/// `gap` scanned tokens) to ever form a reportable chain.
pub fn without_sparse(hits: Hits, gap: i64) -> Hits {
    let mut places: Vec<(i64, i64)> = hits
        .file
        .iter()
        .copied()
        .zip(hits.pos.iter().copied())
        .collect();
    places.sort_unstable();
    places.dedup();
    let keep: Vec<bool> = (0..hits.len())
        .map(|i| {
            let (file, pos) = (hits.file[i], hits.pos[i]);
            let low = places.partition_point(|&p| p < (file, pos.saturating_sub(gap)));
            let high = places.partition_point(|&p| p <= (file, pos.saturating_add(gap)));
            let needed = if hits.exact[i] {
                MIN_EXACT_NEIGHBOURS
            } else {
                MIN_STRUCTURAL_NEIGHBOURS
            };
            high - low >= needed
        })
        .collect();
    if keep.iter().all(|&k| k) {
        return hits;
    }
    hits.select(&keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(rows: &[(i64, i64, bool)]) -> Hits {
        Hits {
            pos: rows.iter().map(|r| r.0).collect(),
            file: rows.iter().map(|r| r.1).collect(),
            line: vec![1; rows.len()],
            end_line: vec![1; rows.len()],
            exact: rows.iter().map(|r| r.2).collect(),
            key: vec![0; rows.len()],
        }
    }

    #[test]
    fn exact_hits_win_their_place() {
        let kept = prefer_exact(hits(&[
            (1, 0, false),
            (1, 0, true),
            (2, 0, false),
            (1, 1, false),
        ]));
        assert_eq!(kept.pos, [1, 2, 1]);
        assert_eq!(kept.exact, [true, false, false]);
    }

    #[test]
    fn lonely_hits_go() {
        let kept = without_sparse(
            hits(&[(0, 0, true), (5, 0, true), (100, 0, true), (100, 1, false)]),
            10,
        );
        assert_eq!(kept.pos, [0, 5]);
    }
}
