"""Command groups of the ``outcomes`` CLI; each module exposes ``register(app)``."""
