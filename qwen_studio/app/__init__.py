"""The composition root: builds the services (library, HTTP client, pool, config,
settings, tasks, connection), starts the demo sandbox, owns start-up staging and shutdown.

Only app/ knows every layer; ui/ receives its collaborators typed, never builds them.
"""

from qwen_studio.app.demo import DEMO_LATENCY_S, start_demo_sandbox
from qwen_studio.app.launch import event_loop, main, show_first_frame
from qwen_studio.app.services import Services, build_services, settings_store
from qwen_studio.app.window import create_main_window

__all__ = [
    "DEMO_LATENCY_S",
    "Services",
    "build_services",
    "create_main_window",
    "event_loop",
    "main",
    "settings_store",
    "show_first_frame",
    "start_demo_sandbox",
]
