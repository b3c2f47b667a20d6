"""Telling people about a filing's transitions: in-app notifications and e-mail."""

from .models import Transition


def notify_transition(entry: Transition) -> None:
    """Called by the workflow after every transition (see filings/workflow.py)."""
