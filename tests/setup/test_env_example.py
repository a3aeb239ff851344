"""`.env.example` lists every variable the settings and the gunicorn config read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def variables_read(path: Path) -> set[str]:
    """Names passed as first argument to django-environ's `env(...)`, `env.<type>(...)` or `os.environ.get`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        call = ast.unparse(node.func)
        if (call == "env" or call.startswith("env.") or call in ("os.environ.get", "os.getenv")) and isinstance(
            node.args[0].value, str
        ):
            names.add(node.args[0].value)
    return names


def test_every_variable_read_is_in_env_example():
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = variables_read(ROOT / "etelecom_admin" / "settings.py") | variables_read(ROOT / "gunicorn.conf.py")
    assert len(read) > 40  # the parser found the settings' reads at all
    assert sorted(read - listed) == []
