import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b2bportal.settings")

app = Celery("b2bportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
