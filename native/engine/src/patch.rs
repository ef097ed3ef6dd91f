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

use crate::merge::{tagged_pairs, threads_for, Merged, PublicPairs, Tables};
use crate::pack::{pack_merged, prefixes_of, PackedTables};
use crate::packed::Packed;
use crate::sections::{posting_width, span_bits};
use std::thread;

/// The tables of the index being patched, as it stores them.
#[derive(Debug, Clone, Copy)]
pub struct Old<'a> {
    /// The hash table and where the postings of each prefix start (read in place).
    pub table: Packed<'a>,
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
/// (a bitmap of their top bits first, so most are ruled out by one read). The kept hashes
/// come in parts (a file's each), so that nobody copies them into one array first.
pub fn distinct_change(kept: &[&[u64]], gone: &[u64], fresh: &[u64]) -> (u64, u64) {
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
    let finder = Finder::new(&changed);
    let threads = threads_for(kept.iter().map(|part| part.len()).sum());
    let mut held = vec![false; changed.len()];
    for part in on_threads(kept, threads, |parts| finder.held(parts)) {
        for (all, this) in held.iter_mut().zip(part) {
            *all |= this;
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

/// Looks hashes up among a few sorted ones: a bitmap of their top bits rules most out with
/// one read, and a directory by top bits finds the rest's place without a binary search.
struct Finder<'a> {
    sorted: &'a [u64],
    filter: Vec<u64>,
    directory: Vec<u32>,
}

impl<'a> Finder<'a> {
    /// Bits of the bitmap (512 KiB, in the cache) and of the directory (4 MiB).
    const FILTER_BITS: u32 = 22;
    const DIRECTORY_BITS: u32 = 20;

    fn new(sorted: &'a [u64]) -> Self {
        let mut filter = vec![0u64; 1 << (Self::FILTER_BITS - 6)];
        let mut directory = vec![0u32; (1 << Self::DIRECTORY_BITS) + 1];
        for &hash in sorted {
            let top = (hash >> (64 - Self::FILTER_BITS)) as usize;
            filter[top >> 6] |= 1 << (top & 63);
            directory[(hash >> (64 - Self::DIRECTORY_BITS)) as usize + 1] += 1;
        }
        for i in 1..directory.len() {
            directory[i] += directory[i - 1];
        }
        Self {
            sorted,
            filter,
            directory,
        }
    }

    /// Where `hash` is among the sorted hashes, if it is.
    fn find(&self, hash: u64) -> Option<usize> {
        let top = (hash >> (64 - Self::FILTER_BITS)) as usize;
        if self.filter[top >> 6] & (1 << (top & 63)) == 0 {
            return None;
        }
        let bucket = (hash >> (64 - Self::DIRECTORY_BITS)) as usize;
        let (first, stop) = (
            self.directory[bucket] as usize,
            self.directory[bucket + 1] as usize,
        );
        (first..stop).find(|&at| self.sorted[at] == hash)
    }

    /// Which of the sorted hashes the parts hold.
    fn held(&self, parts: &[&[u64]]) -> Vec<bool> {
        let mut held = vec![false; self.sorted.len()];
        for &hash in parts.iter().flat_map(|part| part.iter()) {
            if let Some(at) = self.find(hash) {
                held[at] = true;
            }
        }
        held
    }
}

/// `work` over runs of the parts of about equal length, on `threads` threads; the results in order.
fn on_threads<T: Send>(
    parts: &[&[u64]],
    threads: usize,
    work: impl Fn(&[&[u64]]) -> T + Sync,
) -> Vec<T> {
    if threads <= 1 {
        return vec![work(parts)];
    }
    let share = parts
        .iter()
        .map(|part| part.len())
        .sum::<usize>()
        .div_ceil(threads);
    let mut runs = Vec::new();
    let (mut first, mut held) = (0, 0);
    for (i, part) in parts.iter().enumerate() {
        held += part.len();
        if held >= share {
            runs.push(&parts[first..=i]);
            (first, held) = (i + 1, 0);
        }
    }
    runs.push(&parts[first..]);
    let work = &work;
    thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| scope.spawn(move || work(run)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a look-up thread does not panic"))
            .collect()
    })
}

/// The tables of the old index with the moves applied and the fresh postings merged in,
/// in a table of `b = bits` for an index of `lines` lines, packed into an index's
/// sections with the prefixes of the `idioms` sets (raw hashes, a set each) marked as
/// common (see [`pack_merged`]); and the fresh postings dropped as public. The sections'
/// `distinct` count is not made here (see [`distinct_change`]).
///
/// Large tables are patched on a few threads, each taking a run of the old prefixes (and
/// the fresh postings that fall among them); their runs are packed one after another,
/// which is the one-thread result because the runs share no prefix.
#[allow(clippy::too_many_arguments)]
pub fn patch(
    old: Old<'_>,
    moves: Moves<'_>,
    fresh: Fresh<'_>,
    public: (&[u64], &[u16]),
    bits: u32,
    lines: u64,
    idioms: &[&[u64]],
) -> Result<(PackedTables, u64), PatchError> {
    let threads = threads_for(old.post_tag.len());
    let (parts, removed) = patch_on(old, moves, fresh, public, bits, lines, threads)?;
    Ok((
        pack_merged(parts, bits, lines, &prefixes_of(idioms, bits)),
        removed,
    ))
}

fn patch_on(
    old: Old<'_>,
    moves: Moves<'_>,
    fresh: Fresh<'_>,
    public: (&[u64], &[u16]),
    bits: u32,
    lines: u64,
    threads: usize,
) -> Result<(Vec<Merged>, u64), PatchError> {
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
    let new: Vec<Posting> = sorted(fresh, shift)
        .into_iter()
        .filter(|p| {
            let public = pairs.holds(p.prefix, p.tag);
            removed += u64::from(public);
            !public
        })
        .collect();
    let places = Places::new(old.line_base, moves);
    let threads = threads.max(1);
    // Cut the old prefixes into runs of about equal postings; the fresh postings go to
    // the run whose prefixes theirs fall among (before the first cut, the first run).
    let share = old.post_tag.len().div_ceil(threads) as u64;
    let mut cuts = vec![0usize];
    let slots = old.table.len();
    for part in 1..threads {
        let (mut low, mut high) = (0, slots); // the first slot whose postings start at the cut
        while low < high {
            let middle = (low + high) / 2;
            if old.table.offset(middle) < share * part as u64 {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        if low > *cuts.last().unwrap_or(&0) && low < slots {
            cuts.push(low);
        }
    }
    cuts.push(slots);
    let runs: Vec<(std::ops::Range<usize>, &[Posting])> = cuts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let from = if i == 0 {
                0
            } else {
                new.partition_point(|p| p.prefix < old.table.key(w[0]))
            };
            let to = if w[1] == slots {
                new.len()
            } else {
                new.partition_point(|p| p.prefix < old.table.key(w[1]))
            };
            (w[0]..w[1], &new[from..to])
        })
        .collect();
    let run = |(keys, new): &(std::ops::Range<usize>, &[Posting])| {
        patch_run(old, &places, keys.clone(), new, bits, lines)
    };
    let parts = if runs.len() == 1 {
        vec![run(&runs[0])]
    } else {
        thread::scope(|scope| {
            let handles: Vec<_> = runs.iter().map(|r| scope.spawn(move || run(r))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(Err(PatchError::Old)))
                .collect::<Vec<_>>()
        })
    };
    let parts = parts
        .into_iter()
        .map(|part| part.map(|tables| tables.finish(0)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((parts, removed))
}

/// The tables of the old prefixes of the slots `keys` with the fresh postings `new`
/// (sorted, those that fall among them) merged in.
fn patch_run(
    old: Old<'_>,
    places: &Places,
    keys: std::ops::Range<usize>,
    new: &[Posting],
    bits: u32,
    lines: u64,
) -> Result<Tables, PatchError> {
    let old_lines = u64::from(*old.line_base.last().unwrap_or(&0));
    let width = posting_width(old_lines);
    let span_bits = span_bits(old_lines);
    let first = old.table.offset(keys.start) as usize;
    let last = old.table.offset(keys.end) as usize;
    let mut tables = Tables::new(bits, lines, last - first + new.len());
    let mut new = new.iter().peekable();
    for (i, prefix) in keys.clone().zip(old.table.keys(keys)) {
        for at in old.table.offset(i) as usize..old.table.offset(i + 1) as usize {
            let mut word = [0u8; 4];
            word[..width].copy_from_slice(&old.post_loc[at * width..(at + 1) * width]);
            let value = u32::from_le_bytes(word);
            let (line, span) = (value >> span_bits, (value & ((1 << span_bits) - 1)) as u8);
            let place = places.of(line).ok_or(PatchError::Old)?;
            if place.to == u32::MAX {
                continue;
            }
            let (to, moved) = (place.to, line.wrapping_add(place.shift));
            let tag = old.post_tag[at];
            while let Some(p) = new.next_if(|p| (p.prefix, p.tag, p.line) < (prefix, tag, moved)) {
                tables.push(p.prefix, p.tag, p.line, p.span, p.file);
            }
            tables.push(prefix, tag, moved, span, to);
        }
    }
    for p in new {
        tables.push(p.prefix, p.tag, p.line, p.span, p.file);
    }
    Ok(tables)
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
        || !old.table.hangs_together(postings)
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

/// Where the postings on each global line of the old index go, from tables that stay in
/// the cache: the file at the start of every block of 256 lines, then a step or two along
/// the files (a file has a few hundred lines), each file's end, new id and line shift
/// side by side. A table of every line would be read at random, one cache miss a posting.
struct Places {
    blocks: Vec<u32>,
    files: Vec<Place>,
}

/// One old file: its end (global line past its last), new id (`u32::MAX`: its postings
/// go) and what its lines add to become new global lines (wrapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    end: u32,
    to: u32,
    shift: u32,
}

const BLOCK_BITS: u32 = 8;

impl Places {
    /// The places of the files of `line_base` (first global lines, then the count),
    /// moved as `moves` says (one entry a file).
    fn new(line_base: &[u32], moves: Moves<'_>) -> Self {
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
        let files = line_base
            .windows(2)
            .zip(moves.file.iter().zip(moves.base))
            .map(|(w, (&to, &base))| Place {
                end: w[1],
                to,
                shift: base.wrapping_sub(w[0]),
            })
            .collect();
        Self { blocks, files }
    }

    /// The place of the file holding `line`, None past the last line.
    fn of(&self, line: u32) -> Option<Place> {
        let mut file = *self.blocks.get((line >> BLOCK_BITS) as usize)? as usize;
        loop {
            let place = *self.files.get(file)?;
            if line < place.end {
                return Some(place);
            }
            file += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs' tables one after another, as one.
    fn joined(parts: Vec<Merged>, bits: u32, removed: u64, lines: u64) -> Merged {
        let pad = 4 - posting_width(lines);
        let mut tables = Merged {
            bits,
            keys: Vec::new(),
            offsets: Vec::new(),
            df: Vec::new(),
            post_loc: Vec::new(),
            post_tag: Vec::new(),
            removed,
            distinct: 0,
        };
        let mut base = 0;
        for part in parts {
            tables.keys.extend_from_slice(&part.keys);
            let own = part.offsets.len().saturating_sub(1);
            tables
                .offsets
                .extend(part.offsets[..own].iter().map(|&o| o + base));
            tables.df.extend_from_slice(&part.df);
            let end = part.post_loc.len().saturating_sub(pad);
            tables.post_loc.extend_from_slice(&part.post_loc[..end]);
            tables.post_tag.extend_from_slice(&part.post_tag);
            base += part.post_tag.len() as u32;
        }
        tables.offsets.push(base);
        tables.post_loc.resize(tables.post_loc.len() + pad, 0);
        tables
    }
    use crate::merge::{merge, Files};
    use crate::pack::{pack_offsets, pack_table, Offsets, Table};

    /// A table's packed sections.
    type Sections = (Table, Offsets);

    fn packed(keys: &[u64], offsets: &[u64], bits: u32) -> Sections {
        (pack_table(keys, bits), pack_offsets(offsets))
    }

    fn table(sections: &Sections) -> Packed<'_> {
        Packed {
            hash_buckets: &sections.0.hash_buckets,
            residues: &sections.0.residues,
            offset_blocks: &sections.1.blocks,
            offsets: sections.1.within.column(),
        }
    }

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
            let offsets: Vec<u64> = old.offsets.iter().map(|&o| u64::from(o)).collect();
            let sections = packed(&old.keys, &offsets, old.bits);
            let patched = |threads| {
                patch_on(
                    Old {
                        table: table(&sections),
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
                    threads,
                )
                .map(|(parts, removed)| {
                    joined(
                        parts,
                        want.bits,
                        removed,
                        u64::from(*new_base.last().unwrap()),
                    )
                })
                .unwrap()
            };
            // Runs on several threads join into what one thread gives.
            let got = patched(1);
            for threads in [2, 3, 8] {
                assert_eq!(patched(threads), got, "seed {seed}, {threads} threads");
            }
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
            let kept: Vec<&[u64]> = [0, 2, 3, 5].iter().map(|&i| &before[i].0[..]).collect();
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
    fn the_finder_finds_what_a_binary_search_finds_on_any_threads() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Few distinct top bits, so that buckets hold several hashes.
            (state >> 40) << 52 | (state & 0xff)
        };
        let mut sorted: Vec<u64> = (0..3000).map(|_| next()).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let parts: Vec<Vec<u64>> = (0..40)
            .map(|n| (0..n * 7).map(|_| next()).collect())
            .collect();
        let parts: Vec<&[u64]> = parts.iter().map(|part| &part[..]).collect();
        let finder = Finder::new(&sorted);
        let mut want = vec![false; sorted.len()];
        for &hash in parts.iter().flat_map(|part| part.iter()) {
            assert_eq!(
                finder.find(hash),
                sorted.binary_search(&hash).ok(),
                "{hash:x}"
            );
            if let Ok(at) = sorted.binary_search(&hash) {
                want[at] = true;
            }
        }
        assert!(want.iter().any(|&held| held) && !want.iter().all(|&held| held));
        for threads in [1, 2, 3, 8, 100] {
            let mut held = vec![false; sorted.len()];
            for part in on_threads(&parts, threads, |run| finder.held(run)) {
                for (all, this) in held.iter_mut().zip(part) {
                    *all |= this;
                }
            }
            assert_eq!(held, want, "{threads} threads");
        }
    }

    #[test]
    fn the_distinct_change_counts_hashes_that_come_and_go() {
        // 1 stays (kept), 2 goes with its only posting, 3 is gone and fresh again, 4 is new,
        // 5 is new but was kept already.
        assert_eq!(
            distinct_change(&[&[1], &[], &[5]], &[1, 2, 3], &[3, 4, 5, 4]),
            (1, 1)
        );
        assert_eq!(distinct_change(&[], &[], &[]), (0, 0));
        assert_eq!(distinct_change(&[&[u64::MAX]], &[u64::MAX, 0], &[]), (1, 0));
    }

    #[test]
    fn the_place_of_a_line_is_found_across_empty_files_and_blocks() {
        let base = [0u32, 3, 3, 700, 701, 1500];
        let moves = Moves {
            file: &[4, 3, u32::MAX, 1, 0],
            base: &[10, 5, 0, 7, 1],
        };
        let places = Places::new(&base, moves);
        for line in 0..1600 {
            let want = base.windows(2).position(|w| w[0] <= line && line < w[1]);
            let got = places.of(line);
            assert_eq!(got.map(|p| p.to), want.map(|f| moves.file[f]), "{line}");
            if let (Some(place), Some(file)) = (got, want) {
                assert_eq!(place.end, base[file + 1]);
                let moved = line.wrapping_add(place.shift);
                assert_eq!(moved, line - base[file] + moves.base[file], "{line}");
            }
        }
        let none = Moves {
            file: &[],
            base: &[],
        };
        assert_eq!(Places::new(&[0], none).of(0), None);
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
        let one = packed(&[1], &[0, 1], 4);
        let old = Old {
            table: table(&one),
            post_loc: &[0, 0, 0, 0],
            post_tag: &[0],
            line_base: &[0, 10],
        };
        assert!(patch(old, moves, none, (&[], &[]), 4, 10, &[]).is_ok());
        assert_eq!(
            patch(old, moves, none, (&[], &[]), 4, 1 << 22, &[]),
            Err(PatchError::Layout)
        );
        let two = packed(&[1], &[0, 2], 4);
        let torn = Old {
            table: table(&two),
            ..old
        };
        assert_eq!(
            patch(torn, moves, none, (&[], &[]), 4, 10, &[]),
            Err(PatchError::Old)
        );
        let past = Old {
            post_loc: &[0xFF, 0xFF, 0, 0],
            ..old
        };
        assert_eq!(
            patch(past, moves, none, (&[], &[]), 4, 10, &[]),
            Err(PatchError::Old)
        );
    }
}
