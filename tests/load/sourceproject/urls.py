from django.urls import path

from . import views

urlpatterns = [
    path("api/mixin/", views.MixinView.as_view()),
    path("api/plain/", views.PlainView.as_view()),
    path("api/tenant/", views.TenantView.as_view()),
    path("api/async/", views.async_view),
    path("api/async-plain/", views.async_plain),
]
