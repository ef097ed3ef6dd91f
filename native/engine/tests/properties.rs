//! Properties of the engine on arbitrary input: it never panics, and what it returns is
//! well formed (tokens inside the text, in order, not overlapping; hits inside the index).

use leakguard_engine::alphabet::Alphabet;
use leakguard_engine::column::Column;
use leakguard_engine::kgram::{kgram_hashes, kgram_tags, window_counts};
use leakguard_engine::lex::{lex, Regions};
use leakguard_engine::lookup::{lookup, Rules, Scanned};
use leakguard_engine::regions::find_regions;
use leakguard_engine::sections::Sections;
use proptest::prelude::*;

fn alphabet() -> Alphabet {
    let keywords = ["if", "return", "fn", "def"].map(|w| (w.to_string(), w.to_string()));
    Alphabet::new(0, &keywords)
}

fn code_point() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => prop::sample::select(" \n\t(){}[],;.$'\"`#/*+-eE0123456789abcxyz_".chars().map(u32::from).collect::<Vec<_>>()),
        1 => 0u32..0x11_0000,
        1 => Just(0xD800u32),
    ]
}

fn spans(limit: usize) -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..limit + 8, 0..limit + 8), 0..6)
}

proptest! {
    #[test]
    fn regions_are_ordered_disjoint_and_inside_their_text(
        cps in prop::collection::vec(prop_oneof![
            3 => prop::sample::select("\"'`#/*<!-@$&rbuL8\\ \n\t_x".chars().map(u32::from).collect::<Vec<_>>()),
            1 => code_point(),
        ], 0..300),
        begin in 0usize..320,
        end in 0usize..320,
    ) {
        let regions = find_regions(&cps, begin, end);
        let end = end.min(cps.len());
        // A prefixed string starts at its prefix, but never before `begin` (a letter
        // behind it is not this text's) nor inside the region before.
        let mut previous_end = begin;
        for region in &regions {
            prop_assert!(region.start < region.end && region.end <= end);
            prop_assert!(region.start >= previous_end);
            previous_end = region.end;
        }
    }

    #[test]
    fn lexing_any_text_gives_ordered_tokens_inside_it(
        cps in prop::collection::vec(code_point(), 0..400),
        hidden in spans(400),
        strings in spans(400),
        breaks in prop::collection::vec(0usize..420, 0..6),
    ) {
        let regions = Regions { hidden, strings, breaks };
        let tokens = lex(&alphabet(), &cps, &regions);
        let n = tokens.len();
        prop_assert!(tokens.concrete_values.len() == n && tokens.end.len() == n && tokens.end_line.len() == n);
        for i in 0..n {
            prop_assert!(tokens.start[i] <= tokens.end[i]);
            prop_assert!(tokens.line[i] >= 1 && tokens.line[i] <= tokens.end_line[i]);
            if i > 0 {
                prop_assert!(tokens.start[i - 1] <= tokens.start[i]);
                prop_assert!(tokens.line[i - 1] <= tokens.line[i]);
            }
        }
    }

    #[test]
    fn code_tokens_cover_only_code(cps in prop::collection::vec(code_point(), 0..300)) {
        let tokens = lex(&alphabet(), &cps, &Regions::default());
        for i in 0..tokens.len() {
            prop_assert!(tokens.end[i] as usize <= cps.len());
            if i > 0 {
                prop_assert!(tokens.end[i - 1] <= tokens.start[i]);
            }
        }
    }

    #[test]
    fn kgram_measures_have_one_value_per_window(values in prop::collection::vec(any::<u64>(), 0..80), k in 0usize..16) {
        let windows = if k == 0 { 0 } else { values.len().saturating_sub(k - 1) };
        let windows = if values.len() < k { 0 } else { windows };
        prop_assert_eq!(kgram_hashes(&values, k).len(), windows);
        prop_assert_eq!(kgram_tags(&values, k).len(), windows);
        let marked: Vec<bool> = values.iter().map(|v| v & 1 == 1).collect();
        let counts = window_counts(&marked, k);
        prop_assert_eq!(counts.len(), windows);
        for (i, &count) in counts.iter().enumerate() {
            prop_assert_eq!(count, marked[i..i + k].iter().filter(|&&m| m).count() as i64);
        }
    }

    #[test]
    fn lookup_in_any_sections_never_panics(
        buckets in prop::collection::vec(0u32..64, 0..20),
        residues in prop::collection::vec(any::<u16>(), 0..40),
        blocks in prop::collection::vec(0u32..64, 0..4),
        offsets in prop::collection::vec(0u16..64, 0..40),
        df in prop::collection::vec(any::<u8>(), 0..40),
        post_loc in prop::collection::vec(any::<u8>(), 0..120),
        post_tag in prop::collection::vec(any::<u16>(), 0..40),
        line_base in prop::collection::vec(0u32..1000, 0..6),
        values in prop::collection::vec(any::<u64>(), 0..60),
        hashes in prop::collection::vec(any::<u64>(), 0..60),
    ) {
        let sections = Sections {
            hash_buckets: &buckets,
            residues: &residues,
            offset_blocks: &blocks,
            offsets: Column::Narrow(&offsets),
            df: &df,
            df_wide_slots: &[1, 3],
            df_wide: &[300],
            post_loc: &post_loc,
            post_tag: &post_tag,
            line_base: &line_base,
        };
        let scanned = Scanned { abstract_values: &values, concrete_values: &values, hashes: &hashes };
        let rules = Rules { k: 3, max_df: 2, named_symbols: [1, 2, 3], literal_symbols: &[4, 5], public_names: &[7] };
        let hits = lookup(&sections, &scanned, &rules);
        for i in 0..hits.pos.len() {
            prop_assert!((hits.pos[i] as usize) < hashes.len());
            prop_assert!((hits.file[i] as usize) + 1 < line_base.len());
            prop_assert!(hits.line[i] >= 1 && hits.line[i] <= hits.end_line[i]);
        }
    }
}
