//! Where a text's comments and strings are, without knowing its language (the scan side).
//!
//! One left-to-right pass recognises the comment and string syntaxes of every supported
//! language at once. At each character that can begin one, the forms are tried in a fixed
//! order of precedence and the first that matches wins; the pass goes on after it. The
//! rules were first a Python regular expression (kept in the tests as the oracle this
//! module must agree with), in this order:
//!
//! 1. prefixed strings, found from their quote with the prefix looked for behind it (one
//!    or two of `rRbBuUfF`, `L` or `u8` before `"`, `b`/`B` before `'`, Rust's `r#"..."#`),
//!    the prefix not preceded by a word character or `$`;
//! 2. comments: `/* ... */` (to the end when unterminated), `// ...`, a `#!` line at the
//!    very start, `# ...` (not `#include`, `#[attr]`, `#{...}`, `#!`, `#(`), `<!-- ... -->`;
//! 3. markdown fences: a line's three or more backticks to its end (hidden);
//! 4. Rust lifetimes: a `'` right after `<` or `&` that starts a name (code, not a string);
//! 5. strings: triple quotes (ending before a markdown fence line too, so each fenced paste
//!    pairs its own), C# verbatim `@"..."` (`""` is a quote) with `$`, double and single
//!    quotes (one line, backslash escapes), backticks (a blank line ends the search).
//!
//! Character classes are those of [`crate::unicode`] (Python's `\w`).

use std::cell::Cell;

use crate::unicode::Classes;

/// What a recognised region is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A comment or a markdown fence: no tokens.
    Hidden,
    /// A string literal: one token.
    String,
    /// A lifetime's quote: stays code.
    Lifetime,
}

/// A region: code point offsets `start..end` (a prefixed string starts at its prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First code point.
    pub start: usize,
    /// Past the last code point.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
}

const PREFIX: &[u8] = b"rRbBuUfF";
const TWO_DQ: &[u8] = b"rRbBfF";
const PREFIX_LETTERS: &[u8] = b"rRbBuUfFL8";

/// A text seen between `begin` and `end`, as the regular expression saw it: nothing past
/// `end` exists (anchors and look-aheads stop there), look-behinds see before `begin`.
struct Text<'a> {
    cps: &'a [u32],
    end: usize,
    /// A prefix letter right before `begin` reads as `_` (it is not this region's).
    hidden_prefix: Option<usize>,
    /// The last failed search for the end of a `"` and of a `'` string, and of a backtick
    /// string: `(from, to)`, where it started and where it gave up (see [`Failed`]).
    failed_quote: [Failed; 2],
    failed_backtick: Failed,
    /// Where the last search for a raw string's closing `"#` found none from: none after.
    failed_raw: Cell<usize>,
}

/// A search for a string's end that failed, remembered so that a text full of opening
/// quotes that never close (a long line of escaped JSON) is read once, not once per quote.
///
/// A search that starts right after an opening quote at `from` and gives up at `to` (a
/// line break, the end, a blank line) also gives up from any later opening quote of the
/// same kind before `to`: that quote was passed over by the first search, so it was
/// escaped (a quote the search reached unescaped would have ended it), and a search
/// starting right after an escape pair walks the same characters as the first one from
/// there, to the same place.
struct Failed(Cell<(usize, usize)>);

impl Failed {
    fn new() -> Self {
        Failed(Cell::new((usize::MAX, 0)))
    }

    /// Whether a search from `start` is known to fail.
    fn covers(&self, start: usize) -> bool {
        let (from, to) = self.0.get();
        from <= start && start <= to
    }

    /// Remember that a search from `start` gave up at `to`; returns None for the caller.
    fn record<T>(&self, start: usize, to: usize) -> Option<T> {
        self.0.set((start, to));
        None
    }
}

impl Text<'_> {
    #[inline]
    fn at(&self, i: usize) -> Option<u32> {
        if i >= self.end {
            return None;
        }
        if Some(i) == self.hidden_prefix {
            return Some(u32::from(b'_'));
        }
        self.cps.get(i).copied()
    }

    #[inline]
    fn is(&self, i: usize, c: u8) -> bool {
        self.at(i) == Some(u32::from(c))
    }

    fn starts_with(&self, i: usize, s: &[u8]) -> bool {
        s.iter().enumerate().all(|(j, &c)| self.is(i + j, c))
    }

    /// Whether the code point before `i` (if any) is in `set` (ASCII letters).
    fn before_in(&self, i: usize, set: &[u8]) -> bool {
        i > 0
            && self
                .at(i - 1)
                .is_some_and(|c| c < 128 && set.contains(&(c as u8)))
    }

    fn word_or_dollar(&self, i: usize) -> bool {
        self.at(i)
            .is_some_and(|c| c == u32::from(b'$') || Classes::of(c).word())
    }

    /// Whether a prefix of `len` letters, each in `set`, stands right before `quote_at`, with
    /// no word character or `$` before it.
    fn prefixed(&self, quote_at: usize, sets: &[&[u8]]) -> bool {
        let len = sets.len();
        if quote_at < len {
            return false;
        }
        let first = quote_at - len;
        let letters_match = sets
            .iter()
            .enumerate()
            .all(|(j, set)| self.before_in(first + j + 1, set));
        letters_match && !(first > 0 && self.word_or_dollar(first - 1))
    }

    fn two_dq_prefix(&self, quote_at: usize) -> bool {
        self.prefixed(quote_at, &[TWO_DQ, TWO_DQ])
            || (quote_at >= 2
                && self.starts_with(quote_at - 2, b"u8")
                && self.prefixed_plain(quote_at, 2))
    }

    /// The no-word-before rule for a prefix of `len` characters already checked.
    fn prefixed_plain(&self, quote_at: usize, len: usize) -> bool {
        let first = quote_at - len;
        !(first > 0 && self.word_or_dollar(first - 1))
    }

    fn line_end(&self, mut i: usize) -> usize {
        while let Some(c) = self.at(i) {
            if c == u32::from(b'\n') {
                break;
            }
            i += 1;
        }
        i
    }

    /// `\n[ \t]*` followed by three backticks, at `i`.
    fn fence_line_at(&self, i: usize) -> bool {
        if !self.is(i, b'\n') {
            return false;
        }
        let mut j = i + 1;
        while self.is(j, b' ') || self.is(j, b'\t') {
            j += 1;
        }
        self.starts_with(j, b"```")
    }

    /// A triple-quoted string's end, from just after its opening quotes: after the closing
    /// ones, before a fence line, or at the end.
    fn triple_end(&self, mut i: usize, quote: u8) -> usize {
        loop {
            match self.at(i) {
                None => return i,
                Some(c)
                    if c == u32::from(quote) && self.is(i + 1, quote) && self.is(i + 2, quote) =>
                {
                    return i + 3
                }
                Some(c) if c == u32::from(b'\n') && self.fence_line_at(i) => return i,
                Some(_) => i += 1,
            }
        }
    }

    /// A one-line quoted string's end (after its closing quote), from just after the
    /// opening one; None when it does not close on its line.
    fn quoted_end(&self, start: usize, quote: u8) -> Option<usize> {
        let failed = &self.failed_quote[usize::from(quote == b'\'')];
        if failed.covers(start) {
            return None;
        }
        let mut i = start;
        loop {
            let Some(c) = self.at(i) else {
                return failed.record(start, i);
            };
            if c == u32::from(quote) {
                return Some(i + 1);
            }
            if c == u32::from(b'\n') {
                return failed.record(start, i);
            }
            if c == u32::from(b'\\') {
                if self.at(i + 1).is_none_or(|next| next == u32::from(b'\n')) {
                    return failed.record(start, i);
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }

    /// A verbatim string's end (`""` is a quote; newlines allowed), from just after its
    /// opening quote: the longest match, as a backtracking engine finds it.
    fn verbatim_end(&self, mut i: usize) -> Option<usize> {
        let mut last_pair = None;
        loop {
            match self.at(i) {
                None => return last_pair.map(|p| p + 1),
                Some(c) if c == u32::from(b'"') => {
                    if self.is(i + 1, b'"') {
                        last_pair = Some(i);
                        i += 2;
                    } else {
                        return Some(i + 1);
                    }
                }
                Some(_) => i += 1,
            }
        }
    }

    /// A backtick string's end (escapes of any character; a newline only when the next
    /// line is not blank), from just after its opening backtick.
    fn backtick_end(&self, start: usize) -> Option<usize> {
        let failed = &self.failed_backtick;
        if failed.covers(start) {
            return None;
        }
        let mut i = start;
        loop {
            let Some(c) = self.at(i) else {
                return failed.record(start, i);
            };
            if c == u32::from(b'`') {
                return Some(i + 1);
            }
            if c == u32::from(b'\\') {
                if self.at(i + 1).is_none() {
                    return failed.record(start, i);
                }
                i += 2;
            } else if c == u32::from(b'\n') {
                let mut j = i + 1;
                while self.is(j, b' ') || self.is(j, b'\t') {
                    j += 1;
                }
                if self.is(j, b'\n') {
                    return failed.record(start, i);
                }
                i += 1;
            } else {
                i += 1;
            }
        }
    }

    fn find(&self, mut i: usize, s: &[u8]) -> Option<usize> {
        while self.at(i).is_some() {
            if self.starts_with(i, s) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The region starting at `i`, if any form matches there.
    fn region_at(&self, i: usize) -> Option<Region> {
        let c = self.at(i)?;
        if c >= 128 {
            return None;
        }
        let string = |start: usize, end: usize| Region {
            start,
            end,
            kind: Kind::String,
        };
        let hidden = |end: usize| Region {
            start: i,
            end,
            kind: Kind::Hidden,
        };
        match c as u8 {
            b'"' => {
                let triple = self.starts_with(i, b"\"\"\"");
                if triple && self.prefixed(i, &[PREFIX, PREFIX]) {
                    return Some(string(i - 2, self.triple_end(i + 3, b'"')));
                }
                if self.two_dq_prefix(i) {
                    if let Some(end) = self.quoted_end(i + 1, b'"') {
                        return Some(string(i - 2, end));
                    }
                }
                if triple && self.prefixed(i, &[PREFIX]) {
                    return Some(string(i - 1, self.triple_end(i + 3, b'"')));
                }
                if self.prefixed(i, &[b"rRbBuUfFL"]) {
                    if let Some(end) = self.quoted_end(i + 1, b'"') {
                        return Some(string(i - 1, end));
                    }
                }
                if triple {
                    return Some(string(i, self.triple_end(i + 3, b'"')));
                }
                self.quoted_end(i + 1, b'"').map(|end| string(i, end))
            }
            b'\'' => {
                let triple = self.starts_with(i, b"'''");
                if triple && self.prefixed(i, &[PREFIX, PREFIX]) {
                    return Some(string(i - 2, self.triple_end(i + 3, b'\'')));
                }
                if triple && self.prefixed(i, &[PREFIX]) {
                    return Some(string(i - 1, self.triple_end(i + 3, b'\'')));
                }
                if self.prefixed(i, &[b"bB"]) {
                    if let Some(end) = self.quoted_end(i + 1, b'\'') {
                        return Some(string(i - 1, end));
                    }
                }
                if self.lifetime_at(i) {
                    return Some(Region {
                        start: i,
                        end: i + 1,
                        kind: Kind::Lifetime,
                    });
                }
                if triple {
                    return Some(string(i, self.triple_end(i + 3, b'\'')));
                }
                self.quoted_end(i + 1, b'\'').map(|end| string(i, end))
            }
            b'#' => {
                if self.prefixed(i, &[b"r"]) {
                    if let Some(end) = self.raw_end(i) {
                        return Some(string(i - 1, end));
                    }
                }
                if i == 0 && self.is(1, b'!') {
                    return Some(hidden(self.line_end(i)));
                }
                let next_code = self.at(i + 1).is_some_and(|n| {
                    n == u32::from(b'[')
                        || n == u32::from(b'!')
                        || n == u32::from(b'{')
                        || n == u32::from(b'(')
                        || Classes::of(n).word()
                });
                (!next_code).then(|| hidden(self.line_end(i)))
            }
            b'/' => {
                if self.is(i + 1, b'*') {
                    let end = self.find(i + 2, b"*/").map_or(self.end, |at| at + 2);
                    return Some(hidden(end));
                }
                self.is(i + 1, b'/').then(|| hidden(self.line_end(i)))
            }
            b'<' => self
                .starts_with(i, b"<!--")
                .then(|| hidden(self.find(i + 4, b"-->").map_or(self.end, |at| at + 3))),
            b'`' => {
                if self.starts_with(i, b"```") {
                    return Some(hidden(self.line_end(i)));
                }
                self.backtick_end(i + 1).map(|end| string(i, end))
            }
            b'@' => {
                if self.starts_with(i, b"@$\"") {
                    return self.verbatim_end(i + 3).map(|end| string(i, end));
                }
                if self.is(i + 1, b'"') {
                    return self.verbatim_end(i + 2).map(|end| string(i, end));
                }
                None
            }
            b'$' => {
                if i > 0 && self.word_or_dollar(i - 1) {
                    return None;
                }
                if self.starts_with(i, b"$@\"") {
                    if let Some(end) = self.verbatim_end(i + 3) {
                        return Some(string(i, end));
                    }
                }
                if self.is(i + 1, b'"') {
                    return self.quoted_end(i + 2, b'"').map(|end| string(i, end));
                }
                None
            }
            _ => None,
        }
    }

    /// `r#...#"...."#...`: from the first `#`: more `#`, a quote, the shortest body, a quote
    /// and one or more `#`.
    fn raw_end(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        while self.is(j, b'#') {
            j += 1;
        }
        if !self.is(j, b'"') || j + 1 >= self.failed_raw.get() {
            return None;
        }
        let Some(close) = self.find(j + 1, b"\"#") else {
            self.failed_raw.set(j + 1); // no `"#` from here on: none from any later start
            return None;
        };
        let mut end = close + 2;
        while self.is(end, b'#') {
            end += 1;
        }
        Some(end)
    }

    /// A lifetime's quote: after `<` or `&`, before a name (not a digit first) that no word
    /// character or quote follows.
    fn lifetime_at(&self, i: usize) -> bool {
        if !(i > 0 && (self.is(i - 1, b'<') || self.is(i - 1, b'&'))) {
            return false;
        }
        let Some(first) = self.at(i + 1) else {
            return false;
        };
        let classes = Classes::of(first);
        if !classes.word() || classes.digit() {
            return false;
        }
        let mut j = i + 2;
        while self.at(j).is_some_and(|c| Classes::of(c).word()) {
            j += 1;
        }
        !self.is(j, b'\'')
    }
}

/// The comments, fences, lifetimes and strings of `cps[begin..end]` (clamped to the text),
/// in order. A prefix letter right before `begin` is not taken for this text's.
pub fn find_regions(cps: &[u32], begin: usize, end: usize) -> Vec<Region> {
    let end = end.min(cps.len());
    let hidden_prefix = (begin > 0 && begin <= end)
        .then(|| begin - 1)
        .filter(|&at| cps[at] < 128 && PREFIX_LETTERS.contains(&(cps[at] as u8)));
    let text = Text {
        cps,
        end,
        hidden_prefix,
        failed_quote: [Failed::new(), Failed::new()],
        failed_backtick: Failed::new(),
        failed_raw: Cell::new(usize::MAX),
    };
    let mut out = Vec::new();
    let mut i = begin;
    while i < end {
        match text.region_at(i) {
            Some(region) => {
                i = region.end.max(i + 1);
                out.push(region);
            }
            None => i += 1,
        }
    }
    out
}
