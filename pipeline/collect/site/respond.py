"""Peer responses on the survey site: a peer network answers a council's published results.

``/respond`` offers the councils with results (the store's copy, refreshed by every merge, so a
visitor never waits on DuckDB) and ``/respond/{council}`` opens the form for one, for a link
beside a council's results page. The form is organisation, contact and text, in the GOV.UK
patterns of the rest of the site, with its CSRF token; a response is written to the write-ahead
store (:meth:`SubmissionStore.add_peer_response`, synced to disk) before "thank you", and the
merger copies it into DuckDB where it waits for a commissioner
(:mod:`pipeline.collect.responses`). Each client may send ``RESPONSES_PER_WINDOW`` responses in
the limiter's window: enough for a network's few, too few to flood the moderation queue.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.collect.responses import _clean, check_form
from pipeline.collect.site.app import _state, client_of, expired
from pipeline.collect.site.security import AttemptLimiter, csrf_ok

RESPONSES_PER_WINDOW = 5
_LIMITER_KEY = "site_responses_limiter"


def _limiter(request: Request) -> AttemptLimiter:
    """The site's own limiter for responses (its window, a lower limit than wrong codes)."""
    state = _state(request)
    limiter = state.extra.get(_LIMITER_KEY)
    if limiter is None:
        limiter = AttemptLimiter(RESPONSES_PER_WINDOW, state.limiter.window)
        state.extra[_LIMITER_KEY] = limiter
    return limiter


async def _form(
    request: Request,
    *,
    chosen: str = "",
    fixed: bool = False,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    state = _state(request)
    councils = await run_in_threadpool(state.store.result_councils)
    return state.render(
        request,
        "respond.html.j2",
        status=400 if errors else 200,
        councils=councils,
        chosen=chosen,
        fixed=fixed,
        sent=sent or {},
        errors=errors or {},
    )


async def respond(request: Request) -> Response:
    """The form for any council (GET), or a response sent from either form (POST)."""
    if request.method == "GET":
        return await _form(request)
    state = _state(request)
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        return expired(request)
    limiter = _limiter(request)
    wait = limiter.wait_seconds(client_of(request))
    if wait:
        minutes = max(1, round(wait / 60))
        response = state.render(
            request,
            "message.html.j2",
            status=429,
            title="Too many responses",
            lines=[
                f"This computer has sent {RESPONSES_PER_WINDOW} responses in a short time.",
                f"Please wait {minutes} minute{'s' if minutes != 1 else ''} and try again.",
            ],
        )
        response.headers["Retry-After"] = str(int(wait))
        return response
    sent = {name: _clean(form.get(name)) for name in ("council", "organisation", "contact")}
    sent["response"] = _clean(form.get("response"))
    councils = dict(await run_in_threadpool(state.store.result_councils))
    errors = check_form(
        sent["council"], list(councils), sent["organisation"], sent["contact"], sent["response"]
    )
    if errors:
        fixed = form.get("council") in councils and "council" not in errors
        return await _form(request, chosen=sent["council"], fixed=fixed, sent=sent, errors=errors)
    council = sent["council"]
    await run_in_threadpool(
        state.store.add_peer_response,
        council,
        councils[council],
        sent["organisation"],
        sent["contact"],
        sent["response"],
    )
    limiter.failed(client_of(request))  # every response counts towards the limit
    request.session["responded_to"] = council
    return RedirectResponse("/respond/thank-you", status_code=303)


async def respond_to(request: Request) -> Response:
    """The form for one council, named in the address in any case (a link from its results)."""
    wanted = " ".join(unquote(request.path_params["council"]).split()).casefold()
    councils = await run_in_threadpool(_state(request).store.result_councils)
    for name, _ in councils:
        if name.casefold() == wanted:
            return await _form(request, chosen=name, fixed=True)
    return await _form(request)  # not a council with results: let them choose


async def thank_you(request: Request) -> Response:
    council = request.session.pop("responded_to", None)
    lines = [
        "The council will read it before it is published. It removes any personal details, "
        "and publishes the response beside its results with its reply.",
        "We never publish your contact details.",
    ]
    title = f"Thank you: your response has reached {council}" if council else "Thank you"
    return _state(request).render(request, "message.html.j2", title=title, lines=lines)


def routes() -> list[Route]:
    return [
        Route("/respond", respond, methods=["GET", "POST"]),
        Route("/respond/thank-you", thank_you, methods=["GET"]),
        Route("/respond/{council}", respond_to, methods=["GET"]),
    ]
