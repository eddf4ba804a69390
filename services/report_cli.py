"""`vroegsignaal report` (CONTRACT §11): the monthly report on stdout, as JSON or CSV."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime

import orjson

from services.admin import admin_engine
from shared.progress import ProgressBar
from shared.settings import Settings
from triage.domain.report_document import csv_rows, report_document
from triage.domain.report_month import BadMonth, ReportMonth
from triage.report_service import build_monthly_report


async def report(
    settings: Settings,
    month: str,
    until: str | None,
    output_format: str,
    publish: bool,
    progress: bool | None,
) -> int:
    """One month, or each month from `month` to `until`: JSON (one document, or one per line
    for several months) or CSV (`month,metric,value`). Exit 2 on a bad month."""
    try:
        first = ReportMonth.parse(month)
        last = ReportMonth.parse(until) if until else first
    except BadMonth as exc:
        print(f"vroegsignaal: --month: {exc}", file=sys.stderr)
        return 2
    months = first.until(last)
    if not months:
        print(f"vroegsignaal: --until {last} lies before --month {first}", file=sys.stderr)
        return 2
    bar = ProgressBar("report", enabled=progress)
    engine = await admin_engine(settings)
    documents = []
    try:
        for index, wanted in enumerate(months):
            several = len(months) > 1

            def shown(done: int, total: int, i: int = index, several: bool = several) -> None:
                # Over many months the bar counts months; for one it counts cases.
                if several:
                    bar.update(i, len(months))
                else:
                    bar.update(done, total)

            built = await build_monthly_report(engine, wanted, datetime.now(UTC), shown)
            documents.append(report_document(built, publish=publish))
        bar.update(len(months), len(months))
    finally:
        bar.close()
        await engine.dispose()
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["month", "metric", "value"])
        for document in documents:
            writer.writerows((document["month"], m, v) for m, v in csv_rows(document))
    elif len(documents) == 1:
        sys.stdout.write(orjson.dumps(documents[0], option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for document in documents:
            sys.stdout.write(orjson.dumps(document).decode() + "\n")
    sys.stdout.flush()
    return 0
