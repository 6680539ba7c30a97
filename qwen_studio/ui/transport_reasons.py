"""Why a request got no answer (a transport failure), in the window's language.

The client gives each transport failure a reason code (core/errors.py TRANSPORT_REASONS,
picked in core/client_errors.py from the httpx exception): here each code's English is
marked for translation, exactly as core has it (tests/ui/test_transport_reason_codes.py
keeps the two equal). Only read when an edit fails, so it is imported then. Context
"ServiceErrors", as error_text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

_TRANSPORT_REASONS: dict[str, str] = {
    "connection_refused": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service refused the connection (nothing answers at that "
                         "address and port)"),
    "host_not_found": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the host name could not be found (check the address and your "
                         "connection)"),
    "network_unreachable": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the network or the host cannot be reached from here"),
    "tls_certificate": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service's security certificate could not be verified"),
    "tls_failed": QT_TRANSLATE_NOOP(
        "ServiceErrors", "a secure (TLS) connection could not be set up"),
    "connect_failed": QT_TRANSLATE_NOOP(
        "ServiceErrors", "no connection could be opened (the service may be down or the "
                         "address wrong)"),
    "connect_timeout": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service did not accept the connection in time"),
    "read_timeout": QT_TRANSLATE_NOOP("ServiceErrors",
                                      "no data arrived from the service in time"),
    "write_timeout": QT_TRANSLATE_NOOP("ServiceErrors",
                                       "the request could not be sent in time"),
    "pool_timeout": QT_TRANSLATE_NOOP("ServiceErrors", "no connection became free in time"),
    "timed_out": QT_TRANSLATE_NOOP("ServiceErrors", "the service took too long"),
    "closed_reading": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the answer stopped before it was complete"),
    "closed_sending": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the request stopped before it was all sent"),
    "close_failed": QT_TRANSLATE_NOOP("ServiceErrors", "the connection did not close cleanly"),
    "protocol_broken": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service broke off the answer or sent one that breaks the "
                         "HTTP rules"),
    "protocol_error": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service's answer breaks the HTTP rules"),
    "local_protocol": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the request could not be sent in a form HTTP allows"),
    "proxy_failed": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the proxy server refused or failed the connection"),
    "unsupported_scheme": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the address must start with http:// or https://"),
    "too_many_redirects": QT_TRANSLATE_NOOP("ServiceErrors",
                                            "the service redirected too many times"),
    "decoding_failed": QT_TRANSLATE_NOOP("ServiceErrors", "the answer could not be decoded"),
    "network_failed": QT_TRANSLATE_NOOP("ServiceErrors", "the network connection failed"),
}


def transport_reason_text(reason: str) -> str:
    """A core transport Reason in the window's language, by its code; any other text (or
    a code this build lacks) as it is."""
    source = _TRANSPORT_REASONS.get(getattr(reason, "code", ""))
    if source is None:
        return str(reason)
    return QCoreApplication.translate("ServiceErrors", source)
