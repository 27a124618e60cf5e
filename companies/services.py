from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from core.domain import InvalidInput, NotAllowed, StaleVersion
from core.locks import lock, lock_noted, lock_one

from .models import Company, CostCentre, DeliveryAddress, User


def company_lock_for_ordering(*, company_id: int, address_id: int | None = None) -> Company:
    """Read a company and hold it against a change of its approval setup until commit.

    ``FOR KEY SHARE``: orders of one company don't wait for each other, only for
    a re-route after the tiers changed, which locks the company ``FOR UPDATE``.
    An order routed under the old tiers is therefore always seen by the re-route.
    (The foreign key's own lock comes too late: Django's constraints are deferred
    to commit.) First in the lock order (``core.locks``).

    The same read brings the delivery address the order asks for (``address_id``,
    if it is the company's), or the company's default: ``company.ordering_address``
    (a ``DeliveryAddress`` or None) for ``company.ordering_address_for``.
    """
    lock_noted(Company, [company_id])
    if connection.vendor == "postgresql":
        table = Company._meta.db_table
        addresses = DeliveryAddress._meta.db_table
        rows = list(
            Company.objects.raw(
                f"SELECT c.*, a.id AS address_pk, a.label AS address_label, "  # noqa: S608
                f"a.address AS address_text, a.is_default AS address_default "
                f"FROM {table} c LEFT JOIN LATERAL ("
                f"SELECT id, label, address, is_default FROM {addresses} "
                f"WHERE company_id = c.id AND (id = %s OR %s IS NULL) "
                f"ORDER BY is_default DESC, label, id LIMIT 1"
                f") a ON true WHERE c.id = %s FOR KEY SHARE OF c",
                [address_id, address_id, company_id],
            )
        )
        if not rows:
            raise Company.DoesNotExist
        company = rows[0]
        company.ordering_address_for = address_id
        company.ordering_address = (
            DeliveryAddress(
                pk=company.address_pk,
                company_id=company.pk,
                label=company.address_label,
                address=company.address_text,
                is_default=company.address_default,
            )
            if company.address_pk is not None
            else None
        )
        return company
    return Company.objects.get(pk=company_id)


@dataclass(frozen=True)
class Deactivation:
    """Who was deactivated, the companies they belonged to, and how many were spared."""

    user_ids: list[int]
    company_ids: list[int]
    spared: int


def users_deactivate(*, user_ids: Iterable[int], actor: User) -> Deactivation:
    """Deactivate people: they can no longer log in, and are told nothing more.

    Rule: a superuser and the person acting are never deactivated this way (a
    site admin cannot lock everyone, themselves included, out by one click).
    The caller's transaction holds the rows' locks; an approver's waiting
    orders move on through ``approvals.services.approval_contacts_deactivate``.
    """
    (wanted,) = lock(
        User.objects.filter(pk__in=list(user_ids), is_active=True)
        .order_by("pk")
        .values_list("pk", "is_superuser", "company_id")
    )
    kept = [
        (pk, company_id) for pk, superuser, company_id in wanted if not superuser and pk != actor.pk
    ]
    User.objects.filter(pk__in=[pk for pk, _company in kept]).update(is_active=False)
    return Deactivation(
        user_ids=[pk for pk, _company in kept],
        company_ids=sorted({company_id for _pk, company_id in kept if company_id}),
        spared=len(wanted) - len(kept),
    )


# --- Accounts: the person's own row, written for the accounts app's use cases ---


def _address_taken(*, email: str, company_id: int | None) -> InvalidInput:
    same = User.objects.filter(email__iexact=email, company_id=company_id).exists()
    if same and company_id is not None:
        message = _(
            "%(email)s is already one of your company's people; if they left, reactivate them."
        ) % {"email": email}
    else:
        message = _("%(email)s already has an account with the portal.") % {"email": email}
    return InvalidInput(message, {"email": [message]})


def contact_create(
    *,
    email: str,
    full_name: str,
    job_title: str = "",
    company_id: int | None,
    company_admin: bool = False,
) -> User:
    """A new person without a password; they choose one from their invitation.

    Rule: one account per email address, whatever its case (stored lower-case); a
    company administrator belongs to a company. The caller's transaction; a
    concurrent twin fails on the unique address.
    """
    if company_admin and company_id is None:
        message = _("A company administrator belongs to a company.")
        raise InvalidInput(message, {"is_company_admin": [message]})
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _address_taken(email=email, company_id=company_id)
    user = User(
        email=email,
        full_name=full_name,
        job_title=job_title,
        company_id=company_id,
        is_company_admin=company_admin,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _address_taken(email=email, company_id=company_id) from None
    return user


@dataclass(frozen=True)
class Reactivation:
    """Who was made active again, and their companies (whose routing may change)."""

    user_ids: list[int]
    company_ids: list[int]


def users_reactivate(*, user_ids: Iterable[int]) -> Reactivation:
    """Let deactivated people log in again (and decide again where they approve).

    The caller's transaction holds the rows' locks; an approver's tiers count
    again once the company's waiting orders are routed again (approvals).
    """
    (rows,) = lock(
        User.objects.filter(pk__in=list(user_ids), is_active=False)
        .order_by("pk")
        .values_list("pk", "company_id")
    )
    User.objects.filter(pk__in=[pk for pk, _company in rows]).update(is_active=True)
    return Reactivation(
        user_ids=[pk for pk, _company in rows],
        company_ids=sorted({company_id for _pk, company_id in rows if company_id}),
    )


def user_password_set(*, user_id: int, password: str) -> User:
    """Store a new password (hashed). Every session of the person started before ends,
    since a session carries a hash of the password it was opened with."""
    user = lock_one(User.objects.filter(pk=user_id))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_profile_update(*, user_id: int, full_name: str, job_title: str) -> User:
    """A person's own name and job title, as colleagues and approvers see them."""
    user = lock_one(User.objects.filter(pk=user_id))
    user.full_name = full_name
    user.job_title = job_title
    user.save(update_fields=["full_name", "job_title"])
    return user


# --- A company's details ---


def delivery_default_clear(*, company_id: int, keep: DeliveryAddress) -> None:
    """Before ``keep`` becomes the company's default address: no other is any more.

    Rule: one default address per company (a partial unique constraint; it cannot be
    deferred, so the old default is cleared first, in the caller's transaction).
    """
    DeliveryAddress.objects.filter(company_id=company_id, is_default=True).exclude(
        pk=keep.pk
    ).update(is_default=False)


@dataclass(frozen=True)
class AddressRow:
    """A delivery address as edited: ``id`` None for a new one."""

    id: int | None
    label: str
    address: str
    is_default: bool = False
    delete: bool = False


@dataclass(frozen=True)
class CentreRow:
    """A cost centre as edited: ``id`` None for a new one."""

    id: int | None
    code: str
    name: str = ""
    delete: bool = False


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, {field: [message]})


TEXT_FIELDS = ("label", "address", "code", "name", "billing_address", "vat_id", "payment_terms")


def _checked(instance, field_prefix: str) -> None:
    """A row's own limits (required, lengths, storable), said on its field."""
    for field in instance._meta.concrete_fields:
        if field.name not in TEXT_FIELDS or (
            instance._meta.model is Company and field.name == "name"
        ):
            continue
        value = getattr(instance, field.name) or ""
        where = f"{field_prefix}{field.name}"
        if not value and not field.blank:
            raise _invalid(where, _("%(field)s is needed.") % {"field": field.verbose_name})
        if field.max_length and len(value) > field.max_length:
            raise _invalid(
                where,
                _("%(field)s can be at most %(max)s characters.")
                % {"field": field.verbose_name, "max": field.max_length},
            )
        if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
            raise _invalid(where, _("This contains a character that cannot be stored."))


def company_details_changed(*, company_id: int) -> None:
    """The details were changed elsewhere (Django admin): a page showing the ones before
    is out of date. In the caller's transaction."""
    Company.objects.filter(pk=company_id).update(details_version=F("details_version") + 1)


@transaction.atomic
def company_details_update(
    *,
    company_id: int,
    actor: User,
    seen_version: int,
    billing_address: str,
    vat_id: str,
    payment_terms: str,
    addresses: Sequence[AddressRow],
    cost_centres: Sequence[CentreRow],
) -> Company:
    """A company administrator keeps the company's details: billing address, VAT id,
    payment terms, delivery addresses and cost centres (site admins: Django admin).

    Rule: an active administrator of this company; ids name the company's own rows
    (another company's is a 404); one default delivery address (none chosen: the
    first); a cost centre's code once per company; saved over the version the
    administrator saw (``details_version``), or refused, so two administrators
    saving at once never lose one's changes to the other's. Orders keep the
    address text they were placed with, whatever happens to the address later.
    Locks the company (``FOR NO KEY UPDATE``: orders being placed, which only share
    its key, go on).
    """
    if not (
        actor.is_active
        and actor.is_company_admin
        and actor.company_id == company_id
        and not actor.is_staff
    ):
        raise NotAllowed(_("Only your company's administrators change its details."))
    company = lock_one(Company.objects.filter(pk=company_id), no_key=True)
    if company.details_version != seen_version:
        raise StaleVersion(
            _(
                "Someone else saved the company's details while you were editing them. "
                "Here they are as saved now: make your changes again."
            )
        )
    company.details_version += 1
    company.billing_address = (billing_address or "").strip()
    company.vat_id = (vat_id or "").strip()
    company.payment_terms = (payment_terms or "").strip()
    _checked(company, "")
    company.save(update_fields=["billing_address", "vat_id", "payment_terms", "details_version"])

    (addresses_held,) = lock(DeliveryAddress.objects.filter(company=company))
    existing = {a.pk: a for a in addresses_held}
    gone: set[int] = set()
    new: list[DeliveryAddress] = []
    for i, row in enumerate(addresses):
        if row.id is not None and row.id not in existing:
            raise Http404("No such address.")
        if row.delete:
            if row.id is not None:
                gone.add(row.id)
            continue
        address = existing[row.id] if row.id is not None else DeliveryAddress(company=company)
        address.label = (row.label or "").strip()
        address.address = (row.address or "").strip()
        address.is_default = row.is_default
        _checked(address, f"addresses-{i}-")
        if row.id is None:
            new.append(address)
    final = [a for pk, a in existing.items() if pk not in gone] + new
    if sum(a.is_default for a in final) > 1:
        raise InvalidInput(_("Only one delivery address is the default."))
    if final and not any(a.is_default for a in final):
        final[0].is_default = True
    DeliveryAddress.objects.filter(pk__in=gone).delete()
    # the old default steps down first: the one-default constraint is checked per row
    DeliveryAddress.objects.filter(company=company, is_default=True).update(is_default=False)
    for address in final:
        address.save()

    (centres_held,) = lock(CostCentre.objects.filter(company=company))
    centres = {c.pk: c for c in centres_held}
    dropped: set[int] = set()
    added: list[CostCentre] = []
    for i, row in enumerate(cost_centres):
        if row.id is not None and row.id not in centres:
            raise Http404("No such cost centre.")
        if row.delete:
            if row.id is not None:
                dropped.add(row.id)
            continue
        centre = centres[row.id] if row.id is not None else CostCentre(company=company)
        centre.code = (row.code or "").strip()
        centre.name = (row.name or "").strip()
        _checked(centre, f"centres-{i}-")
        if row.id is None:
            added.append(centre)
    kept = [c for pk, c in centres.items() if pk not in dropped] + added
    codes = [c.code for c in kept]
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("Each cost centre's code is used once."))
    CostCentre.objects.filter(pk__in=dropped).delete()
    # codes may swap between rows: free them first, then write
    for centre in kept:
        if centre.pk:
            CostCentre.objects.filter(pk=centre.pk).update(code=f"\x1f{centre.pk}")
    for centre in kept:
        centre.save()
    return company
