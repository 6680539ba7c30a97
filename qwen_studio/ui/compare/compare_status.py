"""The compare view's status: the zoom and sizes on its toolbar, and what the canvas shows
in words (its accessible description: state is never conveyed by the image alone).

Kept apart from ui/compare/compare_view.py, which keeps the images and modes; the strings
stay in the "CompareView" translation context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from qwen_studio.ui.compare.image_canvas import EMPTY_TEXT

if TYPE_CHECKING:
    from qwen_studio.ui.compare.compare_view import CompareView


translate = QCoreApplication.translate  # context "CompareView": its strings moved here


def sync_status(view: CompareView) -> None:
    """Zoom, the fit/100 % states, the sizes and the description, from the view's state."""
    canvas, toolbar = view.canvas, view.toolbar
    z = canvas.zoom()
    has_image = not view.is_empty()
    zoom_text = f"{round(z * 100)} %" if has_image else ""
    toolbar.show_zoom_state(has_image, has_image and canvas.is_fit(),
                            has_image and abs(z - 1.0) < 1e-6)
    # Compact on the toolbar ("4032×3024 → 1248×832"), words in tooltip and description.
    sizes, words = [], []
    before = view.before_image()
    if before is not None:
        w, h = before.width(), before.height()
        sizes.append(f"{w}×{h}")
        words.append(translate("CompareView", "Before {w}×{h}").format(w=w, h=h))
    after = view.after_image()
    if after is not None:
        sizes.append(f"{after.width()}×{after.height()}")
        words.append(translate("CompareView", "After {w}×{h}").format(
            w=after.width(), h=after.height()))
    if len(sizes) == 2 and sizes[0] == sizes[1]:
        sizes = sizes[:1]  # same size: once, so it fits beside the actions (tooltip: both)
    elif len(sizes) == 2 and has_image:
        # Different sizes: the zoom is the after image's (the before is scaled to it).
        zoom_text = translate("CompareView", "{zoom} of after").format(zoom=zoom_text)
    view.zoom_label.setText(zoom_text)
    # Whole forms only, longest that fits: both sizes, the result's, nothing.
    view.sizes_label.set_forms([" → ".join(sizes), sizes[-1] if len(sizes) == 2 else ""])
    if view.isVisible():  # room for the sizes may move a button into the ⋯ menu
        toolbar.overflow.fit()
    view.sizes_label.setToolTip(" · ".join(words))
    view.sizes_label.setAccessibleDescription(" · ".join(words))
    canvas.setAccessibleDescription(describe(view))


def describe(view: CompareView) -> str:
    """What the canvas shows, in words."""
    canvas = view.canvas
    if view.is_empty():
        return canvas.tr(EMPTY_TEXT)
    labels = translate("CompareView", " and ").join(canvas.tr(x) for x in view.visible_labels())
    text = translate("CompareView", "Showing {labels}, zoom {zoom} %").format(
        labels=labels, zoom=round(canvas.zoom() * 100))
    if view.result_count() > 1:
        text += translate("CompareView", ", result {i} of {n}").format(
            i=view.current_result_index() + 1, n=view.result_count())
    if view.mode() == "changes" and view.changes.caption():
        text += f". {view.changes.caption()}"
    if view.busy_text():
        text += f". {view.busy_text()}"
    return text

