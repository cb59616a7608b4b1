"""The app shell without data and the navigation each role gets."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboards.conftest import APP


def test_app_without_a_database_says_how_to_get_data(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(tmp_path / "absent.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert any("No survey data is loaded yet" in i.value for i in at.info)
    assert at.sidebar.toggle(key="f_contrast").value is False


def test_display_options_come_from_and_go_to_the_query_string(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OUTCOMES_DB", str(tmp_path / "absent.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["contrast"] = "1"
    at.run()
    assert at.sidebar.toggle(key="f_contrast").value is True
    at.sidebar.toggle(key="f_large_text").set_value(True).run()
    assert not at.exception
    assert at.query_params.get("large_text") in ("1", ["1"])
    assert at.query_params.get("contrast") in ("1", ["1"])


def test_sign_in_form_accepts_a_user_from_the_password_file(tmp_path, monkeypatch) -> None:
    from dashboards.auth import add_user

    users = tmp_path / "users.toml"
    add_user(users, "commissioner1", "a long passphrase")
    monkeypatch.setenv("OUTCOMES_USERS_FILE", str(users))
    monkeypatch.setenv("OUTCOMES_DB", str(tmp_path / "absent.duckdb"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.sidebar.text_input(key="sign_in_name").input("commissioner1")
    at.sidebar.text_input(key="sign_in_password").input("wrong")
    at.sidebar.button[0].click().run()
    assert "signed_in_user" not in at.session_state
    assert any("do not match" in e.value for e in at.sidebar.error)
    at.sidebar.text_input(key="sign_in_name").input("commissioner1")
    at.sidebar.text_input(key="sign_in_password").input("a long passphrase")
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.session_state["signed_in_user"] == "commissioner1"


def test_a_valid_session_cookie_signs_in_and_sign_out_clears_it(tmp_path, monkeypatch) -> None:
    """What a refresh or new tab does: a new session arrives with the cookie set at sign-in."""
    from streamlit.runtime.context import ContextProxy

    from dashboards.auth import add_user
    from dashboards.sessions import COOKIE, issue_token, load_secret

    users = tmp_path / "users.toml"
    add_user(users, "commissioner1", "a long passphrase")
    monkeypatch.setenv("OUTCOMES_USERS_FILE", str(users))
    monkeypatch.setenv("OUTCOMES_DB", str(tmp_path / "absent.duckdb"))
    cookies: dict[str, str] = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: cookies))

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.sidebar.text_input(key="sign_in_name").input("commissioner1")
    at.sidebar.text_input(key="sign_in_password").input("a long passphrase")
    at.sidebar.button[0].click().run()
    token = at.session_state["session_token"]
    assert any("Stays signed in on this browser until" in c.value for c in at.sidebar.caption)
    assert token not in str(dict(at.query_params))  # never in a link

    cookies[COOKIE] = token  # the browser now sends it with every new session
    fresh = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not fresh.exception
    assert fresh.session_state["signed_in_user"] == "commissioner1"
    fresh.sidebar.button(key="sign_out").click().run()
    assert "signed_in_user" not in fresh.session_state
    assert any("Public view" in m.value for m in fresh.sidebar.markdown)

    for refused in (
        issue_token("commissioner1", load_secret(), now=0),  # long expired
        issue_token("commissioner1", b"some other server's secret"),
        issue_token("someone-removed", load_secret()),  # not in the password file
    ):
        cookies[COOKIE] = refused
        other = AppTest.from_file(str(APP), default_timeout=60).run()
        assert "signed_in_user" not in other.session_state
