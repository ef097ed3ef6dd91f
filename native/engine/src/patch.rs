//! Patching an index's posting tables after a few of its files changed (index side).
//!
//! An incremental build changes a few files of a large index. Merging every posting again
//! ([`crate::merge`]) sorts them all; a patch instead reads the old tables in their order,
//! drops the postings of the files that changed or went, moves the others to their
//! files' new lines, and merges in the sorted postings of the new and changed files. The
//! work is one pass over the old postings, and the result is the tables a merge of the
//! new files would give, byte for byte (`tests/index/test_patch.py` checks it):
//!
//! * a merge orders the postings by (prefix, tag, line), then hash and input position;
//!   the old postings of one file keep their order when the file moves (all its lines
//!   move by the same amount), and an old and a new posting never tie (they are on lines
//!   of different files);
//! * the table keeps `b`, the bits of its bucket directory, and the packing of lines and
//!   spans: the caller patches only when the new index would have the same (see
//!   `leakguard/index/patch.py`), and this module refuses otherwise;
//! * the old postings were already cleared of exact public code; the new ones are
//!   cleared here, with the same pairs.

use crate::merge::{tagged_pairs, Merged, PublicPairs, Tables};
use crate::sections::{posting_width, span_bits};

/// The tables of the index being patched.
#[derive(Debug, Clone, Copy)]
pub struct Old<'a> {
    /// The distinct hash prefixes, ascending.
    pub keys: &'a [u64],
    /// Where the postings of each prefix start, then the number of postings.
    pub offsets: &'a [u64],
    /// The `post_loc` section.
    pub post_loc: &'a [u8],
    /// The `post_tag` section.
    pub post_tag: &'a [u16],
    /// The first global line of each file, then the number of lines.
    pub line_base: &'a [u32],
}

/// Where each old file goes.
#[derive(Debug, Clone, Copy)]
pub struct Moves<'a> {
    /// Its id in the new index, or `u32::MAX` when its postings go (changed or removed).
    pub file: &'a [u32],
    /// Its first global line in the new index.
    pub base: &'a [u32],
}

/// The postings of the new and changed files, concatenated in file order.
#[derive(Debug, Clone, Copy)]
pub struct Fresh<'a> {
    /// The k-gram hash of each posting.
    pub hashes: &'a [u64],
    /// Its concrete tag.
    pub tags: &'a [u16],
    /// The line of the k-gram's first token in its file, from 1.
    pub starts: &'a [u32],
    /// The lines the k-gram covers beyond its first.
    pub spans: &'a [u8],
    /// How many postings each file has.
    pub counts: &'a [u32],
    /// Each file's id in the new index.
    pub file: &'a [u32],
    /// Each file's first global line in the new index.
    pub base: &'a [u32],
}

/// Why a patch was refused: the caller merges in full instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// The old tables do not hang together (lengths, offsets, lines out of range).
    Old,
    /// The moves or the new files' arrays differ in length.
    Lengths,
    /// A new posting starts on line 0.
    StartLine,
    /// The new index packs lines and spans otherwise than the old one.
    Layout,
}

/// One new posting while it is sorted.
#[derive(Debug, Clone, Copy)]
struct Posting {
    prefix: u64,
    tag: u16,
    line: u32,
    hash: u64,
    at: u32,
    file: u32,
    span: u8,
}

/// How the count of distinct hashes changes when the postings `gone` leave an index and
/// `fresh` ones come, `kept` staying: (hashes no posting holds any more, hashes no posting
/// held before). One pass over the kept hashes, each looked up among the few that changed
/// (a bitmap of their top bits first, so most are ruled out by one read).
pub fn distinct_change(kept: &[u64], gone: &[u64], fresh: &[u64]) -> (u64, u64) {
    let distinct = |values: &[u64]| {
        let mut out = values.to_vec();
        out.sort_unstable();
        out.dedup();
        out
    };
    let (gone, fresh) = (distinct(gone), distinct(fresh));
    let mut changed: Vec<u64> = gone.iter().chain(&fresh).copied().collect();
    changed.sort_unstable();
    changed.dedup();
    const FILTER_BITS: u32 = 22;
    let mut filter = vec![0u64; 1 << (FILTER_BITS - 6)];
    for &hash in &changed {
        let top = (hash >> (64 - FILTER_BITS)) as usize;
        filter[top >> 6] |= 1 << (top & 63);
    }
    let mut held = vec![false; changed.len()];
    for &hash in kept {
        let top = (hash >> (64 - FILTER_BITS)) as usize;
        if filter[top >> 6] & (1 << (top & 63)) != 0 {
            if let Ok(at) = changed.binary_search(&hash) {
                held[at] = true;
            }
        }
    }
    let still = |hash: &u64| held[changed.binary_search(hash).unwrap_or(0)];
    let lost = gone
        .iter()
        .filter(|h| !still(h) && fresh.binary_search(h).is_err())
        .count();
    let gained = fresh
        .iter()
        .filter(|h| !still(h) && gone.binary_search(h).is_err())
        .count();
    (lost as u64, gained as u64)
}

/// The tables of the old index with the moves applied and the fresh postings merged in,
/// in a table of `b = bits` for an index of `lines` lines. `removed` counts the fresh
/// postings dropped as public; `distinct` is left 0 (see [`distinct_change`]).
pub fn patch(
    old: Old<'_>,
    moves: Moves<'_>,
    fresh: Fresh<'_>,
    public: (&[u64], &[u16]),
    bits: u32,
    lines: u64,
) -> Result<Merged, PatchError> {
    check(old, moves, fresh, public)?;
    let old_lines = u64::from(*old.line_base.last().unwrap_or(&0));
    if posting_width(old_lines) != posting_width(lines) || span_bits(old_lines) != span_bits(lines)
    {
        return Err(PatchError::Layout);
    }
    let shift = 64 - 16 - bits;
    let pairs = tagged_pairs(public, shift);
    let mut pairs = PublicPairs::new(&pairs);
    let mut removed = 0;
    let mut new: Vec<Posting> = sorted(fresh, shift)
        .into_iter()
        .filter(|p| {
            let public = pairs.holds(p.prefix, p.tag);
            removed += u64::from(public);
            !public
        })
        .collect();
    new.reverse(); // taken from the back
    let files_of = FileOfLine::new(old.line_base);
    let width = posting_width(old_lines);
    let span_bits = span_bits(old_lines);
    let mut tables = Tables::new(bits, lines, old.post_tag.len() + new.len());
    for (i, &prefix) in old.keys.iter().enumerate() {
        let (first, stop) = (old.offsets[i] as usize, old.offsets[i + 1] as usize);
        for at in first..stop {
            let mut word = [0u8; 4];
            word[..width].copy_from_slice(&old.post_loc[at * width..(at + 1) * width]);
            let value = u32::from_le_bytes(word);
            let (line, span) = (value >> span_bits, (value & ((1 << span_bits) - 1)) as u8);
            let file = files_of.file(line).ok_or(PatchError::Old)?;
            let to = moves.file[file];
            if to == u32::MAX {
                continue;
            }
            let moved = line - old.line_base[file] + moves.base[file];
            let tag = old.post_tag[at];
            while let Some(p) = new.last() {
                if (p.prefix, p.tag, p.line) >= (prefix, tag, moved) {
                    break;
                }
                tables.push(p.prefix, p.tag, p.line, p.span, p.file);
                new.pop();
            }
            tables.push(prefix, tag, moved, span, to);
        }
    }
    while let Some(p) = new.pop() {
        tables.push(p.prefix, p.tag, p.line, p.span, p.file);
    }
    Ok(tables.finish(removed))
}

fn check(
    old: Old<'_>,
    moves: Moves<'_>,
    fresh: Fresh<'_>,
    public: (&[u64], &[u16]),
) -> Result<(), PatchError> {
    let files = old.line_base.len().saturating_sub(1);
    let postings = old.post_tag.len();
    let old_lines = u64::from(*old.line_base.last().unwrap_or(&0));
    if old.line_base.is_empty()
        || old.line_base.windows(2).any(|w| w[0] > w[1])
        || old.offsets.len() != old.keys.len() + 1
        || old.offsets.first() != Some(&0)
        || old.offsets.last() != Some(&(postings as u64))
        || old.offsets.windows(2).any(|w| w[0] > w[1])
        || old.post_loc.len() != postings * posting_width(old_lines) + 4 - posting_width(old_lines)
    {
        return Err(PatchError::Old);
    }
    let count = fresh.hashes.len();
    if moves.file.len() != files
        || moves.base.len() != files
        || fresh.tags.len() != count
        || fresh.starts.len() != count
        || fresh.spans.len() != count
        || fresh.file.len() != fresh.counts.len()
        || fresh.base.len() != fresh.counts.len()
        || fresh.counts.iter().map(|&n| u64::from(n)).sum::<u64>() != count as u64
        || public.0.len() != public.1.len()
    {
        return Err(PatchError::Lengths);
    }
    if fresh.starts.contains(&0) {
        return Err(PatchError::StartLine);
    }
    Ok(())
}

/// The fresh postings in merge order: (prefix, tag, line), then hash and position.
fn sorted(fresh: Fresh<'_>, shift: u32) -> Vec<Posting> {
    let mut out = Vec::with_capacity(fresh.hashes.len());
    let mut at = 0usize;
    for (i, &n) in fresh.counts.iter().enumerate() {
        for position in at..at + n as usize {
            let hash = fresh.hashes[position];
            out.push(Posting {
                prefix: hash >> shift,
                tag: fresh.tags[position],
                line: fresh.base[i].wrapping_add(fresh.starts[position] - 1),
                hash,
                at: position as u32,
                file: fresh.file[i],
                span: fresh.spans[position],
            });
        }
        at += n as usize;
    }
    out.sort_unstable_by_key(|p| (p.prefix, p.tag, p.line, p.hash, p.at));
    out
}

/// The file of a global line of the old index, from tables that stay in the cache: the
/// file at the start of every block of 256 lines, then a step or two along the files'
/// first lines (a file has a few hundred lines). A table of every line would be read at
/// random, one cache miss a posting.
struct FileOfLine<'a> {
    line_base: &'a [u32],
    blocks: Vec<u32>,
}

const BLOCK_BITS: u32 = 8;

impl<'a> FileOfLine<'a> {
    fn new(line_base: &'a [u32]) -> Self {
        let lines = *line_base.last().unwrap_or(&0);
        let mut blocks = Vec::with_capacity((lines >> BLOCK_BITS) as usize + 1);
        let mut file = 0usize;
        for block in 0..=(lines >> BLOCK_BITS) {
            let first = block << BLOCK_BITS;
            while file + 2 < line_base.len() && line_base[file + 1] <= first {
                file += 1;
            }
            blocks.push(file as u32);
        }
        Self { line_base, blocks }
    }

    /// The file holding `line`, None past the last line.
    fn file(&self, line: u32) -> Option<usize> {
        let mut file = *self.blocks.get((line >> BLOCK_BITS) as usize)? as usize;
        while file + 1 < self.line_base.len() && self.line_base[file + 1] <= line {
            file += 1;
        }
        (file + 1 < self.line_base.len() && line < self.line_base[file + 1]).then_some(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::{merge, Files};

    /// Files as (hashes, tags, starts, lines).
    type File = (Vec<u64>, Vec<u16>, Vec<u32>, u32);

    fn merged(files: &[File], public: (&[u64], &[u16])) -> Merged {
        let hashes: Vec<u64> = files.iter().flat_map(|f| f.0.clone()).collect();
        let tags: Vec<u16> = files.iter().flat_map(|f| f.1.clone()).collect();
        let starts: Vec<u32> = files.iter().flat_map(|f| f.2.clone()).collect();
        let spans = vec![1u8; hashes.len()];
        let counts: Vec<u32> = files.iter().map(|f| f.0.len() as u32).collect();
        let lines: Vec<u32> = files.iter().map(|f| f.3).collect();
        let files = Files {
            hashes: &hashes,
            tags: &tags,
            starts: &starts,
            spans: &spans,
            counts: &counts,
            lines: &lines,
        };
        merge(files, public).unwrap()
    }

    fn file(seed: u64, postings: usize, lines: u32) -> File {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state
        };
        let hashes = (0..postings)
            .map(|_| ((next() % 7) << 58) | (next() % 3))
            .collect();
        let tags = (0..postings).map(|_| (next() % 3) as u16).collect();
        let starts = (0..postings)
            .map(|_| (next() % u64::from(lines)) as u32 + 1)
            .collect();
        (hashes, tags, starts, lines)
    }

    fn line_base(files: &[File]) -> Vec<u32> {
        let mut base = vec![0];
        for f in files {
            base.push(base.last().unwrap() + f.3);
        }
        base
    }

    #[test]
    fn a_patch_gives_the_tables_a_merge_gives() {
        let public_hashes = [3u64 << 58, 5 << 58 | 1];
        let public = (&public_hashes[..], &[0u16, 2][..]);
        for seed in 0..50u64 {
            let before: Vec<File> = (0..6)
                .map(|i| file(seed * 10 + i, 30, 20 + i as u32))
                .collect();
            // File 1 changes, file 4 goes, a new file comes after file 2.
            let changed = file(seed * 10 + 7, 25, 31);
            let added = file(seed * 10 + 8, 12, 9);
            let after = vec![
                before[0].clone(),
                changed.clone(),
                before[2].clone(),
                added.clone(),
                before[3].clone(),
                before[5].clone(),
            ];
            let old = merged(&before, public);
            let want = merged(&after, public);
            let new_base = line_base(&after);
            let moves_file = [0, u32::MAX, 2, 4, u32::MAX, 5];
            let moves_base = [0, 0, new_base[2], new_base[4], 0, new_base[5]];
            let fresh_files = [changed, added];
            let hashes: Vec<u64> = fresh_files.iter().flat_map(|f| f.0.clone()).collect();
            let tags: Vec<u16> = fresh_files.iter().flat_map(|f| f.1.clone()).collect();
            let starts: Vec<u32> = fresh_files.iter().flat_map(|f| f.2.clone()).collect();
            let spans = vec![1u8; hashes.len()];
            let old_base = line_base(&before);
            let got = patch(
                Old {
                    keys: &old.keys,
                    offsets: &old.offsets,
                    post_loc: &old.post_loc,
                    post_tag: &old.post_tag,
                    line_base: &old_base,
                },
                Moves {
                    file: &moves_file,
                    base: &moves_base,
                },
                Fresh {
                    hashes: &hashes,
                    tags: &tags,
                    starts: &starts,
                    spans: &spans,
                    counts: &[25, 12],
                    file: &[1, 3],
                    base: &[new_base[1], new_base[3]],
                },
                public,
                want.bits,
                u64::from(*new_base.last().unwrap()),
            )
            .unwrap();
            let shift = 64 - 16 - want.bits;
            let fresh_public = hashes
                .iter()
                .zip(&tags)
                .filter(|&(&h, &t)| {
                    public_hashes
                        .iter()
                        .zip(public.1)
                        .any(|(&p, &pt)| p >> shift == h >> shift && pt == t)
                })
                .count() as u64;
            assert_eq!(got.removed, fresh_public, "seed {seed}");
            let gone: Vec<u64> = [&before[1], &before[4]]
                .iter()
                .flat_map(|f| f.0.clone())
                .collect();
            let kept: Vec<u64> = [0, 2, 3, 5]
                .iter()
                .flat_map(|&i| before[i].0.clone())
                .collect();
            let (lost, gained) = distinct_change(&kept, &gone, &hashes);
            assert_eq!(old.distinct - lost + gained, want.distinct, "seed {seed}");
            assert_eq!(
                Merged {
                    removed: want.removed,
                    distinct: want.distinct,
                    ..got
                },
                want,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn the_distinct_change_counts_hashes_that_come_and_go() {
        // 1 stays (kept), 2 goes with its only posting, 3 is gone and fresh again, 4 is new,
        // 5 is new but was kept already.
        assert_eq!(distinct_change(&[1, 5], &[1, 2, 3], &[3, 4, 5, 4]), (1, 1));
        assert_eq!(distinct_change(&[], &[], &[]), (0, 0));
        assert_eq!(distinct_change(&[u64::MAX], &[u64::MAX, 0], &[]), (1, 0));
    }

    #[test]
    fn the_file_of_a_line_is_found_across_empty_files_and_blocks() {
        let base = [0u32, 3, 3, 700, 701, 1500];
        let of = FileOfLine::new(&base);
        let want = |line: u32| base.windows(2).position(|w| w[0] <= line && line < w[1]);
        for line in 0..1600 {
            assert_eq!(of.file(line), want(line), "{line}");
        }
        assert_eq!(FileOfLine::new(&[0]).file(0), None);
    }

    #[test]
    fn inconsistent_tables_and_another_layout_are_refused() {
        let none = Fresh {
            hashes: &[],
            tags: &[],
            starts: &[],
            spans: &[],
            counts: &[],
            file: &[],
            base: &[],
        };
        let moves = Moves {
            file: &[0],
            base: &[0],
        };
        let old = Old {
            keys: &[1],
            offsets: &[0, 1],
            post_loc: &[0, 0, 0, 0],
            post_tag: &[0],
            line_base: &[0, 10],
        };
        assert!(patch(old, moves, none, (&[], &[]), 4, 10).is_ok());
        assert_eq!(
            patch(old, moves, none, (&[], &[]), 4, 1 << 22),
            Err(PatchError::Layout)
        );
        let torn = Old {
            offsets: &[0, 2],
            ..old
        };
        assert_eq!(
            patch(torn, moves, none, (&[], &[]), 4, 10),
            Err(PatchError::Old)
        );
        let past = Old {
            post_loc: &[0xFF, 0xFF, 0, 0],
            ..old
        };
        assert_eq!(
            patch(past, moves, none, (&[], &[]), 4, 10),
            Err(PatchError::Old)
        );
    }
}
