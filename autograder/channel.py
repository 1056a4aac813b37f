"""The channel from a sandboxed child to the grading process, and what may travel on it.

Student code runs in the same process as the code that reports its results, so it can write
any bytes to the result pipe. The design makes that harmless to everyone else:

* every child has its own pipe; the zygote tags what comes out of it with the job it started
  there, so a message is attributed by the pipe it came on, never by anything inside it;
* messages are length-prefixed frames (8 bytes, big-endian, then a JSON object), and the
  zygote caps what one child may send in all (:data:`CHILD_BYTES`);
* the grading process checks every frame against :func:`validate` (types, sizes, ranges,
  order); the first bad one ends that child's run with a clear reason, and costs nobody else.

The messages, in order: ``{"isolation": "full"|"basic"}``, one ``{"cell": i, "outputs": [...],
"records": [...]}`` per code cell, then ``{"finished": true}`` (or ``{"crash": text}``).
"""

from __future__ import annotations

import json
import os
import re
import struct

FRAME = struct.Struct(">Q")
FRAME_BYTES = 256 * 2**20  # largest single message
CHILD_BYTES = 512 * 2**20  # everything one child may send
MAX_OUTPUTS = 64  # outputs per cell (the child keeps 50 rich outputs and 2 streams)
NAME_LIMIT = 200
MIME = re.compile(r"^[A-Za-z0-9.+_-]{1,80}/[A-Za-z0-9.+_-]{1,80}$")


class ChannelError(ValueError):
    """A message from a child that does not follow the protocol."""


# -- the child's side ---------------------------------------------------------------------------


def send(fd: int, message: dict) -> None:
    """Write one frame to ``fd`` (all of it, however the pipe splits the writes)."""
    body = json.dumps(message).encode()
    view = memoryview(FRAME.pack(len(body)) + body)
    while view:
        view = view[os.write(fd, view) :]


# -- the grading process's side -----------------------------------------------------------------


class Deframer:
    """Bytes from one child in, whole messages out; linear in what arrives."""

    def __init__(self, limit: int = FRAME_BYTES):
        self.buffer = bytearray()
        self.limit = limit

    def feed(self, chunk: bytes) -> list[dict]:
        self.buffer += chunk
        messages = []
        while len(self.buffer) >= FRAME.size:
            (size,) = FRAME.unpack_from(self.buffer)
            if size > self.limit:
                raise ChannelError(f"a message of {size:,} bytes (the limit is {self.limit:,})")
            if len(self.buffer) < FRAME.size + size:
                break
            body = bytes(self.buffer[FRAME.size : FRAME.size + size])
            del self.buffer[: FRAME.size + size]  # from the front: amortised O(1) in CPython
            try:
                message = json.loads(body)
            except (ValueError, RecursionError) as error:
                raise ChannelError(f"a message that is not JSON ({_short(error)})") from None
            if not isinstance(message, dict):
                raise ChannelError(f"a message that is a {type(message).__name__}, not an object")
            messages.append(message)
        return messages

    @property
    def pending(self) -> int:
        """Bytes of an unfinished frame (a process that died mid-message leaves some)."""
        return len(self.buffer)


def validate(message: dict, code_cells: set[int], last_cell: int) -> dict:
    """The message rebuilt from known fields of checked types, or :class:`ChannelError`.

    ``code_cells``: the indices of the job's code cells; ``last_cell``: the highest index
    reported so far (cells arrive in order, each once)."""
    keys = set(message)
    if keys == {"isolation"}:
        level = message["isolation"]
        if level not in ("full", "basic"):
            raise ChannelError(f"an unknown isolation level {_short(level)}")
        return {"isolation": level}
    if keys == {"finished"}:
        if message["finished"] is not True:
            raise ChannelError("a malformed 'finished' message")
        return {"finished": True}
    if keys == {"crash"}:
        return {"crash": _text(message["crash"], "crash")[:5000]}
    if keys == {"cell", "outputs", "records"}:
        cell = message["cell"]
        if type(cell) is not int or cell not in code_cells:
            raise ChannelError(f"a result for cell {_short(cell)}, which is not a code cell")
        if cell <= last_cell:
            raise ChannelError(f"a second result for cell {cell}")
        outputs = _list(message["outputs"], "outputs", MAX_OUTPUTS)
        records = _list(message["records"], "records", 1000)
        return {
            "cell": cell,
            "outputs": [_output(o) for o in outputs],
            "records": [_record(r) for r in records],
        }
    raise ChannelError(f"a message with unexpected fields {_short(sorted(keys)[:5])}")


def _output(output) -> dict:
    if not isinstance(output, dict):
        raise ChannelError("an output that is not an object")
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        if name not in ("stdout", "stderr"):
            raise ChannelError(f"a stream named {_short(name)}")
        return {"output_type": "stream", "name": name, "text": _text(output.get("text"), "text")}
    if kind in ("display_data", "execute_result"):
        data = output.get("data")
        if not isinstance(data, dict):
            raise ChannelError("display data that is not an object")
        clean = {}
        for mime, value in data.items():
            if not MIME.match(mime):
                raise ChannelError(f"a display format named {_short(mime)}")
            if mime.endswith("json"):
                clean[mime] = value  # any JSON: it was parsed as JSON
            elif isinstance(value, str):
                clean[mime] = value
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                clean[mime] = "".join(value)
            else:
                raise ChannelError(f"display data of {_short(mime)} that is not text")
        metadata = output.get("metadata", {})
        if not isinstance(metadata, dict):
            raise ChannelError("output metadata that is not an object")
        rebuilt = {"output_type": kind, "data": clean, "metadata": metadata}
        if kind == "execute_result":
            count = output.get("execution_count")
            if count is not None and (type(count) is not int or not 0 <= count < 2**31):
                raise ChannelError("a malformed execution count")
            rebuilt["execution_count"] = count
        return rebuilt
    if kind == "error":
        traceback = _list(output.get("traceback", []), "traceback", 200)
        return {
            "output_type": "error",
            "ename": _text(output.get("ename"), "ename")[:NAME_LIMIT],
            "evalue": _text(output.get("evalue"), "evalue"),
            "traceback": [_text(line, "traceback") for line in traceback],
        }
    raise ChannelError(f"an output of type {_short(kind)}")


def _record(record) -> dict:
    if not isinstance(record, dict) or set(record) != {"name", "record"}:
        raise ChannelError("a malformed check record")
    name = record["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[a-z_0-9]{1,100}", name):
        raise ChannelError(f"a check record named {_short(name)}")
    return {"name": name, "record": record["record"]}  # decoded and checked by the judge


def _list(value, what: str, limit: int) -> list:
    if not isinstance(value, list):
        raise ChannelError(f"{what} that is not a list")
    if len(value) > limit:
        raise ChannelError(f"{len(value):,} {what} (at most {limit} are allowed)")
    return value


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise ChannelError(f"a {what} that is not text")
    return value


def _short(value) -> str:
    return repr(value)[:80]
