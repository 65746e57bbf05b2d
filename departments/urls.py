from django.urls import path

from . import views
from .manage import org_views, people_views

urlpatterns = [
    path("org/", views.home, name="org_home"),
    path("manage/org/", org_views.manage_home, name="org_manage"),
    path("manage/org/new/", org_views.unit_create, name="unit_create"),
    path("manage/org/upload/", org_views.org_upload, name="org_upload"),
    path("manage/org/upload/confirm/", org_views.org_upload_confirm, name="org_upload_confirm"),
    path("manage/org/<str:code>/edit/", org_views.unit_edit, name="unit_edit"),
    path("manage/org/<str:code>/retire/", org_views.unit_retire, name="unit_retire"),
    path("manage/people/", people_views.people_list, name="people_list"),
    path("manage/people/new/", people_views.person_create, name="person_create"),
    path("manage/people/upload/", people_views.people_upload, name="people_upload"),
    path("manage/people/upload/confirm/", people_views.people_upload_confirm, name="people_upload_confirm"),
    path("manage/people/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("manage/people/<int:pk>/roles/", people_views.role_grant, name="role_grant"),
    path("manage/people/<int:pk>/name/", people_views.person_rename, name="person_rename"),
    path("manage/people/<int:pk>/password/", people_views.person_password, name="person_password"),
    path("manage/people/<int:pk>/active/", people_views.person_active, name="person_active"),
    path("manage/roles/<int:pk>/revoke/", people_views.role_revoke, name="role_revoke"),
    path("org/<str:code>/", views.department_detail, name="department_detail"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("password/", people_views.ForcedPasswordChangeView.as_view(), name="password_change"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
