"""Runs one `citemploi` management command in this process and writes how long the command itself took
(Django already set up, so the process start is not counted) to the file named by BENCH_TIMING_FILE."""

import sys
import time
from pathlib import Path

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(*sys.argv[1:])
    seconds = time.perf_counter() - started
    import os

    Path(os.environ["BENCH_TIMING_FILE"]).write_text(f"{seconds:.3f}", encoding="utf-8")


if __name__ == "__main__":
    main()
