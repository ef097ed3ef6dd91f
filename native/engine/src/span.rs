//! Where a copy begins and ends: growing a finding line by line as far as the index vouches.
//!
//! Hits only mark the k-grams the index kept (one in every `w`), so the first and last few
//! tokens of a copy carry no hit. [`copy_bounds`] claims them a whole line at a time,
//! comparing each scanned line's 16-bit hash ([`line_hashes`], the same on both sides)
//! with the indexed file's, so redaction removes the whole copy and nothing around it. A
//! copy never ends part-way through a line of code: the rest of its first and last lines
//! is claimed too when it is shorter than a k-gram; a longer rest is other text on the same
//! physical line (a log record holding the code as an escaped string), and stays.
//!
//! Lines are 1-based, as the token stream numbers them. The Python implementation this
//! replaced is kept in the tests (`tests/reference_span.py`) as the oracle of a
//! differential test.

use crate::mix::{fmix64, BASE};

/// Indexed lines either side of the expected one that an edge's alignment tries.
const ALIGN_LINES: i64 = 12;

/// The 16-bit hash of the abstract tokens on each line `1..=n_lines` (at `line - 1`); 0
/// for a line without tokens (one that hashes to 0 gets 1). Tokens valued `skip` do not count (the comma: whether a
/// trailing comma is dropped depends on the next line, which a copy may not include).
/// `line` must be non-decreasing, as a token stream's is.
pub fn line_hashes(
    abstract_values: &[u64],
    line: &[i32],
    n_lines: usize,
    skip: Option<u64>,
) -> Vec<u16> {
    let mut out = vec![0u16; n_lines];
    let mut current: Option<(i32, u64, u64)> = None; // (line, sum, rank)
    let finish = |state: Option<(i32, u64, u64)>, out: &mut Vec<u16>| {
        if let Some((number, sum, _)) = state {
            if let Some(slot) = usize::try_from(number)
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| out.get_mut(i))
            {
                // A line with tokens never hashes to 0, which stands for a line without.
                *slot = ((fmix64(sum) >> 48) as u16).max(1);
            }
        }
    };
    for (&value, &number) in abstract_values.iter().zip(line) {
        if skip == Some(value) {
            continue;
        }
        let (sum, rank) = match current {
            Some((open, sum, rank)) if open == number => (sum, rank),
            other => {
                finish(other, &mut out);
                (0, 0)
            }
        };
        let mixed = fmix64(value ^ rank.wrapping_mul(BASE));
        current = Some((number, sum.wrapping_add(mixed), rank + 1));
    }
    finish(current, &mut out);
    out
}

/// Per-line views of a token stream: the first and last token of each line, its hash,
/// and whether it reads like the end of a sentence.
#[derive(Clone, Debug)]
pub struct LineTable {
    /// Line hashes, at `line - 1`.
    pub hash: Vec<u16>,
    /// First token of each line (for a line without tokens: the next line's first).
    pub first: Vec<i64>,
    /// Last token of each line (for a line without tokens: `first - 1`).
    pub last: Vec<i64>,
    /// A line that reads like the end of a sentence ("thanks", "Any ideas?") matches some
    /// line of code by chance: a walk may pass through one but not end on it.
    pub weak: Vec<bool>,
}

/// What a [`LineTable`] needs to know of the alphabet.
#[derive(Clone, Copy, Debug)]
pub struct LineSymbols<'a> {
    /// The value of `ID`.
    pub id: u64,
    /// The value of `,` (left out of line hashes).
    pub comma: u64,
    /// The values of `!`, `?`, `.` and `:`.
    pub sentence_ends: &'a [u64],
}

impl LineTable {
    /// The table of a token stream (`abstract_values`, `line` and `start` of each token)
    /// of the text `cps`.
    pub fn new(
        abstract_values: &[u64],
        line: &[i32],
        start: &[i64],
        cps: &[u32],
        symbols: &LineSymbols<'_>,
    ) -> LineTable {
        let n = abstract_values.len().min(line.len()).min(start.len());
        let n_lines = if n > 0 {
            usize::try_from(line[n - 1]).unwrap_or(0)
        } else {
            0
        };
        let hash = line_hashes(
            &abstract_values[..n],
            &line[..n],
            n_lines,
            Some(symbols.comma),
        );
        let (mut first, mut last) = (Vec::with_capacity(n_lines), Vec::with_capacity(n_lines));
        let mut at = 0usize;
        for number in 1..=n_lines as i64 {
            while at < n && i64::from(line[at]) < number {
                at += 1;
            }
            first.push(at as i64);
            let mut end = at;
            while end < n && i64::from(line[end]) <= number {
                end += 1;
            }
            last.push(end as i64 - 1);
        }
        let value = |i: i64| abstract_values[(i.max(0) as usize).min(n.saturating_sub(1))];
        let weak = (0..n_lines)
            .map(|l| {
                let count = last[l] - first[l] + 1;
                if n == 0 || !(1..=2).contains(&count) || value(first[l]) != symbols.id {
                    return false;
                }
                if count == 2 && !symbols.sentence_ends.contains(&value(first[l] + 1)) {
                    return false;
                }
                // Prose starts at the left margin: an indented lone name is code (Ruby's
                // `end`, the last item of a list) and may end a walk.
                let begin = usize::try_from(start[(first[l] as usize).min(n - 1)]).unwrap_or(0);
                !(begin > 0
                    && cps
                        .get(begin - 1)
                        .is_some_and(|&c| c == u32::from(b' ') || c == u32::from(b'\t')))
            })
            .collect();
        LineTable {
            hash,
            first,
            last,
            weak,
        }
    }

    fn n_lines(&self) -> i64 {
        self.hash.len() as i64
    }

    fn hash_at(&self, number: i64) -> u16 {
        at(&self.hash, number).unwrap_or(0)
    }

    fn weak_at(&self, number: i64) -> bool {
        at(&self.weak, number).unwrap_or(false)
    }

    fn first_at(&self, number: i64) -> i64 {
        at(&self.first, number).unwrap_or(0)
    }

    fn last_at(&self, number: i64) -> i64 {
        at(&self.last, number).unwrap_or(0)
    }
}

/// The value of 1-based line `number`, if it is one.
#[inline]
fn at<T: Copy>(values: &[T], number: i64) -> Option<T> {
    usize::try_from(number - 1)
        .ok()
        .and_then(|i| values.get(i))
        .copied()
}

/// A chain whose bounds are sought: its first and last hit's scanned position, the first
/// and the furthest indexed line it matched.
#[derive(Clone, Copy, Debug)]
pub struct ChainEdges {
    /// Scanned position of its first hit.
    pub first_pos: i64,
    /// Scanned position of its last hit.
    pub last_pos: i64,
    /// First indexed line.
    pub first_line: i64,
    /// Furthest indexed line.
    pub max_line: i64,
}

/// Token span and indexed line range of a copy, grown line by line past its outer hits:
/// (first token, last token, first indexed line, last indexed line). `source` holds the
/// indexed file's line hashes, `line` each scanned token's line; `k` and `window` are the
/// index's k-gram size and winnowing window.
///
/// Those tokens are claimed a whole line at a time, and only while each scanned line's
/// hash equals the hash of the indexed line it stands for (lines without code are stepped
/// over on both sides). The indexed line an edge stands for is found by alignment near the
/// outer hit, because repeated code can give the hit the posting of an identical line
/// nearby. Positions outside the token stream are clamped to it.
pub fn copy_bounds(
    lines: &LineTable,
    line: &[i32],
    source: &[u16],
    chain: &ChainEdges,
    k: i64,
    window: i64,
) -> (i64, i64, i64, i64) {
    let n = line.len() as i64;
    if n == 0 || lines.hash.is_empty() {
        return (0, 0, chain.first_line, chain.max_line);
    }
    let line_of = |i: i64| i64::from(line[i.clamp(0, n - 1) as usize]);
    let budget = 20 * (window + k); // line hashes verify each step; this bounds coincidences
    let walker = Walker { lines, source };
    let mut first = chain.first_pos.clamp(0, n - 1);
    let mut last = (chain.last_pos + k - 1).clamp(0, n - 1);
    let (mut start_line, mut end_line) = (chain.first_line, chain.max_line.max(chain.first_line));
    // Backward from the first hit's line.
    let first_scan_line = line_of(first);
    let pairs = walker.best(first_scan_line, start_line, -1);
    let mut spent = 0;
    for &(scan_line, src_line) in &pairs {
        spent += (first - lines.first_at(scan_line)).max(0);
        if spent > budget {
            break;
        }
        first = first.min(lines.first_at(scan_line));
        start_line = src_line;
    }
    if pairs.is_empty() && line_of(first + k - 1) > first_scan_line {
        // The first k-gram starts on a line that is not the indexed one: its tokens there
        // matched by structure alone (prose just before the code).
        first = lines.first_at(line_of(first + k - 1));
    }
    // Forward from the last k-gram's last line.
    let last_scan_line = line_of(last);
    let pairs = walker.best(last_scan_line, end_line, 1);
    let mut spent = 0;
    for &(scan_line, src_line) in &pairs {
        spent += (lines.last_at(scan_line) - last).max(0);
        if spent > budget {
            break;
        }
        last = last.max(lines.last_at(scan_line));
        end_line = src_line;
    }
    if pairs.is_empty() && line_of(chain.last_pos) < last_scan_line && last_scan_line >= 2 {
        // The last k-gram ends on a line that is not the indexed one: trim its tail there
        // (an identifier just after the code matches any identifier).
        last = lines.last_at(last_scan_line - 1);
    }
    // A rest of the first and last lines shorter than a k-gram is claimed too.
    let head = lines.first_at(line_of(first));
    let tail = lines.last_at(line_of(last));
    let first = if first - head < k { head } else { first };
    let last = if tail - last < k { tail } else { last };
    // Clamped for chains no scan makes (a hostile caller's): a real copy stays inside.
    let (first, last) = (first.clamp(0, n - 1), last.clamp(0, n - 1));
    (
        first,
        last,
        start_line.min(end_line),
        end_line.min(source.len() as i64),
    )
}

/// Walks of scanned lines against one indexed file's lines.
struct Walker<'a> {
    lines: &'a LineTable,
    source: &'a [u16],
}

impl Walker<'_> {
    fn source_lines(&self) -> i64 {
        self.source.len() as i64
    }

    fn source_hash(&self, number: i64) -> u16 {
        at(self.source, number).unwrap_or(0)
    }

    /// Pairs (scanned line, indexed line) that match, from the given pair onwards.
    fn walk(&self, mut scan_line: i64, mut src_line: i64, step: i64) -> Vec<(i64, i64)> {
        let (lines, n_scan, n_source) = (self.lines, self.lines.n_lines(), self.source_lines());
        let start_scan = scan_line;
        let mut pairs = Vec::new();
        while (1..=n_scan).contains(&scan_line) && (1..=n_source).contains(&src_line) {
            if lines.hash_at(scan_line) != self.source_hash(src_line) {
                break;
            }
            pairs.push((scan_line, src_line));
            scan_line += step;
            while (1..=n_scan).contains(&scan_line) && lines.hash_at(scan_line) == 0 {
                scan_line += step;
            }
            src_line += step;
            while (1..=n_source).contains(&src_line) && self.source_hash(src_line) == 0 {
                src_line += step;
            }
        }
        while pairs.len() > 1 && pairs.last().is_some_and(|&(s, _)| lines.weak_at(s)) {
            pairs.pop();
        }
        if pairs.len() == 1 && lines.weak_at(pairs[0].0) && pairs[0].0 != start_scan {
            pairs.pop();
        }
        pairs
    }

    /// The longest walk from the expected indexed line or, failing that, one nearby (the
    /// first of the longest, the expected line's first).
    fn best(&self, scan_line: i64, near: i64, step: i64) -> Vec<(i64, i64)> {
        let mut best = self.walk(scan_line, near, step);
        if best.len() >= 4 {
            return best; // four matching lines: the alignment is settled
        }
        let (low, high) = (
            (near - ALIGN_LINES).max(1),
            (near + ALIGN_LINES).min(self.source_lines()),
        );
        for src in (low..=high).filter(|&src| src != near) {
            let other = self.walk(scan_line, src, step);
            if other.len() > best.len() {
                best = other;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_hashes_skip_commas_and_leave_empty_lines_zero() {
        let hashes = line_hashes(&[5, 9, 7, 5], &[1, 1, 3, 3], 4, Some(9));
        assert_eq!(hashes[1], 0);
        assert_eq!(hashes[3], 0);
        assert_ne!(hashes[0], 0);
        // Line 1 without its comma reads like line 3's first token alone would not.
        assert_eq!(hashes[0], line_hashes(&[5], &[1], 1, None)[0]);
    }

    #[test]
    fn a_copy_grows_over_lines_the_index_vouches_for() {
        // Six scanned lines of one token each; the indexed file holds lines 2-5 of them.
        let values = [1, 2, 3, 4, 5, 6];
        let line = [1, 2, 3, 4, 5, 6];
        let start = [0, 2, 4, 6, 8, 10];
        let cps = vec![u32::from(b'x'); 12];
        let symbols = LineSymbols {
            id: 99,
            comma: 98,
            sentence_ends: &[],
        };
        let table = LineTable::new(&values, &line, &start, &cps, &symbols);
        let source = &table.hash[1..5];
        let chain = ChainEdges {
            first_pos: 2,
            last_pos: 2,
            first_line: 2,
            max_line: 2,
        };
        let (first, last, start_line, end_line) = copy_bounds(&table, &line, source, &chain, 1, 1);
        assert_eq!((first, last, start_line, end_line), (1, 4, 1, 4));
    }
}
