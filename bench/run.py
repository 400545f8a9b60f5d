#!/usr/bin/env python
"""Run every bench/bench_*.py, each in its own process, and print its output; finish with
one summary line that collects every benchmark's last line.

    python bench/run.py [--quick]

``--quick`` is passed through to each benchmark (smaller data, fewer repetitions).
Exit status is non-zero when any benchmark fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_one(script: Path, extra: list[str]) -> tuple[int, str]:
    """Stream a benchmark's output; return its exit status and its last non-empty line."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(script), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    last = ""
    for line in proc.stdout:
        print(line, end="", flush=True)
        if line.strip():
            last = line.strip()
    status = proc.wait()
    print(f"== {script.name}: exit {status} after {time.monotonic() - started:.0f} s ==")
    if status != 0:
        last = f"{script.stem}: FAILED (exit {status}; last line: {last or '-'})"
    return status, last


def main(argv: list[str]) -> int:
    extra = ["--quick"] if "--quick" in argv else []
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("SUMMARY: no benchmarks found in bench/")
        return 1
    summaries = []
    failed = 0
    for script in scripts:
        print(f"== {script.name} {' '.join(extra)}".rstrip() + " ==", flush=True)
        status, last = run_one(script, extra)
        failed += status != 0
        summaries.append(last)
    print("SUMMARY: " + " || ".join(summaries))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
