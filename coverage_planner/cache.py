"""Disk + memory cache of per-tower received-level windows.

Keyed by a SHA-256 of everything the result depends on: the terrain (grid and DEM bytes), the tower's radio
parameters, the link parameters and a model version. Re-runs and failure scenarios therefore recompute only
what changed. Levels are stored compactly as int16 hundredths of a dB (±327 dB range), one ``.lvl`` file per
window: an 8-byte magic, four int64 (row0, col0, rows, cols) and the raw int16 cells, in this machine's byte
order (the cache is local; zlib saved only ~30 % and cost more time than the reads it saved; ``.npz``'s
zip handling cost ~2 ms per file). Files are written atomically; a corrupt, truncated or unreadable entry is a
miss and is recomputed. :meth:`LevelCache.prefetch` reads many entries on all cores at once (file reads and
numpy's decoding release the GIL).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

#: Bump when a kernel change alters results, so old cache entries are not reused.
MODEL_VERSION = "radio-2"  # radio-2: ray ties round half up in every block; elevation atan series
_NODATA = np.int16(-32768)
_SCALE = 100.0  # int16 hundredths of a dB
_MAGIC = b"CPLVL\x00\x00\x01"  # file format 1
_HEADER = len(_MAGIC) + 4 * 8


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


def decode_level(q: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """int16 hundredths of a dB → float32 dB (NaN for no data); into ``out`` (float32, q's shape) if given."""
    if out is None:
        out = q.astype(np.float32)
    else:
        out[...] = q
    np.divide(out, np.float32(_SCALE), out=out)  # in place: one new array, not two
    out[q == _NODATA] = np.nan
    return out


_FORMAT_MARK = ".format-lvl1"  # present once a folder holds no entries of an older format


def _remove_old_format(directory: Path) -> None:
    """Delete the entries an older version of this cache wrote (``<2 hex>/<64 hex>.npz``): they can never be
    read again. Nothing else in the directory is touched. Done once per folder (a marker file records it),
    so opening a large cache does not list every entry each time."""
    if not directory.is_dir() or (directory / _FORMAT_MARK).exists():
        return
    hexdigits = set("0123456789abcdef")
    for f in directory.glob("??/*.npz"):
        if len(f.stem) == 64 and set(f.stem) <= hexdigits and f.parent.name == f.stem[:2]:
            try:
                f.unlink()
            except OSError:
                pass
    try:
        (directory / _FORMAT_MARK).touch()
    except OSError:
        pass


class LevelCache:
    """Cache of ``(level_dbm float32 2-D, row0, col0)`` windows.

    ``directory=None`` keeps entries in memory only. The memory side holds the decoded float32 arrays (so
    a scenario re-run costs no decoding; callers must not modify them) and is bounded by
    ``max_memory_bytes`` (least recently used entries are dropped first). Disk entries are int16.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_memory_bytes: int = 1_500_000_000):
        self.directory = Path(directory) if directory is not None else None
        if self.directory is not None:
            _remove_old_format(self.directory)
        self.max_memory_bytes = max_memory_bytes
        self._mem: OrderedDict[str, tuple[np.ndarray, int, int]] = OrderedDict()
        self._mem_bytes = 0
        self.hits = 0
        self.misses = 0

    def _file(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.lvl"

    def _read_raw(self, key: str, into: np.ndarray | None = None):
        """(int16 window, row0, col0) of a disk entry, or None if absent or not a valid entry. ``into``: a 1-D
        int16 buffer of exactly the entry's cell count to read into (else a new array)."""
        try:
            with open(self._file(key), "rb") as fh:
                head = fh.read(_HEADER)
                if len(head) != _HEADER or head[:len(_MAGIC)] != _MAGIC:
                    return None
                row0, col0, h, w = (int(v) for v in np.frombuffer(head, np.int64, 4, len(_MAGIC)))
                n = h * w
                if h < 0 or w < 0 or os.fstat(fh.fileno()).st_size != _HEADER + 2 * n:
                    return None
                q = np.empty(n, np.int16) if into is None or into.size != n else into
                if fh.readinto(memoryview(q).cast("B")) != 2 * n:
                    return None
        except OSError:
            return None
        return q.reshape(h, w), row0, col0

    def _read(self, key: str):
        raw = self._read_raw(key)
        return None if raw is None else (decode_level(raw[0]), raw[1], raw[2])

    def prefetch(self, keys) -> None:
        """Load the disk entries of ``keys`` not yet in memory, in parallel (a scenario re-run from disk).

        Each thread reads files into one reused int16 buffer and decodes them into one shared float32
        block: a large allocation is backed by huge pages, so the sample's ~0.4 GB costs a few hundred page
        faults instead of ~150,000 (about half of the prefetch time before). The block is freed when the
        last of its windows leaves the memory cache.
        """
        if self.directory is None:
            return
        todo = [k for k in dict.fromkeys(keys) if k not in self._mem]
        sizes = []
        for k in todo:  # cell counts from the file sizes (validated again when read)
            try:
                sizes.append(max(0, (self._file(k).stat().st_size - _HEADER) // 2))
            except OSError:
                sizes.append(0)
        todo = [k for k, n in zip(todo, sizes, strict=True) if n > 0]
        sizes = [n for n in sizes if n > 0]
        if not todo:
            return
        ends = np.cumsum(sizes)
        block = np.empty(int(ends[-1]), np.float32)
        local = threading.local()  # one int16 read buffer per thread, reused from file to file

        def load(i):
            buf = getattr(local, "buf", None)
            if buf is None:
                buf = local.buf = np.empty(max(sizes), np.int16)
            raw = self._read_raw(todo[i], into=buf[:sizes[i]])
            if raw is None:
                return None
            q, row0, col0 = raw
            view = block[ends[i] - sizes[i]:ends[i]].reshape(q.shape)
            return decode_level(q, out=view), row0, col0

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            entries = list(ex.map(load, range(len(todo))))
        for key, entry in zip(todo, entries, strict=True):
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

    def put(self, key: str, level: np.ndarray, row0: int, col0: int):
        """Store a window; returns it as every later :meth:`get` will: ``(level, row0, col0)`` with the level
        rounded to the stored hundredths of a dB. Callers use the returned window, so a run with an empty cache
        and a re-run from the cache give identical results."""
        q = encode_level(level)
        entry = (decode_level(q), int(row0), int(col0))
        self._remember(key, entry)
        if self.directory is None:
            return entry
        f = self._file(key)
        f.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=f.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + np.array([row0, col0, *q.shape], np.int64).tobytes())
                fh.write(np.ascontiguousarray(q).tobytes())
            os.replace(tmp, f)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return entry

    def _remember(self, key, entry) -> None:
        if key in self._mem:
            return
        self._mem[key] = entry
        self._mem_bytes += entry[0].nbytes
        while self._mem_bytes > self.max_memory_bytes and len(self._mem) > 1:
            _, old = self._mem.popitem(last=False)
            self._mem_bytes -= old[0].nbytes
