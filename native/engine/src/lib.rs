//! leakguard's scan core, without Python.
//!
//! The pipeline, in the order data flows through it:
//!
//! 1. [`fold`]: Unicode tricks undone (a decoded reading of the text); [`unicode`]: the
//!    character classes the token rules are written in;
//! 2. [`code`]: code cut into words, numbers and punctuation;
//! 3. [`alphabet`] and [`spelling`]: each token's abstract and concrete value;
//! 4. [`regions`]: where comments and strings are, on the scan side;
//! 5. [`lex`]: regions (comments, strings) applied, drop rules, line numbers;
//! 6. [`kgram`]: the hash and tag of every k-gram;
//! 7. [`sections`] and [`lookup`]: the k-grams found in the index, as [`hits`];
//! 8. [`runs`], [`fragments`] and [`chain`]: hits chained into measured chains;
//! 9. [`near`]: partial matches confirmed by MinHash (edited copies);
//! 10. [`span`]: a finding's tokens and lines, grown as far as the index vouches.
//!
//! On the index side, [`merge`] turns the postings of many files into the sorted tables of one index,
//! [`patch`] updates those tables when a few files changed, [`pack`] packs them into the
//! sections an index stores, and [`packed`] reads those back for a patch. [`encoded`] tells the
//! Python decoders whether a text may hold a base64 or hex block; [`escapes`],
//! [`entities`] (both through [`rewrite`]) and [`prefixes`] do the per-character work of
//! three of them.
//!
//! Everything here is safe Rust that cannot panic on any input: offsets past a text are
//! clamped, empty inputs give empty outputs. The Python module (`leakguard._core`) is a
//! thin layer over these functions.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alphabet;
pub mod chain;
pub mod code;
pub mod column;
pub mod encoded;
pub mod entities;
mod entity_tables;
pub mod escapes;
pub mod fold;
mod fold_tables;
pub mod fragments;
pub mod hits;
pub mod kgram;
pub mod lex;
pub mod lookup;
pub mod merge;
pub mod mix;
pub mod near;
pub mod pack;
pub mod packed;
pub mod patch;
pub mod prefixes;
pub mod regions;
pub mod rewrite;
pub mod runs;
pub mod sections;
pub mod span;
pub mod spelling;
pub mod unicode;
mod unicode_tables;
