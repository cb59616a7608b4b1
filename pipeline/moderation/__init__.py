"""Quote moderation: find and redact personal details in free-text comments, and record which
redacted quotes a commissioner approved for publication (``quote_moderation``)."""

from pipeline.moderation.decisions import CommentKey, ModerationError, decide
from pipeline.moderation.redact import Redaction, Span, redact, redact_for_council

__all__ = [
    "CommentKey",
    "ModerationError",
    "Redaction",
    "Span",
    "decide",
    "redact",
    "redact_for_council",
]
