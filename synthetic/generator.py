"""The synthetic data set: realistic shapes at any scale, the same for the same seed and scale.

Records are made in phases (agencies, officials with their posts, agreements, routes, training centres,
courses, operations, events, assessments), each drawing from its own ``random.Random`` seeded with the seed
and the phase's name, so one phase's draws never shift another's. Every fact-bearing record cites sources
written for it: records come in blocks of ``BLOCK`` that share a few sources, and a source's text is made of
the sentences its citations quote (with filler between), so every quote is verbatim in its source. Rows are
kept for one batch only and written in bulk through a sink (COPY or executemany), with ids assigned here so
that rows point at each other without reading anything back. What each kind of record looks like is in
``records.py``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cooperation import models as m
from cooperation.models.sources import find_quote
from synthetic import words
from synthetic.dates import PartialDates
from synthetic.distributions import CONFIDENCE, MODALITY, SOURCE_KIND, Choice
from synthetic.marks import SYNTHETIC_URL_PREFIX
from synthetic.records import Records
from synthetic.sinks import Sink, writer_for
from synthetic.tables import ASSIGNED_IDS, TABLES, table_columns

BLOCK = 100  # records that share a few sources; batches are whole blocks
RECORDS_PER_SOURCE = 20
EPOCH = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)  # records were entered between these two instants
ENTERED_UNTIL = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def scaled(scale: int) -> dict[str, int]:
    """How many records of each primary kind a data set of ``scale`` agreements has."""
    return {
        "agencies": max(12, scale // 100),
        "officials": max(20, scale // 50),
        "agreements": scale,
        "routes": max(5, scale // 50),
        "centres": max(3, scale // 500),
        "courses": max(5, scale // 50),
        "operations": max(5, scale // 20),
        "events": max(5, scale // 20),
        "assessments": max(5, scale // 50),
    }


@dataclass
class Block:
    """Records that share a few sources; closed (sources and citations written) once they are all made."""

    source_ids: list[int]
    created: int  # epoch seconds of its first record
    sentences: list[list[str]]  # per source, the quoted sentences in order
    citations: list[list] = field(default_factory=list)  # [source index, sentence index, row values ...]


@dataclass
class Reference:
    country_choice: Choice  # (id, name), skewed: some countries far more often than others
    regions: list[tuple[str, str]]  # (id, name), M49 code order, then groupings by name
    markets: list[tuple[str, str]]  # continents and sub-regions
    drugs: Choice  # (id, name), cocaine and heroin most often
    areas: list[tuple[str, str]]  # (id, name)
    topics: list[tuple[str, str]]
    content_types: dict[type[models.Model], str]

    @classmethod
    def load(cls) -> Reference:
        rows = list(m.Country.objects.order_by("iso2").values_list("pk", "iso2", "name"))
        rank = {iso2: position for position, iso2 in enumerate(words.FREQUENT_COUNTRIES)}
        countries = [(str(pk), name) for pk, _, name in rows]
        # A head of frequently named countries (weights 1/(rank+2)) and a long tail that together rarely comes up.
        weights = [1 / (rank[iso2] + 2) if iso2 in rank else 0.004 for _, iso2, _ in rows]
        regions = [
            (str(pk), name) for pk, name in m.Region.objects.order_by("m49_code", "name").values_list("pk", "name")
        ]
        markets = [
            (str(pk), name)
            for pk, name in m.Region.objects.filter(level__in=["continent", "sub_region"])
            .order_by("m49_code")
            .values_list("pk", "name")
        ]
        drug_weights = {"cocaine": 40, "heroin": 15, "methamphetamine": 10, "cannabis herb": 8, "cannabis resin": 7}
        drugs = Choice(
            ((str(pk), name), drug_weights.get(name, 2))
            for pk, name in m.Drug.objects.order_by("name").values_list("pk", "name")
        )
        content_types = ContentType.objects.get_for_models(
            *(model for model in ASSIGNED_IDS.values() if issubclass(model, m.CitedModel))
        )
        return cls(
            country_choice=Choice(zip(countries, weights, strict=True)),
            regions=regions,
            markets=markets,
            drugs=drugs,
            areas=[(str(pk), n) for pk, n in m.CooperationArea.objects.order_by("code").values_list("pk", "name")],
            topics=[(str(pk), n) for pk, n in m.TrainingTopic.objects.order_by("code").values_list("pk", "name")],
            content_types={model: str(ct.pk) for model, ct in content_types.items()},
        )


Progress = Callable[[str, int, dict[str, int]], None]


class Generator(Records):
    """Make and write the data set. ``run()`` writes everything and returns the rows written per table."""

    def __init__(self, sink: Sink, *, scale: int, seed: int, batch_size: int = 5000, progress: Progress | None = None):
        if scale < 1:
            raise ValueError("The scale is the number of agreements: at least 1.")
        self.sink, self.scale, self.seed = sink, scale, seed
        self.batch_size = max(BLOCK, batch_size)
        self.progress = progress or (lambda phase, done, written: None)
        self.counts = scaled(scale)
        self.null = sink.null
        self.dates = PartialDates(sink.null)
        self.rows: dict[str, list] = {key: [] for key in TABLES}
        self.written: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.entered_for = int((ENTERED_UNTIL - EPOCH).total_seconds())
        first_day = EPOCH.date().toordinal()
        self.day_text = [dt.date.fromordinal(first_day + i).isoformat() for i in range((ENTERED_UNTIL - EPOCH).days)]

    # --- the run ---------------------------------------------------------------------------------------

    @property
    def phases(self) -> list[tuple[str, int]]:
        """The phases in the order they run: the table of their records, and how many records they make."""
        return [(name, self.counts[key]) for name, key, _ in self._phases]

    @property
    def _phases(self):
        """(table, count key, maker) in the order the tables are written in, so records exist before others
        point at them (an operation's legal basis is an agreement)."""
        makers = {
            "agencies": ("agencies", self._agency),
            "officials": ("officials", self._official),  # with their posts
            "agreements": ("agreements", self._agreement),
            "trafficking routes": ("routes", self._route),
            "training centres": ("centres", self._centre),
            "training courses": ("courses", self._course),
            "operations": ("operations", self._operation),
            "events": ("events", self._event),
            "assessments": ("assessments", self._assessment),
        }
        return [(name, *makers[name]) for name in TABLES if name in makers]

    def run(self) -> dict[str, int]:
        self.ref = Reference.load()
        self.ids = {key: self.sink.next_id(model) for key, model in ASSIGNED_IDS.items()}
        self.first_ids = dict(self.ids)
        tables = [table_columns(key)[0] for key in TABLES]
        self.sink.begin(tables)
        self.agency_names: list[str] = []
        self.agencies_by_country: dict[str, list[str]] = {}
        self.official_names: list[str] = []
        self.duplicate_keys: dict[str, set[str]] = {}
        with writer_for(self.sink) as self.writer:
            for name, key, make in self._phases:
                self._phase(name, self.counts[key], make)
        self.sink.finish(tables, list(ASSIGNED_IDS.values()))
        return dict(self.written)

    def _phase(self, name: str, count: int, make: Callable[[int, random.Random, Block, int], None]) -> None:
        rng = random.Random(f"{self.seed}:{name}")
        done = pending = 0
        self.progress(name, done, self.written)
        while done < count:
            size = min(BLOCK, count - done)
            created = self._entered(rng, done, count)
            sources = max(1, math.ceil(size / RECORDS_PER_SOURCE))
            block = Block([self._next("sources") for _ in range(sources)], created, [[] for _ in range(sources)])
            for i in range(done, done + size):
                make(i, rng, block, self._entered(rng, i, count))
            self._close(block, rng)
            done += size
            pending += size
            if pending >= self.batch_size or done == count:
                self._flush()
                pending = 0
                self.progress(name, done, self.written)

    def _flush(self) -> None:
        batch = []
        for key, rows in self.rows.items():
            if rows:
                table, columns = table_columns(key)
                batch.append((table, columns, rows))
                self.written[key] += len(rows)
                self.rows[key] = []
        self.writer.put(batch)

    def _next(self, key: str) -> int:
        value = self.ids[key]
        self.ids[key] = value + 1
        return value

    # --- shared pieces ---------------------------------------------------------------------------------

    def _entered(self, rng: random.Random, i: int, count: int) -> int:
        """When record i of count was entered (seconds after EPOCH): in order of id, with some jitter."""
        return int(self.entered_for * (i + rng.random()) / count)

    def _stamp(self, seconds: int) -> str:
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        return f"{self.day_text[days]} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}{self.sink.timestamp_suffix}"

    def _tracked(self, rng: random.Random, created: int) -> tuple[str, str, str]:
        """created_at, updated_at, version: most records were never edited, some a few times later on."""
        if rng.random() < 0.7:
            stamp = self._stamp(created)
            return stamp, stamp, "1"
        updated = min(created + rng.randrange(3600, 730 * 86400), self.entered_for - 1)
        return self._stamp(created), self._stamp(updated), str(rng.randint(2, 6))

    def _cite(self, block: Block, rng: random.Random, model, object_id: int, quotes: list[str], created: str,
              modality: str | None = None) -> None:  # fmt: skip
        """Cite the record once per quote, each quote from a different source of the block."""
        chosen = rng.sample(range(len(block.source_ids)), min(len(quotes), len(block.source_ids)))
        content_type = self.ref.content_types[model]
        for source, quote in zip(chosen, quotes, strict=False):
            quote = quote[0].upper() + quote[1:]
            block.sentences[source].append(quote)
            block.citations.append(
                [
                    source,
                    len(block.sentences[source]) - 1,
                    content_type,
                    str(object_id),
                    quote,
                    CONFIDENCE(rng),
                    modality or MODALITY(rng),
                    created,
                ]
            )

    def _close(self, block: Block, rng: random.Random) -> None:
        """Write the block's sources, their text made of the quoted sentences, and the citations."""
        paragraph_of: list[list[int]] = []
        texts: list[str] = []
        stamp = self._stamp(block.created)
        text_of = self.sink.text
        for index, source_id in enumerate(block.source_ids):
            country = self.ref.country_choice(rng)[1]
            headline = rng.choice(words.HEADLINES).format(c=country)
            paragraphs, current, where = [], [f"{headline}."], []
            for sentence in block.sentences[index]:
                if rng.random() < 0.2:
                    current.append(rng.choice(words.FILLER))
                current.append(sentence)
                where.append(len(paragraphs) + 1)
                if len(current) >= 4:
                    paragraphs.append(" ".join(current))
                    current = []
            if current:
                paragraphs.append(" ".join(current))
            paragraph_of.append(where)
            texts.append("\n\n".join(paragraphs))
            published_on = min(
                self.dates.first + self.dates.days - 1, block.created // 86400 + EPOCH.date().toordinal()
            )
            published = self.dates.written(rng, published_on - rng.randrange(0, 900))
            self.rows["sources"].append(
                (
                    str(source_id),
                    headline,
                    SOURCE_KIND(rng),
                    rng.choice(words.PUBLISHERS),
                    f"{SYNTHETIC_URL_PREFIX}sources/{source_id - self.first_ids['sources'] + 1}",
                    rng.choice(words.LANGUAGES),
                    *published,
                    self.day_text[block.created // 86400],
                    text_of(texts[-1]),
                    "",
                    "",
                    stamp,
                    stamp,
                    "1",
                )
            )
        for source, sentence, content_type, object_id, quote, confidence, modality, created in block.citations:
            self.rows["citations"].append(
                (
                    str(block.source_ids[source]),
                    content_type,
                    object_id,
                    quote,
                    "verbatim",  # the source's text is written from its quotes
                    str(find_quote(texts[source], quote).start()),  # where a save would find it: the first place
                    f"para. {paragraph_of[source][sentence]}",
                    confidence,
                    modality,
                    "",
                    created,
                    created,
                    "1",
                )
            )
