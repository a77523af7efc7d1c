"""The record-length scan run in Python before pyarrow reads a CSV file (no native abort on long records)."""

from __future__ import annotations

import os

import numpy as np


def records_fit(fd: int, max_bytes: int, block: int = 1 << 20) -> bool:
    """True when no CSV record of the file is longer than ``max_bytes`` bytes: a record ends at a
    line break (``\\n`` or ``\\r``) outside double quotes. Checked in Python before pyarrow sees a
    byte: given records under its block size, pyarrow never grows a block (where a failure can abort
    the process); a file that does not pass is read by the Python reader, with its own caps. Reads
    the file once, ``block`` bytes at a time (memory: a few blocks)."""
    pos = run = parity = 0  # run: bytes since the last record end; parity: of the quotes so far
    while True:
        data = os.pread(fd, block, pos)
        if not data:
            return True
        pos += len(data)
        a = np.frombuffer(data, dtype=np.uint8)
        seps = np.flatnonzero((a == 10) | (a == 13))
        quotes = np.cumsum(a == 34, dtype=np.int64)
        ends = seps[((quotes[seps] + parity) & 1) == 0] if len(seps) else seps
        parity = int(quotes[-1] + parity) & 1
        if not len(ends):
            run += len(data)
            if run > max_bytes:
                return False
            continue
        if run + int(ends[0]) > max_bytes:
            return False
        if len(ends) > 1 and int(np.diff(ends).max()) - 1 > max_bytes:
            return False
        run = len(data) - 1 - int(ends[-1])
