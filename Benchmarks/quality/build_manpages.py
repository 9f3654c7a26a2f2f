"""Builds the retrieval-quality corpus of `cairn bench quality` from the machine's English manual pages.

    python3 Benchmarks/quality/build_manpages.py --out Benchmarks/data/manpages [--jobs 2]

Rules (deterministic for a given set of installed pages; the manifest records the counts and packages):

- Pages: every regular file (symbolic links are aliases) under /usr/share/man/man1 … man8 (English: the
  locale directories are not read) that is not a `.so` redirect. Each page's package comes from dpkg's file
  lists; packages with more than 500 pages are left out (google-cloud-cli alone installs 16,631 near-identical
  `gcloud` pages, which would be most of the corpus). Debian's `manpages` and `manpages-dev` are always in.
- Rendering: `man -l` with MANWIDTH=80, no hyphenation or justification, UTF-8, through `col -bx`.
- NAME: the lines between the `NAME` heading and the next heading (a line starting at column 0), joined;
  split at the first " - " (or en/em dash) into the page's names (comma-separated) and its description.
  Pages without such a line are left out.
- Document: the rendered text after the NAME section (SYNOPSIS onwards) without the footer line.
  A document whose text equals an earlier one's (by path order) is left out.
- Query: the description with every one of the page's names removed (whole words, any case) and spaces,
  commas, colons, semicolons and hyphens trimmed from its ends. Queries with
  fewer than two words left are dropped. Pages with the same query text share one query, all relevant.
- Held out: pages whose SHA-256 of "name.section" starts with a byte ≡ 0 (mod 10) are not ingested; a query
  whose relevant pages are all held out is a "not in the materials" query (grounding calibration).

Output: OUT/docs/<id>.txt (id = file name without .gz, e.g. ls.1), OUT/held-out/<id>.txt, OUT/queries.jsonl
({"id", "query", "relevant": [ids], "held_out": bool}) and OUT/manifest.json.
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MAN_ROOT = Path("/usr/share/man")
SECTIONS = [f"man{i}" for i in range(1, 9)]
MAX_PAGES_PER_PACKAGE = 500
ALWAYS = {"manpages", "manpages-dev"}
HEADING = re.compile(r"^[A-Z][A-Z0-9 /&-]*$")
DASH = re.compile(r"\s+(?:-|\u2013|\u2014|\\-)\s+")


def log(message):
    print(f"build_manpages: {message}", file=sys.stderr, flush=True)


def packages_by_file():
    owner = {}
    for listing in sorted(Path("/var/lib/dpkg/info").glob("*.list")):
        package = listing.name[: -len(".list")].split(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            if line.startswith("/usr/share/man/man"):
                owner[line] = package
    return owner


def read_source(path):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def render(path):
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="", GROFF_NO_SGR="1")
    man = subprocess.run(["man", "--no-hyphenation", "--no-justification", "-E", "UTF-8", "-l", str(path)],
                         env=env, capture_output=True)
    if man.returncode != 0 or not man.stdout:
        return None
    col = subprocess.run(["col", "-bx"], input=man.stdout, capture_output=True, env=env)
    return col.stdout.decode("utf-8", errors="replace")


def split_page(text):
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "NAME" and not line.startswith(" ")), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")
                and HEADING.match(lines[i].strip())), None)
    if end is None:
        return None
    name_line = " ".join(" ".join(lines[start + 1:end]).split())
    parts = DASH.split(name_line, maxsplit=1)
    if len(parts) != 2:
        return None
    names = [n.strip() for n in parts[0].split(",") if n.strip()]
    body = lines[end:]
    while body and not body[-1].strip():
        body.pop()
    if body:
        body.pop()  # the footer: source, date and the page's name
    return names, parts[1].strip(), "\n".join(body).strip() + "\n"


def query_of(description, names):
    query = description
    for name in sorted(set(names), key=len, reverse=True):
        query = re.sub(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", " ", query, flags=re.IGNORECASE)
    query = " ".join(query.split()).strip(" ,;:-")
    return query if len(re.findall(r"\w+", query)) >= 2 else None


def held_out(page_id):
    return hashlib.sha256(page_id.encode()).digest()[0] % 10 == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    out = Path(args.out)
    owner = packages_by_file()
    files = []
    for section in SECTIONS:
        for path in sorted((MAN_ROOT / section).iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            files.append(path)
    per_package = Counter(owner.get(str(p), "(no package)") for p in files)
    excluded = sorted(pkg for pkg, n in per_package.items() if n > MAX_PAGES_PER_PACKAGE and pkg not in ALWAYS)
    files = [p for p in files if owner.get(str(p), "(no package)") not in excluded]
    files = [p for p in files if not read_source(p).lstrip().startswith(".so ")]
    log(f"{len(files)} pages to render (left out: {', '.join(f'{p} ({per_package[p]})' for p in excluded) or 'none'})")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rendered = list(pool.map(render, files))
    pages = []
    seen_docs = set()
    skipped = Counter()
    for path, text in zip(files, rendered):
        page_id = path.name[:-3] if path.name.endswith(".gz") else path.name
        if text is None:
            skipped["did not render"] += 1
            continue
        split = split_page(text)
        if split is None:
            skipped["no NAME line"] += 1
            continue
        names, description, document = split
        digest = hashlib.sha256(document.encode()).hexdigest()
        if digest in seen_docs:
            skipped["duplicate text"] += 1
            continue
        seen_docs.add(digest)
        pages.append({"id": page_id, "package": owner.get(str(path), "(no package)"), "names": names,
                      "description": description, "document": document, "held_out": held_out(page_id)})
    for sub in ("docs", "held-out"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).glob("*.txt"):
            old.unlink()
    by_query = defaultdict(list)
    for page in pages:
        (out / ("held-out" if page["held_out"] else "docs") / f"{page['id']}.txt").write_text(page["document"])
        query = query_of(page["description"], page["names"])
        if query is None:
            skipped["query too short"] += 1
            continue
        by_query[query].append(page)
    queries = []
    for n, (query, group) in enumerate(sorted(by_query.items())):
        ingested = [p["id"] for p in group if not p["held_out"]]
        queries.append({"id": n + 1, "query": query, "relevant": sorted(ingested) or sorted(p["id"] for p in group),
                        "held_out": not ingested})
    with open(out / "queries.jsonl", "w") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    manifest = {
        "pages": len(pages), "ingested": sum(not p["held_out"] for p in pages),
        "held_out": sum(p["held_out"] for p in pages), "queries": len(queries),
        "queries_in_materials": sum(not q["held_out"] for q in queries),
        "queries_not_in_materials": sum(q["held_out"] for q in queries),
        "skipped": dict(sorted(skipped.items())), "packages_left_out": {p: per_package[p] for p in excluded},
        "packages": dict(sorted(Counter(p["package"] for p in pages).items())),
        "document_characters": sum(len(p["document"]) for p in pages if not p["held_out"]),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    log(json.dumps({k: v for k, v in manifest.items() if k != "packages"}))


if __name__ == "__main__":
    main()
