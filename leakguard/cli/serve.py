"""``leakguard serve``: the HTTP service (needs the ``serve`` extra)."""

from __future__ import annotations

import os

import click

from leakguard.cache import DEFAULT_CACHE_CHARS
from leakguard.cli.app import cli
from leakguard.cli.settings import index_options, read_key, resolve_settings
from leakguard.errors import ConfigError


@cli.command("serve")
@index_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option(
    "--max-bytes", default=1 << 20, show_default=True, type=click.IntRange(min=1), help="Largest request body."
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="File holding a bearer token every request must send (or LEAKGUARD_TOKEN).",
)
@click.option(
    "--no-token",
    "no_token",
    is_flag=True,
    help="Serve without a token on an address other than loopback (any host that reaches it can scan).",
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(min=1), help="Scans run at once in each worker."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes serving the same port (a scan holds Python's GIL: one per core uses them all).",
)
@click.option(
    "--cache-chars",
    default=DEFAULT_CACHE_CHARS,
    show_default=True,
    type=click.IntRange(min=0),
    help="Characters of recently scanned text whose results are kept (a chat resends its history); 0 keeps none.",
)
@click.option(
    "--fail-open",
    is_flag=True,
    default=None,
    help="Answer 200 with is_leak false (and failed: true) when a text cannot be scanned, instead of 503 "
    "with is_leak true (or LEAKGUARD_FAIL_OPEN=1).",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds a scan may take before the text counts as not scannable (or LEAKGUARD_TIME_BUDGET).",
)
def serve_command(
    index_dir: str | None,
    key_file: str | None,
    threshold: float | None,
    baseline: str | None,
    host: str,
    port: int,
    max_bytes: int,
    token_file: str | None,
    no_token: bool,
    threads: int,
    workers: int,
    cache_chars: int,
    fail_open: bool | None,
    time_budget: float | None,
) -> None:
    """Serve POST /v1/scan, POST /v1/redact and GET /healthz over HTTP (needs leakguard[serve]).

    Without a token (--token-file or LEAKGUARD_TOKEN) the service only listens on a
    loopback address, unless --no-token says that is meant.
    """
    try:
        from leakguard.service import serve
    except ImportError as exc:
        raise ConfigError(f"leakguard serve needs the serve extra: pip install 'leakguard[serve]' ({exc})") from exc
    token = os.environ.get("LEAKGUARD_TOKEN")
    if token_file is not None:
        token = (read_key(token_file) or b"").decode("utf-8", "replace")
    if not token:
        if not _is_loopback(host) and not no_token:
            raise click.UsageError(
                f"refusing to serve on {host} without a token: pass --token-file (or set LEAKGUARD_TOKEN), "
                "or --no-token if any host that reaches it may use it"
            )
        click.echo(
            f"leakguard: warning: no token set: any process that reaches {host}:{port} can scan and redact "
            "(pass --token-file or set LEAKGUARD_TOKEN)",
            err=True,
        )
    from leakguard.failsafe import Failsafe

    failsafe = Failsafe.resolve(fail_open, time_budget)
    scanner = resolve_settings(index_dir, key_file, threshold, baseline, cache_chars).scanner
    click.echo(f"leakguard: serving {scanner.index.n_files} indexed files on http://{host}:{port}", err=True)
    serve(
        scanner,
        host,
        port,
        max_bytes=max_bytes,
        token=token or None,
        threads=threads,
        workers=workers,
        failsafe=failsafe,
    )


def _is_loopback(host: str) -> bool:
    """Whether ``host`` names a loopback address (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere
