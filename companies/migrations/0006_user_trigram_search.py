from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# People found by part of their name or email, in any case (``icontains`` compares upper
# case): the order and quote search by buyer.
TRIGRAM_INDEXES = {
    "user_full_name_trgm_idx": "full_name",
    "user_email_trgm_idx": "email",
}


def create_trigram_indexes(apps, schema_editor):
    # Postgres only: elsewhere (SQLite for a quick look) the search reads without them.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "companies_user" USING gin '
            f'((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0005_accounts_company_admin"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
