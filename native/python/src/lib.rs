//! `leakguard._core`: the engine seen from Python, and nothing else.
//!
//! Each function takes numpy arrays (contiguous, of the documented dtype), releases the
//! GIL for the whole of its work when that work is large (see [`DETACH_AT`]) and returns
//! new arrays. Arguments of the wrong kind raise
//! `TypeError` or `ValueError` here, once; the engine below cannot fail on any values.

use leakguard_engine::alphabet::Alphabet as EngineAlphabet;
use leakguard_engine::chain::{chain_hits as chain, ChainRules};
use leakguard_engine::column::Column;
use leakguard_engine::encoded::encoded_runs as engine_runs;
use leakguard_engine::entities::unescape_entities as engine_entities;
use leakguard_engine::escapes::unescape as engine_unescape;
use leakguard_engine::fold::fold;
use leakguard_engine::hits::Hits;
use leakguard_engine::kgram;
use leakguard_engine::lex::{lex, Regions};
use leakguard_engine::lookup::{lookup, Rules, Scanned};
use leakguard_engine::merge::{
    merge_sections, sorted_member as engine_sorted_member, Files, MergeError,
};
use leakguard_engine::near::{near_matches as near, Partial, Units};
use leakguard_engine::pack::{self, PackedTables, Within};
use leakguard_engine::packed::{self, Packed};
use leakguard_engine::patch::{
    distinct_change as engine_distinct_change, patch, Fresh, Moves, Old, PatchError,
};
use leakguard_engine::prefixes::prefix_cuts as engine_prefix_cuts;
use leakguard_engine::regions::{find_regions, Kind};
use leakguard_engine::rewrite::Rewritten;
use leakguard_engine::sections::Sections;
use leakguard_engine::span::{
    copy_bounds, line_hashes as hash_lines, ChainEdges, LineSymbols, LineTable,
};
use leakguard_engine::spelling::spelling_hash;
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

type Array<'py, T> = Bound<'py, PyArray1<T>>;

/// Work over at least this many elements runs with the GIL released. Smaller work (a
/// prompt's tokens, its hits) keeps it: releasing and taking back the GIL around tens of
/// microseconds hands it to a waiting thread and then waits for it back, which made two
/// threads scanning 4 KB prompts slower together than one alone.
const DETACH_AT: usize = 1 << 15;

/// Runs `work` (over `size` elements) with the GIL released when it is large enough.
fn run<T, F>(py: Python<'_>, size: usize, work: F) -> T
where
    F: pyo3::marker::Ungil + FnOnce() -> T,
    T: pyo3::marker::Ungil,
{
    if size >= DETACH_AT {
        py.detach(work)
    } else {
        work()
    }
}

fn slice<'a, T: numpy::Element>(
    array: &'a PyReadonlyArray1<'_, T>,
    what: &str,
) -> PyResult<&'a [T]> {
    array.as_slice().map_err(|_| {
        PyValueError::new_err(format!("{what} must be a contiguous one-dimensional array"))
    })
}

/// Each of a list of arrays as a slice ([`slice`]).
fn slices<'a, T: numpy::Element>(
    arrays: &'a [PyReadonlyArray1<'_, T>],
    what: &str,
) -> PyResult<Vec<&'a [T]>> {
    arrays.iter().map(|array| slice(array, what)).collect()
}

fn spans(flat: &[i64], what: &str) -> PyResult<Vec<(usize, usize)>> {
    if flat.len() % 2 != 0 {
        return Err(PyValueError::new_err(format!(
            "{what} must hold (start, end) pairs"
        )));
    }
    flat.chunks_exact(2)
        .map(
            |pair| match (usize::try_from(pair[0]), usize::try_from(pair[1])) {
                (Ok(start), Ok(end)) => Ok((start, end)),
                _ => Err(PyValueError::new_err(format!(
                    "{what} must not be negative"
                ))),
            },
        )
        .collect()
}

/// The token alphabet under one seed (see the engine's `alphabet` module).
#[pyclass(frozen, module = "leakguard._core")]
struct Alphabet {
    inner: EngineAlphabet,
}

#[pymethods]
impl Alphabet {
    #[new]
    fn new(seed: u64, keywords: Vec<(String, String)>) -> Self {
        Alphabet {
            inner: EngineAlphabet::new(seed, &keywords),
        }
    }

    /// The concrete values of names given their spelling hashes (uint64).
    fn names<'py>(
        &self,
        py: Python<'py>,
        spellings: PyReadonlyArray1<'py, u64>,
    ) -> PyResult<Array<'py, u64>> {
        let spellings = slice(&spellings, "spellings")?;
        let alphabet = &self.inner;
        let values: Vec<u64> = run(py, spellings.len(), || {
            spellings.iter().map(|&s| alphabet.name(s)).collect()
        });
        Ok(values.into_pyarray(py))
    }

    /// The token stream of a text given as code points (uint32) with its regions: hidden
    /// spans and string spans as flat int64 (start, end) pairs, and break offsets.
    /// Returns (abstract, concrete, start, end, line, end_line).
    #[allow(clippy::type_complexity)]
    fn lex<'py>(
        &self,
        py: Python<'py>,
        cps: PyReadonlyArray1<'py, u32>,
        hidden: PyReadonlyArray1<'py, i64>,
        strings: PyReadonlyArray1<'py, i64>,
        breaks: PyReadonlyArray1<'py, i64>,
    ) -> PyResult<(
        Array<'py, u64>,
        Array<'py, u64>,
        Array<'py, i64>,
        Array<'py, i64>,
        Array<'py, i32>,
        Array<'py, i32>,
    )> {
        let regions = Regions {
            hidden: spans(slice(&hidden, "hidden")?, "hidden")?,
            strings: spans(slice(&strings, "strings")?, "strings")?,
            breaks: slice(&breaks, "breaks")?
                .iter()
                .filter_map(|&b| usize::try_from(b).ok())
                .collect(),
        };
        let cps = slice(&cps, "cps")?;
        let alphabet = &self.inner;
        let stream = run(py, cps.len(), || lex(alphabet, cps, &regions));
        Ok((
            stream.abstract_values.into_pyarray(py),
            stream.concrete_values.into_pyarray(py),
            stream.start.into_pyarray(py),
            stream.end.into_pyarray(py),
            stream.line.into_pyarray(py),
            stream.end_line.into_pyarray(py),
        ))
    }
}

/// `offsets` and the units' columns are u16 in most indexes, u32 in huge ones.
#[derive(FromPyObject)]
enum ColumnArray<'py> {
    Narrow(PyReadonlyArray1<'py, u16>),
    Wide(PyReadonlyArray1<'py, u32>),
}

/// The sections of one index that a look-up reads (held, not copied: memory-mapped
/// arrays stay where they are), with the rules of the scan policy that decide which
/// hits count. Built once per index and policy cut-off.
#[pyclass(frozen, module = "leakguard._core")]
struct Table {
    hash_buckets: Py<PyArray1<u32>>,
    residues: Py<PyArray1<u16>>,
    offset_blocks: Py<PyArray1<u32>>,
    offsets: Py<PyAny>,
    df: Py<PyArray1<u8>>,
    df_wide_slots: Py<PyArray1<u32>>,
    df_wide: Py<PyArray1<u16>>,
    post_loc: Py<PyArray1<u8>>,
    post_tag: Py<PyArray1<u16>>,
    line_base: Py<PyArray1<u32>>,
    public_names: Py<PyArray1<u64>>,
    literal_symbols: Py<PyArray1<u64>>,
    named_symbols: [u64; 3],
}

fn held<'py, T: numpy::Element>(
    array: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Py<PyArray1<T>>> {
    let typed = array.cast::<PyArray1<T>>().map_err(|_| {
        PyValueError::new_err(format!("index section {what} has the wrong type or shape"))
    })?;
    if !typed.is_contiguous() {
        return Err(PyValueError::new_err(format!(
            "index section {what} is not contiguous"
        )));
    }
    Ok(typed.clone().unbind())
}

#[pymethods]
impl Table {
    /// The sections, by name (a dict of numpy arrays), the symbol values of ID, STR and NUM,
    /// and the sorted symbol values of literals and punctuation.
    #[new]
    fn new(
        sections: &Bound<'_, pyo3::types::PyDict>,
        named_symbols: [u64; 3],
        literal_symbols: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let get = |name: &str| -> PyResult<Bound<'_, PyAny>> {
            sections
                .get_item(name)?
                .ok_or_else(|| PyValueError::new_err(format!("index is missing section {name}")))
        };
        let offsets = get("offsets")?;
        if offsets.extract::<ColumnArray<'_>>().is_err() {
            return Err(PyValueError::new_err(
                "index section offsets must be u16 or u32",
            ));
        }
        Ok(Table {
            hash_buckets: held(&get("hash_buckets")?, "hash_buckets")?,
            residues: held(&get("residues")?, "residues")?,
            offset_blocks: held(&get("offset_blocks")?, "offset_blocks")?,
            offsets: offsets.unbind(),
            df: held(&get("df")?, "df")?,
            df_wide_slots: held(&get("df_wide_slots")?, "df_wide_slots")?,
            df_wide: held(&get("df_wide")?, "df_wide")?,
            post_loc: held(&get("post_loc")?, "post_loc")?,
            post_tag: held(&get("post_tag")?, "post_tag")?,
            line_base: held(&get("line_base")?, "line_base")?,
            public_names: held(&get("public_names")?, "public_names")?,
            literal_symbols: held(literal_symbols, "literal_symbols")?,
            named_symbols,
        })
    }

    /// The hits of one token stream: (pos, file, line, end_line, exact, key) arrays.
    #[allow(clippy::type_complexity, clippy::too_many_arguments)]
    fn lookup<'py>(
        &self,
        py: Python<'py>,
        abstract_values: PyReadonlyArray1<'py, u64>,
        concrete_values: PyReadonlyArray1<'py, u64>,
        hashes: PyReadonlyArray1<'py, u64>,
        k: usize,
        max_df: u32,
    ) -> PyResult<(
        Array<'py, i64>,
        Array<'py, i64>,
        Array<'py, i64>,
        Array<'py, i64>,
        Array<'py, bool>,
        Array<'py, i64>,
    )> {
        let hash_buckets = self.hash_buckets.bind(py).readonly();
        let residues = self.residues.bind(py).readonly();
        let offset_blocks = self.offset_blocks.bind(py).readonly();
        let offsets: ColumnArray<'py> = self.offsets.bind(py).extract()?;
        let df = self.df.bind(py).readonly();
        let df_wide_slots = self.df_wide_slots.bind(py).readonly();
        let df_wide = self.df_wide.bind(py).readonly();
        let post_loc = self.post_loc.bind(py).readonly();
        let post_tag = self.post_tag.bind(py).readonly();
        let line_base = self.line_base.bind(py).readonly();
        let public_names = self.public_names.bind(py).readonly();
        let literal_symbols = self.literal_symbols.bind(py).readonly();
        let sections = Sections {
            hash_buckets: slice(&hash_buckets, "hash_buckets")?,
            residues: slice(&residues, "residues")?,
            offset_blocks: slice(&offset_blocks, "offset_blocks")?,
            offsets: column(&offsets, "offsets")?,
            df: slice(&df, "df")?,
            df_wide_slots: slice(&df_wide_slots, "df_wide_slots")?,
            df_wide: slice(&df_wide, "df_wide")?,
            post_loc: slice(&post_loc, "post_loc")?,
            post_tag: slice(&post_tag, "post_tag")?,
            line_base: slice(&line_base, "line_base")?,
        };
        let scanned = Scanned {
            abstract_values: slice(&abstract_values, "abstract")?,
            concrete_values: slice(&concrete_values, "concrete")?,
            hashes: slice(&hashes, "hashes")?,
        };
        if scanned.concrete_values.len() != scanned.abstract_values.len() {
            return Err(PyValueError::new_err(
                "abstract and concrete values differ in length",
            ));
        }
        let rules = Rules {
            k,
            max_df,
            named_symbols: self.named_symbols,
            literal_symbols: slice(&literal_symbols, "literal_symbols")?,
            public_names: slice(&public_names, "public_names")?,
        };
        let hits = run(py, scanned.hashes.len(), || {
            lookup(&sections, &scanned, &rules)
        });
        Ok((
            hits.pos.into_pyarray(py),
            hits.file.into_pyarray(py),
            hits.line.into_pyarray(py),
            hits.end_line.into_pyarray(py),
            hits.exact.into_pyarray(py),
            hits.key.into_pyarray(py),
        ))
    }
}

/// One chain as Python receives it: ((file, first_line, last_line, max_line, last_pos,
/// hits, matched, exact), (factor, variety, evidence, needed), positions, exact_positions).
type ChainTuple = (
    (i64, i64, i64, i64, i64, i64, i64, i64),
    (f64, f64, f64, f64),
    Vec<i64>,
    Vec<i64>,
);

/// Chain hits (pos, file, line, end_line: int64; exact: bool; key: int64) into measured
/// chains. `rules` is (k, threshold, gap, renamed_weight, small_file_coverage);
/// `small_files` (float64) the token count of each densely indexed file, 0 for others;
/// `scan_line` (int32) the line of every scanned token. Returns (chains, strongest,
/// chained positions, partial matches).
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn chain_hits<'py>(
    py: Python<'py>,
    pos: PyReadonlyArray1<'py, i64>,
    file: PyReadonlyArray1<'py, i64>,
    line: PyReadonlyArray1<'py, i64>,
    end_line: PyReadonlyArray1<'py, i64>,
    exact: PyReadonlyArray1<'py, bool>,
    key: PyReadonlyArray1<'py, i64>,
    rules: (i64, f64, i64, f64, f64),
    small_files: PyReadonlyArray1<'py, f64>,
    scan_line: PyReadonlyArray1<'py, i32>,
    floor: f64,
    fragment_floor: Option<f64>,
) -> PyResult<(
    Vec<ChainTuple>,
    f64,
    Array<'py, i64>,
    Vec<(i64, i64, i64, i64, i64)>,
)> {
    let hits = Hits {
        pos: slice(&pos, "pos")?.to_vec(),
        file: slice(&file, "file")?.to_vec(),
        line: slice(&line, "line")?.to_vec(),
        end_line: slice(&end_line, "end_line")?.to_vec(),
        exact: slice(&exact, "exact")?.to_vec(),
        key: slice(&key, "key")?.to_vec(),
    };
    let n = hits.pos.len();
    if [
        hits.file.len(),
        hits.line.len(),
        hits.end_line.len(),
        hits.exact.len(),
        hits.key.len(),
    ]
    .iter()
    .any(|&l| l != n)
    {
        return Err(PyValueError::new_err("hit arrays differ in length"));
    }
    let (k, threshold, gap, renamed_weight, small_file_coverage) = rules;
    let rules = ChainRules {
        k,
        threshold,
        gap,
        renamed_weight,
        small_file_coverage,
        small_files: slice(&small_files, "small_files")?,
        scan_line: slice(&scan_line, "scan_line")?,
    };
    let found = run(py, hits.pos.len(), || {
        chain(hits, &rules, floor, fragment_floor)
    });
    let chains = found
        .chains
        .into_iter()
        .map(|c| {
            (
                (
                    c.file,
                    c.first_line,
                    c.last_line,
                    c.max_line,
                    c.last_pos,
                    c.hits,
                    c.matched,
                    c.exact,
                ),
                (c.factor, c.variety, c.evidence, c.needed),
                c.positions,
                c.exact_positions,
            )
        })
        .collect();
    Ok((
        chains,
        found.strongest,
        found.positions.into_pyarray(py),
        found.partial,
    ))
}

fn column<'a>(array: &'a ColumnArray<'_>, what: &str) -> PyResult<Column<'a>> {
    Ok(match array {
        ColumnArray::Narrow(values) => Column::Narrow(slice(values, what)?),
        ColumnArray::Wide(values) => Column::Wide(slice(values, what)?),
    })
}

/// A near-duplicate match: (file, low, high, first_line, last_line, window_tokens,
/// similarity).
type NearTuple = (i64, usize, usize, i64, i64, usize, f64);

/// Near duplicates around partial matches (int64 rows of first, last, file, first_line,
/// last_line, flattened) in a token stream (abstract values), whose positions in
/// `explained` the exact path chained; the index's MinHash sections: the permutations'
/// multipliers and addends (uint32), each unit's file, first and last line (flattened)
/// and token count (uint16 or uint32), and the units' b-bit signatures (uint8, flattened).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn near_matches<'py>(
    py: Python<'py>,
    abstract_values: PyReadonlyArray1<'py, u64>,
    explained: PyReadonlyArray1<'py, i64>,
    partials: PyReadonlyArray1<'py, i64>,
    multipliers: PyReadonlyArray1<'py, u32>,
    addends: PyReadonlyArray1<'py, u32>,
    unit_file: ColumnArray<'py>,
    unit_lines: ColumnArray<'py>,
    unit_tokens: ColumnArray<'py>,
    signatures: PyReadonlyArray1<'py, u8>,
    k: usize,
    shingle: usize,
) -> PyResult<Vec<NearTuple>> {
    let rows = slice(&partials, "partials")?;
    if rows.len() % 5 != 0 {
        return Err(PyValueError::new_err(
            "partials must hold rows of five values",
        ));
    }
    let partials: Vec<Partial> = rows
        .chunks_exact(5)
        .map(|r| Partial {
            first: r[0],
            last: r[1],
            file: r[2],
            first_line: r[3],
            last_line: r[4],
        })
        .collect();
    let units = Units {
        file: column(&unit_file, "unit_file")?,
        lines: column(&unit_lines, "unit_lines")?,
        tokens: column(&unit_tokens, "unit_tokens")?,
        signatures: slice(&signatures, "signatures")?,
        multipliers: slice(&multipliers, "multipliers")?,
        addends: slice(&addends, "addends")?,
    };
    let abstract_values = slice(&abstract_values, "abstract")?;
    let explained = slice(&explained, "explained")?;
    let found = run(py, abstract_values.len(), || {
        near(abstract_values, explained, &partials, &units, k, shingle)
    });
    Ok(found
        .into_iter()
        .map(|m| {
            (
                m.file,
                m.low,
                m.high,
                m.first_line,
                m.last_line,
                m.window_tokens,
                m.similarity,
            )
        })
        .collect())
}

/// The text (code points, uint32) with invisible controls removed and look-alikes
/// folded, and the source offset of each of its characters (int64); None when nothing
/// changes.
#[pyfunction]
fn fold_unicode<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
) -> PyResult<Option<(Array<'py, u32>, Array<'py, i64>)>> {
    let cps = slice(&cps, "cps")?;
    Ok(run(py, cps.len(), || fold(cps))
        .map(|(out, source)| (out.into_pyarray(py), source.into_pyarray(py))))
}

/// Decoded code points, and each one's original range (starts, ends).
type Decoded<'py> = (Array<'py, u32>, Array<'py, i64>, Array<'py, i64>);

/// What one of the engine's rewriting decoders found, as arrays (see [`Decoded`]).
fn decoded<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
    decoder: fn(&[u32]) -> Option<Rewritten>,
) -> PyResult<Option<Decoded<'py>>> {
    let cps = slice(&cps, "cps")?;
    Ok(
        run(py, cps.len(), || decoder(cps)).map(|(out, starts, ends)| {
            (
                out.into_pyarray(py),
                starts.into_pyarray(py),
                ends.into_pyarray(py),
            )
        }),
    )
}

/// One pass of string-escape decoding (`native/engine/src/escapes.rs`): the decoded code
/// points and each one's original range `starts[i]..ends[i]`, or None without escapes.
#[pyfunction]
fn unescape<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
) -> PyResult<Option<Decoded<'py>>> {
    decoded(py, cps, engine_unescape)
}

/// HTML character references decoded (`native/engine/src/entities.rs`): the decoded code
/// points and each one's original range `starts[i]..ends[i]`, or None when none changes.
#[pyfunction]
fn unescape_entities<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
) -> PyResult<Option<Decoded<'py>>> {
    decoded(py, cps, engine_entities)
}

/// The line numbers and quote markers to delete (`native/engine/src/prefixes.rs`): the
/// sorted ranges `starts[i]..ends[i]`.
#[pyfunction]
fn prefix_cuts<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Array<'py, i64>, Array<'py, i64>)> {
    let cps = slice(&cps, "cps")?;
    let cuts = run(py, cps.len(), || engine_prefix_cuts(cps));
    // Offsets of a text held in memory fit in i64.
    let starts: Vec<i64> = cuts.iter().map(|&(start, _)| start as i64).collect();
    let ends: Vec<i64> = cuts.iter().map(|&(_, end)| end as i64).collect();
    Ok((starts.into_pyarray(py), ends.into_pyarray(py)))
}

/// The 16-bit hash of each line's abstract tokens (uint16, one per line `1..=n_lines`; 0
/// for lines without tokens), tokens valued `skip` left out.
#[pyfunction]
#[pyo3(signature = (abstract_values, line, n_lines, skip=None))]
fn line_hashes<'py>(
    py: Python<'py>,
    abstract_values: PyReadonlyArray1<'py, u64>,
    line: PyReadonlyArray1<'py, i32>,
    n_lines: usize,
    skip: Option<u64>,
) -> PyResult<Array<'py, u16>> {
    let (values, line) = (slice(&abstract_values, "abstract")?, slice(&line, "line")?);
    Ok(run(py, values.len(), || hash_lines(values, line, n_lines, skip)).into_pyarray(py))
}

/// The posting sections of an index from the postings of its files (index side; see
/// `merge.rs` and `pack.rs`): `(bits, sections, removed, distinct, marked)`, the sections
/// as `SectionsOut` lists them.
///
/// The postings are concatenated in file order (`counts` per file, `lines` lines each);
/// those whose (prefix, tag) pair is in `public_hashes`/`public_tags` are left out; the
/// prefixes of each of `idioms` (hashes, a set each) are marked common, and `marked`
/// counts the postings each set marked.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn merge_postings<'py>(
    py: Python<'py>,
    hashes: PyReadonlyArray1<'py, u64>,
    tags: PyReadonlyArray1<'py, u16>,
    starts: PyReadonlyArray1<'py, u32>,
    spans: PyReadonlyArray1<'py, u8>,
    counts: PyReadonlyArray1<'py, u32>,
    lines: PyReadonlyArray1<'py, u32>,
    public_hashes: PyReadonlyArray1<'py, u64>,
    public_tags: PyReadonlyArray1<'py, u16>,
    idioms: Vec<PyReadonlyArray1<'py, u64>>,
) -> PyResult<TablesOut<'py>> {
    let files = Files {
        hashes: slice(&hashes, "hashes")?,
        tags: slice(&tags, "tags")?,
        starts: slice(&starts, "starts")?,
        spans: slice(&spans, "spans")?,
        counts: slice(&counts, "counts")?,
        lines: slice(&lines, "lines")?,
    };
    let public = (
        slice(&public_hashes, "public_hashes")?,
        slice(&public_tags, "public_tags")?,
    );
    let idioms = slices(&idioms, "idioms")?;
    let (sections, bits, removed, distinct) = run(py, files.hashes.len(), || {
        merge_sections(files, public, &idioms)
    })
    .map_err(|error| {
        PyValueError::new_err(match error {
            MergeError::Lengths => {
                "hashes, tags, starts and spans must hold the postings the counts add up to"
            }
            MergeError::Files => "counts and lines must have one value per file",
            MergeError::StartLine => "a posting starts on line 0 (lines count from 1)",
            MergeError::Public => "public_hashes and public_tags must have the same length",
            MergeError::TooMany => "too many lines or postings for one index",
        })
    })?;
    Ok(tables(py, bits, sections, removed, distinct))
}

/// What `merge_postings` and `patch_postings` return: `(bits, (hash_buckets, residues,
/// offset_blocks, offsets, df, df_wide_slots, df_wide, post_loc, post_tag), removed,
/// distinct, marked)`; `offsets` is u16 when every value fits, else u32.
type TablesOut<'py> = (u32, SectionsOut<'py>, u64, u64, Vec<u64>);

/// The posting sections of an index, in the order `TablesOut` names them.
type SectionsOut<'py> = (
    Array<'py, u32>,
    Array<'py, u16>,
    Array<'py, u32>,
    Bound<'py, PyAny>,
    Array<'py, u8>,
    Array<'py, u32>,
    Array<'py, u16>,
    Array<'py, u8>,
    Array<'py, u16>,
);

fn tables(
    py: Python<'_>,
    bits: u32,
    sections: PackedTables,
    removed: u64,
    distinct: u64,
) -> TablesOut<'_> {
    (
        bits,
        (
            sections.table.hash_buckets.into_pyarray(py),
            sections.table.residues.into_pyarray(py),
            sections.offsets.blocks.into_pyarray(py),
            within_array(py, sections.offsets.within),
            sections.df.df.into_pyarray(py),
            sections.df.wide_slots.into_pyarray(py),
            sections.df.wide.into_pyarray(py),
            sections.post_loc.into_pyarray(py),
            sections.post_tag.into_pyarray(py),
        ),
        removed,
        distinct,
        sections.marked,
    )
}

/// The packed sections of merged tables (index side; `pack.rs`): `(hash_buckets,
/// residues, offset_blocks, offsets, df, df_wide_slots, df_wide)` from the ascending
/// prefixes `keys` of a table of `b = bits`, the U + 1 cumulative posting counts and
/// each prefix's file count. `offsets` is u16 when every value fits, else u32.
#[pyfunction]
fn pack_tables<'py>(
    py: Python<'py>,
    keys: PyReadonlyArray1<'py, u64>,
    bits: u32,
    offsets: PyReadonlyArray1<'py, u64>,
    df: PyReadonlyArray1<'py, u32>,
) -> PyResult<PackedOut<'py>> {
    let (keys, offsets, df) = (
        slice(&keys, "keys")?,
        slice(&offsets, "offsets")?,
        slice(&df, "df")?,
    );
    if !(4..=32).contains(&bits) {
        return Err(PyValueError::new_err("bits must be 4 to 32"));
    }
    if offsets.len() != keys.len() + 1 || df.len() != keys.len() {
        return Err(PyValueError::new_err(
            "offsets must hold one value more than keys, df one per key",
        ));
    }
    let (table, packed_offsets, packed_df) = run(py, keys.len(), || {
        (
            pack::pack_table(keys, bits),
            pack::pack_offsets(offsets),
            pack::pack_df(df),
        )
    });
    Ok((
        table.hash_buckets.into_pyarray(py),
        table.residues.into_pyarray(py),
        packed_offsets.blocks.into_pyarray(py),
        within_array(py, packed_offsets.within),
        packed_df.df.into_pyarray(py),
        packed_df.wide_slots.into_pyarray(py),
        packed_df.wide.into_pyarray(py),
    ))
}

/// The `offsets` section as numpy: u16 or u32, as packed.
fn within_array(py: Python<'_>, within: Within) -> Bound<'_, PyAny> {
    match within {
        Within::Narrow(values) => values.into_pyarray(py).into_any(),
        Within::Wide(values) => values.into_pyarray(py).into_any(),
    }
}

/// What `pack_tables` returns.
type PackedOut<'py> = (
    Array<'py, u32>,
    Array<'py, u16>,
    Array<'py, u32>,
    Bound<'py, PyAny>,
    Array<'py, u8>,
    Array<'py, u32>,
    Array<'py, u16>,
);

/// The packed `df`, `df_wide_slots` and `df_wide` sections of file counts (`pack.rs`).
#[pyfunction]
fn pack_df<'py>(
    py: Python<'py>,
    df: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Array<'py, u8>, Array<'py, u32>, Array<'py, u16>)> {
    let df = slice(&df, "df")?;
    let packed = run(py, df.len(), || pack::pack_df(df));
    Ok((
        packed.df.into_pyarray(py),
        packed.wide_slots.into_pyarray(py),
        packed.wide.into_pyarray(py),
    ))
}

/// The `line_code`, `line_rank` and `line_hash` sections from one hash per global line, 0
/// for lines without code (`pack.rs`).
#[pyfunction]
fn pack_lines<'py>(
    py: Python<'py>,
    hashes: PyReadonlyArray1<'py, u16>,
) -> PyResult<(Array<'py, u64>, Array<'py, u32>, Array<'py, u16>)> {
    let hashes = slice(&hashes, "hashes")?;
    let lines = run(py, hashes.len(), || pack::pack_lines(hashes));
    Ok((
        lines.code.into_pyarray(py),
        lines.rank.into_pyarray(py),
        lines.hashes.into_pyarray(py),
    ))
}

/// The prefix of every slot of a table, from its `hash_buckets` and `residues` sections
/// (`pack.rs`). ValueError when the directory does not describe the residues.
#[pyfunction]
fn table_keys<'py>(
    py: Python<'py>,
    hash_buckets: PyReadonlyArray1<'py, u32>,
    residues: PyReadonlyArray1<'py, u16>,
) -> PyResult<Array<'py, u64>> {
    let (buckets, residues) = (
        slice(&hash_buckets, "hash_buckets")?,
        slice(&residues, "residues")?,
    );
    run(py, residues.len(), || packed::table_keys(buckets, residues))
        .map(|keys| keys.into_pyarray(py))
        .ok_or_else(|| PyValueError::new_err("hash_buckets does not describe the residues"))
}

/// The U + 1 cumulative posting counts, from the `offset_blocks` and `offsets` (u16 or
/// u32) sections (`pack.rs`). ValueError when a block is missing.
#[pyfunction]
fn posting_offsets<'py>(
    py: Python<'py>,
    offset_blocks: PyReadonlyArray1<'py, u32>,
    offsets: ColumnArray<'py>,
) -> PyResult<Array<'py, u64>> {
    let blocks = slice(&offset_blocks, "offset_blocks")?;
    let within = column(&offsets, "offsets")?;
    run(py, within.len(), || packed::posting_offsets(blocks, within))
        .map(|offsets| offsets.into_pyarray(py))
        .ok_or_else(|| PyValueError::new_err("offset_blocks is too short for offsets"))
}

/// Whether each of `values` is one of `choices`, both ascending (index side: public sets
/// applied to sorted tables). ValueError when either is not ascending.
#[pyfunction]
fn sorted_member<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, u64>,
    choices: PyReadonlyArray1<'py, u64>,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let (values, choices) = (slice(&values, "values")?, slice(&choices, "choices")?);
    if values.windows(2).any(|w| w[0] > w[1]) || choices.windows(2).any(|w| w[0] > w[1]) {
        return Err(PyValueError::new_err(
            "values and choices must be ascending",
        ));
    }
    Ok(run(py, values.len(), || engine_sorted_member(values, choices)).into_pyarray(py))
}

/// (hashes no posting holds any more, hashes no posting held before) when the postings
/// `gone` leave an index and `fresh` ones come, `kept` (a list of arrays: runs of the kept
/// files' hashes, `leakguard.arrays.runs`) staying (index side; `patch.rs`).
#[pyfunction]
fn distinct_change<'py>(
    py: Python<'py>,
    kept: Vec<PyReadonlyArray1<'py, u64>>,
    gone: PyReadonlyArray1<'py, u64>,
    fresh: PyReadonlyArray1<'py, u64>,
) -> PyResult<(u64, u64)> {
    let parts = slices(&kept, "kept")?;
    let (gone, fresh) = (slice(&gone, "gone")?, slice(&fresh, "fresh")?);
    let size = parts.iter().map(|part| part.len()).sum();
    Ok(run(py, size, || {
        engine_distinct_change(&parts, gone, fresh)
    }))
}

/// The posting tables of an index patched after a few files changed (index side; see
/// `patch.rs`), from the old index's sections as it stores them, as `merge_postings`
/// returns them; `removed` counts only the new postings
/// dropped as public, and `distinct` is 0 (`distinct_change` tells). ValueError when the
/// old tables do not hang together or the new index would pack its postings otherwise:
/// merge in full then.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn patch_postings<'py>(
    py: Python<'py>,
    old_hash_buckets: PyReadonlyArray1<'py, u32>,
    old_residues: PyReadonlyArray1<'py, u16>,
    old_offset_blocks: PyReadonlyArray1<'py, u32>,
    old_offsets: ColumnArray<'py>,
    old_post_loc: PyReadonlyArray1<'py, u8>,
    old_post_tag: PyReadonlyArray1<'py, u16>,
    old_line_base: PyReadonlyArray1<'py, u32>,
    move_file: PyReadonlyArray1<'py, u32>,
    move_base: PyReadonlyArray1<'py, u32>,
    hashes: PyReadonlyArray1<'py, u64>,
    tags: PyReadonlyArray1<'py, u16>,
    starts: PyReadonlyArray1<'py, u32>,
    spans: PyReadonlyArray1<'py, u8>,
    counts: PyReadonlyArray1<'py, u32>,
    file: PyReadonlyArray1<'py, u32>,
    base: PyReadonlyArray1<'py, u32>,
    public_hashes: PyReadonlyArray1<'py, u64>,
    public_tags: PyReadonlyArray1<'py, u16>,
    bits: u32,
    lines: u64,
    idioms: Vec<PyReadonlyArray1<'py, u64>>,
) -> PyResult<TablesOut<'py>> {
    let old = Old {
        table: Packed {
            hash_buckets: slice(&old_hash_buckets, "old_hash_buckets")?,
            residues: slice(&old_residues, "old_residues")?,
            offset_blocks: slice(&old_offset_blocks, "old_offset_blocks")?,
            offsets: column(&old_offsets, "old_offsets")?,
        },
        post_loc: slice(&old_post_loc, "old_post_loc")?,
        post_tag: slice(&old_post_tag, "old_post_tag")?,
        line_base: slice(&old_line_base, "old_line_base")?,
    };
    let moves = Moves {
        file: slice(&move_file, "move_file")?,
        base: slice(&move_base, "move_base")?,
    };
    let fresh = Fresh {
        hashes: slice(&hashes, "hashes")?,
        tags: slice(&tags, "tags")?,
        starts: slice(&starts, "starts")?,
        spans: slice(&spans, "spans")?,
        counts: slice(&counts, "counts")?,
        file: slice(&file, "file")?,
        base: slice(&base, "base")?,
    };
    let public = (
        slice(&public_hashes, "public_hashes")?,
        slice(&public_tags, "public_tags")?,
    );
    if !(4..=32).contains(&bits) {
        return Err(PyValueError::new_err("bits must be 4 to 32"));
    }
    let idioms = slices(&idioms, "idioms")?;
    let (sections, removed) = run(py, old.post_tag.len(), || {
        patch(old, moves, fresh, public, bits, lines, &idioms)
    })
    .map_err(|error| {
        PyValueError::new_err(match error {
            PatchError::Old => "the old tables do not hang together",
            PatchError::Lengths => "the moves or the new files' arrays differ in length",
            PatchError::StartLine => "a posting starts on line 0 (lines count from 1)",
            PatchError::Layout => "the new index packs its postings otherwise than the old one",
        })
    })?;
    Ok(tables(py, bits, sections, removed, 0))
}

/// The (start, end) character offsets of the runs of at least `min_len` base64 characters
/// in `text`: where the decoder of encoded blocks runs its expressions.
#[pyfunction]
fn encoded_runs(text: &Bound<'_, PyString>, min_len: usize) -> Vec<(usize, usize)> {
    // Lossy: a lone surrogate (which no run holds) becomes one U+FFFD, offsets unchanged.
    engine_runs(&text.to_string_lossy(), min_len)
}

/// Per-line views of one token stream, made once for the findings of a scan: each
/// finding's copy is grown over the lines the index vouches for by `copy_bounds`.
#[pyclass(frozen, module = "leakguard._core")]
struct Lines {
    table: LineTable,
    line: Vec<i32>,
}

#[pymethods]
impl Lines {
    /// The table of a token stream (abstract values, line and start of each token) of a
    /// text (code points); `id`, `comma` and `sentence_ends` are the alphabet's values.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        abstract_values: PyReadonlyArray1<'_, u64>,
        line: PyReadonlyArray1<'_, i32>,
        start: PyReadonlyArray1<'_, i64>,
        cps: PyReadonlyArray1<'_, u32>,
        id: u64,
        comma: u64,
        sentence_ends: Vec<u64>,
    ) -> PyResult<Lines> {
        let symbols = LineSymbols {
            id,
            comma,
            sentence_ends: &sentence_ends,
        };
        let line = slice(&line, "line")?;
        let table = LineTable::new(
            slice(&abstract_values, "abstract")?,
            line,
            slice(&start, "start")?,
            slice(&cps, "cps")?,
            &symbols,
        );
        Ok(Lines {
            table,
            line: line.to_vec(),
        })
    }

    /// (first token, last token, first indexed line, last indexed line) of the copy a
    /// chain makes: its first and last hit's position, first and furthest indexed line,
    /// grown over the lines whose hashes match `source` (the indexed file's, uint16).
    #[allow(clippy::too_many_arguments)]
    fn copy_bounds(
        &self,
        source: PyReadonlyArray1<'_, u16>,
        first_pos: i64,
        last_pos: i64,
        first_line: i64,
        max_line: i64,
        k: i64,
        window: i64,
    ) -> PyResult<(i64, i64, i64, i64)> {
        let chain = ChainEdges {
            first_pos,
            last_pos,
            first_line,
            max_line,
        };
        Ok(copy_bounds(
            &self.table,
            &self.line,
            slice(&source, "source")?,
            &chain,
            k,
            window,
        ))
    }
}

/// The comments and fences (hidden) and string literals of `cps[begin:end]`, found by
/// the scan side's rules, as flat int64 (start, end) pairs.
#[pyfunction]
#[pyo3(signature = (cps, begin=0, end=None))]
fn specials<'py>(
    py: Python<'py>,
    cps: PyReadonlyArray1<'py, u32>,
    begin: usize,
    end: Option<usize>,
) -> PyResult<(Array<'py, i64>, Array<'py, i64>)> {
    let cps = slice(&cps, "cps")?;
    let end = end.unwrap_or(cps.len());
    let (hidden, strings) = run(py, cps.len(), || {
        let mut hidden = Vec::new();
        let mut strings = Vec::new();
        for region in find_regions(cps, begin, end) {
            let out = match region.kind {
                Kind::Hidden => &mut hidden,
                Kind::String => &mut strings,
                Kind::Lifetime => continue,
            };
            // Offsets of a text held in memory fit in i64.
            out.extend([region.start as i64, region.end as i64]);
        }
        (hidden, strings)
    });
    Ok((hidden.into_pyarray(py), strings.into_pyarray(py)))
}

/// The value of a symbol, given as its UTF-8 bytes (surrogates passed through).
#[pyfunction]
fn symbol(spelling: &[u8], seed: u64) -> u64 {
    leakguard_engine::alphabet::symbol_from_bytes(spelling, seed)
}

/// The spelling hash of a word, string or number given as code points (uint32).
#[pyfunction]
fn spelling(cps: PyReadonlyArray1<'_, u32>) -> PyResult<u64> {
    Ok(spelling_hash(slice(&cps, "cps")?))
}

/// The hash of every window of `k` token values (uint64).
#[pyfunction]
fn kgram_hashes<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, u64>,
    k: usize,
) -> PyResult<Array<'py, u64>> {
    let values = slice(&values, "values")?;
    Ok(run(py, values.len(), || kgram::kgram_hashes(values, k)).into_pyarray(py))
}

/// The 16-bit tag of every window of `k` concrete token values (uint64).
#[pyfunction]
fn kgram_tags<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, u64>,
    k: usize,
) -> PyResult<Array<'py, u16>> {
    let values = slice(&values, "values")?;
    Ok(run(py, values.len(), || kgram::kgram_tags(values, k)).into_pyarray(py))
}

/// How many marked positions (bool) every window of `k` holds.
#[pyfunction]
fn window_counts<'py>(
    py: Python<'py>,
    marked: PyReadonlyArray1<'py, bool>,
    k: usize,
) -> PyResult<Array<'py, i64>> {
    let marked = slice(&marked, "marked")?;
    Ok(run(py, marked.len(), || kgram::window_counts(marked, k)).into_pyarray(py))
}

/// leakguard's native scan core.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Alphabet>()?;
    m.add_class::<Table>()?;
    m.add_class::<Lines>()?;
    m.add(
        "TABLE_SECTIONS",
        (
            "hash_buckets",
            "residues",
            "offset_blocks",
            "offsets",
            "df",
            "df_wide_slots",
            "df_wide",
            "post_loc",
            "post_tag",
            "line_base",
            "public_names",
        ),
    )?;
    m.add_function(wrap_pyfunction!(symbol, m)?)?;
    m.add_function(wrap_pyfunction!(specials, m)?)?;
    m.add_function(wrap_pyfunction!(line_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(merge_postings, m)?)?;
    m.add_function(wrap_pyfunction!(patch_postings, m)?)?;
    m.add_function(wrap_pyfunction!(distinct_change, m)?)?;
    m.add_function(wrap_pyfunction!(sorted_member, m)?)?;
    m.add_function(wrap_pyfunction!(pack_tables, m)?)?;
    m.add_function(wrap_pyfunction!(pack_df, m)?)?;
    m.add_function(wrap_pyfunction!(pack_lines, m)?)?;
    m.add_function(wrap_pyfunction!(table_keys, m)?)?;
    m.add_function(wrap_pyfunction!(posting_offsets, m)?)?;
    m.add_function(wrap_pyfunction!(encoded_runs, m)?)?;
    m.add_function(wrap_pyfunction!(fold_unicode, m)?)?;
    m.add_function(wrap_pyfunction!(unescape, m)?)?;
    m.add_function(wrap_pyfunction!(prefix_cuts, m)?)?;
    m.add_function(wrap_pyfunction!(unescape_entities, m)?)?;
    m.add_function(wrap_pyfunction!(near_matches, m)?)?;
    m.add_function(wrap_pyfunction!(chain_hits, m)?)?;
    m.add_function(wrap_pyfunction!(spelling, m)?)?;
    m.add_function(wrap_pyfunction!(kgram_hashes, m)?)?;
    m.add_function(wrap_pyfunction!(kgram_tags, m)?)?;
    m.add_function(wrap_pyfunction!(window_counts, m)?)?;
    Ok(())
}
