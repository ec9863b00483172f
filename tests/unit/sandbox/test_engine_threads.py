"""The engine under concurrent calls, as the threaded HTTP server makes them."""

from __future__ import annotations

import threading
from collections.abc import Callable

from faxgui.api.enums import Verbosity
from faxgui.api.models import FaxDocument, FaxMessage, FaxStatusRequest, SendFaxRequest
from faxgui.sandbox.engine import SandboxEngine


def test_concurrent_sends_and_status_calls_lose_nothing(make_pdf: Callable[[int], bytes]) -> None:
    engine = SandboxEngine(speed=1000)
    pdf = make_pdf(1)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for n in range(25):
                ref = f"w{index}-{n}"
                engine.send_fax(
                    "demo",
                    SendFaxRequest(
                        fax_messages=[FaxMessage(ref, "0298765432")],
                        send_ref=ref,
                        broadcast_ref="all",
                        documents=[FaxDocument("a.pdf", pdf)],
                    ),
                )
                engine.fax_status("demo", FaxStatusRequest(broadcast_ref="all"))
        except BaseException as exc:  # collected and reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    answer = engine.fax_status(
        "demo", FaxStatusRequest(broadcast_ref="all", verbosity=Verbosity.SEND)
    )
    refs = {m.message_ref for m in answer.messages}
    assert len(refs) == 8 * 25
