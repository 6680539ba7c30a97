"""Network failures that reach the window with no words of their own, said in words.

An httpx failure whose text is empty reaches the window as its class name
("…: ReadError"); error_text.error_message hands such a service error's text here. Only
read when an edit fails, so it is imported then. Context "ServiceErrors", as error_text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from qwen_studio.ui.marks import QT_TRANSLATE_NOOP

# An httpx failure with no words of its own reaches us as its class name (": ReadError"):
# the designer reads what happened instead. Keyed by the class name, in httpx's hierarchy.
_TRANSPORT_REASONS: dict[str, str] = {
    # Said after "The connection to {what} was interrupted": "it", not "the connection" again.
    "ReadError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "it closed before the whole answer arrived"),
    "WriteError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "it closed before the whole request was sent"),
    "ConnectError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "no connection could be opened (the service may be down or the "
                         "address wrong)"),
    "CloseError": QT_TRANSLATE_NOOP("ServiceErrors", "the connection did not close cleanly"),
    "NetworkError": QT_TRANSLATE_NOOP("ServiceErrors", "the network connection failed"),
    "RemoteProtocolError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service broke off the answer or sent one that breaks the "
                         "HTTP rules"),
    "LocalProtocolError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the request could not be sent in a form HTTP allows"),
    "ProtocolError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service's answer breaks the HTTP rules"),
    "ProxyError": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the proxy server refused or failed the connection"),
    "UnsupportedProtocol": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the address must start with http:// or https://"),
    "ConnectTimeout": QT_TRANSLATE_NOOP(
        "ServiceErrors", "the service did not accept the connection in time"),
    "ReadTimeout": QT_TRANSLATE_NOOP("ServiceErrors",
                                     "no data arrived from the service in time"),
    "WriteTimeout": QT_TRANSLATE_NOOP("ServiceErrors", "the request could not be sent in time"),
    "PoolTimeout": QT_TRANSLATE_NOOP("ServiceErrors", "no connection became free in time"),
    "TimeoutException": QT_TRANSLATE_NOOP("ServiceErrors", "the service took too long"),
    "DecodingError": QT_TRANSLATE_NOOP("ServiceErrors", "the answer could not be decoded"),
    "TooManyRedirects": QT_TRANSLATE_NOOP("ServiceErrors",
                                          "the service redirected too many times"),
    "TransportError": QT_TRANSLATE_NOOP("ServiceErrors", "the network connection failed"),
    "RequestError": QT_TRANSLATE_NOOP("ServiceErrors", "the network connection failed"),
}


def plain_transport_tail(text: str) -> str:
    """`text` with a trailing bare httpx class name (": ReadError") said in words."""
    head, sep, name = text.rpartition(": ")
    source = _TRANSPORT_REASONS.get(name) if sep else None
    if source is None:
        return text
    return f"{head}: {QCoreApplication.translate('ServiceErrors', source)}"
