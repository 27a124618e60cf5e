from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def baseline(request):
    """The least a page can cost here: the middleware, the login and a short template.

    ``make bench`` sets every page's time against this one.
    """
    return render(request, "benchmark/baseline.html")
