"""`qwen-studio models`: the models an endpoint offers, the catalog merged with its listing.

Exit codes: 0 listed (an endpoint without GET /v1/models lists the catalog alone),
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from qwen_studio.core.config import ConfigStore
from qwen_studio.core.endpoint import ClientSettings, Endpoint
from qwen_studio.core.errors import ConfigError
from qwen_studio.core.http_session import make_http_client
from qwen_studio.core.model_list import Listing, ModelEntry, fetch_listing, merge


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--endpoint", help="gateway base URL (else $QWEN_STUDIO_ENDPOINT or profile)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of objects (id, source, family, …)")
    p.add_argument("--all", action="store_true",
                   help="also list endpoint models that do not look like image models")
    p.add_argument("--offline", action="store_true",
                   help="the catalog alone; do not ask the endpoint")


def run(args: argparse.Namespace) -> int:
    listing = Listing(None, "not asked (--offline)")
    if not args.offline:
        try:
            endpoint = ConfigStore().resolve(endpoint=args.endpoint).endpoint
        except ConfigError as exc:
            if args.endpoint or exc.user_message != "No endpoint is configured.":
                print(f"qwen-studio models: {exc.user_message}", file=sys.stderr)
                if exc.hint:
                    print(f"  {exc.hint}", file=sys.stderr)
                return 2
            listing = Listing(None, "no endpoint is configured")
        else:
            listing = asyncio.run(_fetch(endpoint))
    try:
        entries = merge(listing.ids, everything=args.all)
    except ConfigError as exc:  # a malformed catalog: the message names the file
        print(f"qwen-studio models: {exc.user_message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
    else:
        _print_table(entries)
    if listing.ids is None:
        print(f"note: catalog only: {listing.note}", file=sys.stderr)
    return 0


async def _fetch(endpoint: Endpoint) -> Listing:
    async with make_http_client(ClientSettings(read_timeout=15)) as http:
        return await fetch_listing(http, endpoint)


def _print_table(entries: list[ModelEntry]) -> None:
    width = max((len(e.id) for e in entries), default=10)
    for e in entries:
        what = ("edit + text-to-image" if e.edits and e.generates
                else "text-to-image" if e.generates else "edit") if e.family else "not in catalog"
        star = "★ " if e.recommended else ""
        desc = f"  {e.description}" if e.description else ""
        print(f"{e.id:<{width}}  {star}{what} [{e.source}]{desc}")
