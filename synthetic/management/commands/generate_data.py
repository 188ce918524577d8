"""Generate a synthetic data set of any size for measuring the application at scale (issue 8)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, transaction
from tqdm import tqdm

from cooperation.explorer import counts as dossier_counts
from synthetic.clear import clear_synthetic_data
from synthetic.generator import TABLES, Generator
from synthetic.marks import SYNTHETIC_URL_PREFIX, present
from synthetic.sinks import sink_for


class _Terminal:
    """Lets tqdm draw on the command's stdout (OutputWrapper would end every redraw with a newline)."""

    def __init__(self, out) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set for measuring performance: SCALE agreements (the largest table) and, in "
        "proportion, their parties, areas and citations, sources, agencies, officials and posts, trafficking "
        "routes, training centres and courses, operations, events and assessments, all built on the reference "
        "data. The same --seed and --scale give the same data (ids aside). Every fact cites a generated source "
        f"under {SYNTHETIC_URL_PREFIX}, which is how --clear finds the data again. Rows are written in bulk "
        "(COPY on PostgreSQL) in one transaction, and without history entries: this is bulk test data, not "
        "analysts' work. On PostgreSQL the tables written to are locked until the end: use a database of its "
        "own. Refuses to run when synthetic data is already there, unless --clear replaces it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=int, required=True, help="Number of agreements; 0 with --clear only removes the data."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")
        parser.add_argument(
            "--clear", action="store_true", help="Remove the synthetic data already there first (nothing else)."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Records of a kind made and written per batch (default 5000): memory grows with it.",
        )

    def handle(self, *args, scale: int, seed: int, clear: bool, batch_size: int, verbosity: int, **options):
        if scale < 0 or (scale == 0 and not clear):
            raise CommandError("--scale is the number of agreements to generate: at least 1 (or 0 with --clear).")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        deleted: dict[str, int] = {}
        try:
            with transaction.atomic():
                # The dossiers' counts follow every write a statement at a time (a row at a time on SQLite): set
                # them aside while the tables are emptied and filled in bulk, and make them again at the end.
                dossier_counts.drop_triggers()
                if present():
                    if not clear:
                        raise CommandError(
                            f"This database already holds synthetic data (sources under {SYNTHETIC_URL_PREFIX}). "
                            "Run again with --clear to replace it."
                        )
                    deleted = clear_synthetic_data()
                written = self._generate(scale, seed, batch_size, verbosity) if scale else {}
                dossier_counts.rebuild()  # and the triggers that keep them, again
        except IntegrityError as error:
            raise CommandError(
                f"The database refused the change, so nothing was changed: {error}\nWhen this comes from --clear, "
                "a record that is not synthetic points at synthetic data (say an analyst made a synthetic agency "
                "a party to a real agreement): change that record first."
            ) from error
        elapsed = time.monotonic() - started
        if verbosity and deleted:
            removed = ", ".join(f"{rows:,} {table}" for table, rows in deleted.items())
            self.stdout.write(f"Removed the synthetic data: {removed}.")
        if verbosity and written:
            self._summary(written, elapsed)

    def _generate(self, scale: int, seed: int, batch_size: int, verbosity: int) -> dict[str, int]:
        show = verbosity > 0 and self.stdout.isatty()
        bars: dict[str, tqdm] = {}
        started = time.monotonic()

        def progress(phase: str, done: int, written: dict[str, int]) -> None:
            bar = bars.get(phase)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[phase] = tqdm(
                    total=totals[phase], desc=f"{phase:<18}", unit=" rec", unit_scale=totals[phase] >= 10_000,
                    smoothing=0, disable=not show, file=_Terminal(self.stdout), dynamic_ncols=True,
                )  # fmt: skip
            bar.update(done - bar.n)
            rows = sum(written.values())
            bar.set_postfix_str(f"{rows:,} rows in all, {rows / (time.monotonic() - started):,.0f} rows/s")

        generator = Generator(sink_for(connection), scale=scale, seed=seed, batch_size=batch_size, progress=progress)
        totals = dict(generator.phases)
        try:
            return generator.run()
        finally:
            for bar in bars.values():
                bar.close()

    def _summary(self, written: dict[str, int], elapsed: float) -> None:
        width = max(len(table) for table in TABLES)
        for table, rows in written.items():
            self.stdout.write(f"  {table:<{width}}  {rows:>12,}")
        total = sum(written.values())
        self.stdout.write(f"  {'all tables':<{width}}  {total:>12,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total:,} rows in {elapsed:,.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s)."
            )
        )
