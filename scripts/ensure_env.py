#!/usr/bin/env python3
"""`make run`'s first step: give a new checkout a local `.env` (DEBUG on, a generated SECRET_KEY).

With it, every `manage.py` command the README shows (sync_hotlines, etelecom_sandbox,
create_user, ...) works as written, not only those `make run` starts. An existing file is never
changed: it may hold real settings. Standard library only, because it runs before Django can
load its settings (which is what it makes possible).

    python scripts/ensure_env.py [PATH]     # PATH defaults to the .env beside manage.py
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent.parent / ".env"
# A `NAME=value` line with a non-empty value, as django-environ reads them (no spaces around `=`).
_SET = r"^(?:export )?{name}=\S"
_DEBUG_ON = r"^(?:export )?DEBUG=['\"]?(1|true|yes|on|y)\b"

TEMPLATE = """\
# Written by `make run` for local development: DEBUG on and a SECRET_KEY generated for this
# checkout. Never use this file in production; .env.example lists every setting.
DEBUG=1
SECRET_KEY={key}
"""


def ensure_env(path: Path) -> str:
    """Write a development .env at `path` unless a file is already there; return what was done."""
    try:
        # O_EXCL: never overwrite, even if another `make run` wrote it a moment ago; 0600: it holds a secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(_SET.format(name="SECRET_KEY"), text, re.M) or re.search(_DEBUG_ON, text, re.M | re.I):
            return f"Using the existing {path} (left unchanged)."
        return (
            f"Using the existing {path} (left unchanged). It sets neither SECRET_KEY nor DEBUG=1, so "
            "manage.py commands other than `make run` will ask for a SECRET_KEY: add one to it."
        )
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(TEMPLATE.format(key=secrets.token_urlsafe(50)))
    return (
        f"Wrote {path} for local development: DEBUG=1 and a generated SECRET_KEY, "
        "so the README's manage.py commands work as written. Delete it to start again."
    )


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else DEFAULT_PATH
    print(ensure_env(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
