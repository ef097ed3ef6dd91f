//! Near duplicates from MinHash: edited copies whose exact k-grams were broken.
//!
//! An edited copy keeps runs of exact k-grams; chaining reports the strong ones as
//! *partial* matches, and this module confirms them. Around each partial match (as far as
//! the largest window reaches) the scanned tokens are cut into windows of
//! [`WINDOW_SIZES`] shingles, overlapping by half, and each window is compared with the
//! indexed *units* (functions, classes) of the partial match's file that lie within
//! [`UNIT_REACH_LINES`] of the lines it matched, when their sizes allow the similarity
//! asked for. A window's MinHash signature is the minimum, under each of the index's
//! permutations (datasketch's `affine32`: `h -> a * fmix32(h) + b`), of its shingles'
//! hashes, of which the lowest [`BITS`] bits are kept (b-bit MinHash; the index stores its
//! units' signatures so). A pair is first compared on the first [`HEAD_BYTES`] values and
//! then, if it could be similar, on all; a pair at or above [`NEAR_JACCARD`] is a
//! [`NearMatch`]. Its span is where the window's shared shingles lie (the shingles that
//! won the agreeing permutations), not the whole window.
//!
//! A window the exact path already mostly explains (more than four fifths of its tokens
//! covered by chained k-grams) is left to it. The numpy implementation this replaced is
//! kept in the Python tests (`tests/reference_near.py`) as the oracle of a differential
//! test.

use crate::column::Column;
use crate::kgram::kgram_hashes;
use crate::mix::fmix32;

/// Estimated Jaccard similarity at which a window and a unit are near duplicates.
pub const NEAR_JACCARD: f64 = 0.6;
/// Window sizes, in shingles; each a power-of-two multiple of the smallest.
pub const WINDOW_SIZES: [usize; 3] = [64, 128, 256];
/// Units within this many lines of what a partial match matched are compared with it.
pub const UNIT_REACH_LINES: i64 = 256;
/// Token counts stand in for shingle-set sizes, which repeated shingles make smaller: a
/// pair is compared down to this share of the size ratio [`NEAR_JACCARD`] needs.
pub const SIZE_SLACK: f64 = 0.75;
/// Bits kept of each signature value.
pub const BITS: u32 = 8;
/// Values every pair is compared on first.
pub const HEAD_BYTES: usize = 16;
/// Values of the head a pair must agree on to be compared in full.
pub const HEAD_AGREE: usize = 3;
/// Token streams shorter than this have no windows worth comparing.
const MIN_TOKENS: usize = 40;
/// Longer token streams are left to the exact path (windows would cost memory for
/// evidence the chains already give).
const MAX_TOKENS: usize = 4 << 15;
/// A partial match's neighbourhood reaches this far past it, aligned to this step
/// (so that windows fall where they would over the whole text), plus a block.
const REACH: usize = 256;
const STEP: usize = 128;
const BLOCK: usize = 32;

/// The MinHash sections of an index.
#[derive(Clone, Copy, Debug)]
pub struct Units<'a> {
    /// The file of each unit, ascending.
    pub file: Column<'a>,
    /// The first and last line of each unit, two values a unit.
    pub lines: Column<'a>,
    /// The number of tokens of each unit.
    pub tokens: Column<'a>,
    /// The b-bit signature of each unit, `perm` bytes a unit.
    pub signatures: &'a [u8],
    /// The permutations' multipliers and addends, `perm` each.
    pub multipliers: &'a [u32],
    /// See `multipliers`.
    pub addends: &'a [u32],
}

/// A partial exact match: its first and last scanned position, its file and the first
/// and last line of the file it matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Partial {
    /// First scanned position of its hits.
    pub first: i64,
    /// Last scanned position of its hits.
    pub last: i64,
    /// Its file.
    pub file: i64,
    /// First line of the file it matched.
    pub first_line: i64,
    /// Last line of the file it matched.
    pub last_line: i64,
}

/// A window near-identical to a unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NearMatch {
    /// The unit's file.
    pub file: i64,
    /// First scanned token of the shared shingles.
    pub low: usize,
    /// Last scanned token of the shared shingles.
    pub high: usize,
    /// The unit's first line.
    pub first_line: i64,
    /// The unit's last line.
    pub last_line: i64,
    /// Tokens of the whole window (the similarity was measured over it).
    pub window_tokens: usize,
    /// Estimated Jaccard similarity of the window and the unit.
    pub similarity: f64,
}

/// Near duplicates around `partials` in a token stream (`abstract_values`), whose
/// positions in `explained` (sorted, distinct) the exact path already chained; `k` and
/// `shingle` are the index's k-gram and shingle sizes.
pub fn near_matches(
    abstract_values: &[u64],
    explained: &[i64],
    partials: &[Partial],
    units: &Units<'_>,
    k: usize,
    shingle: usize,
) -> Vec<NearMatch> {
    let n = abstract_values.len();
    let perm = units.multipliers.len().min(units.addends.len());
    let n_units = units.file.len();
    if perm == 0 || n_units == 0 || units.signatures.len() < n_units * perm {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (low, high, around) in regions(partials, n) {
        let from = explained.partition_point(|&p| p < low as i64);
        let to = explained.partition_point(|&p| p < high as i64);
        let inside: Vec<i64> = explained[from..to]
            .iter()
            .map(|&p| p - low as i64)
            .collect();
        let shifted: Vec<Partial> = around
            .iter()
            .map(|p| Partial {
                first: p.first - low as i64,
                last: p.last - low as i64,
                ..*p
            })
            .collect();
        let part = &abstract_values[low..high];
        for found in region_matches(part, &inside, &shifted, units, perm, k, shingle) {
            out.push(NearMatch {
                low: found.low + low,
                high: found.high + low,
                ..found
            });
        }
    }
    out
}

/// Merged neighbourhoods of the partial matches (sorted first), each with its partials.
fn regions(partials: &[Partial], n: usize) -> Vec<(usize, usize, Vec<Partial>)> {
    let mut sorted = partials.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<(usize, usize, Vec<Partial>)> = Vec::new();
    for partial in sorted {
        let low = partial.first.saturating_sub(REACH as i64).max(0) as usize / STEP * STEP;
        let low = low.min(n);
        let high = partial
            .last
            .saturating_add((REACH + BLOCK) as i64)
            .clamp(0, n as i64) as usize;
        match merged.last_mut() {
            Some(last) if low <= last.1 => {
                last.1 = last.1.max(high);
                last.2.push(partial);
            }
            _ => merged.push((low, high.max(low), vec![partial])),
        }
    }
    merged
}

/// The windows over `m` shingles: (first shingle, end, nominal size), sizes in order.
fn windows(m: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for size in WINDOW_SIZES {
        if size > m && size != WINDOW_SIZES[0] {
            break;
        }
        let step = size / 2;
        let mut begin = 0;
        while begin == 0 || begin + size < m + step {
            out.push((begin, (begin + size).min(m), size));
            begin += step;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn region_matches(
    tokens: &[u64],
    explained: &[i64],
    partials: &[Partial],
    units: &Units<'_>,
    perm: usize,
    k: usize,
    shingle: usize,
) -> Vec<NearMatch> {
    let n = tokens.len();
    if !(MIN_TOKENS..=MAX_TOKENS).contains(&n) || shingle == 0 || shingle > n {
        return Vec::new();
    }
    let m = n - shingle + 1;
    let all = windows(m);
    let covered = covered_prefix(explained, n, k);
    let pairs: Vec<(usize, usize)> = pairs(units, partials, &all)
        .into_iter()
        .filter(|&(w, _)| {
            let (begin, stop) = (all[w].0, all[w].1 + shingle - 1);
            (covered[stop] - covered[begin]) * 5 <= (stop - begin) * 4
        })
        .collect();
    if pairs.is_empty() {
        return Vec::new();
    }
    let hashes: Vec<u32> = kgram_hashes(tokens, shingle)
        .iter()
        .map(|&h| fmix32((h >> 32) as u32))
        .collect();
    let blocks = Blocks::of(&hashes, units, perm);
    let mut signed: Vec<Option<Signed>> = vec![None; all.len()];
    let mut out = Vec::new();
    for (w, unit) in pairs {
        let (begin, end, _) = all[w];
        let window = signed[w].get_or_insert_with(|| blocks.window(begin, end));
        let theirs = &units.signatures[unit * perm..(unit + 1) * perm];
        let similarity = similarity(&window.values, theirs);
        if similarity < NEAR_JACCARD {
            continue;
        }
        let (low, last) = window.shared_span(theirs).unwrap_or((begin, end - 1));
        let line = |i: usize| i64::from(units.lines.get(2 * unit + i).unwrap_or(0));
        out.push(NearMatch {
            file: i64::from(units.file.get(unit).unwrap_or(0)),
            low,
            high: last + shingle - 1,
            first_line: line(0),
            last_line: line(1),
            window_tokens: end + shingle - 1 - begin,
            similarity,
        });
    }
    out
}

/// `covered[i]`: how many of the first `i` tokens the k-grams at `explained` cover.
fn covered_prefix(explained: &[i64], n: usize, k: usize) -> Vec<usize> {
    let mut edges = vec![0i64; n + k + 1];
    for &p in explained {
        if let Ok(p) = usize::try_from(p) {
            if p < n {
                edges[p] += 1;
                edges[p + k] -= 1;
            }
        }
    }
    let mut out = Vec::with_capacity(n + 1);
    out.push(0);
    let (mut depth, mut count) = (0i64, 0usize);
    for &edge in &edges[..n] {
        depth += edge;
        count += usize::from(depth > 0);
        out.push(count);
    }
    out
}

/// (window, unit) pairs worth comparing, each once, window-major: a window is paired with
/// the units near each partial match it reaches when their sizes allow the similarity.
fn pairs(
    units: &Units<'_>,
    partials: &[Partial],
    windows: &[(usize, usize, usize)],
) -> Vec<(usize, usize)> {
    // The windows of each size are one run of `windows`, in order of start and of end.
    let mut sizes: Vec<(usize, usize, usize)> = Vec::new();
    for (w, &(_, _, size)) in windows.iter().enumerate() {
        match sizes.last_mut() {
            Some(last) if last.0 == size => last.2 = w + 1,
            _ => sizes.push((size, w, w + 1)),
        }
    }
    let reach = REACH as i64;
    let mut out = Vec::new();
    for partial in partials {
        let Ok(file) = u64::try_from(partial.file) else {
            continue;
        };
        // The windows of each size that reach the partial match: one range each.
        let ranges: Vec<(f64, usize, usize)> = sizes
            .iter()
            .map(|&(size, from, to)| {
                let run = &windows[from..to];
                let first =
                    run.partition_point(|w| w.1 as i64 <= partial.first.saturating_sub(reach));
                let stop =
                    run.partition_point(|w| w.0 as i64 <= partial.last.saturating_add(reach));
                (size as f64, from + first, from + stop.max(first))
            })
            .collect();
        let (first_unit, stop_unit) = (units.file.below(file), units.file.below(file + 1));
        for unit in first_unit..stop_unit {
            let (Some(low), Some(high), Some(tokens)) = (
                units.lines.get(2 * unit),
                units.lines.get(2 * unit + 1),
                units.tokens.get(unit),
            ) else {
                continue;
            };
            let near = i64::from(low) <= partial.last_line.saturating_add(UNIT_REACH_LINES)
                && i64::from(high) >= partial.first_line.saturating_sub(UNIT_REACH_LINES);
            if !near {
                continue;
            }
            let tokens = f64::from(tokens);
            for &(size, first, stop) in &ranges {
                if tokens.min(size) >= tokens.max(size) * (NEAR_JACCARD * SIZE_SLACK) {
                    out.extend((first..stop).map(|w| (w, unit)));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The minimum of every permutation over each block of [`BLOCK`] shingles, and the first
/// shingle that reached it. Windows start on multiples of the block and end on one or at
/// the last shingle, so a window's signature is the minimum over its blocks: each shingle
/// is permuted once, not once per window holding it.
struct Blocks {
    perm: usize,
    minima: Vec<u32>,
    winners: Vec<u32>,
}

impl Blocks {
    fn of(mixed: &[u32], units: &Units<'_>, perm: usize) -> Blocks {
        let count = mixed.len().div_ceil(BLOCK);
        let mut minima = vec![u32::MAX; count * perm];
        let mut winners = vec![0u32; count * perm];
        let (multipliers, addends) = (&units.multipliers[..perm], &units.addends[..perm]);
        for (b, rows) in mixed.chunks(BLOCK).enumerate() {
            let minima = &mut minima[b * perm..(b + 1) * perm];
            let winners = &mut winners[b * perm..(b + 1) * perm];
            winners.fill((b * BLOCK) as u32);
            for (at, &h) in rows.iter().enumerate() {
                let row = (b * BLOCK + at) as u32;
                // Branch-free, so that the permutations are done several at a time.
                for j in 0..perm {
                    let value = multipliers[j].wrapping_mul(h).wrapping_add(addends[j]);
                    let better = value < minima[j];
                    minima[j] = if better { value } else { minima[j] };
                    winners[j] = if better { row } else { winners[j] };
                }
            }
        }
        Blocks {
            perm,
            minima,
            winners,
        }
    }

    /// The signature of shingles `begin..end` (`begin` on a block's start, `end` on one or
    /// at the last shingle).
    fn window(&self, begin: usize, end: usize) -> Signed {
        let perm = self.perm;
        let mut minima = vec![u32::MAX; perm];
        let mut winners = vec![begin; perm];
        let last_block = (self.minima.len() / perm.max(1)).min(end.div_ceil(BLOCK));
        for b in begin / BLOCK..last_block {
            for j in 0..perm {
                let value = self.minima[b * perm + j];
                if value < minima[j] {
                    minima[j] = value;
                    winners[j] = self.winners[b * perm + j] as usize;
                }
            }
        }
        Signed {
            values: minima
                .iter()
                .map(|&v| (v & ((1 << BITS) - 1)) as u8)
                .collect(),
            winners,
        }
    }
}

/// A window's signature and, for each permutation, the shingle that won it.
#[derive(Clone)]
struct Signed {
    values: Vec<u8>,
    winners: Vec<usize>,
}

impl Signed {
    /// First and last shingle that won a permutation on which the unit agrees.
    fn shared_span(&self, unit: &[u8]) -> Option<(usize, usize)> {
        let shared = self
            .values
            .iter()
            .zip(unit)
            .zip(&self.winners)
            .filter(|((a, b), _)| a == b)
            .map(|(_, &w)| w);
        shared.fold(None, |span, w| match span {
            None => Some((w, w)),
            Some((low, high)) => Some((low.min(w), high.max(w))),
        })
    }
}

/// Estimated Jaccard similarity of two b-bit signatures: the share of agreeing values,
/// corrected for chance agreements; 0 when the head already tells they are unrelated.
fn similarity(a: &[u8], b: &[u8]) -> f64 {
    let agree = |len: usize| {
        a[..len]
            .iter()
            .zip(&b[..len])
            .filter(|(x, y)| x == y)
            .count()
    };
    let perm = a.len().min(b.len());
    if perm % 8 == 0 && agree(HEAD_BYTES.min(perm)) < HEAD_AGREE {
        return 0.0;
    }
    let chance = 1.0 / f64::from(1u32 << BITS);
    let raw = agree(perm) as f64 / perm as f64;
    ((raw - chance) / (1.0 - chance)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_overlap_by_half_and_stop_at_the_text() {
        let w = windows(200);
        assert_eq!(w[0], (0, 64, 64));
        assert_eq!(w[1], (32, 96, 64));
        assert!(w.iter().all(|&(b, e, _)| b < e && e <= 200));
        assert!(w.iter().any(|&(_, _, s)| s == 128));
        assert!(!w.iter().any(|&(_, _, s)| s == 256));
        assert_eq!(windows(10), [(0, 10, 64)]);
    }

    #[test]
    fn similarity_is_corrected_for_chance() {
        let a = [7u8; 64];
        assert_eq!(similarity(&a, &a), 1.0);
        let mut b = [9u8; 64];
        assert_eq!(similarity(&a, &b), 0.0);
        b[..40].copy_from_slice(&[7; 40]);
        assert!(
            (similarity(&a, &b) - (40.0 / 64.0 - 1.0 / 256.0) / (1.0 - 1.0 / 256.0)).abs() < 1e-12
        );
    }

    #[test]
    fn covered_prefix_counts_tokens_under_kgrams() {
        assert_eq!(covered_prefix(&[1, 2], 8, 3), [0, 0, 1, 2, 3, 4, 4, 4, 4]);
        assert_eq!(covered_prefix(&[], 3, 3), [0, 0, 0, 0]);
    }
}
