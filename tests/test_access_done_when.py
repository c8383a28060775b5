"""Issue 9's "Done when", the part only a real server shows: an admission look-up leaves no CPR in the log.

A real `manage.py runserver` (as `make run` starts it) on a temporary SQLite file with the demo users; a KRFO
case worker logs in through the login form, looks a person up by CPR on the admission page (a POST), and tries
the old GET form (`?cpr=`, refused with 400). The server's own output (django.server's access lines and the
app's log) must name the requests but carry no CPR number, in any of its forms.
Its own process and database file: it needs no test database and runs the same on PostgreSQL.
"""

import http.cookiejar
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from samarbejde.api.tests.test_sqlite_concurrency import BASE_DIR, free_port, local_env, manage, wait_until_up

CPR = "2411821239"  # used nowhere else in the suite
CPR_FORMS = (CPR, f"{CPR[:6]}-{CPR[6:]}", f"{CPR[:6]}%2D{CPR[6:]}")


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post(opener, url: str, fields: dict) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST")
    request.add_header("Referer", url)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _get(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=120) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_an_admission_look_up_leaves_no_cpr_in_the_server_log(tmp_path):
    env = local_env(tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference_data")
    manage(env, "load_demo_data", "--force")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(base, server, log)
            opener = _opener()
            status, html = _get(opener, f"{base}/konto/log-ind/")
            assert status == 200
            status, html = _post(
                opener,
                f"{base}/konto/log-ind/",
                {
                    "csrfmiddlewaretoken": _csrf(html),
                    "username": "krfo.sagsbehandler",
                    "password": "Samarbejde-demo-2026",
                },
            )
            assert status == 200 and "Log ud" in html, html[:500]
            status, html = _get(opener, f"{base}/klienter/indsaettelse/")
            assert status == 200
            status, found = _post(
                opener,
                f"{base}/klienter/indsaettelse/",
                {"csrfmiddlewaretoken": _csrf(html), "step": "find", "cpr": f"{CPR[:6]}-{CPR[6:]}"},
            )
            assert status == 200 and "Der findes ingen person med CPR-nummeret" in found
            # The old GET form of the look-up is refused, and its query string is not logged either.
            assert _get(opener, f"{base}/klienter/indsaettelse/?cpr={CPR[:6]}-{CPR[6:]}")[0] == 400
            assert _get(opener, f"{base}/klienter/indsaettelse/?cpr={CPR}")[0] == 400
        finally:
            server.terminate()
            server.wait(timeout=60)
    output = log.read_text(errors="replace")
    assert "/klienter/indsaettelse/" in output  # the access lines are there...
    for form in CPR_FORMS:
        assert form not in output, f"{form} in the server log:\n{output}"  # ...without the number
