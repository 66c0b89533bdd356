"""Rendering nginx.conf and supervisord.conf from :class:`DeploySettings`.

The templates live in ``templates/`` beside this module; they carry the comments that
explain every line to the operator who reads the rendered files. Writing is atomic per
file (write a temporary file, then rename), so a running nginx or supervisord never reads
a half-written configuration.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import structlog

from .settings import (
    NGINX_FILE,
    SETTINGS_FILE,
    SUPERVISORD_FILE,
    DeploySettings,
    settings_text,
)

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("livedash.deploy", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # noqa: S701 -- configuration files, not HTML
)

# Sub-directories of the run directory: nginx's temporary files must have an existing
# parent, and supervisord refuses log files in a directory that does not exist.
RUN_SUBDIRS = ("log", "tmp")

logger = structlog.get_logger(__name__)

# nginx serves the pages' static files itself (ADR 0013) from ``<run dir>/static/<name>``:
# links to the directories Bokeh and Panel serve them from, in the Python environment
# that renders the configuration (the workers'). Links keep nginx.conf free of paths
# into one environment; on an nginx host without them nginx passes the request on to
# the worker.
STATIC_DIR = "static"
STATIC_ROOTS = {
    "bokeh": ("bokeh", "server", "static"),  # Bokeh's /static/
    "panel": ("panel", "dist"),  # Panel's /static/extensions/panel/
}


@dataclass(frozen=True)
class RenderedConfig:
    """The three files of a deployment, as text."""

    nginx: str
    supervisord: str
    settings: str

    def files(self) -> dict[str, str]:
        return {
            NGINX_FILE: self.nginx,
            SUPERVISORD_FILE: self.supervisord,
            SETTINGS_FILE: self.settings,
        }


def supervisord_run_dir(settings: DeploySettings) -> str:
    """How supervisord.conf names the run directory: relative ones hang off ``%(here)s``."""
    if os.path.isabs(settings.run_dir):
        return settings.run_dir.rstrip("/") or "/"
    relative = os.path.normpath(settings.run_dir)
    return "%(here)s" if relative == "." else f"%(here)s/{relative}"


def render(settings: DeploySettings) -> RenderedConfig:
    """Render both configuration files and the settings file; pure, touches no file."""
    context = {"s": settings, "run": supervisord_run_dir(settings)}
    return RenderedConfig(
        nginx=_TEMPLATES.get_template("nginx.conf.j2").render(context),
        supervisord=_TEMPLATES.get_template("supervisord.conf.j2").render(context),
        settings=settings_text(settings),
    )


def write_config(settings: DeploySettings, config_dir: Path) -> list[Path]:
    """Render into ``config_dir`` (created if missing) and create the run directory.

    Returns the paths written. Files holding environment values (which may be
    credentials) are readable by their owner only.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    run_dir = settings.run_path(config_dir)
    for sub in RUN_SUBDIRS:
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    link_static_roots(run_dir)
    secret = bool(settings.environment)
    written = []
    for name, text in render(settings).files().items():
        path = config_dir / name
        mode = 0o600 if secret and name != NGINX_FILE else 0o644
        write_atomically(path, text, mode=mode)
        written.append(path)
    return written


def write_atomically(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def link_static_roots(run_dir: Path) -> None:
    """Point ``<run dir>/static/<name>`` at this environment's static directories.

    Each link is replaced atomically, so a running nginx reads the old or the new one.
    """
    links = run_dir / STATIC_DIR
    links.mkdir(parents=True, exist_ok=True)
    for name, (package, *parts) in STATIC_ROOTS.items():
        target = _package_dir(package).joinpath(*parts)
        tmp = links / f".{name}.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target, target_is_directory=True)
        os.replace(tmp, links / name)
        if os.geteuid() == 0 and not readable_by_others(links / name):
            # nginx started by root runs its workers as nobody; they fall back to the
            # dashboard workers for every file (each logged in nginx's error log).
            logger.warning(
                "static_files_not_readable_by_nginx",
                path=str(target),
                detail="nginx's workers (nobody) cannot read it; the dashboard workers "
                "serve the static files instead (docs/operations.md)",
            )


def readable_by_others(path: Path) -> bool:
    """Whether a process of another user can list ``path`` (a directory, perhaps a
    link): others may enter every folder on the way to it and to where it leads, and
    may read and enter the directory itself."""
    target = path.resolve()
    folders = {*path.absolute().parents, *target.parents}
    return target.stat().st_mode & 0o005 == 0o005 and all(
        folder.stat().st_mode & 0o001 for folder in folders
    )


def _package_dir(name: str) -> Path:
    """Where package ``name`` is installed, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {name} package is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))).resolve()
