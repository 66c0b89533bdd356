"""Rendering: the files nginx and supervisord actually accept, and the defaults in the repo."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import bokeh
import pytest
from structlog.testing import capture_logs
from supervisor.options import ServerOptions

from livedash.cli import build_parser
from livedash.deploy.nginx import check_config, nginx_command
from livedash.deploy.render import STATIC_ROOTS, readable_by_others, render, write_config
from livedash.deploy.settings import DeploySettings

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")

DEMO = DeploySettings(workers=3, with_demo_services=True)


def _supervisord_options(settings: DeploySettings, config_dir: Path) -> ServerOptions:
    write_config(settings, config_dir)
    options = ServerOptions()
    options.realize(args=["-c", str(config_dir / "supervisord.conf")])
    return options


def _programs(options: ServerOptions) -> dict[str, object]:
    return {
        process.name: process
        for group in options.process_group_configs
        for process in group.process_configs
    }


def _nginx_test(settings: DeploySettings, config_dir: Path) -> subprocess.CompletedProcess[str]:
    settings = DeploySettings(**{**settings.to_json(), "nginx_command": NGINX})
    write_config(settings, config_dir)
    return subprocess.run(
        nginx_command(settings, config_dir, "-t"), capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", ["nginx.conf", "supervisord.conf"])
def test_repository_defaults_are_the_rendered_defaults(name) -> None:
    rendered = render(DeploySettings(workers=3)).files()[name]
    assert (REPO / name).read_text(encoding="utf-8") == rendered, (
        f"{name} is out of date; regenerate it with: livedash deploy render --workers 3 "
        f"--out /tmp/livedash-defaults && cp /tmp/livedash-defaults/{name} {REPO}/"
    )


@needs_nginx
@pytest.mark.parametrize(
    "settings",
    [
        DeploySettings(workers=3),
        DEMO,
        DeploySettings(workers=12, listen_address="0.0.0.0", public_host="ctrl.ess.eu"),
        DeploySettings(workers=1, listen_address="::1", run_dir="/tmp/elsewhere"),
    ],
    ids=["defaults", "demo", "12-workers-all-interfaces", "ipv6-absolute-run-dir"],
)
def test_nginx_accepts_the_rendered_configuration(settings, tmp_path) -> None:
    if os.path.isabs(settings.run_dir):
        settings = DeploySettings(**{**settings.to_json(), "run_dir": str(tmp_path / "abs-run")})
    result = _nginx_test(settings, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@needs_nginx
def test_nginx_checks_a_candidate_in_a_relative_config_dir(tmp_path, monkeypatch) -> None:
    # `livedash deploy scale N --config-dir run` checks run/.nginx.conf.candidate; nginx
    # reads a relative -c against its prefix, so it once looked in run/run/.
    monkeypatch.chdir(tmp_path)
    settings = DeploySettings(workers=1, nginx_command=NGINX)
    write_config(settings, Path("deploy"))
    candidate = Path("deploy") / "candidate.conf"
    candidate.write_text(render(settings).nginx, encoding="utf-8")
    check_config(settings, Path("deploy"), config=candidate)  # raises NginxError if not found
    argv = nginx_command(settings, Path("deploy"), "-t", config=candidate)
    assert argv[argv.index("-c") + 1] == str(tmp_path / "deploy" / "candidate.conf")
    assert argv[argv.index("-p") + 1] == f"{tmp_path / 'deploy' / 'run'}/"


@pytest.mark.skipif(os.geteuid() != 0, reason="nginx switches users only when started by root")
def test_render_warns_when_nginx_could_not_read_the_static_files(tmp_path) -> None:
    hidden = tmp_path / "private"  # pytest's directories only their owner may enter
    with capture_logs() as logs:
        write_config(DeploySettings(workers=1), hidden)
    warned = [log for log in logs if log["event"] == "static_files_not_readable_by_nginx"]
    assert len(warned) == len(STATIC_ROOTS)
    assert not readable_by_others(hidden / "run" / "static" / "bokeh")
    shared = Path(tempfile.mkdtemp(prefix="livedash-render-"))
    try:
        shared.chmod(0o755)
        with capture_logs() as logs:
            write_config(DeploySettings(workers=1), shared)
        events = [log["event"] for log in logs]
        # The Python environment itself must be readable, as this checkout's is.
        if readable_by_others(Path(bokeh.__file__).parent):
            assert "static_files_not_readable_by_nginx" not in events
            assert readable_by_others(shared / "run" / "static" / "bokeh")
    finally:
        shutil.rmtree(shared)


def test_nginx_config_never_hashes_client_addresses() -> None:
    directives = [line.split()[0] for line in render(DEMO).nginx.splitlines() if line.split()]
    assert not {"ip_hash", "hash", "sticky"} & set(directives)


def test_nginx_config_pins_each_worker_prefix_to_its_port() -> None:
    text = render(DeploySettings(workers=2, base_port=7000)).nginx
    assert "location /w/0/ {\n            proxy_pass http://127.0.0.1:7000;" in text
    assert "location /w/1/ {\n            proxy_pass http://127.0.0.1:7001;" in text
    assert text.count("max_fails=1 fail_timeout=10s") == 2


def test_supervisord_starts_services_before_workers_before_nginx(tmp_path) -> None:
    options = _supervisord_options(DEMO, tmp_path)
    start_order = [group.name for group in sorted(options.process_group_configs)]
    assert start_order == [
        "broker", "fake-backend", "worker-0", "worker-1", "worker-2", "nginx",
    ]  # fmt: skip


def test_every_worker_is_its_own_group_so_scaling_restarts_no_survivor(tmp_path) -> None:
    options = _supervisord_options(DEMO, tmp_path)
    assert all(len(group.process_configs) == 1 for group in options.process_group_configs)


def test_workers_get_time_to_close_their_sessions_on_sigterm(tmp_path) -> None:
    programs = _programs(_supervisord_options(DEMO, tmp_path))
    for index in range(3):
        worker = programs[f"worker-{index}"]
        assert worker.stopsignal == 15
        assert worker.stopwaitsecs >= 20
        assert worker.autorestart
        assert worker.stdout_logfile == str(tmp_path / "run" / "log" / f"worker-{index}.log")


def test_the_broker_creates_the_instruments_topics_whenever_it_starts(tmp_path) -> None:
    broker = _programs(_supervisord_options(DEMO, tmp_path))["broker"]
    argv = shlex.split(broker.command)[1:]
    args = build_parser().parse_args(argv)
    assert args.instrument == ["dummy"]
    assert broker.autorestart


def test_worker_commands_are_valid_serve_invocations(tmp_path) -> None:
    programs = _programs(_supervisord_options(DEMO, tmp_path))
    parser = build_parser()
    for index in range(3):
        argv = shlex.split(programs[f"worker-{index}"].command)[1:]
        args = parser.parse_args(argv)
        assert (args.command, args.port, args.prefix) == ("serve", 5100 + index, f"/w/{index}")
        assert (args.worker_index, args.address) == (index, "127.0.0.1")
        assert args.allow_websocket_origin == ["127.0.0.1:8080"]


def test_nginx_runs_in_the_foreground_with_the_run_dir_as_prefix(tmp_path) -> None:
    nginx = _programs(_supervisord_options(DEMO, tmp_path))["nginx"]
    argv = shlex.split(nginx.command)
    assert argv[argv.index("-g") + 1] == "daemon off;"
    assert argv[argv.index("-p") + 1] == f"{tmp_path / 'run'}/"
    assert argv[argv.index("-c") + 1] == str(tmp_path / "nginx.conf")


def test_relative_run_dir_hangs_off_the_config_directory(tmp_path) -> None:
    options = _supervisord_options(DeploySettings(run_dir="var/run"), tmp_path)
    assert options.logfile == str(tmp_path / "var" / "run" / "log" / "supervisord.log")
    assert options.serverurl == f"unix://{tmp_path / 'var' / 'run' / 'supervisor.sock'}"
    assert (tmp_path / "var" / "run" / "tmp").is_dir()


def test_environment_reaches_every_program_unchanged(tmp_path) -> None:
    environment = {
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_PASSWORD": "p4ss word,with#odd!chars&$x",
    }
    options = _supervisord_options(DeploySettings(environment=environment), tmp_path)
    assert options.configroot.supervisord.environment == environment


def test_files_holding_environment_values_are_private(tmp_path) -> None:
    write_config(DeploySettings(environment={"KAFKA_SASL_PASSWORD": "secret"}), tmp_path)
    for name in ("supervisord.conf", "livedash-deploy.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
