"""Sending SMS: a pluggable gateway named by settings.ASHYQ_SMS_BACKEND (a dotted path to a class).

- ConsoleGateway (development's default): writes the message to the log, so a developer reads the code there.
- MemoryGateway: keeps messages in `MemoryGateway.outbox` (tests, and the browser tests' live server).
- MobizonGateway (production's default): Mobizon's HTTP API, a gateway that delivers to Kazakhstan's operators.

A gateway's `send(phone, text)` returns the gateway's message id or raises SmsGatewayError with a reason fit for the
log; whoever asked for the code is told, in their language, that the message could not be sent now (never a 500).
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections import deque

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("ashyq.sms")


class SmsGatewayError(Exception):
    """The gateway did not accept the message: down, slow, refused the key, or answered something unreadable."""


def gateway():
    return import_string(settings.ASHYQ_SMS_BACKEND)()


def masked(phone: str) -> str:
    """+77011234567 -> +7701***4567: enough for a person to recognise their number, not enough to read it."""
    return phone[:5] + "***" + phone[-4:] if len(phone) > 9 else "***"


class ConsoleGateway:
    def send(self, phone: str, text: str) -> str:
        logger.warning("SMS to %s (development: not sent): %s", phone, text)
        return "console"


class MemoryGateway:
    outbox: deque = deque(maxlen=100)

    def send(self, phone: str, text: str) -> str:
        self.outbox.append({"phone": phone, "text": text})
        return f"memory-{len(self.outbox)}"


class MobizonGateway:
    """POST {ASHYQ_SMS_API_URL}/service/Message/SendSmsMessage with the API key; the answer is JSON whose `code` is 0
    when the message was accepted (`data.messageId`), and otherwise says why in `message`."""

    def send(self, phone: str, text: str) -> str:
        if not settings.ASHYQ_SMS_API_KEY:
            raise SmsGatewayError("ASHYQ_SMS_API_KEY is not set")
        query = urllib.parse.urlencode({"output": "json", "api": "v1", "apiKey": settings.ASHYQ_SMS_API_KEY})
        url = settings.ASHYQ_SMS_API_URL.rstrip("/") + "/service/Message/SendSmsMessage?" + query
        fields = {"recipient": phone.lstrip("+"), "text": text}
        if settings.ASHYQ_SMS_SENDER:
            fields["from"] = settings.ASHYQ_SMS_SENDER
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.ASHYQ_SMS_TIMEOUT_SECONDS) as response:  # noqa: S310 - the operator's URL
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            raise SmsGatewayError(f"HTTP {exc.code} from the SMS gateway") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsGatewayError(f"SMS gateway unreachable or too slow: {exc}") from exc
        try:
            answer = json.loads(raw)
            code = int(answer.get("code"))
        except (ValueError, TypeError, AttributeError) as exc:
            raise SmsGatewayError("unreadable answer from the SMS gateway") from exc
        if code != 0:
            raise SmsGatewayError(f"SMS gateway refused the message (code {code}): {str(answer.get('message'))[:200]}")
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        return str(data.get("messageId", ""))
