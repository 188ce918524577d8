"""Request bodies: JSON read by the project's one JSON reader (``cooperation.json_input``), so that a body
nested too deep, with a key given twice or with a NUL character is a 400 that says where, never a 500."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from cooperation import json_input


class JSONParser(parsers.JSONParser):
    # A subclass of DRF's, so that DRF reads the body through Django's ``request.body``, which enforces
    # DATA_UPLOAD_MAX_MEMORY_SIZE (answered 413 by the exception handler).
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"JSON parse error - the body is not {encoding} text.") from None
        try:
            return json_input.loads(text)
        except json_input.JSONInputError as error:
            if error.path:
                raise ValidationError({error.path: [error.message]}) from None
            raise ParseError(f"JSON parse error - {error.message}") from None
