"""URLs of the package, named in the app's "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/rows/", views.target_rows, name="target_rows"),
    path("targets/<int:pk>/history/", views.target_history, name="target_history"),
    path("targets/<int:pk>/adjust/", views.target_adjust, name="target_adjust"),
    path("targets/<int:pk>/act/<str:action>/", views.target_act, name="target_act"),
]
