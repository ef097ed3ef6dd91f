"""Real package source of every supported language, split by package into three roles.

The company-scale benchmark (:mod:`scale`) needs what a company indexes and what its
engineers paste: hundreds of megabytes of real code, and unrelated code from the *same*
ecosystems (the same frameworks, languages and domains). Both come from one pool of public
packages, listed with pinned versions in ``benchmarks/ecosystems.txt`` and fetched from the
registries this project can reach (Debian, npm, Maven Central, PyPI, the Go module proxy).
Each package takes one role, decided by a hash of its *family* (the project or author it
belongs to, see :func:`family`; so adding packages never moves the others, and sibling
packages of one project never end up on both sides):

* ``background`` (30%): the public corpus the shipped background model is built from
  (``fingerprints/public/background``, see ``fingerprints/public/build.sh``);
* ``indexed`` (55%): the "proprietary" code the benchmark indexes;
* ``negatives`` (15%): the independent code whose snippets must not alarm.

No package is in two roles, so nothing the model or the defaults were built from is
scored. Only source files of the supported languages are kept (``~/.cache/leakguard/
ecosystems/<origin>/<name>/``, or ``$LEAKGUARD_ECOSYSTEMS``).

    python benchmarks/ecosystems.py fetch            # download what is missing (about 1.5 GB)
    python benchmarks/ecosystems.py fetch --role negatives
    python benchmarks/ecosystems.py summary          # megabytes per role and language
    python benchmarks/ecosystems.py select           # rewrite ecosystems.txt (maintainers)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import xxhash

HERE = Path(__file__).resolve().parent
LIST = HERE / "ecosystems.txt"
ROOT = Path(os.environ.get("LEAKGUARD_ECOSYSTEMS", Path.home() / ".cache" / "leakguard" / "ecosystems"))
ROLES = ("background", "indexed", "negatives")
_SOURCE = re.compile(
    r"\.(py|pyi|js|mjs|cjs|jsx|ts|mts|cts|tsx|java|c|h|cc|cpp|cxx|hpp|hh|hxx|ipp|cs|go|rs|rb|php|kt|kts)$"
)
_MAX_FILE = 1_000_000
#: Files a distribution's packaging generates, not the package's own source: Debian's PHP
#: packages each get an ``autoload.php`` written by its packaging tools (phpab), the same
#: template and ``require`` lines everywhere. Left out like ``.d.ts`` files and node_modules.
_PACKAGING = re.compile(r"(^|/)usr/share/php/(.*/)?autoload\.php$")
MAVEN = "https://repo1.maven.org/maven2"
GOPROXY = "https://proxy.golang.org"


@dataclass(frozen=True)
class Package:
    origin: str  # deb, npm, maven, pypi, goproxy
    name: str
    version: str

    @property
    def family(self) -> str:
        """The project the package belongs to, as far as its name tells (see :func:`family`)."""
        return family(self.origin, self.name)

    @property
    def role(self) -> str:
        """The package's role, from a hash of its family (see the module docstring)."""
        bucket = xxhash.xxh64_intdigest(self.family.encode(), seed=20261207) % 20
        return ROLES[0] if bucket < 6 else ROLES[1] if bucket < 17 else ROLES[2]

    @property
    def path(self) -> Path:
        return ROOT / self.origin / self.name.replace("/", "__").replace(":", "__")


#: Debian name prefixes, each followed by the family word (the owner of golang-github-OWNER-REPO).
_DEBIAN_FAMILIES = ("golang-github-", "golang-gitlab-", "golang-gopkg-", "golang-", "librust-", "node-", "ruby-",
                    "php-", "python3-", "lib")  # fmt: skip


def family(origin: str, name: str) -> str:
    """Packages of one project or one author's family go to one role, so that no role holds
    a sibling of another's code (two artifacts of one repository, one author's packages
    copied from each other): independent code is what the negatives must be.

    From the name alone: a Maven group's first two labels (``io.ktor``); an npm scope
    (``@tanstack``), ``expo`` for the Expo monorepo's ``expo-*``, else the package; for
    Debian, the word after the ecosystem prefix (``golang-github-OWNER-*`` by owner,
    ``node-d3-*``, ``php-symfony-*``, ``librust-tokio-*``); a PyPI project is its own.
    """
    if origin == "maven":
        return "maven:" + ".".join(name.split(":")[0].split(".")[:2])
    if origin == "npm":
        if name.startswith("@"):
            return "npm:" + name.split("/")[0]
        return "npm:expo" if name.startswith("expo-") else "npm:" + name
    if origin == "deb":
        for prefix in _DEBIAN_FAMILIES:
            if name.startswith(prefix):
                word = re.split(r"[-.+]", name[len(prefix) :])[0]
                return f"deb:{prefix}{word}"
    return f"{origin}:{name}"


def pool() -> list[Package]:
    """Every package of ``ecosystems.txt``, in its order."""
    out = []
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            origin, name, version = line.split()
            out.append(Package(origin, name, version))
    return out


def packages(role: str) -> list[Package]:
    """The fetched packages of one role (those a registry could not serve are left out)."""
    return [p for p in pool() if p.role == role and p.path.is_dir()]


def _keep_sources(tree: Path, dest: Path) -> None:
    """Move the source files under ``tree`` into ``dest``, keeping their relative paths."""
    staging = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for path in sorted(tree.rglob("*")):
        if path.is_file() and not path.is_symlink() and _SOURCE.search(path.name) and path.stat().st_size <= _MAX_FILE:
            relative = path.relative_to(tree).as_posix()
            if "node_modules" in path.parts or path.name.endswith(".d.ts") or _PACKAGING.search(relative):
                continue
            target = staging / path.relative_to(tree)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
    staging.mkdir(parents=True, exist_ok=True)
    staging.rename(dest)


def _unpack(data: bytes, into: Path) -> None:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                name = member.filename
                if member.is_dir() or ".." in Path(name).parts or name.startswith("/"):
                    continue
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
    else:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(into, filter="data")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        data: bytes = response.read()
        return data


def _download(package: Package, work: Path) -> None:
    name, version = package.name, package.version
    if package.origin == "deb":
        subprocess.run(["apt-get", "download", f"{name}={version}"], cwd=work, check=True, capture_output=True)
        deb = next(work.glob("*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "tree")], check=True, capture_output=True)
    elif package.origin == "npm":
        subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work, check=True, capture_output=True)
        _unpack(next(work.glob("*.tgz")).read_bytes(), work / "tree")
    elif package.origin == "maven":
        group, artifact = name.split(":")
        url = f"{MAVEN}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}-sources.jar"
        _unpack(_get(url), work / "tree")
    elif package.origin == "pypi":
        # The sdist's address from PyPI's JSON API (pip download would build its metadata).
        listing = f"https://pypi.org/pypi/{name}/json"
        files = json.loads(_get(listing))["releases"][version]
        sdist = next(f["url"] for f in files if f["packagetype"] == "sdist")
        _unpack(_get(urllib.parse.urljoin(listing, sdist)), work / "tree")  # a mirror may give it relative
    elif package.origin == "goproxy":
        escaped = re.sub(r"[A-Z]", lambda m: "!" + m.group().lower(), name)
        _unpack(_get(f"{GOPROXY}/{escaped}/@v/{version}.zip"), work / "tree")
    else:
        raise ValueError(f"unknown origin {package.origin}")


def fetch_one(package: Package) -> str | None:
    """Download and unpack one package; returns an error line, or None."""
    if package.path.is_dir():
        return None
    package.path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="leakguard-eco-") as tmp:
        work = Path(tmp)
        try:
            for attempt in range(3):
                try:
                    _download(package, work)
                    break
                except (subprocess.CalledProcessError, OSError, StopIteration) as exc:
                    if attempt == 2 or getattr(exc, "code", None) == 404:
                        raise
                    for leftover in work.iterdir():
                        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
            _keep_sources(work / "tree", package.path)
        except Exception as exc:
            return f"{package.origin} {package.name} {package.version}: {type(exc).__name__}"
    return None


def _fetch_debs(batch: list[Package]) -> None:
    """Debian packages a hundred at a time: one apt-get call is much faster than a hundred
    (what one call could not get, :func:`fetch_one` tries alone)."""
    with tempfile.TemporaryDirectory(prefix="leakguard-eco-") as tmp:
        work = Path(tmp)
        names = [f"{p.name}={p.version}" for p in batch]
        subprocess.run(["apt-get", "download", *names], cwd=work, capture_output=True)
        for package in batch:
            debs = list(work.glob(f"{package.name}_*.deb"))
            if not debs or package.path.is_dir():
                continue
            tree = work / package.name
            done = subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tree)], capture_output=True)
            if done.returncode == 0:
                package.path.parent.mkdir(parents=True, exist_ok=True)
                _keep_sources(tree, package.path)
            shutil.rmtree(tree, ignore_errors=True)


def fetch(role: str | None = None, jobs: int = 8, limit: int | None = None) -> list[str]:
    """Fetch the pool (or one role of it; with ``limit``, ``limit`` Debian packages of each
    role, for a smoke run); returns the packages that failed."""
    wanted = [p for p in pool() if role is None or p.role == role]
    if limit is not None:  # spread over the Debian list, so that every language in it is there
        debs = {r: [p for p in wanted if p.origin == "deb" and p.role == r] for r in ROLES}
        wanted = [p for r in ROLES for p in debs[r][:: max(1, len(debs[r]) // limit)][:limit]]
    wanted = [p for p in wanted if not p.path.is_dir()]
    debs = [p for p in wanted if p.origin == "deb"]
    with ThreadPoolExecutor(jobs) as workers:
        list(workers.map(_fetch_debs, [debs[i : i + 100] for i in range(0, len(debs), 100)]))
        return [e for e in workers.map(fetch_one, wanted) if e]


def summary() -> str:
    from leakguard.normalise.languages import EXTENSIONS

    size: dict[str, Counter[str]] = defaultdict(Counter)
    count: Counter[str] = Counter()
    for package in pool():
        if not package.path.is_dir():
            continue
        count[package.role] += 1
        for path in package.path.rglob("*"):
            language = EXTENSIONS.get(path.suffix.lower())
            if language and path.is_file():
                size[package.role][language] += path.stat().st_size
    languages = sorted({lang for sizes in size.values() for lang in sizes})
    rows = ["| role | packages | MB | " + " | ".join(languages) + " |", "|---" * (len(languages) + 3) + "|"]
    for role in ROLES:
        cells = " | ".join(f"{size[role][lang] / 1e6:.1f}" for lang in languages)
        rows.append(f"| {role} | {count[role]} | {sum(size[role].values()) / 1e6:.0f} | {cells} |")
    return "\n".join(rows)


# --- selection (maintainers): how ecosystems.txt was made -----------------------------------

#: Debian packages by name pattern, and about how many megabytes of each to take (installed size).
DEBIAN = {
    r"^golang-.*-dev$": 900,
    r"^librust-[^+]*-dev$": 600,
    r"^node-": 500,
    r"^ruby-": 350,
    r"^php-": 250,
    r"^python3-": 700,
    r"^lib.*-dev$": 400,
}


def _debian() -> list[Package]:
    text = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True, text=True).stdout
    found: dict[str, tuple[str, int, str]] = {}
    for record in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", record, re.M))
        if {"Package", "Version", "Installed-Size"} <= fields.keys() and fields.get("Architecture") in ("all", "amd64"):
            found[fields["Package"]] = (fields["Version"], int(fields["Installed-Size"]), fields.get("Section", ""))
    out: list[Package] = []
    taken: set[str] = set()
    rng = random.Random(20261207)
    for pattern, megabytes in DEBIAN.items():
        names = sorted(n for n in found if re.search(pattern, n) and n not in taken and 30 <= found[n][1] <= 30_000)
        names = [n for n in names if not re.search(r"-(doc|dbg|examples|tests?)$", n)]
        rng.shuffle(names)
        budget = megabytes * 1024
        for name in names:
            if budget <= 0:
                break
            budget -= found[name][1]
            taken.add(name)
            out.append(Package("deb", name, found[name][0]))
    return out


def _maven_listed(listing: Path | None) -> list[tuple[str, str]]:
    """(group:artifact, version) rows of a listing of Maven Central (tab-separated, a header line)."""
    if listing is None:
        return []
    rows = [line.split("\t") for line in listing.read_text().splitlines()[1:]]
    named = [(r[0], r[1]) for r in rows if len(r) > 1 and re.match(r"^\d", r[1])]
    return [(name, version) for name, version in named if re.fullmatch(r"[\w.-]+:[\w.-]+", name)]


def select(maven_listing: Path | None = None) -> None:
    """Rewrite ``ecosystems.txt`` from the registries' listings (Debian's apt metadata,
    npm's and PyPI's latest versions, Maven's listing) and the hand lists in ``ecosystems-extra.json``."""
    extra = json.loads((HERE / "ecosystems-extra.json").read_text())
    entries = _debian()
    maven = dict(_maven_listed(maven_listing))
    maven.update(extra["maven"])
    entries += [Package("maven", name, version) for name, version in sorted(maven.items())]

    def npm_version(name: str) -> Package | None:
        done = subprocess.run(["npm", "view", name, "version"], capture_output=True, text=True)
        version = done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else ""
        return Package("npm", name, version) if version else None

    def pypi_version(name: str) -> Package | None:
        try:
            data = json.loads(_get(f"https://pypi.org/pypi/{name}/json"))
        except OSError:
            return None
        return Package("pypi", name, data["info"]["version"])

    with ThreadPoolExecutor(8) as workers:
        entries += [p for p in workers.map(npm_version, extra["npm"]) if p]
        entries += [p for p in workers.map(pypi_version, extra["pypi"]) if p]
    entries += [Package("goproxy", name, version) for name, version in extra["goproxy"].items()]
    head = "# origin name version: the benchmark pool (see benchmarks/ecosystems.py; made by its 'select')\n"
    LIST.write_text(head + "".join(f"{p.origin} {p.name} {p.version}\n" for p in entries))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("fetch", "summary", "select", "paths"))
    parser.add_argument("--role", choices=ROLES)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--limit", type=int, help="fetch only the first LIMIT Debian packages of each role (CI)")
    parser.add_argument("--maven-listing", type=Path, help="select: a listing of Maven Central artifacts to add")
    args = parser.parse_args()
    if args.command == "select":
        select(args.maven_listing)
    elif args.command == "paths":
        print("\n".join(str(p.path) for p in packages(args.role) if args.role))
    elif args.command == "fetch":
        failed = fetch(args.role, args.jobs, args.limit)
        for line in failed:
            print(f"unavailable: {line}", file=sys.stderr)
        print(summary())
    else:
        print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
