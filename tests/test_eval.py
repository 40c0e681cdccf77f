"""nDCG@10 and P@10, and `eumonitor eval` over recorded scan folders (plain and gzipped pages)."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.matching.evaluation import ndcg_at, parse_judgements, precision_at

REPO = Path(__file__).resolve().parents[1]
SCAN = REPO / "tests/fixtures/ft-portal/scans/2026-06-24"


def test_ndcg_is_one_for_the_ideal_order_and_lower_when_swapped():
    grades = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "c"], grades) == 1.0
    assert ndcg_at(["c", "b", "a"], grades) == pytest.approx((1 / 1.5849625 + 2 / 2) / (2 + 1 / 1.5849625), 1e-6)
    assert precision_at(["a", "b", "c"], grades) == 0.1


def test_bad_judgement_line_names_the_line():
    with pytest.raises(ValueError, match="linje 2"):
        parse_judgements(['{"id": "X", "labels": {}}', "not json"])


def test_eval_reads_plain_and_gzipped_scans_and_ends_with_the_mean(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(REPO / "profiles", root / "profiles")
    shutil.copy(REPO / "config.toml", root / "config.toml")
    plain = tmp_path / "plain"
    plain.mkdir()
    # Page 4 unpacked, page 5 still gzipped: both shapes in one run.
    (plain / "page-1.json").write_bytes(gzip.decompress((SCAN / "page-4.json.gz").read_bytes()))
    shutil.copy(SCAN / "page-5.json.gz", plain / "page-2.json.gz")
    pages = [(plain / "page-1.json").read_bytes(), gzip.decompress((plain / "page-2.json.gz").read_bytes())]
    ids = [h["metadata"]["identifier"][0] for page in pages for h in json.loads(page)["results"]]
    ocean = [i for i in ids if "OCEAN" in i]
    judged = tmp_path / "judged.jsonl"
    lines = [{"id": i, "labels": {"hav": 2} if i in ocean else {}} for i in ids]
    judged.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"id": "NOT-IN-SCAN", "labels": {}}\n')
    result = CliRunner().invoke(main, ["--root", str(root), "eval", str(judged), str(plain)])
    assert result.exit_code == 0, result.output
    out = result.stdout.strip().splitlines()
    assert out[-1].startswith("mean nDCG@10 ")
    hav = next(line for line in out if line.startswith("hav "))
    assert ocean and float(hav.split()[1]) > 0.9
    assert "1 vurderte utlysninger finnes ikke" in result.stderr
