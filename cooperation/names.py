"""Names as keys: the one normal form in which names and titles are stored, compared and looked up.

A name a person reads as the same must be stored and found as the same: Unicode NFC (a decomposed "é" is
the composed one), whitespace trimmed and collapsed to single spaces, and compared case-folded. What a reader
cannot see or tell apart is refused rather than guessed at: invisible characters (zero-width spaces and
joiners, bidirectional marks, soft hyphens, controls) and words that mix Latin, Cyrillic and Greek letters
(a Cyrillic "о" inside a Latin name looks exactly like the Latin "o").
"""

from __future__ import annotations

import unicodedata

#: Unicode categories no name holds: controls, format characters (zero-width and bidirectional marks, soft
#: hyphen, BOM), private use, surrogates and unassigned code points.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
#: Scripts whose letters look alike: one word may use only one of them.
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


class InvalidName(ValueError):
    """The text cannot be a name; the message says why."""


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return next((script for script in CONFUSABLE_SCRIPTS if name.startswith(script)), None)


def tidy(text: str) -> str:
    """NFC, with whitespace trimmed and collapsed to single spaces: what normalising changes without refusing."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_name(text: str) -> str:
    """The name in its stored form: NFC, single spaces, no leading or trailing space. Raises InvalidName
    for invisible characters and for a word that mixes look-alike scripts."""
    text = tidy(text)
    for char in text:
        if unicodedata.category(char) in INVISIBLE_CATEGORIES:
            raise InvalidName(
                f"Contains an invisible or control character (U+{ord(char):04X} "
                f"{unicodedata.name(char, 'unnamed')}): remove it."
            )
    for word in text.split(" "):
        scripts = {script for script in map(_script, word) if script}
        if len(scripts) > 1:
            raise InvalidName(
                f"The word {word!r} mixes {' and '.join(sorted(s.title() for s in scripts))} letters, which look "
                "alike (e.g. a Cyrillic \u201c\u043e\u201d for a Latin \u201co\u201d): write it in one script."
            )
    return text


def comparable(text: str) -> str:
    """The form in which two names are compared: the normal form, case-folded (``"Straße"`` is ``"STRASSE"``)."""
    return tidy(text).casefold()


def search_form(text: str) -> str:
    """The form in which a name is searched by its beginning: case-folded and without accents, so that
    "bogota" finds "Bogotá" and "SAN JOSE" finds "San José" (letters without a decomposition, such as "ø",
    stay as they are)."""
    decomposed = unicodedata.normalize("NFKD", tidy(text).casefold())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def folded_lines(*names: str) -> str:
    """Names in their search form, one per line between newlines (``"\\npolicia nacional\\npnp\\n"``): what a
    record stores so that a name written without its accents, or in another case, finds it whole or in part."""
    return "\n" + "".join(f"{search_form(name)}\n" for name in names if name.strip())
