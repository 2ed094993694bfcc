"""A synthetic but plausible run history, for tests, the README's queries and bench/storage_bench.py.

Programs come from a pool of generated Python functions whose size grows with the pool index; later iterations draw
from further along the pool, so complexity drifts upwards like a real curriculum. Solve rates fall with complexity,
some proposals fail validation for the usual reasons, a few rollouts are flagged. Everything is built column-wise
with numpy and pyarrow so a million task rows take seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from storage.schemas import TASK_TYPES, arrow_schema, measures
from storage.store import RunStore

ERRORS = [  # (failure code, detail, weight)
    ("format", "the response has no <answer> block", 3),
    ("syntax", "SyntaxError: invalid syntax (line 3)", 3),
    ("no_entry", "no function named f", 1),
    ("banned_import", "imports a banned module: random", 2),
    ("nondeterministic", "two runs returned different outputs", 2),
    ("timeout", "did not finish in 10 s", 1),
    ("output_too_long", "the output repr is longer than 10,000 characters", 1),
    ("input_parse", "the input is not a Python literal", 2),
]
FLAG_PHRASES = ["outsmart", "uh-oh", "take over"]
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _program(i: int, n_programs: int, rng: np.random.Generator) -> str:
    """A function whose size and branching grow with i."""
    lines = ["def f(x, y=3):", f"    acc = {int(rng.integers(0, 9))}"]
    for j in range(1 + i * 12 // n_programs):
        kind = (i + j) % 4
        if kind == 0:
            lines += [f"    for k in range({2 + j % 5}):", f"        acc += k * y + {j}"]
        elif kind == 1:
            lines += [f"    if acc % {2 + j % 3} == 0 and y > {j % 4}:", f"        acc -= {j + 1}",
                      "    else:", f"        acc += len(str(x)) * {j % 7 + 1}"]
        elif kind == 2:
            lines += [f"    acc = sum(v for v in range(acc % {5 + j}) if v % 2) + {i % 97}"]
        else:
            lines += [f"    acc = acc * {j % 5 + 2} if acc < {100 + i} else acc // 2"]
    lines.append("    return [x, acc]" if i % 2 else "    return acc")
    return "\n".join(lines)


@dataclass
class Pools:
    programs: pa.Array
    hashes: pa.Array
    nodes: np.ndarray
    cyclo: np.ndarray
    inputs: pa.Array
    outputs: pa.Array
    prompts: pa.Array
    responses: pa.Array
    messages: pa.Array


def make_pools(n_programs: int = 1000, seed: int = 0) -> Pools:
    rng = np.random.default_rng(seed)
    progs = [_program(i, n_programs, rng) for i in range(n_programs)]
    progs[n_programs // 2] = progs[n_programs // 2 - 2]  # a couple of exact duplicates for the dedup queries
    words = ["apple", "kiwi", "banana", "xyz", "Hello World", "", "a b c"]
    inputs = [repr(words[i % len(words)]) + f", {i % 13}" if i % 3 else f"[{i}, {i * 7 % 11}], {i % 5}"
              for i in range(500)]
    outputs = [str(i * 17 % 1009) if i % 2 else f"['{words[i % len(words)]}', {i}]" for i in range(500)]
    header = ("A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
              "The assistant first thinks about the reasoning process in the mind and then provides the user with "
              "the answer.\nUser: Given the code snippet and the input, predict the output.\n")
    prompts = [header + "```python\n" + progs[(i * 37) % n_programs] + "\n```\n```input\n" + inputs[i % 500]
               + "\n```\nAssistant: <think>" for i in range(400)]
    thoughts = ["Let me trace the loop step by step.", "The accumulator starts small; the branch flips twice.",
                "I should check the modulo condition first.", "Uh-oh, I miscounted; start over carefully.",
                "The function returns a list when the index is odd."]
    responses = [f" {thoughts[i % 5]} " + "Stepping through: " + ", ".join(str((i * k) % 97) for k in range(12))
                 + f"</think>\n<answer>\n```output\n{outputs[i % 500]}\n```\n</answer>" for i in range(400)]
    messages = ["Adds up a running total with a twist.", "Counts characters and mixes in the second argument.",
                "Branches on parity, then loops."]
    m = [measures(p) for p in progs]
    return Pools(
        programs=pa.array(progs), hashes=pa.array([x[0] for x in m]),
        nodes=np.array([x[1] for x in m]), cyclo=np.array([x[2] for x in m]),
        inputs=pa.array(inputs), outputs=pa.array(outputs), prompts=pa.array(prompts),
        responses=pa.array(responses), messages=pa.array(messages),
    )


def _ids(prefix: str, n: int) -> pa.Array:
    return pa.array([f"{prefix}{i}" for i in range(n)])


def _lists(pool: pa.Array, idx: np.ndarray, per_row: np.ndarray) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(per_row)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pool.take(pa.array(idx[: offsets[-1]])))


def iteration_tables(run_id: str, n: int, tasks: int, pools: Pools, seed: int = 0, iterations: int = 100,
                     proposals_per_task: float = 1.5, rollouts_per_task: float = 4.0) -> dict[str, pa.Table]:
    """The five tables of iteration n (plus an iterations row) as arrow tables."""
    rng = np.random.default_rng([seed, n])
    P = len(pools.programs)
    ts = pa.scalar(T0 + timedelta(minutes=10 * n), pa.timestamp("us", tz="UTC"))

    def const(v, k, typ=pa.string()):
        return pa.array([v] * k, typ) if not isinstance(v, pa.Scalar) else pa.array([v.as_py()] * k, v.type)

    # ---- tasks: the curriculum drifts towards larger programs
    centre = (n + 0.5) / max(iterations, 1) * P * 0.8
    prog = np.clip(rng.normal(centre, P * 0.08, tasks), 0, P - 1).astype(np.int64)
    types = np.arange(tasks) % 3
    inp = rng.integers(0, len(pools.inputs), tasks)
    ind = types == 2
    per_row = np.where(ind, 10, 0)
    list_idx = rng.integers(0, len(pools.inputs), int(per_row.sum()) + 1)
    thash = pa.array([hashlib.sha256(f"{p}:{i}".encode()).hexdigest()[:16] for p, i in zip(prog, inp)])
    task_ids = pa.array([f"{run_id}-{n}-t{i}" for i in range(tasks)])
    pa_prog = pa.array(prog)
    tasks_t = pa.table({
        "run_id": const(run_id, tasks), "iteration": const(n, tasks, pa.int64()), "task_id": task_ids,
        "task_type": pa.array(np.array(TASK_TYPES)[types]),
        "program": pools.programs.take(pa_prog),
        "input": pc.if_else(pa.array(ind), "", pools.inputs.take(pa.array(inp))),
        "output": pc.if_else(pa.array(ind), "", pools.outputs.take(pa.array(inp))),
        "inputs": _lists(pools.inputs, list_idx, per_row), "outputs": _lists(pools.outputs, list_idx, per_row),
        "message": pc.if_else(pa.array(ind), pools.messages.take(pa.array(inp % len(pools.messages))), ""),
        "parent_program": pc.if_else(pa.array(ind), pools.programs.take(pa.array((prog * 7) % P)),
                                     pa.scalar(None, pa.string())),
        "program_hash": pools.hashes.take(pa_prog), "task_hash": thash,
        "ast_nodes": pa.array(pools.nodes[prog]), "cyclomatic": pa.array(pools.cyclo[prog]),
        "source": const("seed" if n == 0 else "proposed", tasks), "created_at": const(ts, tasks),
    }, schema=arrow_schema("tasks"))

    # ---- proposals: the first `tasks` are the valid ones, the rest failed validation
    m = max(int(tasks * proposals_per_task), tasks)
    bad = m - tasks
    w = np.array([e[2] for e in ERRORS], float)
    err = rng.choice(len(ERRORS), bad, p=w / w.sum())
    difficulty = pools.nodes[prog] / pools.nodes.max()
    solve_rate = np.clip(rng.beta(2, 2, tasks) * (1.2 - difficulty), 0, 1)
    solve_rate = np.round(solve_rate * 8) / 8
    reward_valid = np.where((solve_rate > 0) & (solve_rate < 1), 1 - solve_rate, 0.0)
    err_code = pa.array([None] * tasks + [ERRORS[e][0] for e in err], pa.string())
    fmt_ok = np.concatenate([np.ones(tasks, bool), err != 0])
    bad_prog = rng.integers(0, P, bad)
    all_prog = np.concatenate([prog, bad_prog])
    resp_idx = rng.integers(0, len(pools.responses), m)
    responses = pc.binary_join_element_wise(pools.responses.take(pa.array(resp_idx)),
                                            pa.array([f"{i}" for i in range(m)]), "\n#")
    proposals_t = pa.table({
        "run_id": const(run_id, m), "iteration": const(n, m, pa.int64()),
        "proposal_id": pa.array([f"{run_id}-{n}-p{i}" for i in range(m)]),
        "task_type": pa.array(np.array(TASK_TYPES)[np.arange(m) % 3]),
        "prompt": pools.prompts.take(pa.array(rng.integers(0, len(pools.prompts), m))),
        "response": responses,
        "program": pools.programs.take(pa.array(all_prog)),
        "input": pools.inputs.take(pa.array(np.concatenate([inp, rng.integers(0, len(pools.inputs), bad)]))),
        "inputs": pa.array([[]] * m, pa.list_(pa.string())),
        "message": pa.nulls(m, pa.string()), "parent_program": pa.nulls(m, pa.string()),
        "format_ok": pa.array(fmt_ok), "valid": pa.array(np.arange(m) < tasks), "error": err_code,
        "detail": pa.array([None] * tasks + [ERRORS[e][1] for e in err], pa.string()),
        "task_id": pa.concat_arrays([task_ids, pa.nulls(bad, pa.string())]),
        "solve_rate": pa.array(np.concatenate([solve_rate, np.full(bad, np.nan)]), from_pandas=True),
        "reward": pa.array(np.concatenate([reward_valid, np.where(fmt_ok[tasks:], -0.5, -1.0)])),
        "response_tokens": pa.array(rng.integers(40, 900, m)),
        "created_at": const(ts, m),
    }, schema=arrow_schema("proposals"))

    # ---- rollouts: one proposer rollout per proposal, the rest solver rollouts (train or learnability)
    r = max(int(tasks * rollouts_per_task), m)
    solve = r - m
    target = rng.integers(0, tasks, solve)
    correct = rng.random(solve) < solve_rate[target]
    purpose = np.where(np.arange(solve) % 3 == 0, "train", "learnability")
    sfmt = rng.random(solve) > 0.05
    flagged = rng.random(r) < 0.004
    ridx = rng.integers(0, len(pools.responses), r)
    rresp = pc.binary_join_element_wise(pools.responses.take(pa.array(ridx)), pa.array([f"{i}" for i in range(r)]),
                                        "\n#")
    role = np.array(["propose"] * m + ["solve"] * solve)
    srew = np.where(correct, 1.0, np.where(sfmt, -0.5, -1.0))
    reward = np.concatenate([proposals_t.column("reward").to_numpy(), srew])
    trained = np.concatenate([np.ones(m, bool), purpose == "train"])
    adv = np.where(trained, (reward - reward.mean()) / (reward.std() + 1e-6), np.nan)
    rtok = rng.integers(30, 1500, r)
    finish = np.where(rtok > 1400, "length", "stop")
    rollouts_t = pa.table({
        "run_id": const(run_id, r), "iteration": const(n, r, pa.int64()),
        "rollout_id": pa.array([f"{run_id}-{n}-r{i}" for i in range(r)]),
        "role": pa.array(role),
        "task_type": pa.array(np.array(TASK_TYPES)[np.concatenate([np.arange(m) % 3, types[target]])]),
        "task_id": pa.concat_arrays([pa.nulls(m, pa.string()), task_ids.take(pa.array(target))]),
        "purpose": pa.array(np.concatenate([np.array(["train"] * m), purpose])),
        "prompt": pools.prompts.take(pa.array(rng.integers(0, len(pools.prompts), r))),
        "response": rresp,
        "parsed_answer": pa.concat_arrays([pa.nulls(m, pa.string()),
                                           pc.if_else(pa.array(sfmt), pools.outputs.take(
                                               pa.array(rng.integers(0, len(pools.outputs), solve))),
                                               pa.scalar(None, pa.string()))]),
        "format_ok": pa.array(np.concatenate([fmt_ok, sfmt])),
        "correct": pa.array(np.concatenate([np.zeros(m, bool), correct])).cast(pa.bool_()),
        "error": pa.array([None] * r, pa.string()),
        "reward": pa.array(reward), "advantage": pa.array(adv, from_pandas=True),
        "prompt_tokens": pa.array(rng.integers(200, 2000, r)), "response_tokens": pa.array(rtok),
        "finish_reason": pa.array(finish), "trained": pa.array(trained), "flagged": pa.array(flagged),
        "flag_phrases": pa.array([[FLAG_PHRASES[i % 3]] if f else [] for i, f in enumerate(flagged)],
                                 pa.list_(pa.string())),
        "created_at": const(ts, r),
    }, schema=arrow_schema("rollouts"))
    rollouts_t = rollouts_t.set_column(rollouts_t.schema.get_field_index("correct"), "correct",
                                       pc.if_else(pa.array(role == "propose"), pa.scalar(None, pa.bool_()),
                                                  rollouts_t.column("correct")))

    tables = {"tasks": tasks_t, "proposals": proposals_t, "rollouts": rollouts_t}
    if n % 10 == 0:  # an in-loop evaluation every 10 iterations
        k = 50
        tables["evals"] = pa.table({
            "run_id": const(run_id, k), "iteration": const(n, k, pa.int64()),
            "benchmark": const("cruxeval-o", k), "mode": const("deduction", k), "model": const(f"checkpoint-{n}", k),
            "item_id": pa.array([f"sample_{i}" for i in range(k)]), "sample": const(0, k, pa.int64()),
            "prompt": pools.prompts.take(pa.array(np.arange(k))), "response": pools.responses.take(pa.array(
                np.arange(k))), "answer": pools.outputs.take(pa.array(np.arange(k))),
            "correct": pa.array(rng.random(k) < 0.3 + 0.3 * n / max(iterations, 1)),
            "error": pa.array([None] * k, pa.string()), "created_at": const(ts, k),
        }, schema=arrow_schema("evals"))
    return tables


def iteration_row(n: int, tables: dict[str, pa.Table]) -> dict:
    ro = tables["rollouts"]
    solve = pc.equal(ro.column("role"), "solve")
    acc = pc.mean(pc.cast(pc.filter(ro.column("correct"), solve), pa.int64())).as_py() or 0.0
    return {"status": "committed", "started_at": T0 + timedelta(minutes=10 * n),
            "finished_at": T0 + timedelta(minutes=10 * n + 9),
            "step_seconds": {"propose": 120.0, "validate": 30.0, "solve": 200.0, "update": 60.0},
            "metrics": {"solve_accuracy": round(acc, 4), "tasks": tables["tasks"].num_rows},
            "checkpoint": n if n % 5 == 0 else None}


def write_history(store: RunStore, iterations: int, tasks_per_iteration: int, seed: int = 0,
                  pools: Pools | None = None, start: int = 0, refresh: bool = False, **kw) -> None:
    """Write and commit iterations start..start+iterations-1 of a synthetic history into `store`."""
    pools = pools or make_pools(seed=seed)
    total = start + iterations
    for n in range(start, total):
        tables = iteration_tables(store.run_id, n, tasks_per_iteration, pools, seed, total, **kw)
        for name, t in tables.items():
            store.write_rows(n, name, t)
        store.commit(n, iteration_row(n, tables), refresh=refresh and n == total - 1)
