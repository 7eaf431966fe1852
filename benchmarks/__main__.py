"""``python -m benchmarks [NAME ...]``, ``python -m benchmarks simulate [...]``.

Without arguments (``make bench``): every ``benchmarks/bench_*.py`` and the simulation
study's quick version (50 replications per strength), each printed as a JSON line, and
``bench/RESULTS.md`` written with the machine, the commit and every result. Speed targets
are ratios against a baseline measured in the same run (bare Scrapy, bare jieba, bare
numpy), because the machines are shared and noisy.

With names (``python -m benchmarks crawl text``): only those, printed, nothing written.
``python -m benchmarks simulate --help``: the full simulation study
(:mod:`benchmarks.simulate`).

Each ``bench_*`` module exposes ``run() -> dict[str, object]``.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path("bench") / "RESULTS.md"
QUICK_REPLICATIONS = 50  # per strength: the quick simulation, within make bench's 15 minutes on 2 cores
VERSIONS = ("tongxin", "scrapy", "jieba", "rjieba", "numpy", "pandas", "scipy", "statsmodels", "scikit-learn",
            "SQLAlchemy")


def _machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in VERSIONS:
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (absent)")
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "commit": commit or "unknown",
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "versions": ", ".join(versions)}


def _flat(result: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flat(value, f"{name}.")
        else:
            rows.append((name, value))
    return rows


def write_results(results: dict[str, dict[str, object]], seconds: dict[str, float], path: Path = RESULTS) -> None:
    """``bench/RESULTS.md``: the machine, then each benchmark's figures (ratios first)."""
    machine = _machine()
    lines = ["# Benchmark results", "", "Written by `make bench` (`python -m benchmarks`).", "",
             "| machine | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine.items()]
    lines.append("")
    for name, result in results.items():
        lines += [f"## {name} ({seconds[name]:.0f} s)", ""]
        if name == "simulate" and "markdown" in result:
            lines += [str(result["markdown"]), ""]
            continue
        flat = _flat(result)
        flat.sort(key=lambda kv: (not any(w in kv[0] for w in ("ratio", "goal", "speedup", "agreement")), kv[0]))
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| {key} | {json.dumps(value, ensure_ascii=False, default=str)} |" for key, value in flat]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _simulation() -> dict[str, object]:
    from benchmarks import simulate

    frame, meta = simulate.run_study(QUICK_REPLICATIONS, 30, mrp=False, jobs=max(1, (os.cpu_count() or 1)))
    summary = simulate.summarise(frame)
    out = RESULTS.parent
    out.mkdir(parents=True, exist_ok=True)
    simulate.plot(summary, out / "simulation.png")
    return {"markdown": simulate.markdown(summary, meta), "seconds": meta["seconds"]}


def main(argv: list[str]) -> int:
    if argv[:1] == ["simulate"]:
        from benchmarks import simulate

        return simulate.main(argv[1:])
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}, simulate", file=sys.stderr)
        return 2
    results: dict[str, dict[str, object]] = {}
    seconds: dict[str, float] = {}
    failed = 0
    for name in wanted:
        started = time.perf_counter()
        try:
            result = importlib.import_module(f"benchmarks.{name}").run()
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            failed += 1
            result = {"error": f"{type(exc).__name__}: {exc}"}
        seconds[name] = time.perf_counter() - started
        results[name] = result
        print(json.dumps({"benchmark": name, **result}, ensure_ascii=False, default=str), flush=True)
    if not argv:
        started = time.perf_counter()
        results["simulate"] = _simulation()
        seconds["simulate"] = time.perf_counter() - started
        print(results["simulate"]["markdown"], flush=True)
        write_results(results, seconds)
        print(f"written: {RESULTS}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
