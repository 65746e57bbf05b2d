from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("org/", views.home, name="org_home"),
    path("org/<str:code>/", views.department_detail, name="department_detail"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
