"""The benchmark's pure parts: percentiles, targets, growth, machine description and the results files.

The benchmark itself is not a test (it is timed, long and machine-dependent): `make bench` runs it.
"""

import json

import pytest

from bench import report
from bench.generate import PEOPLE_HEADER, people_csv, services_folder
from bench.run import SCALES, scale_from_env


def test_percentiles_interpolate_between_ranks():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert report.percentile(values, 50) == 30.0
    assert report.percentile(values, 95) == pytest.approx(48.0)
    assert report.percentile(values, 0) == 10.0
    assert report.percentile(values, 100) == 50.0
    assert report.percentile([7.0], 95) == 7.0
    assert report.percentile([3.0, 1.0, 2.0], 50) == 2.0  # unordered input


def test_percentiles_refuse_empty_samples_and_bad_ranks():
    with pytest.raises(ValueError):
        report.percentile([], 50)
    with pytest.raises(ValueError):
        report.percentile([1.0], 101)


def test_summary_counts_samples_and_errors():
    summary = report.summarize([1.0, 2.0, 3.0, 4.0], errors=2)
    assert summary == {"n": 4, "errors": 2, "p50_ms": 2.5, "p95_ms": 3.9, "max_ms": 4.0}


def test_pages_are_judged_against_the_issue_targets_and_the_floor():
    pages = {
        "floor": {"p50_ms": 4.0, "p95_ms": 5.0, "errors": 0},
        "person_file": {"p50_ms": 24.0, "p95_ms": 40.0, "errors": 0},
        "people_list": {"p50_ms": 12.0, "p95_ms": 149.0, "errors": 0},
        "referent_home": {"p50_ms": 30.0, "p95_ms": 151.0, "errors": 0},
        "cite_dashboard": {"p50_ms": 200.0, "p95_ms": 290.0, "errors": 0},
        "national_dashboard": {"p50_ms": 900.0, "p95_ms": 990.0, "errors": 1},
    }
    judged = report.judge_pages(pages, floor_p50_ms=4.0)
    assert judged["person_file"]["floor_ratio"] == 6.0
    assert judged["person_file"]["floor_ratio_ok"] is False
    assert judged["people_list"]["floor_ratio_ok"] is True and judged["people_list"]["p95_ok"] is True
    assert judged["referent_home"]["p95_ok"] is False and "floor_ratio_ok" not in judged["referent_home"]
    assert judged["cite_dashboard"]["target_p95_ms"] == 300.0 and judged["cite_dashboard"]["p95_ok"] is True
    assert judged["national_dashboard"]["p95_ok"] is False  # an error fails the page whatever its time
    assert "floor_ratio" not in judged["floor"]


def test_growth_is_the_ratio_of_medians():
    small = {"a": {"p50_ms": 10.0}, "b": {"p50_ms": 20.0}, "only_small": {"p50_ms": 1.0}}
    large = {"a": {"p50_ms": 12.0}, "b": {"p50_ms": 80.0}}
    assert report.growth(small, large) == {"a": 1.2, "b": 4.0}


def test_machine_description_reads_proc_files():
    cpuinfo = (
        "processor\t: 0\nmodel name\t: Test CPU @ 2GHz\n\nprocessor\t: 1\nmodel name\t: Test CPU @ 2GHz\n"
    )
    meminfo = "MemTotal:        8388608 kB\nMemFree:  1 kB\n"
    machine = report.machine_description(cpuinfo, meminfo)
    assert machine["cpu"] == "Test CPU @ 2GHz" and machine["cpus"] == 2 and machine["memory_gb"] == 8.0


def _results(pages, throughput_rps=250.0):
    return {
        "date": "2026-11-22 04:00 UTC",
        "commit": "abc1234",
        "scale": "small",
        "machine": {"cpu": "Test CPU", "cpus": 2, "memory_gb": 8.0, "python": "3.11.7", "system": "Linux"},
        "server": "gunicorn",
        "conditions": "machine partagée",
        "runs": [
            {
                "database": "sqlite",
                "label": "4 000 personnes",
                "dataset": "3 cités",
                "generation": {
                    "label": "Génération (2 cités, 4 000 personnes, `citemploi demo`)",
                    "seconds": 1010.0,
                    "cpu_seconds": 950.4,
                    "peak_mb": 371.2,
                    "analyze_seconds": 31.6,
                },
                "pages": report.judge_pages(pages, pages["floor"]["p50_ms"]),
                "after_change": {
                    "cite_dashboard": report.summarize([900.0, 1100.0, 1000.0]) | {"url": "/indicateurs/"}
                },
                "throughput": {
                    "person_file": {
                        "clients": 50,
                        "seconds": 10.0,
                        "requests": 2500,
                        "errors": 0,
                        "rps": throughput_rps,
                        "p50_ms": 150.0,
                        "p95_ms": 300.0,
                        "ok": throughput_rps >= 200,
                    }
                },
                "jobs": {
                    "indicators": {
                        "label": "Indicateurs",
                        "seconds": 9.5,
                        "command_seconds": 0.42,
                        "peak_mb": 120.0,
                    }
                },
                "growth": {"person_file": 1.05},
                "growth_label": "1× → 10×",
            }
        ],
        "notes": ["machine chargée"],
    }


def test_results_are_written_as_json_and_a_markdown_table(tmp_path):
    pages = {
        "floor": {"p50_ms": 4.0, "p95_ms": 5.0, "errors": 0, "url": "/sante/plancher/"},
        "person_file": {"p50_ms": 24.0, "p95_ms": 180.0, "errors": 0, "url": "/personnes/1/"},
    }
    json_path, md_path = report.write_results(_results(pages, throughput_rps=150.0), tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["runs"][0]["pages"]["person_file"]["floor_ratio"] == 6.0
    text = md_path.read_text(encoding="utf-8")
    assert (
        "| person_file (`/personnes/1/`) | 24,0 | 180,0 | 150 | manqué | 6,0 (manqué, cible ≤ 5) | 0 |"
        in text
    )
    assert "Débit `person_file` : 150 requêtes/s" in text and "cible ≥ 200/s : manqué" in text
    assert "Test CPU, 2 cœurs, 8.0 Go" in text
    assert "person_file : × 1,05" in text
    assert "- machine chargée" in text
    assert (
        "Génération (2 cités, 4 000 personnes, `citemploi demo`) : 16,8 min (1010 s, 950 s de CPU du "
        "générateur), mémoire maximale 371 Mo — cible ≤ 15 min : manqué ; puis `ANALYZE` en 32 s" in text
    )
    assert (
        "`cite_dashboard` au premier affichage après une modification des données (résultats des indicateurs "
        "recalculés) : p50 1000,0 ms, p95 1090,0 ms sur 3 mesures, 0 erreurs" in text
    )
    assert (
        "Indicateurs : 0.42 s de calcul (9.5 s avec le démarrage du processus), mémoire maximale 120 Mo"
        in text
    )


def test_scales_can_be_overridden_from_the_environment(monkeypatch):
    monkeypatch.setenv("BENCH_PEOPLE", "100,1000")
    monkeypatch.setenv("BENCH_REQUESTS", "7")
    scale = scale_from_env("small")
    assert scale["people"] == [100, 1000] and scale["requests"] == 7
    assert SCALES["small"]["requests"] != 7  # the defaults are untouched
    assert SCALES["reference"]["people"][-1] == 500_000 and SCALES["reference"]["cites"] == 100


def test_generated_files_have_the_expected_lines(tmp_path):
    path = people_csv(tmp_path / "people.csv", 5)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ";".join(PEOPLE_HEADER) and len(lines) == 6
    assert len({line.split(";")[4] for line in lines[1:]}) == 5  # distinct e-mail addresses
    folder = services_folder(tmp_path / "di", 7, structures=3)
    services = json.loads((folder / "services.json").read_text(encoding="utf-8"))
    structures = json.loads((folder / "structures.json").read_text(encoding="utf-8"))
    assert len(services) == 7 and len(structures) == 3
    assert {s["structure_id"] for s in services} <= {s["id"] for s in structures}


def test_duckdb_comparison_is_rendered_with_its_ratio_and_every_mismatch(tmp_path):
    pages = {"floor": {"p50_ms": 4.0, "p95_ms": 5.0, "errors": 0, "url": "/sante/plancher/"}}
    results = _results(pages)
    scope = {"cites": 1, "from": "2026-01-01", "to": "2026-12-31", "figures_compared": 130}
    results["runs"][0]["jobs"]["duckdb"] = {
        "duckdb_version": "2.0.1",
        "load_seconds": 12.34,
        "indicators": ["people.identified", "events.count"],
        "repeat": 3,
        "scopes": {
            "indicators": scope
            | {
                "scope": "marseille",
                "mismatches": [],
                "citemploi_seconds": 0.4,
                "citemploi_sequential_seconds": 0.75,
                "workers": 2,
                "duckdb_seconds": 0.1,
                "ratio": 4.0,
                "ok": True,
                "citemploi_by_indicator": {"people.identified": 0.05, "events.count": 0.35},
            },
            "national_indicators": scope
            | {
                "scope": "*",
                "cites": 3,
                "mismatches": [
                    {"indicator": "people.identified", "category": "forum", "citemploi": 3.0, "duckdb": 2.0}
                ],
                "citemploi_seconds": 1.2,
                "duckdb_seconds": 0.2,
                "ratio": 6.0,
                "ok": False,
            },
        },
        "mismatches": 1,
    }
    text = report.markdown(results)
    assert "chargement de la base dans DuckDB 12,3 s, non compté dans le rapport" in text
    assert (
        "cité marseille (1 cité), 2026-01-01 → 2026-12-31 : citemploi 0,400 s (2 fils, comme le produit les "
        "calcule ; l'un après l'autre : 0,750 s), DuckDB 0,100 s" in text
    )
    assert "toutes les cités (3 cités), 2026-01-01 → 2026-12-31 : citemploi 1,200 s, DuckDB 0,200 s" in text
    assert "rapport 4,0 — cible ≤ 5 et aucun écart : atteint ; 130 chiffres comparés, 0 écart(s)" in text
    assert "les plus longs côté citemploi : `events.count` 0,350 s, `people.identified` 0,050 s" in text
    assert "toutes les cités (3 cités)" in text and "rapport 6,0 — cible ≤ 5 et aucun écart : manqué" in text
    assert "ÉCART `people.identified` / `forum` : citemploi 3.0, DuckDB 2.0" in text
    results["runs"][0]["jobs"]["duckdb"] = {"error": "bench/duckdb_compare.py a échoué (1) : boom"}
    assert (
        "Comparaison avec DuckDB : ERREUR — bench/duckdb_compare.py a échoué (1) : boom"
        in report.markdown(results)
    )
