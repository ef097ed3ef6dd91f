"""Frozen option objects passed to the pure functions of the library.

Two groups with different lifetimes:

* :class:`FingerprintParams` are baked into an index when it is built and stored in its
  manifest. Scanning must use exactly the same values, so they travel with the index
  and two indexes with different values refuse to merge.
* :class:`ScanPolicy` is decided by whoever scans (security team, gateway, developer)
  and can change without rebuilding anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from leakguard.errors import ConfigError

#: Version of the token alphabet (lexer rules, keyword set, drop rules). Any change to
#: how text becomes tokens changes fingerprints, so it is part of the index parameters.
ALPHABET_VERSION = 3


@dataclass(frozen=True)
class FingerprintParams:
    """Parameters that decide which fingerprints a text produces.

    Attributes:
        k: tokens per k-gram. Shorter k-grams match smaller copies but collide more often
            between unrelated code.
        window: winnowing window, in k-grams. The index keeps the minimum hash of every
            window, so any run of at least ``window + k - 1`` shared tokens is guaranteed
            to produce a hit (the MOSS guarantee); runs shorter than ``k`` never do.
        key_id: public identifier of the secret hashing key (``""`` when unkeyed). The key
            itself is never stored.
        min_distinct: k-grams with fewer different symbols are not indexed (lists of
            strings, one line repeated): they carry no evidence.
        minhash_perm: MinHash permutations per indexed unit.
        minhash_seed: seed of the MinHash permutations (fixed for determinism).
        shingle: tokens per MinHash shingle.
        dense_below: files of fewer tokens are fingerprinted densely: every informative
            k-gram is indexed, not one per window. A small program copied whole and then
            restructured keeps only short shared runs, too few for winnowing's sample;
            the index grows little, since such files are small (see
            ``ScanPolicy.small_file_coverage`` for the other half of the rule).
        alphabet: version of the token alphabet the fingerprints were made with.
    """

    k: int = 12
    window: int = 8
    key_id: str = ""
    min_distinct: int = 5
    minhash_perm: int = 64
    minhash_seed: int = 1
    shingle: int = 5
    dense_below: int = 300
    alphabet: int = ALPHABET_VERSION

    def __post_init__(self) -> None:
        if not 4 <= self.k <= 64:
            raise ConfigError(f"k must be between 4 and 64, got {self.k}")
        if not 1 <= self.window <= 256:
            raise ConfigError(f"window must be between 1 and 256, got {self.window}")
        if not 8 <= self.minhash_perm <= 512:
            raise ConfigError(f"minhash_perm must be between 8 and 512, got {self.minhash_perm}")
        if not 1 <= self.shingle <= 16:
            raise ConfigError(f"shingle must be between 1 and 16, got {self.shingle}")
        if self.dense_below < 0:
            raise ConfigError(f"dense_below must not be negative, got {self.dense_below}")

    @property
    def guarantee(self) -> int:
        """Length in tokens of the shortest shared run that is always detected."""
        return self.window + self.k - 1

    def to_json(self) -> dict[str, int | str]:
        """Return the parameters as a JSON-ready mapping (stored in the manifest)."""
        return {
            "k": self.k,
            "window": self.window,
            "key_id": self.key_id,
            "min_distinct": self.min_distinct,
            "minhash_perm": self.minhash_perm,
            "minhash_seed": self.minhash_seed,
            "shingle": self.shingle,
            "dense_below": self.dense_below,
            "alphabet": self.alphabet,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FingerprintParams:
        """Rebuild parameters from a manifest mapping; raises ConfigError on bad values."""
        try:
            return cls(
                k=int(data["k"]),  # type: ignore[call-overload]
                window=int(data["window"]),  # type: ignore[call-overload]
                key_id=str(data.get("key_id", "")),
                min_distinct=int(data["min_distinct"]),  # type: ignore[call-overload]
                minhash_perm=int(data["minhash_perm"]),  # type: ignore[call-overload]
                minhash_seed=int(data["minhash_seed"]),  # type: ignore[call-overload]
                shingle=int(data["shingle"]),  # type: ignore[call-overload]
                dense_below=int(data["dense_below"]),  # type: ignore[call-overload]
                alphabet=int(data["alphabet"]),  # type: ignore[call-overload]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"invalid fingerprint parameters: {exc}") from exc


@dataclass(frozen=True)
class ScanPolicy:
    """How hits become findings and a verdict.

    Attributes:
        threshold: evidence, in tokens, at which a finding scores 0.5 and counts as a leak.
            20 exact tokens is about 100 characters of code, somewhat below GitHub's
            public-code filter (about 150 characters); chosen from the quality benchmark
            (see README: "Choosing the threshold").
        renamed_weight: weight of a matched token whose identifiers differ from the indexed
            code (renamed copy) relative to an exact one. Structure alone is weaker
            evidence than structure plus names: at 0.5 a renamed copy needs twice the
            tokens of an exact one (40 at the default threshold) to alarm.
        max_df_fraction: a fingerprint found in more than this fraction of indexed files
            (and more than ``max_df_min`` files) is common and is not evidence.
        max_df_min: floor of the document-frequency cut-off, so small indexes keep working.
        gap: largest gap, in scanned tokens, between two hits of the same finding.
        min_report_tokens: findings with fewer matched tokens are not reported at all.
        near_duplicates: also look for edited copies with MinHash (costs some latency).
        small_file_coverage: a match with a densely fingerprinted (small) indexed file
            counts in full only once it covers this share of the file's tokens, and in
            proportion below it: the many fingerprints of a small file make its idioms
            easy to hit, while a copy of the program covers most of it.
        redaction_template: placeholder for a redacted finding, with ``{path}``,
            ``{lines}``, ``{start_line}`` and ``{end_line}``.
        warn_labels: ``"name=value"`` labels of indexed sources (``[tool.leakguard.labels]``)
            whose findings are reported as warnings: they do not make the text a leak (block
            what is ``sensitivity=secret``, warn on ``sensitivity=internal``).
    """

    threshold: float = 20.0
    renamed_weight: float = 0.5
    max_df_fraction: float = 0.01
    max_df_min: int = 16
    gap: int = 48
    min_report_tokens: int = 12
    near_duplicates: bool = True
    small_file_coverage: float = 0.2
    redaction_template: str = "[leakguard: {lines} lines of {path} removed]"
    warn_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.threshold <= 0:
            raise ConfigError("threshold must be positive")
        if not 0.0 <= self.renamed_weight <= 1.0:
            raise ConfigError("renamed_weight must be within [0, 1]")
        if not 0.0 < self.max_df_fraction <= 1.0:
            raise ConfigError("max_df_fraction must be within (0, 1]")
        if not 0.0 <= self.small_file_coverage <= 1.0:
            raise ConfigError("small_file_coverage must be within [0, 1]")
        if self.max_df_min < 1 or self.gap < 1 or self.min_report_tokens < 1:
            raise ConfigError("max_df_min, gap and min_report_tokens must be positive")

    def max_df(self, n_files: int) -> int:
        """Largest document frequency that still counts as evidence for an index of n files."""
        return max(self.max_df_min, int(self.max_df_fraction * n_files))


DEFAULT_PARAMS = FingerprintParams()
DEFAULT_POLICY = ScanPolicy()
