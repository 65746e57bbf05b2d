"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("sections/<int:pk>/act/<str:action>/", views.section_act, name="section_act"),
    path("reports/<int:pk>/finance-approve/", views.report_finance_approve_ready,
         name="report_finance_approve_ready"),
    path("progress/", views.progress, name="progress"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]
