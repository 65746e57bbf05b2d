"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("rectification/", views.ledger_district, name="rectification_ledger"),
    path("rectification/department/<int:pk>/", views.ledger_department, name="rectification_department"),
    path("rectification/department/<int:pk>/raise/", views.item_raise_directly, name="rectification_raise"),
    path("rectification/department/<int:pk>/application/<int:year>/", views.application_edit,
         name="result_application"),
    path("rectification/<int:pk>/", views.item_detail, name="rectification_detail"),
    path("rectification/<int:pk>/act/<str:action>/", views.item_act, name="rectification_act"),
    path("rectification/<int:pk>/confirm/", views.item_confirm, name="rectification_confirm"),
    path("rectification/<int:pk>/discard/", views.item_discard, name="rectification_discard"),
    path("rectification/<int:pk>/evidence/", views.evidence_add, name="rectification_evidence"),
    path("rectification/evidence/<int:pk>/", views.evidence_download, name="rectification_evidence_download"),
    path("reports/<int:pk>/rectification/", views.report_sources, name="rectification_sources"),
    path("reports/<int:pk>/rectification/raise/", views.report_raise, name="rectification_report_raise"),
    path("reports/<int:pk>/rectification/finding/", views.report_finding, name="rectification_finding"),
    path("reports/<int:pk>/rectification/prior/", views.prior_section_generate, name="prior_section_generate"),
    path("reports/<int:pk>/public/", views.report_public, name="report_public"),
]
