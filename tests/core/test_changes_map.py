"""The Changes heatmap computed band by band (core/changes_map.py) looks exactly as the
whole-image computation did: the reference below is that computation, kept here."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from qwen_studio.core import changes_map
from qwen_studio.core.changes_map import changes_heatmap


def reference(before: Image.Image, after: Image.Image
              ) -> tuple[Image.Image, int, tuple[int, int, int, int] | None]:
    """The whole-image heatmap as core/region.py computed it until session 7."""
    diff = ImageChops.difference(before.convert("RGBA"), after.convert("RGBA"))
    r, g, b, a = diff.split()
    changed = ImageChops.lighter(ImageChops.lighter(r, g), ImageChops.lighter(b, a)).point(
        [0] + [255] * 255)
    heat = before.convert("L").convert("RGB")
    heat.paste((255, 40, 80), (0, 0), changed)
    return heat, changed.histogram()[255], changed.getbbox()


def pair(size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    before = Image.effect_noise(size, 60).convert("RGB")
    after = before.copy()
    after.paste((30, 200, 60), (40, 33, 90, 61))  # a block across band edges
    after.putpixel((size[0] - 1, size[1] - 1), (0, 0, 0))  # the last pixel of the last band
    px = before.getpixel((3, 5))
    assert isinstance(px, tuple)
    after.putpixel((3, 5), tuple(int(v) ^ 1 for v in px))  # by one level
    return before, after


@pytest.mark.parametrize("band_pixels", [1 << 19, 700, 131])  # one band; many; odd sizes
def test_the_banded_heatmap_is_the_whole_image_one(monkeypatch: pytest.MonkeyPatch,
                                                    band_pixels: int) -> None:
    monkeypatch.setattr(changes_map, "BAND_PIXELS", band_pixels)
    before, after = pair((131, 97))
    heat, count, box = changes_heatmap(before, after)
    want_heat, want_count, want_box = reference(before, after)
    # Tolerance: none. Every pixel is decided by its own values, so bands change nothing.
    assert ImageChops.difference(heat, want_heat).getbbox() is None
    assert (count, box) == (want_count, want_box)
    assert count == 50 * 28 + 2 and box == (3, 5, 131, 97)


def test_nothing_changed_and_an_alpha_only_change() -> None:
    before = Image.new("RGBA", (64, 40), (10, 20, 30, 255))
    assert changes_heatmap(before, before.copy())[1:] == (0, None)
    after = before.copy()
    after.putpixel((10, 30), (10, 20, 30, 254))
    assert changes_heatmap(before, after)[1:] == (1, (10, 30, 11, 31))


def test_the_map_is_painted_into_the_image_given() -> None:
    before, after = pair((80, 60))
    out = Image.new("RGB", (80, 60))
    heat, _, _ = changes_heatmap(before, after, out)
    assert heat is out and out.getpixel((50, 40)) == (255, 40, 80)
    with pytest.raises(ValueError, match="sizes differ"):
        changes_heatmap(before, after.resize((40, 30)))
