"""The ε explorer in a real JupyterLab in a real browser (Debian's chromium, driven by Playwright).

Opens the release notebook of 01_finite_differences as a student would, runs all cells, moves
the ε slider with the keyboard, and checks that the printed error and the plot change.
Screenshots go to build/test-artifacts/.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from system import debian_package, free_port

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "build" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ensure_chromium():
    debian_package("chromium", lambda: Path(CHROMIUM).exists())


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on a free loopback port, its config, data and runtime in tmp_path; yields (url, token)."""
    ensure_chromium()
    home = tmp_path / "jupyter"
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "release" / "01_finite_differences" / "finite_differences.ipynb", root)
    port, token = free_port(), "bn-browser-test"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.time() < deadline, "JupyterLab did not answer in 90 s"
                time.sleep(0.5)
        yield url, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def test_explorer_is_live_in_the_release_notebook(lab):
    from playwright.sync_api import expect, sync_playwright

    url, token = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{url}/lab/workspaces/explorer/tree/finite_differences.ipynb?reset&token={token}")
            panel = page.locator(".jp-NotebookPanel:visible")
            expect(page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first).to_be_visible(timeout=90_000)

            page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            explorer = panel.locator(".bn-explorer")
            printed = explorer.locator(".jp-OutputArea-output pre", has_text="ε = ")
            expect(printed).to_contain_text("ε = 1.0e-05", timeout=90_000)
            image = explorer.locator(".jp-OutputArea-output img")
            expect(image).to_be_visible()
            before_text, before_img = printed.inner_text(), image.get_attribute("src")
            page.screenshot(path=str(ARTIFACTS / "explorer-before.png"))

            explorer.locator(".widget-slider .noUi-handle").first.focus()
            for _ in range(8):
                page.keyboard.press("ArrowLeft")
            expect(printed).not_to_have_text(before_text, timeout=30_000)
            expect(printed).to_contain_text("ε = 1.0e-07", timeout=30_000)
            expect(image).not_to_have_attribute("src", before_img, timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "explorer-after.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "explorer-failure.png"))
            raise
        finally:
            browser.close()
