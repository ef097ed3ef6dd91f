//! Hits cut into independent runs that no chain can cross.
//!
//! Chains grow hit by hit ([`crate::chain`]), and text that shares common structure with
//! a large index makes thousands of chance hits. This module cuts them into *runs* no
//! chain crosses, tells the runs that are one chain by construction (*simple* runs: every
//! copy pasted in one piece is one) and bounds the evidence any chain of a run can reach,
//! so that runs that cannot matter are never chained.

use crate::hits::Hits;

/// A hit may join a chain whose last indexed line is at most this many lines further on
/// (reordered statements).
pub const BACKWARD_LINES: i64 = 6;

/// Split each file's hits into groups no chain can cross, as a group id per hit.
///
/// Two hits more than `gap` scanned tokens apart with none between cannot share a chain;
/// nor can hits whose indexed lines are far apart (a hit joins a chain only within
/// `[last line - BACKWARD_LINES, highest end line + 2 + gap]`). Cutting along both, twice,
/// turns chance hits scattered over a large file into small groups.
pub fn components(hits: &Hits, gap: i64) -> Vec<i64> {
    if hits.is_empty() {
        return Vec::new();
    }
    let mut group = split_positions(&hits.file, &hits.pos, gap);
    for _ in 0..2 {
        let by_lines = split_lines(&group, &hits.line, &hits.end_line, gap);
        // Ids are numbered in the order of the old ones: a split that splits nothing
        // returns the same ids, a fixed point.
        if by_lines.iter().max() == group.iter().max() {
            break;
        }
        group = split_positions(&by_lines, &hits.pos, gap);
    }
    group
}

fn numbered(order: &[usize], starts: impl Fn(usize, usize) -> bool, n: usize) -> Vec<i64> {
    let mut out = vec![0i64; n];
    let mut id = -1i64;
    for (j, &i) in order.iter().enumerate() {
        if j == 0 || starts(order[j - 1], i) {
            id += 1;
        }
        out[i] = id;
    }
    out
}

fn split_positions(group: &[i64], pos: &[i64], gap: i64) -> Vec<i64> {
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| (group[i], pos[i]));
    numbered(
        &order,
        |a, b| group[a] != group[b] || pos[b] - pos[a] > gap,
        group.len(),
    )
}

fn split_lines(group: &[i64], line: &[i64], end_line: &[i64], gap: i64) -> Vec<i64> {
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| (group[i], line[i]));
    let mut out = vec![0i64; group.len()];
    let (mut id, mut reach) = (-1i64, i64::MIN);
    for (j, &i) in order.iter().enumerate() {
        let low = line[i] - BACKWARD_LINES;
        if j == 0 || group[order[j - 1]] != group[i] || low > reach {
            id += 1;
            reach = i64::MIN;
        }
        reach = reach.max(end_line[i] + 2 + gap);
        out[i] = id;
    }
    out
}

/// A run: the rows `first..stop` of hits sorted by (group, position, line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// Its first row.
    pub first: usize,
    /// The row after its last.
    pub stop: usize,
    /// Whether every hit joins the chain of the hits before it: the run is one chain.
    pub simple: bool,
}

/// Split hits sorted by (group, position, line) into independent runs.
pub fn find_runs(hits: &Hits, group: &[i64], gap: i64) -> Vec<Run> {
    let n = hits.len();
    let mut runs: Vec<Run> = Vec::new();
    let mut reach = i64::MIN;
    for j in 0..n {
        let starts = j == 0 || group[j] != group[j - 1] || hits.pos[j] - hits.pos[j - 1] > gap;
        if starts {
            if let Some(last) = runs.last_mut() {
                last.stop = j;
            }
            runs.push(Run {
                first: j,
                stop: n,
                simple: true,
            });
            reach = hits.end_line[j];
            continue;
        }
        let step = hits.pos[j] - hits.pos[j - 1];
        let joins =
            hits.line[j] >= hits.line[j - 1] - BACKWARD_LINES && hits.line[j] <= reach + 2 + step;
        if !joins {
            if let Some(last) = runs.last_mut() {
                last.simple = false;
            }
        }
        reach = reach.max(hits.end_line[j]);
    }
    runs
}

/// Tokens covered by k-grams starting at `positions` (sorted; repeats count once).
pub fn covered_tokens(positions: &[i64], k: i64) -> i64 {
    let mut total = 0;
    let mut previous: Option<i64> = None;
    for &p in positions {
        match previous {
            Some(q) if q == p => continue,
            Some(q) => total += (p - q).min(k),
            None => {}
        }
        previous = Some(p);
    }
    if previous.is_some() {
        total += k;
    }
    total
}

/// Distinct values of a list.
pub fn distinct_count<T: Ord + Copy>(values: impl Iterator<Item = T>) -> usize {
    let mut all: Vec<T> = values.collect();
    all.sort_unstable();
    all.dedup();
    all.len()
}

/// An upper bound on the evidence of any chain built from a run's hits (before the small
/// file scale): its covered tokens, exact ones in full and the others at `renamed_weight`,
/// and at most `k` renamed tokens per distinct fingerprint (variety scales them).
pub fn run_bound(hits: &Hits, run: Run, k: i64, renamed_weight: f64) -> (f64, i64) {
    let rows = run.first..run.stop;
    let matched = covered_tokens(&hits.pos[rows.clone()], k);
    let exact_positions: Vec<i64> = rows
        .clone()
        .filter(|&i| hits.exact[i])
        .map(|i| hits.pos[i])
        .collect();
    let exact = covered_tokens(&exact_positions, k).min(matched);
    let keys = distinct_count(rows.map(|i| hits.key[i])) as i64;
    let renamed = (matched - exact).min(k * keys);
    (exact as f64 + renamed_weight * renamed as f64, matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_tokens_counts_the_union_of_k_grams() {
        assert_eq!(covered_tokens(&[], 12), 0);
        assert_eq!(covered_tokens(&[0, 1, 1, 2], 12), 14);
        assert_eq!(covered_tokens(&[0, 100], 12), 24);
    }

    #[test]
    fn far_hits_are_separate_runs() {
        let hits = Hits {
            pos: vec![0, 1, 50],
            file: vec![0, 0, 0],
            line: vec![1, 2, 3],
            end_line: vec![1, 2, 3],
            exact: vec![true; 3],
            key: vec![1, 2, 3],
        };
        let group = components(&hits, 10);
        assert_eq!(group, [0, 0, 1]);
        let runs = find_runs(&hits, &group, 10);
        assert_eq!(
            runs,
            [
                Run {
                    first: 0,
                    stop: 2,
                    simple: true
                },
                Run {
                    first: 2,
                    stop: 3,
                    simple: true
                }
            ]
        );
    }
}
