"""The one JSON reader for what clients send: API request bodies and the JSON cells of a CSV import (parts,
citations).

Python's ``json`` accepts things that later break or mislead, so ``loads`` refuses them with a message that
names where they are (``parties[0].role``):

- nesting deeper than ``settings.JSON_MAX_DEPTH`` arrays and objects (the parser recurses: a few KB of ``[``
  would exhaust the interpreter's stack). The depth is measured on the text, before anything is parsed;
- a key given twice in one object (``json`` keeps the last one silently);
- a NUL character or an unpaired surrogate in a string or a key (PostgreSQL cannot store the first, UTF-8
  cannot encode the second);
- ``NaN`` and ``Infinity``, which are not JSON.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.conf import settings

#: A JSON string, its escapes included (what is inside a string is not structure).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
#: The tokens that locate a value: strings (a key when a colon follows), brackets and commas.
_TOKEN = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")(\s*:)?|[\[\]{},]', re.DOTALL)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: How a NUL or a surrogate gets into a valid JSON string (raw, they are refused as control characters or
#: cannot be decoded): as an escape.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class JSONInputError(ValueError):
    """JSON that is refused; ``path`` is where (``parties[0].role``, "" for the whole document)."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.message, self.path = message, path

    def located(self) -> str:
        """The message, prefixed with where the problem is when it is inside the document."""
        return f"At {self.path}: {self.message}" if self.path else self.message


def loads(text: str, *, max_depth: int | None = None) -> Any:
    """The value of a JSON document; raises JSONInputError (see the module's docstring)."""
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    if _depth(text, limit) > limit:
        raise JSONInputError(f"Nested deeper than {limit} levels of arrays and objects.", _path_at_depth(text, limit))
    duplicated: list[bool] = []

    def object_from(pairs: list[tuple[str, Any]]) -> dict:
        value = dict(pairs)
        if len(value) == len(pairs):
            return value
        duplicated.append(True)
        return _Duplicated(value, pairs)

    try:
        value = json.loads(text, object_pairs_hook=object_from, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JSONInputError(f"{error.msg} at character {error.pos}.") from None
    except JSONInputError:
        raise
    except ValueError as error:  # Python refuses to convert integers of more than 4,300 digits
        raise JSONInputError("A number has too many digits." if "digits" in str(error) else f"{error}.") from None
    except RecursionError:  # not reached with the depth checked first; kept so that no input is a 500
        raise JSONInputError(f"Nested deeper than {limit} levels of arrays and objects.") from None
    if duplicated or _SUSPECT_ESCAPE.search(text):  # else there is nothing to find: skip walking a large body
        _check(value, [])
    return value


def _depth(text: str, limit: int) -> int:
    """How deep arrays and objects nest (counting unclosed ones, which the parser also recurses into), on
    the text outside strings (brackets inside them are text)."""
    if text.count("[") + text.count("{") <= limit:  # the usual small body: it cannot nest deeper
        return 0
    # Without an escaped quote, every quote opens or closes a string: the pieces between them alternate,
    # outside, inside, outside... With one, the strings are found one by one.
    outside = _STRING.sub("", text) if '\\"' in text else "".join(text.split('"')[::2])
    return _nesting(_NOT_BRACKET.sub("", outside))


def _nesting(brackets: str) -> int:
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _path_at_depth(text: str, limit: int) -> str:
    """Where the first array or object deeper than ``limit`` starts."""
    stack: list[list] = []  # per open container: [is_object, current key or index]
    for match in _TOKEN.finditer(text):
        token = match.group()
        if match.group(1):
            if match.group(2) and stack and stack[-1][0]:
                stack[-1][1] = _key(match.group(1))
        elif token in "[{":
            if len(stack) >= limit:
                break
            stack.append([token == "{", None if token == "{" else 0])
        elif token in "]}":
            if stack:
                stack.pop()
        elif stack and not stack[-1][0]:  # a comma in an array: the next item
            stack[-1][1] += 1
    return _join([position for _, position in stack if position is not None])


def _key(quoted: str) -> str:
    try:
        return json.loads(quoted)
    except ValueError:
        return quoted[1:-1]


class _Duplicated(dict):
    """An object in which a key was given twice; refused by ``_check``, which knows where it is."""

    def __init__(self, value: dict, pairs: list[tuple[str, Any]]):
        super().__init__(value)
        seen: set[str] = set()
        self.duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))


def _refuse_constant(name: str):
    raise JSONInputError(f"{name} is not a JSON value; send a number or null.")


def _check(value: Any, path: list) -> None:
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, dict):
        if isinstance(value, _Duplicated):
            raise JSONInputError(f"The key {value.duplicate!r} is given twice.", _join([*path, value.duplicate]))
        for key, item in value.items():
            _check_text(key, path, what="A key")
            _check(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, [*path, index])


def _check_text(text: str, path: list, what: str = "The text") -> None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    problem = "a NUL character (\\u0000)" if found.group() == "\x00" else "an unpaired surrogate (\\ud800-\\udfff)"
    raise JSONInputError(f"{what} contains {problem}.", _join(path))


def _join(path: list) -> str:
    """``["parties", 0, "role"]`` as ``parties[0].role``, the way the API's errors name fields."""
    text = ""
    for position in path:
        text += f"[{position}]" if isinstance(position, int) else f".{position}" if text else str(position)
    return text


__all__ = ["JSONInputError", "loads"]
