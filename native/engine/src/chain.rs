//! Hits to chains: runs of hits of one file that advance together, and their evidence.
//!
//! A copy of indexed code makes a chain of hits that advance together in the scanned text
//! and in the indexed file. A hit joins an open chain of its file when it is at most `gap`
//! tokens further on and its indexed line moves forward about as far (a little backward
//! motion is allowed for reordered statements); anything else starts a new chain.
//!
//! A chain's *evidence*, in tokens: tokens covered by exact k-grams count in full, the
//! other covered tokens `renamed_weight`, scaled by the chain's variety (distinct
//! fingerprints per position: periodic code matches by repetition, not by copying). A
//! chain touching few distinct indexed lines for the scanned lines it covers, or only
//! one, is scaled down; a match with a small densely indexed file counts in proportion to
//! how much of the file it covers.

use crate::fragments::{run_floors, RunSummary};
use crate::hits::{prefer_exact, without_sparse, Hits};
use crate::runs::{
    components, covered_tokens, distinct_count, find_runs, run_bound, Run, BACKWARD_LINES,
};

/// Chains touching fewer distinct indexed lines than this share of their scanned lines
/// are scaled down.
pub const MIN_LINE_RATIO: f64 = 0.5;
/// A chain whose k-grams all lie on one indexed line counts this share.
pub const ONE_LINE_FACTOR: f64 = 0.5;
/// Share of the threshold a chain needs for near duplicates to be sought around it.
pub const PARTIAL_SHARE: f64 = 0.75;

/// What decides how hits chain and weigh.
#[derive(Clone, Copy, Debug)]
pub struct ChainRules<'a> {
    /// Tokens per k-gram.
    pub k: i64,
    /// Evidence at which a finding counts as a leak.
    pub threshold: f64,
    /// Scanned tokens a chain may skip.
    pub gap: i64,
    /// Weight of a token matched by structure only.
    pub renamed_weight: f64,
    /// Share of a small file a match must cover to count in full.
    pub small_file_coverage: f64,
    /// Token count of each densely indexed file, 0 for the others (empty: none).
    pub small_files: &'a [f64],
    /// Line of every scanned token (never decreasing).
    pub scan_line: &'a [i32],
}

/// A chain of hits of one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chain {
    /// Indexed file.
    pub file: i64,
    /// Distinct scanned positions, ascending.
    pub positions: Vec<i64>,
    /// Distinct scanned positions of exact hits, ascending.
    pub exact_positions: Vec<i64>,
    /// Lowest indexed line.
    pub first_line: i64,
    /// Indexed line of the last hit.
    pub last_line: i64,
    /// Highest indexed end line.
    pub max_line: i64,
    /// Scanned position of the last hit.
    pub last_pos: i64,
    /// Number of hits.
    pub hits: i64,
    source_lines: Vec<i64>,
    keys: Vec<i64>,
    scan_lines: Vec<i32>,
    /// Line-coverage factor.
    pub factor: f64,
    /// Distinct fingerprints per position, at most 1.
    pub variety: f64,
    /// Tokens covered.
    pub matched: i64,
    /// Tokens covered by exact k-grams.
    pub exact: i64,
    /// Evidence, in tokens.
    pub evidence: f64,
    /// Tokens to cover for full weight (small files), else 0.
    pub needed: f64,
}

/// A chain with `PARTIAL_SHARE` of what a leak needs, where near duplicates are sought:
/// (first and last scanned position, file, first and last indexed line).
pub type Partial = (i64, i64, i64, i64, i64);

/// What chaining the hits of one token stream found.
#[derive(Clone, Debug, Default)]
pub struct Chaining {
    /// The chains that reached their floor, in the order they were found.
    pub chains: Vec<Chain>,
    /// Evidence of the strongest chain, built or not.
    pub strongest: f64,
    /// Scanned position of every hit chained (sorted, distinct).
    pub positions: Vec<i64>,
    /// Where an edited copy may hide, sorted.
    pub partial: Vec<Partial>,
}

fn permuted(hits: &Hits, order: &[usize]) -> Hits {
    Hits {
        pos: order.iter().map(|&i| hits.pos[i]).collect(),
        file: order.iter().map(|&i| hits.file[i]).collect(),
        line: order.iter().map(|&i| hits.line[i]).collect(),
        end_line: order.iter().map(|&i| hits.end_line[i]).collect(),
        exact: order.iter().map(|&i| hits.exact[i]).collect(),
        key: order.iter().map(|&i| hits.key[i]).collect(),
    }
}

/// Group hits into chains and keep those whose evidence reaches `floor` (or, for runs
/// that could be fragments of one copy, `fragment_floor`).
pub fn chain_hits(
    hits: Hits,
    rules: &ChainRules<'_>,
    floor: f64,
    fragment_floor: Option<f64>,
) -> Chaining {
    let low = fragment_floor.map_or(floor, |f| floor.min(f));
    if hits.is_empty() {
        return Chaining::default();
    }
    let half = rules.threshold * PARTIAL_SHARE;
    let mut hits = prefer_exact(hits);
    if rules.threshold > rules.k as f64 {
        hits = without_sparse(hits, rules.gap);
        if hits.is_empty() {
            return Chaining::default();
        }
    }
    let group = components(&hits, rules.gap);
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| (group[i], hits.pos[i], hits.line[i]));
    let group: Vec<i64> = order.iter().map(|&i| group[i]).collect();
    let hits = permuted(&hits, &order);
    let runs = find_runs(&hits, &group, rules.gap);
    // A simple run is one chain, built and measured; any other run gets a bound.
    let mut simple_chain: Vec<Option<Chain>> = Vec::with_capacity(runs.len());
    let mut reach: Vec<f64> = Vec::with_capacity(runs.len());
    for &run in &runs {
        if run.simple {
            let mut chains = greedy_chains(&hits, &group, run, rules);
            let chain = chains.pop().unwrap_or_default();
            reach.push(chain.evidence);
            simple_chain.push(Some(chain));
        } else {
            let (bound, matched) = run_bound(&hits, run, rules.k, rules.renamed_weight);
            let scale = small_file_scale(rules, hits.file[run.first], matched);
            reach.push(if scale < 1.0 { bound * scale } else { bound });
            simple_chain.push(None);
        }
    }
    let mut leaking: Vec<i64> = (0..runs.len())
        .filter(|&i| runs[i].simple && reach[i] >= floor)
        .map(|i| hits.file[runs[i].first])
        .collect();
    leaking.sort_unstable();
    leaking.dedup();
    let summaries: Vec<RunSummary> = runs
        .iter()
        .zip(&reach)
        .map(|(run, &reach)| RunSummary {
            file: hits.file[run.first],
            line: hits.line[run.first],
            begin: hits.pos[run.first],
            end: hits.pos[run.stop - 1] + rules.k,
            reach,
        })
        .collect();
    let mut wanted = run_floors(&summaries, floor, low, &leaking);
    for i in 0..runs.len() {
        if !runs[i].simple && reach[i] >= floor {
            wanted[i] = low; // a run chained anyway keeps its weaker chains: fragments
        }
    }
    let mut strongest = (0..runs.len())
        .filter(|&i| runs[i].simple)
        .map(|i| reach[i])
        .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))));
    let mut out = Chaining::default();
    for i in 0..runs.len() {
        if runs[i].simple && reach[i] >= wanted[i] {
            if let Some(chain) = simple_chain[i].take() {
                out.chains.push(chain);
            }
        }
    }
    // Other runs go through the per-hit rule, highest bound first, while they could reach
    // their floor or beat the strongest chain so far; one left unchained that could hold
    // a partial match is kept as one.
    let mut unchained: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].simple && reach[i] >= half)
        .collect();
    let last_use = low.min(half);
    let mut others: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].simple).collect();
    others.sort_by(|&a, &b| reach[b].total_cmp(&reach[a]));
    for i in others {
        let best = strongest.unwrap_or(0.0);
        if reach[i] < last_use && reach[i] <= best {
            break;
        }
        if reach[i] < wanted[i] && reach[i] <= best {
            if reach[i] >= half {
                unchained.push(i);
            }
            continue;
        }
        for chain in greedy_chains(&hits, &group, runs[i], rules) {
            strongest = Some(strongest.map_or(chain.evidence, |s: f64| s.max(chain.evidence)));
            if chain.evidence >= half {
                let ends = (
                    chain.positions[0],
                    chain.positions[chain.positions.len() - 1],
                );
                out.partial
                    .push((ends.0, ends.1, chain.file, chain.first_line, chain.max_line));
            }
            if chain.evidence >= wanted[i] {
                out.chains.push(chain);
            }
        }
    }
    for i in unchained {
        let Run { first, stop, .. } = runs[i];
        let first_line = hits.line[first..stop].iter().copied().min().unwrap_or(0);
        let last_line = hits.end_line[first..stop]
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        out.partial.push((
            hits.pos[first],
            hits.pos[stop - 1],
            hits.file[first],
            first_line,
            last_line,
        ));
    }
    out.partial.sort_unstable();
    out.strongest = strongest.unwrap_or(0.0);
    let mut positions = hits.pos.clone();
    positions.sort_unstable();
    positions.dedup();
    out.positions = positions;
    out
}

fn small_file_scale(rules: &ChainRules<'_>, file: i64, matched: i64) -> f64 {
    let needed = needed_tokens(rules, file);
    if needed > 0.0 {
        (matched as f64 / needed).min(1.0)
    } else {
        1.0
    }
}

fn needed_tokens(rules: &ChainRules<'_>, file: i64) -> f64 {
    usize::try_from(file)
        .ok()
        .and_then(|f| rules.small_files.get(f))
        .map_or(0.0, |&tokens| tokens * rules.small_file_coverage)
}

/// Chain the hits of one run one by one: each joins the open chain it continues best
/// (nearest in indexed lines), or opens a new one. Chains come back measured.
fn greedy_chains(hits: &Hits, group: &[i64], run: Run, rules: &ChainRules<'_>) -> Vec<Chain> {
    let mut chains: Vec<Chain> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut current = None;
    for (j, &g) in group.iter().enumerate().take(run.stop).skip(run.first) {
        let (p, ln, eln) = (hits.pos[j], hits.line[j], hits.end_line[j]);
        if current != Some(g) {
            open.clear();
            current = Some(g);
        }
        let mut best: Option<usize> = None;
        for &c in &open {
            let chain = &chains[c];
            let step = p - chain.last_pos;
            if step > rules.gap {
                continue;
            }
            let in_step = chain.last_line - BACKWARD_LINES <= ln && ln <= chain.max_line + 2 + step;
            let nearer = best
                .is_none_or(|b| (ln - chain.last_line).abs() < (ln - chains[b].last_line).abs());
            if in_step && nearer {
                best = Some(c);
            }
        }
        let c = match best {
            Some(c) => {
                if chains[c].positions.last() != Some(&p) {
                    chains[c].positions.push(p);
                }
                c
            }
            None => {
                chains.push(Chain {
                    file: hits.file[j],
                    positions: vec![p],
                    first_line: ln,
                    last_line: ln,
                    max_line: eln,
                    last_pos: p,
                    ..Chain::default()
                });
                let c = chains.len() - 1;
                open.retain(|&o| p - chains[o].last_pos <= rules.gap);
                open.push(c);
                c
            }
        };
        let chain = &mut chains[c];
        if hits.exact[j] && chain.exact_positions.last() != Some(&p) {
            chain.exact_positions.push(p);
        }
        chain.source_lines.push(ln);
        chain.keys.push(hits.key[j]);
        chain.hits += 1;
        let scan_line = usize::try_from(p)
            .ok()
            .and_then(|at| rules.scan_line.get(at))
            .copied()
            .unwrap_or(0);
        chain.scan_lines.push(scan_line);
        chain.first_line = chain.first_line.min(ln);
        chain.last_line = ln;
        chain.max_line = chain.max_line.max(eln);
        chain.last_pos = p;
    }
    for chain in &mut chains {
        measure(chain, rules);
    }
    chains
}

/// Fill in a built chain's token counts, factors and evidence.
fn measure(chain: &mut Chain, rules: &ChainRules<'_>) {
    chain.needed = needed_tokens(rules, chain.file);
    chain.matched = covered_tokens(&chain.positions, rules.k);
    chain.exact = covered_tokens(&chain.exact_positions, rules.k);
    let source_lines = distinct_count(chain.source_lines.iter().copied());
    let scan_lines = distinct_count(chain.scan_lines.iter().copied());
    let keys = distinct_count(chain.keys.iter().copied());
    let ratio = source_lines as f64 / scan_lines.max(1) as f64;
    chain.factor = (ratio / MIN_LINE_RATIO).min(1.0);
    if chain.max_line == chain.first_line {
        chain.factor *= ONE_LINE_FACTOR;
    }
    chain.variety = (keys as f64 / chain.positions.len().max(1) as f64).min(1.0);
    chain.evidence = evidence(chain, rules.renamed_weight);
}

/// A chain's evidence from its counts and factors (also after its counts are scaled).
pub fn evidence(chain: &Chain, renamed_weight: f64) -> f64 {
    let renamed =
        ((chain.matched - chain.exact.min(chain.matched)) as f64 * chain.variety).trunc() as i64;
    let value = (chain.exact as f64 + renamed_weight * renamed as f64) * chain.factor;
    if chain.needed > 0.0 {
        value * (chain.matched as f64 / chain.needed).min(1.0)
    } else {
        value
    }
}
