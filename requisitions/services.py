"""Use cases that change requisition lists.

Rules:

- A list belongs to its owner, a contact person of a company; its name is
  unique among the owner's lists. Only the owner renames, shares, changes or
  deletes it; colleagues see a shared list and order or copy from it.
- A list holds at most ``MAX_LINES`` (100) products, so that it can always be
  ordered whole; each product once, its quantity from 1 to 100,000. Adding a
  product it holds adds the quantities. Products are checked as an order's
  lines are (``orders.services.lines_check``): active products the company sees.
- Each change locks the list, checks the version the person saw (when they
  saw one), bumps it and writes a history row.

A list is locked before its lines (``core.locks``), never together with an order.
"""

from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from companies.models import User
from core.domain import InvalidInput, InvalidState, NotAllowed, StaleVersion
from core.locks import lock, lock_first
from core.submissions import submission_claim, submission_done
from orders.services import MAX_LINES, LineRequest, lines_check
from orders.services.lines import quantity_problem, quantity_sum_problem

from .models import (
    NAME_MAX_LENGTH,
    RequisitionEvent,
    RequisitionEventKind,
    RequisitionLine,
    RequisitionList,
)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(
            _("Give the list a name."), errors={"name": [_("Give the list a name.")]}
        )
    if len(name) > NAME_MAX_LENGTH or not name.isprintable():
        message = _("A name of at most %(max)s letters, please.") % {"max": NAME_MAX_LENGTH}
        raise InvalidInput(message, errors={"name": [message]})
    return name


def _name_taken(name: str) -> InvalidInput:
    message = _("You have a list called “%(name)s” already.") % {"name": name}
    return InvalidInput(message, errors={"name": [message]})


def _lock_own(*, list_id: int, actor: User, seen_version: int | None) -> RequisitionList:
    requisition = lock_first(RequisitionList.objects.filter(pk=list_id))
    if requisition is None:
        raise InvalidState(_("This list was deleted meanwhile."))
    if requisition.owner_id != actor.pk:
        raise NotAllowed(_("Only the person who made a list changes it."))
    if seen_version is not None and requisition.version != seen_version:
        raise StaleVersion(requisition.changed_meanwhile())
    return requisition


def _add_lines(requisition: RequisitionList, lines: list[LineRequest]) -> list[dict]:
    """Add checked lines to a locked list; the same product adds up. Returns what was added."""
    if not lines:
        return []
    checked = lines_check(company_id=requisition.company_id, lines=lines)
    (lines_held,) = lock(RequisitionLine.objects.filter(requisition=requisition))
    held = {line.product_id: line for line in lines_held}
    new_products = {c.product.pk for c in checked} - set(held)
    if len(held) + len(new_products) > MAX_LINES:
        raise InvalidInput(
            _("A list holds at most %(max)s products; this would make %(count)s.")
            % {"max": MAX_LINES, "count": len(held) + len(new_products)}
        )
    added = []
    for line in checked:
        existing = held.get(line.product.pk)
        quantity = line.quantity + (existing.quantity if existing else 0)
        if (message := quantity_sum_problem(line.sku, quantity)) is not None:
            raise InvalidInput(message, errors={line.sku: [message]})
        if existing:
            existing.quantity = quantity
            existing.save(update_fields=["quantity"])
        else:
            RequisitionLine.objects.create(
                requisition=requisition, product=line.product, quantity=quantity
            )
        added.append({"sku": line.product.sku, "quantity": line.quantity})
    return added


@transaction.atomic
def requisition_create(
    *,
    owner: User,
    name: str,
    is_shared: bool = False,
    lines: list[LineRequest] = (),
    submission_key: UUID | None = None,
) -> RequisitionList:
    """Make a list, with lines or empty. Rule: see the module docstring; a contact person
    makes lists for their company; a form's one-time key makes it once."""
    if owner.company_id is None:
        raise NotAllowed(_("Only contact persons of a company keep requisition lists."))
    name = _clean_name(name)
    submission_claim(key=submission_key, user=owner)
    try:
        with transaction.atomic():
            requisition = RequisitionList.objects.create(
                company_id=owner.company_id, owner=owner, name=name, is_shared=is_shared
            )
    except IntegrityError:
        raise _name_taken(name) from None
    added = _add_lines(requisition, list(lines))
    RequisitionEvent.objects.create(
        requisition=requisition,
        kind=RequisitionEventKind.CREATED,
        actor=owner,
        detail={"name": name, "shared": is_shared, "lines": added},
    )
    submission_done(key=submission_key, result=str(requisition.pk))
    return requisition


@transaction.atomic
def requisition_update(
    *, list_id: int, actor: User, name: str, is_shared: bool, seen_version: int
) -> RequisitionList:
    """Rename a list or share it (or stop). Rule: the owner only; names unique per owner."""
    requisition = _lock_own(list_id=list_id, actor=actor, seen_version=seen_version)
    name = _clean_name(name)
    if (
        name != requisition.name
        and RequisitionList.objects.filter(owner=actor, name=name).exclude(pk=list_id).exists()
    ):
        raise _name_taken(name)
    before = {"name": requisition.name, "shared": requisition.is_shared}
    requisition.name, requisition.is_shared = name, is_shared
    requisition.version = F("version") + 1
    requisition.save(update_fields=["name", "is_shared", "version", "updated_at"])
    RequisitionEvent.objects.create(
        requisition=requisition,
        kind=RequisitionEventKind.CHANGED,
        actor=actor,
        detail={"before": before, "after": {"name": name, "shared": is_shared}},
    )
    requisition.refresh_from_db()
    return requisition


@transaction.atomic
def requisition_lines_add(
    *, list_id: int, actor: User, lines: list[LineRequest], seen_version: int | None = None
) -> RequisitionList:
    """Add products to a list (from the catalog, an order or another list). Rule: see the
    module docstring; the quantities of a product the list holds add up."""
    requisition = _lock_own(list_id=list_id, actor=actor, seen_version=seen_version)
    if not lines:
        raise InvalidInput(_("Choose at least one product to add."))
    added = _add_lines(requisition, list(lines))
    requisition.version = F("version") + 1
    requisition.save(update_fields=["version", "updated_at"])
    RequisitionEvent.objects.create(
        requisition=requisition,
        kind=RequisitionEventKind.LINES_ADDED,
        actor=actor,
        detail={"lines": added},
    )
    requisition.refresh_from_db()
    return requisition


@transaction.atomic
def requisition_lines_change(
    *,
    list_id: int,
    actor: User,
    quantities: dict[int, int],
    remove: set[int],
    seen_version: int,
) -> RequisitionList:
    """Change the quantities of a list's lines, or take lines off. Rule: the owner only;
    lines of another list are not found; quantities from 1 to 100,000."""
    requisition = _lock_own(list_id=list_id, actor=actor, seen_version=seen_version)
    (lines_held,) = lock(
        RequisitionLine.objects.filter(requisition=requisition).select_related("product"),
        of=("self",),
    )
    held = {line.pk: line for line in lines_held}
    unknown = (set(quantities) | set(remove)) - set(held)
    if unknown:
        raise StaleVersion(requisition.changed_meanwhile())
    changes = []
    for line_id, quantity in quantities.items():
        line = held[line_id]
        if line_id in remove or quantity == line.quantity:
            continue
        if (message := quantity_problem(quantity)) is not None:
            raise InvalidInput(message, errors={line.product.sku: [message]})
        changes.append({"sku": line.product.sku, "before": line.quantity, "after": quantity})
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    for line_id in remove:
        changes.append({"sku": held[line_id].product.sku, "before": held[line_id].quantity})
        held[line_id].delete()
    if changes:
        requisition.version = F("version") + 1
        requisition.save(update_fields=["version", "updated_at"])
        RequisitionEvent.objects.create(
            requisition=requisition,
            kind=RequisitionEventKind.LINES_CHANGED,
            actor=actor,
            detail={"lines": changes},
        )
        requisition.refresh_from_db()
    return requisition


@transaction.atomic
def requisition_delete(*, list_id: int, actor: User, seen_version: int) -> str:
    """Delete a list with its lines and history. Rule: the owner only. Returns its name."""
    requisition = _lock_own(list_id=list_id, actor=actor, seen_version=seen_version)
    name = requisition.name
    requisition.delete()
    return name
