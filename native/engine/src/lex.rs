//! A text to its token stream: regions applied, code cut, drop rules, line numbers.
//!
//! The caller says which spans are comments or markdown fences (*hidden*: no tokens come
//! from them) and which are string literals (one `STR` token each): the scan side finds
//! them with its language-blind rules, the index side with tree-sitter. The rest is cut
//! by [`crate::code::cut`], and both sides then apply the same drop rules:
//!
//! * `;` is dropped (optional in several languages, added or removed by formatters);
//! * a `,` right before a closing bracket is dropped (formatters add trailing commas);
//! * a string alone on its line(s) is dropped (a docstring, recognised without knowing
//!   the language).

use crate::alphabet::{Alphabet, LITERAL};
use crate::code::{code_segments, cut, Kind};
use crate::spelling::spelling_hash;

/// Where a text's comments and strings are, in code point offsets (end exclusive).
#[derive(Clone, Debug, Default)]
pub struct Regions {
    /// Comments, fences: no tokens.
    pub hidden: Vec<(usize, usize)>,
    /// String literals: one `STR` token each.
    pub strings: Vec<(usize, usize)>,
    /// Offsets no token runs across (the borders of free-text regions).
    pub breaks: Vec<usize>,
}

/// Tokens of one text as parallel arrays.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenStream {
    /// Symbol of each token (names and literals abstracted to their class).
    pub abstract_values: Vec<u64>,
    /// Like `abstract_values`, with names and literals carrying their spelling's value.
    pub concrete_values: Vec<u64>,
    /// Code point offset where each token starts.
    pub start: Vec<i64>,
    /// Code point offset just past each token.
    pub end: Vec<i64>,
    /// 1-based line of each token's first character.
    pub line: Vec<i32>,
    /// 1-based line of each token's last character.
    pub end_line: Vec<i32>,
}

impl TokenStream {
    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.abstract_values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.abstract_values.is_empty()
    }
}

const SEMICOLON: u32 = ';' as u32;
const NEWLINE: u32 = '\n' as u32;

/// The token stream of `cps` (a text's code points) with its `regions` applied.
/// Offsets past the text are clamped to it.
///
/// One pass cuts the code, merges the strings in (by start: a code token stays before a
/// string that starts where it does) and drops `;` and trailing commas, writing the
/// arrays directly; a second gives line numbers; lone strings are then removed in place.
pub fn lex(alphabet: &Alphabet, cps: &[u32], regions: &Regions) -> TokenStream {
    let n = cps.len();
    let mut breaks: Vec<usize> = regions.breaks.clone();
    breaks.sort_unstable();
    let excluded: Vec<(usize, usize)> = regions
        .hidden
        .iter()
        .chain(&regions.strings)
        .copied()
        .collect();
    let segments = code_segments(n, &excluded, &breaks);
    let mut strings: Vec<(usize, usize)> = regions
        .strings
        .iter()
        .map(|&(start, end)| {
            // Spans are clamped to the text (a span ending before it starts is empty).
            let start = start.min(n);
            (start, end.clamp(start, n))
        })
        .collect();
    // Stable: spans that start together keep their order.
    strings.sort_by_key(|span| span.0);
    let mut out = TokenStream::with_capacity(n / 4 + strings.len());
    let mut pending = strings.iter().copied().peekable();
    // The last punctuation character outside ASCII and its value: text of replacement
    // characters (or of one script's marks) repeats one, whose value is a hash to compute.
    let mut last_mark = (u32::MAX, 0u64);
    cut(cps, &segments, |t| {
        if t.kind == Kind::Punct && t.first == SEMICOLON {
            return;
        }
        while let Some((start, end)) = pending.next_if(|s| s.0 < t.start) {
            out.push_string(alphabet, cps, start, end);
        }
        let (abstract_value, concrete_value) = match t.kind {
            Kind::Punct => {
                if t.first >= 128 && last_mark.0 != t.first {
                    last_mark = (t.first, alphabet.punctuation(t.first));
                }
                let value = match t.first {
                    0..128 => alphabet.punctuation(t.first),
                    _ => last_mark.1,
                };
                (value, value)
            }
            Kind::Number => (alphabet.number, alphabet.name(t.hash ^ LITERAL)),
            Kind::Word => match alphabet.keyword(t.hash) {
                Some(symbol) => (symbol, symbol),
                None => (alphabet.id, alphabet.name(t.hash)),
            },
        };
        // A `,` right before a closing bracket is dropped (no string is a closer).
        if alphabet.closers.contains(&abstract_value)
            && out.abstract_values.last() == Some(&alphabet.comma)
        {
            out.pop();
        }
        out.push(t.start, t.end, abstract_value, concrete_value);
    });
    for (start, end) in pending {
        out.push_string(alphabet, cps, start, end);
    }
    out.number_lines(cps);
    out.drop_lone_strings(alphabet);
    out
}

impl TokenStream {
    fn with_capacity(capacity: usize) -> TokenStream {
        TokenStream {
            abstract_values: Vec::with_capacity(capacity),
            concrete_values: Vec::with_capacity(capacity),
            start: Vec::with_capacity(capacity),
            end: Vec::with_capacity(capacity),
            line: Vec::new(),
            end_line: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, start: usize, end: usize, abstract_value: u64, concrete_value: u64) {
        self.abstract_values.push(abstract_value);
        self.concrete_values.push(concrete_value);
        // Offsets of a text held in memory fit in i64.
        self.start.push(start as i64);
        self.end.push(end as i64);
    }

    /// A string literal's token (`start..end` already clamped to the text): the value of
    /// an empty span is that of its first character, as a span of one.
    fn push_string(&mut self, alphabet: &Alphabet, cps: &[u32], start: usize, end: usize) {
        let stop = (start + 1).max(end).min(cps.len());
        let first = start.min(stop);
        let value = alphabet.name(spelling_hash(&cps[first..stop]) ^ LITERAL);
        self.push(start, end, alphabet.string, value);
    }

    /// The line of each token's first and last character.
    fn number_lines(&mut self, cps: &[u32]) {
        let mut lines = Lines {
            cps,
            at: 0,
            line: 1,
        };
        self.line = Vec::with_capacity(self.len());
        self.end_line = Vec::with_capacity(self.len());
        for (&start, &end) in self.start.iter().zip(&self.end) {
            let (start, end) = (start as usize, end as usize);
            self.line.push(lines.of(start));
            self.end_line
                .push(lines.of(end.saturating_sub(1).max(start)));
        }
    }

    fn pop(&mut self) {
        self.abstract_values.pop();
        self.concrete_values.pop();
        self.start.pop();
        self.end.pop();
    }

    /// Drops a string alone on its lines: the token before it ends on an earlier line and
    /// the one after it starts on a later one (all decided before any is dropped).
    fn drop_lone_strings(&mut self, alphabet: &Alphabet) {
        let (line, end_line, values) = (&self.line, &self.end_line, &self.abstract_values);
        let n = values.len();
        let lone = |i: usize| {
            values[i] == alphabet.string
                && (i == 0 || end_line[i - 1] < line[i])
                && (i + 1 == n || line[i + 1] > end_line[i])
        };
        let strings: Vec<usize> = (0..n).filter(|&i| lone(i)).collect();
        self.compact(&strings);
    }

    /// Removes the tokens at `dropped` (ascending positions).
    fn compact(&mut self, dropped: &[usize]) {
        if dropped.is_empty() {
            return;
        }
        retain_except(&mut self.abstract_values, dropped);
        retain_except(&mut self.concrete_values, dropped);
        retain_except(&mut self.start, dropped);
        retain_except(&mut self.end, dropped);
        retain_except(&mut self.line, dropped);
        retain_except(&mut self.end_line, dropped);
    }
}

/// Removes the elements at `dropped` (ascending positions) from `values`, in place: the
/// runs between them move down in one copy each.
fn retain_except<T: Copy>(values: &mut Vec<T>, dropped: &[usize]) {
    let mut kept = dropped.first().copied().unwrap_or(values.len());
    for (at, &gone) in dropped.iter().enumerate() {
        let next = dropped.get(at + 1).copied().unwrap_or(values.len());
        values.copy_within(gone + 1..next, kept);
        kept += next - gone - 1;
    }
    values.truncate(kept);
}

/// 1-based line numbers of offsets, counted from a cursor that moves to each query:
/// queries in increasing order (as tokens come) cost one pass over the text in all.
struct Lines<'a> {
    cps: &'a [u32],
    at: usize,
    line: i32,
}

impl Lines<'_> {
    #[inline]
    fn of(&mut self, offset: usize) -> i32 {
        let offset = offset.min(self.cps.len());
        if offset >= self.at {
            self.line += count_newlines(&self.cps[self.at..offset]);
        } else {
            self.line -= count_newlines(&self.cps[offset..self.at]);
        }
        self.at = offset;
        self.line
    }
}

#[inline]
fn count_newlines(cps: &[u32]) -> i32 {
    // A text's lines fit in i32 (the index stores them so).
    cps.iter().filter(|&&cp| cp == NEWLINE).count() as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spelling::code_points;

    fn alphabet() -> Alphabet {
        Alphabet::new(0, &[("return".to_string(), "return".to_string())])
    }

    fn lexed(text: &str, regions: &Regions) -> TokenStream {
        lex(&alphabet(), &code_points(text), regions)
    }

    #[test]
    fn semicolons_and_trailing_commas_drop() {
        let a = alphabet();
        let tokens = lexed("f(a, b,);", &Regions::default());
        let values: Vec<u64> = tokens.abstract_values.clone();
        assert_eq!(
            values,
            [
                a.id,
                a.punctuation(40),
                a.id,
                a.comma,
                a.id,
                a.punctuation(41)
            ]
        );
    }

    #[test]
    fn strings_become_one_token_and_lone_ones_drop() {
        let a = alphabet();
        let text = "x = 'ab'\n'doc'\ny";
        let regions = Regions {
            strings: vec![(4, 8), (9, 14)],
            ..Regions::default()
        };
        let tokens = lexed(text, &regions);
        assert_eq!(
            tokens.abstract_values,
            [a.id, a.punctuation(61), a.string, a.id]
        );
        assert_eq!(tokens.line, [1, 1, 1, 3]);
        assert_eq!(tokens.start, [0, 2, 4, 15]);
    }

    #[test]
    fn hidden_regions_give_no_tokens() {
        let regions = Regions {
            hidden: vec![(2, 12)],
            ..Regions::default()
        };
        let tokens = lexed("a // comment\nb", &regions);
        assert_eq!(tokens.start, [0, 13]);
        assert_eq!(tokens.end_line, [1, 2]);
    }

    #[test]
    fn keywords_stand_for_themselves_names_differ_concretely() {
        let a = alphabet();
        let tokens = lexed("return x y", &Regions::default());
        assert_eq!(tokens.abstract_values[0], tokens.concrete_values[0]);
        assert_eq!(tokens.abstract_values[1..], [a.id, a.id]);
        assert_ne!(tokens.concrete_values[1], tokens.concrete_values[2]);
    }

    #[test]
    fn offsets_past_the_text_are_clamped() {
        let regions = Regions {
            hidden: vec![(1, 99)],
            strings: vec![(50, 60), (1, 0)],
            breaks: vec![70],
        };
        let tokens = lexed("ab", &regions);
        assert_eq!(tokens.start, [0, 1, 2]);
        assert_eq!(tokens.end, [1, 1, 2]);
    }
}
