"""`eumonitor show` dates the archive's moments on the city's calendar, in Norwegian (issue 11 item 7)."""

from __future__ import annotations

from click.testing import CliRunner

from eumonitor.cli import main


def test_show_dates_history_and_first_seen_in_norwegian_local_dates(portal, portal_root):
    runner = CliRunner()
    # 00:30 in Oslo on 18 June is still 17 June in UTC: the city's date must be the one shown.
    collected = runner.invoke(main, ["--root", str(portal_root), "--now", "2026-06-18T00:30", "collect"])
    assert collected.exit_code == 0, collected.output
    shown = runner.invoke(main, ["--root", str(portal_root), "show", "HORIZON-MISS-2026-03-OCEAN-01"])
    assert shown.exit_code == 0, shown.output
    assert "Først sett: 18. juni 2026 · sist sett: 18. juni 2026" in shown.output
    assert "\n  18. juni 2026  ny" in shown.output
