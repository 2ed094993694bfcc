"""Browser helpers for the Prefect 3.8 UI (its default Vue UI) and the MLflow 3 UI, found by looking at the pages.

Prefect's deployment "Custom run" page renders the flow's parameter schema as nested sections: every property is a
`div.schema-form-property` whose header holds `span.schema-form-property__label` ("Iterations (Optional)") and whose
body holds the input (number inputs for integers, a textarea for strings, toggles for enums). A field is found by
its path of labels, e.g. ("Run", "Iterations"). A flow run page has a canvas graph and tabs that are list items of
a `tablist` (Logs, Task Runs, Subflow Runs, Artifacts, ...)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SHOT_VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Checks:
    """Named checks with their evidence; every check runs, the test fails at the end listing the failed ones."""

    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def check(self, name: str, ok: bool, evidence: str = "") -> bool:
        self.results.append((name, bool(ok), evidence))
        print(f"[{'PASS' if ok else 'FAIL'}] {name}" + (f" -- {evidence[:600]}" if evidence else ""), flush=True)
        return bool(ok)

    @property
    def failed(self) -> list[tuple[str, bool, str]]:
        return [r for r in self.results if not r[1]]

    def report(self) -> str:
        return "\n".join(f"{'PASS' if ok else 'FAIL'}: {name}" + (f"\n    {ev[:1500]}" if ev and not ok else "")
                         for name, ok, ev in self.results)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps([{"check": n, "ok": ok, "evidence": ev} for n, ok, ev in self.results],
                                   indent=1))


# ----------------------------------------------------------------------------------------------- Prefect form

def _label_step(name: str) -> str:
    lit = json.dumps(name)  # an XPath string literal is fine with double quotes unless the label holds one
    return (f"//div[contains(concat(' ', normalize-space(@class), ' '), ' schema-form-property ')]"
            f"[./div[contains(@class, 'p-label__header')]//span[contains(@class, 'schema-form-property__label')]"
            f"[normalize-space() = {lit} or normalize-space() = {json.dumps(name + ' (Optional)')}]]")


def form_property(page, *path: str):
    """The form property at a path of section/field labels, e.g. form_property(page, "Selfplay", "Batch Size")."""
    return page.locator("xpath=" + "".join(_label_step(p) for p in path)).first


def form_input(page, *path: str):
    """The property's own input (number input or textarea), not one of a nested property."""
    prop = form_property(page, *path)
    return prop.locator("xpath=./div[contains(@class, 'p-label__body')]"
                        "//*[self::input or self::textarea][not(@disabled)]").first


def schema_labels(schema: dict, dotted: str) -> tuple[str, ...] | None:
    """The form's labels along a parameter path ("config.run.iterations" -> ("Run", "Iterations")): each property's
    title in the deployment's parameter schema (its key when untitled), below the top-level parameter, whose own
    section is the outer one. None when the path is not in the schema."""
    defs = schema.get("definitions") or schema.get("$defs") or {}

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        for combo in ("allOf", "anyOf"):
            if combo in node and "properties" not in node:
                subs = [resolve(n) for n in node[combo] if "$ref" in n or "properties" in n]
                if subs:
                    return subs[0]
        return node

    labels = []
    node = schema
    for i, key in enumerate(dotted.split(".")):
        props = resolve(node).get("properties") or {}
        if key not in props:
            return None
        node = props[key]
        if i:
            labels.append(node.get("title") or key)
    return tuple(labels)


def fill_form(page, values: dict[tuple[str, ...], str]) -> dict[str, tuple[str, str]]:
    """Type each value into its input; returns labels -> (before, after) as the inputs show them."""
    seen = {}
    for path, value in values.items():
        box = form_input(page, *path)
        box.scroll_into_view_if_needed()
        before = box.input_value()
        box.fill(value)
        box.blur()
        seen[" > ".join(path)] = (before, box.input_value())
    return seen


# ----------------------------------------------------------------------------------------------- Prefect run page

def open_tab(page, name: str):
    page.get_by_role("tablist").get_by_role("listitem").filter(has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")) \
        .first.click()
    page.wait_for_load_state("networkidle")
    return page.locator("[role=tabpanel]:visible").first


def wait_text(locator, pattern: str | re.Pattern, timeout_s: float = 30.0) -> str:
    """The locator's text once it matches `pattern` (the UI loads tab contents lazily); the last text otherwise."""
    import time

    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    deadline = time.monotonic() + timeout_s
    text = ""
    while time.monotonic() < deadline:
        try:
            text = locator.inner_text(timeout=5000)
        except Exception:  # noqa: BLE001 - detached while re-rendering; try again
            text = ""
        if rx.search(text):
            return text
        locator.page.wait_for_timeout(500)
    return text


def shot(page, path: Path, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), **kw)
    return path
