"""``python -m benchmarks.load``: the load benchmark (see ``benchmarks/load/__init__.py``)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import structlog

from livedash.logs import configure_logging

from .demo import Deployment
from .report import TARGETS, capacity, meets_update_targets, profile_text, table
from .runner import Driver, PointOptions, run_point, warm_up
from .scenario import PLOTS, start_workflows, write_load_layout
from .tap import Tap

logger = structlog.get_logger(__name__)

DATA_TIMEOUT_S = 60.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--tabs", default="5,10,20", help="comma-separated tab counts (N)")
    parser.add_argument("--workers", type=int, default=2, help="workers of a demo started here")
    parser.add_argument("--duration", type=float, default=60.0, help="measurement window, s")
    parser.add_argument("--warmup", type=float, default=5.0, help="settling time after start, s")
    parser.add_argument("--mode", choices=("browser", "bokeh-client"), default="browser")
    parser.add_argument("--config-dir", type=Path, help="use this running deployment")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/load.json"))
    parser.add_argument("--label", default="", help="free text stored with the results")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="measure every N even after one missed the update targets",
    )
    parser.add_argument(
        "--profile",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="after the window, sample the workers with py-spy for this long",
    )
    parser.add_argument(
        "--profile-start",
        action="store_true",
        help="also sample the workers while the tabs start (disturbs the start times)",
    )
    parser.add_argument("--keep-run-dir", action="store_true", help="keep demo logs")
    args = parser.parse_args(argv)
    try:
        args.tab_counts = sorted({int(t) for t in args.tabs.split(",") if t.strip()})
    except ValueError:
        parser.error(f"--tabs must be comma-separated integers, got {args.tabs!r}")
    if not args.tab_counts or min(args.tab_counts) < 1:
        parser.error(f"--tabs needs positive counts, got {args.tabs!r}")
    if args.duration < 5:
        parser.error(f"--duration must be at least 5 s, got {args.duration!r}")
    return args


def _machine() -> dict[str, Any]:
    try:
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = None
    import bokeh  # noqa: PLC0415
    import panel  # noqa: PLC0415

    return {
        "cpus": os.cpu_count(),
        "cpu_model": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": list(os.getloadavg()),
        "python": platform.python_version(),
        "bokeh": bokeh.__version__,
        "panel": panel.__version__,
        "chromium": chromium,
    }


@contextmanager
def _deployment(args: argparse.Namespace) -> Iterator[Deployment]:
    if args.config_dir is not None:
        yield Deployment.attach(args.config_dir)
        return
    tmp = Path(tempfile.mkdtemp(prefix="livedash-load-"))
    tmp.chmod(0o755)  # nginx's workers (nobody under root) read the static files from it
    deployment = None
    keep = args.keep_run_dir
    try:
        deployment = Deployment.start_demo(workers=args.workers, tmp_dir=tmp)
        yield deployment
    except BaseException:
        keep = True  # the logs say what went wrong
        raise
    finally:
        if deployment is not None:
            deployment.stop()
        if keep:
            logger.info("load_run_dir_kept", path=str(tmp))
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _driver_factory(mode: str, deployment: Deployment) -> Callable[[], Driver]:
    if mode == "browser":
        from .browser import BrowserTabs  # noqa: PLC0415 - Playwright only when needed

        return lambda: BrowserTabs(url=deployment.url)
    from .client import ClientTabs  # noqa: PLC0415 - Bokeh client only when needed

    nginx = (deployment.settings.local_nginx_host, deployment.settings.port)
    return lambda: ClientTabs(url=deployment.url, origin=deployment.origin, nginx=nginx)


def _wait_for_data(tap: Tap) -> None:
    deadline = time.monotonic() + DATA_TIMEOUT_S
    while not all(tap.published(p.name) for p in PLOTS):
        if time.monotonic() > deadline:
            missing = [p.name for p in PLOTS if not tap.published(p.name)]
            raise TimeoutError(f"no results from the backend for {missing}")
        time.sleep(0.25)


def _measure(args: argparse.Namespace, tabs: int) -> dict[str, Any]:
    with _deployment(args) as deployment:
        kafka = deployment.kafka
        write_load_layout(kafka, deployment.instrument)
        start_workflows(kafka, deployment.instrument)
        tap = Tap(kafka, deployment.instrument)
        try:
            _wait_for_data(tap)
            make_driver = _driver_factory(args.mode, deployment)
            warm_up(deployment, make_driver)
            options = PointOptions(
                mode=args.mode,
                tabs=tabs,
                duration_s=args.duration,
                warmup_s=args.warmup,
                profile_s=args.profile,
                profile_start=args.profile_start,
                profile_dir=args.out.parent / "profiles",
            )
            return run_point(deployment, tap, make_driver, options)
        finally:
            tap.close()


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")


def _kill_leftovers() -> None:
    """Last resort: end every process this benchmark started that still runs."""
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(children, timeout=10)
    if children:
        logger.warning("load_leftovers_killed", pids=[c.pid for c in children])


def _on_signal(signum: int, frame: object) -> None:
    del signum, frame
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    configure_logging()
    # SIGINT explicitly too: a shell starts background jobs with SIGINT ignored, and
    # Python then keeps ignoring it.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    document: dict[str, Any] = {
        "benchmark": "load",
        "label": args.label,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": _machine(),
        "targets": TARGETS,
        "points": [],
    }
    points: list[dict[str, Any]] = document["points"]
    code = 0
    try:
        for tabs in args.tab_counts:
            try:
                point = _measure(args, tabs)
            except Exception as exc:  # one failed point is recorded, not fatal
                logger.exception("load_point_failed", tabs=tabs)
                document.setdefault("failed", []).append({"tabs": tabs, "error": repr(exc)})
                _write(args.out, document)
                code = 1
                if args.keep_going:
                    continue
                break
            points.append(point)
            document["capacity"] = capacity(points)
            _write(args.out, document)
            print(table([point]), flush=True)
            for key in ("profile_start", "profile"):
                if point.get(key):
                    print(profile_text(point, key), flush=True)
            if not meets_update_targets(point) and not args.keep_going:
                logger.info("load_sweep_stopped", tabs=tabs, reason="update targets missed")
                break
    except KeyboardInterrupt:
        logger.warning("load_interrupted")
        code = 130
    finally:
        _kill_leftovers()
    if points:
        print("\n" + table(points))
        print(f"\ncapacity (largest N meeting the update targets): {capacity(points)}")
        print(f"results: {args.out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
