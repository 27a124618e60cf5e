from decimal import Decimal

import factory
from django.contrib.auth.models import Group, Permission
from factory.django import DjangoModelFactory

from catalog.models import Product
from companies.models import Company, CostCentre, DeliveryAddress, User
from companies.roles import site_admins_group_sync
from orders.models import Order, OrderStatus, order_number
from orders.services import LineRequest, order_place

PASSWORD = "a-test-password-1"


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class DeliveryAddressFactory(DjangoModelFactory):
    class Meta:
        model = DeliveryAddress

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Warehouse {n}")
    address = factory.Sequence(lambda n: f"{n} Dock Road\nSpringfield")


class CostCentreFactory(DjangoModelFactory):
    class Meta:
        model = CostCentre

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"CC-{n:03d}")
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BuyerFactory(UserFactory):
    company = factory.SubFactory(CompanyFactory)


class StaffFactory(UserFactory):
    """A site admin: staff, in the "Site admins" group (``companies.roles``)."""

    company = None
    is_staff = True

    @factory.post_generation
    def site_admin(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            # A flushed database (transactional tests) has lost the migration's group.
            obj.groups.add(site_admins_group_sync(group_model=Group, permission_model=Permission))


class BareStaffFactory(StaffFactory):
    """Staff with no permission: Django admin opens, nothing of the portal's work does."""

    @factory.post_generation
    def site_admin(obj, create, extracted, **kwargs):
        pass


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price = Decimal("10.00")


class OrderFactory(DjangoModelFactory):
    """A bare order row for list and query-count tests; flows use ``place_order``."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    placed_by = factory.SubFactory(BuyerFactory, company=factory.SelfAttribute("..company"))
    status = OrderStatus.APPROVED
    total = Decimal("100.00")

    @factory.post_generation
    def _number(obj, create, extracted, **kwargs):
        if create:
            obj.number = order_number(obj.pk)
            obj.save(update_fields=["number"])


def place_order(buyer: User, *lines: tuple[Product, int]) -> Order:
    """Place an order through the service, as a buyer would."""
    return order_place(
        buyer=buyer, lines=[LineRequest(sku=product.sku, quantity=qty) for product, qty in lines]
    )
