#!/usr/bin/env python3
"""Tables for bench/run-all (standard library only).

  report.py e2e RESULTS.jsonl       end-to-end table (median over rounds) and the targets
  report.py codec DIR [DIR...]      codec table from criterion homes (first DIR wins a group)

RESULTS.jsonl has one line per client run: {"round":R,"status":"ok"|"failed"|"n/a",
"client":..,"transport":..} plus, when ok, the client's own line (cycles, seconds, cpu_user_s,
cpu_sys_s). Criterion homes hold <group>/<function>/new/{benchmark,estimates}.json.
"""

import json
import os
import statistics
import sys

CLIENTS = ["floor", "ours", "janode", "jarust"]
TRANSPORTS = ["ws", "http"]
LABELS = {
    "floor": "floor (raw sockets, no JSON library)",
    "ours": "ours (janus-signal-socket)",
    "janode": "janode 1.8",
    "jarust": "jarust 1.10",
}


def e2e(path):
    runs = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                r = json.loads(line)
                runs.setdefault((r["client"], r["transport"]), []).append(r)

    # (client, transport) -> (cycles/s, cpu µs/cycle, ok rounds, rounds) or a status word.
    summary = {}
    for key, rs in runs.items():
        ok = [r for r in rs if r["status"] == "ok"]
        if ok:
            rate = statistics.median(r["cycles"] / r["seconds"] for r in ok)
            cpu = statistics.median((r["cpu_user_s"] + r["cpu_sys_s"]) / r["cycles"] * 1e6 for r in ok)
            counted = [r["allocations"] / r["cycles"] for r in ok if "allocations" in r]
            allocs = statistics.median(counted) if counted else None
            summary[key] = (rate, cpu, len(ok), len(rs), allocs)
        else:
            summary[key] = "n/a" if all(r["status"] == "n/a" for r in rs) else "failed"

    def rate(client, transport):
        s = summary.get((client, transport))
        return s[0] if isinstance(s, tuple) else None

    def ratio(a, b):
        return f"{a / b:.2f}×" if a is not None and b else "n/a"

    out = [
        "| Client | transport | cycles/s | CPU µs/cycle | allocations/cycle | vs floor | vs janode | vs jarust |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for transport in TRANSPORTS:
        for client in CLIENTS:
            s = summary.get((client, transport))
            if s is None:
                continue
            if not isinstance(s, tuple):
                out.append(f"| {LABELS[client]} | {transport} | {s} | {s} | | | | |")
                continue
            r, cpu, ok, total, allocs = s
            allocs = "n/a" if allocs is None else f"{allocs:.3f}"
            note = "" if ok == total else f" ({ok}/{total} rounds)"
            cells = [ratio(r, rate(other, transport)) if other != client else "—" for other in ("floor", "janode", "jarust")]
            out.append(f"| {LABELS[client]} | {transport} | {r:,.0f}{note} | {cpu:,.1f} | {allocs} | " + " | ".join(cells) + " |")

    out += ["", "Targets (ours; ratios of the medians above):", ""]

    def check(text, value, target, higher_is_better=True, digits=2):
        if value is None:
            return f"- {text}: n/a"
        met = value >= target if higher_is_better else value <= target
        shown = f"{value:.{digits}f}"
        return f"- {text}: {shown} (target {'≥' if higher_is_better else '≤'} {target}) {'met' if met else 'NOT met'}"

    def cpu(client, transport):
        s = summary.get((client, transport))
        return s[1] if isinstance(s, tuple) else None

    for transport in TRANSPORTS:
        ours = rate("ours", transport)
        floor, janode, jarust = (rate(c, transport) for c in ("floor", "janode", "jarust"))
        out.append(check(f"{transport}: ours / floor cycles/s", ours / floor if ours and floor else None, 0.9))
        if janode or transport == "ws":
            out.append(check(f"{transport}: ours / janode cycles/s", ours / janode if ours and janode else None, 1.3))
        out.append(check(f"{transport}: ours / jarust cycles/s", ours / jarust if ours and jarust else None, 1.2))
        oc, jc, fc = cpu("ours", transport), cpu("janode", transport), cpu("floor", transport)
        out.append(check(f"{transport}: ours / floor CPU per cycle", oc / fc if oc and fc else None, 1.1, False))
        s = summary.get(("ours", transport))
        allocs = s[4] if isinstance(s, tuple) else None
        out.append(check(f"{transport}: ours allocations per cycle", allocs, 0, False, digits=4))
        if jc or transport == "ws":
            out.append(check(f"{transport}: ours / janode CPU per cycle", oc / jc if oc and jc else None, 0.2, False))
    if summary.get(("janode", "http")) == "n/a":
        out.append("- http vs janode: n/a (janode has no HTTP transport, only WebSocket and Unix sockets)")
    print("\n".join(out))


def estimates(home):
    """{group: {function: mean ns}} of one criterion home."""
    found = {}
    if not os.path.isdir(home):
        return found
    for root, _dirs, files in os.walk(home):
        if os.path.basename(root) != "new" or "estimates.json" not in files or "benchmark.json" not in files:
            continue
        with open(os.path.join(root, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(root, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        found.setdefault(bench["group_id"], {})[bench.get("function_id") or bench["group_id"]] = mean
    return found


def ns(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e3:
        return f"{v / 1e3:.2f} µs"
    return f"{v:.0f} ns"


def codec(homes):
    # A group comes from the first home that has it: bench/peers measures all three in one
    # process, so it goes first when present.
    groups, others, extra = {}, {}, []
    main = ("janus-signal", "serde_json-typed", "serde_json", "jarust")
    for home in homes:
        source = os.path.basename(home.rstrip("/"))
        for group, functions in sorted(estimates(home).items()):
            groups.setdefault(group, (source, functions))
            for name, v in functions.items():
                if name not in main:
                    others.setdefault((group, name), (source, v))
    if not groups:
        print("n/a (no criterion results)")
        return
    out = [
        "| group | janus-signal | serde_json-typed | jarust | serde_json ÷ ours | jarust ÷ ours | from |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for group, (source, functions) in sorted(groups.items()):
        ours = functions.get("janus-signal")
        serde = functions.get("serde_json-typed", functions.get("serde_json"))
        jarust = functions.get("jarust")

        def times(v):
            return f"{v / ours:.2f}×" if v and ours else "—"

        out.append(f"| {group} | {ns(ours)} | {ns(serde)} | {ns(jarust)} | {times(serde)} | {times(jarust)} | {source} |")
    for (group, name), (source, v) in sorted(others.items()):
        extra.append(f"{group}/{name} {ns(v)} ({source})")
    out.append("")
    out.append("Mean time per iteration (criterion `mean.point_estimate`); ratio > 1 = ours is faster.")
    if extra:
        out.append("Also measured: " + "; ".join(extra) + ".")
    print("\n".join(out))


def syscalls(cycles, paths):
    """`strace -f -c` summaries named <client>-<transport>.txt: system calls per cycle."""
    rows = {}
    for path in paths:
        name = path.rsplit("/", 1)[-1].removesuffix(".txt").removeprefix("strace-")
        client, transport = name.rsplit("-", 1)
        counts = {}
        with open(path) as f:
            for line in f:
                parts = line.split()
                # "% time  seconds  usecs/call  calls  [errors]  syscall"
                if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                    counts[parts[-1]] = int(parts[3])
        rows[(client, transport)] = counts
    out = [
        "| Client | transport | system calls/cycle | of which |",
        "|---|---|---:|---|",
    ]
    for transport in TRANSPORTS:
        for client in CLIENTS:
            counts = rows.get((client, transport))
            if counts is None:
                continue
            total = sum(counts.values()) / cycles
            top = sorted(counts.items(), key=lambda kv: -kv[1])[:4]
            detail = ", ".join(f"{name} {n / cycles:.1f}" for name, n in top if n / cycles >= 0.05)
            out.append(f"| {LABELS[client]} | {transport} | {total:.1f} | {detail} |")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "syscalls":
        syscalls(int(sys.argv[2]), sys.argv[3:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "e2e":
        e2e(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "codec":
        codec(sys.argv[2:])
    else:
        sys.exit(__doc__)
