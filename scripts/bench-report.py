#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what tests/vm/bench wrote on ttyS1 into the benchmark report.

usage: bench-report.py RAW OUTDIR [--machine TEXT] [--kernel KREL] [--note TEXT]
       bench-report.py --self-test

RAW holds lines
    R <figure> <config> <rep> <value> <unit> [key=value ...]
    M <cache> key=value ...          memory per connection
    E key=value ...                  expiry (wheel_*: /proc/net/sfw/wheel)
    # ...                            comments (the run's parameters)
A <value> of "failed" (with why=...) is a run that did not measure what
its figure is named for (sfw+fp's fast path did not carry the traffic,
its rules did not load): it is shown as failed, never as a number.
Repetition <rep> of every configuration of a figure ran back to back
(none, nf, ..., sfw), so the runs of one <rep> form a pair: each firewall's
cost over none (delta) is taken inside it, and each ratio is judged by a
bootstrap over the pairs (seeded, so the same RAW gives the same report).

Writes OUTDIR/results.json (every repetition, the pairs, the intervals),
OUTDIR/report.md (the table, the goals with their 95% intervals and
verdicts, the charts) and, when gnuplot is there, the cost-vs-*.png
charts. Prints the table on stdout. Re-run on an existing RAW to re-render;
--machine and --kernel default to what OUTDIR/results.json holds.
"""
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import zlib

# Column order. nfset: nft with a verdict map (the rules workload's
# anchor); nfft: nf_conntrack with an nft flowtable (the fast path's);
# sfwfp: sfw with its fast path (flowtable, flow add).
CONFIGS = ("none", "nf", "nfset", "nfft", "sfw", "sfwfp")
TITLES = {"none": "none", "nf": "nf", "nfset": "nf vmap", "nfft": "nf+flowtable",
          "sfw": "sfw", "sfwfp": "sfw+fp"}
BOOT = 10000            # bootstrap resamples
LEVEL = 0.95


def parse(path):
    figures, order, memory, expiry, notes = {}, [], [], {}, []
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.split()
        if not f:
            continue
        if f[0] == "R" and len(f) >= 6:
            fig, cfg, rep, unit = f[1], f[2], int(f[3]), f[5]
            extra = dict(kv.split("=", 1) for kv in f[6:] if "=" in kv)
            try:
                value = float(f[4])
            except ValueError:
                if f[4] != "failed":
                    continue
                value = None
            if fig not in figures:
                figures[fig] = {"unit": unit, "runs": [], "failed": []}
                order.append(fig)
            if value is None:
                figures[fig]["failed"].append({"config": cfg, "rep": rep, **extra})
                continue
            figures[fig]["runs"].append(
                {"config": cfg, "rep": rep, "value": value, **extra})
        elif f[0] == "M":
            memory.append({"cache": f[1], **dict(kv.split("=", 1)
                                                 for kv in f[2:] if "=" in kv)})
        elif f[0] == "E":
            expiry.update(kv.split("=", 1) for kv in f[1:] if "=" in kv)
        elif f[0] == "#" and line.strip() != "# done":
            notes.append(line[1:].strip())
    return figures, order, memory, expiry, notes


# --- statistics -------------------------------------------------------------

def pairs_of(runs):
    """{rep: {config: value}}: the runs of one repetition, back to back."""
    p = {}
    for r in runs:
        p.setdefault(r["rep"], {})[r["config"]] = r["value"]
    return [dict(p[k], rep=k) for k in sorted(p)]


def ratio_stat(num, den, base):
    """The statistic of a set of pairs: median(num - base) / median(den - base),
    the deltas taken inside each pair (base None: median(num) / median(den))."""
    def f(sample):
        a = [p[num] - (p[base] if base else 0) for p in sample]
        b = [p[den] - (p[base] if base else 0) for p in sample]
        mb = statistics.median(b)
        if mb <= 0:
            return float("inf")
        return statistics.median(a) / mb
    return f


def bootstrap(items, stat, seed, boot=BOOT, level=LEVEL):
    """Percentile bootstrap: (point, lo, hi). items are resampled with
    replacement; the generator is seeded, so the interval is reproducible."""
    point = stat(items)
    rng = random.Random(seed)
    n = len(items)
    vals = sorted(stat([items[rng.randrange(n)] for _ in range(n)])
                  for _ in range(boot))
    k = (1 - level) / 2
    return point, vals[int(k * boot)], vals[min(boot - 1, int((1 - k) * boot))]


def bootstrap2(a, b, seed, boot=BOOT, level=LEVEL):
    """Unpaired: median(b) / median(a), a and b resampled each on its own."""
    point = statistics.median(b) / statistics.median(a)
    rng = random.Random(seed)
    vals = sorted(statistics.median([rng.choice(b) for _ in b]) /
                  statistics.median([rng.choice(a) for _ in a]) for _ in range(boot))
    k = (1 - level) / 2
    return point, vals[int(k * boot)], vals[min(boot - 1, int((1 - k) * boot))]


def seed_of(text):
    return zlib.crc32(text.encode())


def paired_ratio(figures, fig, num, den, base):
    """Bootstrap interval of a ratio over the complete pairs of a figure."""
    if fig not in figures:
        return None
    need = [c for c in (num, den, base) if c]
    pairs = [p for p in pairs_of(figures[fig]["runs"]) if all(c in p for c in need)]
    if len(pairs) < 2:
        return None
    return bootstrap(pairs, ratio_stat(num, den, base),
                     seed_of("%s %s %s %s" % (fig, num, den, base))) + (len(pairs),)


def verdict(ci, goal, kind="<="):
    """met only when the whole interval meets the goal, missed only when the
    whole interval misses it; anything else is not resolved."""
    lo, hi = ci
    if kind == "<=":
        return "met" if hi < goal else "missed" if lo > goal else "not resolved"
    if kind == ">=":
        return "met" if lo > goal else "missed" if hi < goal else "not resolved"
    # kind "~": within goal +- 15%
    a, b = goal * 0.85, goal * 1.15
    if a <= lo and hi <= b:
        return "met"
    return "missed" if hi < a or lo > b else "not resolved"


def fnum(x):
    return "inf" if x == float("inf") else "%.2f" % x


def fci(ci):
    return "[%s, %s]" % (fnum(ci[0]), fnum(ci[1])) if ci else ""


# --- tables -----------------------------------------------------------------

def summary(runs, cfg):
    vals = sorted(r["value"] for r in runs if r["config"] == cfg)
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": vals[0],
            "max": vals[-1], "n": len(vals)}


def fmt(s, unit=""):
    if not s:
        return "-"
    f = "%.2f [%.2f..%.2f]" if unit == "Gbit/s" else "%.0f [%.0f..%.0f]"
    return f % (s["median"], s["min"], s["max"])


def failed_of(figures, fig, cfg):
    """The runs of cfg in fig written as failed."""
    return [f for f in figures.get(fig, {}).get("failed", []) if f["config"] == cfg]


def whys(failed):
    return ", ".join(sorted({f.get("why", "?") for f in failed}))


def cell(row, c):
    """A table cell: the summary, or failed with why; failed runs beside
    good ones are counted, as the good ones' figure is not the whole."""
    bad = row["failed"].get(c)
    if not bad:
        return fmt(row[c], row["unit"])
    if not row[c]:
        return "failed (%s)" % whys(bad)
    return "%s (%d failed: %s)" % (fmt(row[c], row["unit"]), len(bad), whys(bad))


def anchor_of(figures, fig):
    cfgs = {r["config"] for r in figures[fig]["runs"]}
    for a in ("nfset", "nfft"):
        if a in cfgs:
            return a
    return None


def table(figures, order):
    rows = []
    for fig in order:
        unit, runs = figures[fig]["unit"], figures[fig]["runs"]
        s = {c: summary(runs, c) for c in CONFIGS}
        row = {"figure": fig, "unit": unit, **s}
        pairs = pairs_of(runs)
        if unit == "ns/pkt" and s["none"] and s["nf"] and s["sfw"]:
            full = [p for p in pairs if all(c in p for c in ("none", "nf", "sfw"))]
            row["delta_nf"] = statistics.median(p["nf"] - p["none"] for p in full)
            row["delta_sfw"] = statistics.median(p["sfw"] - p["none"] for p in full)
            r = paired_ratio(figures, fig, "sfw", "nf", "none")
        elif s["nf"] and s["sfw"]:
            r = paired_ratio(figures, fig, "sfw", "nf", None)
        else:
            r = None
        if r:
            row.update(ratio=r[0], ci=[r[1], r[2]], pairs=r[3])
        a = anchor_of(figures, fig)
        if a and s["sfw"]:
            r = paired_ratio(figures, fig, "sfw", a, None)
            if r:
                row.update(anchor=a, anchor_ratio=r[0], anchor_ci=[r[1], r[2]])
        if s["sfwfp"] and s["nfft"]:
            r = paired_ratio(figures, fig, "sfwfp", "nfft", None)
            if r:
                row.update(fp_ratio=r[0], fp_ci=[r[1], r[2]])
        row["failed"] = {c: failed_of(figures, fig, c) for c in CONFIGS
                         if failed_of(figures, fig, c)}
        row["paired"] = pairs
        rows.append(row)
    return rows


def med(figures, fig, cfg):
    if fig not in figures:
        return None
    s = summary(figures[fig]["runs"], cfg)
    return s["median"] if s else None


def vals(figures, fig, cfg):
    if fig not in figures:
        return []
    return [r["value"] for r in figures[fig]["runs"] if r["config"] == cfg]


def delta_goal(row, what, goal):
    """A Δsfw/Δnf goal. A median Δnf at or below 0 (no firewall cost as
    much as nf_conntrack or more) means the baseline did not measure the
    path: failed, never a ratio of infinity read as missed."""
    if row["ratio"] == float("inf"):
        return (what, "-", None, "<= %g" % goal, "failed",
                "median Δnf <= 0: the no-firewall baseline cost as much as "
                "nf_conntrack or more, so it measured something else; see the row")
    return (what, fnum(row["ratio"]), row["ci"], "<= %g" % goal,
            verdict(row["ci"], goal), "")


def goals(figures, rows, memory, expiry):
    """(what, value, 95% interval or None, goal, verdict, why)."""
    out = []
    byfig = {r["figure"]: r for r in rows}

    def ratio_goal(fig, what, goal=0.6):
        r = byfig.get(fig)
        if r and r.get("ratio") is not None:
            out.append(delta_goal(r, what, goal))

    for phase, name in (("new", "new"), ("est", "established")):
        ratio_goal("pkt_%s_100000" % phase,
                   "%s-flow Δsfw/Δnf at 100k flows" % name)
    for kind, name in (("masq", "masquerade"), ("dnat", "DNAT lb hash")):
        for phase, pname in (("new", "new"), ("est", "established")):
            ratio_goal("nat_%s_%s_100000" % (kind, phase),
                       "%s %s-flow Δsfw/Δnf at 100k flows" % (name, pname))
    out.extend(fp_goals(figures))
    r = paired_ratio(figures, "rules_new_10000", "sfw", "nfset", None)
    if r:
        ci = [r[1], r[2]]
        out.append(("new-flow cost at 10k rules, sfw / nft vmap", fnum(r[0]), ci,
                    "<= 1", verdict(ci, 1), ""))
    for m in memory:
        if m["cache"] == "sfw_conn":
            o = int(m.get("objsize", 0))
            out.append(("sfw bytes per connection (slab pages: %s)" %
                        m.get("slab_bytes_per_entry"), str(o), None, "<= 160",
                        "met" if o <= 160 else "missed", ""))
    for what, fa, fb, goal, kind in (
            ("established cost, 1M flows / 1k flows", "pkt_est_1000",
             "pkt_est_1000000", 1.3, "<="),
            ("new-flow cost, 10k rules / 10 rules", "rules_new_10",
             "rules_new_10000", 2, "<="),
            ("established cost, 10k rules / 10 rules", "rules_est_10",
             "rules_est_10000", 1, "~")):
        a, b = vals(figures, fa, "sfw"), vals(figures, fb, "sfw")
        if len(a) >= 2 and len(b) >= 2:
            p, lo, hi = bootstrap2(a, b, seed_of(what))
            out.append((what, fnum(p), [lo, hi],
                        ("%s %g" % ("<=" if kind == "<=" else "~", goal)),
                        verdict([lo, hi], goal, kind), "interval unpaired: separate runs"))
    out.extend(expiry_goals(expiry))
    return out


FP_FIG = "pkt_est_100000"


def fp_goals(figures):
    """The fast path's two goals, on the established flows at 100k: cost
    added at or below nf+flowtable's (Δsfwfp/Δnfft <= 1), and below no
    firewall's path (sfwfp/none < 1). Without sfwfp figures (none run, or
    every run failed) they read missing or failed, never a number."""
    if FP_FIG not in figures:
        return []
    w1 = "with the fast path, established Δsfw+fp/Δnf+flowtable at 100k flows"
    w2 = "with the fast path, established cost at 100k flows, sfw+fp / no firewall"
    runs = figures[FP_FIG]["runs"]
    have = {r["config"] for r in runs}
    bad = failed_of(figures, FP_FIG, "sfwfp")
    if "sfwfp" not in have:
        v = "failed" if bad else "missing"
        why = ("every sfw+fp run failed: %s" % whys(bad) if bad
               else "no sfw+fp runs in this bench")
        return [(w1, v, None, "<= 1", v, why), (w2, v, None, "< 1", v, why)]
    note = "%d sfw+fp runs failed (%s), judged on the rest" % (len(bad), whys(bad)) \
        if bad else ""
    out = []
    full = [p for p in pairs_of(runs) if all(c in p for c in ("none", "nfft", "sfwfp"))]
    if len(full) < 2:
        out.append((w1, "missing", None, "<= 1", "missing",
                    "fewer than 2 pairs with none, nf+flowtable and sfw+fp"))
    elif statistics.median(p["nfft"] - p["none"] for p in full) > 0:
        r = paired_ratio(figures, FP_FIG, "sfwfp", "nfft", "none")
        out.append((w1, fnum(r[0]), [r[1], r[2]], "<= 1", verdict(r[1:3], 1), note))
    else:
        # The flowtable beats no firewall: Δnfft <= 0 makes the ratio of
        # deltas meaningless; "at or below" is then sfwfp <= nfft itself.
        r = paired_ratio(figures, FP_FIG, "sfwfp", "nfft", None)
        why = "Δnf+flowtable <= 0 (it beats no firewall): judged as cost " \
            "sfw+fp / nf+flowtable"
        w1 = "with the fast path, established cost at 100k flows, sfw+fp / nf+flowtable"
        out.append((w1, fnum(r[0]), [r[1], r[2]], "<= 1", verdict(r[1:3], 1),
                    "; ".join(x for x in (why, note) if x)))
    r = paired_ratio(figures, FP_FIG, "sfwfp", "none", None)
    if r:
        out.append((w2, fnum(r[0]), [r[1], r[2]], "< 1", verdict(r[1:3], 1), note))
    else:
        out.append((w2, "missing", None, "< 1", "missing",
                    "fewer than 2 pairs with none and sfw+fp"))
    return out


# --- expiry: the wheel's own counts (/proc/net/sfw/wheel) -------------------

LAG_GOAL_MS = 500       # two 250 ms ticks


def hist_parse(text):
    """A wheel histogram as the bench writes it, "lo-hi:count,..." (the
    file's spaces as commas; "lo:count" for a one-value bucket, "lo-:count"
    for the last, open above) -> sorted [(lo, hi or None, count)]."""
    out = []
    for item in text.split(","):
        if not item:
            continue
        rng, n = item.rsplit(":", 1)
        lo, _, hi = rng.partition("-")
        out.append((int(lo), (int(hi) if hi else None) if "-" in rng else int(lo),
                    int(n)))
    return sorted(out)


def hist_percentile(hist, q):
    """The bucket (lo, hi) of a histogram that the q-quantile falls in
    (hi None: open above); None for an empty histogram."""
    total = sum(n for _, _, n in hist)
    if not total:
        return None
    cum = 0
    for lo, hi, n in hist:
        cum += n
        if cum >= q * total:
            return (lo, hi)
    return hist[-1][:2]


def clip(b, top):
    """A percentile's bucket (lo, hi) with hi lowered to the exact
    maximum @top where that is lower: no value lies above the maximum."""
    if b is None:
        return None
    lo, hi = b
    return (lo, top if hi is None or top < hi else hi)


def fbucket(b, unit=""):
    if b is None:
        return "-"
    lo, hi = b
    if hi is None:
        return ">= %d%s" % (lo, unit)
    return "%d%s" % (lo, unit) if lo == hi else "%d-%d%s" % (lo, hi, unit)


def expiry_work(expiry):
    """What /proc/net/sfw/wheel said, with the 99th percentiles; None
    when the bench did not read it."""
    if "wheel_runs" not in expiry:
        return None
    ex = hist_parse(expiry.get("wheel_examined_hist", ""))
    lag = hist_parse(expiry.get("wheel_lag_hist_ms", ""))
    top, lag_top = int(expiry.get("wheel_examined_max", 0)), int(expiry.get("wheel_lag_max_ms", 0))
    return {"runs": int(expiry["wheel_runs"]),
            "idle": sum(n for lo, hi, n in ex if hi == 0),
            "examined": int(expiry.get("wheel_examined", 0)),
            "max": top,
            "budget": int(expiry.get("wheel_budget", 0)),
            "p99": clip(hist_percentile(ex, 0.99), top),
            "reaped": int(expiry.get("wheel_reaped", 0)),
            "lagged": sum(n for _, _, n in lag),
            "lag_max": lag_top,
            "lag_p99": clip(hist_percentile(lag, 0.99), lag_top)}


def expiry_goals(expiry):
    """Work done, not wall time: a run examines at most the budget (the
    bound the wall-time goal stood for), and the wheel keeps up: 99% of
    entries go within two ticks of their expiry."""
    if not expiry:
        return []
    n = expiry.get("created", "?")
    w1 = "entries examined per wheel run, max, %s entries expiring" % n
    w2 = "expiry lag p99 (ms), %s entries expiring" % n
    x = expiry_work(expiry)
    if x is None:
        why = "no /proc/net/sfw/wheel" if expiry.get("wheel") == "missing" \
            else "the bench read no wheel counts"
        return [(w1, "missing", None, "<= budget", "missing", why),
                (w2, "missing", None, "<= %d" % LAG_GOAL_MS, "missing", why)]
    if not x["max"]:
        out = [(w1, "0", None, "<= %d (the budget)" % x["budget"], "failed",
                "the wheel examined no entry")]
    else:
        out = [(w1, str(x["max"]), None, "<= %d (the budget)" % x["budget"],
                "met" if x["max"] <= x["budget"] else "missed",
                "p99 %s, over %d runs" % (fbucket(x["p99"]), x["runs"]))]
    b = x["lag_p99"]
    if b is None:
        out.append((w2, "missing", None, "<= %d" % LAG_GOAL_MS, "missing",
                    "no entry was reaped"))
    else:
        ci = [b[0], float("inf") if b[1] is None else b[1]]
        out.append((w2, fbucket(b), ci, "<= %d" % LAG_GOAL_MS,
                    verdict(ci, LAG_GOAL_MS),
                    "its log2 bucket, capped by the max, %d ms" % x["lag_max"]))
    return out


def expiry_md(expiry):
    """report.md's Expiry section: the wheel's work per run and its lag,
    then every key the bench wrote."""
    x = expiry_work(expiry)
    plain = {k: v for k, v in expiry.items() if not k.startswith("wheel_")}
    out = "- " + ", ".join("%s=%s" % kv for kv in plain.items()) + "\n"
    if x is None:
        return out + ("\nThe wheel's counts are missing (%s): no figure of "
                      "its work per run.\n" % (
                          "no /proc/net/sfw/wheel" if expiry.get("wheel") == "missing"
                          else "the bench did not read /proc/net/sfw/wheel"))
    out += ("- entries examined per run: max %d, p99 %s, over %d runs (%d of "
            "them idle ticks that examined none); %d examined in all; budget %d\n"
            % (x["max"], fbucket(x["p99"]), x["runs"], x["idle"], x["examined"],
               x["budget"]))
    out += ("- expiry lag: max %d ms, p99 %s, over %d entries reaped (%d with an "
            "expiry to be late for)\n"
            % (x["lag_max"], fbucket(x["lag_p99"], " ms"), x["reaped"], x["lagged"]))
    out += "- histograms (lo-hi:count): examined per run %s; lag in ms %s\n" % (
        expiry.get("wheel_examined_hist") or "-", expiry.get("wheel_lag_hist_ms") or "-")
    out += ("\nWork done, not wall time: the wheel counts, per run, the entries "
            "it examined, and for each entry it reaps how late past its expiry "
            "that was (/proc/net/sfw/wheel); the bench reads them once every "
            "entry is gone. The 99th percentiles come from log2 histograms, so "
            "each is the bucket it falls in (bounds included), its top "
            "lowered to the exact maximum where that is lower. A run examines "
            "at most the budget (SFW_WHEEL_BUDGET) and stops sooner once it "
            "has run SFW_WHEEL_RUN_US; a run that stopped short is followed at "
            "once by the next. The lag goal is two 250 ms ticks: an entry is "
            "examined in the first tick at or after its expiry, so a wheel that "
            "keeps up lags by at most a tick plus the worker's delay. "
            "max_tick_us, the longest run in wall time, is shown for "
            "reference only: under TCG it holds vCPU stalls of milliseconds. "
            "lag_last_ms is the last entry's reaping after its expiry as the "
            "guest's clock saw it, from a poll.\n")
    return out


# --- charts -----------------------------------------------------------------

def plot(outdir, figures, prefix, xs, name, xlabel, title, configs):
    gp = shutil.which("gnuplot")
    if not gp:
        return None
    configs = [c for c in configs
               if any(med(figures, "%s%d" % (prefix, x), c) is not None for x in xs)]
    data = os.path.join(outdir, name + ".dat")
    have = False
    with open(data, "w", encoding="utf-8") as d:
        d.write("# x " + " ".join(configs) + "\n")
        for x in xs:
            vs = [med(figures, "%s%d" % (prefix, x), c) for c in configs]
            if all(v is None for v in vs):
                continue
            have = True
            d.write("%d %s\n" % (x, " ".join("NaN" if v is None else "%.0f" % v
                                             for v in vs)))
    if not have:
        os.unlink(data)
        return None
    png = name + ".png"
    lines = ", ".join("'%s' using 1:%d with linespoints title '%s'" %
                      (data, i + 2, TITLES[c]) for i, c in enumerate(configs))
    script = ("set terminal png size 800,480\nset output '%s'\n"
              "set logscale x\nset xlabel '%s'\nset ylabel 'ns per packet (median)'\n"
              "set title '%s'\nset key top left\nset grid\nset yrange [0:*]\nplot %s\n"
              % (os.path.join(outdir, png), xlabel, title, lines))
    if subprocess.run([gp], input=script, text=True).returncode != 0:
        return None
    os.unlink(data)
    return png


# --- self-test --------------------------------------------------------------

def self_test():
    """Known data, known verdicts: each of met, missed and not resolved."""
    rng = random.Random(1)
    fails = 0

    def fig(sfw_cost, noise, n=20):
        runs = []
        for rep in range(1, n + 1):
            base = 9000 + rng.gauss(0, 900)         # common to the pair
            for c, add, sd in (("none", 0, 50), ("nf", 3000, 50),
                               ("sfw", sfw_cost, noise)):
                runs.append({"config": c, "rep": rep,
                             "value": base + add + rng.gauss(0, sd)})
        return {"f": {"unit": "ns/pkt", "runs": runs}}

    def check(name, got, want):
        nonlocal fails
        ok = got == want
        fails += not ok
        print("%s: %-40s %s (expected %s)" % ("PASS" if ok else "FAIL", name, got, want))

    # Pairing: a baseline that swings ±10% between pairs cancels out.
    for name, cost, noise, want in (("sfw adds 0.4x", 1200, 50, "met"),
                                     ("sfw adds 0.9x", 2700, 50, "missed"),
                                     ("sfw adds 0.6x, noisy", 1800, 1500,
                                      "not resolved")):
        figs = fig(cost, noise)
        r = paired_ratio(figs, "f", "sfw", "nf", "none")
        check(name + " " + fci(r[1:3]), verdict(r[1:3], 0.6), want)
        check(name + ": reproducible",
              paired_ratio(figs, "f", "sfw", "nf", "none") == r, True)
    check("Δnf <= 0: the goal fails, it is not missed",
          delta_goal({"ratio": float("inf"), "ci": [float("inf")] * 2}, "x", 0.6)[4],
          "failed")
    check("a finite Δ ratio is judged", delta_goal({"ratio": 0.5, "ci": [0.4, 0.55]}, "x", 0.6)[4],
          "met")
    check("interval edges: hi below", verdict([0.5, 0.59], 0.6), "met")
    check("interval edges: hi == goal", verdict([0.5, 0.6], 0.6), "not resolved")
    check("interval edges: lo > goal", verdict([0.61, 0.9], 0.6), "missed")
    check("interval across the goal", verdict([0.5, 0.7], 0.6), "not resolved")
    check("~1 within 15%", verdict([0.9, 1.1], 1, "~"), "met")
    check("~1 outside", verdict([1.2, 1.4], 1, "~"), "missed")
    check("~1 across", verdict([0.9, 1.3], 1, "~"), "not resolved")
    # A denominator that can be <= 0 leaves the interval open above.
    figs = {"f": {"unit": "ns/pkt", "runs": [
        {"config": c, "rep": k, "value": v}
        for k, row in enumerate(((100, 90, 150), (100, 130, 150), (100, 95, 150)))
        for c, v in zip(("none", "nf", "sfw"), row)]}}
    r = paired_ratio(figs, "f", "sfw", "nf", "none")
    check("Δnf near 0: open interval " + fci(r[1:3]), r[2], float("inf"))
    check("Δnf near 0: verdict", verdict(r[1:3], 0.6), "missed")
    # Unpaired: 1.0 against 1.0 with small noise is ~1.
    a = [100 + rng.gauss(0, 1) for _ in range(10)]
    b = [100 + rng.gauss(0, 1) for _ in range(10)]
    p, lo, hi = bootstrap2(a, b, 7)
    check("unpaired ~1 " + fci([lo, hi]), verdict([lo, hi], 1, "~"), "met")

    # The wheel's histograms and their 99th percentiles.
    h = hist_parse("0:611,1:3,512-1023:3,1024-2047:195")
    check("hist: parsed", h, [(0, 0, 611), (1, 1, 3), (512, 1023, 3), (1024, 2047, 195)])
    check("hist: p99 in the top bucket", hist_percentile(h, 0.99), (1024, 2047))
    check("hist: p99 at an edge", hist_percentile(hist_parse("0:990,4-7:10"), 0.99),
          (0, 0))
    check("hist: open bucket", hist_parse("1073741824-:5"), [(1073741824, None, 5)])
    check("hist: empty", hist_percentile(hist_parse(""), 0.99), None)

    # Expiry goals from the wheel's counts, or missing without them.
    ex = {"created": "200000", "wheel_runs": "812", "wheel_examined": "201234",
          "wheel_examined_max": "1024", "wheel_budget": "1024",
          "wheel_reaped": "200000", "wheel_lag_max_ms": "300",
          "wheel_examined_hist": "0:611,1:3,512-1023:3,1024-2047:195",
          "wheel_lag_hist_ms": "0:12,128-255:199000,256-511:988"}
    g = expiry_goals(ex)
    check("expiry: examined max within the budget", (g[0][1], g[0][4]), ("1024", "met"))
    check("expiry: lag p99 in 128-255 ms, max 300", (g[1][1], g[1][4]), ("128-255", "met"))
    ex["wheel_lag_hist_ms"] = "128-255:1000,256-511:100"
    check("expiry: lag p99 in 256-511, the max 300 decides",
          (expiry_goals(ex)[1][1], expiry_goals(ex)[1][4]), ("256-300", "met"))
    ex["wheel_lag_max_ms"] = "510"
    check("expiry: lag p99 across the goal", expiry_goals(ex)[1][4], "not resolved")
    ex["wheel_lag_hist_ms"] = "512-1023:1000"
    ex["wheel_lag_max_ms"] = "700"
    check("expiry: lag p99 above the goal", expiry_goals(ex)[1][4], "missed")
    check("clip: open bucket", clip((1024, None), 5000), (1024, 5000))
    ex["wheel_examined_max"] = "1500"
    check("expiry: a run past the budget", expiry_goals(ex)[0][4], "missed")
    check("expiry: no wheel file",
          [x[4] for x in expiry_goals({"created": "1", "wheel": "missing"})],
          ["missing", "missing"])

    # sfw+fp: failed runs are kept apart and never read as a number.
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".raw", delete=False) as t:
        for rep in (1, 2, 3):
            t.write("R pkt_est_100000 none %d 9000 ns/pkt\n" % rep)
            t.write("R pkt_est_100000 nfft %d 9500 ns/pkt\n" % rep)
            t.write("R pkt_est_100000 sfwfp %d failed ns/pkt why=slow_path\n" % rep)
    figs, order, _, _, _ = parse(t.name)
    os.unlink(t.name)
    check("failed: no value", [r["config"] for r in figs["pkt_est_100000"]["runs"]],
          ["none", "nfft"] * 3)
    row = table(figs, order)[0]
    check("failed: the cell says so", cell(row, "sfwfp"), "failed (slow_path)")
    check("failed: the goals say so", [x[4] for x in fp_goals(figs)], ["failed", "failed"])
    figs["pkt_est_100000"]["failed"] = []
    check("no sfw+fp runs: missing", [x[4] for x in fp_goals(figs)], ["missing", "missing"])

    def fpfig(nfft_add, fp_add, n=12):
        runs = []
        for rep in range(1, n + 1):
            base = 9000 + rng.gauss(0, 900)
            for c, add in (("none", 0), ("nfft", nfft_add), ("sfwfp", fp_add)):
                runs.append({"config": c, "rep": rep,
                             "value": base + add + rng.gauss(0, 50)})
        return {FP_FIG: {"unit": "ns/pkt", "runs": runs}}
    g = fp_goals(fpfig(2000, 1000))
    check("fp: Δ half of nf+flowtable's " + fci(g[0][2]), g[0][4], "met")
    check("fp: above the no-firewall path", g[1][4], "missed")
    g = fp_goals(fpfig(-3000, -4000))
    check("fp: flowtable beats none, judged on cost", (g[0][4], "judged as cost" in g[0][5]),
          ("met", True))
    check("fp: below the no-firewall path", g[1][4], "met")
    g = fp_goals(fpfig(2000, 3000))
    check("fp: Δ 1.5x nf+flowtable's", g[0][4], "missed")
    print("bench-report self-test: %s" % ("pass" if not fails else "%d FAIL" % fails))
    return 1 if fails else 0


# --- main -------------------------------------------------------------------

def main():
    args = sys.argv[1:]
    if args == ["--self-test"]:
        sys.exit(self_test())
    opts = {"--machine": None, "--kernel": None, "--note": None}
    for o in opts:
        if o in args:
            i = args.index(o)
            opts[o] = args[i + 1]
            del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    raw, outdir = args
    os.makedirs(outdir, exist_ok=True)
    machine, kernel = opts["--machine"], opts["--kernel"]
    old = os.path.join(outdir, "results.json")
    if (machine is None or kernel is None) and os.path.exists(old):
        with open(old, encoding="utf-8") as j:
            prev = json.load(j)
        machine = prev.get("machine", "") if machine is None else machine
        kernel = prev.get("kernel", "") if kernel is None else kernel
    machine, kernel = machine or "", kernel or ""
    figures, order, memory, expiry, notes = parse(raw)
    if opts["--note"]:
        notes.append(opts["--note"])
    if not figures and not memory and not expiry:
        sys.exit("bench-report: no results in " + raw)
    rows = table(figures, order)
    judged = goals(figures, rows, memory, expiry)
    present = [c for c in CONFIGS if any(r[c] or c in r["failed"] for r in rows)]

    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as j:
        json.dump({"machine": machine, "kernel": kernel, "notes": notes,
                   "statistics": {"bootstrap": BOOT, "level": LEVEL,
                                  "ratio": "median of the paired deltas, "
                                           "sfw over the other",
                                  "seed": "crc32 of the figure and configs"},
                   "figures": figures, "summary": rows, "memory": memory,
                   "expiry": expiry,
                   "goals": [{"what": w, "value": v, "ci95": ci, "goal": g,
                              "verdict": vd, "met": vd == "met", "why": why}
                             for w, v, ci, g, vd, why in judged]}, j, indent=1)

    head = "%-20s " % "figure" + " ".join("%-24s" % TITLES[c] for c in present) + \
        " %7s %7s %-18s %-18s %-18s" % ("Δnf", "Δsfw", "sfw/nf [95%]", "sfw/anchor [95%]",
                                         "sfw+fp/nf+ft [95%]")
    lines = [head]
    md = ["| figure | unit | " + " | ".join(TITLES[c] for c in present) +
          " | Δ nf | Δ sfw | sfw/nf [95%] | sfw/anchor [95%] | sfw+fp/nf+flowtable [95%] |",
          "|---|---|" + "---|" * len(present) + "---|---|---|---|---|"]
    for r in rows:
        dn = "%.0f" % r["delta_nf"] if "delta_nf" in r else ""
        ds = "%.0f" % r["delta_sfw"] if "delta_sfw" in r else ""
        ra = "%s %s" % (fnum(r["ratio"]), fci(r["ci"])) if "ratio" in r else ""
        an = ("%s %s (%s)" % (fnum(r["anchor_ratio"]), fci(r["anchor_ci"]),
                              TITLES[r["anchor"]]) if "anchor" in r else "")
        fp = "%s %s" % (fnum(r["fp_ratio"]), fci(r["fp_ci"])) if "fp_ratio" in r else ""
        lines.append("%-20s " % r["figure"] +
                     " ".join("%-24s" % cell(r, c) for c in present) +
                     " %7s %7s %-18s %-18s %-18s" % (dn, ds, ra, an, fp))
        md.append("| %s | %s | " % (r["figure"], r["unit"]) +
                  " | ".join(cell(r, c) for c in present) +
                  " | %s | %s | %s | %s | %s |" % (dn, ds, ra, an, fp))
    lines.append("")
    for w, v, ci, g, vd, why in judged:
        lines.append("%-70s %8s %-16s goal %-18s %s" % (w, v, fci(ci), g, vd))
    for m in memory:
        lines.append("memory: " + " ".join("%s=%s" % kv for kv in m.items()))
    if expiry:
        lines.append("expiry: " + " ".join("%s=%s" % kv for kv in expiry.items()))
    print("\n".join(lines))

    xs = (1000, 10000, 100000, 1000000)
    rx = (10, 100, 1000, 10000)
    charts = [c for c in (
        plot(outdir, figures, "pkt_new_", xs, "cost-vs-flows-new", "flows",
             "New-flow cost against flows", CONFIGS),
        plot(outdir, figures, "pkt_est_", xs, "cost-vs-flows-established", "flows",
             "Established cost against flows", CONFIGS),
        plot(outdir, figures, "rules_new_", rx, "cost-vs-rules-new", "rules",
             "New-flow cost against rules", ("nf", "nfset", "sfw")),
        plot(outdir, figures, "rules_est_", rx, "cost-vs-rules-established", "rules",
             "Established cost against rules", ("nf", "nfset", "sfw"))) if c]

    with open(os.path.join(outdir, "report.md"), "w", encoding="utf-8") as r:
        r.write("# sfw benchmark report\n\n")
        r.write("Produced by `make bench` (scripts/bench.sh, tests/vm/bench); "
                "the raw repetitions are in `results.json`.\n\n")
        if machine or kernel:
            r.write("- Machine: %s\n- Guest kernel: %s, 2 vCPUs under qemu TCG\n"
                    % (machine or "?", kernel or "?"))
        for n in notes:
            r.write("- %s\n" % n)
        if os.path.exists(os.path.join(outdir, "analysis.md")):
            r.write("- Why the missed goals are missed, and what was measured "
                    "on the host's own CPU (`make bench-micro`): "
                    "[analysis.md](analysis.md)\n")
        r.write("\nTCG emulates no caches, so these ratios measure the length "
                "of the code paths more than memory stalls. Configurations "
                "run interleaved (none, nf, ..., sfw, none, ...) in one boot; "
                "each cell is the median [min..max] of the repetitions. The "
                "runs of one repetition ran back to back and form a pair: Δ "
                "(the cost a firewall adds over none) is taken inside each "
                "pair, and a ratio is the median of sfw's paired Δ over the "
                "median of the other's. [95%%] is a percentile bootstrap "
                "interval over the pairs (%d resamples, seeded: the same raw "
                "data gives the same interval). A goal is **met** only when "
                "the whole interval meets it, **missed** only when the whole "
                "interval misses it, and *not resolved* otherwise.\n\n" % BOOT)
        r.write("## Goals\n\n| what | value | 95% interval | goal | verdict |\n"
                "|---|---|---|---|---|\n")
        for w, v, ci, g, vd, why in judged:
            vds = {"met": "met", "missed": "**missed**",
                   "failed": "**failed**"}.get(vd, "*%s*" % vd)
            r.write("| %s | %s | %s | %s | %s%s |\n" % (
                w, v, fci(ci) or "-", g, vds, " (%s)" % why if why else ""))
        r.write("\n## All figures\n\n" + "\n".join(md) + "\n")
        if memory:
            r.write("\n## Memory per connection\n\n")
            for m in memory:
                r.write("- " + ", ".join("%s=%s" % kv for kv in m.items()) + "\n")
            r.write("\nHash buckets are counted apart: one 8-byte pointer per "
                    "bucket for each of sfw and nf_conntrack.\n")
        if expiry:
            r.write("\n## Expiry\n\n")
            r.write(expiry_md(expiry))
        if charts:
            r.write("\n## Charts\n\n")
            for c in charts:
                r.write("![%s](%s)\n\n" % (c, c))


if __name__ == "__main__":
    main()
