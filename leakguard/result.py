"""What a scan returns: findings and the verdict, plus redaction of the scanned text."""

from __future__ import annotations

from dataclasses import dataclass, field

from leakguard.options import DEFAULT_POLICY, ScanPolicy


@dataclass(frozen=True)
class Finding:
    """One region of the scanned text that matches one indexed file.

    Attributes:
        path: indexed file, relative to the indexed root.
        start_line: first matched line of the indexed file (1-based).
        end_line: last matched line of the indexed file (1-based, inclusive).
        start: character offset in the scanned text where the match starts.
        end: character offset where it ends (exclusive).
        score: strength in [0, 1]; 0.5 is the leak threshold.
        matched_tokens: tokens of the scanned text covered by matching fingerprints.
        exact_tokens: of those, tokens whose identifier names match too (not renamed).
        common_tokens: of those, tokens matched only by k-grams whose shape is common in
            public code (the background model): they count because their names match.
        text_start_line: line of the scanned text where the match starts (1-based).
        text_end_line: line of the scanned text where it ends (1-based, inclusive).
        labels: labels of the indexed source the file belongs to (``"name=value"``, sorted).
        warn: the policy's ``warn_labels`` name one of them: reported, but not a leak, and
            not redacted.
    """

    path: str
    start_line: int
    end_line: int
    start: int
    end: int
    score: float
    matched_tokens: int
    exact_tokens: int = 0
    text_start_line: int = 0
    text_end_line: int = 0
    common_tokens: int = 0
    labels: tuple[str, ...] = ()
    warn: bool = False

    @property
    def why(self) -> str:
        """Why this is evidence, in one sentence: how much matched with the same names, and
        how much of it has shapes common in public code."""
        same = f"{self.exact_tokens} of {self.matched_tokens} matched tokens have the same names"
        if self.exact_tokens == 0:
            same = f"{self.matched_tokens} tokens match in structure with other names (a renamed copy)"
        if self.common_tokens:
            return (f"{same}; {self.common_tokens} of them are in shapes common in public code, "
                    "counted only because their names match")  # fmt: skip
        return f"{same}; their shapes are rare in public code"

    def placeholder(self, template: str) -> str:
        """What replaces this finding in redacted text (``{path}``, ``{lines}``, ``{start_line}``,
        ``{end_line}`` are filled in)."""
        return template.format(
            path=self.path,
            lines=self.end_line - self.start_line + 1,
            start_line=self.start_line,
            end_line=self.end_line,
        )

    def to_json(self) -> dict[str, object]:
        """The finding as the CLI's and the service's JSON object."""
        return {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "matched_tokens": self.matched_tokens,
            "exact_tokens": self.exact_tokens,
            "common_tokens": self.common_tokens,
            "why": self.why,
            "text_start_line": self.text_start_line,
            "text_end_line": self.text_end_line,
            "labels": dict(label.split("=", 1) for label in self.labels),
            "action": "warn" if self.warn else "block",
        }


@dataclass(frozen=True)
class ScanResult:
    """The outcome of scanning one text.

    Attributes:
        is_leak: True when at least one finding reaches the leak threshold (and is not a
            warning only: see :attr:`Finding.warn`).
        score: the strongest match seen, in [0, 1], including matches too weak to report.
        findings: matches at or above the threshold, in order of position in the text.
        text: the scanned text ("" when a stream too large to keep was scanned).
    """

    is_leak: bool
    score: float
    findings: list[Finding]
    text: str = field(repr=False, default="")
    policy: ScanPolicy = field(repr=False, default=DEFAULT_POLICY)

    def to_json(self) -> dict[str, object]:
        """The result as one JSON object: ``{"is_leak", "score", "findings": [...]}``."""
        return {
            "is_leak": self.is_leak,
            "score": round(self.score, 4),
            "findings": [finding.to_json() for finding in self.findings],
        }

    def redacted(self, template: str | None = None) -> str:
        """The scanned text with every finding replaced by a placeholder naming what went.

        Everything outside the findings is kept byte for byte. ``template`` (default: the
        policy's ``redaction_template``) may use ``{path}``, ``{lines}``, ``{start_line}``
        and ``{end_line}``.
        """
        if self.findings and not self.text:
            from leakguard.errors import InputError

            raise InputError("the scanned text was streamed and not kept: use leakguard.redact_stream")
        template = template if template is not None else self.policy.redaction_template
        pieces: list[str] = []
        position = 0
        for finding in sorted(self.findings, key=lambda f: f.start):
            if finding.start < position or finding.warn:
                continue
            pieces.append(self.text[position : finding.start])
            pieces.append(finding.placeholder(template))
            position = finding.end
        pieces.append(self.text[position:])
        return "".join(pieces)


def blocks(findings: list[Finding]) -> bool:
    """Whether any of ``findings`` makes the text a leak (one that is not a warning only)."""
    return any(not finding.warn for finding in findings)
