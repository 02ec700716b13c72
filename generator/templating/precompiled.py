"""Built-in templates compiled ahead of the render, in memory.

Compiling the built-in templates is about 50 ms of a run. The early catalog reader (see
`catalog/reader.py`) compiles them while the main process is still importing, and hands
back Jinja's bytecode; the main process loads it instead of compiling. Jinja checks each
entry against the template's current source (a checksum), and the key names the file, so an
edited template or a team's override is compiled as usual. One cache per output format: a
partial is compiled in the format of the template that includes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import jinja2
from jinja2.bccache import Bucket

Compiled = dict[str, dict[str, bytes]]  # format name -> cache key -> Jinja's bytecode


class Precompiled(jinja2.BytecodeCache):
    """Bytecode by key, handed over from the reader (or recorded there)."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if _recording:
            self.store[bucket.key] = bucket.bytecode_to_string()


CACHES: defaultdict[str, Precompiled] = defaultdict(Precompiled)  # by format name
_recording: list[bool] = []  # non-empty while `record` runs


def record(compile_all: Callable[[], None]) -> Compiled:
    """What `compile_all` compiles, as bytecode a later `install` loads."""
    _recording.append(True)
    try:
        compile_all()
    finally:
        _recording.pop()
    return {name: dict(cache.store) for name, cache in CACHES.items() if cache.store}


def install(compiled: Compiled) -> None:
    for name, store in compiled.items():
        CACHES[name].store.update(store)
