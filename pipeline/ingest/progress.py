"""A small progress display for loads: a rich progress bar when asked for, silence otherwise."""

from __future__ import annotations

from types import TracebackType

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


class Steps:
    """Named steps of a long job shown as one bar on stderr (used by the CLI, off in tests)."""

    def __init__(self, title: str, total: int, enabled: bool = True) -> None:
        self.title = title
        self.total = total
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> Steps:
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
            )
            self._progress.start()
            self._task = self._progress.add_task(self.title, total=self.total)
        return self

    def advance(self, step: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=f"{self.title}: {step}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
