"""``livedash deploy`` as an operator runs it: exit codes and messages, no processes."""

from __future__ import annotations

import json

from livedash.cli import main
from livedash.deploy.render import write_config
from livedash.deploy.settings import DeploySettings


def test_render_writes_the_three_files_and_the_run_directory(tmp_path, capsys) -> None:
    code = main(["deploy", "render", "--workers", "2", "--out", str(tmp_path), "--port", "9000"])

    assert code == 0
    settings = json.loads((tmp_path / "livedash-deploy.json").read_text())
    assert (settings["workers"], settings["port"]) == (2, 9000)
    assert "listen 127.0.0.1:9000;" in (tmp_path / "nginx.conf").read_text()
    assert "[program:worker-1]" in (tmp_path / "supervisord.conf").read_text()
    assert (tmp_path / "run" / "log").is_dir()
    assert f"wrote {tmp_path / 'nginx.conf'}" in capsys.readouterr().out


def test_render_refuses_bad_values_with_exit_code_2(tmp_path, capsys) -> None:
    code = main(["deploy", "render", "--workers", "2", "--out", str(tmp_path), "--port", "5100"])

    assert code == 2
    assert "collides with the worker ports" in capsys.readouterr().err
    assert not (tmp_path / "nginx.conf").exists()


def test_drain_refuses_a_worker_index_outside_the_deployment(tmp_path, capsys) -> None:
    write_config(DeploySettings(workers=2), tmp_path)

    assert main(["deploy", "drain", "2", "--config-dir", str(tmp_path)]) == 2
    assert "within 0..1" in capsys.readouterr().err


def test_drain_of_a_worker_that_is_down_fails_naming_it(tmp_path, capsys) -> None:
    write_config(DeploySettings(workers=1, base_port=1), tmp_path)

    assert main(["deploy", "drain", "0", "--config-dir", str(tmp_path)]) == 1
    assert "worker 0 (127.0.0.1:1) did not answer" in capsys.readouterr().err


def test_status_lists_every_worker_and_fails_when_one_is_down(tmp_path, capsys) -> None:
    write_config(DeploySettings(workers=2, base_port=1), tmp_path)

    assert main(["deploy", "status", "--config-dir", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["worker", "port", "status"]
    assert [line.split()[:4] for line in lines[1:]] == [
        ["0", "1", "down", "?"],
        ["1", "2", "down", "?"],
    ]


def test_scale_without_a_running_supervisord_says_so(tmp_path, capsys) -> None:
    write_config(DeploySettings(workers=1, nginx_command="true"), tmp_path)

    assert main(["deploy", "scale", "2", "--config-dir", str(tmp_path)]) == 1
    assert "supervisord is not reachable" in capsys.readouterr().err


def test_commands_without_a_rendered_deployment_say_to_render_first(tmp_path, capsys) -> None:
    assert main(["deploy", "status", "--config-dir", str(tmp_path)]) == 2
    assert "livedash deploy render" in capsys.readouterr().err
