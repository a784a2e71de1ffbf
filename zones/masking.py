"""Passwords hidden in any text a person or a log may see (a light module: the log's
set-up imports it before any database is opened)."""

from __future__ import annotations

import re

#: a URL's "user:password@" and a connection string's "password=…"
_USERINFO = re.compile(r"(://[^:/@\s]*:)\S*@")
_BARE_USERINFO = re.compile(r"((?:^|\s)[^:/@\s]+:)(?!//)\S*@")  # no scheme: "user:pw@host"
_PASSWORD_KV = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def masked(text: str, password: str | None = None) -> str:
    """``text`` with every database password hidden (a message may quote a URL or a
    driver's error): ``password`` wherever it appears, any URL's ``user:password@`` and
    any ``password=…``, so that no message, page or log line shows one."""
    if password:
        text = text.replace(password, "***")
    text = _BARE_USERINFO.sub(r"\1***@", _USERINFO.sub(r"\1***@", text))
    return _PASSWORD_KV.sub(r"\1***", text)
