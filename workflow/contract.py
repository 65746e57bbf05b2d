"""What a submittable item provides to the workflow (DESIGN §4, §10).

The workflow knows nothing of reports: any model that inherits ``Submission`` (state,
version, submitter, last editor) and implements these hooks runs through the whole
transition table, is saved with ``submission_content_save`` and is checked by
``workflow.guards``. ``tests/workflow/test_contract.py`` proves it with a test-only model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, runtime_checkable

from departments.models import Department


@runtime_checkable
class Submittable(Protocol):
    pk: Any
    state: str
    version: int
    submitted_by_id: int | None
    submitted_version: int | None
    last_edited_by_id: int | None

    def get_state_display(self) -> str: ...

    def workflow_department(self) -> Department:
        """The budget department whose leading group and finance reviewer review the item."""

    def workflow_unit(self) -> Department:
        """The unit whose clerks write and submit it."""

    def workflow_title(self) -> str:
        """How notifications and messages name the item."""

    def workflow_deadline(self) -> date | None:
        """The last day it may be submitted (None: no deadline)."""

    def workflow_blocking(self) -> list[str]:
        """What stops a submission now, for the user (empty: nothing)."""

    def workflow_finance_gate(self) -> str | None:
        """Why the finance bureau may not approve it yet (None: it may)."""

    def workflow_frozen_reason(self) -> str | None:
        """Why an approved item may not be reopened (None: the finance admin may reopen it)."""

    def workflow_latest_revision(self) -> Any | None:
        """The newest revision (with ``number``, ``author``, ``created_at``), for conflict messages."""

    def workflow_revision_create(self, *, number: int, actor: Any, **extra: Any) -> Any:
        """Write the immutable revision of the content just saved as ``number``."""

    def get_absolute_url(self) -> str: ...


# The checks that block a submission live with the feature that owns the item (reports/annual,
# reports/quarterly …), which imports the model; the model must not import them back. The owning
# app registers its check at start-up (``AppConfig.ready``) and the model's ``workflow_blocking``
# asks here.
_BLOCKING_CHECKS: dict[type, Callable[[Any], list[str]]] = {}


def blocking_check_register(model: type, check: Callable[[Any], list[str]]) -> None:
    _BLOCKING_CHECKS[model] = check


def blocking_check_run(item: Any) -> list[str]:
    """The registered check's messages for ``item``; an unregistered model is a programming error."""
    try:
        check = _BLOCKING_CHECKS[type(item)]
    except KeyError:
        raise LookupError(f"no blocking check registered for {type(item).__name__}") from None
    return check(item)
