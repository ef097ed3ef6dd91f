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
use crate::code::{cut, Kind};
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

struct Token {
    start: usize,
    end: usize,
    abstract_value: u64,
    concrete_value: u64,
}

const SEMICOLON: u32 = ';' as u32;
const NEWLINE: u32 = '\n' as u32;

/// The token stream of `cps` (a text's code points) with its `regions` applied.
/// Offsets past the text are clamped to it.
pub fn lex(alphabet: &Alphabet, cps: &[u32], regions: &Regions) -> TokenStream {
    let n = cps.len();
    let mut in_code = vec![true; n];
    for &(start, end) in regions.hidden.iter().chain(&regions.strings) {
        let end = end.min(n);
        if start < end {
            in_code[start..end].fill(false);
        }
    }
    let mut breaks: Vec<usize> = regions
        .breaks
        .iter()
        .copied()
        .filter(|&at| at < n)
        .collect();
    breaks.sort_unstable();
    let mut tokens: Vec<Token> = cut(cps, &in_code, &breaks)
        .into_iter()
        .filter(|t| !(t.kind == Kind::Punct && t.first == SEMICOLON))
        .map(|t| {
            let (abstract_value, concrete_value) = match t.kind {
                Kind::Punct => {
                    let value = alphabet.punctuation(t.first);
                    (value, value)
                }
                Kind::Number => (alphabet.number, alphabet.name(t.hash ^ LITERAL)),
                Kind::Word => match alphabet.keyword(t.hash) {
                    Some(symbol) => (symbol, symbol),
                    None => (alphabet.id, alphabet.name(t.hash)),
                },
            };
            Token {
                start: t.start,
                end: t.end,
                abstract_value,
                concrete_value,
            }
        })
        .collect();
    if !regions.strings.is_empty() {
        let mut spans = regions.strings.clone();
        // Stable: spans that start together keep their order (as the tokens do below).
        spans.sort_by_key(|span| span.0.min(n));
        let strings = spans.iter().map(|&(start, end)| {
            // Spans are clamped to the text (a span ending before it starts is empty); the
            // value of an empty span is that of its first character, as a span of one.
            let start = start.min(n);
            let end = end.clamp(start, n);
            let stop = (start + 1).max(end).min(n);
            let first = start.min(stop);
            Token {
                start,
                end,
                abstract_value: alphabet.string,
                concrete_value: alphabet.name(spelling_hash(&cps[first..stop]) ^ LITERAL),
            }
        });
        // Merged by start (both are sorted): a code token stays before a string that
        // starts where it does.
        let strings: Vec<Token> = strings.collect();
        tokens = merge_by_start(tokens, strings);
    }
    drop_commas_before_closers(alphabet, &mut tokens);
    with_lines(alphabet, cps, tokens)
}

fn merge_by_start(code: Vec<Token>, strings: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(code.len() + strings.len());
    let mut strings = strings.into_iter().peekable();
    for token in code {
        while let Some(string) = strings.next_if(|s| s.start < token.start) {
            out.push(string);
        }
        out.push(token);
    }
    out.extend(strings);
    out
}

fn drop_commas_before_closers(alphabet: &Alphabet, tokens: &mut Vec<Token>) {
    let before_closer: Vec<bool> = (0..tokens.len())
        .map(|i| {
            tokens[i].abstract_value == alphabet.comma
                && tokens
                    .get(i + 1)
                    .is_some_and(|next| alphabet.closers.contains(&next.abstract_value))
        })
        .collect();
    let mut at = 0;
    tokens.retain(|_| {
        at += 1;
        !before_closer[at - 1]
    });
}

/// 1-based line numbers of offsets, counted from a cursor that moves to each query:
/// queries in increasing order (as tokens come) cost one pass over the text in all.
struct Lines<'a> {
    cps: &'a [u32],
    at: usize,
    line: i32,
}

impl Lines<'_> {
    fn of(&mut self, offset: usize) -> i32 {
        let offset = offset.min(self.cps.len());
        if offset >= self.at {
            self.line += self.cps[self.at..offset]
                .iter()
                .filter(|&&cp| cp == NEWLINE)
                .count() as i32;
        } else {
            self.line -= self.cps[offset..self.at]
                .iter()
                .filter(|&&cp| cp == NEWLINE)
                .count() as i32;
        }
        self.at = offset;
        self.line
    }
}

fn with_lines(alphabet: &Alphabet, cps: &[u32], tokens: Vec<Token>) -> TokenStream {
    let mut lines = Lines {
        cps,
        at: 0,
        line: 1,
    };
    let mut line = Vec::with_capacity(tokens.len());
    let mut end_line = Vec::with_capacity(tokens.len());
    for t in &tokens {
        line.push(lines.of(t.start));
        end_line.push(lines.of(t.end.saturating_sub(1).max(t.start)));
    }
    // A string alone on its lines: the token before it ends on an earlier line and the
    // one after it starts on a later one (all decided before any is dropped).
    let lone = |i: usize| {
        tokens[i].abstract_value == alphabet.string
            && (i == 0 || end_line[i - 1] < line[i])
            && (i + 1 == tokens.len() || line[i + 1] > end_line[i])
    };
    let kept = (0..tokens.len())
        .filter(|&i| !lone(i))
        .collect::<Vec<usize>>();
    TokenStream {
        abstract_values: kept.iter().map(|&i| tokens[i].abstract_value).collect(),
        concrete_values: kept.iter().map(|&i| tokens[i].concrete_value).collect(),
        start: kept.iter().map(|&i| tokens[i].start as i64).collect(),
        end: kept.iter().map(|&i| tokens[i].end as i64).collect(),
        line: kept.iter().map(|&i| line[i]).collect(),
        end_line: kept.iter().map(|&i| end_line[i]).collect(),
    }
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
