"""URLs of the template library, in the "reports" namespace (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/assign/", views.template_assign, name="template_assign"),
    path("templates/install/", views.library_install, name="template_install"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/nodes/", views.node_add, name="template_node_add"),
    path("templates/<int:pk>/nodes/<slug:key>/", views.node_edit, name="template_node_edit"),
    path("templates/<int:pk>/nodes/<slug:key>/move/", views.node_move, name="template_node_move"),
    path("templates/<int:pk>/nodes/<slug:key>/remove/", views.node_remove, name="template_node_remove"),
    path("templates/<int:pk>/scoring/", views.scoring_edit, name="template_scoring"),
    path("templates/<int:pk>/name/", views.template_rename, name="template_rename"),
]
