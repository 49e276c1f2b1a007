"""Log lines as one JSON object each (``LOG_FORMAT=json``), for a city's log collector.

A line says when, how severe, which logger and the message; for an error, the exception's type
and where it was raised (file, line, function), never the exception's text: a database error's
text quotes the values of the row it failed on, and those may be a citizen's comment.  The
messages this app logs name kinds of failure, not data.  Gunicorn's own lines use the same
formatter (``deploy/gunicorn.conf.py``), its access lines a JSON template of their own.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            kind, _text, trace = record.exc_info
            entry["error"] = kind.__name__
            entry["where"] = [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
                              for frame in traceback.extract_tb(trace)][-5:]
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str, level: int = logging.INFO) -> None:
    """With ``json``, every logger's lines go to standard error as JSON; otherwise unchanged."""
    if log_format != "json":
        return
    from flask.logging import default_handler

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("webapp").removeHandler(default_handler)
