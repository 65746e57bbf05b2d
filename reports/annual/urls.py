"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("sections/", views.section_list, name="section_list"),
    path("sections/<int:pk>/", views.section_detail, name="section_detail"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/compute/", views.section_compute, name="section_compute"),
    path("sections/<int:pk>/history/", views.section_history, name="section_history"),
    path("sections/<int:pk>/assign/", views.section_assign, name="section_assign"),
    path("sections/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_launch, name="cycle_launch"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("reports/<int:pk>/carry-over/", views.report_carry_over, name="report_carry_over"),
    path("reports/<int:pk>/score/", views.report_score, name="report_score"),
]
