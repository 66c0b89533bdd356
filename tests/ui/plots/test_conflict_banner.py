"""An edit of this session that another session overwrote unseen shows as a banner."""

from __future__ import annotations

from livedash.plots import editing
from livedash.store import read_layout, write_layout
from livedash.ui.plots.edits import change_grid
from livedash.ui.plots.widgets import click

from .harness import World, one_grid


def overwritten(world: World) -> None:
    world.write(one_grid(title="Detectors"))
    world.refresh()
    grid = world.layout().grids[0]
    other = read_layout(world.other.store)
    assert other is not None
    assert (
        world.view.editor.apply(
            lambda g: change_grid(g, grid.grid_id, title="Mine", nrows=2, ncols=2)
        )
        is None
    )
    theirs = editing.rebuilt(other.gridset, grids=(editing.rebuilt(grid, title="Theirs"),))
    write_layout(world.other.store, theirs, base=other)
    world.refresh()


def test_an_overwritten_edit_shows_who_overwrote_it_and_when(world: World) -> None:
    overwritten(world)
    banner = world.view.banner
    assert banner.panel.visible
    assert "Your change to grid “Theirs” was overwritten by session-b at " in banner.text.object
    assert "UTC" in banner.text.object


def test_the_banner_goes_away_when_dismissed(world: World) -> None:
    overwritten(world)
    click(world.view.banner.ok_button)
    world.refresh()
    assert not world.view.banner.panel.visible


def test_edits_of_another_session_seen_before_editing_raise_no_banner(world: World) -> None:
    world.write(one_grid(title="Detectors"))
    world.refresh()
    grid = world.layout().grids[0]
    other = read_layout(world.other.store)
    assert other is not None
    write_layout(
        world.other.store,
        editing.rebuilt(other.gridset, grids=(editing.rebuilt(grid, title="Theirs"),)),
        base=other,
    )
    world.refresh()
    world.view.editor.apply(lambda g: change_grid(g, grid.grid_id, title="Mine", nrows=2, ncols=2))
    world.refresh()
    assert not world.view.banner.panel.visible
    assert not world.view.banner.built  # nothing to show: its widgets were never built
    assert world.view.tabs._names == ["Mine"]
