"""The digest's HTML in a real headless Chromium (Debian's package, driven by Playwright): fluid up to 640 px,
no horizontal scrolling on a 390 px phone, and text contrast of at least 4.5:1 in light and dark mode,
computed from the rendered styles."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from eumonitor import jobs
from eumonitor.config import load_config
from eumonitor.context import AppContext
from eumonitor.digests.build import IsoWeek
from eumonitor.digests.render import render_digest
from tests.support.web import TODAY_NOW, build_archive, make_root
from tests.test_render import sample_digest
from tests.test_web_browser import ARGS, ARTIFACTS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"),
]

# The WCAG 2 contrast ratio of every element's own text against the background it is painted on: the first
# ancestor (or itself) with an opaque background colour, else the canvas (white, or black in dark mode).
CONTRASTS = """(canvas) => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0)) return c;
    }
    return canvas;
  };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    found.push([el.tagName + '.' + el.className, ratio, el.textContent.trim().slice(0, 40)]);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def digests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A week of the recorded scans rendered as its subscribers get it, and a sample with hostile long words."""
    root = make_root(tmp_path_factory.mktemp("digest-browser"))
    shutil.copytree(Path(__file__).resolve().parents[1] / "digests", root / "digests")
    build_archive(root).close()
    ctx = AppContext(config=load_config(root), fixed_now=TODAY_NOW)
    rendered = jobs.preview_digest(ctx, "network", IsoWeek(2026, 26))
    ctx.close()
    long_word = "HORIZON-CL6-2026-01-" + "X" * 120
    sample = replace(sample_digest(), manage_url="https://eumonitor.bergen.kommune.no/mine-varsler/" + "a" * 140)
    sample = replace(sample, new=tuple(replace(i, identifier=long_word, title=long_word) for i in sample.new))
    return {"recorded-week": rendered[0][1].html, "long-words": render_digest(sample).html}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def open_digest(browser, html: str, width: int, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    page.set_content(html)
    return context, page


@pytest.mark.parametrize("name", ["recorded-week", "long-words"])
def test_a_phone_needs_no_horizontal_scrolling(browser, digests, name: str):
    context, page = open_digest(browser, digests[name], 390)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"digest-{name}-390.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
        assert widths[0] <= 390 and widths[1] <= 390, widths
    finally:
        context.close()


def test_the_page_is_fluid_up_to_640_px(browser, digests):
    for width, expected in ((1200, 640), (600, 600)):
        context, page = open_digest(browser, digests["recorded-week"], width)
        try:
            shown = page.evaluate("document.querySelector('table.page').getBoundingClientRect().width")
            assert shown == pytest.approx(expected, abs=1), width
        finally:
            context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_all_text_has_a_contrast_of_at_least_4_5(browser, digests, scheme: str):
    canvas = [255, 255, 255] if scheme == "light" else [0, 0, 0]
    for name, html in digests.items():
        context, page = open_digest(browser, html, 640, scheme)
        try:
            found = page.evaluate(CONTRASTS, canvas)
            page.screenshot(path=str(ARTIFACTS / f"digest-{name}-{scheme}.png"), full_page=True)
        finally:
            context.close()
        assert any(tag.startswith("TD.footer") for tag, _ratio, _text in found)  # the footer was measured
        low = [(tag, round(ratio, 2), text) for tag, ratio, text in found if ratio < 4.5]
        assert not low, (name, scheme, low)
