"""Orders placed from a quote carry its number (orders no longer read quotes)."""

from django.db import migrations


def copy_numbers(apps, schema_editor):
    Quote = apps.get_model("quotations", "Quote")
    Order = apps.get_model("orders", "Order")
    for quote in Quote.objects.filter(order__isnull=False).only("number", "order_id").iterator():
        Order.objects.filter(pk=quote.order_id).update(quote_number=quote.number)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_order_quote_number"),
        ("quotations", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_numbers, migrations.RunPython.noop)]
