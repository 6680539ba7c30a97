"""The Changes mode's computation in the pool (ui/compare/changes_mode.compute_changes):
band by band in anonymous memory, the same map as Pillow's whole-image computation."""

from __future__ import annotations

from PIL import Image, ImageChops
from PySide6.QtGui import QImage
from test_changes_map import pair, reference  # tests/core (conftest puts it on the path)

from qwen_studio.ui import image_loading as il
from qwen_studio.ui.compare.changes_mode import compute_changes


def as_pil(image: QImage) -> Image.Image:
    return il.to_pillow(image).convert("RGB")


def test_the_map_of_a_same_size_pair_is_exactly_the_reference() -> None:
    before, after = pair((1200, 700))
    heat, count, box = compute_changes(il.from_pillow(before), il.from_pillow(after))
    want, want_count, want_box = reference(before, after)
    assert ImageChops.difference(as_pil(heat), want).getbbox() is None  # tolerance: none
    assert (count, box) == (want_count, want_box)


def test_a_smaller_answer_is_scaled_to_the_original_first() -> None:
    before = Image.effect_noise((900, 600), 50).convert("RGB")
    small = before.resize((300, 200), Image.Resampling.BILINEAR)
    heat, count, _ = compute_changes(il.from_pillow(before), il.from_pillow(small))
    want, want_count, _ = reference(before, small.resize(before.size,
                                                         Image.Resampling.BILINEAR))
    # Tolerance: the banded resize rounds like one resize within a level, which may flip a
    # pixel between "changed by one level" and "unchanged": at most 0.5 % of them.
    flipped = ImageChops.difference(as_pil(heat), want).convert("L").point(
        [0] + [255] * 255).histogram()[255]
    assert flipped <= 0.005 * 900 * 600
    assert abs(count - want_count) <= 0.005 * 900 * 600 and count > 0.5 * 900 * 600


def test_a_big_map_comes_with_the_smaller_copies_the_canvas_paints() -> None:
    """Without them the canvas halves the full-size map on the GUI thread at every new
    zoom (~70 ms a paint on 24 MP)."""
    before = Image.new("RGB", (3000, 2000), (90, 120, 150))
    after = before.copy()
    after.paste((30, 200, 60), (0, 0, 1500, 2000))  # the left half changed
    heat, count, box = compute_changes(il.from_pillow(before), il.from_pillow(after))
    assert (count, box) == (1500 * 2000, (0, 0, 1500, 2000))
    levels = getattr(heat, "levels", ())
    assert levels and max(levels[0].width(), levels[0].height()) <= 2560
    for level in levels:
        w, h = level.width(), level.height()
        assert w < heat.width() and abs(w / h - 1.5) < 0.01
        red = level.pixelColor(w // 4, h // 2).getRgb()[:3]
        grey = level.pixelColor(3 * w // 4, h // 2).getRgb()[:3]
        assert all(abs(c - r) <= 2 for c, r in zip(red, (255, 40, 80), strict=True)), red
        assert max(grey) - min(grey) <= 1, grey  # the original in grey
