"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
