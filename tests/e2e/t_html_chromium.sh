#!/bin/bash
# The HTML report in headless Chromium: the page renders (the screenshot is not blank: many
# colours, a good share of non-background pixels), the DOM Chromium built holds the
# totals of the generator's truth, and the file asks for nothing outside itself (no URL
# in it, and Chromium's network log of the load holds no request but the file).
# Skipped (77) without chromium (Debian package `chromium`).
set -euo pipefail
: "${SPOOFAUDIT:?}" "${SRCDIR:?}"
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "skip: chromium is not installed (apt-get install chromium)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

python3 "$SRCDIR/tests/tools/gen_report_truth.py" --out "$work/g"
while read -r file args; do
	# shellcheck disable=SC2086
	"$SPOOFAUDIT" collect -q --db "$work/r.db" -r "$work/g/$file" $args
done < "$work/g/args.txt"
"$SPOOFAUDIT" report --db "$work/r.db" --day 2026-09-22 --utc -f html -o "$work/report.html"

# 1. nothing in the file points outside it
if grep -nE 'https?:|//|src=|url\(|@import|<script|<link|<img|<iframe|<object' "$work/report.html"; then
	bad "the file references something outside itself (lines above)"
else
	ok "no URL, src=, url(, script, link or image in the file"
fi

run_chrome() {
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --disable-sync --disable-extensions \
		--user-data-dir="$(mktemp -d -p "$work")" --host-resolver-rules="MAP * ~NOTFOUND" \
		--window-size=1200,2000 "$@" "file://$work/report.html"
}
# 2. the DOM, with a network log of the load
run_chrome --dump-dom --log-net-log="$work/net.json" > "$work/dom.html" 2> "$work/chrome.log" ||
	{ bad "chromium --dump-dom failed"; tail -5 "$work/chrome.log"; }
# the control for the network check: a page that does load two things from outside
printf '<!DOCTYPE html><p>x</p><img src="http://example.invalid/x.png"><link rel="stylesheet" href="https://fonts.invalid/a.css">' \
	> "$work/control.html"
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --no-first-run --user-data-dir="$(mktemp -d -p "$work")" \
	--host-resolver-rules="MAP * ~NOTFOUND" --dump-dom --log-net-log="$work/net_control.json" \
	"file://$work/control.html" > /dev/null 2>> "$work/chrome.log" || bad "chromium on the control page failed"
# 3. the screenshot
run_chrome --screenshot="$work/shot.png" > /dev/null 2>> "$work/chrome.log" ||
	{ bad "chromium --screenshot failed"; tail -5 "$work/chrome.log"; }

python3 - "$work" <<'PY' || fail=1
import collections, html, json, re, struct, sys, zlib
w = sys.argv[1]
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad |= not cond

# DOM: the totals of the truth
t = json.load(open(w + "/g/truth.json"))
dom = open(w + "/dom.html").read()
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
total = sum(r["packets"] for r in t["totals"])
spoof = sum(r["packets"] for r in t["totals"] if r["class"] not in ("normal", "loopback_flow"))
m = re.search(r'id="total-packets">(\d+)<', dom)
check(m is not None and int(m.group(1)) == total, "DOM total packets %s == truth %d" % (m and m.group(1), total))
m = re.search(r'id="spoofed-packets">(\d+)<', dom)
check(m is not None and int(m.group(1)) == spoof, "DOM spoofed packets == truth %d" % spoof)
rows = re.findall(r"<tr>(.*?)</tr>", dom.split('data-table="totals"')[1].split("</table>")[0], re.S)
got = {}
for r in rows:
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
    if len(cells) < 4:
        continue	# the header row
    got[(cells[2], cells[0], cells[1])] = int(cells[3])
exp = {(r["iface"], r["class"], r["subclass"]): r["packets"] for r in t["totals"]}
check(got == exp, "DOM totals table per class, subclass and interface equals the truth")
for addr, n in t["top_sources"][:3]:
    check(re.search(r">%s</td>.*?>%d</td>" % (re.escape(addr), n), dom, re.S) is not None, "DOM top source %s %d" % (addr, n))
check(dom.count("<svg") >= 2, "two inline SVG charts in the DOM")

# network log: no request the page made. Chromium itself fetches things (component
# updates, time) with initiator "not an origin"; what a page asks for carries its origin
# ("null" for a file). The control page, which links an image and a style sheet, must
# show two such requests, or this check could not see them.
def page_requests(path):
    log = json.load(open(path))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls, page = {}, set()
    for e in log.get("events", []):
        p, sid = e.get("params", {}), e["source"]["id"]
        if "url" in p:
            urls.setdefault(sid, p["url"])
        if types.get(e["type"]) == "URL_REQUEST_START_JOB" and p.get("initiator", "not an origin") != "not an origin":
            page.add(sid)
    return sorted(urls.get(s, "?") for s in page)
ctl = page_requests(w + "/net_control.json")
check(len(ctl) == 2, "control page: its 2 outside requests are seen (%s)" % ", ".join(ctl))
req = page_requests(w + "/net.json")
check(not req, "network log: the report made no request (%s)" % ", ".join(req))

# screenshot: decode the PNG (8-bit RGB or RGBA, non-interlaced) without PIL
png = open(w + "/shot.png", "rb").read()
check(png[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is a PNG")
off, idat, ihdr = 8, b"", None
while off < len(png):
    n, typ = struct.unpack(">I4s", png[off:off + 8])
    if typ == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", png[off + 8:off + 21])
    elif typ == b"IDAT":
        idat += png[off + 8:off + 8 + n]
    off += 12 + n
wd, ht, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = wd * bpp
prev = bytearray(stride)
colors, nonbg, pos = collections.Counter(), 0, 0
for y in range(ht):
    f = raw[pos]; line = bytearray(raw[pos + 1:pos + 1 + stride]); pos += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, wd, 4):
            px = bytes(line[x * bpp:x * bpp + 3])
            colors[px] += 1
bgc, bgn = colors.most_common(1)[0]
share = 1 - bgn / sum(colors.values())
check(len(colors) >= 20, "screenshot %dx%d has %d colours (not blank)" % (wd, ht, len(colors)))
check(share >= 0.05, "screenshot: %.0f%% of pixels differ from the background" % (100 * share))
sys.exit(bad)
PY
exit $fail
