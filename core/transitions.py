"""Status moves as data, and the one function that makes them.

Orders, approval steps, quotes and outbox rows each keep a table of moves beside their
model: for every action, who may ask for it, the statuses it starts from and
the status it leads to. Pages build their buttons from the table, a table test
walks every (status, action) pair of each, and ``transition`` below is the only
code in the project that writes a status.

Who may ask is the table's too, and enforced: every move names the role it is
made in (``by``), which the service derives from the person acting (or names
the machinery that moves it: routing, the clock, a worker); a role the table
does not list for the action is refused like a status it does not start from.

The rhythm of every state change, the same in every app::

    @transaction.atomic
    def order_cancel(*, order_id, actor, seen_version, comment=""):
        order = order_lock(order_id=order_id)               # 1. lock (order: core.locks)
        if order.placed_by_id != actor.pk: raise NotAllowed  # 2. who may act: the service's rule
        done = transition(order, "cancel", by=BUYER,         # 3. the role, the move, the
                          seen_version=seen_version)         #    version, the write
        OrderEvent.objects.create(order=order, actor=actor, kind=...,  # 4. the event
                                  from_status=done.source, to_status=done.target)
        notify.order_moved(...)                              # 5. the app announces it (outbox)

A creating action starts from ``NEW`` (no row yet): ``initial_status`` reads
its target off the same table, so an object is born only where the table says,
by whom it says.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from .domain import InvalidState, NotAllowed, StaleVersion

NEW = ""  # the status of an object not created yet


@dataclass(frozen=True)
class Move:
    """Who may make a move, from which statuses, and where it may lead.

    ``who`` is one role or several (an order's approval: its approver, or a site
    admin for a step routed to site admins). Most moves have one target; a move
    whose outcome another rule decides (an order routed for approval waits or is
    approved at once) lists each, and the caller names the one it takes.
    """

    who: frozenset[str]
    sources: frozenset[str]
    targets: frozenset[str]

    def __post_init__(self):
        who = {self.who} if isinstance(self.who, str) else self.who
        object.__setattr__(self, "who", frozenset(who))
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "targets", frozenset(self.targets))

    @property
    def target(self) -> str:
        if len(self.targets) != 1:
            raise ValueError("This move has several targets; name the one taken.")
        return next(iter(self.targets))


class Stateful(models.Model):
    """A model with a ``status`` moved only through its table of ``MOVES``.

    Subclasses set ``MOVES`` and may override the two messages a person reads
    when a move is refused.
    """

    MOVES: ClassVar[Mapping[str, Move]]

    class Meta:
        abstract = True

    def allows(self, action: str) -> bool:
        return self.status in self.MOVES[action].sources

    def actions_for(self, who: str) -> frozenset[str]:
        """The actions ``who`` may take now; pages show a button for each."""
        return frozenset(
            name
            for name, move in self.MOVES.items()
            if who in move.who and self.status in move.sources
        )

    def refusal(self, action: str) -> str:
        """Why ``action`` cannot be done in the current status."""
        return _("%(object)s is %(status)s; this can no longer be done.") % {
            "object": self,
            "status": self.get_status_display().lower(),
        }

    def not_yours(self, action: str) -> str:
        """Why ``action`` is not the person's to ask for, in the role they act in."""
        return _("%(object)s: this is not yours to do.") % {"object": self}

    def changed_meanwhile(self) -> str:
        return _("%(object)s changed while you were looking at it. Please check it again.") % {
            "object": self
        }


@dataclass(frozen=True)
class Transition:
    """A move made: what the event records."""

    action: str
    source: str
    target: str


def successors(moves: Mapping[str, Move], statuses: Iterable[str]) -> dict[str, frozenset[str]]:
    """Every status and the statuses one move may lead to from it (final ones: none)."""
    return {
        status: frozenset(
            target for move in moves.values() if status in move.sources for target in move.targets
        )
        for status in statuses
    }


def _versioned(row: Stateful) -> bool:
    return any(f.name == "version" for f in row._meta.concrete_fields)


def _auto_now(row: Stateful) -> list[str]:
    return [f.name for f in row._meta.concrete_fields if getattr(f, "auto_now", False)]


def initial_status(model: type[Stateful], action: str, *, by: str, to: str | None = None) -> str:
    """The status a creating ``action`` gives a new object, read off the model's table.

    Rule: ``by`` is a role the table lists for the action.
    """
    move = model.MOVES[action]
    if NEW not in move.sources:
        raise ValueError(f"{action!r} does not create a {model.__name__}.")
    if by not in move.who:
        raise NotAllowed(_("This is not yours to do."))
    target = move.target if to is None else to
    if target not in move.targets:
        raise ValueError(f"{action!r} does not lead to {target!r}.")
    return target


def check(
    row: Stateful, action: str, *, by: str | None = None, seen_version: int | None = None
) -> Move:
    """Refuse ``action`` unless ``by`` (when given) is a role the table lists for it, it is
    the version the person saw, and its status allows it.

    The role first, as it never changes; then the version: someone acting on a
    page that is out of date is told to look again, whatever changed.
    """
    move = row.MOVES[action]
    if by is not None and by not in move.who:
        raise NotAllowed(row.not_yours(action))
    if seen_version is not None and row.version != seen_version:
        raise StaleVersion(row.changed_meanwhile())
    if row.status not in move.sources:
        raise InvalidState(row.refusal(action))
    return move


def transition(
    row: Stateful,
    action: str,
    *,
    by: str,
    seen_version: int | None = None,
    to: str | None = None,
    fields: Iterable[str] = (),
) -> Transition:
    """Make ``action`` on a row the caller has locked, in the role ``by``, and save it.

    Rule: the table lists ``by`` among who may ask for the action; the version
    must be the one the person saw (when ``seen_version`` is given) and the
    status a source of the action; then the status takes the action's target
    (``to`` where it has several), the version goes up by one, and one UPDATE
    writes the status, the version, ``fields`` the caller changed and the
    auto-now timestamps.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A transition needs the caller's transaction and row lock.")
    move = check(row, action, by=by, seen_version=seen_version)
    target = move.target if to is None else to
    if target not in move.targets:
        raise ValueError(f"{action!r} does not lead to {target!r}.")
    source = row.status
    row.status = target
    update = ["status", *fields, *_auto_now(row)]
    if _versioned(row):
        row.version += 1
        update.append("version")
    row.save(update_fields=list(dict.fromkeys(update)))
    return Transition(action=action, source=source, target=target)


def transition_all(rows: Sequence[Stateful], action: str, *, by: str) -> list[Transition]:
    """Make ``action`` on several locked rows of one unversioned model in one UPDATE.

    For rows moved together under a parent's lock and version (an order's
    approval steps); the same rule as ``transition`` for each row.
    """
    if not rows:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A transition needs the caller's transaction and row lock.")
    model = type(rows[0])
    if _versioned(rows[0]):
        raise ValueError("Versioned rows move one at a time, each against its version.")
    move = model.MOVES[action]
    for row in rows:
        check(row, action, by=by)
    target = move.target
    done = [Transition(action=action, source=row.status, target=target) for row in rows]
    model._default_manager.filter(pk__in=[row.pk for row in rows]).update(status=target)
    for row in rows:
        row.status = target
    return done
