from django.contrib.auth import views as auth_views
from django.urls import path

from . import notification_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("org/", views.org_tree, name="org_tree"),
    path("org/new/", views.unit_new, name="unit_new"),
    path("org/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("org/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("org/<int:unit_id>/move/", views.unit_move, name="unit_move"),
    path("org/<int:unit_id>/archive/", views.unit_archive, name="unit_archive"),
    path("org/<int:unit_id>/terms/new/", views.term_start, name="term_start"),
    path("org/<int:unit_id>/registrations/new/", views.registration_new, name="registration_new"),
    path("org/terms/<int:term_id>/seats/new/", views.position_assign, name="position_assign"),
    path("org/seats/<int:position_id>/end/", views.position_end, name="position_end"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<str:object_type>/<str:object_id>/", views.record_history, name="record_history"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/grants/new/", views.grant_new, name="grant_new"),
    path("users/grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path(
        "notifications/<int:notice_id>/open/",
        notification_views.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/", notification_views.mark_all_read, name="notifications_read_all"
    ),
]
