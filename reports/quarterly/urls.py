"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("quarterly/", views.quarterly_list, name="quarterly_list"),
    path("quarterly/open/", views.quarter_open, name="quarter_open"),
    path("quarterly/<int:pk>/", views.quarterly_detail, name="quarterly_detail"),
    path("quarterly/<int:pk>/edit/", views.quarterly_edit, name="quarterly_edit"),
    path("quarterly/<int:pk>/sheet/", views.quarterly_sheet, name="quarterly_sheet"),
    path("quarterly/<int:pk>/upload/", views.quarterly_upload, name="quarterly_upload"),
    path("quarterly/<int:pk>/upload/confirm/", views.quarterly_upload_confirm,
         name="quarterly_upload_confirm"),
    path("quarterly/<int:pk>/act/<str:action>/", views.quarterly_act, name="quarterly_act"),
]
