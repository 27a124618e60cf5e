from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.pagination import paginate

from .filters import ProductFilter
from .forms import SuggestForm
from .selectors import product_list_active, product_prices, product_suggestions


@login_required
@require_safe
def product_list(request):
    company_id = request.user.company_id
    product_filter = ProductFilter(
        request.GET, queryset=product_list_active(company_id=company_id), company_id=company_id
    )
    page = paginate(product_filter.qs, request.GET.get("page"))
    return render(
        request,
        "catalog/product_list.html",
        {
            "filter": product_filter,
            "page": page,
            "rows": product_prices(company_id=company_id, products=page),
        },
    )


@login_required
@require_safe
def product_suggest(request):
    """Products to suggest as a SKU field is typed in (htmx): the options of its datalist.

    Reads ``q``, or the one SKU field the form sends (``lines-3-sku``)."""
    q = SuggestForm(request.GET).text()
    products = product_suggestions(company_id=request.user.company_id, q=q)
    return render(request, "catalog/_product_suggestions.html", {"products": products})
