"""The model combo's rows: the catalog's models merged with what the endpoint lists, grouped
under headers (recommended, editing, text to image, the endpoint's others), each model with
its tip. Imported when the list is first filled, after the first frame (parameters_panel)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QStandardItem

from qwen_studio.core.catalog import ModelEntry, merge
from qwen_studio.core.request import model_family
from qwen_studio.ui.editor.parameters_panel import HEADER_ROLE
from qwen_studio.ui.icons import icon


def _tr(text: str) -> str:
    return QCoreApplication.translate("ParametersPanel", text)  # the panel's messages


def model_rows(listed: tuple[str, ...] | None, lang: str) -> list[QStandardItem]:
    """Header rows (not selectable, HEADER_ROLE) followed by their models, in order."""
    entries = [e for e in merge(listed, lang=lang)
               if e.source != "catalog" or not _is_known_snapshot(e)]
    groups: list[tuple[str, list[ModelEntry]]] = [
        (_tr("Recommended"), [e for e in entries if e.recommended]),
        (_tr("Edit photos"), [e for e in entries if e.family and not e.recommended
                              and e.edits]),
        (_tr("Make images from text"), [e for e in entries if e.family
                                        and not e.recommended and not e.edits]),
        (_tr("Also on this endpoint (not in the catalog)"),
         [e for e in entries if not e.family]),
    ]
    rows: list[QStandardItem] = []
    for title, members in groups:
        if not members:
            continue
        header = QStandardItem(title)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        header.setData(True, HEADER_ROLE)
        if members[0].recommended:  # the star of the icon set, as on starred edits
            header.setIcon(icon("starred", "star_on"))
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        rows.append(header)
        for entry in members:
            item = QStandardItem(entry.id)
            item.setToolTip(_entry_tip(entry))
            item.setData(entry.description, Qt.ItemDataRole.AccessibleDescriptionRole)
            rows.append(item)
    return rows


def _entry_tip(entry: ModelEntry) -> str:
    if not entry.family:
        return _tr("Listed by the endpoint; not in Qwen Studio's catalog, so its "
                   "limits are not checked")
    family = model_family(entry.id)
    tip = f"{entry.name} — {entry.description}" if entry.description else entry.name
    if family is not None and family.price is not None:
        tip += "\n" + _tr("About {price} per image ({source})").format(
            price=family.price.text(), source=family.price.source)
    return tip


def _is_known_snapshot(entry: ModelEntry) -> bool:
    """A dated snapshot the catalog spells out: kept out of the list unless the endpoint lists
    it (it can still be typed), so the list stays short."""
    family = model_family(entry.id)
    return family is not None and entry.id in family.snapshots
