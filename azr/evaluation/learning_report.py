"""The learning benchmark's report: base-vs-trained rows with intervals, per-iteration curves, and their PNG.

Pure functions over plain data (per-item outcomes, the committed iterations' metrics), so the bench script stays a
driver and the numbers can be checked without a model.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from azr.evaluation.stats import PairedChange, paired_change

# Per-iteration curves: (panel title, metric suffix or name, per type?)
CURVE_PANELS: tuple[tuple[str, str, bool], ...] = (
    ("valid-proposal rate", "valid_rate", True),
    ("format-error rate (proposals solid, answers dashed)", "propose_format_error_rate", True),
    ("learnability (proposer reward of valid tasks)", "learnability", True),
    ("solve rate (training answers)", "solve_rate", True),
    ("loss", "train/loss", False),
    ("entropy (mean token)", "train/entropy", False),
)
EXTRA_CURVES = ("solve_format_error_rate", "heldout", "valid")


@dataclass(frozen=True)
class SetResult:
    """One evaluation set, scored on the same items before and after training."""

    name: str
    kind: str  # 'fixed' (our sets and --benchmark files) or 'heldout' (proposed by the run, never trained on)
    mode: str
    change: PairedChange

    def row(self) -> dict[str, Any]:
        c = self.change
        return {"set": self.name, "kind": self.kind, "mode": self.mode, "items": c.n,
                "base": c.before, "base_lo": c.before_ci[0], "base_hi": c.before_ci[1],
                "trained": c.after, "trained_lo": c.after_ci[0], "trained_hi": c.after_ci[1],
                "delta": c.delta, "delta_lo": c.delta_ci[0], "delta_hi": c.delta_ci[1],
                "gained": c.gained, "lost": c.lost, "significant": c.significant}


def set_result(name: str, kind: str, mode: str, before: Sequence[bool], after: Sequence[bool]) -> SetResult:
    return SetResult(name=name, kind=kind, mode=mode, change=paired_change(before, after))


def _pct(x: float) -> str:
    return "  n/a" if math.isnan(x) else f"{100 * x:5.1f}"


def _ci(lo: float, hi: float, signed: bool = False) -> str:
    if math.isnan(lo):
        return ""
    f = "{:+.1f}" if signed else "{:.1f}"
    return f"[{f.format(100 * lo)}, {f.format(100 * hi)}]"


def format_table(results: Sequence[SetResult]) -> str:
    """A fixed-width table, accuracies in percent with 95% intervals; '*' marks a change whose interval excludes 0."""
    head = f"{'set':<28} {'items':>5}  {'base %':>6} {'95% CI':<14} {'trained %':>9} {'95% CI':<14} " \
           f"{'change':>7} {'95% CI':<16} {'+/-':>7}"
    lines = [head, "-" * len(head)]
    for r in results:
        c = r.change
        delta = "   n/a" if math.isnan(c.delta) else f"{100 * c.delta:+6.1f}{'*' if c.significant else ' '}"
        lines.append(f"{r.name:<28} {c.n:>5}  {_pct(c.before):>6} {_ci(*c.before_ci):<14} {_pct(c.after):>9} "
                     f"{_ci(*c.after_ci):<14} {delta:>7} {_ci(*c.delta_ci, signed=True):<16} "
                     f"{f'+{c.gained}/-{c.lost}':>7}")
    lines.append("change: points of accuracy, trained − base; * = its 95% interval excludes 0 (Newcombe's paired "
                 "interval); +/-: items gained / lost")
    return "\n".join(lines)


def format_markdown(results: Sequence[SetResult]) -> str:
    lines = ["| set | items | base % [95% CI] | trained % [95% CI] | change [95% CI] | gained / lost |",
             "|---|---:|---|---|---|---:|"]
    for r in results:
        c = r.change
        lines.append(f"| {r.name} | {c.n} | {_pct(c.before).strip()} {_ci(*c.before_ci)} | "
                     f"{_pct(c.after).strip()} {_ci(*c.after_ci)} | "
                     f"{'n/a' if math.isnan(c.delta) else f'{100 * c.delta:+.1f}'} {_ci(*c.delta_ci, signed=True)}"
                     f"{' *' if c.significant else ''} | {c.gained} / {c.lost} |")
    return "\n".join(lines)


def curves(iteration_metrics: dict[int, dict[str, float | None]], task_types: Sequence[str]) -> list[dict]:
    """One row per iteration with the plotted metrics (None where undefined, e.g. no valid proposal)."""
    rows = []
    for it in sorted(iteration_metrics):
        m = iteration_metrics[it]
        row: dict[str, Any] = {"iteration": it}
        for _, key, per_type in CURVE_PANELS:
            for k in ([f"{tt}/{key}" for tt in task_types] if per_type else [key]):
                row[k] = _num(m.get(k))
        for key in EXTRA_CURVES:
            for tt in task_types:
                row[f"{tt}/{key}"] = _num(m.get(f"{tt}/{key}"))
        for k in ("rollout/tokens_per_s", "rollout/tokens", "train/grad_norm"):
            row[k] = _num(m.get(k))
        for k, v in m.items():
            if k.startswith("time/"):
                row[k] = _num(v)
        rows.append(row)
    return rows


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def write_csv(rows: Sequence[dict], path: Path) -> None:
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def plot_curves(rows: Sequence[dict], task_types: Sequence[str], path: Path, title: str = "") -> Path | None:
    """The per-iteration curves as one PNG (one panel per metric, one marked line per type); None without
    matplotlib (the CSV beside it holds the same numbers)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return None
    its = [r["iteration"] for r in rows]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8), squeeze=False)
    markers = ("o", "s", "^", "D")
    for ax, (label, key, per_type) in zip(axes.flat, CURVE_PANELS):
        series = [(tt, f"{tt}/{key}") for tt in task_types] if per_type else [(key, key)]
        defined = False
        for i, (name, k) in enumerate(series):
            ys = [float("nan") if r.get(k) is None else r[k] for r in rows]
            defined |= any(not math.isnan(y) for y in ys)
            # Types often share a value (0 or 1): a small sideways offset keeps every line visible.
            shift = (i - (len(series) - 1) / 2) * 0.06 if len(series) > 1 else 0.0
            line, = ax.plot([x + shift for x in its], ys, marker=markers[i % len(markers)], label=name, alpha=0.85)
            if key == "propose_format_error_rate":  # the solver's format errors in the same panel, same colour
                ys2 = [float("nan") if r.get(f"{name}/solve_format_error_rate") is None
                       else r[f"{name}/solve_format_error_rate"] for r in rows]
                ax.plot([x + shift for x in its], ys2, marker=markers[i % len(markers)], linestyle="--",
                        color=line.get_color(), alpha=0.6, markerfacecolor="none")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("iteration")
        ax.set_xlim(min(its, default=1) - 0.5, max(its, default=1) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.grid(alpha=0.3)
        if per_type and key != "learnability":
            ax.set_ylim(-0.05, 1.05)  # rates
        if not defined:
            ax.text(0.5, 0.5, "undefined at every iteration\n(no valid proposal)" if per_type else "not logged",
                    ha="center", va="center", transform=ax.transAxes, color="gray")
        if per_type:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_results(out: Path, results: Sequence[SetResult], rows: Sequence[dict], extra: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    payload = _clean({"sets": [r.row() for r in results], "curves": list(rows), **extra})
    (out / "results.json").write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
    (out / "table.md").write_text(format_markdown(results) + "\n")
    write_csv(rows, out / "curves.csv")


def _clean(v: Any) -> Any:
    """NaN becomes null: strict JSON, readable by every tool."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v
