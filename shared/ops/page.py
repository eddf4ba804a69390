"""The ops console page: one self-contained HTML file, served with a strict CSP.

The inline `<style>` and `<script>` are allowed by their SHA-256 hashes only, so nothing else can
run or load on the page, and it may only talk to its own origin.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files


def _hashes(html: str, tag: str) -> str:
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks
    )


@cache
def _page() -> tuple[str, str]:
    html = files("shared.ops").joinpath("console.html").read_text(encoding="utf-8")
    csp = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_hashes(html, 'script')}",
            f"style-src {_hashes(html, 'style')}",
            "connect-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return html, csp


def console_page() -> tuple[str, dict[str, str]]:
    """The HTML and its security headers."""
    html, csp = _page()
    return html, {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
