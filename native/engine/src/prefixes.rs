//! Line prefixes: the line numbers and quote markers `leakguard/decode/prefixes.py` cuts.
//!
//! A prefix at the head of every line (`  42 | ` from an editor, `> ` in a reply, `>>> `
//! in a Python session) breaks every k-gram that crosses a line. This module finds the
//! runs of such lines and returns the prefixes' ranges; the caller deletes them.
//!
//! Lines are those of Python's `str.splitlines`: a line ends after `\n`, `\r\n`, `\r`,
//! `\x0b`, `\x0c`, `\x1c`, `\x1d`, `\x1e`, `\x85`, `U+2028` or `U+2029`. On each line, in
//! the words of the regular expressions the Python side was first written with (kept as
//! the oracle of the differential test, `tests/reference_prefixes.py`):
//!
//! * **a number**, `[ \t]*(\d{1,6})(?:[ \t]*[|:│]|\.(?=[ \t])|(?=[ \t])|$)[ \t]?` at the
//!   line's start, `\d` a decimal digit of any script. A run of at least [`MIN_NUMBERED`]
//!   lines numbered `n`, `n + 1`, ... gives its numbers;
//! * **a quote marker**, `>>> |\.\.\.(?: |$)|(?:>[ \t]?)+` at the line's start. A run of at
//!   least [`MIN_QUOTED`] consecutive quoted lines gives its markers.
//!
//! `$` is the regular expression's: the end of the line, or just before the `\n` ending it.
//! Each line is read once, so the work is linear in the text.

use crate::unicode::decimal;

/// Consecutively numbered lines needed before their numbers count as prefixes.
pub const MIN_NUMBERED: usize = 3;
/// Consecutive quoted lines needed before their markers count as prefixes.
pub const MIN_QUOTED: usize = 2;
/// A line number has at most this many digits.
const MAX_DIGITS: usize = 6;

const NEWLINE: u32 = 0x0A;
const RETURN: u32 = 0x0D;

#[inline]
fn blank(cp: u32) -> bool {
    cp == u32::from(' ') || cp == u32::from('\t')
}

/// Where the line starting at `start` ends, its terminator included (`str.splitlines`).
fn next_line(cps: &[u32], start: usize) -> usize {
    let mut at = start;
    while at < cps.len() {
        match cps[at] {
            RETURN => {
                let after = at + 1;
                return if cps.get(after) == Some(&NEWLINE) {
                    after + 1
                } else {
                    after
                };
            }
            0x0A..=0x0C | 0x1C..=0x1E | 0x85 | 0x2028 | 0x2029 => return at + 1,
            _ => at += 1,
        }
    }
    cps.len()
}

/// One line, `cps[start..end]` with its terminator.
struct Line<'a> {
    cps: &'a [u32],
    start: usize,
    end: usize,
}

impl Line<'_> {
    fn at(&self, i: usize) -> Option<u32> {
        if i < self.end {
            self.cps.get(i).copied()
        } else {
            None
        }
    }

    fn is(&self, i: usize, c: char) -> bool {
        self.at(i) == Some(u32::from(c))
    }

    fn is_blank(&self, i: usize) -> bool {
        self.at(i).is_some_and(blank)
    }

    /// Whether a regular expression's `$` matches at `i`.
    fn at_end(&self, i: usize) -> bool {
        i == self.end || (i + 1 == self.end && self.is(i, '\n'))
    }

    /// The line's number and where its prefix ends, if it starts with one.
    fn number(&self) -> Option<(i64, usize)> {
        let mut at = self.start;
        while self.is_blank(at) {
            at += 1;
        }
        let first = at;
        let mut value: i64 = 0;
        while at - first <= MAX_DIGITS {
            match self.at(at).and_then(decimal) {
                Some(digit) => value = value * 10 + i64::from(digit),
                None => break,
            }
            at += 1;
        }
        if at == first || at - first > MAX_DIGITS {
            return None; // no digit, or more than a line number has (backtracking finds none)
        }
        let mut mark = at;
        while self.is_blank(mark) {
            mark += 1;
        }
        let end = if [u32::from('|'), u32::from(':'), 0x2502]
            .iter()
            .any(|&c| self.at(mark) == Some(c))
        {
            mark + 1
        } else if self.is(at, '.') && self.is_blank(at + 1) {
            at + 1
        } else if self.is_blank(at) || self.at_end(at) {
            at
        } else {
            return None;
        };
        Some((value, if self.is_blank(end) { end + 1 } else { end }))
    }

    /// Where the line's quote marker ends, if it starts with one.
    fn quote(&self) -> Option<usize> {
        let s = self.start;
        if self.is(s, '>') && self.is(s + 1, '>') && self.is(s + 2, '>') && self.is(s + 3, ' ') {
            return Some(s + 4);
        }
        if self.is(s, '.') && self.is(s + 1, '.') && self.is(s + 2, '.') {
            return if self.is(s + 3, ' ') {
                Some(s + 4)
            } else if self.at_end(s + 3) {
                Some(s + 3)
            } else {
                None
            };
        }
        let mut at = s;
        while self.is(at, '>') {
            at += 1;
            if self.is_blank(at) {
                at += 1;
            }
        }
        (at > s).then_some(at)
    }
}

/// A run of prefixed lines being gathered: kept only once it is long enough.
struct Run {
    cuts: Vec<(usize, usize)>,
    min: usize,
}

impl Run {
    fn new(min: usize) -> Run {
        Run {
            cuts: Vec::new(),
            min,
        }
    }

    /// Ends the run, keeping its cuts in `out` when it was long enough.
    fn close(&mut self, out: &mut Vec<(usize, usize)>) {
        if self.cuts.len() >= self.min {
            out.append(&mut self.cuts);
        }
        self.cuts.clear();
    }
}

/// The `[start, end)` ranges of the line numbers and quote markers to delete, sorted.
pub fn prefix_cuts(cps: &[u32]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut numbered = Run::new(MIN_NUMBERED);
    let mut quoted = Run::new(MIN_QUOTED);
    let mut previous: i64 = -2;
    let mut start = 0;
    while start < cps.len() {
        let end = next_line(cps, start);
        let line = Line { cps, start, end };
        let number = line.number();
        match number {
            Some((value, cut)) if value == previous + 1 => numbered.cuts.push((start, cut)),
            _ => {
                numbered.close(&mut out);
                if let Some((_, cut)) = number {
                    numbered.cuts.push((start, cut));
                }
            }
        }
        previous = number.map_or(-1, |(value, _)| value);
        match line.quote() {
            Some(cut) => quoted.cuts.push((start, cut)),
            None => quoted.close(&mut out),
        }
        start = end;
    }
    numbered.close(&mut out);
    quoted.close(&mut out);
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuts(text: &str) -> Vec<(usize, usize)> {
        let cps: Vec<u32> = text.chars().map(u32::from).collect();
        prefix_cuts(&cps)
    }

    #[test]
    fn numbered_runs() {
        assert_eq!(cuts("1 a\n2 b\n3 c\n"), vec![(0, 2), (4, 6), (8, 10)]);
        assert_eq!(
            cuts("  9 | x\n 10 | y\n 11 | z"),
            vec![(0, 6), (8, 14), (16, 22)]
        );
        assert_eq!(cuts("1. a\n2. b\n3. c\n"), vec![(0, 3), (5, 8), (10, 13)]);
        assert!(cuts("1 a\n2 b\n").is_empty()); // too short a run
        assert!(cuts("1 a\n3 b\n4 c\n").is_empty()); // not consecutive
        assert!(cuts("1234567 a\n1234568 b\n1234569 c\n").is_empty()); // seven digits
        assert_eq!(cuts("7\n8\n9"), vec![(0, 1), (2, 3), (4, 5)]); // `$` before "\n"
        assert!(cuts("7\r\n8\r\n9\r\n").is_empty()); // ... but not before "\r\n"
        assert_eq!(cuts("١ a\n٢ b\n٣ c\n"), vec![(0, 2), (4, 6), (8, 10)]); // Arabic-Indic
    }

    #[test]
    fn quoted_runs() {
        assert_eq!(cuts("> a\n> b\nc"), vec![(0, 2), (4, 6)]);
        assert_eq!(cuts(">>> x = 1\n... y\n"), vec![(0, 4), (10, 14)]);
        assert_eq!(cuts(">>> >x\n>\t> y\n"), vec![(0, 4), (7, 11)]);
        assert_eq!(cuts("...\n...\n"), vec![(0, 3), (4, 7)]);
        assert!(cuts("...\n...\r\n").is_empty()); // `$` is not before "\r\n"
        assert!(cuts("...x\n...y\n").is_empty());
        assert!(cuts("> only one\n").is_empty());
    }

    #[test]
    fn every_line_break_of_splitlines() {
        for sep in [
            "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\u{85}", "\u{2028}",
            "\u{2029}",
        ] {
            let text = format!("> a{sep}> b{sep}");
            let second = 3 + sep.chars().count();
            assert_eq!(cuts(&text), vec![(0, 2), (second, second + 2)], "{sep:?}");
        }
    }

    #[test]
    fn empty_and_odd_input() {
        assert!(cuts("").is_empty());
        assert!(prefix_cuts(&[0xD800, u32::MAX, 0x11_0000]).is_empty());
    }
}
