from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# People found by part of their name or email, in any case (``icontains`` compares upper
# case): the order and quote search by buyer.
TRIGRAM_INDEXES = {
    "user_full_name_trgm_idx": "full_name",
    "user_email_trgm_idx": "email",
}


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0005_accounts_company_admin"),
    ]

    operations = [
        TrigramExtension(),
        *[
            migrations.RunSQL(
                f'CREATE INDEX "{name}" ON "companies_user" USING gin '
                f'((UPPER("{column}"::text)) gin_trgm_ops)',
                f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, column in TRIGRAM_INDEXES.items()
        ],
    ]
