from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .security import LoginView

urlpatterns = [
    path("org/", views.home, name="org_home"),
    path("org/<str:code>/", views.department_detail, name="department_detail"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
