"""The browser suite runs under the app's Content-Security-Policy: every page of every browser context a test opens
is watched, and a violation fails the test with the directive and the blocked address.

Two channels, because either alone can miss one: a `securitypolicyviolation` listener (added to every document
before its own scripts run) reports each event to Python at once, with the directive, the blocked URI and where it
happened; Chromium's console line about the violation ("… violates the following Content Security Policy
directive …") arrives even when the document navigated away before its event was delivered.
"""

from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError

BINDING = "__perfbudgetCspViolation"
LISTENER = f"""
window.addEventListener("securitypolicyviolation", (event) => {{
  window.{BINDING}({{
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    document: event.documentURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  }});
}}, true);
"""
CONSOLE_MARK = "Content Security Policy"


@dataclass(frozen=True)
class Violation:
    directive: str
    blocked: str  # "inline", "eval", "data" or the address of what was refused
    document: str
    source: str = ""
    line: int = 0
    sample: str = ""

    def __str__(self) -> str:
        where = f" at {self.source}:{self.line}" if self.source else ""
        sample = f" ({self.sample!r})" if self.sample else ""
        return f"{self.directive} blocked {self.blocked or '?'} on {self.document}{where}{sample}"


class CspWatch:
    """Collects the violations of every context it watches, for one test."""

    def __init__(self):
        self.contexts = []
        self.violations: list[Violation] = []
        self.console: list[str] = []

    def watch(self, context):
        context.expose_binding(BINDING, self._on_event)
        context.add_init_script(LISTENER)
        context.on("console", self._on_console)
        self.contexts.append(context)
        return context

    def _on_event(self, source, data):
        self.violations.append(Violation(
            directive=data.get("directive") or "", blocked=data.get("blocked") or "",
            document=data.get("document") or "", source=data.get("source") or "",
            line=data.get("line") or 0, sample=data.get("sample") or "",
        ))

    def _on_console(self, message):
        if CONSOLE_MARK in message.text:
            self.console.append(f"{message.text} [{message.page.url if message.page else '?'}]")

    def settle(self):
        """Let every open page deliver the violation events already queued (one task turn; no fixed wait)."""
        for context in self.contexts:
            for page in context.pages:
                try:
                    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")
                except PlaywrightError:  # closed or crashed meanwhile: its console lines are in already
                    pass

    def take(self) -> tuple[list[Violation], list[str]]:
        """The violations and console lines so far, forgetting them (for a test that provokes one on purpose)."""
        self.settle()
        taken = self.violations, self.console
        self.violations, self.console = [], []
        return taken

    def check(self):
        violations, console = self.take()
        if violations or console:
            raise AssertionError(report(violations, console))

    def close(self):
        for context in self.contexts:
            try:
                context.close()
            except PlaywrightError:
                pass
        self.contexts = []


def report(violations: list[Violation], console: list[str]) -> str:
    lines = [f"Content-Security-Policy violations ({len(violations)} events, {len(console)} console lines):"]
    lines += [f"  - {violation}" for violation in violations]
    lines += [f"  - console: {text}" for text in console]
    return "\n".join(lines)


class WatchedBrowser:
    """The session's Chromium as the tests see it: every context (and page) it makes is watched by `csp`."""

    def __init__(self, browser, csp: CspWatch):
        self._browser = browser
        self.csp = csp

    def new_context(self, **options):
        return self.csp.watch(self._browser.new_context(**options))

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)
