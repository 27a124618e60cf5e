from orders.services import LineRequest
from requisitions.models import RequisitionList
from requisitions.services import requisition_create


def make_list(owner, *lines, name="Monthly office supplies", shared=False) -> RequisitionList:
    """A list through the service, with (product, quantity) lines."""
    return requisition_create(
        owner=owner,
        name=name,
        is_shared=shared,
        lines=[LineRequest(sku=p.sku, quantity=q) for p, q in lines],
    )
