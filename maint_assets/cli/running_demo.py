"""`maint-assets demo mails` and `demo screenshot`: what a running demo received and shows."""

from __future__ import annotations

import argparse

from maint_assets.demo.environment import DEMO_MAILDIR
from maint_assets.demo.mails import describe, read


def mails(args: argparse.Namespace) -> int:
    received = read(DEMO_MAILDIR)
    shown = received[-args.last :] if args.last else received
    print(f"{len(received)} mail(s) in {DEMO_MAILDIR}" + (", newest last:" if shown else ""))
    for when, message in shown:
        print(describe(when, message, args.body))
    return 0


def screenshot(args: argparse.Namespace) -> int:
    # Playwright only for this command: reading the mails should not load a browser driver.
    from maint_assets.demo.browser import screenshot_lineage

    out = screenshot_lineage(args.url, args.out, args.zoom_out_steps)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0
