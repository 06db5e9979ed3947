from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Nämndportalen – registratur"
admin.site.site_title = "Nämndportalen"
admin.site.index_title = "Diarium"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("oparl/v1.1/", include("cases.oparl.urls")),
    path("", include("cases.urls")),
]
