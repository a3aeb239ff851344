"""Take the README's screenshots (list at 1366 px, a detail page, the list on a phone) from a demo
stack: the sandbox, a fresh SQLite database synced from it, and the dashboard, in Chromium.

    .venv/bin/python scripts/readme_screenshots.py      # writes docs/screenshot-*.png
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import free_port, stop_processes  # noqa: E402

PASSWORD = "readme-Screenshots-1"  # noqa: S105 - a throwaway demo database


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_port, web_port = free_port(), free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "etelecom_admin.test_settings",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "ETELECOM_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
            "ETELECOM_API_KEY": "sandbox-key",
            "AXES_ENABLED": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SESSION_COOKIE_SECURE": "0",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]

        def run(*args: str) -> None:
            subprocess.run([*manage, *args], env=env, cwd=ROOT, check=True, capture_output=True)

        procs = [
            subprocess.Popen([*manage, "etelecom_sandbox", "--port", str(sandbox_port), "--hotlines", "5000"],
                             env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ]  # fmt: skip
        try:
            time.sleep(1.5)
            run("migrate", "--no-input", "-v0")
            run("sync_hotlines", "--no-progress")
            run("shell", "-c", "from django.contrib.auth import get_user_model; "
                f"get_user_model().objects.create_superuser('admin', 'admin@example.com', '{PASSWORD}')")  # fmt: skip
            procs.append(
                subprocess.Popen([*manage, "runserver", f"127.0.0.1:{web_port}", "--noreload"],
                                 env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )  # fmt: skip
            base = f"http://127.0.0.1:{web_port}"
            for _ in range(100):
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            shoot(base)
        finally:
            stop_processes(procs)


def shoot(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-background-networking"]
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        page.goto(f"{base}/hotlines/?status=P&network=viettel&network=mobifone&sort=name")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-list.png"))
        page.locator("#hotline-table tbody a").first.click()
        page.wait_for_url("**/hotlines/*/**")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-detail.png"))
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US",
            storage_state=context.storage_state(),
        )  # fmt: skip
        page = phone.new_page()
        page.goto(f"{base}/hotlines/?status=P")
        page.screenshot(path=str(ROOT / "docs" / "screenshot-phone.png"))
        browser.close()


if __name__ == "__main__":
    main()
