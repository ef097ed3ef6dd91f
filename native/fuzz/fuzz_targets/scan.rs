//! The scan path on arbitrary bytes: the text's Unicode, string escapes, HTML references
//! and line prefixes decoded, its comments and strings found (in the whole
//! text, and in a cut of it as free text between a parser's regions), the text (with the
//! regions found and those a caller hands over) cut into tokens, a finding's lines grown, hashed and looked up in an index made partly of the same text's k-grams
//! and partly of the fuzzer's bytes (a damaged index). Nothing may panic, and what comes
//! back must be well formed.
#![no_main]

use leakguard_engine::alphabet::Alphabet;
use leakguard_engine::column::Column;
use leakguard_engine::entities::unescape_entities;
use leakguard_engine::escapes::unescape;
use leakguard_engine::fold::fold;
use leakguard_engine::kgram::kgram_hashes;
use leakguard_engine::lex::{lex, Regions};
use leakguard_engine::lookup::{lookup, Rules, Scanned};
use leakguard_engine::prefixes::prefix_cuts;
use leakguard_engine::regions::{find_regions, Kind};
use leakguard_engine::sections::Sections;
use leakguard_engine::span::{copy_bounds, ChainEdges, LineSymbols, LineTable};
use libfuzzer_sys::fuzz_target;

const K: usize = 4;

fuzz_target!(|data: &[u8]| {
    let (control, text) = data.split_at(data.len().min(16));
    let cps: Vec<u32> = String::from_utf8_lossy(text)
        .chars()
        .map(u32::from)
        .collect();
    if let Some((folded, source)) = fold(&cps) {
        assert_eq!(folded.len(), source.len());
        assert!(source.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(source.iter().all(|&at| (at as usize) < cps.len()));
    }
    for (out, starts, ends) in [unescape(&cps), unescape_entities(&cps)]
        .into_iter()
        .flatten()
    {
        assert!(out.len() == starts.len() && out.len() == ends.len());
        assert!(starts.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(starts
            .iter()
            .zip(&ends)
            .all(|(&s, &e)| s < e && e as usize <= cps.len()));
    }
    let cuts = prefix_cuts(&cps);
    assert!(cuts.windows(2).all(|pair| pair[0].1 <= pair[1].0));
    assert!(cuts
        .iter()
        .all(|&(start, end)| start < end && end <= cps.len()));
    let n = cps.len();
    let at = |i: usize| {
        control
            .get(i)
            .map_or(0, |&b| usize::from(b) * (n + 1) / 256)
    };
    let mut regions = Regions {
        hidden: vec![(at(0), at(1))],
        strings: vec![(at(2), at(3)), (at(4), at(5))],
        breaks: vec![at(6), at(7)],
    };
    for (begin, end) in [(0, n), (at(6), at(7))] {
        let mut previous_end = begin;
        for region in find_regions(&cps, begin, end) {
            assert!(region.start >= previous_end && region.start < region.end && region.end <= n);
            previous_end = region.end;
            match region.kind {
                Kind::Hidden => regions.hidden.push((region.start, region.end)),
                Kind::String => regions.strings.push((region.start, region.end)),
                Kind::Lifetime => {}
            }
        }
    }
    let alphabet = Alphabet::new(
        u64::from(control.get(8).copied().unwrap_or(0)),
        &[("if".into(), "if".into())],
    );
    let tokens = lex(&alphabet, &cps, &regions);
    for i in 0..tokens.len() {
        assert!(tokens.start[i] <= tokens.end[i] && tokens.end[i] as usize <= n);
        assert!(tokens.line[i] >= 1 && tokens.line[i] <= tokens.end_line[i]);
    }
    // A finding's bounds over the text's own lines, against a damaged copy of its hashes.
    let symbols = LineSymbols {
        id: alphabet.id,
        comma: alphabet.comma,
        sentence_ends: &[],
    };
    let table = LineTable::new(
        &tokens.abstract_values,
        &tokens.line,
        &tokens.start,
        &cps,
        &symbols,
    );
    let source: Vec<u16> = table
        .hash
        .iter()
        .zip(text.iter().cycle())
        .map(|(&h, &b)| h ^ u16::from(b & 1))
        .collect();
    let chain = ChainEdges {
        first_pos: at(10) as i64,
        last_pos: at(11) as i64,
        first_line: at(12) as i64 - 3,
        max_line: at(13) as i64,
    };
    let (first, last, _, _) = copy_bounds(&table, &tokens.line, &source, &chain, K as i64, 3);
    let inside = |i: i64| usize::try_from(i).is_ok_and(|i| i < tokens.len());
    assert!(tokens.is_empty() || (inside(first) && inside(last)));
    let hashes = kgram_hashes(&tokens.abstract_values, K);
    // An index of 2^4 buckets holding the text's own first hashes (sorted), so look-ups hit.
    let bits = 4u32;
    let mut prefixes: Vec<u64> = hashes
        .iter()
        .take(64)
        .map(|h| h >> (64 - 16 - bits))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    let mut buckets = vec![0u32; 17];
    for (b, bucket) in buckets.iter_mut().enumerate() {
        *bucket = prefixes.partition_point(|&p| (p >> 16) < b as u64) as u32;
    }
    let residues: Vec<u16> = prefixes.iter().map(|&p| p as u16).collect();
    let offsets: Vec<u16> = (0..=residues.len() as u16).collect();
    let postings = residues.len();
    let post_loc: Vec<u8> = (0..postings * 3 + 1)
        .map(|i| text.get(i).copied().unwrap_or(1))
        .collect();
    let post_tag: Vec<u16> = (0..postings)
        .map(|i| u16::from(text.get(i).copied().unwrap_or(0)))
        .collect();
    let df: Vec<u8> = (0..postings)
        .map(|i| control.get(9 + i % 7).copied().unwrap_or(1))
        .collect();
    let sections = Sections {
        hash_buckets: &buckets,
        residues: &residues,
        offset_blocks: &[0, 64],
        offsets: Column::Narrow(&offsets),
        df: &df,
        df_wide_slots: &[0],
        df_wide: &[u16::MAX],
        post_loc: &post_loc,
        post_tag: &post_tag,
        line_base: &[0, 7, 5000],
    };
    let scanned = Scanned {
        abstract_values: &tokens.abstract_values,
        concrete_values: &tokens.concrete_values,
        hashes: &hashes,
    };
    let rules = Rules {
        k: K,
        max_df: 3,
        named_symbols: [alphabet.id, alphabet.string, alphabet.number],
        literal_symbols: &[],
        public_names: &[],
    };
    let hits = lookup(&sections, &scanned, &rules);
    for i in 0..hits.pos.len() {
        assert!((hits.pos[i] as usize) < hashes.len());
        assert!(hits.file[i] >= 0 && hits.file[i] < 2);
    }
});
