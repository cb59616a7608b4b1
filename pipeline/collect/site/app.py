"""The public survey site: a person enters their invitation code and answers the survey.

An ASGI app (Starlette, served by uvicorn through ``outcomes survey-site``). Pages are plain HTML
forms in the GOV.UK Design System's patterns and work with no JavaScript. The database is never
touched while a person waits: codes are looked up in, and answers written to, the submission
store (:mod:`pipeline.collect.submissions`), and the merger thread moves returns into DuckDB.
Staff keying of paper questionnaires lives in :mod:`pipeline.collect.site.staff`, and peer
networks' responses to a council's results (``/respond``) in :mod:`pipeline.collect.site.respond`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.collect import codes
from pipeline.collect.forms import VERSIONS, Page, build_pages, read_page
from pipeline.collect.merge import DatabaseBusy, Merger, merge_pending
from pipeline.collect.site.security import (
    AttemptLimiter,
    SecurityHeaders,
    csrf_ok,
    csrf_token,
)
from pipeline.collect.submissions import (
    AlreadySubmitted,
    Invitation,
    SubmissionStore,
    store_path_for,
)
from pipeline.instruments import get_instrument

LOG = logging.getLogger(__name__)
HERE = Path(__file__).parent
GOVUK_ENV = "OUTCOMES_GOVUK_FRONTEND"
SERVICE_NAME = "Personal budget survey"


def govuk_frontend_dir() -> Path | None:
    """The compiled GOV.UK Frontend (``dist/govuk``) installed by scripts/setup.sh, if any."""
    configured = os.environ.get(GOVUK_ENV)
    candidates = [Path(configured)] if configured else []
    candidates.append(HERE / "vendor" / "node_modules" / "govuk-frontend" / "dist" / "govuk")
    for folder in candidates:
        if (folder / "govuk-frontend.min.css").is_file():
            return folder
    return None


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def pages_for(instrument_id: str, version: str) -> list[Page]:
    return build_pages(get_instrument(instrument_id), version)


@dataclass
class SiteState:
    """What the app's handlers share: the store, the limiter and how to render."""

    db_path: Path
    store: SubmissionStore
    limiter: AttemptLimiter
    govuk: Path | None
    users_file: Path | None = None
    merger: Merger | None = None
    extra: dict = field(default_factory=dict)

    def render(
        self, request: Request, template: str, status: int = 200, **context: object
    ) -> Response:
        session = request.session
        html = (
            _templates()
            .get_template(template)
            .render(
                service_name=SERVICE_NAME,
                govuk=self.govuk is not None,
                csrf=csrf_token(session),
                staff_user=session.get("staff"),
                **context,
            )
        )
        return HTMLResponse(html, status_code=status)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _state(request: Request) -> SiteState:
    return request.app.state.site


def expired(request: Request) -> Response:
    """A POST without the session's token: an old tab, or another site posting here."""
    return _state(request).render(
        request,
        "message.html.j2",
        status=400,
        title="This page has expired",
        lines=["For your security, the page you sent from was too old to accept."],
        link=("/", "Start again with your code"),
    )


def too_many(request: Request, wait: float) -> Response:
    minutes = max(1, round(wait / 60))
    response = _state(request).render(
        request,
        "message.html.j2",
        status=429,
        title="Too many wrong codes",
        lines=[
            "There have been too many tries with codes that are not right from this computer.",
            f"Please wait {minutes} minute{'s' if minutes != 1 else ''} and try again, "
            "or contact the council named on your letter.",
        ],
    )
    response.headers["Retry-After"] = str(int(wait))
    return response


# ---- the person's journey ---------------------------------------------------------------


async def start(request: Request) -> Response:
    state = _state(request)
    version = request.query_params.get("version", "standard")
    return state.render(
        request,
        "start.html.j2",
        version=version if version in VERSIONS else "standard",
        typed="",
        errors={},
    )


async def enter_code(request: Request) -> Response:
    state = _state(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    client = client_of(request)
    wait = state.limiter.wait_seconds(client)
    if wait:
        return too_many(request, wait)
    typed = str(form.get("code") or "")
    version = str(form.get("version") or "standard")
    version = version if version in VERSIONS else "standard"
    message = codes.problem(typed)
    invitation: Invitation | None = None
    if message is None:
        invitation = await run_in_threadpool(state.store.invitation, codes.normalise(typed))
        if invitation is None:
            # The same words for every code this site does not hold: they say nothing about
            # whether the code belongs to another council's survey.
            message = (
                "We cannot find that code. Check it against your letter. If it still does not "
                "work, contact the council named on your letter."
            )
    if message is not None or invitation is None:
        if message and codes.normalise(typed):
            state.limiter.failed(client)
        return state.render(
            request,
            "start.html.j2",
            status=400,
            version=version,
            typed=typed,
            errors={"code": message},
        )
    if await run_in_threadpool(state.store.is_used, invitation.code):
        return used_code(request)
    request.session.update({"code": invitation.code, "version": version})
    draft = await run_in_threadpool(state.store.draft, invitation.code)
    if draft and draft[0]:
        request.session["resumed"] = True
    return RedirectResponse("/survey/1", status_code=303)


def used_code(request: Request) -> Response:
    request.session.pop("code", None)
    return _state(request).render(
        request,
        "message.html.j2",
        status=409,
        title="Your answers have already been sent",
        lines=[
            "Thank you: the answers for this code have already reached us, so they cannot be "
            "sent again.",
            "If you did not send them, or you want to change something, please contact the "
            "council named on your letter.",
        ],
    )


async def _current(request: Request) -> tuple[Invitation, str, list[Page]] | None:
    code = request.session.get("code")
    if not code:
        return None
    invitation = await run_in_threadpool(_state(request).store.invitation, code)
    if invitation is None:
        return None
    version = request.session.get("version", "standard")
    return invitation, version, pages_for(invitation.instrument, version)


async def survey_page(request: Request) -> Response:
    state = _state(request)
    current = await _current(request)
    if current is None:
        return RedirectResponse("/", status_code=303)
    invitation, version, pages = current
    number = int(request.path_params["number"])
    if not 1 <= number <= len(pages):
        return RedirectResponse("/survey/1", status_code=303)
    draft = await run_in_threadpool(state.store.draft, invitation.code)
    answers = draft[0] if draft else {}
    if request.method == "GET":
        resumed = request.session.pop("resumed", False)
        return _question_page(request, invitation, version, pages, number, answers, {}, resumed)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    if await run_in_threadpool(state.store.is_used, invitation.code):
        return used_code(request)
    page = pages[number - 1]
    sent = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    given, errors = read_page(page, sent)
    if errors:
        kept = {**answers, **{k: v for k, v in sent.items() if k in errors}}
        return _question_page(request, invitation, version, pages, number, kept, errors, False)
    for question in page.fields:  # a cleared answer is cleared in the draft too
        answers.pop(question.code, None)
    answers.update(given)
    await run_in_threadpool(state.store.save_draft, invitation.code, answers, version)
    if form.get("action") == "later":
        request.session.pop("code", None)
        return state.render(
            request,
            "saved.html.j2",
            code=codes.display(invitation.code),
            version=version,
        )
    target = f"/survey/{number + 1}" if number < len(pages) else "/survey/check"
    return RedirectResponse(target, status_code=303)


def _question_page(
    request: Request,
    invitation: Invitation,
    version: str,
    pages: list[Page],
    number: int,
    answers: dict[str, str],
    errors: dict[str, str],
    resumed: bool,
) -> Response:
    instrument = get_instrument(invitation.instrument)
    return _state(request).render(
        request,
        "question_page.html.j2",
        status=400 if errors else 200,
        page=pages[number - 1],
        number=number,
        count=len(pages),
        answers=answers,
        errors=errors,
        version=version,
        title=instrument.title,
        resumed=resumed,
        back=f"/survey/{number - 1}" if number > 1 else "/",
    )


async def check_answers(request: Request) -> Response:
    state = _state(request)
    current = await _current(request)
    if current is None:
        return RedirectResponse("/", status_code=303)
    invitation, version, pages = current
    if await run_in_threadpool(state.store.is_used, invitation.code):
        return used_code(request)
    draft = await run_in_threadpool(state.store.draft, invitation.code)
    answers = draft[0] if draft else {}
    error = request.session.pop("send_error", None)
    return state.render(
        request,
        "check.html.j2",
        status=400 if error else 200,
        pages=pages,
        answers=answers,
        version=version,
        error=error,
        back=f"/survey/{len(pages)}",
    )


async def send(request: Request) -> Response:
    state = _state(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    current = await _current(request)
    if current is None:
        return RedirectResponse("/", status_code=303)
    invitation, version, _ = current
    draft = await run_in_threadpool(state.store.draft, invitation.code)
    answers = draft[0] if draft else {}
    if not answers:
        request.session["send_error"] = "Answer at least one question before you send."
        return RedirectResponse("/survey/check", status_code=303)
    try:
        await run_in_threadpool(
            lambda: state.store.submit(invitation.code, answers, channel="online", version=version)
        )
    except AlreadySubmitted:
        return used_code(request)
    # The return is on disk (synchronous=FULL) before this reply: "thank you" is true.
    request.session.clear()
    return RedirectResponse("/thank-you", status_code=303)


async def thank_you(request: Request) -> Response:
    return _state(request).render(request, "thanks.html.j2")


async def govuk_css(request: Request) -> Response:
    folder = _state(request).govuk
    if folder is None:
        return Response(status_code=404)
    return FileResponse(folder / "govuk-frontend.min.css", media_type="text/css")


# ---- the app ----------------------------------------------------------------------------


def _initial_sync(state: SiteState, attempts: int = 20) -> None:
    """Fetch the samples' codes before serving; if another process holds the database, serve
    with the codes the store already holds and let the merger catch up."""
    for _ in range(attempts):
        try:
            report = merge_pending(state.db_path, state.store)
            LOG.info("survey site: %s", report.describe())
            return
        except DatabaseBusy:
            import time

            time.sleep(0.25)
    LOG.warning("survey site: the database is busy; serving with the codes already known")


def create_app(
    db_path: str | Path,
    *,
    store_path: str | Path | None = None,
    merge: bool = True,
    merge_interval: float = 1.0,
    session_secret: str | None = None,
    users_file: str | Path | None = None,
    attempt_limit: tuple[int, float] = (10, 600.0),
    secure_cookies: bool = False,
) -> Starlette:
    """The survey site over ``db_path``; ``merge`` runs the merger thread beside it."""
    from pipeline.collect.site import respond, staff

    db_path = Path(db_path)
    state = SiteState(
        db_path=db_path,
        store=SubmissionStore(store_path or store_path_for(db_path)),
        limiter=AttemptLimiter(*attempt_limit),
        govuk=govuk_frontend_dir(),
        users_file=Path(users_file) if users_file else None,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if merge:
            await run_in_threadpool(_initial_sync, state)
            state.merger = Merger(db_path, state.store, interval=merge_interval)
            state.merger.start()
        try:
            yield
        finally:
            if state.merger is not None:
                await run_in_threadpool(state.merger.stop)

    routes = [
        Route("/", start, methods=["GET"]),
        Route("/start", enter_code, methods=["POST"]),
        Route("/survey/check", check_answers, methods=["GET"]),
        Route("/survey/send", send, methods=["POST"]),
        Route("/survey/{number:int}", survey_page, methods=["GET", "POST"]),
        Route("/thank-you", thank_you, methods=["GET"]),
        *staff.routes(),
        *respond.routes(),
        Route("/static/govuk-frontend.min.css", govuk_css, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    if state.govuk is not None:
        routes.append(Mount("/assets", StaticFiles(directory=state.govuk / "assets")))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret or secrets.token_urlsafe(32),
                session_cookie="survey_session",
                max_age=None,  # a session cookie: gone when the browser closes
                same_site="lax",
                https_only=secure_cookies,
            ),
        ],
    )
    app.state.site = state
    return app
