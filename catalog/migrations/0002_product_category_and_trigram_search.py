from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "product_name_trgm_idx": "name",
    "product_sku_trgm_idx": "sku",
}


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="product",
            name="category",
            field=models.CharField(
                blank=True, db_default="", max_length=60, verbose_name="category"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["category", "name"], name="product_category_idx"),
        ),
        *[
            migrations.RunSQL(
                f'CREATE INDEX "{name}" ON "catalog_product" USING gin '
                f'((UPPER("{column}"::text)) gin_trgm_ops)',
                f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, column in TRIGRAM_INDEXES.items()
        ],
    ]
