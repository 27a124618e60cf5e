from django import forms

from .selectors import SEARCH_MAX_LENGTH


class SuggestForm(forms.Form):
    """What a SKU field typed so far: ``q``, or the one field the order form sends
    (``lines-3-sku``)."""

    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, strip=True)

    def text(self) -> str:
        if not self.is_valid():
            return ""
        if self.cleaned_data["q"]:
            return self.cleaned_data["q"]
        typed = next((v for k, v in self.data.items() if str(k).endswith("-sku")), "")
        return str(typed)[:SEARCH_MAX_LENGTH]
