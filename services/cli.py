"""The `vroegsignaal` command (CONTRACT §7)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from shared.files import private_dir
from shared.settings import Settings, SettingsError, settings_problem


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vroegsignaal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="everything in one process (SQLite + embedded log)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)

    serve = commands.add_parser("serve", help="one service, for production (PostgreSQL + Kafka)")
    serve.add_argument("service", choices=["ingest", "triage", "notifier"])
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8000)

    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; prints it as the last line")
    create.add_argument("--source", required=True)
    create.add_argument("--scopes", required=True, help="comma-separated, e.g. signals:write")
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    keys.add_parser("list", help="ids, sources, scopes, created, revoked (never a key)")

    pii = commands.add_parser("pii", help="personal data keys").add_subparsers(
        dest="action", required=True
    )
    pii.add_parser("rotate", help="re-seal everything under the active VS_PII_KEY")

    purge = commands.add_parser("purge", help="erase what the policy's retention has run out for")
    purge.add_argument("--dry-run", action="store_true", help="print what would be removed")

    db = commands.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations")

    dlq = commands.add_parser("dlq", help="webhook dead letters").add_subparsers(
        dest="action", required=True
    )
    dlq.add_parser("list", help="notifications that exhausted their retries (no personal data)")
    replay = dlq.add_parser("replay", help="send again under the original webhook-id")
    replay.add_argument("notification_id", nargs="?")
    replay.add_argument("--all", action="store_true", dest="replay_all")

    audit = commands.add_parser("audit", help="the hash-chained audit log").add_subparsers(
        dest="action", required=True
    )
    export = audit.add_parser("export", help="JSON lines on stdout, oldest first")
    export.add_argument("--since", help="ISO date (Amsterdam) or datetime with offset")
    audit.add_parser("verify", help="exit 0 only when the chain is intact")

    policy = commands.add_parser("policy", help="the active scoring policy").add_subparsers(
        dest="action", required=True
    )
    explain = policy.add_parser("explain", help="every weight and rule in plain words")
    explain.add_argument("--lang", choices=["nl", "en"], default="nl")
    register = policy.add_parser("register", help="draft Algoritmeregister entry")
    register.add_argument("--format", choices=["md", "json"], default="md", dest="output_format")
    replay_case = policy.add_parser("replay", help="recompute a case's decisions; exit 0 if same")
    replay_case.add_argument("case_id")
    report = commands.add_parser("report", help="the monthly report (no personal data)")
    report.add_argument("--month", required=True, help="YYYY-MM (Amsterdam's calendar)")
    report.add_argument("--until", help="YYYY-MM: every month from --month to this one")
    report.add_argument("--format", choices=["json", "csv"], default="json", dest="output_format")
    report.add_argument("--publish", action="store_true", help="counts under 5 read <5")
    _progress_flags(report)

    exports = commands.add_parser("export", help="exports for national standards")
    ddas = exports.add_subparsers(dest="action", required=True).add_parser(
        "ddas", help="the month as a DDAS Uitwisselmodel v1.2 (JSON)"
    )
    ddas.add_argument("--month", required=True, help="YYYY-MM (Amsterdam's calendar)")
    ddas.add_argument("--output", help="file to write (owner-only); default stdout")
    _progress_flags(ddas)
    return parser


def _progress_flags(command: argparse.ArgumentParser) -> None:
    """A progress bar on stderr: by default only on a terminal."""
    group = command.add_mutually_exclusive_group()
    group.add_argument("--progress", action="store_true", default=None, dest="progress")
    group.add_argument("--no-progress", action="store_false", dest="progress")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"vroegsignaal: configuration error: {settings_problem(exc)}", file=sys.stderr)
        return 2
    try:
        if args.command == "run":
            from services.serve import run_embedded

            return run_embedded(settings, args.host, args.port)
        if args.command == "serve":
            from services.serve import serve_service

            settings.check_production(args.service)
            return serve_service(settings, args.service, args.host, args.port)
        if args.command == "keys":
            from services.admin import create_api_key, list_api_keys, revoke_api_key

            if args.action == "create":
                return asyncio.run(create_api_key(settings, args.source, args.scopes))
            if args.action == "list":
                return asyncio.run(list_api_keys(settings))
            return asyncio.run(revoke_api_key(settings, args.key_id))
        if args.command == "dlq":
            from services import dlq

            if args.action == "list":
                return asyncio.run(dlq.list_dead_letters(settings))
            return asyncio.run(dlq.replay(settings, args.notification_id, args.replay_all))
        if args.command == "audit":
            from services import audit_cli

            if args.action == "export":
                return asyncio.run(audit_cli.export_audit(settings, args.since))
            return asyncio.run(audit_cli.verify_audit(settings))
        if args.command == "policy":
            from services import policy_cli

            if args.action == "explain":
                return policy_cli.explain(settings, args.lang)
            if args.action == "replay":
                return asyncio.run(policy_cli.replay(settings, args.case_id))
            return policy_cli.register(settings, args.output_format)
        if args.command == "pii":
            from services.pii_cli import rotate_pii

            return asyncio.run(rotate_pii(settings))
        if args.command == "purge":
            from services.purge_cli import run_purge

            return asyncio.run(run_purge(settings, args.dry_run))
        if args.command == "report":
            from services.report_cli import report

            return asyncio.run(
                report(
                    settings,
                    args.month,
                    args.until,
                    args.output_format,
                    args.publish,
                    args.progress,
                )
            )
        if args.command == "export":
            from services.export_cli import export_ddas_month

            return asyncio.run(export_ddas_month(settings, args.month, args.output, args.progress))
        if args.command == "db":
            from services.schema import upgrade

            private_dir(settings.data_dir)
            asyncio.run(upgrade(settings.resolved_database_url))
            print("database is at the latest migration")
            return 0
    except SettingsError as exc:
        print(f"vroegsignaal: configuration error: {exc}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
