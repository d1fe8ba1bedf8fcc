"""The pure parts of the benchmark: percentiles, targets, pass/miss, and the results files.

Kept free of Django and of I/O other than writing the two results files, so tests/bench can run them.
"""

import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: the issue's targets (issue #7), at the reference scale on a 2-core machine; milliseconds unless stated
PAGE_P95_TARGET_MS = 150.0
DASHBOARD_P95_TARGET_MS = {"cite_dashboard": 300.0, "national_dashboard": 1000.0}
FLOOR_RATIO_TARGET = 5.0
FLOOR_RATIO_PAGES = ("people_list", "person_file")
THROUGHPUT_TARGET_RPS = {"person_file": 200.0}
CITE_INDICATORS_TARGET_S = 0.5
NATIONAL_INDICATORS_TARGET_S = 3.0
#: citemploi's indicators within 5× of the same figures computed by DuckDB over the same data (warm, load excluded)
DUCKDB_RATIO_TARGET = 5.0
IMPORT_TARGET_S = 60.0
IMPORT_TARGET_MB = 500.0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) with linear interpolation between the closest ranks (NumPy's default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(samples_ms: Sequence[float], errors: int = 0) -> dict[str, float | int]:
    return {
        "n": len(samples_ms),
        "errors": errors,
        "p50_ms": round(percentile(samples_ms, 50), 1),
        "p95_ms": round(percentile(samples_ms, 95), 1),
        "max_ms": round(max(samples_ms), 1),
    }


def page_target_ms(page: str) -> float:
    return DASHBOARD_P95_TARGET_MS.get(page, PAGE_P95_TARGET_MS)


def verdict(ok: bool) -> str:
    return "atteint" if ok else "manqué"


def judge_pages(pages: dict[str, dict[str, Any]], floor_p50_ms: float | None) -> dict[str, dict[str, Any]]:
    """Adds to each page its p95 target, pass/miss, its ratio to the floor (p50 over p50) and its verdict."""
    judged = {}
    for name, page in pages.items():
        row = dict(page)
        target = page_target_ms(name)
        row["target_p95_ms"] = target
        row["p95_ok"] = page["errors"] == 0 and page["p95_ms"] <= target
        if floor_p50_ms and name != "floor":
            row["floor_ratio"] = round(page["p50_ms"] / floor_p50_ms, 1)
            if name in FLOOR_RATIO_PAGES:
                row["floor_ratio_ok"] = row["floor_ratio"] <= FLOOR_RATIO_TARGET
        judged[name] = row
    return judged


def growth(small: dict[str, dict[str, Any]], large: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Per page, p50 at the larger data set over p50 at the smaller one (1.0 = flat)."""
    return {
        name: round(large[name]["p50_ms"] / small[name]["p50_ms"], 2)
        for name in small
        if name in large and small[name]["p50_ms"] > 0
    }


def machine_description(cpuinfo: str, meminfo: str) -> dict[str, Any]:
    """CPU model and count, memory, from the texts of /proc/cpuinfo and /proc/meminfo."""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    total_kb = next(
        (int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0
    )
    return {
        "cpu": models[0] if models else platform.processor() or "inconnu",
        "cpus": len(models),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def _ms(value: Any) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown page (French, like the rest of the user-facing text)."""
    m = results["machine"]
    lines = [
        "# Résultats du banc d'essai",
        "",
        f"- Date : {results['date']} — commit `{results['commit']}` — échelle `{results['scale']}`",
        f"- Machine : {m['cpu']}, {m['cpus']} cœurs, {m['memory_gb']} Go de mémoire, Python {m['python']}",
        f"- Serveur : {results['server']}",
        f"- Conditions : {results['conditions']}",
        "",
    ]
    for run in results["runs"]:
        lines += [
            f"## {run['database']} — {run['label']}",
            "",
            f"Données : {run['dataset']}",
            "",
            *generation_lines(run.get("generation")),
            "| page | p50 (ms) | p95 (ms) | cible p95 | p95 | rapport au plancher (p50) | erreurs |",
            "|---|---:|---:|---:|---|---:|---:|",
        ]
        for name, page in run["pages"].items():
            ratio = page.get("floor_ratio")
            ratio_text = "—" if ratio is None else f"{ratio:.1f}".replace(".", ",")
            if "floor_ratio_ok" in page:
                ratio_text += f" ({verdict(page['floor_ratio_ok'])}, cible ≤ {FLOOR_RATIO_TARGET:g})"
            lines.append(
                f"| {name} (`{page['url']}`) | {_ms(page['p50_ms'])} | {_ms(page['p95_ms'])} | "
                f"{page['target_p95_ms']:g} | {verdict(page['p95_ok'])} | {ratio_text} | {page['errors']} |"
            )
        lines.append("")
        for name, page in run.get("after_change", {}).items():
            lines.append(
                f"- `{name}` au premier affichage après une modification des données (résultats des "
                f"indicateurs recalculés) : p50 {_ms(page['p50_ms'])} ms, p95 {_ms(page['p95_ms'])} ms sur "
                f"{page['n']} mesures, {page['errors']} erreurs"
            )
        for name, t in run.get("throughput", {}).items():
            target = THROUGHPUT_TARGET_RPS.get(name)
            judged = "" if target is None else f" — cible ≥ {target:g}/s : {verdict(t['ok'])}"
            lines.append(
                f"- Débit `{name}` : {t['rps']:.0f} requêtes/s avec {t['clients']} clients pendant "
                f"{t['seconds']:.0f} s, {t['requests']} requêtes, {t['errors']} erreurs, "
                f"p95 {_ms(t['p95_ms'])} ms{judged}"
            )
        for name, job in run.get("jobs", {}).items():
            if name == "duckdb":
                continue
            command = job.get("command_seconds")
            timing = f"{command:.2f} s de calcul ({job['seconds']:.1f} s avec le démarrage du processus)"
            lines.append(
                f"- {job['label']} : {timing if command is not None else format(job['seconds'], '.1f') + ' s'}, "
                f"mémoire maximale {job['peak_mb']:.0f} Mo"
                + (f" — {job['verdict']}" if job.get("verdict") else "")
            )
        if "duckdb" in run.get("jobs", {}):
            lines += duckdb_lines(run["jobs"]["duckdb"])
        if run.get("growth"):
            lines += ["", f"Croissance du p50 ({run['growth_label']}) :", ""]
            lines += [f"- {name} : × {ratio:.2f}".replace(".", ",") for name, ratio in run["growth"].items()]
        lines.append("")
    if results.get("notes"):
        lines += ["## Notes", ""] + [f"- {note}" for note in results["notes"]] + [""]
    return "\n".join(lines)


#: the issue's target for generating the reference scale's data, on SQLite and on PostgreSQL
GENERATION_TARGET_S = 15 * 60.0


def generation_lines(job: dict[str, Any] | None) -> list[str]:
    """How long the data set took to generate (wall, CPU of the generating processes, peak memory)."""
    if not job:
        return []
    minutes = job["seconds"] / 60
    cpu = f", {job['cpu_seconds']:.0f} s de CPU du générateur" if job.get("cpu_seconds") is not None else ""
    line = (
        f"{job['label']} : {minutes:.1f} min ({job['seconds']:.0f} s{cpu}), mémoire maximale "
        f"{job['peak_mb']:.0f} Mo — cible ≤ {GENERATION_TARGET_S / 60:g} min : "
        f"{verdict(job['seconds'] <= GENERATION_TARGET_S)}"
    ).replace(".", ",")
    if job.get("analyze_seconds") is not None:
        line += f" ; puis `ANALYZE` en {job['analyze_seconds']:.0f} s".replace(".", ",")
    return [line, ""]


def _sequential(scope: dict[str, Any]) -> str:
    """How citemploi's time was taken: indicators computed together on several connections, and alone."""
    if scope.get("citemploi_sequential_seconds") is None:
        return ""
    return (
        f" ({scope.get('workers', 1)} fils, comme le produit les calcule ; l'un après l'autre : "
        f"{_s(scope['citemploi_sequential_seconds'], 3)} s)"
    )


def duckdb_lines(job: dict[str, Any]) -> list[str]:
    """The comparison with DuckDB (bench/duckdb_compare.py): load time, warm times, ratio, every mismatch."""
    if job.get("error"):
        return [f"- Comparaison avec DuckDB : ERREUR — {job['error']}"]
    lines = [
        f"- Mêmes indicateurs calculés par DuckDB {job['duckdb_version']} ({len(job['indicators'])} indicateurs : "
        f"repérage, accompagnement, orientations et délais, sorties et maintien, freins, actions) : chargement "
        f"de la base dans DuckDB {_s(job['load_seconds'])} s, non compté dans le rapport (lecture par le "
        f"curseur de la base, fichiers CSV, COPY) ; temps à chaud, médiane de {job['repeat']} calculs"
    ]
    for scope in job["scopes"].values():
        where = "toutes les cités" if scope["scope"] == "*" else f"cité {scope['scope']}"
        where += (
            f" ({scope['cites']} cité{'s' if scope['cites'] > 1 else ''}), {scope['from']} → {scope['to']}"
        )
        figures = f"{scope['figures_compared']} chiffres comparés, {len(scope['mismatches'])} écart(s)"
        if scope.get("ratio") is None:
            lines.append(f"  - {where} : {figures}")
        else:
            lines.append(
                f"  - {where} : citemploi "
                f"{_s(scope['citemploi_seconds'], 3)} s{_sequential(scope)}, DuckDB "
                f"{_s(scope['duckdb_seconds'], 3)} s, rapport "
                f"{_s(scope['ratio'])} — cible ≤ {DUCKDB_RATIO_TARGET:g} et aucun écart : {verdict(scope['ok'])} ; "
                f"{figures}"
            )
        slowest = sorted(scope.get("citemploi_by_indicator", {}).items(), key=lambda kv: -kv[1])[:3]
        if slowest:
            lines.append(
                "    - les plus longs côté citemploi : "
                + ", ".join(f"`{code}` {_s(seconds, 3)} s" for code, seconds in slowest)
            )
        for m in scope["mismatches"]:
            lines.append(
                f"    - ÉCART `{m['indicator']}` / `{m['category'] or 'non renseigné'}` : citemploi "
                f"{m['citemploi']}, DuckDB {m['duckdb']}"
            )
    return lines


def _s(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def write_results(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "results.json", directory / "results.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    return json_path, md_path
