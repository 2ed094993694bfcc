"""`VLLMEngine`: the `RolloutEngine` interface over a vLLM server's OpenAI-compatible `/v1/completions`.

Prompts are sent as token ids (our tokenizer, our left cut), and the server is asked for the ids it sampled
(`return_token_ids`), so the trainer scores exactly the sequence that was generated, never a re-tokenisation.
Each prompt is one request with `n` samples; requests run concurrently and the server batches them itself.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Literal

from azr.policy.engine import Completion
from azr.policy.vllm_server import SERVED_NAME, VLLMSetupError, VLLMUnavailable
from azr.progress import Progress

log = logging.getLogger(__name__)


def request_seed(seed: int | None, prompt_index: int) -> int | None:
    """A distinct, reproducible seed per prompt (vLLM seeds each request, and offsets the n samples itself)."""
    if seed is None:
        return None
    return (int(seed) * 1_000_003 + prompt_index * 7_919) % (2**31 - 1)


class VLLMEngine:
    """Generation on a vLLM server at `url`.

    `max_model_len` is the server's context length: prompts are cut from the left to
    min(max_prompt_tokens, max_model_len - 1) and each request's budget is what is left of the context, capped at
    max_new_tokens. Sampling is plain temperature + nucleus (top-k, min-p and penalties off; the server runs
    with `--generation-config vllm`, so the model's own defaults do not leak in); temperature 0 is greedy.
    """

    def __init__(self, tokenizer: Any, url: str, *, max_model_len: int, max_prompt_tokens: int | None = None,
                 stop_token_ids: list[int] | None = None, concurrency: int = 64, request_timeout_s: float = 3600.0,
                 add_special_tokens: bool = False, model_name: str = SERVED_NAME):
        self.tokenizer = tokenizer
        self.url = url.rstrip("/")
        self.max_model_len = int(max_model_len)
        self.max_prompt_tokens = max_prompt_tokens
        self.concurrency = max(1, int(concurrency))
        self.request_timeout_s = request_timeout_s
        self.add_special_tokens = add_special_tokens
        self.model_name = model_name
        self.stats: dict = {}
        if stop_token_ids is None:
            stop_token_ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
        if not stop_token_ids:
            raise ValueError("no stop token: the tokenizer has no eos_token_id; pass stop_token_ids")
        self.stop_token_ids = [int(t) for t in stop_token_ids]
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else self.stop_token_ids[0])

    @property
    def prompt_limit(self) -> int:
        limit = self.max_model_len - 1
        return min(limit, self.max_prompt_tokens) if self.max_prompt_tokens else limit

    def encode(self, prompts: list[str]) -> list[list[int]]:
        enc = self.tokenizer(prompts, add_special_tokens=self.add_special_tokens)["input_ids"]
        out = []
        for ids in enc:
            ids = list(ids)[-self.prompt_limit:]
            out.append(ids or [self.pad_id])
        return out

    def _body(self, ids: list[int], n: int, temperature: float, top_p: float, max_new_tokens: int,
              seed: int | None, ignore_eos: bool) -> dict:
        greedy = temperature <= 0.0
        body: dict[str, Any] = {
            "model": self.model_name, "prompt": ids, "n": 1 if greedy else n,  # vLLM refuses n > 1 when greedy
            "max_tokens": max(1, min(max_new_tokens, self.max_model_len - len(ids))),
            "temperature": 0.0 if greedy else float(temperature), "top_p": 1.0 if greedy else float(top_p),
            "top_k": -1, "min_p": 0.0, "repetition_penalty": 1.0, "presence_penalty": 0.0,
            "frequency_penalty": 0.0, "ignore_eos": ignore_eos,
            "stop_token_ids": [] if ignore_eos else self.stop_token_ids,  # vLLM's ignore_eos keeps these
            "skip_special_tokens": False, "spaces_between_special_tokens": False, "return_token_ids": True,
        }
        if seed is not None:
            body["seed"] = seed
        return body

    def _post(self, client: Any, body: dict) -> dict:
        import httpx

        try:
            r = client.post(self.url + "/v1/completions", json=body, timeout=self.request_timeout_s)
        except (httpx.TransportError, OSError) as exc:
            raise VLLMUnavailable(f"vLLM server at {self.url} did not answer ({exc!r}); it is restarted and the "
                                  "step retried") from exc
        if r.status_code == 404:
            raise VLLMSetupError(f"{self.url}/v1/completions answered 404: is rollout.vllm_url a vLLM server "
                                 f"serving the model as {self.model_name!r}? ({r.text[:300]})")
        if 400 <= r.status_code < 500:
            raise ValueError(f"vLLM server refused a completion request ({r.status_code}): {r.text[:500]}")
        if r.status_code >= 500:
            raise VLLMUnavailable(f"vLLM server error {r.status_code}: {r.text[:500]}")
        return r.json()

    def _completions(self, reply: dict, ids: list[int], n: int, ignore_eos: bool) -> list[Completion]:
        choices = sorted(reply["choices"], key=lambda c: c["index"])
        if len(choices) == 1 and n > 1:  # greedy: the n samples are one and the same
            choices = choices * n
        if len(choices) != n:
            raise VLLMUnavailable(f"vLLM returned {len(choices)} choices for n={n}")
        out = []
        for c in choices:
            toks = c.get("token_ids")
            if toks is None:
                raise VLLMSetupError("the vLLM server returned no token_ids (needs vLLM >= 0.10 with "
                                     "return_token_ids); rebuild it with `make vllm-setup`")
            toks = [int(t) for t in toks]
            reason: Literal["stop", "length"] = "length"
            if not ignore_eos and c.get("finish_reason") == "stop" and toks and toks[-1] in self.stop_token_ids:
                reason = "stop"
            body = toks[:-1] if reason == "stop" else toks
            out.append(Completion(text=self.tokenizer.decode(body, skip_special_tokens=False), token_ids=toks,
                                  finish_reason=reason, prompt_tokens=len(ids)))
        return out

    def generate(self, prompts: list[str], n: int = 1, temperature: float = 1.0, top_p: float = 1.0,
                 max_new_tokens: int = 256, seed: int | None = None, progress: bool = False,
                 *, ignore_eos: bool = False) -> list[list[Completion]]:
        import httpx

        t0 = time.perf_counter()
        encoded = self.encode(list(prompts))
        bodies = [self._body(ids, n, temperature, top_p, max_new_tokens, request_seed(seed, i), ignore_eos)
                  for i, ids in enumerate(encoded)]
        bar = Progress("generate (vllm)", len(bodies) * n, "sequences", rate_unit="tok") if progress else None
        lock = threading.Lock()
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        result: list[list[Completion]] = []
        try:
            with httpx.Client(limits=limits) as client, ThreadPoolExecutor(self.concurrency) as pool:
                def one(i: int) -> list[Completion]:
                    comps = self._completions(self._post(client, bodies[i]), encoded[i], n, ignore_eos)
                    if bar is not None:
                        with lock:  # the requests complete on the pool's threads
                            bar.update(n, amount=sum(len(c.token_ids) for c in comps))
                    return comps

                futures = [pool.submit(one, i) for i in range(len(bodies))]
                while True:
                    done, running = wait(futures, timeout=2.0, return_when=FIRST_EXCEPTION)
                    if not running or any(f.exception() is not None for f in done):
                        break  # all answered, or one failed: f.result() below raises its error
                    if bar is not None:
                        with lock:
                            bar.heartbeat(note=f"{len(running)} requests running")
                result = [f.result() for f in futures]
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - t0
        tokens = sum(len(c.token_ids) for comps in result for c in comps)
        self.stats = dict(engine="vllm", tokens=tokens, seconds=seconds,
                          tokens_per_s=tokens / seconds if seconds else 0.0, sequences=len(prompts) * n,
                          requests=len(bodies))
        return result
