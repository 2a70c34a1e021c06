"""Disk + memory cache of per-tower received-level windows.

Keyed by a SHA-256 of everything the result depends on: the terrain (grid and DEM bytes), the tower's radio
parameters, the link parameters and a model version. Re-runs and failure scenarios therefore recompute only
what changed. Levels are stored compactly as int16 hundredths of a dB (±327 dB range) in uncompressed ``.npz``
files (zlib saved only ~30 % and cost more time than the reads it saved), written atomically; a corrupt or
unreadable entry is treated as a miss and recomputed. :meth:`LevelCache.prefetch` reads many entries on all
cores at once (numpy's file reads and decoding release the GIL).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

#: Bump when a kernel change alters results, so old cache entries are not reused.
MODEL_VERSION = "radio-1"
_NODATA = np.int16(-32768)
_SCALE = 100.0  # int16 hundredths of a dB


def terrain_fingerprint(dem: np.ndarray, grid) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(dem, dtype=np.float32).tobytes())
    h.update(json.dumps([grid.x0, grid.y0, grid.cellsize, list(grid.shape), grid.crs]).encode())
    return h.hexdigest()


def make_key(terrain_fp: str, **params) -> str:
    """A stable key from the terrain fingerprint and JSON-serialisable parameters."""
    clean = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in sorted(params.items())}
    payload = json.dumps({"terrain": terrain_fp, "version": MODEL_VERSION, **clean}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def encode_level(level: np.ndarray) -> np.ndarray:
    q = np.where(np.isfinite(level), np.clip(np.round(level * _SCALE), -32767, 32767), _NODATA)
    return q.astype(np.int16)


def decode_level(q: np.ndarray) -> np.ndarray:
    out = q.astype(np.float32) / np.float32(_SCALE)
    out[q == _NODATA] = np.nan
    return out


class LevelCache:
    """Cache of ``(level_dbm float32 2-D, row0, col0)`` windows.

    ``directory=None`` keeps entries in memory only. The memory side holds the decoded float32 arrays (so
    a scenario re-run costs no decoding; callers must not modify them) and is bounded by
    ``max_memory_bytes`` (least recently used entries are dropped first). Disk entries are int16.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_memory_bytes: int = 1_500_000_000):
        self.directory = Path(directory) if directory is not None else None
        self.max_memory_bytes = max_memory_bytes
        self._mem: OrderedDict[str, tuple[np.ndarray, int, int]] = OrderedDict()
        self._mem_bytes = 0
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.npz"

    def _read(self, key: str):
        f = self._file(key)
        if not f.exists():
            return None
        try:
            with np.load(f, allow_pickle=False) as z:
                return decode_level(z["q"]), int(z["row0"]), int(z["col0"])
        except (OSError, ValueError, KeyError, zlib.error, EOFError):
            return None

    def prefetch(self, keys) -> None:
        """Load the disk entries of ``keys`` not yet in memory, in parallel (a scenario re-run from disk)."""
        if self.directory is None:
            return
        todo = [k for k in dict.fromkeys(keys) if k not in self._mem]
        if not todo:
            return
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            for key, entry in zip(todo, ex.map(self._read, todo), strict=True):
                if entry is not None:
                    self._remember(key, entry)

    def get(self, key: str):
        entry = self._mem.get(key)
        if entry is None and self.directory is not None:
            entry = self._read(key)
            if entry is not None:
                self._remember(key, entry)
        if entry is None:
            self.misses += 1
            return None
        self._mem.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: str, level: np.ndarray, row0: int, col0: int) -> None:
        q = encode_level(level)
        self._remember(key, (decode_level(q), int(row0), int(col0)))
        if self.directory is None:
            return
        f = self._file(key)
        f.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=f.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, q=q, row0=row0, col0=col0)
            os.replace(tmp, f)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _remember(self, key, entry) -> None:
        if key in self._mem:
            return
        self._mem[key] = entry
        self._mem_bytes += entry[0].nbytes
        while self._mem_bytes > self.max_memory_bytes and len(self._mem) > 1:
            _, old = self._mem.popitem(last=False)
            self._mem_bytes -= old[0].nbytes
