//! Fragments: runs that may be pieces of one copy whose parts were moved apart.
//!
//! A copy whose functions were reordered chains as several *fragments* of one indexed
//! file, each maybe under the threshold. Chaining keeps the weaker chains of runs that
//! could be such fragments (down to a lower floor), for the scan to judge them together.

/// One run as the floors see it.
#[derive(Clone, Copy, Debug)]
pub struct RunSummary {
    /// Its file.
    pub file: i64,
    /// Indexed line of its first hit.
    pub line: i64,
    /// Scanned position of its first hit.
    pub begin: i64,
    /// Scanned position past its last k-gram.
    pub end: i64,
    /// The evidence it can reach (exact for a simple run, a bound for others).
    pub reach: f64,
}

/// The evidence each run's chains need to be kept: `floor`, or `low` for a run that could
/// be a fragment of a copy.
///
/// Such a run could reach `low`, starts from another indexed line than its file's other
/// candidates (the same line again is a repeated paste), has a candidate of its file close
/// enough in the text for the two to be dense, and its file (in `leaking`, sorted) has no
/// run that leaks alone but enough candidates to reach `floor` together.
pub fn run_floors(runs: &[RunSummary], floor: f64, low: f64, leaking: &[i64]) -> Vec<f64> {
    let mut wanted = vec![floor; runs.len()];
    if low >= floor {
        return wanted;
    }
    let mut candidate: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].reach >= low && leaking.binary_search(&runs[i].file).is_err())
        .collect();
    // The strongest run of each (file, line).
    candidate.sort_by(|&a, &b| {
        (runs[a].file, runs[a].line)
            .cmp(&(runs[b].file, runs[b].line))
            .then(runs[b].reach.total_cmp(&runs[a].reach))
    });
    candidate.dedup_by(|b, a| runs[*a].file == runs[*b].file && runs[*a].line == runs[*b].line);
    candidate.sort_by_key(|&i| (runs[i].file, runs[i].begin));
    let close = |a: &RunSummary, b: &RunSummary| {
        a.file == b.file
            && 2 * ((b.end - b.begin) + (a.end - a.begin)) >= b.end.max(a.end) - a.begin
    };
    let paired: Vec<usize> = (0..candidate.len())
        .filter(|&j| {
            let with_previous = j > 0 && close(&runs[candidate[j - 1]], &runs[candidate[j]]);
            let with_next =
                j + 1 < candidate.len() && close(&runs[candidate[j]], &runs[candidate[j + 1]]);
            with_previous || with_next
        })
        .map(|j| candidate[j])
        .collect();
    // Per file, what its candidates reach together.
    let mut totals: Vec<(i64, f64)> = Vec::new();
    for &i in &paired {
        match totals.iter_mut().find(|(file, _)| *file == runs[i].file) {
            Some((_, total)) => *total += runs[i].reach - low,
            None => totals.push((runs[i].file, runs[i].reach - low)),
        }
    }
    for &i in &paired {
        let total = totals
            .iter()
            .find(|(file, _)| *file == runs[i].file)
            .map_or(0.0, |t| t.1);
        if total + low >= floor {
            wanted[i] = low;
        }
    }
    wanted
}
