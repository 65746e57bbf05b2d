"""The reports app's URLs: each feature package brings its own; the names stay in "reports"."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.annual.urls")),
    path("", include("reports.review.urls")),
    path("", include("reports.quarterly.urls")),
    path("", include("reports.targets.urls")),
    path("", include("reports.exports.urls")),
    path("", include("reports.rectification.urls")),
    path("", include("reports.library.urls")),
    path("", include("reports.dashboard.urls")),
]
