//! A text rewritten piece by piece, with a map back to the original.
//!
//! The string-escape and HTML-reference decoders ([`crate::escapes`], [`crate::entities`])
//! read a text left to right; at each occurrence of their trigger character (`\`, `&`) they
//! may decode what starts there into other characters. [`rewrite`] runs that loop once for
//! both: each character of the output maps back to a range of the original, a kept one to
//! itself (`i..i + 1`), a decoded one to the whole stretch it came from.

/// Rewritten code points and each one's original range `starts[i]..ends[i]`.
pub type Rewritten = (Vec<u32>, Vec<i64>, Vec<i64>);

/// `cps` with every piece `decode` rewrites replaced, or `None` when it rewrites none.
///
/// At each `trigger`, `decode(cps, at, out)` either appends what the piece starting at
/// `at` becomes (possibly nothing) and returns its length in `cps` (at least 1), or
/// appends nothing and returns `None`: the trigger is then kept as it is.
pub fn rewrite(
    cps: &[u32],
    trigger: u32,
    mut decode: impl FnMut(&[u32], usize, &mut Vec<u32>) -> Option<usize>,
) -> Option<Rewritten> {
    let mut out: Vec<u32> = Vec::with_capacity(cps.len());
    let mut starts: Vec<i64> = Vec::with_capacity(cps.len());
    let mut ends: Vec<i64> = Vec::with_capacity(cps.len());
    let mut changed = false;
    let mut at = 0;
    while at < cps.len() {
        // Offsets of a text held in memory fit in i64.
        let here = at as i64;
        if cps[at] == trigger {
            if let Some(length) = decode(cps, at, &mut out) {
                let length = length.max(1);
                changed = true;
                starts.resize(out.len(), here);
                ends.resize(out.len(), here + length as i64);
                at += length;
                continue;
            }
        }
        out.push(cps[at]);
        starts.push(here);
        ends.push(here + 1);
        at += 1;
    }
    changed.then_some((out, starts, ends))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_map_to_what_they_replaced() {
        // "%x" becomes "XX", "%-" nothing, a lone "%" stays.
        let cps: Vec<u32> = "a%xb%-%".chars().map(u32::from).collect();
        let found = rewrite(&cps, u32::from('%'), |cps, at, out| match cps.get(at + 1) {
            Some(&c) if c == u32::from('x') => {
                out.extend([u32::from('X'); 2]);
                Some(2)
            }
            Some(&c) if c == u32::from('-') => Some(2),
            _ => None,
        });
        let (out, starts, ends) = found.unwrap();
        let text: String = out.iter().filter_map(|&c| char::from_u32(c)).collect();
        assert_eq!(text, "aXXb%");
        assert_eq!(starts, vec![0, 1, 1, 3, 6]);
        assert_eq!(ends, vec![1, 3, 3, 4, 7]);
        assert_eq!(rewrite(&cps, u32::from('#'), |_, _, _| Some(1)), None);
    }
}
