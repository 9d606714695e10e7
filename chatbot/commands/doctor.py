"""`chatbot doctor [--json]`: check the configured deployment against the real services."""

from __future__ import annotations

import argparse
import asyncio
import json

from chatbot.config import Settings
from chatbot.service.doctor import Check, check_all

DESCRIPTION = """\
Check the deployment the settings describe against the real services, before customers write:
  database   it answers and is at the newest migration
  telegram   the token (getMe), the webhook (getWebhookInfo, in webhook mode), that the bot is
             in the MANAGERS_CHAT_ID group and may post there, and that the person of
             SUPERVISOR_CHAT_ID started the bot (a group id there is checked as a group)
  whatsapp   the phone number id and the token (a GET on WHATSAPP_API_BASE/<id>)
  llm        one tiny request to LLM_BASE_URL with LLM_MODEL
One line per check: ok, fail (with what to fix) or skip (the service is not configured).
Nothing is sent to customers or chats.

Exit status: 0 every configured check passed, 1 a check failed.

example:
  chatbot doctor
  chatbot doctor --json | jq '.checks[] | select(.status == "fail")'"""


def register(p: argparse.ArgumentParser) -> None:
    """Add the `doctor` arguments."""
    p.description = DESCRIPTION
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--json", action="store_true", help="one JSON object with every check")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run every check; 1 when any failed."""
    checks = asyncio.run(check_all(Settings()))
    passed = all(check.status != "fail" for check in checks)
    if args.json:
        print(
            json.dumps(
                {"ok": passed, "checks": [c.as_dict() for c in checks]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for check in checks:
            print(line(check))
        failed = sum(check.status == "fail" for check in checks)
        print("all configured checks passed" if passed else f"{failed} check(s) failed")
    return 0 if passed else 1


def line(check: Check) -> str:
    """`ok   name  detail`, and `— fix: ...` on a failure."""
    text = f"{check.status:<4} {check.name:<24} {check.detail}"
    return f"{text}\n     fix: {check.fix}" if check.fix else text
