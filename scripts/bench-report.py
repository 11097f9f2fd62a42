#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what tests/vm/bench wrote on ttyS1 into the benchmark report.

usage: bench-report.py RAW OUTDIR [--machine TEXT] [--kernel KREL]

RAW holds lines
    R <figure> <config> <rep> <value> <unit> [key=value ...]
    M <cache> key=value ...          memory per connection
    E key=value ...                  expiry
    # ...                            comments (the run's parameters)
Writes OUTDIR/results.json (every repetition), OUTDIR/report.md (the table,
the ratios the design is judged by, the charts) and, when gnuplot is
there, OUTDIR/cost-vs-flows.png and OUTDIR/cost-vs-rules.png. Prints the
table on stdout. Nothing here is a pass/fail threshold.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

CONFIGS = ("none", "nf", "sfw")


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


def summary(runs, cfg):
    vals = sorted(r["value"] for r in runs if r["config"] == cfg)
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": vals[0],
            "max": vals[-1], "n": len(vals)}


def fmt(s):
    if not s:
        return "-"
    return "%.0f [%.0f..%.0f]" % (s["median"], s["min"], s["max"])


def table(figures, order):
    rows = []
    for fig in order:
        unit = figures[fig]["unit"]
        s = {c: summary(figures[fig]["runs"], c) for c in CONFIGS}
        row = {"figure": fig, "unit": unit, **s}
        if unit == "ns/pkt" and s["none"] and s["nf"] and s["sfw"]:
            dn = s["nf"]["median"] - s["none"]["median"]
            ds = s["sfw"]["median"] - s["none"]["median"]
            row.update(delta_nf=dn, delta_sfw=ds,
                       ratio=ds / dn if dn > 0 else None)
        elif s["nf"] and s["sfw"] and s["nf"]["median"]:
            row["ratio"] = s["sfw"]["median"] / s["nf"]["median"]
        rows.append(row)
    return rows


def med(figures, fig, cfg):
    if fig not in figures:
        return None
    s = summary(figures[fig]["runs"], cfg)
    return s["median"] if s else None


def goals(figures, rows, memory, expiry):
    out = []
    byfig = {r["figure"]: r for r in rows}
    for phase in ("new", "est"):
        r = byfig.get("pkt_%s_100000" % phase)
        if r and r.get("ratio") is not None:
            out.append(("%s-flow delta(sfw)/delta(nf) at 100k flows" %
                        ("new" if phase == "new" else "established"),
                        "%.2f" % r["ratio"], "<= 0.6", r["ratio"] <= 0.6))
    for kind, name in (("masq", "masquerade"), ("dnat", "DNAT lb hash")):
        for phase in ("new", "est"):
            r = byfig.get("nat_%s_%s_100000" % (kind, phase))
            if r and r.get("ratio") is not None:
                out.append(("%s %s-flow delta(sfw)/delta(nf) at 100k flows" %
                            (name, "new" if phase == "new" else "established"),
                            "%.2f" % r["ratio"], "<= 0.6", r["ratio"] <= 0.6))
    for m in memory:
        if m["cache"] == "sfw_conn":
            o = int(m.get("objsize", 0))
            out.append(("sfw bytes per connection (slab pages: %s)" %
                        m.get("slab_bytes_per_entry"), str(o), "<= 160", o <= 160))
    a, b = med(figures, "pkt_est_1000", "sfw"), med(figures, "pkt_est_1000000", "sfw")
    if a and b:
        out.append(("established cost, 1M flows / 1k flows", "%.2f" % (b / a),
                    "<= 1.3", b / a <= 1.3))
    a, b = med(figures, "rules_new_10", "sfw"), med(figures, "rules_new_10000", "sfw")
    if a and b:
        out.append(("new-flow cost, 10k rules / 10 rules", "%.2f" % (b / a),
                    "<= 2", b / a <= 2))
    a, b = med(figures, "rules_est_10", "sfw"), med(figures, "rules_est_10000", "sfw")
    if a and b:
        out.append(("established cost, 10k rules / 10 rules", "%.2f" % (b / a),
                    "~ 1", abs(b / a - 1) <= 0.15))
    if "max_tick_us" in expiry:
        t = int(expiry["max_tick_us"])
        out.append(("longest wheel tick (us), 1M entries expiring",
                    str(t), "<= 1000", t <= 1000))
    return out


def plot(outdir, figures, prefix, xs, name, xlabel, title, configs):
    gp = shutil.which("gnuplot")
    if not gp:
        return None
    data = os.path.join(outdir, name + ".dat")
    have = False
    with open(data, "w", encoding="utf-8") as d:
        d.write("# x " + " ".join(configs) + "\n")
        for x in xs:
            vals = [med(figures, "%s%d" % (prefix, x), c) for c in configs]
            if all(v is None for v in vals):
                continue
            have = True
            d.write("%d %s\n" % (x, " ".join("NaN" if v is None else "%.0f" % v
                                             for v in vals)))
    if not have:
        os.unlink(data)
        return None
    png = name + ".png"
    lines = ", ".join("'%s' using 1:%d with linespoints title '%s'" % (data, i + 2, c)
                      for i, c in enumerate(configs))
    script = ("set terminal png size 800,480\nset output '%s'\n"
              "set logscale x\nset xlabel '%s'\nset ylabel 'ns per packet (median)'\n"
              "set title '%s'\nset key top left\nset grid\nset yrange [0:*]\nplot %s\n"
              % (os.path.join(outdir, png), xlabel, title, lines))
    if subprocess.run([gp], input=script, text=True).returncode != 0:
        return None
    os.unlink(data)
    return png


def main():
    args = sys.argv[1:]
    machine = kernel = ""
    if "--machine" in args:
        i = args.index("--machine")
        machine = args[i + 1]
        del args[i:i + 2]
    if "--kernel" in args:
        i = args.index("--kernel")
        kernel = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    raw, outdir = args
    os.makedirs(outdir, exist_ok=True)
    figures, order, memory, expiry, notes = parse(raw)
    if not figures and not memory and not expiry:
        sys.exit("bench-report: no results in " + raw)
    rows = table(figures, order)
    judged = goals(figures, rows, memory, expiry)

    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as j:
        json.dump({"machine": machine, "kernel": kernel, "notes": notes,
                   "figures": figures, "summary": rows, "memory": memory,
                   "expiry": expiry,
                   "goals": [{"what": w, "value": v, "goal": g, "met": m}
                             for w, v, g, m in judged]}, j, indent=1)

    head = "%-18s %-24s %-24s %-24s %8s %8s %7s" % (
        "figure", "none med [min..max]", "nf", "sfw", "d(nf)", "d(sfw)", "sfw/nf")
    lines = [head]
    md = ["| figure | unit | none | nf | sfw | Δ nf | Δ sfw | sfw/nf |",
          "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        dn = "%.0f" % r["delta_nf"] if "delta_nf" in r else ""
        ds = "%.0f" % r["delta_sfw"] if "delta_sfw" in r else ""
        ra = "%.2f" % r["ratio"] if r.get("ratio") is not None else ""
        lines.append("%-18s %-24s %-24s %-24s %8s %8s %7s" % (
            r["figure"], fmt(r["none"]), fmt(r["nf"]), fmt(r["sfw"]), dn, ds, ra))
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["figure"], r["unit"], fmt(r["none"]), fmt(r["nf"]), fmt(r["sfw"]),
            dn, ds, ra))
    lines.append("")
    for w, v, g, m in judged:
        lines.append("%-48s %8s  goal %-7s %s" % (w, v, g, "met" if m else "MISSED"))
    for m in memory:
        lines.append("memory: " + " ".join("%s=%s" % kv for kv in m.items()))
    if expiry:
        lines.append("expiry: " + " ".join("%s=%s" % kv for kv in expiry.items()))
    print("\n".join(lines))

    charts = []
    c1 = plot(outdir, figures, "pkt_new_", (1000, 10000, 100000, 1000000),
              "cost-vs-flows-new", "flows", "New-flow cost against flows", CONFIGS)
    c2 = plot(outdir, figures, "pkt_est_", (1000, 10000, 100000, 1000000),
              "cost-vs-flows-established", "flows",
              "Established cost against flows", CONFIGS)
    c3 = plot(outdir, figures, "rules_new_", (10, 100, 1000, 10000),
              "cost-vs-rules-new", "rules", "New-flow cost against rules", ("nf", "sfw"))
    c4 = plot(outdir, figures, "rules_est_", (10, 100, 1000, 10000),
              "cost-vs-rules-established", "rules",
              "Established cost against rules", ("nf", "sfw"))
    charts = [c for c in (c1, c2, c3, c4) if c]

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
                "run interleaved (none, nf, sfw, none, ...) in one boot; each "
                "cell is the median [min..max] of the repetitions. Δ is the "
                "cost a firewall adds over none.\n\n")
        r.write("## Goals\n\n| what | value | goal | |\n|---|---|---|---|\n")
        for w, v, g, m in judged:
            r.write("| %s | %s | %s | %s |\n" % (w, v, g, "met" if m else "**missed**"))
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
        if charts:
            r.write("\n## Charts\n\n")
            for c in charts:
                r.write("![%s](%s)\n\n" % (c, c))


if __name__ == "__main__":
    main()
