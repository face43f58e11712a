"""The Dagster UI as a user sees it, in the system's headless Chromium driven by Playwright:
the expanded global lineage (``maint-assets demo screenshot``, the README's picture) and the
steps the UI test takes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

# Wide enough for the lineage's columns; two screens tall (the README's promise).
SCREEN = {"width": 1600, "height": 1000}


class BrowserError(RuntimeError):
    """No Chromium to drive; the message names the Debian package."""


@contextmanager
def chromium_page(height_screens: int = 1) -> Iterator[Page]:
    executable = shutil.which("chromium")
    if executable is None:
        raise BrowserError("chromium not found: install the Debian package chromium")
    with sync_playwright() as playwright:
        # --no-sandbox: Chromium refuses its sandbox as root (the demo machine, CI).
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser.new_page(
                viewport={"width": SCREEN["width"], "height": SCREEN["height"] * height_screens}
            )
        finally:
            browser.close()


def open_expanded_lineage(page: Page, ui_url: str, zoom_out_steps: int = 0) -> None:
    """The global lineage with every group expanded (the graph's own "Expand all groups",
    Alt+E), once the graph has laid out again."""
    page.goto(f"{ui_url}/asset-groups", wait_until="networkidle")
    page.get_by_role("button", name="Materialize all").wait_for(timeout=120_000)
    page.wait_for_timeout(2000)  # the graph mounts after the toolbar
    page.mouse.click(SCREEN["width"] - 100, SCREEN["height"] // 2)  # focus the graph
    page.keyboard.press("Alt+e")
    page.wait_for_function(
        "Object.keys(localStorage).some(k => k.startsWith('asset-graph-open-graph-nodes'))"
    )
    # The choice is kept in the browser's storage; a new load fits the expanded graph to the
    # window (expanding in place keeps the old zoom).
    page.wait_for_timeout(1000)
    # A fresh load of the bare address: the focusing click may have selected a node, and
    # "Materialize all" would then launch only the selection.
    page.goto(f"{ui_url}/asset-groups", wait_until="networkidle")
    page.get_by_role("button", name="Materialize all").wait_for(timeout=120_000)
    page.wait_for_timeout(3000)  # the graph's layout
    page.get_by_role("button", name="Hide navigation").click()
    # Ctrl+wheel zooms the graph: out until the whole expanded lineage is in the window.
    page.mouse.move(SCREEN["width"] * 0.6, SCREEN["height"] * 0.6)
    page.keyboard.down("Control")
    for _ in range(zoom_out_steps):
        page.mouse.wheel(0, 100)
        page.wait_for_timeout(150)
    page.keyboard.up("Control")


def screenshot_lineage(ui_url: str, out: Path, zoom_out_steps: int = 4) -> Path:
    with chromium_page(height_screens=2) as page:
        open_expanded_lineage(page, ui_url, zoom_out_steps)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
    return out
