"""Runs inside the vLLM server (its own virtualenv) and inside the trainer: one weight checksum, computed the same
way on both sides, so a weight sync is verified against what the server's model really holds.

Only torch is imported. vLLM fuses some weights (q/k/v into qkv_proj, gate/up into gate_up_proj) and pads the
vocabulary, so per-name comparison would need vLLM's own mapping; instead the checksum is a hash of the *multiset*
of nonzero weight values (exact bit patterns), which concatenation, transposition and zero padding leave unchanged.
Two independent 31-bit hashes are summed over all values; a stale or partial sync changes them except with
probability about 2**-62.
"""

from __future__ import annotations

P = 2_147_483_647  # 2**31 - 1, prime
KEYS = ((1_103_515_245, 12_345, 2_654_435_761 % P), (69_069, 1, 40_692))  # (a, c, b) per hash


def _bits(t):
    import torch

    t = t.detach().contiguous().reshape(-1)
    width = t.element_size()
    as_int = {2: torch.int16, 4: torch.int32, 8: torch.int64}[width]
    raw = t.view(as_int).to(torch.int64)
    if width < 8:
        raw = raw & ((1 << (8 * width)) - 1)
    sign = 1 << (8 * width - 1)
    return raw[(raw & ~sign) != 0]  # drop +0.0 and -0.0 (vLLM pads vocabularies with zeros)


def multiset_checksum(tensors, dtype=None) -> dict:
    """{'count', 'h1', 'h2', 'dtype'} over all nonzero values of `tensors` (cast to `dtype` first when given)."""
    import torch

    count, sums = 0, [0, 0]
    seen_dtype = None
    with torch.no_grad():
        for t in tensors:
            if not torch.is_floating_point(t):
                continue
            if dtype is not None:
                t = t.to(dtype)
            seen_dtype = str(t.dtype).replace("torch.", "")
            for chunk in _bits(t.cpu()).split(1 << 22):
                count += int(chunk.numel())
                lo, hi = chunk & 0xFFFF_FFFF, (chunk >> 32) & 0xFFFF_FFFF
                for k, (a, c, b) in enumerate(KEYS):
                    h = (lo % P * a + c) % P
                    h = (h * b + hi % P) % P
                    h = (h * a + c) % P
                    sums[k] = (sums[k] + int(h.sum())) % P
    return {"count": count, "h1": sums[0], "h2": sums[1], "dtype": seen_dtype}


def per_tensor_checksums(named) -> dict:
    """{name: [count, h1, h2]} per floating-point tensor that holds values. Sums of these over any set of names
    equal the checksum of their union, because the hash is additive over values."""
    out = {}
    for name, t in named:
        if t.numel():
            c = multiset_checksum([t])
            if c["dtype"] is not None:
                out[name] = [c["count"], c["h1"], c["h2"]]
    return out


def combine(parts) -> list:
    total = [0, 0, 0]
    for count, h1, h2 in parts:
        total = [total[0] + count, (total[1] + h1) % P, (total[2] + h2) % P]
    return total


class AZRWorkerExtension:
    """Mixed into vLLM's worker class by `--worker-extension-cls azr_vllm_ext.AZRWorkerExtension`; called through
    the server's `/collective_rpc` development route."""

    def _azr_model(self):
        runner = self.model_runner
        get = getattr(runner, "get_model", None)
        return get() if callable(get) else runner.model

    def azr_weight_checksums(self) -> dict:
        """Checksums of the parameters that still hold their values, and the names of those that do not (vLLM's
        CPU backend moves linear weights into oneDNN's packed format and leaves empty parameters behind)."""
        named = list(self._azr_model().named_parameters())
        return {"checksums": per_tensor_checksums(named),
                "opaque": [n for n, p in named if p.numel() == 0],
                "dtype": str(named[0][1].dtype).replace("torch.", "") if named else None}

    def azr_after_reload(self) -> int:
        """Re-pack, on CPU, every layer that keeps its weight beside a packed copy; returns how many.

        vLLM's in-place reload re-packs the layers it loads, but a tied LM head is never loaded (it shares the
        embedding's weight), so on CPU its oneDNN copy keeps serving the old weights: measured with the bundled
        model, an embedding change reached the server's inputs but not its output layer (probe log-probs 1.8 apart
        after the reload). Re-packing from the shared weight fixes that."""
        from vllm.platforms import current_platform

        if not current_platform.is_cpu():
            return 0
        from vllm.model_executor.layers.utils import dispatch_cpu_unquantized_gemm

        count = 0
        for module in self._azr_model().modules():
            w = getattr(module, "weight", None)
            if hasattr(module, "cpu_linear") and w is not None and w.ndim == 2 and w.numel():
                dispatch_cpu_unquantized_gemm(module, remove_weight=False)
                count += 1
        return count
