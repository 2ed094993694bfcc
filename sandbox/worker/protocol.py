"""The result protocol: frames between the pool and a worker, and the records a job process sends its manager.

Pool <-> worker (fd 0 in, fd 1 out): a 4-byte little-endian length, then a marshal payload. The pool is trusted,
so marshal is fine in that direction; the worker only ever sends it plain tuples of str.

Job process -> manager (a pipe per worker): records of a fixed header (the run's random nonce, item index, code,
payload length) and a UTF-8 payload (the repr of a returned value, or an error detail). The manager checks every
field (`RecordParser`); a record with a wrong nonce, an unknown code, an index out of order or an oversized
payload is a protocol violation and ends the run. Nothing in a record is trusted beyond its shape: the pool
re-parses every returned repr as a literal before it becomes a verdict.
"""

from __future__ import annotations

import marshal
import os
import struct

LEN = struct.Struct("<I")

CODE_LIST = (
    "ok", "syntax", "no_entry", "banned_import", "bad_input", "timeout", "memory", "runtime_error",
    "nondeterministic", "output_not_literal", "output_too_large", "wrong", "crashed",
)
CODE_ID = {c: i for i, c in enumerate(CODE_LIST)}
PROGRAM_CODES = frozenset({"syntax", "no_entry", "banned_import"})
HEADER = struct.Struct("<16sIBI")  # nonce, item index, code id, payload length


class Reader:
    """Frames from the pool on fd."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buf = fd, bytearray()

    def read_msg(self):
        while True:
            if len(self.buf) >= 4:
                (n,) = LEN.unpack_from(self.buf)
                if len(self.buf) >= 4 + n:
                    data = bytes(self.buf[4:4 + n])
                    del self.buf[:4 + n]
                    return marshal.loads(data)
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buf += chunk


def send(obj, fd: int = 1) -> None:
    data = marshal.dumps(obj)
    view = memoryview(LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


class RecordParser:
    """Turns the bytes of one run into (code, text) records; `violation` is set on the first malformed byte."""

    def __init__(self, nonce: bytes, n_items: int, cap: int) -> None:
        self.nonce, self.n_items, self.cap = nonce, n_items, cap
        self.buf = bytearray()
        self.records: list = []
        self.violation = False

    def feed(self, chunk: bytes) -> int:
        """Adds chunk; returns how many new records it completed."""
        buf = self.buf
        buf += chunk
        if len(buf) > self.cap:
            self.violation = True
            return 0
        before = len(self.records)
        size_h = HEADER.size
        while len(buf) >= size_h:
            got_nonce, idx, cid, size = HEADER.unpack_from(buf)
            if got_nonce != self.nonce or cid >= len(CODE_LIST) or size > self.cap:
                self.violation = True
                break
            if len(buf) < size_h + size:
                break
            if idx != len(self.records) or len(self.records) >= self.n_items:
                self.violation = True
                break
            self.records.append((CODE_LIST[cid], buf[size_h:size_h + size].decode("utf-8", "replace")))
            del buf[:size_h + size]
        return len(self.records) - before

    @property
    def complete(self) -> bool:
        return len(self.records) >= self.n_items and not self.buf
