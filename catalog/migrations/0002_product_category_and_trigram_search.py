from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEXES = {
    "product_name_trgm_idx": "name",
    "product_sku_trgm_idx": "sku",
}


def create_trigram_indexes(apps, schema_editor):
    # Postgres only: elsewhere (SQLite for a quick look) the search reads without them.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "catalog_product" USING gin '
            f'((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


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
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
