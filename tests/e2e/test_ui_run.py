"""The browser check: a Custom run of one tiny iteration, submitted from the Prefect UI's form, watched to Completed
and checked on its pages (name, task graph, progress lines, artifacts), then found in the MLflow UI (tags, a chart).

Run with `make e2e` (installs Debian's chromium and the e2e extra first). It writes the screenshots under
docs/screenshots/ (AZR_E2E_SCREENSHOTS elsewhere) and its checks to <home>/e2e-checks.json."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from tests.e2e.stack import REPO, api
from tests.e2e.ui import Checks, fill_form, form_input, form_property, open_tab, schema_labels, shot, wait_text

SHOTS = Path(os.environ.get("AZR_E2E_SCREENSHOTS") or REPO / "docs" / "screenshots")
RUN_TIMEOUT_S = float(os.environ.get("AZR_E2E_RUN_TIMEOUT", "900"))
NINE = ["propose", "validate", "learnability", "solve", "score", "update", "checkpoint", "evaluate", "commit"]
DESCRIPTION = "e2e: one tiny iteration submitted from the Prefect form"
# One iteration as small as the config allows: B = G = 1 (3 proposals, 3 answers), 32-token responses, and no
# seeding rounds (seed_tasks_per_type = 1 is met by the identity seed alone).
TINY = {
    "run.iterations": "1",
    "selfplay.batch_size": "1",
    "selfplay.learnability_rollouts": "1",
    "selfplay.seed_tasks_per_type": "1",
    "selfplay.seed_max_attempts": "1",
    "rollout.max_new_tokens": "32",
}
PROGRESS_ANY = re.compile(r"^progress \S+: \d+/\d+ ", re.M)
PROGRESS_GENERATE = re.compile(r"^progress generate: \d+/\d+ sequences \(\d+%\), [\d.]+ tok/s", re.M)
# The MLflow assistant panel opens itself on a first visit and covers a third of the page.
MLFLOW_INIT = ("localStorage.setItem('mlflow.assistant.panelOpen_v1', 'false');"
               "localStorage.setItem('mlflow.assistant.fab.autoOpenedOnFirstLoad_v1', 'true');")

pytestmark = pytest.mark.timeout(2700)


def _artifact_key(run_id: str, kind: str) -> str:
    return f"{run_id}-{kind}".lower().replace("_", "-")


def _git_head() -> str:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def _wait_final(stack, flow_run_id: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        fr = api(f"{stack.api_url}/flow_runs/{flow_run_id}")
        state = (fr.get("state") or {}).get("type")
        if state != last:
            print(f"  flow run {fr['name']}: {state} ({time.monotonic() - deadline + timeout_s:.0f} s)", flush=True)
            last = state
        if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return fr
        worker = next(p for p in stack.procs if p.name == "prefect-worker")
        if not worker.alive():
            return fr | {"_worker_died": worker.tail()}
        time.sleep(5)
    return api(f"{stack.api_url}/flow_runs/{flow_run_id}") | {"_timed_out": True}


def test_custom_run_from_the_form(stack, new_page):
    checks = Checks()
    started = time.monotonic()
    tiny_cpu = yaml.safe_load((REPO / "configs" / "tiny-cpu.yaml").read_text())
    try:
        _run(stack, new_page, checks, tiny_cpu)
    finally:
        checks.write(stack.home / "e2e-checks.json")
        print(f"\n{checks.report()}\n(e2e test body: {time.monotonic() - started:.0f} s; home {stack.home})",
              flush=True)
    assert not checks.failed, "failed checks:\n" + "\n".join(f"- {n}: {ev[:1500]}" for n, _, ev in checks.failed)


def _run(stack, new_page, checks: Checks, tiny_cpu: dict) -> None:
    checks.check("deploy resume-local", not stack.deploy_results.get("resume-local", "FAILED").startswith("FAILED"),
                 stack.deploy_results.get("resume-local", "")[-800:])

    # ------------------------------------------------------------------ resume-local: a form of three fields
    try:
        rdep = api(f"{stack.api_url}/deployments/name/azr-resume/resume-local")
    except Exception as exc:  # noqa: BLE001 - a 404 when the deployment is missing
        rdep = None
        checks.check("resume-local form has run_id, home, iterations", False, f"no deployment: {exc}")
    if rdep:
        rprops = rdep["parameter_openapi_schema"].get("properties", {})
        rpage = new_page()
        rpage.goto(f"{stack.prefect_url}/deployments/deployment/{rdep['id']}/run")
        titles = [rprops[k].get("title") or k for k in ("run_id", "home", "iterations") if k in rprops]
        try:
            form_property(rpage, titles[0]).wait_for(timeout=60_000)
        except Exception:  # noqa: BLE001 - reported below
            pass
        on_page = [t for t in titles if form_property(rpage, t).count()]
        checks.check("resume-local form has run_id, home, iterations",
                     sorted(rprops) == ["home", "iterations", "run_id"] and len(on_page) == 3,
                     f"schema properties {sorted(rprops)}; form shows {on_page} of {titles}")
        rpage.close()

    # ------------------------------------------------------------------ the form: Run > Custom run
    dep = api(f"{stack.api_url}/deployments/name/azr-train/train-local")
    schema = dep["parameter_openapi_schema"]
    labels = {key: schema_labels(schema, f"config.{key}") for key in [*TINY, "run.description"]}
    missing = [k for k, v in labels.items() if v is None and k != "run.description"]
    assert not missing, f"config keys not in the deployment's parameter schema: {missing}"
    page = new_page()
    page.goto(f"{stack.prefect_url}/deployments/deployment/{dep['id']}")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run", exact=True).click()
    form_property(page, labels["run.iterations"][0]).wait_for()

    def preset(key: str) -> str:
        node = tiny_cpu
        for part in key.split("."):
            node = node[part]
        return str(node)

    shown = {k: form_input(page, *labels[k]).input_value() for k in TINY}
    want = {k: preset(k) for k in TINY}
    checks.check("form starts from configs/tiny-cpu.yaml", shown == want,
                 f"form shows {shown}; tiny-cpu.yaml has {want}")

    edits = {labels[k]: v for k, v in TINY.items()}
    has_description = labels["run.description"] is not None and \
        form_property(page, *labels["run.description"]).count() > 0
    checks.check("form has run.description", has_description,
                 f"labels {labels['run.description']}; not in the schema or not on the page")
    if has_description:
        edits[labels["run.description"]] = DESCRIPTION
    seen = fill_form(page, edits)
    checks.check("form inputs took the edits", all(after == v for (_, after), v in zip(seen.values(),
                                                                                       edits.values())),
                 json.dumps(seen))
    form_property(page, labels["selfplay.batch_size"][0]).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    shot(page, SHOTS / "prefect-form.png")

    with page.expect_response(lambda r: "/create_flow_run" in r.url and r.request.method == "POST") as created:
        page.get_by_role("button", name="Submit", exact=True).click()
    resp = created.value
    assert resp.ok, f"create_flow_run answered {resp.status}: {resp.text()[:2000]}"
    flow_run = resp.json()
    sent = flow_run["parameters"]["config"]
    checks.check("the submitted config carries the form's edits",
                 sent["run"]["iterations"] == 1 and sent["selfplay"]["batch_size"] == 1
                 and sent["selfplay"]["seed_tasks_per_type"] == 1 and sent["rollout"]["max_new_tokens"] == 32
                 and (not has_description or sent["run"].get("description") == DESCRIPTION),
                 json.dumps({k: sent[k] for k in ("run", "selfplay", "rollout")})[:1500])

    # ------------------------------------------------------------------ wait for the run
    fr = _wait_final(stack, flow_run["id"], RUN_TIMEOUT_S)
    worker_log = next(p for p in stack.procs if p.name == "prefect-worker").tail(60)
    state = (fr.get("state") or {})
    checks.check("flow run reached Completed", state.get("type") == "COMPLETED",
                             f"state {state.get('type')} {state.get('message')!r}"
                             f"{' (timed out after %.0f s)' % RUN_TIMEOUT_S if fr.get('_timed_out') else ''}; "
                             f"worker log tail:\n{worker_log}")
    runs = sorted(p.name for p in (stack.azr_home / "runs").glob("*") if p.is_dir())
    checks.check("one run folder in AZR_HOME/runs", len(runs) == 1, f"runs: {runs}")
    run_id = runs[0] if runs else "<no run>"

    # ------------------------------------------------------------------ the flow run page
    page.goto(f"{stack.prefect_url}/runs/flow-run/{flow_run['id']}")
    banner = page.get_by_role("banner")
    header = wait_text(banner, re.escape(f"train-{run_id}"), 30)
    checks.check("flow run page is named train-<run id>", f"train-{run_id}" in header.splitlines()[:3],
                 f"page header: {header[:300]!r}")
    checks.check("flow run page shows Completed", "Completed" in header, f"page header: {header[:300]!r}")
    page.wait_for_timeout(2500)  # the graph (a canvas) draws after the data arrives
    shot(page, SHOTS / "prefect-run.png")

    panel = open_tab(page, "Artifacts")
    parent_artifacts = wait_text(panel, re.escape(_artifact_key(run_id, "progress")), 20)

    panel = open_tab(page, "Subflow Runs")
    subflows = wait_text(panel, re.escape(f"{run_id}-it1"), 20)
    checks.check("Subflow Runs lists the iteration <run id>-it1", f"{run_id}-it1" in subflows, subflows[:600])

    graphs: list[dict] = []

    def keep_graph(r):
        if re.search(r"/flow_runs/[0-9a-f-]+/graph", r.url) and r.ok:
            try:
                graphs.append(r.json())
            except Exception:  # noqa: BLE001
                pass

    page.on("response", keep_graph)
    if f"{run_id}-it1" in subflows:
        panel.get_by_role("link", name=f"{run_id}-it1", exact=True).first.click()
    else:
        its = api(f"{stack.api_url}/flow_runs/filter", {"flow_runs": {"name": {"like_": "-it1"}}})
        page.goto(f"{stack.prefect_url}/runs/flow-run/{its[0]['id']}" if its else page.url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2500)
    shot(page, SHOTS / "prefect-iteration.png")

    graph_labels = set()
    for g in graphs:
        for node in g.get("nodes", []):
            data = node[1] if isinstance(node, (list, tuple)) and len(node) == 2 else node
            if isinstance(data, dict) and data.get("kind") == "task-run":
                graph_labels.add(re.sub(r"-[0-9a-f]{3}$", "", str(data.get("label", ""))))
    checks.check("task graph holds the nine tasks", set(NINE) <= graph_labels,
                 f"graph task nodes: {sorted(graph_labels)} ({len(graphs)} graph responses)")

    panel = open_tab(page, "Task Runs")
    all_nine = re.compile("".join(rf"(?=.*^{t}-[0-9a-f]{{3}}$)" for t in NINE), re.M | re.S)
    task_text = wait_text(panel, all_nine, 30)
    listed = set(re.findall(r"^([a-z]+)-[0-9a-f]{3}$", task_text, re.M))
    checks.check("Task Runs tab lists the nine tasks, all Completed",
                 listed == set(NINE) and "(9 Completed)" in task_text, task_text[:800])

    panel = open_tab(page, "Logs")
    logs = wait_text(panel, PROGRESS_ANY, 30)
    progress = [ln for ln in logs.splitlines() if ln.startswith("progress ")]
    checks.check("logs show progress lines", bool(progress), "\n".join(progress[:8]) or logs[:800])
    checks.check("a generate progress line has the form `progress generate: n/m sequences (p%), x tok/s`",
                 PROGRESS_GENERATE.search(logs) is not None, "\n".join(progress[:8]))
    # The tab bar at the top of the viewport, the first lines of the log (with the generate progress) below it.
    page.get_by_role("tablist").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    shot(page, SHOTS / "prefect-logs.png")

    # Prefect 3.8's Artifacts tab groups task-run artifacts by the task runs the page has loaded for its graph; when
    # the tab is drawn before those arrive its "Task runs" part stays empty until the page is reloaded.
    it_key = re.compile(f"(?s)(?=.*{re.escape(_artifact_key(run_id, 'summary'))})"
                        f"(?=.*{re.escape(_artifact_key(run_id, 'stats'))})")
    for attempt in range(1, 4):
        if attempt > 1:
            page.reload()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(2000)
        panel = open_tab(page, "Artifacts")
        it_artifacts = wait_text(panel, it_key, 15)
        if it_key.search(it_artifacts):
            break
    print(f"  iteration artifacts tab: attempt {attempt}", flush=True)
    both = parent_artifacts + "\n" + it_artifacts
    # What an artifact's own page (Artifacts > key: a timeline of its versions) shows besides the key: its description.
    for kind, content in (("stats", "Per-type statistics of iteration 1"), ("summary", "Iteration 1 summary"),
                          ("progress", "")):
        key = _artifact_key(run_id, kind)
        where, seen = "the run's Artifacts tabs", key in both
        if not seen:
            # The same Prefect UI bug can outlast three reloads (seen in CI): the artifact's own page is the other
            # place the UI shows it, so the check still reads the UI, not the API.
            page.goto(f"{stack.prefect_url}/artifacts/key/{key}")
            page.wait_for_load_state("networkidle")
            text = wait_text(page.locator("body"), re.escape(content or key), 20)
            where, seen = f"its page /artifacts/key/{key}", key in text and content in text
        checks.check(f"artifacts are shown: {key}", seen,
                     f"seen on {where}; run page artifacts: {parent_artifacts[:300]!r}; iteration page artifacts: "
                     f"{it_artifacts[:300]!r}")

    # ------------------------------------------------------------------ MLflow on the same home
    from mlflow import MlflowClient

    stack.start_mlflow()
    client = MlflowClient(tracking_uri=stack.mlflow_uri)
    exp = client.get_experiment_by_name("azr")
    found = client.search_runs([exp.experiment_id], f"tags.`azr.run_id` = '{run_id}'") if exp else []
    checks.check("MLflow holds the run (experiment azr, tag azr.run_id)", bool(found),
                 f"experiment: {exp}; runs: {len(found)}")
    if not found:
        return
    mrun = found[0]
    tags = mrun.data.tags
    head = _git_head()
    checks.check("experiment tag mlflow.experimentKind=custom_model_development",
                 exp.tags.get("mlflow.experimentKind") == "custom_model_development", json.dumps(exp.tags))
    checks.check("tag mlflow.source.git.commit is the checkout's HEAD", tags.get("mlflow.source.git.commit") == head,
                 f"tag {tags.get('mlflow.source.git.commit')!r}, HEAD {head!r}")
    run_url = f"{stack.prefect_url}/runs/flow-run/{flow_run['id']}"
    checks.check("tag azr.prefect.flow_run_url links the flow run", tags.get("azr.prefect.flow_run_url") == run_url,
                 f"tag {tags.get('azr.prefect.flow_run_url')!r}, expected {run_url!r}")
    note = tags.get("mlflow.note.content", "")
    checks.check("tag mlflow.note.content holds the run's description",
                 bool(note.strip()) and (DESCRIPTION in note or not has_description), f"tag {note!r}")
    if "azr.prefect.flow_run_name" in tags:
        checks.check("tag azr.prefect.flow_run_name is the flow run's name",
                     tags["azr.prefect.flow_run_name"] == f"train-{run_id}",
                     f"tag {tags['azr.prefect.flow_run_name']!r}, flow run named {fr.get('name')!r}")

    # The MLflow link the run published in its summary artifact, pointed at this test's MLflow UI.
    summary = api(f"{stack.api_url}/artifacts/filter",
                  {"artifacts": {"key": {"any_": [_artifact_key(run_id, "summary")]}}})
    text = (summary[0].get("data") or "") if summary else ""
    m = re.search(r"https?://[^\s)\]]+#/experiments/[^\s)\]]+", text)
    mlflow_base = urlsplit(stack.mlflow_url)
    link = urlunsplit(urlsplit(m.group(0))._replace(scheme=mlflow_base.scheme, netloc=mlflow_base.netloc)) if m \
        else f"{stack.mlflow_url}/#/experiments/{exp.experiment_id}/runs/{mrun.info.run_id}"
    checks.check("summary artifact links the MLflow run", m is not None and mrun.info.run_id in m.group(0),
                 f"summary: {text[:600]!r}")

    mpage = new_page(MLFLOW_INIT)
    mpage.goto(link)
    mpage.get_by_role("heading", name=run_id).first.wait_for()
    mpage.wait_for_timeout(1500)
    nav = mpage.locator("body").inner_text()
    genai = "workflowType=genai" in mpage.url or "Evaluation runs" in nav
    checks.check("MLflow opens the run's link in its Model training view (not GenAI)", not genai,
                 f"link {link} -> {mpage.url}; sidebar shows "
                 + ("GenAI items (Evaluation runs, Traces, Judges)" if genai else "Runs/Models"))
    if genai:  # the Model training view of the same page, for the checks and screenshots below
        mpage.goto(link.split("?")[0] + "?workflowType=machine_learning")
        mpage.get_by_role("heading", name=run_id).first.wait_for()

    overview = wait_text(mpage.locator("body"), r"azr\.prefect\.flow_run_url", 30)
    url_chip = mpage.get_by_role("status", name="azr.prefect.flow_run_url")
    chip = url_chip.first.inner_text() if url_chip.count() else ""
    checks.check("MLflow run page shows tag azr.prefect.flow_run_url", run_url in chip or run_url in overview,
                 f"chip {chip!r}")
    checks.check("MLflow run page shows the source commit (mlflow.source.git.commit)", head[:7] in overview,
                 f"looking for {head[:7]} in the run overview")
    first_line = next((ln.strip() for ln in note.splitlines() if ln.strip()), "")
    plain = re.sub(r"[`*_]", "", first_line)[:60]
    checks.check("MLflow run page shows the description (mlflow.note.content)", bool(plain) and plain in overview,
                 f"looking for {plain!r}")
    shot(mpage, SHOTS / "mlflow-run.png")

    mpage.get_by_role("tab", name="Model metrics").click()
    search = mpage.get_by_role("searchbox", name="Search metric charts")
    search.wait_for()
    search.fill("train/")
    # A chart card: its plotly plot, and the legend "<run> (train/loss)" under it.
    card = mpage.locator("div").filter(has=mpage.locator(".js-plotly-plot")) \
        .filter(has_text=re.compile(r"\(train/loss\)")).last
    try:
        card.wait_for(timeout=30_000)
        mpage.wait_for_timeout(1000)
        traces = card.locator(".js-plotly-plot .scatterlayer .trace").count()
    except Exception:  # noqa: BLE001 - reported below
        traces = -1
    checks.check("MLflow Model metrics draws the train/loss chart", traces >= 1,
                 f"{traces} plotted trace(s)" if traces >= 0 else mpage.locator("body").inner_text()[:800])
    shot(mpage, SHOTS / "mlflow-chart.png")
