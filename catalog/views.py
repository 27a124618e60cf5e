from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.pagination import paginate

from .filters import ProductFilter
from .selectors import product_list_active


@login_required
@require_safe
def product_list(request):
    product_filter = ProductFilter(request.GET, queryset=product_list_active())
    page = paginate(product_filter.qs, request.GET.get("page"))
    return render(request, "catalog/product_list.html", {"filter": product_filter, "page": page})
