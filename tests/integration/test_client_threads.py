"""One client shared by several worker threads, as the app's poller and sender share it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from faxgui.api import (
    FaxDocument,
    FaxMessage,
    FaxStatusRequest,
    MonopondClient,
    SendFaxRequest,
    Verbosity,
)

WORKERS = 8
ROUNDS = 6


def test_concurrent_sends_and_polls_all_get_their_own_answers(client: MonopondClient) -> None:
    document = FaxDocument(file_name="note.txt", file_data=b"Clinic closed Friday.\n" * 500)

    def work(worker: int) -> list[str]:
        refs = []
        for round_ in range(ROUNDS):
            ref = f"w{worker}-r{round_}"
            client.send_fax(
                SendFaxRequest(
                    send_ref=ref,
                    documents=[document],
                    fax_messages=[FaxMessage(message_ref=ref, send_to="0280039890")],
                )
            )
            status = client.fax_status(FaxStatusRequest(send_ref=ref, verbosity=Verbosity.SEND))
            refs += [m.message_ref or "" for m in status.messages]
        return refs

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = list(pool.map(work, range(WORKERS)))

    for worker, refs in enumerate(answers):
        assert refs == [f"w{worker}-r{round_}" for round_ in range(ROUNDS)]
