"""Fixtures of the browser check: Debian's chromium, the Prefect stack in a temporary home, a headless browser.

Not part of `make test` (pyproject's addopts ignore tests/e2e); `make e2e` runs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, find_chromium
from tests.e2e.ui import SHOT_VIEWPORT


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if not path:
        pytest.skip("Debian's chromium is not installed: `make e2e` installs it with apt-get when run as root; "
                    "otherwise `sudo apt-get install chromium`, or set AZR_E2E_CHROMIUM to a Chromium binary")
    return path


@pytest.fixture(scope="session")
def e2e_home(tmp_path_factory) -> Path:
    """AZR_E2E_HOME when set (kept for looking at afterwards), else a pytest temporary folder."""
    if os.environ.get("AZR_E2E_HOME"):
        home = Path(os.environ["AZR_E2E_HOME"]).resolve()
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
        return home
    return tmp_path_factory.mktemp("azr-e2e")


@pytest.fixture(scope="session")
def stack(e2e_home):
    """A Prefect server (own PREFECT_HOME, SQLite), the work pool, both local deployments and a process worker in
    the repository root with AZR_HOME in the temporary home. Everything is stopped afterwards, even on failure."""
    st = Stack(e2e_home)
    print(f"\ne2e home: {st.home} (logs in {st.home / 'logs'})", flush=True)
    try:
        st.start_prefect()
        st.deploy_results = st.deploy()
        if st.deploy_results["train-local"].startswith("FAILED"):
            pytest.fail(f"prefect deploy -n train-local: {st.deploy_results['train-local']}")
        st.start_worker()
        yield st
    finally:
        st.stop()
        # The checkpoints are ~1.6 GB each; the rest (logs, databases, run folder) stays for a look.
        for ck in (st.azr_home / "runs").glob("*/checkpoints"):
            shutil.rmtree(ck, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (no stored UI preferences), 1280x800, a 60 s default timeout (2 busy cores)."""
    contexts = []

    def make(init_script: str | None = None):
        ctx = browser.new_context(viewport=SHOT_VIEWPORT, device_scale_factor=1)
        ctx.set_default_timeout(60_000)
        if init_script:
            ctx.add_init_script(init_script)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()
