"""The nightly benchmark report as an engineer sees it: three small runs of `cairn bench nightly` recorded in
the server's data directory (the third judged by a rule it must break), the history read from GET
/v1/benchmarks, the page from GET /v1/benchmarks/report rendered by headless Chromium, measured in the
browser (every chart drawn, no horizontal overflow at 1280 or 400 px) and looked at as a picture."""

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from PIL import Image

from conftest import BINARY, ROOT
from test_report import chromium


def nightly(data_dir, bench_dir, *extra):
    return subprocess.run([BINARY, "bench", "nightly", "--data-dir", data_dir, "--benchmarks-dir", str(bench_dir),
                           "--sections", "index,filtered", "--sizes", "2000", "--no-peers", *extra],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def get(server, path):
    request = urllib.request.Request(f"{server.url}{path}", headers={"Authorization": f"Bearer {server.admin_key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers["Content-Type"], response.read().decode()


def probe(workdir, width):
    page = workdir / f"bench-probe-{width}.html"
    page.write_text(f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" src="benchmarks.html" style="width:{width}px;height:4000px;border:0"></iframe>
<pre id="out"></pre>
<script>
document.getElementById('r').addEventListener('load', () => {{
  const d = document.getElementById('r').contentDocument;
  const svgs = [...d.querySelectorAll('svg.chart')].map(s => {{
    const b = s.getBoundingClientRect();
    return {{w: b.width, h: b.height, lines: s.querySelectorAll('path[fill=none]').length,
             marks: s.querySelectorAll('circle, rect, path').length, title: s.querySelector('title').textContent}};
  }});
  document.getElementById('out').textContent = JSON.stringify({{
    svgs, scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
    banner: d.querySelector('.banner').className, regressed: d.querySelectorAll('tr.regressed').length,
    runs: d.querySelectorAll('h2 + table tbody tr').length, title: d.title}});
}});
</script></body></html>""")
    dom = chromium("--virtual-time-budget=10000", "--dump-dom", page.as_uri()).stdout
    assert '<pre id="out">' in dom, dom[-2000:]
    return json.loads(dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0].replace("&quot;", '"')
                      .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def test_benchmark_report_renders_in_chromium(server, workdir):
    bench_dir = workdir / "bench"
    bench_dir.mkdir()
    for _ in range(2):
        done = nightly(server.data_dir, bench_dir)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "# Nightly benchmark, run" in done.stdout
    # A floor no run can reach: the third run is a regression, named on standard error, and exits 1.
    rules = workdir / "rules.json"
    rules.write_text(json.dumps({"floors": [{"figure": "index/recall@10 ef 64 2k/64", "min": 1.5}]}))
    page = workdir / "benchmarks.html"
    done = nightly(server.data_dir, bench_dir, "--rules", str(rules), "--html", str(workdir / "cli-report.html"))
    assert done.returncode == 1, done.stderr[-3000:]
    assert "REGRESSION index/recall@10 ef 64 2k/64: " in done.stderr and "is below its floor 1.5" in done.stderr

    kind, body = get(server, "/v1/benchmarks")
    assert kind.startswith("application/json")
    runs = json.loads(body)["data"]
    assert len(runs) == 3 and [r["id"] for r in runs] == sorted((r["id"] for r in runs), reverse=True)
    newest = runs[0]
    assert [s["name"] for s in newest["sections"]] == ["index", "filtered", "embed", "ingest", "serve", "quality"]
    assert [s["status"] for s in newest["sections"]] == ["ok", "ok"] + ["skipped"] * 4
    assert {c["engine"] for c in newest["sections"][0]["curves"]} == {"cairn", "cairn int8"}
    assert newest["regressions"][0]["rule"] == "floor"
    assert newest["machine"]["cores"] >= 1 and newest["commit"]

    kind, html = get(server, "/v1/benchmarks/report")
    assert kind.startswith("text/html")
    for banned in ("<script", "http://", "https://", "src=", "<link"):
        assert banned not in html, banned
    assert (workdir / "cli-report.html").read_text().count("<svg") == html.count("<svg")
    page.write_text(html)

    found = probe(workdir, 1280)
    assert found["title"] == "Cairn nightly benchmarks"
    assert "bad" in found["banner"] and found["regressed"] >= 2, found   # the headline row and the run's row
    curves = [s for s in found["svgs"] if "queries/s against recall" in s["title"]]
    trends = [s for s in found["svgs"] if "queries/s against recall" not in s["title"]]
    assert len(curves) == 1 and curves[0]["lines"] == 2, found          # Cairn float32 and int8
    assert len(trends) >= 4, found
    assert all(s["w"] > 500 and s["h"] > 200 for s in found["svgs"]), found
    assert all(s["marks"] >= 3 + 2 for s in trends), found               # three runs' markers, the frame, a line
    assert found["scrollWidth"] <= found["clientWidth"], found
    narrow = probe(workdir, 400)
    assert narrow["scrollWidth"] <= narrow["clientWidth"] + 1, narrow
    assert all(s["w"] <= 400 for s in narrow["svgs"]), narrow

    # Looked at as a picture: the red banner of the regression, Cairn's blue lines, the page's background at the
    # right margin (nothing cut off), and enough distinct colours to be text and charts rather than a blank page.
    shot = Path(os.environ.get("CAIRN_BENCH_REPORT_SCREENSHOT", workdir / "benchmarks.png"))
    result = chromium("--window-size=1280,2600", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    counts = {c: n for n, c in image.getcolors(maxcolors=1 << 20)}
    red_banner = counts.get((0xfd, 0xec, 0xea), 0)
    blue = sum(n for c, n in counts.items() if abs(c[0] - 0x1f) < 10 and abs(c[1] - 0x5f) < 10 and abs(c[2] - 0xbf) < 10)
    assert red_banner > 5000, red_banner
    assert blue > 500, blue
    assert len(counts) > 200
    pixels = image.load()
    right = {pixels[1275, y] for y in range(0, 2600, 13)}
    assert right <= {(0xf6, 0xf7, 0xf9)}, right
