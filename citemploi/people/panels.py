"""Extension point: sections that other domains add to a person's file.

The people app does not import the pathway, orientation or cohort domains; each of them registers a
`FilePanel` in its AppConfig.ready(). The file page renders, in `order`, the template of every panel
whose `build(ctx, beneficiary)` returns a dict (None hides the panel, e.g. when the acting user may not
see that part). `build` must read through its domain's access helpers: the panel runs for anyone who may
open the file, and must itself decide what of its domain this user may see.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from citemploi.core.context import ActingContext
from citemploi.people.models import Beneficiary


@dataclass(frozen=True)
class FilePanel:
    key: str
    order: int
    #: template rendered with `panel` (what build returned), `b` (the person) and the page's context
    template: str
    build: Callable[[ActingContext, Beneficiary], dict[str, Any] | None]


_PANELS: dict[str, FilePanel] = {}


def register_file_panel(panel: FilePanel) -> None:
    _PANELS[panel.key] = panel


def registered_panels() -> list[FilePanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def panels_for(ctx: ActingContext, beneficiary: Beneficiary) -> list[dict[str, Any]]:
    shown = []
    for panel in registered_panels():
        data = panel.build(ctx, beneficiary)
        if data is not None:
            shown.append({"key": panel.key, "template": panel.template, "data": data})
    return shown
