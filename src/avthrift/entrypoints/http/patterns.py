"""Regular expressions published as JSON-schema `pattern`s, shared by every context's schemas.

They are written for the schema's dialect (ECMA-262) and must agree with the Python checks behind
them: `\\s` means another set in ECMA-262 than in Python, so the whitespace that `str.strip()`
removes is spelled out (`WHITESPACE`).
"""

from typing import Final

WHITESPACE: Final = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL: Final = r"^[^\x00]*$"
NOT_BLANK: Final = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"
