"""A job's file, kept in the database in pieces of ``CHUNK_BYTES`` until the job has finished: the web process
writes it while reading the upload, the worker reads it back as a stream; neither holds the whole file."""

from __future__ import annotations

import codecs
import csv
import io
from typing import IO

from cooperation.jobs.models import Job, UploadChunk

CHUNK_BYTES = 1024 * 1024


def store(job: Job, stream: IO) -> int:
    """Save the stream's bytes as the job's file; returns their number."""
    number = size = 0
    while data := stream.read(CHUNK_BYTES):
        data = data.encode() if isinstance(data, str) else data
        UploadChunk.objects.create(job=job, number=number, data=data)
        number, size = number + 1, size + len(data)
    return size


class _ChunkReader(io.RawIOBase):
    def __init__(self, job_id):
        self.job_id, self.next_number = job_id, 0
        self.chunk, self.offset = memoryview(b""), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.offset >= len(self.chunk):
            data = (
                UploadChunk.objects.filter(job_id=self.job_id, number=self.next_number)
                .values_list("data", flat=True)
                .first()
            )
            if data is None:
                return 0
            self.chunk, self.offset, self.next_number = memoryview(bytes(data)), 0, self.next_number + 1
        size = min(len(buffer), len(self.chunk) - self.offset)
        buffer[:size] = self.chunk[self.offset : self.offset + size]
        self.offset += size
        return size


def open_upload(job: Job) -> IO[bytes]:
    """The job's file as a binary stream, read from the database a piece at a time."""
    return io.BufferedReader(_ChunkReader(job.pk), buffer_size=64 * 1024)


def count_rows(job: Job) -> int | None:
    """The data rows of the job's file, as the import counts them (blank lines are not rows); None when the
    file is not UTF-8 CSV (the import then says what is wrong)."""
    try:
        reader = csv.reader(codecs.getreader("utf-8-sig")(open_upload(job)), strict=True)
        next(reader, None)
        return sum(1 for cells in reader if any(cell.strip() for cell in cells))
    except (UnicodeDecodeError, csv.Error):
        return None


def discard(job: Job) -> None:
    UploadChunk.objects.filter(job=job).delete()


class Prefixed:
    """A stream with some bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: IO):
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        if self.head:
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)


def head(stream: IO, size: int) -> tuple[bytes, IO]:
    """The first ``size`` bytes of the stream (fewer if it is shorter), and a stream that reads from its start."""
    data = stream.read(size)
    data = data.encode() if isinstance(data, str) else data
    return data, Prefixed(data, stream)


def peek_size(stream: IO, limit: int) -> tuple[bool, IO]:
    """Whether the stream holds more than ``limit`` bytes, reading at most ``limit + 1`` of them; and a stream
    that reads from its start."""
    size = getattr(stream, "size", None)  # an uploaded file knows its size
    if size is not None:
        return size > limit, stream
    data, stream = head(stream, limit + 1)
    return len(data) > limit, stream
