from django.urls import path

from . import export_views, quarterly_views, scoring_views, views, workflow_views

app_name = "reports"

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
    path("cycles/<int:pk>/", workflow_views.cycle_detail, name="cycle_detail"),
    path("sections/<int:pk>/act/<str:action>/", workflow_views.section_act, name="section_act"),
    path("reports/<int:pk>/finance-approve/", workflow_views.report_finance_approve_ready,
         name="report_finance_approve_ready"),
    path("progress/", workflow_views.progress, name="progress"),
    path("notifications/", workflow_views.notification_list, name="notification_list"),
    path("notifications/read/", workflow_views.notification_read, name="notification_read"),
    path("reports/<int:pk>/score/", scoring_views.report_score, name="report_score"),
    path("quarterly/", quarterly_views.quarterly_list, name="quarterly_list"),
    path("quarterly/open/", quarterly_views.quarter_open, name="quarter_open"),
    path("quarterly/<int:pk>/", quarterly_views.quarterly_detail, name="quarterly_detail"),
    path("quarterly/<int:pk>/edit/", quarterly_views.quarterly_edit, name="quarterly_edit"),
    path("quarterly/<int:pk>/sheet/", quarterly_views.quarterly_sheet, name="quarterly_sheet"),
    path("quarterly/<int:pk>/upload/", quarterly_views.quarterly_upload, name="quarterly_upload"),
    path("quarterly/<int:pk>/upload/confirm/", quarterly_views.quarterly_upload_confirm,
         name="quarterly_upload_confirm"),
    path("quarterly/<int:pk>/act/<str:action>/", quarterly_views.quarterly_act, name="quarterly_act"),
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/new/", export_views.export_request, name="export_request"),
    path("exports/<int:pk>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:pk>/status/", export_views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
]
