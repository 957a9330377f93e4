"""Backprop Ninja's instructor-only side: what the hidden test cells import.

Never given to students: it holds the hidden tests' data generators and verdicts."""

from .hidden import hidden_test

__all__ = ["hidden_test"]
