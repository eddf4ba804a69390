"""What the run's figures mean: table rows with targets, and notes on how far to trust them."""

from __future__ import annotations

from tests.bench.ingest_bench import IngestFigures
from tests.bench.report import Row
from tests.bench.triage_bench import TriageFigures


def ingest_rows(f: IngestFigures) -> list[Row]:
    ours, base = f.ours, f.baseline
    ratio = ours.single["requests_per_s"] / max(base.single["requests_per_s"], 1e-9)
    errors = ours.single["errors"] + ours.batch["errors"]
    base_errors = base.single["errors"] + base.batch["errors"]
    rows = [
        Row(
            "ingest POST /v1/signals (req/s)",
            ours.single["requests_per_s"],
            base.single["requests_per_s"],
            target="≥ 0.7× baseline",
            met=ratio >= 0.7 and errors == 0,
        ),
        Row("ingest single p50 (ms)", ours.single["p50_ms"], base.single["p50_ms"], digits=1),
        Row("ingest single p99 (ms)", ours.single["p99_ms"], base.single["p99_ms"], digits=1),
        Row(
            "ingest single: server CPU per signal (µs)",
            ours.single["server_cpu_us_per_signal"],
            base.single["server_cpu_us_per_signal"],
        ),
        Row(
            "ingest POST /v1/signals/batch ×1000 (signals/s)",
            ours.batch["signals_per_s"],
            base.batch["signals_per_s"],
            target="≥ 10,000/s",
            met=ours.batch["signals_per_s"] >= 10_000 and errors == 0,
        ),
        Row("ingest batch p50 (ms)", ours.batch["p50_ms"], base.batch["p50_ms"], digits=1),
        Row(
            "ingest batch: server CPU per signal (µs)",
            ours.batch["server_cpu_us_per_signal"],
            base.batch["server_cpu_us_per_signal"],
            digits=1,
        ),
        Row("ingest errors (not 202/200)", errors, base_errors, target="0", met=errors == 0),
        Row(
            "ingest peak RSS, VmHWM (MB)",
            ours.peak_rss_mb,
            base.peak_rss_mb,
            target="≤ 300 MB",
            met=ours.peak_rss_mb <= 300,
        ),
        Row("outbox backlog when load stopped (rows)", f.relay.outbox_at_load_end),
        Row("outbox relay: drain after load (s)", f.relay.drain_s, digits=1),
    ]
    if base.noop is not None:
        rows.append(Row("load generator ceiling, /noop (req/s)", None, base.noop["requests_per_s"]))
    return rows


def triage_rows(t: TriageFigures) -> list[Row]:
    ratio = t.ours_per_s / t.raw_per_s
    return [
        Row(
            "triage, 1 worker (signals/s); baseline: raw consume loop",
            t.ours_per_s,
            t.raw_per_s,
            target="≥ 3,000/s",
            met=t.ours_per_s >= 3000,
        ),
        Row("triage ÷ raw consume loop", ratio, target="≥ 0.5×", met=ratio >= 0.5, digits=2),
        Row(
            "triage: events recorded in inbox",
            t.inbox_rows,
            t.signals,
            target="all",
            met=t.inbox_rows == t.signals and t.errors == 0,
        ),
        Row(f"triage: cases for {t.households:,} households", t.cases),
    ]


def notes(ingest: IngestFigures | None, triage: TriageFigures | None) -> list[str]:
    lines = []
    if ingest is not None:
        for name, fig in (("ours", ingest.ours), ("baseline", ingest.baseline)):
            single, batch = fig.single, fig.batch
            lines.append(
                f"{name}: server CPU {single['server_cpu']:.0%} (single) / "
                f"{batch['server_cpu']:.0%} (batch) of a core; load generator CPU "
                f"{single['client_cpu']:.0%} / {batch['client_cpu']:.0%}"
            )
            for sample in single["error_samples"] + batch["error_samples"]:
                lines.append(f"{name} error: {sample}")
        noop = ingest.baseline.noop
        if noop and ingest.baseline.single["requests_per_s"] > 0.8 * noop["requests_per_s"]:
            lines.append(
                "the baseline runs near the load generator's ceiling: the single-POST ratio "
                "flatters ours"
            )
        lines += ingest.notes
    if triage is not None and triage.errors:
        lines.append(f"triage logged {triage.errors} errors (see stderr)")
    if triage is not None and triage.broker_errors:
        lines.append(
            f"Kafka was unreachable during the triage run ({triage.broker_errors} client errors): "
            "its figures are disturbed"
        )
    return lines
