from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApprovalMode(models.TextChoices):
    RESPECTIVE = "respective", _("Respective approver (highest tier reached decides)")
    ESCALATING = "escalating", _("Escalating chain (every tier reached decides, lowest first)")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Contacts of an inactive company cannot order.")
    )
    approval_mode = models.CharField(
        _("approval mode"),
        max_length=20,
        choices=ApprovalMode.choices,
        default=ApprovalMode.RESPECTIVE,
    )
    monthly_budget = models.DecimalField(
        _("monthly budget"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "An order that takes the month's spend past it needs approval by the highest "
            "tier, even below the lowest. Empty: no budget."
        ),
    )
    approval_links_need_login = models.BooleanField(
        _("approval links in emails need a login"),
        default=False,
        help_text=_(
            "Approvers decide from the links in their emails without logging in, for that "
            "one decision only. Tick to make them log in first."
        ),
    )
    # Details for orders, quotes and invoices: kept by site admins in Django admin and by
    # the company's administrators in the portal (accounts).
    billing_address = models.TextField(_("billing address"), max_length=1000, blank=True)
    vat_id = models.CharField(_("VAT or tax id"), max_length=40, blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=100, blank=True, help_text=_("e.g. 30 days net.")
    )
    # Bumped by every save of the details above (and of the addresses and cost centres):
    # a page showing an older one is out of date, and its save is refused.
    details_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class DeliveryAddress(models.Model):
    """Where a company takes deliveries; an order names one (and keeps its text)."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="delivery_addresses"
    )
    label = models.CharField(_("name"), max_length=80, help_text=_("e.g. Main warehouse."))
    address = models.TextField(_("address"), max_length=1000)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Preselected on the order form.")
    )

    class Meta:
        ordering = ["-is_default", "label", "id"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(is_default=True),
                name="delivery_address_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def text(self) -> str:
        """The address as an order keeps it: its name, then its lines."""
        return f"{self.label}\n{self.address}".strip()


class CostCentre(models.Model):
    """A cost centre an order may be charged to; a company without any types its own."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cost_centres")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="cost_centre_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}" if self.name else self.code


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address.

    A contact person belongs to exactly one company; site admins (staff)
    belong to none.
    """

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="contacts",
        null=True,
        blank=True,
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    monthly_limit = models.DecimalField(
        _("monthly spending limit"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "An order that takes this person's spend of the month past it needs approval by "
            "the company's highest tier. Empty: no limit."
        ),
    )
    is_staff = models.BooleanField(
        _("site admin"), default=False, help_text=_("Site admins belong to no company.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Runs the company's people in the portal (invites, deactivates, reactivates
    # colleagues); made by a site admin. See the accounts app.
    is_company_admin = models.BooleanField(
        _("company administrator"),
        default=False,
        help_text=_("Manages the company's people in the portal: invites and deactivates them."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(company__isnull=True),
                name="staff_belong_to_no_company",
            ),
            models.CheckConstraint(
                condition=Q(is_company_admin=False) | Q(company__isnull=False),
                name="company_admin_has_a_company",
            ),
        ]
        indexes = [
            # Site admins are a handful among every company's contacts: who to tell
            # about a quote or an overdue order is read from this, not a table scan.
            models.Index(fields=["id"], condition=Q(is_staff=True), name="user_staff_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_contact(self) -> bool:
        return self.company_id is not None
