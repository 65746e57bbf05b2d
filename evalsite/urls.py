from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from reports.review.views import inbox

handler400 = "reports.params.bad_request"

admin.site.site_header = "evalsite 绩效评价平台管理"
admin.site.site_title = "evalsite 管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    # one login for the whole site (throttle, forced password change at first login): not the admin's own
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", inbox, name="home"),
    path("", include("reports.urls")),
    path("", include("departments.urls")),
]
