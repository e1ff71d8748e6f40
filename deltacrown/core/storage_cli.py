"""`flask storage migrate`: copy every stored file from one backend to another.

Resumable (a file already at the destination with the same bytes is skipped, so a stopped run
is simply started again), verified (each copy is read back and compared by SHA-256 before it
counts), and shown with a progress bar. Source files are never deleted: switch
`STORAGE_BACKEND` once the report says every file is there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from deltacrown.core import storage

storage_cli = AppGroup("storage", help="Stored files (uploads and generated documents).")


@dataclass
class MigrationReport:
    copied: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)

    def line(self, dry_run: bool) -> str:
        verb = "would copy" if dry_run else "copied"
        failed = f", {len(self.failed)} failed" if self.failed else ""
        return f"{verb} {self.copied}, already there {self.skipped}{failed}"


def _digest(backend: storage.StorageBackend, key: str) -> str | None:
    try:
        with backend.open(key) as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def migrate_files(
    source: storage.StorageBackend,
    target: storage.StorageBackend,
    keys: list[str],
    *,
    dry_run: bool = False,
    progress: Any = None,
) -> MigrationReport:
    """Copy `keys` from `source` to `target`, skipping those already there byte for byte."""
    report = MigrationReport()
    for key in keys:
        with source.open(key) as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        if target.exists(key) and _digest(target, key) == digest:
            report.skipped += 1
        elif dry_run:
            report.copied += 1
        else:
            target.write(key, data, storage.content_type(key))
            if _digest(target, key) == digest:
                report.copied += 1
            else:
                report.failed.append(key)
        if progress is not None:
            progress.update(1)
    return report


@storage_cli.command("migrate")
@click.option("--from", "source", type=click.Choice(storage.BACKENDS), required=True)
@click.option("--to", "target", type=click.Choice(storage.BACKENDS), required=True)
@click.option("--dry-run", is_flag=True, help="Count what would be copied; write nothing.")
def migrate(source: str, target: str, dry_run: bool) -> None:
    """Copy every stored file from one backend to the other (resumable, verified)."""
    if source == target:
        raise click.UsageError("--from and --to must name different backends")
    app = current_app
    origin = storage.build_backend(source, app.config, app.instance_path)
    destination = storage.build_backend(target, app.config, app.instance_path)
    keys = list(origin.keys())  # type: ignore[attr-defined]
    with click.progressbar(length=len(keys), label=f"{source} → {target}") as bar:
        report = migrate_files(origin, destination, keys, dry_run=dry_run, progress=bar)
    click.echo(report.line(dry_run))
    if report.failed:
        raise click.ClickException(
            "these files did not read back identical: " + ", ".join(report.failed[:20])
        )
