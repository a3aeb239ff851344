"""`scripts/first_import_phases.py` splits a first import's samples into the phases it reports."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "first_import_phases.py"


def load_script():
    spec = importlib.util.spec_from_file_location("first_import_phases", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


phases_script = load_script()
Sample = phases_script.Sample


def sample(at: float, *queries: str, cpu: float | None = None) -> Sample:
    cpu = at if cpu is None else cpu
    return Sample(at=at, queries=list(queries), sync_cpu=cpu, sandbox_cpu=2 * cpu, postgres_cpu=3 * cpu)


def test_a_sample_names_the_index_being_built_before_anything_else_running():
    assert phases_script.phase_of(['CREATE INDEX "hotline_live_name" ON "hotlines_hotline"', "COPY x"]) == (
        "index hotline_live_name"
    )
    assert phases_script.phase_of(['COPY "hotlines_hotline" (a, b) FROM STDIN']) == "fetch (COPY)"
    assert phases_script.phase_of([]) == "(between statements)"
    assert phases_script.phase_of(["x" * 100]) == "x" * 48


def test_the_fetch_spans_its_first_copy_to_its_last_and_each_phase_lasts_until_the_next():
    samples = [
        sample(0.0, "INSERT INTO hotlines_stagedtenant"),
        sample(0.2, "INSERT INTO hotlines_stagedtenant"),
        sample(0.4, "COPY hotlines"),
        sample(0.6, 'SAVEPOINT "s1"'),  # between two pages: part of the fetch
        sample(0.8, "COPY hotlines"),
        sample(1.0, 'CREATE INDEX "a" ON t'),
        sample(1.2, 'CREATE INDEX "a" ON t'),
        sample(1.4, 'CREATE INDEX "b" ON t'),
        sample(1.6, "VACUUM (ANALYZE) t"),
    ]
    found = [(name, first.at, last.at) for name, first, last in phases_script.phases(samples)]
    assert found == [
        ("INSERT INTO hotlines_stagedtenant", 0.0, 0.4),
        ("fetch (COPY)", 0.4, 1.0),
        ("index a", 1.0, 1.4),
        ("index b", 1.4, 1.6),
        ("VACUUM (ANALYZE) t", 1.6, 1.6),
    ]


def test_a_process_cpu_is_read_from_proc_and_a_process_gone_counts_nothing():
    mine = phases_script.cpu_seconds([os.getpid()])
    sum(i * i for i in range(200_000))  # some CPU
    assert phases_script.cpu_seconds([os.getpid()]) >= mine > 0
    assert phases_script.cpu_seconds([2**22 + 12345]) == 0
