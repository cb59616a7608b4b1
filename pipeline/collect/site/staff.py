"""Paper keying: signed-in staff key paper questionnaires on the same site, code first.

Staff sign in with the dashboard's commissioner accounts (the scrypt password file of
:mod:`dashboards.auth`, whose own check is used). The keying page is one form: the code (focused
when the page opens), then every question of the code's instrument as a short box taking the
answer's number as printed on the paper form (1, 2, ...), so a keyer types digits and Tab. A
return keyed for a code that already answered online is stored all the same: it reaches the
database as the same respondent and is quarantined there as a duplicate, as a second copy of a
loaded file would be, and the keyer is told so.
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.collect import codes
from pipeline.collect.forms import read_keyed
from pipeline.collect.site.app import (
    _state,
    client_of,
    expired,
    pages_for,
    too_many,
)
from pipeline.collect.site.security import csrf_ok


def _check_credentials(name: str, password: str, users_file: Path | None) -> bool:
    from dashboards.auth import check_credentials  # the dashboard's own check, not a copy

    return check_credentials(name, password, users_file)


async def sign_in(request: Request) -> Response:
    state = _state(request)
    if request.method == "GET":
        return state.render(request, "staff_sign_in.html.j2", errors={}, name="")
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    client = client_of(request)
    wait = state.limiter.wait_seconds("staff:" + client)
    if wait:
        return too_many(request, wait)
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    ok = bool(name and password) and await run_in_threadpool(
        _check_credentials, name, password, state.users_file
    )
    if not ok:
        state.limiter.failed("staff:" + client)
        return state.render(
            request,
            "staff_sign_in.html.j2",
            status=400,
            name=name,
            errors={"name": "Enter a staff name and password that are right"},
        )
    request.session.clear()  # a new session for a new privilege: no fixation
    request.session["staff"] = name
    return RedirectResponse("/staff/key", status_code=303)


async def sign_out(request: Request) -> Response:
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    request.session.clear()
    return RedirectResponse("/staff/sign-in", status_code=303)


async def key(request: Request) -> Response:
    state = _state(request)
    user = request.session.get("staff")
    if not user:
        return RedirectResponse("/staff/sign-in", status_code=303)
    if request.method == "GET":
        return _key_page(request, code="", pages=None, answers={}, errors={}, done=None)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    typed = str(form.get("code") or "")
    message = codes.problem(typed)
    invitation = None
    if message is None:
        invitation = await run_in_threadpool(state.store.invitation, codes.normalise(typed))
        if invitation is None:
            message = "No sampled person has this code. Check it against the paper form."
    sent = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if message is not None or invitation is None:
        return _key_page(
            request, code=typed, pages=None, answers=sent, errors={"code": message}, done=None
        )
    pages = pages_for(invitation.instrument, "standard")
    if form.get("action") != "save":  # the code was entered: show its instrument's questions
        return _key_page(request, code=typed, pages=pages, answers={}, errors={}, done=None)
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for page in pages:
        given, wrong = read_keyed(page, sent)
        answers.update(given)
        errors.update(wrong)
    if not answers and not errors:
        errors["code"] = "Nothing was keyed for this code: type at least one answer"
    if errors:
        return _key_page(
            request, code=typed, pages=pages, answers=sent, errors=errors, done=None, status=400
        )
    earlier = await run_in_threadpool(state.store.returns_for, invitation.code)
    returned_before = earlier or (await run_in_threadpool(state.store.is_used, invitation.code))
    await run_in_threadpool(
        lambda: state.store.submit(
            invitation.code, answers, channel="paper", version="paper", keyed_by=user
        )
    )
    done = {
        "code": codes.display(invitation.code),
        "answers": len(answers),
        "duplicate": bool(returned_before),
    }
    return _key_page(request, code="", pages=None, answers={}, errors={}, done=done)


def _key_page(
    request: Request,
    *,
    code: str,
    pages: list | None,
    answers: dict[str, str],
    errors: dict[str, str],
    done: dict | None,
    status: int | None = None,
) -> Response:
    return _state(request).render(
        request,
        "staff_key.html.j2",
        status=status or (400 if errors else 200),
        code=code,
        pages=pages,
        answers=answers,
        errors=errors,
        done=done,
    )


def routes() -> list[Route]:
    return [
        Route("/staff/sign-in", sign_in, methods=["GET", "POST"]),
        Route("/staff/sign-out", sign_out, methods=["POST"]),
        Route("/staff/key", key, methods=["GET", "POST"]),
        Route("/staff", lambda request: RedirectResponse("/staff/key", 303), methods=["GET"]),
    ]
