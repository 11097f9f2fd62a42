#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what tests/vm/bench wrote on ttyS1 into the benchmark report.

usage: bench-report.py RAW OUTDIR [--machine TEXT] [--kernel KREL] [--note TEXT]
       bench-report.py --self-test

RAW holds lines
    R <figure> <config> <rep> <value> <unit> [key=value ...]
    M <cache> key=value ...          memory per connection
    E key=value ...                  expiry
    # ...                            comments (the run's parameters)
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
# anchor); nfft: nf_conntrack with an nft flowtable (the fast path's).
CONFIGS = ("none", "nf", "nfset", "nfft", "sfw")
TITLES = {"none": "none", "nf": "nf", "nfset": "nf vmap", "nfft": "nf+flowtable",
          "sfw": "sfw"}
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
            try:
                value = float(f[4])
            except ValueError:
                continue
            extra = dict(kv.split("=", 1) for kv in f[6:] if "=" in kv)
            if fig not in figures:
                figures[fig] = {"unit": unit, "runs": []}
                order.append(fig)
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


def goals(figures, rows, memory, expiry):
    """(what, value, 95% interval or None, goal, verdict, why)."""
    out = []
    byfig = {r["figure"]: r for r in rows}

    def ratio_goal(fig, what, goal=0.6):
        r = byfig.get(fig)
        if r and r.get("ratio") is not None:
            out.append((what, fnum(r["ratio"]), r["ci"], "<= %g" % goal,
                        verdict(r["ci"], goal), ""))

    for phase, name in (("new", "new"), ("est", "established")):
        ratio_goal("pkt_%s_100000" % phase,
                   "%s-flow Δsfw/Δnf at 100k flows" % name)
    for kind, name in (("masq", "masquerade"), ("dnat", "DNAT lb hash")):
        for phase, pname in (("new", "new"), ("est", "established")):
            ratio_goal("nat_%s_%s_100000" % (kind, phase),
                       "%s %s-flow Δsfw/Δnf at 100k flows" % (name, pname))
    r = paired_ratio(figures, "pkt_est_100000", "sfw", "nfft", None)
    if r:
        ci = [r[1], r[2]]
        out.append(("established cost at 100k flows, sfw / nf+flowtable",
                    fnum(r[0]), ci, "<= 1", verdict(ci, 1), ""))
    r = paired_ratio(figures, "pkt_est_100000", "sfw", "none", None)
    if r and "nfft" in {x["config"] for x in figures["pkt_est_100000"]["runs"]}:
        ci = [r[1], r[2]]
        out.append(("established cost at 100k flows, sfw / no firewall",
                    fnum(r[0]), ci, "< 1", verdict(ci, 1), ""))
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
    if "max_tick_us" in expiry:
        out.append(("longest wheel run (µs of wall time), %s entries expiring" %
                    expiry.get("created", "?"),
                    expiry["max_tick_us"], None, "<= 1000", "not resolved",
                    "wall time under TCG includes vCPU stalls of ms; "
                    "see the work done per run under Expiry"))
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
    present = [c for c in CONFIGS if any(r[c] for r in rows)]

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
        " %7s %7s %-18s %-18s" % ("Δnf", "Δsfw", "sfw/nf [95%]", "sfw/anchor [95%]")
    lines = [head]
    md = ["| figure | unit | " + " | ".join(TITLES[c] for c in present) +
          " | Δ nf | Δ sfw | sfw/nf [95%] | sfw/anchor [95%] |",
          "|---|---|" + "---|" * len(present) + "---|---|---|---|"]
    for r in rows:
        dn = "%.0f" % r["delta_nf"] if "delta_nf" in r else ""
        ds = "%.0f" % r["delta_sfw"] if "delta_sfw" in r else ""
        ra = "%s %s" % (fnum(r["ratio"]), fci(r["ci"])) if "ratio" in r else ""
        an = ("%s %s (%s)" % (fnum(r["anchor_ratio"]), fci(r["anchor_ci"]),
                              TITLES[r["anchor"]]) if "anchor" in r else "")
        lines.append("%-20s " % r["figure"] +
                     " ".join("%-24s" % fmt(r[c], r["unit"]) for c in present) +
                     " %7s %7s %-18s %-18s" % (dn, ds, ra, an))
        md.append("| %s | %s | " % (r["figure"], r["unit"]) +
                  " | ".join(fmt(r[c], r["unit"]) for c in present) +
                  " | %s | %s | %s | %s |" % (dn, ds, ra, an))
    lines.append("")
    for w, v, ci, g, vd, why in judged:
        lines.append("%-58s %8s %-16s goal %-7s %s" % (w, v, fci(ci), g, vd))
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
            vds = {"met": "met", "missed": "**missed**"}.get(vd, "*%s*" % vd)
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
            r.write("\n## Expiry\n\n- " +
                    ", ".join("%s=%s" % kv for kv in expiry.items()) + "\n")
            if "run_reaped_max" in expiry:
                r.write("\nWork done per wheel run, not wall time: the guest polls "
                        "/proc/net/sfw/stat (wheel_runs) and the entry count; "
                        "a sample that spans exactly one run gives that run's "
                        "entries reaped (run_samples of them, of runs in all), "
                        "roughly: a run in progress at a sample is split across "
                        "two. run_reaped_max and run_reaped_p99 are over those "
                        "samples, run_reaped_mean over all runs. The wheel's "
                        "budget is 1024 entries examined per run "
                        "(SFW_WHEEL_BUDGET). It exposes no count of entries "
                        "examined, nor an exact one per run; here the timeout "
                        "(30 s) is inside the wheel's 64 s range and nothing is "
                        "re-filed, so reaped is examined. lag_ms is the last "
                        "entry's reaping after its expiry. Under TCG the poll "
                        "is slower than the runs, so single-run samples are "
                        "mostly idle ticks and max/p99 say little beside the "
                        "mean (a QUICK run: 104 such samples of 791 runs, max "
                        "6, mean 253); an exact figure needs a per-run counter "
                        "in the wheel.\n")
        if charts:
            r.write("\n## Charts\n\n")
            for c in charts:
                r.write("![%s](%s)\n\n" % (c, c))


if __name__ == "__main__":
    main()
