"""Checks a draft before anything is sent, and says what to fix next to the field it concerns.

`validate` returns `Problem`s. Each names the field by the attribute the
composer edits (`Problem.field`), so the UI can put the message beside that
widget:

- "recipients", "documents", "broadcast_ref", "send_ref": the draft's own;
- an option name from `faxgui.compose.draft.OPTION_NAMES` ("send_from",
  "max_fax_pages", ...): the draft's options, or the recipient's overrides
  when `recipient_index` is set;
- "fax_number", "message_ref", "documents": a recipient's;
- "path", "document_ref", "doc_merge_data": a document's, with
  `document_index` (and `recipient_index` for a recipient's own documents).

Errors block sending; warnings are worth a look but do not. Choices the
API documentation leaves open: MaxFaxPages must be at least 1 (a limit of 0
pages would refuse every fax, and the service faults on it); a passed
scheduled start only warns (the service sends straight away).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from faxgui.compose.draft import Draft, DraftDocument, FaxOptions, Recipient
from faxgui.compose.header_format import header_warnings
from faxgui.compose.phone import PhoneNormaliser
from faxgui.imaging.formats import extension_of, file_type_for

MAX_SEND_FROM = 32
"""The longest SendFrom (TSID) the service takes, in characters."""

DEFAULT_MAX_FAX_PAGES = 20
"""The page limit that applies when neither the message nor the request sets one."""

ACCEPTED_TYPES_TEXT = "PDF, TIFF, PNG, JPG, GIF, TXT, PS, RTF, DOC, DOCX, XLS, XLSX, PPT and PPTX"

# A scheduled start this far in the past is still "now" (the user took a while to press Send).
_START_SLACK = timedelta(minutes=1)


class Severity(StrEnum):
    """Whether a problem stops the fax from being sent."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to fix (or to look at), and where it is."""

    field: str
    message: str
    recipient_index: int | None = None
    document_index: int | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def has_errors(problems: Sequence[Problem]) -> bool:
    """True when any problem blocks sending."""
    return any(p.is_error for p in problems)


def validate(
    draft: Draft,
    numbers: PhoneNormaliser,
    *,
    now: datetime | None = None,
    inspect: bool = True,
) -> list[Problem]:
    """Everything wrong with `draft`: the draft's own problems first, then row by row.

    Numbers are checked with `numbers` (the default country of the settings).
    With `inspect`, documents whose files changed since they were last read
    are read again (`DraftDocument.inspect`) to count pages and catch damaged
    files; that can take a moment, so the UI calls `inspect()` on a worker
    when a file is added and passes `inspect=False` on the GUI thread.
    `now` defaults to the current time.
    """
    moment = now or datetime.now(UTC)
    if inspect:
        for document in draft.all_documents():
            if document.needs_inspection():
                document.inspect()
    problems: list[Problem] = []
    problems += _reference_problems(draft)
    problems += _option_problems(draft.options, None, moment, None)
    for index, document in enumerate(draft.documents):
        problems += _document_problems(document, None, index)
    problems += _saved_ref_clashes(draft)
    if not draft.recipients:
        problems.append(Problem("recipients", "Add at least one fax number to send to."))
    if not draft.documents and (
        not draft.recipients or all(not r.documents for r in draft.recipients)
    ):
        problems.append(Problem("documents", "Add a document to send."))
    problems += _page_limit_problems(draft)
    problems += _recipient_problems(draft, numbers, moment)
    return problems


# --------------------------------------------------------------------------- the draft


def _reference_problems(draft: Draft) -> list[Problem]:
    problems: list[Problem] = []
    if not draft.broadcast_ref.strip():
        problems.append(
            Problem(
                "broadcast_ref",
                "Enter a broadcast reference: it ties together every fax of this send.",
            )
        )
    if not draft.send_ref.strip():
        problems.append(
            Problem(
                "send_ref",
                "Enter a send reference: faxgui uses it to check whether a send got through "
                "before trying again.",
            )
        )
    return problems


def _option_problems(
    options: FaxOptions,
    recipient_index: int | None,
    now: datetime,
    inherited: FaxOptions | None,
) -> list[Problem]:
    """Problems with the options set at one level (the draft's, or a recipient's overrides).

    `inherited` is the draft's options when checking a recipient, so dates
    the recipient sets are compared with the draft's dates it inherits.
    """
    problems: list[Problem] = []

    def add(name: str, message: str, severity: Severity = Severity.ERROR) -> None:
        problems.append(Problem(name, message, recipient_index, None, severity))

    if options.send_from is not None:
        if len(options.send_from) > MAX_SEND_FROM:
            add(
                "send_from",
                f"The sender ID can be at most {MAX_SEND_FROM} characters; "
                f"this one has {len(options.send_from)}.",
            )
        if not all(" " <= ch <= "~" for ch in options.send_from):
            add(
                "send_from",
                "Fax machines print only plain letters, digits and punctuation in the sender "
                "ID; other characters may print as blanks or question marks.",
                Severity.WARNING,
            )
    for name, label in (("retries", "Retries"), ("busy_retries", "Busy retries")):
        value = getattr(options, name)
        if value is not None and value < 0:
            add(name, f"{label} cannot be less than 0.")
    if options.max_fax_pages is not None and options.max_fax_pages < 1:
        add("max_fax_pages", "The page limit must be at least 1 page.")
    if options.header_format is not None:
        for warning in header_warnings(options.header_format):
            add("header_format", warning, Severity.WARNING)
    problems += _date_problems(options, recipient_index, now, inherited)
    return problems


def _date_problems(
    options: FaxOptions,
    recipient_index: int | None,
    now: datetime,
    inherited: FaxOptions | None,
) -> list[Problem]:
    problems: list[Problem] = []
    own_start = options.scheduled_start_time
    own_deadline = options.must_be_sent_before_date
    effective = options if inherited is None else options.merged_over(inherited)
    start = effective.scheduled_start_time
    deadline = effective.must_be_sent_before_date
    if own_deadline is not None and _aware(own_deadline) <= now:
        problems.append(
            Problem(
                "must_be_sent_before_date",
                "The must-be-sent-before date has already passed, so the fax would be "
                "cancelled without being sent.",
                recipient_index,
            )
        )
    if (
        start is not None
        and deadline is not None
        and (own_start is not None or own_deadline is not None)
        and _aware(start) >= _aware(deadline)
    ):
        problems.append(
            Problem(
                "scheduled_start_time",
                "The scheduled start must come before the must-be-sent-before date.",
                recipient_index,
            )
        )
    if own_start is not None and _aware(own_start) < now - _START_SLACK:
        problems.append(
            Problem(
                "scheduled_start_time",
                "The scheduled start has already passed; the fax will be sent straight away.",
                recipient_index,
                None,
                Severity.WARNING,
            )
        )
    return problems


def _aware(moment: datetime) -> datetime:
    """A naive time is this computer's local time, as the client sends it."""
    return moment.astimezone() if moment.tzinfo is None else moment


# --------------------------------------------------------------------------- documents


def _document_problems(
    document: DraftDocument, recipient_index: int | None, document_index: int
) -> list[Problem]:
    problems: list[Problem] = []

    def add(name: str, message: str) -> None:
        problems.append(Problem(name, message, recipient_index, document_index))

    if document.path is None:
        if not (document.document_ref or "").strip():
            add("path", "Choose a file, or enter the reference of a saved document.")
        label = document.display_name
    else:
        label = document.path.name
        file_problem = _file_problem(document.path)
        if file_problem is not None:
            add("path", file_problem)
        elif document.content_problem:
            add("path", document.content_problem)
        if document.save_as_ref and not (document.document_ref or "").strip():
            add("document_ref", "Enter the reference to save this document under.")
    if document.doc_merge_data:
        file_type = file_type_for(label) if label else None
        if file_type is not None and not file_type.accepts_doc_merge:
            add(
                "doc_merge_data",
                f"Merge fields work only in Word documents (.doc, .docx); {label} is a "
                f"{file_type.label}. Remove the merge fields or attach the Word document.",
            )
        keys = [m.key.strip() for m in document.doc_merge_data]
        if any(not key for key in keys):
            add("doc_merge_data", "Every merge field needs a name.")
        repeated = sorted({key for key in keys if key and keys.count(key) > 1})
        if repeated:
            add("doc_merge_data", f"Each merge field can be given once: {', '.join(repeated)}.")
    return problems


def _file_problem(path: Path) -> str | None:
    """Why the file cannot be sent as it is (type, missing, empty, unreadable), or None."""
    name = path.name
    if file_type_for(name) is None:
        extension = extension_of(name)
        if extension:
            return (
                f"The fax service cannot send .{extension} files. It accepts "
                f"{ACCEPTED_TYPES_TEXT}; save {name} as PDF and attach that."
            )
        return (
            f"{name} has no file extension, so the fax service cannot tell what kind of "
            f"document it is. It accepts {ACCEPTED_TYPES_TEXT}."
        )
    try:
        status = path.stat()
    except FileNotFoundError:
        return f"{name} is no longer in {path.parent}: it was moved, renamed or deleted."
    except OSError as exc:
        return f"{name} cannot be read ({exc.strerror or exc.__class__.__name__})."
    if stat.S_ISDIR(status.st_mode):
        return f"{name} is a folder, not a document."
    if status.st_size == 0:
        return f"{name} is empty (0 bytes)."
    if not os.access(path, os.R_OK):
        return f"{name} cannot be read: you do not have permission to open it."
    return None


def _saved_ref_clashes(draft: Draft) -> list[Problem]:
    """Two different files saved under one DocumentRef: the service would refuse the send."""
    problems: list[Problem] = []
    first: dict[str, DraftDocument] = {}
    places: list[tuple[int | None, int, DraftDocument]] = [
        (None, i, d) for i, d in enumerate(draft.documents)
    ]
    for r, recipient in enumerate(draft.recipients):
        places += [(r, i, d) for i, d in enumerate(recipient.documents)]
    for recipient_index, document_index, document in places:
        ref = document.wire_document_ref
        if ref is None or document.path is None:
            continue
        earlier = first.setdefault(ref, document)
        if earlier is not document and earlier.path != document.path:
            problems.append(
                Problem(
                    "document_ref",
                    f"Another document is already saved under “{ref}” in this fax; "
                    "give each saved document its own reference.",
                    recipient_index,
                    document_index,
                )
            )
    return problems


# --------------------------------------------------------------------------- page limits


def _known_pages(documents: Sequence[DraftDocument]) -> int:
    return sum(d.page_count or 0 for d in documents)


def _page_limit_problem(
    pages: int, limit: int | None, recipient_index: int | None
) -> Problem | None:
    applied = DEFAULT_MAX_FAX_PAGES if limit is None else limit
    if applied < 1 or pages <= applied:
        return None
    whose = "the service's default limit" if limit is None else "the limit"
    return Problem(
        "max_fax_pages",
        f"The documents make {pages} pages, more than {whose} of {applied} pages per fax; "
        "the service will refuse to send it. Raise the page limit or send fewer pages.",
        recipient_index,
        None,
        Severity.WARNING,
    )


def _page_limit_problems(draft: Draft) -> list[Problem]:
    """One warning for everyone sharing the draft's documents and limit, one per exception."""
    problems: list[Problem] = []
    shared = draft.documents and any(
        not r.documents and r.overrides.max_fax_pages is None for r in draft.recipients
    )
    if shared or (draft.documents and not draft.recipients):
        problem = _page_limit_problem(
            _known_pages(draft.documents), draft.options.max_fax_pages, None
        )
        if problem is not None:
            problems.append(problem)
    for index, recipient in enumerate(draft.recipients):
        if not recipient.documents and recipient.overrides.max_fax_pages is None:
            continue
        limit = recipient.overrides.max_fax_pages
        if limit is None:
            limit = draft.options.max_fax_pages
        problem = _page_limit_problem(_known_pages(draft.documents_for(recipient)), limit, index)
        if problem is not None:
            problems.append(problem)
    return problems


# --------------------------------------------------------------------------- recipients


def _recipient_problems(draft: Draft, numbers: PhoneNormaliser, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    first_with_number: dict[str, int] = {}
    first_with_ref: dict[str, int] = {}
    someone_has_own = any(r.documents for r in draft.recipients)
    for index, recipient in enumerate(draft.recipients):
        problems += _number_problems(recipient, index, numbers, first_with_number, draft)
        ref = recipient.message_ref.strip()
        if not ref:
            problems.append(Problem("message_ref", "Every fax needs a message reference.", index))
        else:
            earlier = first_with_ref.setdefault(ref, index)
            if earlier != index:
                problems.append(
                    Problem(
                        "message_ref",
                        f"Row {earlier + 1} has the same message reference; "
                        "each fax needs its own.",
                        index,
                    )
                )
        if not recipient.overrides.is_empty():
            problems += _option_problems(recipient.overrides, index, now, draft.options)
        for document_index, document in enumerate(recipient.documents):
            problems += _document_problems(document, index, document_index)
        # With no documents anywhere, the draft-level "Add a document" says it once.
        if not recipient.documents and not draft.documents and someone_has_own:
            problems.append(
                Problem(
                    "documents",
                    "This fax has no documents: add some to it, or add documents for everyone.",
                    index,
                )
            )
    return problems


def _number_problems(
    recipient: Recipient,
    index: int,
    numbers: PhoneNormaliser,
    first_with_number: dict[str, int],
    draft: Draft,
) -> list[Problem]:
    result = numbers.normalise(recipient.fax_number)
    if result.number is None:
        return [Problem("fax_number", result.problem or "This is not a fax number.", index)]
    earlier = first_with_number.setdefault(result.number, index)
    if earlier == index:
        return []
    other = draft.recipients[earlier]
    who = f"row {earlier + 1}" + (f" ({other.name})" if other.name else "")
    return [
        Problem(
            "fax_number",
            f"Same number as {who}: this fax would go to it twice.",
            index,
            None,
            Severity.WARNING,
        )
    ]
