"""Children started with `owned_child_kwargs` die with their parent and ignore its Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import wait_until

_PARENT = """
import subprocess, sys, time
from livedash.children import owned_child_kwargs
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                         **owned_child_kwargs())
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_child_is_terminated_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)

    parent.kill()
    parent.wait(timeout=10)
    parent.stdout.close()

    wait_until(lambda: not _alive(child_pid), 10.0, message="orphaned child survived")


def test_child_leads_its_own_session_so_a_terminal_ctrl_c_misses_it() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    try:
        assert os.getsid(child_pid) == child_pid
        assert os.getpgid(child_pid) != os.getpgid(parent.pid)
    finally:
        parent.kill()
        parent.wait(timeout=10)
        parent.stdout.close()
    wait_until(lambda: not _alive(child_pid), 10.0, message="child survived its parent")
