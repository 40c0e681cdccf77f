"""Learning from the advisers: judgements move a theme's ranking (bounded), can be undone, and are measured honestly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from eumonitor.cli import main
from eumonitor.matching import evaluation
from eumonitor.matching import score as matcher
from eumonitor.matching.feedback import ThemeFeedback, learned_query
from eumonitor.store import Store
from tests.support.matching import NOW, SOURCE, archive_root, corpus


def run(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--root", str(root), "--now", "2026-06-24", *args])
    assert result.exit_code == 0, result.output
    return result.output


def rank_of(root: Path, theme: str, external_id: str) -> int | None:
    store = Store(root / "var/eumonitor.db")
    try:
        ranked = store.profile_matches(theme, today=NOW.date(), state="match")
    finally:
        store.close()
    ids = [call.external_id for call, _ in ranked]
    return ids.index(external_id) if external_id in ids else None


def test_judgements_move_a_call_and_an_undo_puts_it_back(tmp_path: Path) -> None:
    root = archive_root(tmp_path)
    run(root, "match")
    store = Store(root / "var/eumonitor.db")
    ranked = store.profile_matches("kultur", today=NOW.date(), state="match")
    store.close()
    # A call at the bottom of the culture matches, and the calls like it, judged relevant by the culture adviser.
    target = ranked[-1][0].external_id
    before = rank_of(root, "kultur", target)
    judged = tmp_path / "judged.jsonl"
    judged.write_text(json.dumps({"id": target, "labels": {"kultur": 2}}) + "\n", encoding="utf-8")
    assert "Importerte 9 vurderinger av 1 utlysninger" in run(root, "feedback", "import", str(judged))
    assert "kultur" in run(root, "match")  # the theme is scored again: a judgement changes its fingerprint
    after = rank_of(root, "kultur", target)
    assert after is not None and before is not None and after < before
    listed = run(root, "feedback", "list", "--theme", "kultur")
    number = listed.split()[0].lstrip("#")
    assert "relevant" in listed and "import:judged.jsonl" in listed
    assert "er angret" in run(root, "feedback", "undo", number)
    run(root, "match")
    assert rank_of(root, "kultur", target) == before
    assert json.loads(run(root, "feedback", "export").splitlines()[0])["labels"].get("kultur") is None


def test_a_few_judgements_cannot_bury_a_theme() -> None:
    calls = corpus()[:200]
    model = matcher.fit(calls)
    base = np.zeros(model.matrix.shape[1], dtype=np.float32)
    base[0] = 1.0
    off_theme = ThemeFeedback({(SOURCE, c.external_id): 2 for c in calls[:3]})
    moved = learned_query(model, base, off_theme)
    # Three clicks keep the profile's own query the larger part of the learned one.
    assert float(moved @ base) > 0.9
    assert abs(float(np.linalg.norm(moved)) - 1.0) < 1e-5


def test_cross_validation_never_learns_from_the_fold_it_scores() -> None:
    ids = [f"T-{n}" for n in range(40)]
    groups = {i: f"CALL-{int(i.split('-')[1]) // 4}" for i in ids}  # four topics per call
    seen: list[tuple[set[str], set[str]]] = []

    def spy(train: set[str], test: set[str]):
        seen.append((set(train), set(test)))
        return {"hav": {i: 1.0 for i in ids}}

    pooled = evaluation.cross_validated_scores(ids, groups, 5, spy)
    assert len(seen) == 5
    for train, test in seen:
        assert not train & test
        assert {groups[i] for i in train}.isdisjoint({groups[i] for i in test})  # one call's topics in one fold
    assert set().union(*(test for _, test in seen)) == set(ids)
    assert set(pooled["hav"]) == set(ids)


def test_eval_with_folds_reports_the_cross_validated_mean(tmp_path: Path) -> None:
    root = archive_root(tmp_path / "root")
    calls = corpus()
    judged = tmp_path / "judged.jsonl"
    # Built by hand for the test: ocean topics graded 2 for hav, the rest 0.
    lines = [{"id": c.external_id, "labels": {"hav": 2} if "OCEAN" in c.external_id else {}} for c in calls]
    judged.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    scans = Path(__file__).parent / "fixtures/ft-portal/scans/2026-06-24"
    result = CliRunner().invoke(main, ["--root", str(root), "eval", str(judged), str(scans), "--folds", "4"])
    assert result.exit_code == 0, result.output
    assert "Kryssvalidert med 4 folder" in result.output
    assert result.stdout.strip().splitlines()[-1].startswith("mean nDCG@10 ")
    hav = next(line for line in result.stdout.splitlines() if line.startswith("hav "))
    assert float(hav.split()[1]) > 0.5


@pytest.mark.parametrize("bad", ['{"id": "X", "labels": {"nosuchtheme": 2}}\n', "not json\n"])
def test_a_bad_import_names_the_file_and_records_nothing(tmp_path: Path, bad: str) -> None:
    root = archive_root(tmp_path / "root", calls=10)
    judged = tmp_path / "bad.jsonl"
    judged.write_text(bad, encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "feedback", "import", str(judged)])
    assert result.exit_code == 2 and str(judged) in result.output
    assert "Ingen vurderinger ennå." in run(root, "feedback", "list")
