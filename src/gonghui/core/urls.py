from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("org/", views.org_tree, name="org_tree"),
    path("org/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<str:object_type>/<str:object_id>/", views.record_history, name="record_history"),
    path("users/", views.user_list, name="user_list"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
]
