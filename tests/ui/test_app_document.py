"""SessionDocument: the per-refresh batch, page-ready hook and client identity."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import panel as pn
import pytest
from bokeh.document import Document

from livedash.ui.document import SessionDocument, batched


@pytest.fixture
def page():
    """A document with a rendered Panel layout, as in a served session."""
    doc = Document()
    column = pn.Column(pn.pane.Markdown("a"), pn.widgets.TextInput(value="x"))
    doc.add_root(column.get_root(doc))
    return doc, column


@pytest.fixture
def recomputes(page, monkeypatch):
    doc, _ = page
    calls: list[int] = []
    original = doc.models.recompute

    def counting() -> None:
        calls.append(1)
        original()

    monkeypatch.setattr(doc.models, "recompute", counting)
    return calls


def test_an_idle_batch_does_not_recompute_the_model_graph(page, recomputes):
    doc, _ = page
    with batched(doc):
        pass
    assert recomputes == []


def test_a_batch_of_plain_value_changes_does_not_recompute(page, recomputes):
    doc, column = page
    with batched(doc):
        column[1].value = "y"
        column[0].object = "b"
    assert recomputes == []


def test_a_batch_that_adds_models_recomputes_once_and_knows_them(page, recomputes):
    doc, column = page
    added = [pn.pane.Markdown(f"m{i}") for i in range(5)]
    with batched(doc):
        for pane in added:
            column.append(pane)
    assert recomputes == [1]
    ids = {model.id for model in doc.models}
    for pane in added:
        [model] = pane._models.values()
        assert model[0].id in ids


def test_the_freeze_is_released_even_if_the_batch_raises(page):
    doc, _ = page
    with pytest.raises(RuntimeError), batched(doc):
        raise RuntimeError("view failed")
    assert doc.models._freeze_count == 0
    assert "invalidate" not in vars(doc.models)


def test_schedule_from_another_thread_adds_the_callback_on_the_loop():
    doc = Document()

    async def scenario() -> None:
        document = SessionDocument(doc)
        worker = threading.Thread(target=document.schedule, args=(lambda: None,))
        worker.start()
        worker.join()
        assert not doc.session_callbacks  # not yet: the IOLoop has not run
        for _ in range(100):  # up to a second for the loop to run its callbacks
            if doc.session_callbacks:
                return
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert len(doc.session_callbacks) == 1


def test_the_client_comes_from_the_page_request():
    request = SimpleNamespace(headers={"X-Forwarded-For": "192.0.2.9"}, remote_ip="127.0.0.1")
    doc = SimpleNamespace(session_context=SimpleNamespace(request=request))
    assert SessionDocument(doc, loop=object()).client().address == "192.0.2.9"


def test_an_unserved_document_counts_as_connected_and_not_destroyed():
    document = SessionDocument(Document(), loop=object())
    assert document.connected()
    assert not document.destroyed
