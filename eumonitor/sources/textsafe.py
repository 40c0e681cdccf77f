"""Control characters out of text from sources, so no archive row, XML feed or terminal carries them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# C0 controls but tab and newline, DEL, the C1 controls (\x9b is a one-byte terminal escape), lone
# surrogates and the two non-characters XML forbids. ESC (\x1b) is the one that paints terminals and
# makes an Atom feed invalid XML; the others do the same damage more quietly.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same for formats whose own line ends are CRLF (iCalendar): keep \r there.
CONTROLS_BUT_CRLF = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# A whole terminal escape sequence goes, not only its ESC: "\x1b[31mOcean" must become "Ocean", not
# "[31mOcean" (which would also hide the word from search). CSI, OSC (ended by BEL or ST) and two-byte escapes.
ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-Z\\-_]"
)


def strip_controls(text: str) -> str:
    """The text without terminal escape sequences or control characters; tab and newline stay."""
    return CONTROLS.sub("", ESCAPES.sub("", text)) if text else text


def strip_controls_keep_crlf(text: str) -> str:
    return CONTROLS_BUT_CRLF.sub("", ESCAPES.sub("", text)) if text else text


def clean_value(value: Any) -> Any:
    """Every string inside a JSON-like value (the `extra` of a call), cleaned; other values as they are."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, Mapping):
        return {strip_controls(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_value(v) for v in value)
    return value
