"""Text from a target, the kernel or a file, made safe to put on a terminal.

A process chooses its own command line, thread names and file names: an argument holding
``ESC ]2;title BEL`` or an OSC 52 clipboard write would act on the terminal of whoever runs
perftui (often root).  Every such string passes through :func:`clean` before any output
path (the live view, the chooser, ``record``'s messages, report and diff text, doctor):
control characters, and the invisible ones that reorder or hide text, are shown as
``\\xNN`` / ``\\uNNNN`` escapes instead of being sent.
"""

from __future__ import annotations

from typing import Any

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}


def _escape(ch: str) -> str:
    if ch == " ":
        return ch
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def clean(text: object) -> str:
    """``text`` as a string with every non-printable character shown as an escape.

    ``str.isprintable`` is false for control characters (C0, DEL, C1), format characters
    (bidi overrides, zero-width joiners), separators other than the space, and unassigned
    code points: exactly the set a terminal may act on or hide.
    """
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in s)


def clean_tree(value: Any) -> Any:
    """``value`` with every string in it (dict keys too) cleaned; the same object when
    nothing needed it, so the common case allocates nothing."""
    if isinstance(value, str):
        return value if value.isprintable() else clean(value)
    if isinstance(value, dict):
        changed: dict[Any, Any] | None = None
        for k, v in value.items():
            ck, cv = clean_tree(k), clean_tree(v)
            if changed is None and (ck is not k or cv is not v):
                changed = {}
                for k0, v0 in value.items():
                    if k0 is k:
                        break
                    changed[k0] = v0
            if changed is not None:
                changed[ck] = cv
        return value if changed is None else changed
    if isinstance(value, list):
        out: list[Any] | None = None
        for i, v in enumerate(value):
            if isinstance(v, (int, float)):  # most lists are numbers: skip them fast
                if out is not None:
                    out.append(v)
                continue
            cv = clean_tree(v)
            if out is None and cv is not v:
                out = list(value[:i])
            if out is not None:
                out.append(cv)
        return value if out is None else out
    return value


def clean_markup(text: object) -> str:
    """:func:`clean`, then Rich markup escaped: for strings printed through a Rich console."""
    from rich.markup import escape  # here: the model imports this module and needs no Rich

    return escape(clean(text))
