"""Typed notices and the banner that shows them."""

from qwen_studio.ui.notices.center import Notices
from qwen_studio.ui.notices.notice import Notice, NoticeKind, NoticeLevel

__all__ = ["Notice", "NoticeKind", "NoticeLevel", "Notices"]
