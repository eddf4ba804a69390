"""`vroegsignaal export ddas` (CONTRACT §11): the month's DDAS Uitwisselmodel v1.2."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from services.admin import admin_engine
from services.runtime import open_keystore_for, pii_key
from shared.crypto import PiiVault
from shared.files import private_dir
from shared.progress import ProgressBar
from shared.settings import Settings, SettingsError
from triage.ddas_service import export_ddas
from triage.domain.report_month import BadMonth, ReportMonth


async def export_ddas_month(
    settings: Settings, month: str, output: str | None, progress: bool | None
) -> int:
    """To stdout, or to `output` (readable by its owner only: it holds addresses)."""
    try:
        wanted = ReportMonth.parse(month)
    except BadMonth as exc:
        print(f"vroegsignaal: --month: {exc}", file=sys.stderr)
        return 2
    if not settings.municipality_code:
        raise SettingsError(
            "VS_MUNICIPALITY_CODE is not set: the CBS gemeentecode (e.g. 1942) names the "
            "municipality the export is for"
        )
    vault = PiiVault(pii_key(settings), settings.old_pii_keys)
    bar = ProgressBar("export ddas", enabled=progress)
    engine = await admin_engine(settings)
    close_keystore = await open_keystore_for(settings, engine, vault)
    try:
        export = await export_ddas(
            engine,
            vault,
            wanted,
            settings.municipality_code,
            settings.municipality_name,
            datetime.now(UTC),
            bar.update,
        )
    finally:
        bar.close()
        await close_keystore()
        await engine.dispose()
    body = orjson.dumps(export.document, option=orjson.OPT_INDENT_2) + b"\n"
    if output:
        _write_owner_only(Path(output), body)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    summary = f"ddas {wanted}: {export.signals} vroegsignalen, {export.cases} vroegsignaalzaken"
    if export.left_out:
        summary += f"; {export.left_out} left out (address no longer readable)"
    print(summary, file=sys.stderr)
    return 0


def _write_owner_only(path: Path, body: bytes) -> None:
    """Owner-only (0600) whether new or replaced: the file holds postcodes and house numbers."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(body)
