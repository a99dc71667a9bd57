"""Credential audit: a password, token or private-key passphrase never reaches what a person or a log sees.

The product holds no credential itself: the runner opens Snowflake through a named connection
(`ENRICHMENT_CONNECTION`, read by the connector from connections.toml in SNOWFLAKE_HOME, or from the
SNOWFLAKE_CONNECTIONS variable), the app through `st.connection("snowflake")` (`[connections.snowflake]` in
secrets.toml, else the connector's default connection). The settings (`enrichment.config`) take only
ENRICHMENT_* keys. So the audit configures a distinctive fake secret in every one of those places, with
every kind of credential (password, OAuth token, programmatic access token, key-pair passphrase, inline
key), points the connection at a closed local port (it fails at once, offline) and checks:

- the CLI (`python -m enrichment.run status`, `check`, `check --json`, a pass) as a user runs it: exit 2,
  one sentence on stderr, no traceback, the secret on neither stdout nor stderr;
- the same commands in-process, with every log record captured at DEBUG (the connector's included);
- the error raised when the store cannot be opened, its traceback as a log would print it;
- the Settings object's repr/str/fields, and the settings file's own error;
- the app's page when its connection fails, and the server log behind it;
- the deploy archive and the Streamlit-in-Snowflake artifacts, which must not carry a secrets file.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import socket
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from enrichment.config import load_settings
from enrichment.errors import UserFacingError
from enrichment.store import open_store

SECRET = "S3cr3t-Do-Not-Log-7f3a"
ENTRY = str(ROOT / "streamlit_app.py")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _closed_port()
# Where every connection points: nothing listens there, so each login fails within a second or two.
NOWHERE = {"account": "myorg-myaccount", "user": "FLAKEBENCH_RUNNER", "host": "127.0.0.1", "port": PORT,
           "protocol": "http", "login_timeout": 2, "role": "FLAKEBENCH_ENRICHMENT"}


def _toml(connections: dict[str, dict]) -> str:
    def value(v):
        return str(v) if isinstance(v, int) else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "".join(f"[{name}]\n" + "".join(f"{k} = {value(v)}\n" for k, v in {**NOWHERE, **fields}.items()) + "\n"
                   for name, fields in connections.items())


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    """A private key encrypted with the secret as its passphrase, as docs/snowflake.md's key-pair setup."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("keys") / "flakebench_rsa_key.p8"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(SECRET.encode())))
    return path


@pytest.fixture(scope="module")
def connections(key_file) -> dict[str, dict]:
    """One connection per kind of credential, each holding the secret."""
    return {
        "default": {"password": SECRET},
        "with_password": {"password": SECRET},
        "with_oauth_token": {"authenticator": "oauth", "token": SECRET},
        "with_access_token": {"authenticator": "PROGRAMMATIC_ACCESS_TOKEN", "token": SECRET},
        "with_key_pair": {"authenticator": "SNOWFLAKE_JWT", "private_key_file": str(key_file),
                          "private_key_file_pwd": SECRET},
        "with_wrong_passphrase": {"authenticator": "SNOWFLAKE_JWT", "private_key_file": str(key_file),
                                  "private_key_file_pwd": f"not-{SECRET}"},
        "with_inline_key": {"authenticator": "SNOWFLAKE_JWT", "private_key": SECRET},
    }


@pytest.fixture(scope="module")
def snowflake_home(tmp_path_factory, connections) -> Path:
    """SNOWFLAKE_HOME with connections.toml (owner-only, as the connector wants it)."""
    home = tmp_path_factory.mktemp("snowflake-home")
    path = home / "connections.toml"
    path.write_text(_toml(connections))
    path.chmod(0o600)
    return home


@pytest.fixture(scope="module")
def broken_snowflake_home(tmp_path_factory) -> Path:
    """A connections.toml the connector cannot parse, broken on the line that holds the secret."""
    home = tmp_path_factory.mktemp("snowflake-home-broken")
    path = home / "connections.toml"
    path.write_text(f'[broken]\naccount = "myorg-myaccount"\nuser = "U"\npassword = {SECRET}\n')
    path.chmod(0o600)
    return home


def assert_clean(text: str, where: str) -> None:
    assert SECRET not in text, f"the secret is in {where}:\n{text}"
    assert SECRET.lower() not in text.lower(), f"the secret (in another case) is in {where}"


def one_sentence(stderr: str) -> str:
    """The CLI's own error line: stderr without the INFO/WARNING log lines, which must leave just one."""
    assert "Traceback" not in stderr, stderr
    own = [line for line in stderr.splitlines()
           if line.strip() and not any(f" {level} " in line for level in ("INFO", "WARNING", "DEBUG"))]
    assert len(own) == 1, stderr
    return own[0]


# --- (a) the CLI as a user runs it --------------------------------------------------------------------------

CLI_CASES = {
    "status with a password": ("with_password", ["status"]),
    "check with a password": ("with_password", ["check"]),
    "check --json with a password": ("with_password", ["check", "--json"]),
    "a pass with a password": ("with_password", []),
    "status --json with an OAuth token": ("with_oauth_token", ["status", "--json"]),
    "status with a programmatic access token": ("with_access_token", ["status"]),
    "check with a key pair": ("with_key_pair", ["check"]),
    "status with a wrong key passphrase": ("with_wrong_passphrase", ["status"]),
    "status with an inline key": ("with_inline_key", ["status"]),
    "status with the default connection": (None, ["status"]),
    "status with a broken connections.toml": ("broken", ["status"]),
}


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory, snowflake_home, broken_snowflake_home) -> dict[str, subprocess.CompletedProcess]:
    """Every CLI case, run as subprocesses a few at a time (each mostly waits for its failed login)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ENRICHMENT_", "SNOWFLAKE_"))}
    # The settings file and the environment carry the secret too, under names the product does not read.
    settings_file = tmp_path_factory.mktemp("settings") / "enrichment.toml"
    settings_file.write_text(f'ENRICHMENT_SNOWFLAKE_PASSWORD = "{SECRET}"\npassword = "{SECRET}"\n')
    base.update({"SNOWFLAKE_PASSWORD": SECRET, "SNOWFLAKE_PRIVATE_KEY_FILE_PWD": SECRET, "SNOWFLAKE_TOKEN": SECRET,
                 "ENRICHMENT_SETTINGS_FILE": str(settings_file)})

    def run(case: str) -> subprocess.CompletedProcess:
        connection, args = CLI_CASES[case]
        env = {**base, "HOME": str(tmp_path_factory.mktemp("user-home")),
               "ENRICHMENT_HOME": str(tmp_path_factory.mktemp("enrichment-home")),
               "ENRICHMENT_BACKEND": "snowflake",
               "SNOWFLAKE_HOME": str(broken_snowflake_home if connection == "broken" else snowflake_home)}
        if connection:
            env["ENRICHMENT_CONNECTION"] = connection
        return subprocess.run([sys.executable, "-m", "enrichment.run", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=180)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CLI_CASES, pool.map(run, CLI_CASES)))


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_the_cli_never_prints_the_secret(cli_results, case):
    result = cli_results[case]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert_clean(result.stdout, "stdout")
    assert_clean(result.stderr, "stderr")
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(("Could not connect to Snowflake", "The Snowflake connection")), sentence


# --- (a) the same, in-process, every log record at DEBUG --------------------------------------------------------

@pytest.fixture
def snowflake_env(monkeypatch, tmp_path, connections):
    """The snowflake backend, its connections in SNOWFLAKE_CONNECTIONS (read when a session is made; the
    connector read SNOWFLAKE_HOME when it was first imported, so in-process that is the way in)."""
    for name in [k for k in os.environ if k.startswith(("ENRICHMENT_", "SNOWFLAKE_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ENRICHMENT_BACKEND", "snowflake")
    monkeypatch.setenv("ENRICHMENT_HOME", str(tmp_path / "enrichment-home"))
    monkeypatch.setenv("ENRICHMENT_APP_RUNNER_INTERVAL", "0")
    monkeypatch.setenv("ENRICHMENT_SETTINGS_FILE", str(tmp_path / "no-settings-file.toml"))
    monkeypatch.setenv("SNOWFLAKE_CONNECTIONS", _toml(connections))
    return monkeypatch


def logged(caplog) -> str:
    """Every captured record as a handler would write it: message, arguments, traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join([formatter.format(r) for r in caplog.records] + [repr(r.args) for r in caplog.records])


@pytest.mark.parametrize("connection, args", [
    ("with_password", ["status"]),
    ("with_password", ["check", "--json"]),
    ("with_oauth_token", ["status"]),
    ("with_access_token", ["check"]),
    ("with_key_pair", ["status"]),
    ("with_wrong_passphrase", ["status"]),
    ("with_inline_key", ["status"]),
    (None, ["status"]),  # the default connection
])
def test_no_log_record_holds_the_secret(snowflake_env, caplog, capsys, connection, args):
    from enrichment.run import main

    if connection:
        snowflake_env.setenv("ENRICHMENT_CONNECTION", connection)
    caplog.set_level(logging.DEBUG)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert_clean(out, "stdout")
    assert_clean(err, "stderr")
    assert one_sentence(err).startswith("Could not connect to Snowflake")
    assert any(r.name.startswith("snowflake.connector") and r.levelno == logging.DEBUG for r in caplog.records), \
        "the connector's DEBUG records were captured"
    assert_clean(logged(caplog), "the log records")


@pytest.mark.parametrize("connection", ["with_password", "with_oauth_token", "with_key_pair", "with_inline_key"])
def test_the_store_error_and_its_traceback_hold_no_secret(snowflake_env, caplog, connection):
    snowflake_env.setenv("ENRICHMENT_CONNECTION", connection)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(UserFacingError) as raised:
        open_store(load_settings())
    error = raised.value
    assert_clean(str(error), "the error's sentence")
    assert_clean("".join(traceback.format_exception(error)), "the traceback a log would print")
    cause, seen = error, []
    while cause is not None:  # the connector's own errors, kept as the context
        seen.append(f"{type(cause).__name__}: {cause!s} {cause.args!r}")
        cause = cause.__cause__ or cause.__context__
    assert_clean("\n".join(seen), "the chained errors")
    assert_clean(logged(caplog), "the log records")


# --- (b) the settings -------------------------------------------------------------------------------------------

def test_settings_never_hold_or_show_the_secret(snowflake_env, tmp_path):
    settings_file = tmp_path / "enrichment.toml"
    settings_file.write_text(f'ENRICHMENT_CONNECTION = "with_password"\nENRICHMENT_SNOWFLAKE_PASSWORD = "{SECRET}"\n'
                             f'password = "{SECRET}"\ntoken = "{SECRET}"\n')
    snowflake_env.setenv("ENRICHMENT_SETTINGS_FILE", str(settings_file))
    snowflake_env.setenv("SNOWFLAKE_PASSWORD", SECRET)
    snowflake_env.setenv("SNOWFLAKE_PRIVATE_KEY_FILE_PWD", SECRET)
    snowflake_env.setenv("ENRICHMENT_TOKEN", SECRET)
    settings = load_settings()
    assert settings.backend == "snowflake" and settings.connection_name == "with_password"
    for shown in (repr(settings), str(settings), repr(dataclasses.asdict(settings)), f"{settings}"):
        assert_clean(shown, "the settings")


def test_a_broken_settings_file_error_does_not_quote_the_secret(snowflake_env, tmp_path):
    settings_file = tmp_path / "enrichment.toml"
    settings_file.write_text(f'ENRICHMENT_BACKEND = "snowflake"\nENRICHMENT_SNOWFLAKE_PASSWORD = {SECRET}\n')
    snowflake_env.setenv("ENRICHMENT_SETTINGS_FILE", str(settings_file))
    with pytest.raises(UserFacingError) as raised:
        load_settings()
    assert "is not valid TOML" in str(raised.value)
    assert_clean(str(raised.value), "the settings error")
    assert_clean("".join(traceback.format_exception(raised.value)), "the settings error's traceback")


# --- (c) the app ----------------------------------------------------------------------------------------------

@pytest.fixture
def secrets_file(tmp_path, monkeypatch):
    """Point Streamlit's secrets at a file of this test's, and forget any secrets read before or after."""
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    path = tmp_path / ".streamlit" / "secrets.toml"
    path.parent.mkdir()
    previous = config.get_option("secrets.files")
    monkeypatch.setattr(secrets_singleton, "_file_watchers_installed", True)  # no watcher thread for a test
    secrets_singleton._reset()
    config.set_option("secrets.files", [str(path)])
    yield path
    config.set_option("secrets.files", previous)
    secrets_singleton._reset()


def everything_on_the_page(at) -> str:
    texts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(texts)


def run_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.run()
    return at


@pytest.mark.parametrize("credential", [
    {"password": SECRET},
    {"authenticator": "oauth", "token": SECRET},
    {"authenticator": "SNOWFLAKE_JWT", "private_key": SECRET},
])
def test_the_app_with_secrets_toml_shows_and_logs_no_secret(snowflake_env, secrets_file, caplog, credential):
    secrets_file.write_text("[connections.snowflake]\n" + _toml({"x": credential}).split("\n", 1)[1])
    snowflake_env.delenv("SNOWFLAKE_CONNECTIONS")  # only the secrets file
    caplog.set_level(logging.DEBUG)
    at = run_app()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Something went wrong while opening the store; the details are in the server log. Reload the page to try "
        "again."]
    assert_clean(everything_on_the_page(at), "the page")
    assert any(r.name == "flakebench.app" and r.exc_info for r in caplog.records), "the failure reached the log"
    assert any("Connecting to Snowflake using the Streamlit secret" in r.getMessage() for r in caplog.records), \
        "the secrets file was used"
    assert_clean(logged(caplog), "the server log")


def test_the_app_with_the_default_connection_shows_and_logs_no_secret(snowflake_env, secrets_file, caplog):
    secrets_file.write_text('[other]\nunrelated = "x"\n')  # a secrets file without a Snowflake connection
    caplog.set_level(logging.DEBUG)
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "opening the store" in at.error[0].value
    assert_clean(everything_on_the_page(at), "the page")
    assert any("default configuration" in r.getMessage() for r in caplog.records), "the default connection was used"
    assert_clean(logged(caplog), "the server log")


def test_the_app_never_shows_an_unexpected_errors_text(snowflake_env, monkeypatch):
    """Even an error that quotes a secret (as a careless driver might) stays off the page."""
    import app.store

    def leaky(settings, session=None):
        raise RuntimeError(f"login failed for user U with password {SECRET}")

    monkeypatch.setattr(app.store, "open_store", leaky)
    monkeypatch.setattr("streamlit.connection", lambda *a, **k: type("C", (), {"session": lambda self: None})())
    at = run_app()
    assert not at.exception
    assert len(at.error) == 1 and "server log" in at.error[0].value
    assert_clean(everything_on_the_page(at), "the page")


def test_a_user_facing_store_error_is_shown_as_is_and_holds_no_secret(snowflake_env, caplog):
    """A UserFacingError is shown as it is, on a page (app/errors.py) or by the CLI: the ones the Snowflake
    adapter raises for a failed login, a key it cannot open or an unknown connection name hold no secret."""
    from enrichment.store.snowflake import session_from_connection_name

    caplog.set_level(logging.DEBUG)
    for name in ("with_password", "with_wrong_passphrase", "no-such-connection"):
        with pytest.raises(UserFacingError) as raised:
            session_from_connection_name(name)
        assert_clean(str(raised.value), f"the error for {name}")
    assert_clean(logged(caplog), "the log records")


# --- what is shipped ----------------------------------------------------------------------------------------------

def test_the_deploy_archive_and_the_app_artifacts_carry_no_secrets_file(tmp_path):
    from enrichment.deploy import build_archive

    root = tmp_path / "checkout"
    (root / "enrichment").mkdir(parents=True)
    (root / "enrichment" / "__init__.py").write_text("")
    (root / "sql" / "queries").mkdir(parents=True)
    (root / "sql" / "queries" / "one.sql").write_text("SELECT 1")
    (root / ".streamlit").mkdir()
    (root / ".streamlit" / "secrets.toml").write_text(f'[connections.snowflake]\npassword = "{SECRET}"\n')
    (root / "enrichment.toml").write_text(f'ENRICHMENT_PASSWORD = "{SECRET}"\n')
    (root / "enrichment" / "connections.toml").write_text(f'[x]\npassword = "{SECRET}"\n')
    archive = build_archive(tmp_path / "enrichment.zip", root)
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["enrichment/__init__.py", "sql/queries/one.sql"]
        for name in z.namelist():
            assert SECRET.encode() not in z.read(name)

    artifacts = yaml.safe_load((ROOT / "snowflake.yml").read_text())["entities"]["flakebench_enrichment"]["artifacts"]
    shipped = [a if isinstance(a, str) else a["src"] for a in artifacts]
    assert not [a for a in shipped if "secrets" in a or "connections.toml" in a or a.rstrip("/") == ".streamlit"]
